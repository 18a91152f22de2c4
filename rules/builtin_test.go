package rules

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// exampleSeeds expand every example several times, so that a rule whose examples pass only
// for lucky random draws shows up.
var exampleSeeds = []uint64{1, 2, 3, 2026}

func builtinSet(t testing.TB) *Set {
	t.Helper()
	set, err := NewSet(Builtin(), Allowlist{})
	if err != nil {
		t.Fatalf("compiling the built-in rules: %v", err)
	}
	return set
}

func expand(t testing.TB, g *Generator, tmpl string) string {
	t.Helper()
	s, err := g.Expand(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func describe(ms []Match) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "\n\t%s %d:%d %q", m.Rule.ID, m.Line, m.Column, m.Secret)
		if m.Companion != "" {
			fmt.Fprintf(&b, " (companion %q)", m.Companion)
		}
	}
	if b.Len() == 0 {
		return " none"
	}
	return b.String()
}

// TestBuiltinExamples expands every example of every built-in rule: each true example gives
// exactly one finding, of its own rule; each false example gives none of its rule.
func TestBuiltinExamples(t *testing.T) {
	set := builtinSet(t)
	for _, r := range set.Rules {
		t.Run(r.ID, func(t *testing.T) {
			for _, seed := range exampleSeeds {
				g := NewGenerator(seed)
				for i, tmpl := range r.Examples.True {
					text := expand(t, g, tmpl)
					ms := set.Find([]byte(text), "")
					if len(ms) != 1 || ms[0].Rule != r {
						t.Errorf("seed %d, true example %d: want one %s finding, got:%s\n\ttext: %q", seed, i+1, r.ID, describe(ms), text)
						continue
					}
					if !strings.Contains(text, ms[0].Secret) || text[ms[0].Start:ms[0].End] != ms[0].Secret {
						t.Errorf("seed %d, true example %d: secret %q is not at [%d,%d)", seed, i+1, ms[0].Secret, ms[0].Start, ms[0].End)
					}
				}
				for i, tmpl := range r.Examples.False {
					text := expand(t, g, tmpl)
					for _, m := range set.Find([]byte(text), "") {
						if m.Rule == r {
							t.Errorf("seed %d, false example %d: unwanted finding:%s\n\ttext: %q", seed, i+1, describe([]Match{m}), text)
						}
					}
				}
			}
		})
	}
}

func TestBuiltinRulesAreComplete(t *testing.T) {
	rules := Builtin()
	if len(rules) < 50 {
		t.Errorf("%d built-in rules; the coverage list asks for more", len(rules))
	}
	ids := map[string]bool{}
	idShape := regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	for _, r := range rules {
		if ids[r.ID] {
			t.Errorf("rule %s is defined twice", r.ID)
		}
		ids[r.ID] = true
		if !idShape.MatchString(r.ID) {
			t.Errorf("rule id %q is not lower-case words joined by dashes", r.ID)
		}
		if strings.TrimSpace(r.Description) == "" || strings.Contains(r.Description, "\n") {
			t.Errorf("rule %s: description must be one non-empty line", r.ID)
		}
		if len(r.Keywords) == 0 {
			t.Errorf("rule %s has no keywords: it would run its regex on every byte", r.ID)
		}
		if r.Regex == nil {
			t.Errorf("rule %s has no regex", r.ID)
		}
		if r.Severity == "" || r.Remediation == "" {
			t.Errorf("rule %s: severity and remediation are required", r.ID)
		}
		if !strings.Contains(r.Remediation, "http") && r.ID != "private-key" && r.ID != "password-in-url" && r.ID != "generic-api-key" && r.ID != "discord-webhook-url" {
			t.Errorf("rule %s: remediation has no URL", r.ID)
		}
		if _, ok := LookupProvider(r.Provider); !ok {
			t.Errorf("rule %s: provider %q has no file under builtin/", r.ID, r.Provider)
		}
		if len(r.Examples.True) < 2 || len(r.Examples.False) < 2 {
			t.Errorf("rule %s: %d true and %d false examples, want at least 2 of each", r.ID, len(r.Examples.True), len(r.Examples.False))
		}
		for _, kw := range r.Keywords {
			if len(kw) < 3 {
				t.Errorf("rule %s: keyword %q is too short to filter anything", r.ID, kw)
			}
		}
	}
	for _, id := range []string{
		"openai-project-key", "openai-legacy-key", "openai-admin-key", "openai-service-account-key",
		"openai-user-key", "anthropic-api-key", "anthropic-admin-key", "generic-api-key",
	} {
		if !ids[id] {
			t.Errorf("no rule %s", id)
		}
	}
}

// TestBuiltinRegexesCompile reads the rules from the embedded data a second time, as the
// configuration loader does, and checks the regexes there: every regex compiles with RE2,
// has a group for its secret, and the secret group is where the generator's keys land.
func TestBuiltinRegexesCompile(t *testing.T) {
	f, err := parseBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Rules {
		if _, err := regexp.Compile(r.Regex.String()); err != nil {
			t.Errorf("rule %s: %v", r.ID, err)
		}
		if r.Regex.NumSubexp() < 1 && r.SecretGroup == 0 {
			continue // the whole match is the secret
		}
		if r.Companion != nil {
			if _, err := regexp.Compile(r.Companion.String()); err != nil {
				t.Errorf("rule %s: companion: %v", r.ID, err)
			}
		}
	}
}

// TestRulesListing checks what `leakstop rules` relies on to print one rule a line in
// columns that stay readable: an id of at most 48 characters, a provider of at most 24, a
// one-line description.
func TestRulesListing(t *testing.T) {
	for _, r := range Builtin() {
		if len(r.ID) > 48 || len(r.Provider) > 24 {
			t.Errorf("rule %s: id or provider %q too long for the listing's columns", r.ID, r.Provider)
		}
		if strings.ContainsAny(r.Description, "\n\t") || len(r.Description) > 100 {
			t.Errorf("rule %s: the description must be one short line", r.ID)
		}
	}
}

// TestOwnFilesHoldNoKey scans this package's files with the built-in rules: leakstop run on
// its own repository must report nothing, so examples and test keys are made at run time.
func TestOwnFilesHoldNoKey(t *testing.T) {
	set := builtinSet(t)
	files, err := filepath.Glob("*")
	if err != nil {
		t.Fatal(err)
	}
	// testdata/ as deep as it goes (the fuzz corpora are committed too), and the provider
	// files.
	for _, dir := range []string{"testdata", "builtin"} {
		err = filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, name)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			continue // a directory
		}
		for _, m := range set.Find(data, name) {
			t.Errorf("%s:%d:%d: %s finding %s", name, m.Line, m.Column, m.Rule.ID, m.Rule.Redact(m.Secret))
		}
	}
}
