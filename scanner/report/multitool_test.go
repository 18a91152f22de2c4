package report

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakstop/leakstop/scanner"
)

// TestSARIFMultitool runs Microsoft's SARIF validator, with its GitHub ingestion rules, on
// the SARIF this package writes. The validator comes from the npm package
// @microsoft/sarif-multitool (its sarif-multitool command, or the path in
// LEAKSTOP_SARIF_MULTITOOL); the test skips without it, except in CI.
func TestSARIFMultitool(t *testing.T) {
	tool := os.Getenv("LEAKSTOP_SARIF_MULTITOOL")
	if tool == "" {
		tool, _ = exec.LookPath("sarif-multitool")
	}
	if tool == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("sarif-multitool is not installed (npm install -g @microsoft/sarif-multitool)")
		}
		t.Skip("sarif-multitool is not installed (npm install -g @microsoft/sarif-multitool)")
	}
	fx := newFixture(t)
	dir := t.TempDir()
	cases := map[string]struct {
		res  *scanner.Result
		opts Options
	}{
		"findings": {fx.res, fx.opts()},
		"empty":    {emptyResult(), fx.opts()},
		// A build whose version is not a number ("dev") gets a warning (SARIF2005).
		"norules": {fx.res, Options{ToolVersion: testVersion}},
	}
	// Hostile names and messages (escape sequences, bidirectional overrides, HTML) still make
	// SARIF that GitHub takes.
	set, hostile, _ := hostileFixture(t)
	cases["hostile"] = struct {
		res  *scanner.Result
		opts Options
	}{hostile, Options{Rules: set, ToolVersion: testVersion, Root: testRoot}}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			in := filepath.Join(dir, name+".sarif")
			if err := os.WriteFile(in, write(t, formatSARIF, c.res, c.opts), 0o644); err != nil {
				t.Fatal(err)
			}
			// One rule kind a run: the npm wrapper hands its arguments to a shell, where a
			// "Gh;Sarif" list would split.
			for _, kind := range []string{"Sarif", "Gh"} {
				out := filepath.Join(dir, name+"."+kind+".validation.sarif")
				cmd := exec.Command(tool, "validate", "--rule-kind", kind, "-o", out, in)
				cmd.Env = append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1", "DOTNET_CLI_TELEMETRY_OPTOUT=1")
				if msg, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("sarif-multitool validate: %v\n%s", err, msg)
				}
				for _, problem := range validationResults(t, out) {
					t.Error(problem)
				}
			}
		})
	}
}

// validationResults lists the errors and warnings of a validator's output log.
func validationResults(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Arguments []string `json:"arguments"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, run := range log.Runs {
		for _, r := range run.Results {
			if r.Level == "" || r.Level == "error" || r.Level == "warning" {
				out = append(out, r.Level+" "+r.RuleID+" "+strings.Join(r.Message.Arguments, " "))
			}
		}
	}
	return out
}
