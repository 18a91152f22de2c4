package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// FuzzRead: whatever it is given, Read returns a report or an error, never both and never
// neither; a report holds only findings with a rule and a valid fingerprint, and a secret
// only when it matches that fingerprint (any other text comes back as Redacted).
func FuzzRead(f *testing.F) {
	for _, pattern := range []string{"testdata/*.json", "testdata/*.jsonl"} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	fp := scanner.Fingerprint("openai-project-key", "sk-proj-abc")
	for _, s := range []string{
		"", "null", "[]", "{}", `{"version":1}`, `{"version":2,"findings":[]}`, `{"version":1}{"version":1}`,
		`{"version":1,"findings":[null]}`, `{"version":1,"findings":[{"rule":"r","fingerprint":"nothex"}]}`,
		`{"fingerprint":"` + fp + `","rule":"openai-project-key","secret":"sk-proj-abc"}` + "\n" + `{"fingerprint":"` + fp + `","rule":"openai-project-key","secret":"sk-proj-…"}`,
		`{"fingerprint":"` + fp + `","rule":"openai-project-key","secret":"sk-proj-abc","verification":{"status":"live","at":"not a time"}}`,
		`{"fingerprint":"` + fp + `","rule":""}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Read(bytes.NewReader(data))
		if (rep == nil) == (err == nil) {
			t.Fatalf("Read = %v, %v: want a report or an error", rep, err)
		}
		if err != nil {
			return
		}
		if rep.Version != reportVersion || rep.Findings == nil {
			t.Errorf("version %d, findings nil %v", rep.Version, rep.Findings == nil)
		}
		for i, fi := range rep.Findings {
			switch {
			case fi == nil:
				t.Fatalf("finding %d is nil", i)
			case fi.Rule == "" || !isFingerprint(fi.Fingerprint):
				t.Errorf("finding %d: rule %q, fingerprint %q", i, fi.Rule, fi.Fingerprint)
			case fi.Secret != "" && scanner.Fingerprint(fi.Rule, fi.Secret) != fi.Fingerprint:
				t.Errorf("finding %d holds a secret that is not its fingerprint's: %q", i, fi.Secret)
			}
		}
	})
}

// FuzzReadRoundTrip: a finding Write wrote (JSON or JSON lines) reads back as it was, with
// its secret when the report shows secrets, and redacted (Secret empty, Redacted as Write
// showed it) when not. Text that holds no secret comes back unchanged either way.
func FuzzReadRoundTrip(f *testing.F) {
	secret := "sk-proj-" + strings.Repeat("A1b2", 10)
	f.Add("openai-project-key", "openai", secret, "sk-proj-", "src/api.js", 3, 17, "3f1c2d4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d", "Add the API client", "https://shop.example.com/app.js?v=1&x=2", "public-bundle", "GET /v1/models answered 200", int64(1714636800), true, false)
	f.Add("github-pat", "github", "ghp_"+strings.Repeat("x9", 18), "", "/work/repo/my scripts/ci.sh", 10, 0, "", "", "", "", "<script>\u2028\"quoted\"", int64(0), false, true)
	f.Add("generic", "", "hunter22", "", "a\x00b\tc", -1, -1, "", "multi\nline", "", "", "", int64(-62135596800), false, false)
	f.Fuzz(func(t *testing.T, rule, provider, secret, prefix, path string, line, col int, commit, message, u, exposure, detail string, at int64, show, jsonl bool) {
		// JSON carries valid UTF-8 only: anything else comes back as U+FFFD, by design.
		for _, s := range []*string{&rule, &provider, &secret, &prefix, &path, &commit, &message, &u, &exposure, &detail} {
			*s = strings.ToValidUTF8(*s, "?")
		}
		if rule == "" || secret == "" {
			return // Read refuses a finding without a rule; Write never gets one without a secret
		}
		// Reports carry times in whole seconds of UTC, within RFC 3339's years.
		min, max := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
		when := time.Unix(min+(at%(max-min+1)+(max-min+1))%(max-min+1), 0).UTC()
		in := &scanner.Finding{
			Rule: rule, Provider: provider, Secret: secret, Redacted: rules.Redact(secret, prefix),
			Fingerprint: scanner.Fingerprint(rule, secret),
			Locations: []scanner.Location{
				{Path: path, Line: line, Column: col, Commit: commit, Message: message, URL: u, Exposure: exposure, Variable: provider},
				{URL: u, Origin: &scanner.Origin{Path: path, Line: col}},
			},
			Verification: &outcome.Step{Status: outcome.Live, Detail: detail, At: when},
			Revocation:   &outcome.Step{Status: outcome.Failed, Detail: message},
			Issue:        u,
		}
		format := formatJSON
		if jsonl {
			format = formatJSONL
		}
		var buf bytes.Buffer
		if err := Write(&buf, format, &scanner.Result{Findings: []*scanner.Finding{in}}, Options{ShowSecrets: show}); err != nil {
			t.Fatalf("Write: %v", err)
		}
		rep, err := Read(&buf)
		if err != nil {
			t.Fatalf("Read of what Write wrote: %v\n%s", err, buf.String())
		}
		if len(rep.Findings) != 1 {
			t.Fatalf("%d findings, want 1", len(rep.Findings))
		}
		got := rep.Findings[0]
		want := *in
		want.Redacted = ""
		if !show {
			// Redacted: the secret is gone, its redacted form is what was written.
			want.Secret, want.Redacted = "", in.Redacted
			if got.Secret != "" || got.Redacted != want.Redacted {
				t.Errorf("redacted report read back: secret %q, redacted %q; want none and %q", got.Secret, got.Redacted, want.Redacted)
			}
			if strings.Contains(got.Redacted, secret) {
				t.Errorf("redacted form %q holds the secret", got.Redacted)
			}
		}
		// Free text is redacted only where it holds the secret; the rest must come back as
		// it was. Where it holds it, what Write made of it is the redactor's business.
		ignore := []cmp.Option{cmpopts.EquateEmpty()}
		if !show && len(secret) >= 6 {
			if strings.Contains(path, secret) || strings.Contains(message, secret) || strings.Contains(u, secret) ||
				strings.Contains(detail, secret) || strings.Contains(provider, secret) {
				ignore = append(ignore, cmpopts.IgnoreFields(scanner.Location{}, "Path", "Message", "URL", "Variable", "Origin"),
					cmpopts.IgnoreFields(scanner.Finding{}, "Issue"), cmpopts.IgnoreFields(outcome.Step{}, "Detail"))
			}
		}
		if d := cmp.Diff(&want, got, ignore...); d != "" {
			t.Errorf("read back (-want +got):\n%s", d)
		}
	})
}
