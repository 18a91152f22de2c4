package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// gitleaksDefaults are the default configurations of gitleaks releases under
// testdata/gitleaks, and what leakstop says about each: the notes name what it does not do
// as gitleaks does.
var gitleaksDefaults = []struct {
	version string
	notes   []string // a regexp per note, in order
}{
	{"v8.18.4", nil},
	{"v8.21.4", nil},
	{"v8.24.3", []string{`rule pkcs12-file: matches file names only`, `rules generic-api-key: an allowlist with condition AND over paths`}},
	{"v8.27.2", []string{`rule pkcs12-file: matches file names only`, `rules generic-api-key: an allowlist with condition AND over paths`}},
	{"v8.30.1", []string{`rule pkcs12-file: matches file names only`, `rules generic-api-key: an allowlist with condition AND over paths`}},
}

func loadGitleaksDefault(t *testing.T, version string) (*Config, *Set) {
	t.Helper()
	return loadCompiled(t, filepath.Join("..", "testdata", "gitleaks", "gitleaks-"+version+".toml"))
}

// gitleaksKinds are examples of what the gitleaks default configurations are meant to find,
// made by the generator, and the rule that must report each once the configuration is
// loaded beside the built-in rules: a secret both know is one finding, of the most specific
// rule (the built-in one where the ids differ; the configuration's, which keeps the built-in's
// provider, where they agree); a secret only gitleaks knows is gitleaks' finding.
var gitleaksKinds = []struct {
	name, tmpl, rule string
	provider         string
}{
	{"aws key id", "AWS_ACCESS_KEY_ID=AKIA{{base32 16}}", "aws-access-key-id", "aws"},
	{"github pat", `GITHUB_TOKEN={{ghtoken "ghp_"}}`, "github-pat", "github"},
	{"github fine-grained pat", "GH_TOKEN=github_pat_{{alnum 22}}_{{alnum 59}}", "github-fine-grained-pat", "github"},
	{"gitlab pat", "GITLAB_TOKEN=glpat-{{alnum 20}}", "gitlab-pat", "gitlab"},
	{"slack bot token", "SLACK_BOT_TOKEN=xoxb-{{digits 12}}-{{digits 13}}-{{alnum 24}}", "slack-bot-token", "slack"},
	{"slack webhook", "SLACK_WEBHOOK=https://hooks.slack.com/services/T{{base32 8}}/B{{base32 10}}/{{alnum 24}}", "slack-webhook-url", "slack"},
	{"stripe live key", "STRIPE_SECRET_KEY=sk_live_51{{alnum 97}}", "stripe-secret-key", "stripe"},
	{"npm token", "//registry.npmjs.org/:_authToken={{npmtoken}}", "npm-access-token", "npm"},
	{"openai project key", `OPENAI_API_KEY={{openai "sk-proj-" 74}}`, "openai-project-key", "openai"},
	{"sendgrid key", "SENDGRID_API_KEY=SG.{{b64url 22}}.{{b64url 43}}", "sendgrid-api-key", "sendgrid"},
	{"rsa private key", `{{pem "RSA" 600}}`, "private-key", "private-key"},
	{"openssh private key", `{{pem "OPENSSH" 300}}`, "private-key", "private-key"},
	{"generic api key", `api_key = "{{alnum 24}}{{digits 4}}"`, "generic-api-key", "generic"},
	{"age secret key", "{{age}}", "age-secret-key", "age"},
	{"linear api key (the built-in rule of the same id lends its provider)", "LINEAR_API_KEY=lin_api_{{alnum 40}}", "linear-api-key", "linear"},
}

// TestGitleaksDefaultConfigs loads each committed gitleaks default configuration: it loads
// with the notes expected and no other, every rule with a regex is kept, and each kind of
// secret it is meant to find is found once, by the expected rule.
func TestGitleaksDefaultConfigs(t *testing.T) {
	for _, d := range gitleaksDefaults {
		t.Run(d.version, func(t *testing.T) {
			cfg, set := loadGitleaksDefault(t, d.version)
			if !cfg.Gitleaks {
				t.Errorf("not read as a gitleaks configuration")
			}
			if len(cfg.Notes) != len(d.notes) {
				t.Errorf("notes:\n%s\nwant %d", strings.Join(cfg.Notes, "\n"), len(d.notes))
			}
			for i, want := range d.notes {
				if i < len(cfg.Notes) && !regexp.MustCompile(want).MatchString(cfg.Notes[i]) {
					t.Errorf("note %d = %q, want %q", i, cfg.Notes[i], want)
				}
			}
			data, err := os.ReadFile(filepath.Join("..", "testdata", "gitleaks", "gitleaks-"+d.version+".toml"))
			if err != nil {
				t.Fatal(err)
			}
			if n, kept := strings.Count(string(data), "\nregex = "), len(cfg.Rules); kept != n {
				t.Errorf("%d rules with a regex, %d kept", n, kept)
			}
			g := NewGenerator(41)
			for _, k := range gitleaksKinds {
				text := expand(t, g, k.tmpl)
				ms := set.Find([]byte(text), "config/app.env")
				if diff := cmp.Diff([]string{k.rule}, ruleIDs(ms)); diff != "" {
					t.Errorf("%s: %q (-want +got):\n%s", k.name, text, diff)
					continue
				}
				if got := ms[0].Rule.Provider; got != k.provider {
					t.Errorf("%s: provider %q, want %q", k.name, got, k.provider)
				}
			}
		})
	}
}

// TestGitleaksDefaultIDs keeps gitleaksDefaultIDs whole: every rule id of the committed
// gitleaks default configurations is in it, and nothing else.
func TestGitleaksDefaultIDs(t *testing.T) {
	want := map[string]bool{}
	id := regexp.MustCompile(`(?m)^id = "([^"]+)"`)
	for _, d := range gitleaksDefaults {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "gitleaks", "gitleaks-"+d.version+".toml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range id.FindAllStringSubmatch(string(data), -1) {
			want[m[1]] = true
		}
	}
	if diff := cmp.Diff(want, gitleaksDefaultIDs); diff != "" {
		t.Errorf("gitleaksDefaultIDs (-want +got):\n%s", diff)
	}
}

// writeConfig writes files into a temporary folder and returns the path of the first.
func writeConfig(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i+1 < len(files); i += 2 {
		p := filepath.Join(dir, files[i])
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(files[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, files[0])
}

// TestGitleaksMultiline: a gitleaks rule whose regex spans lines runs over the whole chunk,
// not a window cut at line ends: its secret is found far from the keyword, lines below.
func TestGitleaksMultiline(t *testing.T) {
	path := writeConfig(t, "my.gitleaks.toml", `title = "multi-line"
[[rules]]
id = "acme-secret-yaml"
description = "Acme secret in a manifest"
regex = '''(?i)kind:\s*AcmeSecret[\s\S]*?acmeKey:\s*([a-z0-9]{32})'''
keywords = ["acmesecret"]

[[rules]]
id = "acme-block"
description = "Acme key block"
regex = '''(?s)BEGIN ACME KEY\n(.{64,}?)\nEND ACME KEY'''
keywords = ["begin acme key"]
`)
	_, set := loadCompiled(t, path)
	for _, id := range []string{"acme-secret-yaml", "acme-block"} {
		if r := set.Rule(id); !r.whole || !r.Multiline {
			t.Errorf("rule %s does not run over the whole chunk", id)
		}
	}
	g := NewGenerator(43)
	key := g.Chars(lowerAlnum, 32)
	filler := strings.Repeat("  description: "+g.Chars(lowerAlnum, 60)+"\n", 20) // 1.5 KB
	block := g.Chars(setB64, 64) + "\n" + g.Chars(setB64, 64)
	testFind(t, set, []findCase{
		{"secret lines below the keyword", "kind: AcmeSecret\nmetadata:\n" + filler + "  acmeKey: " + key + "\n", "deploy.yaml", []found{{"acme-secret-yaml", key, 23, 12}}},
		{"a block over lines", "x\nBEGIN ACME KEY\n" + block + "\nEND ACME KEY\n", "k.txt", []found{{"acme-block", block, 3, 1}}},
	})
	// A rule of gitleaks' usual shape ([\s'"]{0,3} around the value) keeps its window.
	if spansLines(regexp.MustCompile(`(?i)[\w.-]{0,50}?(?:acme)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([a-z0-9]{32})(?:[\x60'"\s;]|\\[nr]|$)`)) {
		t.Errorf("a one-line rule of gitleaks' shape is taken for a multi-line one")
	}
}

// TestDuplicateRulesMerge: one secret found by several rules (a built-in and imported ones,
// or two imported alike) is one match, of the most specific rule.
func TestDuplicateRulesMerge(t *testing.T) {
	path := writeConfig(t, "dup.gitleaks.toml", `title = "duplicates"
[[rules]]
id = "my-github-token"
description = "GitHub token, again"
regex = '''\b(ghp_[0-9a-zA-Z]{36})\b'''
keywords = ["ghp_"]

[[rules]]
id = "my-github-token-too"
description = "GitHub token, a third time"
regex = '''ghp_[0-9a-zA-Z]{36}'''
keywords = ["ghp_"]

[[rules]]
id = "acme-a"
description = "Acme token"
regex = '''\b(acme_[a-z0-9]{32})\b'''
keywords = ["acme_"]

[[rules]]
id = "acme-b"
description = "Acme token, prefix and all"
regex = '''(?:token|key)\s*=\s*"(acme_[a-z0-9]{32})"'''
keywords = ["acme_"]

[[rules]]
id = "acme-forty"
description = "A token of forty characters after its prefix"
regex = '''acme40_([A-Za-z0-9]{40})'''
keywords = ["acme40_"]

[[rules]]
id = "github-pat"
description = "gitleaks' own rule of the built-in id"
regex = '''ghp_[0-9a-zA-Z]{36}'''
keywords = ["ghp_"]
`)
	_, set := loadCompiled(t, path)
	g := NewGenerator(44)
	ghp := g.GitHubToken("ghp_")
	acme := "acme_" + g.Chars(lowerAlnum, 32)
	keyID := "AKIA" + g.Chars(setBase32, 16)
	forty := g.Chars(setAlnum, 40)
	testFind(t, set, []findCase{
		// The built-in id, replaced by the file's rule, keeps its provider and beats the
		// file's rules without one.
		{"built-in and two imported", "GITHUB_TOKEN=" + ghp, "a.env", []found{{"github-pat", ghp, 1, 14}}},
		// Alike: the rule listed first.
		{"two imported alike", `token = "` + acme + `"`, "a.env", []found{{"acme-a", acme, 1, 10}}},
		// A token of its own format that the AWS rule's companion regex takes for a secret
		// access key is still found: companions only shadow generic matches.
		{"beside an AWS key id", "AWS_ACCESS_KEY_ID=" + keyID + "\nACME=acme40_" + forty + "\n", "a.env", []found{{"aws-access-key-id", keyID, 1, 19}, {"acme-forty", forty, 2, 13}}},
	})
	if r := set.Rule("github-pat"); r.Provider != "github" || r.prefixOf(ghp) != "ghp_" || r.Remediation == "" {
		t.Errorf("the replaced built-in lost its provider, prefix or remediation: %+v", r)
	}
	for _, id := range []string{"my-github-token", "my-github-token-too"} {
		if !MoreSpecific(set.Rule("github-pat"), set.Rule(id)) {
			t.Errorf("github-pat is not more specific than %s", id)
		}
	}
}

// TestGitleaksFields reads every field of gitleaks' schema: the allowlists' regexTargets and
// conditions, [[allowlists]] with targetRules, stopwords, paths, entropy, secretGroup,
// keywords, tags, [extend] useDefault, path and disabledRules; what leakstop does not do is
// a note naming it.
func TestGitleaksFields(t *testing.T) {
	path := writeConfig(t, "conf/.gitleaks.toml", `title = "every field"
minVersion = "v8.25.0"
[extend]
path = "shared/base.toml"
disabledRules = ["base-unwanted"]

[[rules]]
id = "acme-token"
description = "Acme token"
regex = '''(?i)acme_token\s*=\s*"?(tok|key)_([a-z0-9]{32})'''
secretGroup = 2
entropy = 3.0
keywords = ["acme_token"]
tags = ["acme"]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''#\s*sample''']
[[rules.allowlists]]
condition = "AND"
paths = ['''(^|/)test/''']
regexTarget = "match"
regexes = ['''key_''']
[[rules.allowlists]]
stopwords = ["zzzz"]

[[rules.required]]
id = "acme-token"

[[rules]]
id = "acme-skip"
description = "part of a composite rule"
regex = '''skipme_[a-z]{8}'''
skipReport = true

[[allowlists]]
description = "only for acme-token"
targetRules = ["acme-token", "github-pat"]
regexTarget = "secret"
regexes = ['''^0+$''']

[[allowlists]]
paths = ['''(^|/)vendor/''']
`, "conf/shared/base.toml", `title = "shared"
[[rules]]
id = "base-token"
description = "Base token"
regex = '''\b(base_[a-z0-9]{24})\b'''
keywords = ["base_"]
[[rules]]
id = "base-unwanted"
description = "Disabled by the extending file"
regex = '''\b(unwanted_[a-z0-9]{24})\b'''
keywords = ["unwanted_"]
[[rules]]
id = "acme-token"
description = "merged: the extending file's fields win"
regex = '''never'''
keywords = ["acmetok"]
`)
	cfg, set := loadCompiled(t, path)
	wantNotes := []string{
		`rule acme-token: \[\[rules.required\]\] \(acme-token\) is not supported`,
		`rule acme-skip: skipReport is set`,
		`tags \(rules acme-token\) are kept`,
		`rules acme-token: an allowlist with condition AND`,
	}
	if len(cfg.Notes) != len(wantNotes) {
		t.Fatalf("notes:\n%s", strings.Join(cfg.Notes, "\n"))
	}
	for i, w := range wantNotes {
		if !regexp.MustCompile(w).MatchString(cfg.Notes[i]) {
			t.Errorf("note %d = %q, want %q", i, cfg.Notes[i], w)
		}
	}
	if diff := cmp.Diff([]string{path, filepath.Join(filepath.Dir(path), "shared", "base.toml")}, cfg.Read); diff != "" {
		t.Errorf("files read (-want +got):\n%s", diff)
	}
	if set.Rule("base-unwanted") != nil || set.Rule("acme-skip") != nil || set.Rule("base-token") == nil {
		t.Errorf("the extended file's rules are not as [extend] says")
	}
	acme := set.Rule("acme-token")
	if !slices.Contains(acme.Keywords, "acmetok") || !slices.Contains(acme.Tags, "acme") || acme.Regex.String() == "never" {
		t.Errorf("acme-token is not merged with the extended file's: %+v", acme)
	}
	if len(set.Rule("github-pat").Allowlists) != 1 {
		t.Errorf("targetRules did not reach the built-in github-pat")
	}
	g := NewGenerator(45)
	v := g.Chars(lowerAlnum, 32)
	base := "base_" + g.Chars(lowerAlnum, 24)
	testFind(t, set, []findCase{
		{"secretGroup", `acme_token = "tok_` + v + `"`, "src/a.env", []found{{"acme-token", v, 1, 19}}},
		{"line allowlist", `acme_token = "tok_` + v + `" # sample`, "src/a.env", nil},
		{"AND allowlist, both hold", `acme_token = "key_` + v + `"`, "test/a.env", nil},
		{"AND allowlist, the path alone", `acme_token = "tok_` + v + `"`, "test/a.env", []found{{"acme-token", v, 1, 19}}},
		{"AND allowlist, the match alone", `acme_token = "key_` + v + `"`, "src/a.env", []found{{"acme-token", v, 1, 19}}},
		{"stopword", `acme_token = "tok_` + v[:28] + `zzzz"`, "src/a.env", nil},
		{"targetRules", `acme_token = "tok_` + strings.Repeat("0", 32) + `"`, "src/a.env", nil},
		{"global path", `acme_token = "tok_` + v + `"`, "vendor/a.env", nil},
		{"entropy", `acme_token = "tok_` + strings.Repeat("ab", 16) + `"`, "src/a.env", nil},
		{"extended rule", "B=" + base, "src/a.env", []found{{"base-token", base, 1, 3}}},
		{"disabled in the extended file", "U=unwanted_" + g.Chars(lowerAlnum, 24), "src/a.env", nil},
	})
	// Once places are known (a history scan), the AND allowlist over a path and the match
	// cannot be told and does not silence; the path-only global allowlist does.
	if set.Excludes("acme-token", v, Place{Path: "test/a.env"}) {
		t.Errorf("an AND allowlist over the match silenced by the path alone")
	}
	if !set.Excludes("acme-token", v, Place{Path: "vendor/a.env"}) {
		t.Errorf("the global path allowlist does not exclude a place")
	}
}

// TestExtendErrors: what [extend] cannot do is an error that says why.
func TestExtendErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files []string
		want  string
	}{
		{"missing file", []string{"a.gitleaks.toml", "[extend]\npath = \"nope.toml\"\n"}, "reading [extend] path nope.toml"},
		{"loop", []string{"a.gitleaks.toml", "[extend]\npath = \"b.toml\"\n", "b.toml", "title = \"b\"\n[extend]\npath = \"a.gitleaks.toml\"\n"}, "in a loop"},
		{"both", []string{"a.gitleaks.toml", "[extend]\npath = \"b.toml\"\nuseDefault = true\n"}, "both path and useDefault"},
		{"disabled rule not in the base", []string{"a.gitleaks.toml", "[extend]\npath = \"b.toml\"\ndisabledRules = [\"zz\"]\n", "b.toml", "title = \"b\"\n"}, `b.toml has no rule of`},
		{"disabled rule nowhere", []string{"a.gitleaks.toml", "[extend]\nuseDefault = true\ndisabledRules = [\"no-such-rule\"]\n"}, `names "no-such-rule", which is no rule`},
		{"leakstop disabledRules", []string{"a.toml", "disabledRules = [\"jwt\", \"no-such-rule\"]\n"}, `disabledRules names "no-such-rule", which is no rule`},
		{"targetRules", []string{"a.gitleaks.toml", "title = \"t\"\n[[allowlists]]\ntargetRules = [\"nope\"]\nregexes = ['x']\n"}, `targetRules names "nope"`},
		{"empty allowlist", []string{"a.gitleaks.toml", "title = \"t\"\n[[allowlists]]\ndescription = \"nothing\"\n"}, "sets none of paths"},
	} {
		_, err := LoadConfig(writeConfig(t, tt.files...))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	// A gitleaks default rule leakstop has no rule for is said, not refused.
	cfg, err := LoadConfig(writeConfig(t, "a.gitleaks.toml", "[extend]\nuseDefault = true\ndisabledRules = [\"aws-access-token\", \"jwt\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Notes) != 1 || !strings.Contains(cfg.Notes[0], "gitleaks' default rule aws-access-token") {
		t.Errorf("notes %q", cfg.Notes)
	}
	if diff := cmp.Diff([]string{"jwt"}, cfg.Disabled); diff != "" {
		t.Errorf("disabled (-want +got):\n%s", diff)
	}
}

// TestIgnore reads .gitleaksignore lines and matches places.
func TestIgnore(t *testing.T) {
	ig, err := ParseIgnore([]byte(`# comment
a.env:github-pat:3
0123456789abcdef0123456789abcdef01234567:b/c.env:aws-access-key-id:1
C:\repo\win.env:jwt:2
dir/with:colon.env:jwt:4
`), ".gitleaksignore")
	if err != nil {
		t.Fatal(err)
	}
	ig.Prefix = ""
	for _, tt := range []struct {
		rule string
		p    Place
		want bool
	}{
		{"github-pat", Place{Path: "a.env", Line: 3}, true},
		{"github-pat", Place{Path: "a.env", Line: 3, Commit: "ffff"}, true},
		{"github-pat", Place{Path: "a.env", Line: 4}, false},
		{"jwt", Place{Path: "a.env", Line: 3}, false},
		{"aws-access-key-id", Place{Path: "b/c.env", Line: 1, Commit: "0123456789abcdef0123456789abcdef01234567"}, true},
		{"aws-access-key-id", Place{Path: "b/c.env", Line: 1, Commit: "1123456789abcdef0123456789abcdef01234567"}, false},
		{"aws-access-key-id", Place{Path: "b/c.env", Line: 1}, false},
		{"jwt", Place{Path: "C:/repo/win.env", Line: 2}, true},
		{"jwt", Place{Path: "dir/with:colon.env", Line: 4}, true},
	} {
		if got := ig.Has(tt.rule, tt.p); got != tt.want {
			t.Errorf("Has(%s, %+v) = %v, want %v", tt.rule, tt.p, got, tt.want)
		}
	}
	ig.Prefix = "proj"
	if !ig.Has("github-pat", Place{Path: "proj/a.env", Line: 3}) || ig.Has("github-pat", Place{Path: "a.env", Line: 3}) {
		t.Errorf("the prefix is not applied")
	}
	if ig.Len() != 4 {
		t.Errorf("Len = %d", ig.Len())
	}
	if _, err := ParseIgnore([]byte("a.env:github-pat:x\n"), "f"); err == nil || !strings.Contains(err.Error(), "f:1:") {
		t.Errorf("bad line: %v", err)
	}
}

// FuzzParseIgnore reads arbitrary bytes as a .gitleaksignore. It gives a list or an error,
// never both; an error names the file and a line; every entry it keeps matches the place it
// names, and no other rule there.
func FuzzParseIgnore(f *testing.F) {
	f.Add([]byte("# comment\na.env:github-pat:3\n0123456789abcdef0123456789abcdef01234567:b/c.env:aws-access-key-id:1\n"))
	f.Add([]byte(`C:\repo\win.env:jwt:2` + "\n" + "dir/with:colon.env:jwt:4\n\n   \n#x\n"))
	f.Add([]byte("a.env:github-pat\n"))
	f.Add([]byte("deadbeef:x:y:0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ig, err := ParseIgnore(data, "ign")
		if (ig == nil) == (err == nil) {
			t.Fatalf("ParseIgnore gives %v and error %v", ig, err)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "ign:") && !strings.HasPrefix(err.Error(), "reading ign") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		n := 0
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			n++
			commit, p, rule, at, ok := parseIgnoreLine(line)
			if !ok {
				t.Fatalf("line %q parsed as a whole but not alone", line)
			}
			place := Place{Path: p, Line: at, Commit: commit}
			if !ig.Has(rule, place) {
				t.Errorf("entry %q does not match its own place %+v", line, place)
			}
			if ig.Has(rule+"x", place) {
				t.Errorf("entry %q matches another rule", line)
			}
		}
		if ig.Len() != n {
			t.Errorf("Len = %d, want %d entries", ig.Len(), n)
		}
	})
}
