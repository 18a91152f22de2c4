package scanner_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
)

// chunks is a source that yields fixed chunks.
type chunks []scanner.Chunk

func (cs chunks) Scan(ctx context.Context, emit func(scanner.Chunk) error) error {
	for _, c := range cs {
		if err := emit(c); err != nil {
			return err
		}
	}
	return nil
}

// resolving is a source that places findings in a second pass, as the git source does.
type resolving struct {
	chunks
	resolved int
}

func (r *resolving) Resolve(ctx context.Context, fs []*scanner.Finding) error {
	for _, f := range fs {
		r.resolved++
		for i := range f.Locations {
			f.Locations[i].Path = "resolved/" + f.Locations[i].Blob
		}
	}
	return nil
}

func newEngine(t *testing.T, allow rules.Allowlist, baseline scanner.Baseline) *scanner.Engine {
	t.Helper()
	set, err := rules.Compile(&rules.Config{Allowlist: allow})
	if err != nil {
		t.Fatal(err)
	}
	e, err := scanner.New(scanner.Options{Rules: set, Jobs: 4, Baseline: baseline, Logger: zerolog.New(io.Discard)})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func file(path, content string) scanner.Chunk {
	return scanner.Chunk{Data: []byte(content), Kind: scanner.KindFile, Location: scanner.Location{Path: path}}
}

func TestEngineOneFindingPerSecretWithEveryLocation(t *testing.T) {
	g := rules.NewGenerator(7)
	key := g.OpenAIKey("sk-proj-", 74)
	other := g.OpenAIKey("sk-proj-", 74)
	src := chunks{
		file("b/config.py", "x = 1\nKEY = '"+key+"'\n"),
		file("a/app.js", "const k = \""+key+"\";"),
		file("c/.env", "OPENAI_API_KEY="+other+"\n"),
		file("a/app.js", "const k = \""+key+"\";"), // the same place twice: kept once
	}
	res, err := newEngine(t, rules.Allowlist{}, nil).Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	type place struct {
		Path         string
		Line, Column int
	}
	got := map[string][]place{}
	for _, f := range res.Findings {
		for _, l := range f.Locations {
			got[f.Secret] = append(got[f.Secret], place{l.Path, l.Line, l.Column})
		}
		if f.Fingerprint != scanner.Fingerprint(f.Rule, f.Secret) {
			t.Errorf("fingerprint %s is not the hash of rule and secret", f.Fingerprint)
		}
		if f.Redacted == "" || f.Redacted == f.Secret {
			t.Errorf("finding not redacted: %q", f.Redacted)
		}
	}
	want := map[string][]place{
		key:   {{"a/app.js", 1, 12}, {"b/config.py", 2, 8}},
		other: {{"c/.env", 1, 16}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if res.Stats.Files != 4 || res.Stats.Bytes == 0 {
		t.Errorf("stats = %+v, want 4 files and some bytes", res.Stats)
	}
	if res.Findings[0].Secret != key {
		t.Errorf("findings not ordered by first location")
	}
}

func TestEngineAllowlistBaselineAndProblems(t *testing.T) {
	g := rules.NewGenerator(8)
	kept := g.OpenAIKey("sk-proj-", 74)
	known := g.OpenAIKey("sk-proj-", 74)
	fixture := g.OpenAIKey("sk-proj-", 74)
	src := chunks{
		file("src/a.js", "k='"+kept+"'"),
		file("src/b.js", "k='"+known+"'"),
		file("testdata/fixture.js", "k='"+fixture+"'"),
		{Location: scanner.Location{Path: "locked.js"}, Err: errors.New("locked.js cannot be read: permission denied")},
		{Location: scanner.Location{Path: "logo.png"}, Skipped: "binary file"},
	}
	base := scanner.Baseline{scanner.Fingerprint("openai-project-key", known): true}
	res, err := newEngine(t, rules.Allowlist{Paths: []string{"testdata/**"}}, base).Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Secret != kept {
		t.Fatalf("got %d findings, want only the one neither allowlisted nor in the baseline", len(res.Findings))
	}
	if len(res.Problems) != 1 || res.Problems[0].Where != "locked.js" {
		t.Errorf("problems = %v, want the unreadable file", res.Problems)
	}
	if res.Stats.Skipped != 1 || res.Stats.Errors != 1 || res.Stats.Baseline != 1 {
		t.Errorf("stats = %+v, want 1 skipped, 1 error and 1 hidden by the baseline", res.Stats)
	}
}

func TestEngineResolverPlacesFindings(t *testing.T) {
	key := rules.NewGenerator(9).OpenAIKey("sk-proj-", 74)
	src := &resolving{chunks: chunks{
		{Data: []byte("token: " + key), Kind: scanner.KindBlob, Location: scanner.Location{Blob: "abc123"}},
		{Data: []byte("nothing here"), Kind: scanner.KindBlob, Location: scanner.Location{Blob: "def456"}},
	}}
	res, err := newEngine(t, rules.Allowlist{Paths: []string{"resolved/def*"}}, nil).Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if src.resolved != 1 {
		t.Errorf("Resolve saw %d findings, want 1", src.resolved)
	}
	if len(res.Findings) != 1 || res.Findings[0].First().Path != "resolved/abc123" {
		t.Fatalf("findings = %+v", res.Findings)
	}
	if res.Stats.Blobs != 2 {
		t.Errorf("blobs = %d, want 2", res.Stats.Blobs)
	}
}

func TestEngineAllowlistedAfterResolve(t *testing.T) {
	key := rules.NewGenerator(10).OpenAIKey("sk-proj-", 74)
	src := &resolving{chunks: chunks{{Data: []byte("token: " + key), Kind: scanner.KindBlob, Location: scanner.Location{Blob: "abc123"}}}}
	res, err := newEngine(t, rules.Allowlist{Paths: []string{"resolved/**"}}, nil).Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("a finding whose every resolved path is allowlisted was kept")
	}
}

func TestEngineSourceErrorIsFatal(t *testing.T) {
	src := failing{errors.New("not a git repository")}
	if _, err := newEngine(t, rules.Allowlist{}, nil).Run(context.Background(), src); err == nil {
		t.Fatal("Run ignored the source's error")
	}
}

type failing struct{ err error }

func (f failing) Scan(context.Context, func(scanner.Chunk) error) error { return f.err }

func TestEngineCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var many chunks
	for i := 0; i < 100; i++ {
		many = append(many, file(fmt.Sprintf("f%d", i), "x"))
	}
	if _, err := newEngine(t, rules.Allowlist{}, nil).Run(ctx, many); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestEngineCountsLimitsAndHints: each chunk a bound kept from being read counts under its
// bound, and the command's hint for it is logged beside the skip.
func TestEngineCountsLimitsAndHints(t *testing.T) {
	set, err := rules.Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	e, err := scanner.New(scanner.Options{
		Rules: set, Logger: zerolog.New(&log),
		Hint: func(c scanner.Chunk) string {
			if c.Limit == scanner.LimitFileSize {
				return "raise the size limit"
			}
			return ""
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	src := chunks{
		{Location: scanner.Location{Path: "big.bin"}, Skipped: "larger than the limit", Limit: scanner.LimitFileSize},
		{Location: scanner.Location{Path: "big2.bin"}, Skipped: "larger than the limit", Limit: scanner.LimitFileSize},
		{Location: scanner.Location{URL: "https://example.com/p9"}, Skipped: "the limit of 8 URLs is reached", Limit: scanner.LimitPages},
		{Location: scanner.Location{Path: "logo.png"}, Skipped: "binary file"},
		{Location: scanner.Location{Path: "x.js.map"}, Err: hinted{errors.New("map cut short"), "read it whole"}, Limit: scanner.LimitFileSize},
	}
	res, err := e.Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	want := map[scanner.Limit]int64{scanner.LimitFileSize: 3, scanner.LimitPages: 1}
	if diff := cmp.Diff(want, res.Stats.Limits); diff != "" {
		t.Errorf("limits (-want +got):\n%s", diff)
	}
	if res.Stats.Skipped != 4 || res.Stats.Errors != 1 {
		t.Errorf("stats = %+v, want 4 skipped and 1 error", res.Stats)
	}
	if got := strings.Count(log.String(), `"hint":"raise the size limit"`); got != 3 {
		t.Errorf("%d lines carry the command's hint, want 3 (the command's word wins over the error's):\n%s", got, log.String())
	}
	if strings.Contains(log.String(), "read it whole") {
		t.Errorf("the error's own hint was logged although the command gave one:\n%s", log.String())
	}
}

// hinted is an error with a hint of its own.
type hinted struct {
	error
	hint string
}

func (h hinted) Hint() string { return h.hint }

// TestEngineMatcherFailureStaysInItsChunk: when the matcher fails on one chunk (a bug, on
// input it was not written for), that chunk is a problem, which the exit status tells, and
// the secrets of every other chunk are still found.
func TestEngineMatcherFailureStaysInItsChunk(t *testing.T) {
	defer scanner.SetFind(func(s *rules.Set, data []byte, path string) []rules.Match {
		if path == "src/odd.js" {
			var none []int
			_ = none[len(data)] // the kind of bug a matcher may have: an index past the end
		}
		return s.Find(data, path)
	})()
	g := rules.NewGenerator(9)
	key := g.OpenAIKey("sk-proj-", 74)
	src := chunks{file("src/a.js", "k='"+key+"'"), file("src/odd.js", "k = ['a', 'b'].join("), file("src/b.js", "x = 1")}
	res, err := newEngine(t, rules.Allowlist{}, nil).Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Secret != key {
		t.Errorf("got %d findings, want the key of src/a.js", len(res.Findings))
	}
	if len(res.Problems) != 1 || res.Problems[0].Where != "src/odd.js" || !strings.Contains(res.Problems[0].Err.Error(), "did not scan it") {
		t.Errorf("problems = %v, want src/odd.js, not scanned", res.Problems)
	}
	if res.Stats.Errors != 1 || res.Stats.Files != 2 {
		t.Errorf("stats = %+v, want 1 error and 2 files scanned", res.Stats)
	}
}
