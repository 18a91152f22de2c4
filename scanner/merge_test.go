package scanner_test

import (
	"context"
	"io"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
)

// TestEngineMergesOneSecretAcrossRules: a secret that one rule finds in one place and a
// more specific rule in another is one finding, of the more specific rule, with both
// places. The matcher merges within a chunk; here each rule finds the secret in a chunk of
// its own (the specific rule is silenced in tests/ by its own allowlist).
func TestEngineMergesOneSecretAcrossRules(t *testing.T) {
	specific := &rules.Rule{
		ID: "acme-key", Provider: "acme", Keywords: []string{"acme_"},
		Regex:      regexp.MustCompile(`\b(acme_[a-z0-9]{32})\b`),
		Allowlists: []rules.Allowlist{{Paths: []string{"tests/**"}}},
	}
	imported := &rules.Rule{ID: "my-acme", Keywords: []string{"acme_"}, Regex: regexp.MustCompile(`acme_[a-z0-9]{32}`)}
	set, err := rules.Compile(&rules.Config{Rules: []*rules.Rule{specific, imported}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := scanner.New(scanner.Options{Rules: set, Jobs: 2, Logger: zerolog.New(io.Discard)})
	if err != nil {
		t.Fatal(err)
	}
	key := "acme_" + rules.NewGenerator(8).Chars("abcdefghijklmnopqrstuvwxyz0123456789", 32)
	res, err := e.Run(context.Background(), chunks{
		file("tests/fixture.env", "KEY="+key+"\n"),
		file("src/app.env", "KEY="+key+"\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Rule  string
		Paths []string
	}
	var out []got
	for _, f := range res.Findings {
		g := got{Rule: f.Rule}
		for _, l := range f.Locations {
			g.Paths = append(g.Paths, l.Path)
		}
		out = append(out, g)
	}
	want := []got{{Rule: "acme-key", Paths: []string{"src/app.env", "tests/fixture.env"}}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
