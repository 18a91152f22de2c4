package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
)

// orgResult is an org scan's result: a secret leaked in two repositories at the same path,
// and a line per repository, one of which failed.
func orgResult(t *testing.T) (*scanner.Result, string) {
	t.Helper()
	set, err := rules.Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	key := rules.NewGenerator(77).OpenAIKey("sk-proj-", 74)
	r := set.Rule("openai-project-key")
	loc := func(repo, commit string) scanner.Location {
		return scanner.Location{
			Repository: repo, Path: "config/app.env", Line: 2, Column: 16, Commit: commit,
			Author: "Ada Author", Date: "2024-01-01T02:00:00Z", Message: "Configure",
			URL: "https://github.com/" + repo + "/blob/" + commit + "/config/app.env#L2",
		}
	}
	f := &scanner.Finding{
		Rule: r.ID, Provider: r.Provider, Secret: key, Redacted: r.Redact(key), Fingerprint: scanner.Fingerprint(r.ID, key),
		Locations: []scanner.Location{
			loc("acme/api", "1111111111111111111111111111111111111111"),
			loc("acme/web", "2222222222222222222222222222222222222222"),
		},
	}
	return &scanner.Result{
		Findings: []*scanner.Finding{f},
		Stats: scanner.Stats{
			Commits: 5, Blobs: 9, Bytes: 4096, DurationMS: 2100, History: true, Errors: 0, Shard: "1/4",
			Repositories: []scanner.RepositoryStats{
				{Repository: "acme/api", Scan: scanner.ScanFull, Commits: 3, Blobs: 6, Bytes: 3000, Findings: 1, DurationMS: 800},
				{Repository: "acme/broken", Scan: scanner.ScanFailed, Error: "git clone: fatal: unable to access: The requested URL returned error: 500", DurationMS: 40},
				{Repository: "acme/docs", Scan: scanner.ScanUnchanged, DurationMS: 30},
				{Repository: "acme/web", Scan: scanner.ScanIncremental, Commits: 2, Blobs: 3, Bytes: 1096, Findings: 1, DurationMS: 700},
			},
		},
		Problems: []scanner.Problem{{Where: "acme/broken"}},
	}, key
}

// TestOrgGolden: every format names each location's repository, the text format lists
// the repositories, and SARIF keeps the two places apart.
func TestOrgGolden(t *testing.T) {
	res, key := orgResult(t)
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			out := write(t, format, res, Options{ToolVersion: testVersion})
			if bytes.Contains(out, []byte(key)) {
				t.Errorf("%s holds the secret in full", format)
			}
			golden(t, "org."+extensions[format], out)
		})
	}
	sarif := string(write(t, formatSARIF, res, Options{ToolVersion: testVersion}))
	if n := strings.Count(sarif, `"repository": "acme/`); n != 2 {
		t.Errorf("SARIF names a repository %d times, want 2", n)
	}
}
