package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fixture is a scan result with every kind of location, made at run time so that the
// repository holds no key: its raw secrets and companions are listed for the leak checks.
type fixture struct {
	set     *rules.Set
	res     *scanner.Result
	secrets []string // every raw secret and companion, which no redacted output may hold
}

const (
	testRoot    = "/work/repo"
	testVersion = "0.1.0"
	commitA     = "3f1c2d4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d"
	commitB     = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b"
)

func testRules(t *testing.T) *rules.Set {
	t.Helper()
	set, err := rules.NewSet([]*rules.Rule{
		{
			ID: "openai-project-key", Provider: "openai",
			Description: "OpenAI project, service-account or user API key",
			Keywords:    []string{"T3BlbkFJ"},
			Regex:       regexp.MustCompile(`\b(sk-(?:proj|svcacct|None)-[A-Za-z0-9_-]+)`),
			Severity:    "critical",
			Remediation: "Delete the key at https://platform.openai.com/api-keys and create a new one.",
		},
		{
			ID: "github-pat", Provider: "github",
			Description: "GitHub personal access token (classic)",
			Keywords:    []string{"ghp_"},
			Regex:       regexp.MustCompile(`\bghp_[A-Za-z0-9]{36}\b`),
			Remediation: "Delete the token at https://github.com/settings/tokens.",
		},
		{
			ID: "aws-access-key", Provider: "aws",
			Description: "AWS access key id with its secret access key",
			Keywords:    []string{"AKIA"},
			Regex:       regexp.MustCompile(`\bAKIA[A-Z2-7]{16}\b`),
			Companion:   regexp.MustCompile(`[A-Za-z0-9/+]{40}`),
		},
		{
			ID: "generic-password", Description: "Password assigned in code", Generic: true,
			Keywords: []string{"password"}, Regex: regexp.MustCompile(`password\s*=\s*"([^"]{8,})"`),
			Severity: "medium",
		},
	}, rules.Allowlist{})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// newFixture builds findings as the engine would: an OpenAI key committed and shipped in a
// public bundle (verified, revoked, an issue opened), a GitHub token twice in one file
// under an absolute path, and an AWS key whose companion and secret also turn up in a
// commit subject and a provider's message, where only the safety net catches them.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	set := testRules(t)
	g := rules.NewGenerator(42)
	openai := g.OpenAIKey("sk-proj-", 74)
	ghp := g.GitHubToken("ghp_")
	aws := "AKIA" + g.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	awsSecret := g.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", 40)

	finding := func(rule, secret string, locs ...scanner.Location) *scanner.Finding {
		r := set.Rule(rule)
		return &scanner.Finding{
			Rule: rule, Provider: r.Provider, Secret: secret, Redacted: r.Redact(secret),
			Fingerprint: scanner.Fingerprint(rule, secret), Locations: locs,
		}
	}
	fOpenAI := finding("openai-project-key", openai,
		scanner.Location{
			Path: "src/api.js", Line: 3, Column: 17, Commit: commitA,
			Author: "Ada Lovelace", Email: "ada@example.com", Date: "2024-05-01T10:20:30Z",
			Message: "Add the API client", URL: "https://github.com/acme/shop/blob/" + commitA + "/src/api.js#L3",
			Blob: "0123456789abcdef0123456789abcdef01234567",
		},
		scanner.Location{
			URL: "https://shop.example.com/assets/index-4f2a.js?v=1&x=2", Line: 1, Column: 20345,
			Origin:   &scanner.Origin{Path: "src/api.ts", Line: 12, Column: 5},
			Exposure: scanner.ExposurePublicBundle, Variable: "VITE_OPENAI_API_KEY",
		},
	)
	fOpenAI.Verification = &outcome.Step{Status: outcome.Live, Detail: "GET /v1/models answered 200", At: mustTime("2024-05-02T08:00:00Z")}
	fOpenAI.Revocation = &outcome.Step{Status: outcome.Revoked, Detail: "key deleted", At: mustTime("2024-05-02T08:00:01Z")}
	fOpenAI.Issue = "https://github.com/acme/shop/issues/7"
	fOpenAI.Confidence = "high"

	fGitHub := finding("github-pat", ghp,
		scanner.Location{Path: filepath.FromSlash(testRoot + "/deploy/my scripts/ci.sh"), Line: 10, Column: 9},
		scanner.Location{Path: filepath.FromSlash(testRoot + "/deploy/my scripts/ci.sh"), Line: 40, Column: 13},
		scanner.Location{Path: "/elsewhere/notes.txt", Line: 2, Column: 1},
		// Written in base64 in a Kubernetes Secret, then split into two literals in code.
		scanner.Location{Path: "k8s/secret.yaml", Line: 6, Column: 10, Encoding: rules.EncodingBase64},
		scanner.Location{Path: "src/token.go", Line: 4, Column: 14, Encoding: rules.EncodingJoined + "+" + rules.EncodingBase64},
	)
	fGitHub.Confidence = "medium"

	fAWS := finding("aws-access-key", aws,
		scanner.Location{
			Path: "config/prod.env", Line: 7, Column: 19, Commit: commitB,
			Author: "Mallory", Email: "m@example.com", Date: "2023-01-02T03:04:05+01:00",
			// A subject that holds the secret itself and a terminal escape.
			Message: "temp creds " + awsSecret + " \x1b[2Jcleared",
		},
	)
	fAWS.Companion = awsSecret
	fAWS.Confidence = "high"
	password := g.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 18)
	fGeneric := finding("generic-password", password, scanner.Location{Path: "app/settings.py", Line: 22, Column: 13})
	fGeneric.Provider = "generic"
	fGeneric.Confidence = "low"
	fAWS.Verification = &outcome.Step{Status: outcome.Unknown, Detail: "sts answered 500 for " + aws + "/" + awsSecret}

	fs := []*scanner.Finding{fAWS, fOpenAI, fGitHub, fGeneric}
	return &fixture{
		set: set,
		res: &scanner.Result{
			Findings: fs,
			Stats:    scanner.Stats{Commits: 12, Blobs: 41, Bytes: 1234567, Skipped: 2, Errors: 1, DurationMS: 35},
			Problems: []scanner.Problem{{Where: "3f1c2d4e5a6b:big.bin", Err: errors.New("reading blob: corrupt object")}},
		},
		secrets: []string{openai, ghp, aws, awsSecret, password},
	}
}

func (fx *fixture) opts() Options {
	return Options{Rules: fx.set, ToolVersion: testVersion, Root: filepath.FromSlash(testRoot)}
}

// emptyResult is a clean scan of a folder.
func emptyResult() *scanner.Result {
	return &scanner.Result{Findings: nil, Stats: scanner.Stats{Files: 41, Bytes: 1200000, DurationMS: 1234}}
}

var extensions = map[string]string{formatText: "txt", formatJSON: "json", formatJSONL: "jsonl", formatSARIF: "sarif", formatGitLab: "gitlab.json"}

func write(t *testing.T, format string, res *scanner.Result, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, res, opts); err != nil {
		t.Fatalf("Write %s: %v", format, err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test ./scanner/report -update): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test ./scanner/report -update rewrites it):\n%s", path, diff)
	}
}

func TestGolden(t *testing.T) {
	fx := newFixture(t)
	cases := []struct {
		name string
		res  *scanner.Result
		opts Options
	}{
		{"findings", fx.res, fx.opts()},
		{"empty", emptyResult(), fx.opts()},
		// No rule set (a report read back): rules come from the findings alone.
		{"norules", &scanner.Result{Findings: fx.res.Findings[1:2], Stats: fx.res.Stats}, Options{ToolVersion: "dev"}},
	}
	for _, c := range cases {
		for _, format := range Formats() {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				golden(t, c.name+"."+extensions[format], write(t, format, c.res, c.opts))
			})
		}
	}
	t.Run("findings/text-color", func(t *testing.T) {
		o := fx.opts()
		o.Color = true
		golden(t, "findings.color.txt", write(t, formatText, fx.res, o))
	})
}

// TestNoRawSecret proves that no format writes a raw secret or companion, even where one
// sits in text from elsewhere, unless asked to.
func TestNoRawSecret(t *testing.T) {
	fx := newFixture(t)
	for _, format := range Formats() {
		for _, color := range []bool{false, true} {
			o := fx.opts()
			o.Color = color
			out := write(t, format, fx.res, o)
			for _, s := range fx.secrets {
				if rules.Redact(s, "") == s {
					continue // not secret, shown whole by design: the AWS key id
				}
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("%s (color %v) holds the raw secret %s…", format, color, s[:4])
				}
			}
		}
	}
}

func TestShowSecrets(t *testing.T) {
	fx := newFixture(t)
	o := fx.opts()
	o.ShowSecrets = true
	for _, format := range Formats() {
		out := write(t, format, fx.res, o)
		for _, f := range fx.res.Findings {
			if !bytes.Contains(out, []byte(f.Secret)) {
				t.Errorf("%s with ShowSecrets lacks the secret of %s", format, f.Rule)
			}
		}
	}
}

func TestDoesNotMutate(t *testing.T) {
	fx := newFixture(t)
	before := newFixture(t).res
	for _, show := range []bool{false, true} {
		o := fx.opts()
		o.ShowSecrets = show
		for _, format := range Formats() {
			write(t, format, fx.res, o)
		}
	}
	opt := cmp.Comparer(func(a, b error) bool { return a.Error() == b.Error() })
	if diff := cmp.Diff(before, fx.res, opt); diff != "" {
		t.Errorf("writing changed the findings (-before +after):\n%s", diff)
	}
}

func TestTextColor(t *testing.T) {
	fx := newFixture(t)
	for _, res := range []*scanner.Result{fx.res, emptyResult()} {
		plain := write(t, formatText, res, fx.opts())
		if bytes.ContainsRune(plain, 0x1b) {
			t.Errorf("text without colour holds an escape sequence:\n%q", plain)
		}
		o := fx.opts()
		o.Color = true
		if colored := write(t, formatText, res, o); !bytes.Contains(colored, []byte("\x1b[")) {
			t.Errorf("text with colour has no escape sequence")
		}
	}
}

func TestTextContent(t *testing.T) {
	fx := newFixture(t)
	out := string(write(t, formatText, fx.res, fx.opts()))
	for _, want := range []string{
		"openai-project-key (openai)  sk-proj-…",
		"src/api.js:3:17",
		"commit 3f1c2d4e5a6b  Ada Lovelace <ada@example.com>  2024-05-01  \"Add the API client\"",
		"https://shop.example.com/assets/index-4f2a.js?v=1&x=2:1:20345  → src/api.ts:12:5  [public bundle, VITE_OPENAI_API_KEY]",
		"verified  live: GET /v1/models answered 200",
		"revoked   revoked: key deleted",
		"issue     https://github.com/acme/shop/issues/7",
		"fix       Delete the key at https://platform.openai.com/api-keys and create a new one.",
		`\x1b[2Jcleared`, // the escape is shown, not obeyed
		"9 leaks (4 distinct secrets) in 12 commits, 41 blobs, 1.2 MiB, 35ms; 2 places skipped; 1 place could not be read",
		"leakstop:allow", ".leakstop.toml", "--baseline",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	empty := string(write(t, formatText, emptyResult(), fx.opts()))
	if want := "no leaks found in 41 files, 1.1 MiB, 1.2s\n"; empty != want {
		t.Errorf("empty text = %q, want %q", empty, want)
	}
}

func TestJSONShape(t *testing.T) {
	fx := newFixture(t)
	var empty map[string]any
	if err := json.Unmarshal(write(t, formatJSON, emptyResult(), fx.opts()), &empty); err != nil {
		t.Fatal(err)
	}
	if fs, ok := empty["findings"].([]any); !ok || len(fs) != 0 {
		t.Errorf("findings of an empty report = %#v, want []", empty["findings"])
	}
	if diff := cmp.Diff(map[string]any{"name": "leakstop", "version": "0.1.0"}, empty["tool"]); diff != "" {
		t.Errorf("tool (-want +got):\n%s", diff)
	}
	if empty["version"] != 1.0 {
		t.Errorf("version = %v, want 1", empty["version"])
	}
	var full struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(write(t, formatJSON, fx.res, fx.opts()), &full); err != nil {
		t.Fatal(err)
	}
	// The GitHub token has no verification, revocation or issue, and its locations no
	// commit: none of those keys may be written.
	gh := full.Findings[2]
	for _, k := range []string{"verification", "revocation", "issue", "redacted", "companion"} {
		if _, ok := gh[k]; ok {
			t.Errorf("finding without %s writes the key", k)
		}
	}
	loc := gh["locations"].([]any)[0].(map[string]any)
	for k := range loc {
		if k != "path" && k != "line" && k != "column" {
			t.Errorf("a plain file location writes %q", k)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	fx := newFixture(t)
	for _, show := range []bool{false, true} {
		o := fx.opts()
		o.ShowSecrets = show
		rep, err := Read(bytes.NewReader(write(t, formatJSON, fx.res, o)))
		if err != nil {
			t.Fatalf("Read (show %v): %v", show, err)
		}
		want := &Report{
			Version: 1, Tool: Tool{Name: "leakstop", Version: testVersion},
			Findings: expected(fx.res.Findings, show), Stats: fx.res.Stats,
		}
		if diff := cmp.Diff(want, rep); diff != "" {
			t.Errorf("read back (show %v; -want +got):\n%s", show, diff)
		}
		// What was read writes the same report again.
		again := write(t, formatJSON, &scanner.Result{Findings: rep.Findings, Stats: rep.Stats}, o)
		if diff := cmp.Diff(string(write(t, formatJSON, fx.res, o)), string(again)); diff != "" {
			t.Errorf("report read and written again differs (show %v):\n%s", show, diff)
		}
	}
}

// expected is what Read returns for the findings: raw secrets only when they were shown,
// the redacted form otherwise, text from elsewhere redacted, nothing internal.
func expected(fs []*scanner.Finding, show bool) []*scanner.Finding {
	out, _ := sanitize(fs, show)
	for _, f := range out {
		// A secret shown whole even when redacted (an AWS key id) reads back as itself.
		if show || scanner.Fingerprint(f.Rule, f.Secret) == f.Fingerprint {
			f.Redacted = ""
		} else {
			f.Redacted, f.Secret, f.Companion = f.Secret, "", ""
		}
	}
	return out
}

func TestJSONL(t *testing.T) {
	fx := newFixture(t)
	out := write(t, formatJSONL, fx.res, fx.opts())
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var f scanner.Finding
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		want := fx.res.Findings[n]
		if f.Rule != want.Rule || f.Fingerprint != want.Fingerprint || f.Secret != want.Redacted || len(f.Locations) != len(want.Locations) {
			t.Errorf("line %d = %s %s %s, want %s %s %s", n+1, f.Rule, f.Fingerprint, f.Secret, want.Rule, want.Fingerprint, want.Redacted)
		}
		n++
	}
	if n != len(fx.res.Findings) {
		t.Errorf("%d lines, want %d", n, len(fx.res.Findings))
	}
	if got := write(t, formatJSONL, emptyResult(), fx.opts()); len(got) != 0 {
		t.Errorf("jsonl of no findings = %q, want nothing", got)
	}
	rep, err := Read(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(expected(fx.res.Findings, false), rep.Findings); diff != "" {
		t.Errorf("jsonl read back (-want +got):\n%s", diff)
	}
}

func TestReadErrors(t *testing.T) {
	fp := strings.Repeat("ab", 16)
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", "the input is empty"},
		{"not json", "leaks: 3", "not JSON"},
		{"sarif", `{"$schema":"x","runs":[]}`, "not a leakstop report"},
		{"version", `{"version":2,"findings":[]}`, "version 2, want 1"},
		{"no rule", `{"version":1,"findings":[{"fingerprint":"` + fp + `"}]}`, "finding 1 has no rule"},
		{"fingerprint", `{"version":1,"findings":[{"rule":"x","fingerprint":"abc"}]}`, "no valid fingerprint"},
		{"two values", `{"version":1,"findings":[]}` + "\n" + `{"version":1}`, "more than one JSON value"},
		{"bad line", `{"rule":"x","fingerprint":"` + fp + `"}` + "\n" + `{"rule":`, "after finding 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Read(%q) = %v, want an error with %q", c.in, err, c.want)
			}
		})
	}
	rep, err := Read(strings.NewReader(`{"version":1,"tool":{"name":"leakstop"},"findings":null,"stats":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Findings == nil {
		t.Error("findings of an empty report read back is nil, want empty")
	}
}

func TestUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "xml", emptyResult(), Options{})
	if err == nil || !strings.Contains(err.Error(), "text, json, jsonl, sarif") {
		t.Errorf("Write xml = %v, want an error naming the formats", err)
	}
}

func TestHumanUnits(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{count(1, "distinct secret"), "1 distinct secret"},
		{count(12, "commit"), "12 commits"},
		{count(0, "file"), "0 files"},
		{durationText(0), "0s"},
		{durationText(35), "35ms"},
		{durationText(1234), "1.2s"},
		{durationText(125_400), "2m5s"},
		{clip("first line\nsecond", 72), "first line…"},
		{clip(strings.Repeat("é", 10), 5), "éééé…"},
		{printable("ok\x1b[31m\ttab"), `ok\x1b[31m\ttab`},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestTextManyPlaces(t *testing.T) {
	fx := newFixture(t)
	f := fx.res.Findings[2]
	for i := 0; len(f.Locations) < 25; i++ {
		f.Locations = append(f.Locations, scanner.Location{Path: "many.txt", Line: i + 1, Column: 1})
	}
	out := string(write(t, formatText, &scanner.Result{Findings: []*scanner.Finding{f}}, fx.opts()))
	if n := strings.Count(out, "\n  /") + strings.Count(out, "\n  k8s/") + strings.Count(out, "\n  src/") + strings.Count(out, "\n  many.txt"); n != maxTextPlaces {
		t.Errorf("text lists %d places, want %d:\n%s", n, maxTextPlaces, out)
	}
	if !strings.Contains(out, "… and 15 more places (the JSON report lists them all)") {
		t.Errorf("text does not say how many places it left out:\n%s", out)
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestConfidenceAndEncoding: every format says how sure a finding is and how its secret was
// written where it was written encoded or split; SARIF maps confidence to the level.
func TestConfidenceAndEncoding(t *testing.T) {
	fx := newFixture(t)
	o := fx.opts()

	var rep struct {
		Findings []struct {
			Rule, Provider, Confidence string
			Locations                  []struct{ Path, Encoding string }
		}
	}
	if err := json.Unmarshal(write(t, formatJSON, fx.res, o), &rep); err != nil {
		t.Fatal(err)
	}
	conf := map[string]string{}
	enc := map[string]string{}
	for _, f := range rep.Findings {
		conf[f.Rule] = f.Confidence
		for _, l := range f.Locations {
			enc[l.Path] = l.Encoding
		}
	}
	wantConf := map[string]string{"aws-access-key": "high", "openai-project-key": "high", "github-pat": "medium", "generic-password": "low"}
	if diff := cmp.Diff(wantConf, conf); diff != "" {
		t.Errorf("JSON confidence (-want +got):\n%s", diff)
	}
	if enc["k8s/secret.yaml"] != "base64" || enc["src/token.go"] != "concat+base64" || enc["config/prod.env"] != "" {
		t.Errorf("JSON encodings = %v", enc)
	}

	text := string(write(t, formatText, fx.res, o))
	for _, s := range []string{
		"medium confidence", "low confidence",
		"k8s/secret.yaml:6:10  (written base64)",
		"src/token.go:4:14  (written split into joined strings, then base64)",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}

	var log sarifLog
	if err := json.Unmarshal(write(t, formatSARIF, fx.res, o), &log); err != nil {
		t.Fatal(err)
	}
	levels := map[string]string{}
	for _, r := range log.Runs[0].Results {
		levels[r.RuleID] = r.Level
		if l := r.Locations[0].PhysicalLocation.ArtifactLocation.URI; l == "k8s/secret.yaml" && r.Properties["encoding"] != "base64" {
			t.Errorf("SARIF result in %s: properties %v", l, r.Properties)
		}
	}
	// The OpenAI key is live: an error whatever its confidence. The AWS key is of high
	// confidence; the others are warnings and notes.
	wantLevels := map[string]string{"aws-access-key": "error", "openai-project-key": "error", "github-pat": "warning", "generic-password": "note"}
	if diff := cmp.Diff(wantLevels, levels); diff != "" {
		t.Errorf("SARIF levels (-want +got):\n%s", diff)
	}
}
