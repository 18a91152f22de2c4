package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRandomAndEntropy(t *testing.T) {
	g := NewGenerator(18)
	if got := entropy(""); got != 0 {
		t.Errorf("entropy(\"\") = %v", got)
	}
	if got := entropy("abab"); got != 1 {
		t.Errorf("entropy(abab) = %v, want 1", got)
	}
	tests := []checkCase{
		{"hex 32", g.Chars(setHex, 32), true},
		{"base62 20", g.Chars(setAlnum, 20), true},
		{"base64 86", g.Chars(setB64, 86), true},
		{"repeated word", "banana-banana-banana", false},
		{"too short", "aZ3", false},
		{"sequence", "aaaabbbbccccdddd", false},
	}
	testCheck(t, "random", random, tests)
	if notHex(g.Chars(setHex, 40)) || !notHex(g.Chars(setAlnum, 40)) {
		t.Errorf("notHex is wrong")
	}
	if mixed(g.Chars("abcdefghijklmnopqrstuvwxyz", 40)) || !mixed("aB3"+g.Chars(setAlnum, 37)) {
		t.Errorf("mixed is wrong")
	}
}

// checkCase is one row of a check's table: what the row shows, the input, and the check's
// wanted answer.
type checkCase struct {
	name string
	s    string
	want bool
}

// testCheck runs the check fn, called name in messages, over its rows.
func testCheck(t *testing.T, name string, fn func(string) bool, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		if got := fn(c.s); got != c.want {
			t.Errorf("%s(%q) = %v (entropy %.2f), want %v (%s)", name, c.s, got, entropy(c.s), c.want, c.name)
		}
	}
}

// TestCheckRegistry lists the named checks; rule data refers to them by these names.
func TestCheckRegistry(t *testing.T) {
	want := []string{
		"age-secret-key", "auth0-management", "aws-key-id", "aws-secret", "discord-bot-token",
		"framework-secret", "generic-secret", "github-checksum", "gitlab-checksum", "grafana-token",
		"intercom-token", "jfrog-reference", "jwt", "kube-key-data", "mapbox-token", "mixed",
		"not-hex", "not-placeholder", "not-sample", "npm-checksum", "okta-access-token", "op-token",
		"openai-legacy", "openai-marker", "private-key", "putty-key", "pypi-macaroon",
		"qstash-token", "random", "sentry-org-token", "stripe-key", "supabase-role", "url-password",
		"user-password", "zoom-token",
	}
	if diff := cmp.Diff(want, checkNames()); diff != "" {
		t.Errorf("check names (-want +got):\n%s", diff)
	}
	if checks["not-placeholder"]("${TOKEN}") {
		t.Errorf("not-placeholder passes a variable")
	}
}
