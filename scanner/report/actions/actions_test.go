package actions

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const (
	commitA = "3f1c2d4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d"
	commitB = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b"
)

// fixture is a scan's result made at run time (the repository holds no key), with a
// checked-out tree where some of the secrets still are: an OpenAI key, live and revoked,
// still in src/api.js; a GitHub token only in history, under a path that tries every trick
// (markdown, HTML, a table cell's end, a mention, a terminal escape); an AWS key with its
// companion in a file whose name needs the runner's escapes (%, CR, LF, ":" and ","); a
// private key of several lines.
type fixture struct {
	res     *scanner.Result
	root    string
	secrets []string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	g := rules.NewGenerator(42)
	openai := g.OpenAIKey("sk-proj-", 74)
	ghp := g.GitHubToken("ghp_")
	aws := "AKIA" + g.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	awsSecret := g.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", 40)
	pem := g.PrivateKey("RSA", 8)

	root := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("src/api.js", "// client\n\nconst key = \""+openai+"\";\n")
	awsPath := "conf/100%,prod:\r\nx.env"
	write(awsPath, "A=1\nAWS_ACCESS_KEY_ID="+aws+"\nAWS_SECRET_ACCESS_KEY="+awsSecret+"\n")

	finding := func(rule, provider, secret, prefix string, locs ...scanner.Location) *scanner.Finding {
		return &scanner.Finding{
			Rule: rule, Provider: provider, Secret: secret, Redacted: rules.Redact(secret, prefix),
			Fingerprint: scanner.Fingerprint(rule, secret), Locations: locs,
		}
	}
	fOpenAI := finding("openai-project-key", "openai", openai, "sk-proj-",
		scanner.Location{Path: "src/api.js", Line: 3, Column: 14, Commit: commitA, Author: "Ada Lovelace",
			Date: "2024-05-01T10:20:30Z", Message: "Add the API client"},
		scanner.Location{Path: "old/api.js", Line: 1, Column: 1, Commit: commitB, Date: "2024-05-03T10:20:30Z"},
	)
	fOpenAI.Verification = &outcome.Step{Status: outcome.Live, Detail: "GET /v1/models answered 200", At: time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC)}
	fOpenAI.Revocation = &outcome.Step{Status: outcome.Revoked, Detail: "key deleted"}
	fOpenAI.Issue = "https://github.com/acme/app/issues/7"

	fGitHub := finding("github-pat", "github", ghp, "ghp_",
		scanner.Location{Path: "docs/a|b <script>alert(1)</script> [x](javascript:y) @octocat \x1b[2J`x`.md", Line: 2, Column: 5,
			Commit: commitB, Author: "Mallory <img src=x>", Date: "2023-01-02T03:04:05Z", Message: "oops " + ghp},
	)
	fGitHub.Verification = &outcome.Step{Status: outcome.Invalid, Detail: "401 for " + ghp}

	fAWS := finding("aws-access-key", "aws", aws, "",
		scanner.Location{Path: awsPath, Line: 2, Column: 19, Commit: commitB, Author: "Bob", Date: "2023-02-02T03:04:05Z"},
	)
	fAWS.Companion = awsSecret
	fAWS.Verification = &outcome.Step{Status: outcome.Unknown, Detail: "sts answered 500 for " + aws + "/" + awsSecret}

	fPEM := finding("private-key", "", pem, "-----BEGIN",
		scanner.Location{Path: "deploy/id_rsa", Line: 1, Column: 1, Commit: commitA, Date: "2024-05-01T10:20:30Z"},
	)
	res := &scanner.Result{
		Findings: []*scanner.Finding{fGitHub, fAWS, fPEM, fOpenAI},
		Stats:    scanner.Stats{Commits: 3, Blobs: 41, Bytes: 1234567, DurationMS: 35},
	}
	return &fixture{res: res, root: root, secrets: []string{openai, ghp, aws, awsSecret, pem}}
}

func (fx *fixture) opts() Options {
	return Options{ServerURL: "https://github.com", Repository: "acme/app", Root: fx.root}
}

var testScan = Scan{
	Event: "GitHub Actions pull_request (pull request #7)", Range: commitB + ".." + commitA,
	Note: "pull request #7", Fetched: "the head commit 3f1c2d4e5a6b and the base commit 9a8b7c6d5e4f at depth 16",
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
		t.Fatalf("reading golden file (run go test ./scanner/report/actions -update): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test ./scanner/report/actions -update rewrites it):\n%s", path, diff)
	}
}

// outputs renders every writer for the fixture; masks are the only output that may hold a
// secret.
func outputs(t *testing.T, fx *fixture, scan Scan) (masks, annotations, summary, steps []byte) {
	t.Helper()
	var m, a, s, o bytes.Buffer
	if err := WriteMasks(&m, fx.res.Findings); err != nil {
		t.Fatal(err)
	}
	left, err := WriteAnnotations(&a, fx.res.Findings, fx.opts())
	if err != nil {
		t.Fatal(err)
	}
	scan.AnnotationsLeft = left
	if err := WriteSummary(&s, fx.res, scan, fx.opts(), 0); err != nil {
		t.Fatal(err)
	}
	tot := Count(fx.res.Findings)
	err = WriteOutputs(&o, []Output{
		{"findings", fmt.Sprint(tot.Secrets)}, {"live", fmt.Sprint(tot.Live)}, {"revoked", fmt.Sprint(tot.Revoked)},
		{"report", "/tmp/leakstop-report.json"}, {"sarif", "leakstop.sarif"}, {"range", scan.Range},
		{"note", "two\nlines"},
	}, "ghadelimiter_golden")
	if err != nil {
		t.Fatal(err)
	}
	return m.Bytes(), a.Bytes(), s.Bytes(), o.Bytes()
}

func TestGolden(t *testing.T) {
	fx := newFixture(t)
	masks, annotations, summary, steps := outputs(t, fx, testScan)
	// The masks hold the secrets themselves: their golden file holds their shape only.
	golden(t, "masks.txt", []byte(maskShape(string(masks), fx.secrets)))
	golden(t, "annotations.txt", annotations)
	golden(t, "summary.md", summary)
	golden(t, "outputs.txt", steps)

	var clean, nothing bytes.Buffer
	if err := WriteSummary(&clean, &scanner.Result{Stats: scanner.Stats{Commits: 2, Blobs: 5, Bytes: 900, DurationMS: 4}},
		Scan{Event: "GitHub Actions push", Range: commitB + ".." + commitA}, fx.opts(), 0); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary-clean.md", clean.Bytes())
	if err := WriteSummary(&nothing, &scanner.Result{}, Scan{Event: "GitHub Actions push (tag push: a tag adds no commit)", Nothing: true}, fx.opts(), 0); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary-nothing.md", nothing.Bytes())
}

// maskShape replaces each secret in the mask lines by its index, so that the golden file
// shows what is masked without holding a key.
func maskShape(s string, secrets []string) string {
	for i, sec := range secrets {
		s = strings.ReplaceAll(s, escapeData(sec), fmt.Sprintf("<secret %d>", i))
	}
	return s
}

// TestNoRawSecret: no output but the masks holds a secret, a companion, or a line of a
// multi-line secret; every secret is masked, whole and line by line.
func TestNoRawSecret(t *testing.T) {
	fx := newFixture(t)
	masks, annotations, summary, steps := outputs(t, fx, testScan)
	for _, out := range []struct {
		name string
		data []byte
	}{{"annotations", annotations}, {"summary", summary}, {"outputs", steps}} {
		for _, s := range fx.secrets {
			if rules.Redact(s, "") == s {
				continue // not secret, shown whole by design: the AWS key id
			}
			for _, line := range strings.Split(s, "\n") {
				if strings.HasPrefix(line, "-----") {
					continue // a private key's armour, which its redacted form shows
				}
				if len(line) >= minMaskLine && strings.Contains(string(out.data), line) {
					t.Errorf("%s hold a secret in clear: %q", out.name, line)
				}
			}
		}
	}
	for _, s := range fx.secrets {
		if !bytes.Contains(masks, []byte("::add-mask::"+escapeData(s)+"\n")) {
			t.Errorf("secret %.12s… is not masked", s)
		}
	}
	pem := fx.secrets[4]
	for _, line := range strings.Split(pem, "\n") {
		if strings.HasPrefix(line, "-----") {
			continue // the armour is no secret
		}
		if len(line) >= minMaskLine && !bytes.Contains(masks, []byte("::add-mask::"+line+"\n")) {
			t.Errorf("line %q of the private key is not masked on its own", line)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(string(masks)), "\n") {
		if !strings.HasPrefix(line, "::add-mask::") {
			t.Errorf("mask output holds another line: %q", line)
		}
	}
}

// TestEscaping: workflow command data and properties escape as the runner unescapes them.
func TestEscaping(t *testing.T) {
	for _, c := range []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k:v,w", "k:v,w", "k%3Av%2Cw"},
		{"%0A", "%250A", "%250A"},
		{"::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"},
	} {
		if got := escapeData(c.in); got != c.data {
			t.Errorf("escapeData(%q) = %q, want %q", c.in, got, c.data)
		}
		if got := escapeProperty(c.in); got != c.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", c.in, got, c.prop)
		}
		if got := unescape(c.prop); got != c.in {
			t.Errorf("the runner reads %q back as %q", c.prop, got)
		}
	}
	// The AWS key's file name needs every escape, and the annotation lands on it.
	fx := newFixture(t)
	var a bytes.Buffer
	if _, err := WriteAnnotations(&a, fx.res.Findings, fx.opts()); err != nil {
		t.Fatal(err)
	}
	want := "::error file=conf/100%25%2Cprod%3A%0D%0Ax.env,line=2,col=19,title=Leaked aws secret::"
	if !strings.Contains(a.String(), want) {
		t.Errorf("annotations lack %q:\n%s", want, a.String())
	}
	if n := strings.Count(a.String(), "\n"); n != 4 {
		t.Errorf("%d annotation lines, want 4 (a line each; no name or subject may break one):\n%s", n, a.String())
	}
}

// unescape reads a property back as the runner does.
func unescape(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

// TestAnnotationPlaces: a secret still in the checked-out file is annotated on its line and
// current column; one only in history (or moved off its line) is annotated on the run.
func TestAnnotationPlaces(t *testing.T) {
	fx := newFixture(t)
	var a bytes.Buffer
	if _, err := WriteAnnotations(&a, fx.res.Findings, fx.opts()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(a.String()), "\n")
	if !strings.HasPrefix(lines[0], "::error file=src/api.js,line=3,col=14,title=Leaked openai secret (revoked)::") {
		t.Errorf("the live secret is not first, on its line: %q", lines[0])
	}
	for _, l := range lines[1:] {
		if strings.Contains(l, "github") && strings.Contains(l, "file=") {
			t.Errorf("the token only in history got a file: %q", l)
		}
	}
	// Without a tree, nothing gets a file.
	a.Reset()
	if _, err := WriteAnnotations(&a, fx.res.Findings, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.String(), "file=") {
		t.Errorf("annotations without a tree name files:\n%s", a.String())
	}
}

// manyFindings makes n findings; those whose index is in live verify live.
func manyFindings(n int, pathLen int, live ...int) []*scanner.Finding {
	g := rules.NewGenerator(5)
	fs := make([]*scanner.Finding, n)
	for i := range fs {
		secret := g.OpenAIKey("sk-proj-", 74)
		path := fmt.Sprintf("dir%05d/%s.env", i, strings.Repeat("p", pathLen))
		fs[i] = &scanner.Finding{
			Rule: "openai-project-key", Provider: "openai", Secret: secret, Redacted: rules.Redact(secret, "sk-proj-"),
			Fingerprint: scanner.Fingerprint("openai-project-key", secret),
			Locations:   []scanner.Location{{Path: path, Line: i + 1, Column: 1, Commit: commitA}},
		}
	}
	for _, i := range live {
		fs[i].Verification = &outcome.Step{Status: outcome.Live}
	}
	return fs
}

// TestAnnotationCap: at most ten annotations, the live secrets first, the rest counted in the
// summary.
func TestAnnotationCap(t *testing.T) {
	fs := manyFindings(15, 4, 12, 13, 14)
	var a, s bytes.Buffer
	left, err := WriteAnnotations(&a, fs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(a.String()), "\n")
	if len(lines) != MaxAnnotations || left != 5 {
		t.Fatalf("%d annotations, %d left, want %d and 5", len(lines), left, MaxAnnotations)
	}
	for i, want := range []string{"dir00012", "dir00013", "dir00014", "dir00000"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("annotation %d is %q, want %s (live first)", i, lines[i], want)
		}
	}
	if err := WriteSummary(&s, &scanner.Result{Findings: fs}, Scan{Event: "push", AnnotationsLeft: left}, Options{}, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.String(), "5 more secrets got no annotation") {
		t.Errorf("the summary does not count the findings left out:\n%s", s.String())
	}
	if got := strings.Count(s.String(), "| openai |"); got != 15 {
		t.Errorf("the table has %d rows, want all 15", got)
	}
}

// TestSummaryCut: a summary that would pass the runner's 1 MiB stops under it and counts
// the rows it left out.
func TestSummaryCut(t *testing.T) {
	fs := manyFindings(6000, 200)
	var s bytes.Buffer
	if err := WriteSummary(&s, &scanner.Result{Findings: fs}, testScan, Options{ServerURL: "https://github.com", Repository: "acme/app"}, 0); err != nil {
		t.Fatal(err)
	}
	if s.Len() > MaxSummary {
		t.Fatalf("summary is %d bytes, over %d", s.Len(), MaxSummary)
	}
	rows := strings.Count(s.String(), "| openai |")
	if rows == 0 || rows == len(fs) {
		t.Fatalf("%d rows of %d: the cut did not happen", rows, len(fs))
	}
	want := fmt.Sprintf("| … and %d more, in the JSON report |", len(fs)-rows)
	if !strings.Contains(s.String(), want) {
		t.Errorf("summary lacks %q", want)
	}
	if !strings.Contains(s.String(), "### What was scanned") {
		t.Errorf("the cut took the scan's section with it")
	}
	// A small limit cuts the same way.
	s.Reset()
	if err := WriteSummary(&s, &scanner.Result{Findings: fs[:50]}, testScan, Options{}, 4096); err != nil {
		t.Fatal(err)
	}
	if s.Len() > 4096 || !strings.Contains(s.String(), "more, in the JSON report") {
		t.Errorf("summary of %d bytes under a 4096 limit:\n%s", s.Len(), s.String())
	}
}

// TestOutputs: values of several lines keep to their entry; a value holding the delimiter,
// or a bad name, is refused; delimiters are fresh.
func TestOutputs(t *testing.T) {
	var b bytes.Buffer
	if err := WriteOutputs(&b, []Output{{"range", "a..b"}, {"note", "x\ny"}}, "D"); err != nil {
		t.Fatal(err)
	}
	if want := "range<<D\na..b\nD\nnote<<D\nx\ny\nD\n"; b.String() != want {
		t.Errorf("outputs %q, want %q", b.String(), want)
	}
	if err := WriteOutputs(&b, []Output{{"x", "v\nD\nlive<<E"}}, "D"); err == nil {
		t.Error("a value holding the delimiter was written")
	}
	if err := WriteOutputs(&b, []Output{{"a=b", "v"}}, "D"); err == nil {
		t.Error("a bad name was written")
	}
	d1, d2 := NewDelimiter(), NewDelimiter()
	if d1 == d2 || !strings.HasPrefix(d1, "ghadelimiter_") || len(d1) != len("ghadelimiter_")+32 {
		t.Errorf("delimiters %q, %q", d1, d2)
	}
}

// TestSummaryNeutralised: nothing from the repository opens HTML, a link, a mention or a
// new table cell in the summary.
func TestSummaryNeutralised(t *testing.T) {
	fx := newFixture(t)
	_, _, summary, _ := outputs(t, fx, testScan)
	s := string(summary)
	for _, bad := range []string{"\x1b", "\r"} {
		if strings.Contains(s, bad) {
			t.Errorf("summary holds %q", bad)
		}
	}
	// Outside code spans (where markdown and HTML are shown as they are), nothing opens HTML,
	// a link of the repository's making, or a mention.
	prose := outsideCode(s)
	for _, bad := range []string{"<script", "<img", "](javascript", "@octocat", "<br><"} {
		if strings.Contains(prose, bad) {
			t.Errorf("summary prose holds %q:\n%s", bad, prose)
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.Contains(line, "---") {
			continue
		}
		if cells := len(splitCells(line)); cells != 7 && cells != 6 {
			t.Errorf("row has %d cells: %q", cells, line)
		}
	}
}

// splitCells splits a table row on the pipes GitHub reads as cell ends (not "\|").
func splitCells(row string) []string {
	var cells []string
	cur := strings.Builder{}
	for i := 1; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case row[i] == '|':
			cells = append(cells, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	return cells
}

// outsideCode returns s with its code spans taken out.
func outsideCode(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		fence := s[i : i+n]
		rest := s[i+n:]
		j := strings.Index(rest, fence)
		if j < 0 {
			b.WriteString(s[i:])
			return b.String()
		}
		s = rest[j+n:]
	}
}
