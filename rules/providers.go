package rules

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// builtinFS holds one file per provider: its identity, its verification when that is one
// plain request, and its rules (builtin/README.md describes the format).
//
//go:embed builtin/*.toml
var builtinFS embed.FS

// builtinDir is where the provider files are, in builtinFS.
const builtinDir = "builtin"

// Provider is what leakstop knows of one issuer of secrets, read from its file
// (builtin/<id>.toml): who it is, where a person rotates its secrets, the documentation the
// formats and calls come from, the environment variables leakstop reads for it, the request
// that verifies its secrets when one plain request does, and its rules. Kinds of credential
// that no one issues (private keys, JWTs, passwords in URLs, the generic rule) are providers
// of category "generic".
type Provider struct {
	// ID names the provider in rules, findings, the revoke registry and LEAKSTOP_<ID>_URL.
	ID string
	// Name is how people call it ("Hugging Face").
	Name string
	// Category groups providers for people: one of Categories.
	Category string
	// Rotate is the page where a person rotates or deletes a secret of the provider; empty
	// for generic ones, which no one issued.
	Rotate string
	// Docs are the documentation pages the formats and calls come from.
	Docs []string
	// Credentials are the environment variables of operator credentials leakstop uses for
	// the provider (OPENAI_ADMIN_KEY): secrets, redacted like leaked ones.
	Credentials []string
	// Settings are the other variables leakstop reads for it, which are not secret
	// (AWS_PROFILE).
	Settings []string
	// URL is the default base URL of its API (scheme and host, perhaps a path), and URLEnv
	// the variable that replaces it (LEAKSTOP_<ID>_URL, or the provider's own, such as
	// GITHUB_API_URL).
	URL    string
	URLEnv string
	// Verify, when set, is the one request that verifies the provider's secrets.
	Verify *Verify
	// Rules are the ids of its rules, in the order of its file.
	Rules []string
	// File is the file it was read from ("builtin/openai.toml").
	File string
}

// Categories are the provider categories, in the order people read them.
var Categories = []string{"ai", "cloud", "code", "messaging", "commerce", "generic"}

// CategoryTitle names a category for people ("AI and ML").
func CategoryTitle(c string) string {
	switch c {
	case "ai":
		return "AI and ML"
	case "cloud":
		return "Cloud and hosting"
	case "code":
		return "Code and delivery"
	case "messaging":
		return "Messaging and e-mail"
	case "commerce":
		return "Commerce and payments"
	case "generic":
		return "Credentials without a provider"
	}
	return c
}

// Generic reports whether the provider is a kind of credential rather than an issuer: there
// is no one to ask about its secrets, and none to revoke them with.
func (p *Provider) Generic() bool { return p.Category == "generic" }

// Variables lists every environment variable leakstop reads for the provider: its base URL,
// then its credentials and settings.
func (p *Provider) Variables() []string {
	var vs []string
	if p.URLEnv != "" {
		vs = append(vs, p.URLEnv)
	}
	vs = append(vs, p.Credentials...)
	return append(vs, p.Settings...)
}

// Verify declares a verification that is one HTTP request carrying the secret: where it goes
// on the provider's base URL, where the secret goes in it, and what the answer's status (and
// perhaps a field of its JSON) says. revoke runs these declarations through its shared
// client; every answer the declaration does not name is unknown.
type Verify struct {
	// Method is GET (the default), HEAD or POST (sent without a body).
	Method string
	// Path is appended to the base URL; with Auth "path" it holds {key}, where the secret
	// goes, escaped as a path segment.
	Path string
	// Auth says where the secret goes: "bearer" (Authorization: Bearer), "header" (Header,
	// after Prefix), "basic-user" (HTTP basic, the secret as the user and Password as the
	// password), "basic-password" (User as the user, the secret as the password), "query"
	// (the query parameter Query), or "path".
	Auth     string
	Header   string
	Prefix   string
	User     string
	Password string
	Query    string
	// Headers are sent with every request (an API version).
	Headers map[string]string
	// Live, Invalid and Forbidden are the statuses that mean live, invalid, and live but not
	// allowed this call (a restricted key). Live defaults to 200, Invalid to 401.
	Live, Invalid, Forbidden []int
	// Body is what a live answer must be: "json" (the default) or "any".
	Body string
	// JSON, when set, is a field a live answer's JSON must hold.
	JSON *VerifyJSON
	// Skip names rules of the provider whose secrets this request does not verify; they
	// are skipped with SkipReason (or the provider's Go code handles them).
	Skip       []string
	SkipReason string
}

// VerifyJSON is a field a live answer's JSON must hold, for providers that answer 200 to a
// dead key ({"ok": false}) or describe the key ({"active": false}).
type VerifyJSON struct {
	// Field is a dotted path ("result.status"; a number indexes an array).
	Field string
	// Equals, when set, is the value the field must have: a string, a bool or a number.
	Equals any
	// Otherwise is what an answer whose field holds another value means: "unknown" (the
	// default) or "invalid". An answer without the field is unknown.
	Otherwise string
}

// Providers returns every provider of the built-in rules, sorted by id.
func Providers() []Provider {
	cat := mustCatalog()
	out := make([]Provider, len(cat.providers))
	for i, p := range cat.providers {
		out[i] = p.clone()
	}
	return out
}

// LookupProvider returns the built-in provider id.
func LookupProvider(id string) (Provider, bool) {
	cat := mustCatalog()
	i, ok := cat.byID[id]
	if !ok {
		return Provider{}, false
	}
	return cat.providers[i].clone(), true
}

// GenericProvider reports whether id names a built-in provider of category generic (a kind
// of credential that no one issued), or no provider at all.
func GenericProvider(id string) bool {
	if id == "" {
		return true
	}
	cat := mustCatalog()
	i, ok := cat.byID[id]
	return ok && cat.providers[i].Generic()
}

func (p Provider) clone() Provider {
	p.Docs = slices.Clone(p.Docs)
	p.Credentials = slices.Clone(p.Credentials)
	p.Settings = slices.Clone(p.Settings)
	p.Rules = slices.Clone(p.Rules)
	if p.Verify != nil {
		v := *p.Verify
		v.Live, v.Invalid, v.Forbidden = slices.Clone(v.Live), slices.Clone(v.Invalid), slices.Clone(v.Forbidden)
		v.Skip = slices.Clone(v.Skip)
		if v.Headers != nil {
			h := make(map[string]string, len(v.Headers))
			for k, x := range v.Headers {
				h[k] = x
			}
			v.Headers = h
		}
		if v.JSON != nil {
			j := *v.JSON
			v.JSON = &j
		}
		p.Verify = &v
	}
	return p
}

// catalog is the built-in data, read once: the providers and their rules as read.
type catalog struct {
	providers []Provider // sorted by id
	byID      map[string]int
	rules     []fileRule // every file's rules: files by name, rules in file order
}

var loadCatalog = sync.OnceValues(func() (*catalog, error) { return readCatalog(builtinFS, builtinDir) })

func mustCatalog() *catalog {
	cat, err := loadCatalog()
	if err != nil {
		panic(fmt.Sprintf("leakstop: built-in rules: %v", err)) // caught by the rules tests
	}
	return cat
}

// providerFile is one file under builtin/.
type providerFile struct {
	Provider *fileProvider `toml:"provider"`
	Verify   *fileVerify   `toml:"verify"`
	Rules    []fileRule    `toml:"rules"`
}

type fileProvider struct {
	ID          string   `toml:"id"`
	Name        string   `toml:"name"`
	Category    string   `toml:"category"`
	Rotate      string   `toml:"rotate"`
	Docs        []string `toml:"docs"`
	Credentials []string `toml:"credentials"`
	Settings    []string `toml:"settings"`
	URL         string   `toml:"url"`
	URLEnv      string   `toml:"url_env"`
}

type fileVerify struct {
	Method     string            `toml:"method"`
	Path       string            `toml:"path"`
	Auth       string            `toml:"auth"`
	Header     string            `toml:"header"`
	Prefix     string            `toml:"prefix"`
	User       string            `toml:"user"`
	Password   string            `toml:"password"`
	Query      string            `toml:"query"`
	Headers    map[string]string `toml:"headers"`
	Live       []int             `toml:"live"`
	Invalid    []int             `toml:"invalid"`
	Forbidden  []int             `toml:"forbidden"`
	Body       string            `toml:"body"`
	JSON       *fileVerifyJSON   `toml:"json"`
	Skip       []string          `toml:"skip"`
	SkipReason string            `toml:"skip_reason"`
}

type fileVerifyJSON struct {
	Field     string `toml:"field"`
	Equals    any    `toml:"equals"`
	Otherwise string `toml:"otherwise"`
}

var (
	providerID = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	envName    = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	jsonPath   = regexp.MustCompile(`^[A-Za-z0-9_$@-]+(?:\.[A-Za-z0-9_$@-]+)*$`)
)

// URLEnvFor returns the base-URL variable a provider of id takes by default:
// LEAKSTOP_<ID>_URL, with dashes as underscores.
func URLEnvFor(id string) string {
	return "LEAKSTOP_" + strings.ToUpper(strings.ReplaceAll(id, "-", "_")) + "_URL"
}

// readCatalog reads every provider file of dir in fsys, checks each and all of them together
// (one file per id, every rule id once, every rule of its file's provider), and returns them.
func readCatalog(fsys fs.FS, dir string) (*catalog, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.toml"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no provider files in %s", dir)
	}
	slices.Sort(names)
	cat := &catalog{byID: map[string]int{}}
	claimed := map[string]string{}   // provider id → file
	ruleFile := map[string]string{}  // rule id → file
	ruleOwner := map[string]string{} // rule id → its file's provider
	var errs []error
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		p, rules, err := readProviderFile(data, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, ok := claimed[p.ID]; ok {
			errs = append(errs, fmt.Errorf("%s: provider %s is claimed by %s too: one file per provider", name, p.ID, other))
			continue
		}
		claimed[p.ID] = name
		if want := p.ID + ".toml"; path.Base(name) != want {
			errs = append(errs, fmt.Errorf("%s: provider %s belongs in %s", name, p.ID, want))
			continue
		}
		for _, r := range rules {
			if other, ok := ruleFile[r.ID]; ok {
				errs = append(errs, fmt.Errorf("%s: rule %s is defined in %s too: rule ids are unique across files", name, r.ID, other))
				continue
			}
			ruleFile[r.ID], ruleOwner[r.ID] = name, p.ID
		}
		cat.providers = append(cat.providers, p)
		cat.rules = append(cat.rules, rules...)
	}
	// A rule that names a provider other than its file's: say which, once all files are read.
	for _, fr := range cat.rules {
		if fr.Provider == "" || fr.Provider == ruleOwner[fr.ID] {
			continue
		}
		if _, ok := claimed[fr.Provider]; !ok {
			errs = append(errs, fmt.Errorf("%s: rule %s names provider %s, which no file declares (rules take their file's provider; leave provider out)", ruleFile[fr.ID], fr.ID, fr.Provider))
		} else {
			errs = append(errs, fmt.Errorf("%s: rule %s names provider %s, which is declared in %s: move the rule there", ruleFile[fr.ID], fr.ID, fr.Provider, claimed[fr.Provider]))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(cat.providers, func(a, b Provider) int { return strings.Compare(a.ID, b.ID) })
	for i, p := range cat.providers {
		cat.byID[p.ID] = i
	}
	// The rules take their provider from their file.
	for i := range cat.rules {
		cat.rules[i].Provider = ruleOwner[cat.rules[i].ID]
	}
	return cat, nil
}

// readProviderFile reads and checks one provider file.
func readProviderFile(data []byte, name string) (Provider, []fileRule, error) {
	var f providerFile
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return Provider{}, nil, fmt.Errorf("%s: %s", name, parseErrorText(perr, data))
		}
		return Provider{}, nil, fmt.Errorf("%s: %w", name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return Provider{}, nil, fmt.Errorf("%s: unknown key %s (builtin/README.md lists the keys)", name, und[0])
	}
	if f.Provider == nil {
		return Provider{}, nil, fmt.Errorf("%s: no [provider] table", name)
	}
	fp := f.Provider
	p := Provider{
		ID: fp.ID, Name: fp.Name, Category: fp.Category, Rotate: fp.Rotate, Docs: fp.Docs,
		Credentials: fp.Credentials, Settings: fp.Settings, URL: strings.TrimRight(fp.URL, "/"), URLEnv: fp.URLEnv,
		File: name,
	}
	fail := func(format string, args ...any) (Provider, []fileRule, error) {
		return Provider{}, nil, fmt.Errorf("%s: provider %s: %s", name, p.ID, fmt.Sprintf(format, args...))
	}
	switch {
	case !providerID.MatchString(p.ID):
		return Provider{}, nil, fmt.Errorf("%s: [provider] id %q is not lower-case words joined by dashes", name, p.ID)
	case strings.TrimSpace(p.Name) == "":
		return fail("no name")
	case !slices.Contains(Categories, p.Category):
		return fail("category %q is not one of %s", p.Category, strings.Join(Categories, ", "))
	case len(p.Docs) == 0:
		return fail("no docs: link the documentation pages its formats and calls come from")
	case p.Rotate == "" && !p.Generic():
		return fail("no rotate: the page where a person rotates its secrets")
	}
	for _, u := range append(slices.Clone(p.Docs), p.Rotate) {
		if u != "" && !isHTTPS(u) {
			return fail("%q is not an https URL", u)
		}
	}
	for _, v := range append(slices.Clone(p.Credentials), p.Settings...) {
		if !envName.MatchString(v) {
			return fail("%q is not an environment variable name", v)
		}
	}
	if p.URL != "" && !isHTTPS(p.URL) {
		return fail("url %q is not an https URL", p.URL)
	}
	if p.URLEnv != "" && p.URLEnv != URLEnvFor(p.ID) && (strings.HasPrefix(p.URLEnv, "LEAKSTOP_") || !envName.MatchString(p.URLEnv) || !strings.HasSuffix(p.URLEnv, "_URL")) {
		return fail("url_env %q is neither %s nor the provider's own variable ending in _URL", p.URLEnv, URLEnvFor(p.ID))
	}
	if p.URL != "" && p.URLEnv == "" {
		return fail("url without url_env: every base URL can be pointed elsewhere")
	}
	if p.Generic() && (len(p.Credentials) > 0 || p.URLEnv != "" || f.Verify != nil) {
		return fail("a generic provider has no one to ask: no credentials, url_env or [verify]")
	}
	if len(f.Rules) == 0 {
		return fail("no rules")
	}
	for _, fr := range f.Rules {
		p.Rules = append(p.Rules, fr.ID)
	}
	if f.Verify != nil {
		v, err := f.Verify.verify(p)
		if err != nil {
			return fail("[verify]: %v", err)
		}
		p.Verify = v
	}
	return p, f.Rules, nil
}

func isHTTPS(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

// The places a verification may put the secret.
var verifyAuths = []string{"bearer", "header", "basic-user", "basic-password", "query", "path"}

// verify checks a [verify] table of provider p and fills in its defaults.
func (fv *fileVerify) verify(p Provider) (*Verify, error) {
	v := &Verify{
		Method: strings.ToUpper(fv.Method), Path: fv.Path, Auth: fv.Auth, Header: fv.Header,
		Prefix: fv.Prefix, User: fv.User, Password: fv.Password, Query: fv.Query,
		Headers: fv.Headers, Live: fv.Live, Invalid: fv.Invalid, Forbidden: fv.Forbidden,
		Body: fv.Body, Skip: fv.Skip, SkipReason: fv.SkipReason,
	}
	if p.URL == "" {
		return nil, errors.New("no url in [provider]: the request needs a default base URL")
	}
	if u, err := url.Parse(p.URL); err != nil || u.Path != "" {
		return nil, fmt.Errorf("url %q has a path: with [verify], url is the scheme and host and path the whole path, as the documentation writes it", p.URL)
	}
	if v.Method == "" {
		v.Method = "GET"
	}
	if !slices.Contains([]string{"GET", "HEAD", "POST"}, v.Method) {
		return nil, fmt.Errorf("method %q is not GET, HEAD or POST: a verification changes nothing", fv.Method)
	}
	if !strings.HasPrefix(v.Path, "/") {
		return nil, fmt.Errorf("path %q does not start with /", v.Path)
	}
	if !slices.Contains(verifyAuths, v.Auth) {
		return nil, fmt.Errorf("auth %q is not one of %s", v.Auth, strings.Join(verifyAuths, ", "))
	}
	holdsKey := strings.Contains(v.Path, "{key}")
	given := map[string]bool{"header": v.Header != "", "prefix": v.Prefix != "", "user": v.User != "", "password": v.Password != "", "query": v.Query != ""}
	wants := map[string][]string{
		"bearer": nil, "header": {"header", "prefix"}, "basic-user": {"password"},
		"basic-password": {"user"}, "query": {"query"}, "path": nil,
	}[v.Auth]
	for k, set := range given {
		if set && !slices.Contains(wants, k) {
			return nil, fmt.Errorf("%s does not go with auth %q", k, v.Auth)
		}
	}
	switch {
	case v.Auth == "header" && v.Header == "":
		return nil, errors.New(`auth "header" needs header, the header's name`)
	case v.Auth == "query" && v.Query == "":
		return nil, errors.New(`auth "query" needs query, the parameter's name`)
	case v.Auth == "basic-password" && v.User == "":
		return nil, errors.New(`auth "basic-password" needs user, the user sent with the secret`)
	case v.Auth == "path" && strings.Count(v.Path, "{key}") != 1:
		return nil, errors.New(`auth "path" needs path to hold {key} once`)
	case v.Auth != "path" && holdsKey:
		return nil, errors.New(`path holds {key}, which only auth "path" fills`)
	}
	if v.Live == nil {
		v.Live = []int{200}
	}
	if v.Invalid == nil {
		v.Invalid = []int{401}
	}
	seen := map[int]string{}
	for _, set := range []struct {
		name  string
		codes []int
	}{{"live", v.Live}, {"invalid", v.Invalid}, {"forbidden", v.Forbidden}} {
		for _, c := range set.codes {
			if c < 100 || c > 599 {
				return nil, fmt.Errorf("%s status %d is not an HTTP status", set.name, c)
			}
			if other, ok := seen[c]; ok {
				return nil, fmt.Errorf("status %d is both %s and %s", c, other, set.name)
			}
			if c == 429 || c >= 500 {
				return nil, fmt.Errorf("%s status %d: rate limits and server errors say nothing of the key", set.name, c)
			}
			seen[c] = set.name
		}
	}
	switch v.Body {
	case "":
		v.Body = "json"
	case "json", "any":
	default:
		return nil, fmt.Errorf(`body %q is not "json" or "any"`, v.Body)
	}
	if fv.JSON != nil {
		j := &VerifyJSON{Field: fv.JSON.Field, Equals: fv.JSON.Equals, Otherwise: fv.JSON.Otherwise}
		switch {
		case v.Body != "json":
			return nil, errors.New(`json needs body "json"`)
		case !jsonPath.MatchString(j.Field):
			return nil, fmt.Errorf("json field %q is not a dotted path", j.Field)
		}
		switch j.Otherwise {
		case "":
			j.Otherwise = "unknown"
		case "unknown", "invalid":
		default:
			return nil, fmt.Errorf(`json otherwise %q is not "unknown" or "invalid"`, j.Otherwise)
		}
		switch x := j.Equals.(type) {
		case nil, string, bool, float64:
		case int64:
			j.Equals = float64(x) // as encoding/json reads numbers
		default:
			return nil, fmt.Errorf("json equals %v is not a string, a bool or a number", x)
		}
		if j.Equals == nil && fv.JSON.Otherwise != "" {
			return nil, errors.New("json otherwise without equals: an answer without the field is unknown")
		}
		v.JSON = j
	}
	for _, id := range v.Skip {
		if !slices.Contains(p.Rules, id) {
			return nil, fmt.Errorf("skip names %q, which is no rule of this file", id)
		}
	}
	if len(v.Skip) > 0 && strings.TrimSpace(v.SkipReason) == "" {
		return nil, errors.New("skip without skip_reason: say why those secrets are not verified")
	}
	if len(v.Skip) == 0 && v.SkipReason != "" {
		return nil, errors.New("skip_reason without skip")
	}
	if len(v.Skip) == len(p.Rules) {
		return nil, errors.New("skip names every rule: the request verifies nothing")
	}
	for k := range v.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return nil, fmt.Errorf("header name %q", k)
		}
	}
	return v, nil
}
