package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func loadCompiled(t *testing.T, path string) (*Config, *Set) {
	t.Helper()
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("LoadConfig(%s): %v", path, err)
	}
	set, err := Compile(cfg)
	if err != nil {
		t.Fatalf("Compile(%s): %v", path, err)
	}
	return cfg, set
}

const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"

func TestLeakstopConfig(t *testing.T) {
	cfg, set := loadCompiled(t, "testdata/leakstop.toml")
	if cfg.Gitleaks {
		t.Errorf("read as a gitleaks configuration")
	}
	if set.Rule("jwt") != nil {
		t.Errorf("disabled rule jwt is still there")
	}
	if r := set.Rule("stripe-test-key"); r == nil || r.Severity != "medium" {
		t.Errorf("the file's stripe-test-key does not replace the built-in one")
	}
	if set.Rule("github-pat") == nil {
		t.Errorf("built-in rules are missing")
	}
	acme := set.Rule("acme-api-key")
	if acme == nil {
		t.Fatal("the custom rule is missing")
	}
	if acme.Provider != "acme" || acme.Keywords[0] != "acme_" {
		t.Errorf("custom rule fields: %+v", acme)
	}

	// The custom rule's own examples hold, as the built-in ones do.
	g := NewGenerator(31)
	for _, tmpl := range acme.Examples.True {
		text := expand(t, g, tmpl)
		if diff := cmp.Diff([]string{"acme-api-key"}, ruleIDs(set.Find([]byte(text), "app.env"))); diff != "" {
			t.Errorf("true example %q (-want +got):\n%s", text, diff)
		}
	}
	for _, tmpl := range acme.Examples.False {
		text := expand(t, g, tmpl)
		if ms := set.Find([]byte(text), "app.env"); len(ms) != 0 {
			t.Errorf("false example %q gives%s", text, describe(ms))
		}
	}

	key := "acme_" + g.Chars(lowerAlnum, 32)
	ghp := g.GitHubToken("ghp_")
	testFind(t, set, []findCase{
		{"custom rule", "ACME_KEY=" + key, "config/app.env", []found{{"acme-api-key", key, 1, 10}}},
		{"global stopword", "ACME_KEY=acme_sandbox" + g.Chars(lowerAlnum, 25), "app.env", nil},
		{"global regex on the secret", "ACME_KEY=acme_test" + g.Chars(lowerAlnum, 28), "app.env", nil},
		{"rule allowlist path (glob)", "ACME_KEY=" + key, "clients/generated/go/client.go", nil},
		{"built-in rules still run", "TOKEN=" + ghp, "app.env", []found{{"github-pat", ghp, 1, 7}}},
	})

	// Global allowlist paths are doublestar globs; the engine applies them per location.
	paths := []struct {
		path string
		want bool
	}{
		{"testdata/keys.env", true},
		{"testdata/deep/er/keys.env", true},
		{"src/testdata/keys.env", false},
		{"ui/__snapshots__/app.test.js.snap", true},
		{"a/b/fixtures.json", true}, // a pattern without a slash matches the base name anywhere
		{"a/b/fixtures.json.bak", false},
		{"./testdata/x", true},
		{"src/main.go", false},
	}
	for _, p := range paths {
		if got := set.AllowsPath(p.path); got != p.want {
			t.Errorf("AllowsPath(%s) = %v, want %v", p.path, got, p.want)
		}
	}
}

// TestGitleaksConfig reads a configuration written in gitleaks' own syntax: its rules fire,
// its allowlists (regex paths, stopwords, line regexes) silence, its path-only rule is
// skipped with a note, and its disabled rules go.
func TestGitleaksConfig(t *testing.T) {
	cfg, set := loadCompiled(t, "testdata/gitleaks.toml")
	if !cfg.Gitleaks {
		t.Errorf("not read as a gitleaks configuration")
	}
	if diff := cmp.Diff([]string{"generic-api-key"}, cfg.Disabled); diff != "" {
		t.Errorf("disabled (-want +got):\n%s", diff)
	}
	if set.Rule("generic-api-key") != nil {
		t.Errorf("[extend] disabledRules is not applied")
	}
	if len(cfg.Notes) != 2 || !strings.Contains(cfg.Notes[0], "pkcs12-file") || !strings.Contains(cfg.Notes[1], "tags (rules acme-internal-token)") {
		t.Errorf("notes = %q, want the path-only rule and the tags", cfg.Notes)
	}
	r := set.Rule("acme-internal-token")
	if r == nil {
		t.Fatal("rule acme-internal-token is missing")
	}
	if r.SecretGroup != 1 || r.Entropy != 3.5 || r.Path == nil || r.Keywords[0] != "acme" {
		t.Errorf("rule fields not read: group %d, entropy %v, path %v, keywords %q", r.SecretGroup, r.Entropy, r.Path, r.Keywords)
	}

	g := NewGenerator(32)
	token := g.Chars(lowerAlnum, 40)
	hook := "whsec_acme_" + g.Chars(setAlnum, 32)
	testFind(t, set, []findCase{
		{"rule fires", "ACME_TOKEN=" + token + "\n", "deploy/prod.env", []found{{"acme-internal-token", token, 1, 12}}},
		{"rule fires in YAML", "acme:\n  acme_internal_token: \"" + token + "\"\n", "values.yaml", []found{{"acme-internal-token", token, 2, 25}}},
		{"rule's path regex", "ACME_TOKEN=" + token + "\n", "main.go", nil},
		{"rule's stopword", "ACME_TOKEN=staging" + g.Chars(lowerAlnum, 33) + "\n", "a.env", nil},
		{"rule's regex", "ACME_TOKEN=" + strings.Repeat("0", 40) + "\n", "a.env", nil},
		{"entropy", "ACME_TOKEN=" + strings.Repeat("ab12", 10) + "\n", "a.env", nil},
		{"second rule", "secret: " + hook, "hooks.go", []found{{"acme-webhook-secret", hook, 1, 9}}},
		{"second rule's path allowlist", "secret: " + hook, "test/fixtures/hooks.go", nil},
		{"second rule's line allowlist", "secret: " + hook + " # example only", "hooks.go", nil},
		{"global regex", "secret: whsec_acme_test" + g.Chars(setAlnum, 28), "hooks.go", nil},
	})
	for _, p := range []struct {
		path string
		want bool
	}{
		{"vendor/github.com/x/y.go", true},
		{"src/vendor/z.js", true},
		{"dist/app.min.js", true},
		{"src/vendors.go", false},
	} {
		if got := set.AllowsPath(p.path); got != p.want {
			t.Errorf("global AllowsPath(%s) = %v, want %v", p.path, got, p.want)
		}
	}
	if !set.AllowsCommit("0123abcdef0123abcdef0123abcdef0123abcdef") || set.AllowsCommit("ffff") {
		t.Errorf("global commit allowlist is wrong")
	}
}

// badConfigs are configurations that LoadConfig must refuse, with an error that holds each
// of want: the file's name, the rule's, and what to fix.
var badConfigs = []struct {
	name string
	file string // file name; "gitleaks" in it selects gitleaks syntax
	text string
	want []string
}{
	{"toml syntax", "bad.toml", "[[rules]\nid = 1\n", []string{"bad.toml", "line 2"}},
	{"bad regex", "bad.toml", "[[rules]]\nid = \"x-key\"\nregex = '''(?=look)ahead'''\n", []string{"bad.toml", "rule x-key", "regex"}},
	{"bad regex in gitleaks", "my.gitleaks.toml", "title = \"t\"\n[[rules]]\nid = \"g\"\nregex = '''a(b'''\n", []string{"my.gitleaks.toml", "rule g", "missing closing )"}},
	{"no id", "bad.toml", "[[rules]]\nregex = 'x'\n", []string{"bad.toml", "rule #1", "no id"}},
	{"no regex", "bad.toml", "[[rules]]\nid = \"r\"\n", []string{"bad.toml", "rule r", "no regex"}},
	{"unknown key", "bad.toml", "[[rules]]\nid = \"r\"\nregx = 'x'\n", []string{"bad.toml", "unknown key rules.regx", "spelling"}},
	{"unknown check", "bad.toml", "[[rules]]\nid = \"r\"\nregex = 'x'\nchecks = [\"crc64\"]\n", []string{"bad.toml", "rule r", `unknown check "crc64"`, "known:"}},
	{"bad glob", "bad.toml", "[allowlist]\npaths = [\"src/[\"]\n", []string{"bad.toml", "[allowlist]", "not a valid glob"}},
	{"bad gitleaks path", "gitleaks.toml", "title = \"t\"\n[allowlist]\npaths = ['''(vendor''']\n", []string{"gitleaks.toml", "[allowlist]", "path"}},
	{"bad regexTarget", "bad.toml", "[allowlist]\nregexTarget = \"file\"\nregexes = ['x']\n", []string{"bad.toml", "regexTarget \"file\""}},
	{"duplicate id", "bad.toml", "[[rules]]\nid = \"r\"\nregex = 'x'\n[[rules]]\nid = \"r\"\nregex = 'y'\n", []string{"bad.toml", "rule r is defined twice"}},
	{"bad secretGroup", "bad.toml", "[[rules]]\nid = \"r\"\nregex = '(x)'\nsecretGroup = 2\n", []string{"bad.toml", "rule r", "secretGroup 2"}},
	{"bad severity", "bad.toml", "[[rules]]\nid = \"r\"\nregex = 'x'\nseverity = \"urgent\"\n", []string{"bad.toml", "rule r", "critical, high, medium or low"}},
	{"bad format", "bad.toml", "format = \"trufflehog\"\n", []string{"bad.toml", `format "trufflehog"`}},
	{"rule path regex", "bad.toml", "[[rules]]\nid = \"r\"\nregex = 'x'\npath = '[a'\n", []string{"bad.toml", "rule r", "path"}},
	// Windows beyond the bound would overflow the offsets around a hit.
	{"huge window", "bad.toml", "[[rules]]\nid = \"r\"\nregex = 'x'\nkeywords = ['x']\nwindow = 9223372036854775807\n", []string{"bad.toml", "rule r", "window 9223372036854775807 is not between 0 and"}},
	{"negative companion window", "bad.toml", "[[rules]]\nid = \"r\"\nregex = 'x'\ncompanion = 'y'\ncompanionWindow = -100\n", []string{"bad.toml", "rule r", "companionWindow -100"}},
	// The TOML library panics while it formats this error (it puts it on line 0).
	{"lone quote before CR LF", "bad.toml", "\"\r\n", []string{"bad.toml", "line 1", "strings cannot contain newlines"}},
}

// TestConfigErrors checks that a bad configuration gives an error that names the file and
// the rule, and says what to fix.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range badConfigs {
		path := filepath.Join(dir, tt.file)
		if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadConfig(path)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", tt.name, err, w)
			}
		}
	}
	if _, err := LoadConfig(filepath.Join(dir, "missing.toml")); err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Errorf("missing file: error %v", err)
	}
}

// TestCompileNil gives the built-in rules alone.
func TestCompileNil(t *testing.T) {
	set, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(set.Rules), len(Builtin()); got != want {
		t.Errorf("%d rules, want %d", got, want)
	}
	if len(set.Allowlists) != 0 {
		t.Errorf("the global allowlist is not empty")
	}
}

// FuzzParseConfig reads arbitrary bytes as a leakstop or gitleaks configuration. It never
// panics; it gives an error that names the file or a configuration, never both; a
// configuration it gives compiles with the built-in rules, and the matcher it makes keeps
// its promises on the file's own text.
func FuzzParseConfig(f *testing.F) {
	for _, name := range []string{"testdata/leakstop.toml", "testdata/gitleaks.toml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, strings.Contains(name, "gitleaks"))
	}
	for _, c := range badConfigs {
		f.Add([]byte(c.text), strings.Contains(c.file, "gitleaks"))
	}
	// A rule with every field, and text it finds, so that mutations reach the matcher.
	g := NewGenerator(37)
	f.Add([]byte(`[[rules]]
id = "demo-pair"
keywords = ["demo_id"]
regex = '''demo_id\s*=\s*"?([A-Z0-9]{16})'''
secretGroup = 1
window = 64
anchored = true
prefilter = "assignment"
companion = '''demo_key\s*=\s*"?([A-Za-z0-9]{20})'''
companionWindow = 256
companionChecks = ["random"]
requireCompanion = true
checks = ["random"]
multiline = false
path = '''\.toml$'''
  [rules.allowlist]
  regexTarget = "line"
  regexes = ['''example''']
# demo_id = "`+g.Chars(setBase32, 16)+`"
# demo_key = "`+g.Chars(setAlnum, 20)+`"
`), false)
	const name = "fuzz.toml" // the seed rule above runs on paths ending in .toml
	f.Fuzz(func(t *testing.T, data []byte, gitleaks bool) {
		name := name
		if gitleaks {
			name = "fuzz.gitleaks.toml"
		}
		p, err := ParseConfig(data, name, nil)
		if (p == nil) == (err == nil) {
			t.Fatalf("ParseConfig gives %v and error %v", p, err)
		}
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		set, err := Compile(p)
		if err != nil {
			t.Fatalf("a configuration that parsed does not compile: %v", err)
		}
		checkMatches(t, data, set.Find(data, name))
	})
}
