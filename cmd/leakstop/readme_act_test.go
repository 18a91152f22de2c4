package main

import (
	"os"
	"strings"
	"testing"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestREADMENamesEveryStatus: the README's verify and revoke section says what each
// verification and revocation status means; a status added to scanner/outcome without a
// word there fails here.
func TestREADMENamesEveryStatus(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "### Verify, revoke, track")
	end := strings.Index(readme, "## Flags shared by the scanning commands")
	if start < 0 || end < start {
		t.Fatal("the README has no verify and revoke section")
	}
	section := readme[start:end]
	for _, s := range outcome.Statuses() {
		if !strings.Contains(section, "`"+string(s)+"`") && !strings.Contains(section, "**"+string(s)+"**") {
			t.Errorf("the README's verify and revoke section does not explain the status %s", s)
		}
	}
	for _, flag := range []string{"--provider-timeout", "LEAKSTOP_TIMEOUT", "--audit", "--issues"} {
		if !strings.Contains(section, flag) {
			t.Errorf("the section does not mention %s", flag)
		}
	}
}
