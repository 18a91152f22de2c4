package rules

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestProviderFiles: every provider file says who it is, links the documentation its formats
// and calls come from, and owns the rules that name it, in its file's order; every rule has a
// provider with a file.
func TestProviderFiles(t *testing.T) {
	ps := Providers()
	if len(ps) == 0 {
		t.Fatal("no providers")
	}
	if !slices.IsSortedFunc(ps, func(a, b Provider) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("Providers() is not sorted by id")
	}
	owned := map[string][]string{}
	for _, r := range Builtin() {
		owned[r.Provider] = append(owned[r.Provider], r.ID)
	}
	for _, p := range ps {
		if len(p.Docs) == 0 {
			t.Errorf("%s: no documentation link", p.File)
		}
		for _, d := range p.Docs {
			if !isHTTPS(d) {
				t.Errorf("%s: documentation link %q is not an https URL", p.File, d)
			}
		}
		if p.File != "builtin/"+p.ID+".toml" {
			t.Errorf("provider %s is read from %s", p.ID, p.File)
		}
		if d := cmp.Diff(owned[p.ID], p.Rules); d != "" {
			t.Errorf("%s: rules (-built-in +file):\n%s", p.File, d)
		}
		delete(owned, p.ID)
		if p.Verify != nil && (p.URL == "" || p.URLEnv == "") {
			t.Errorf("%s: [verify] without a base URL and its variable", p.File)
		}
		if !p.Generic() && p.Rotate == "" {
			t.Errorf("%s: no rotate page", p.File)
		}
	}
	for id, rs := range owned {
		t.Errorf("rules %v name provider %q, which has no file", rs, id)
	}
	// Findings of the generic rules name a generic provider, never none.
	for _, id := range []string{"generic-api-key", "private-key", "jwt", "password-in-url"} {
		for _, r := range Builtin() {
			if r.ID == id && !GenericProvider(r.Provider) {
				t.Errorf("rule %s: provider %q is not a generic provider", id, r.Provider)
			}
			if r.ID == id && r.Provider == "" {
				t.Errorf("rule %s has no provider", id)
			}
		}
	}
	if p, ok := LookupProvider("generic"); !ok || !p.Generic() || p.Name == "" {
		t.Errorf("the generic provider: %+v", p)
	}
}

// TestProvidersAreCopies: what Providers returns is the caller's to change.
func TestProvidersAreCopies(t *testing.T) {
	p, _ := LookupProvider("stripe")
	p.Docs[0] = "changed"
	p.Verify.Live[0] = 999
	q, _ := LookupProvider("stripe")
	if q.Docs[0] == "changed" || q.Verify.Live[0] == 999 {
		t.Error("LookupProvider shares its slices")
	}
}

// TestVerifyDefaults: a [verify] table left short takes GET, 200 live, 401 invalid, a JSON
// body; numbers in json.equals compare as JSON numbers.
func TestVerifyDefaults(t *testing.T) {
	cat := catalogOf(t, map[string]string{"acme.toml": acmeFile + `
[verify]
path = "/v1/me"
auth = "bearer"
json = { field = "data.0.count", equals = 3, otherwise = "invalid" }
`})
	got := cat.providers[0].Verify
	want := &Verify{Method: "GET", Path: "/v1/me", Auth: "bearer", Live: []int{200}, Invalid: []int{401}, Body: "json",
		JSON: &VerifyJSON{Field: "data.0.count", Equals: float64(3), Otherwise: "invalid"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if cat.rules[0].Provider != "acme" {
		t.Errorf("the rule's provider is %q, want its file's", cat.rules[0].Provider)
	}
}

// acmeFile is a provider file that reads; the rows of TestCatalogRefuses break it.
const acmeFile = `
[provider]
id = "acme"
name = "Acme"
category = "cloud"
rotate = "https://acme.example/keys"
docs = ["https://acme.example/docs/keys"]
url = "https://api.acme.example"
url_env = "LEAKSTOP_ACME_URL"

[[rules]]
id = "acme-key"
description = "Acme key"
keywords = ["acme_"]
regex = '''(acme_[a-z0-9]{32})'''
[rules.examples]
true = ['k = acme_{{lower 32}}', 'ACME=acme_{{lower 32}}']
false = ['k = acme_', 'k = acme_{{lower 3}}']
`

func catalogOf(t *testing.T, files map[string]string) *catalog {
	t.Helper()
	cat, err := readCatalog(mapFS(files), "builtin")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys["builtin/"+name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// TestCatalogRefuses: the consistency the provider files are held to. Each row breaks one
// thing; the catalog refuses it with an error that names it.
func TestCatalogRefuses(t *testing.T) {
	other := strings.NewReplacer(`"acme"`, `"other"`, `acme-key`, `other-key`, "LEAKSTOP_ACME_URL", "LEAKSTOP_OTHER_URL").Replace(acmeFile)
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"rule names an unknown provider", map[string]string{"acme.toml": strings.Replace(acmeFile, `id = "acme-key"`, "id = \"acme-key\"\nprovider = \"nobody\"", 1)},
			"rule acme-key names provider nobody, which no file declares"},
		{"rule in another provider's file", map[string]string{"acme.toml": strings.Replace(acmeFile, `id = "acme-key"`, "id = \"acme-key\"\nprovider = \"other\"", 1), "other.toml": other},
			"rule acme-key names provider other, which is declared in builtin/other.toml"},
		{"two files claim one id", map[string]string{"acme.toml": acmeFile, "acme2.toml": strings.Replace(acmeFile, "acme-key", "acme-key-2", 1)},
			"provider acme is claimed by builtin/acme.toml too"},
		{"file named for another id", map[string]string{"acme-co.toml": acmeFile}, "provider acme belongs in acme.toml"},
		{"rule id in two files", map[string]string{"acme.toml": acmeFile, "other.toml": strings.Replace(other, "other-key", "acme-key", 1)},
			"rule acme-key is defined in builtin/acme.toml too"},
		{"no docs", map[string]string{"acme.toml": strings.Replace(acmeFile, `docs = ["https://acme.example/docs/keys"]`, "", 1)}, "no docs"},
		{"docs not a link", map[string]string{"acme.toml": strings.Replace(acmeFile, `"https://acme.example/docs/keys"`, `"see the website"`, 1)}, "is not an https URL"},
		{"no rotate", map[string]string{"acme.toml": strings.Replace(acmeFile, `rotate = "https://acme.example/keys"`, "", 1)}, "no rotate"},
		{"no provider table", map[string]string{"acme.toml": acmeFile[strings.Index(acmeFile, "[[rules]]"):]}, "no [provider] table"},
		{"no rules", map[string]string{"acme.toml": acmeFile[:strings.Index(acmeFile, "[[rules]]")]}, "no rules"},
		{"unknown category", map[string]string{"acme.toml": strings.Replace(acmeFile, `"cloud"`, `"weather"`, 1)}, `category "weather"`},
		{"unknown key", map[string]string{"acme.toml": strings.Replace(acmeFile, `name = "Acme"`, "name = \"Acme\"\nhomepage = \"x\"", 1)}, "unknown key provider.homepage"},
		{"odd url_env", map[string]string{"acme.toml": strings.Replace(acmeFile, "LEAKSTOP_ACME_URL", "LEAKSTOP_ACME_HOST", 1)}, "url_env"},
		{"url without url_env", map[string]string{"acme.toml": strings.Replace(acmeFile, `url_env = "LEAKSTOP_ACME_URL"`, "", 1)}, "url without url_env"},
		{"bad credential name", map[string]string{"acme.toml": strings.Replace(acmeFile, `name = "Acme"`, "name = \"Acme\"\ncredentials = [\"acme key\"]", 1)}, "not an environment variable name"},
		{"generic provider that verifies", map[string]string{"acme.toml": strings.Replace(acmeFile, `"cloud"`, `"generic"`, 1) + "[verify]\npath = \"/\"\nauth = \"bearer\"\n"}, "a generic provider has no one to ask"},
	}
	verifyRows := []struct{ name, table, want string }{
		{"changing method", "method = \"DELETE\"\npath = \"/v1/me\"\nauth = \"bearer\"", "is not GET, HEAD or POST"},
		{"relative path", "path = \"v1/me\"\nauth = \"bearer\"", "does not start with /"},
		{"unknown auth", "path = \"/v1/me\"\nauth = \"cookie\"", `auth "cookie"`},
		{"header without name", "path = \"/v1/me\"\nauth = \"header\"", "needs header"},
		{"prefix with bearer", "path = \"/v1/me\"\nauth = \"bearer\"\nprefix = \"Token \"", "prefix does not go with"},
		{"path auth without key", "path = \"/v1/me\"\nauth = \"path\"", "needs path to hold {key}"},
		{"key in path without path auth", "path = \"/v1/{key}\"\nauth = \"bearer\"", "only auth \"path\" fills"},
		{"status both live and invalid", "path = \"/v1/me\"\nauth = \"bearer\"\ninvalid = [200]", "status 200 is both live and invalid"},
		{"rate limit as invalid", "path = \"/v1/me\"\nauth = \"bearer\"\ninvalid = [401, 429]", "rate limits and server errors"},
		{"skip of another file's rule", "path = \"/v1/me\"\nauth = \"bearer\"\nskip = [\"other-key\"]\nskip_reason = \"x\"", "which is no rule of this file"},
		{"skip without reason", "path = \"/v1/me\"\nauth = \"bearer\"\nskip = [\"acme-key\"]", "skip without skip_reason"},
		{"bad json otherwise", "path = \"/v1/me\"\nauth = \"bearer\"\njson = { field = \"ok\", equals = true, otherwise = \"live\" }", `otherwise "live"`},
		{"json with any body", "path = \"/v1/me\"\nauth = \"bearer\"\nbody = \"any\"\njson = { field = \"ok\" }", `json needs body "json"`},
		{"no base url", "path = \"/v1/me\"\nauth = \"bearer\"", "no url in [provider]"},
		{"base url with a path", "path = \"/me\"\nauth = \"bearer\"", "has a path"},
	}
	for _, v := range verifyRows {
		file := acmeFile
		switch v.name {
		case "no base url":
			file = strings.NewReplacer(`url = "https://api.acme.example"`, "", `url_env = "LEAKSTOP_ACME_URL"`, "").Replace(file)
		case "base url with a path":
			file = strings.Replace(file, `"https://api.acme.example"`, `"https://api.acme.example/v1"`, 1)
		}
		tests = append(tests, struct {
			name  string
			files map[string]string
			want  string
		}{"verify: " + v.name, map[string]string{"acme.toml": file + "\n[verify]\n" + v.table + "\n"}, v.want})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readCatalog(mapFS(tt.files), "builtin")
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
	// The file the rows break reads as it is.
	catalogOf(t, map[string]string{"acme.toml": acmeFile, "other.toml": other})
}

// TestFormatTemplate: the template of builtin/README.md is a provider file that reads, so
// that the documentation of the format cannot drift from the loader.
func TestFormatTemplate(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("builtin", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "```toml\n")
	j := strings.Index(text[i+1:], "\n```")
	if i < 0 || j < 0 {
		t.Fatal("builtin/README.md has no ```toml template")
	}
	tmpl := text[i+len("```toml\n") : i+1+j]
	cat := catalogOf(t, map[string]string{"acme.toml": tmpl})
	p := cat.providers[0]
	if p.Verify == nil || p.Verify.Headers["Acme-Version"] == "" || len(p.Credentials) != 1 || len(p.Rules) != 1 {
		t.Errorf("the template reads as %+v", p)
	}
	// Its rule holds to its own examples.
	set, err := NewSet(ruleSet(t, cat))
	if err != nil {
		t.Fatal(err)
	}
	g := NewGenerator(1)
	for _, r := range set.Rules {
		for _, e := range r.Examples.True {
			if ms := set.Find([]byte(expand(t, g, e)), ""); len(ms) != 1 {
				t.Errorf("template example %q:%s", e, describe(ms))
			}
		}
		for _, e := range r.Examples.False {
			if ms := set.Find([]byte(expand(t, g, e)), ""); len(ms) != 0 {
				t.Errorf("template false example %q:%s", e, describe(ms))
			}
		}
	}
}

// ruleSet builds the rules of a catalog read in a test.
func ruleSet(t *testing.T, cat *catalog) []*Rule {
	t.Helper()
	cfg := &Config{}
	if err := (&fileConfig{Rules: cat.rules}).build("test", cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.Rules
}

// FuzzProviderFile reads arbitrary text as a provider file. The catalog either refuses it
// with an error or holds one provider that keeps every promise the loader makes: its id is
// its file's, it links its documentation, its rules are its own and build, and a [verify]
// table is whole (a known auth, disjoint statuses, no rate limit or server error as an
// answer, skips of its own rules only).
func FuzzProviderFile(f *testing.F) {
	names, _ := fsGlobBuiltin()
	for _, n := range names {
		data, err := builtinFS.ReadFile(n)
		if err == nil {
			f.Add(string(data))
		}
	}
	f.Add(acmeFile)
	f.Add(acmeFile + "\n[verify]\npath = \"/bot{key}/x\"\nauth = \"path\"\njson = { field = \"a.0.b\", equals = 1 }\n")
	f.Fuzz(func(t *testing.T, text string) {
		cat, err := readCatalog(mapFS(map[string]string{"acme.toml": text}), "builtin")
		if err != nil {
			if cat != nil {
				t.Fatal("a catalog and an error")
			}
			return
		}
		if len(cat.providers) != 1 {
			t.Fatalf("%d providers from one file", len(cat.providers))
		}
		p := cat.providers[0]
		if p.ID != "acme" || len(p.Docs) == 0 || len(p.Rules) == 0 || len(cat.rules) != len(p.Rules) {
			t.Fatalf("provider %+v", p)
		}
		for _, r := range cat.rules {
			if r.Provider != "acme" {
				t.Fatalf("rule %s of provider %q", r.ID, r.Provider)
			}
			// A rule may still be refused when built (a bad regex): but never with a panic.
			_, _ = r.rule()
		}
		if v := p.Verify; v != nil {
			seen := map[int]bool{}
			for _, c := range append(append(slices.Clone(v.Live), v.Invalid...), v.Forbidden...) {
				if seen[c] || c == 429 || c >= 500 || c < 100 {
					t.Fatalf("status %d in %+v", c, v)
				}
				seen[c] = true
			}
			if !slices.Contains(verifyAuths, v.Auth) || !strings.HasPrefix(v.Path, "/") || len(v.Live) == 0 {
				t.Fatalf("verify %+v", v)
			}
			for _, id := range v.Skip {
				if !slices.Contains(p.Rules, id) {
					t.Fatalf("skip %s is no rule of the file", id)
				}
			}
		}
	})
}

func fsGlobBuiltin() ([]string, error) { return fs.Glob(builtinFS, builtinDir+"/*.toml") }
