package fake

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Row is a provider's documented verification call, and for a provider that revokes with
// a plain call, its revocation, written from the provider's documentation: the method and
// path, where the provider reads the secret, and its answers to a live, an unknown and a
// restricted secret, with the body shapes the documentation shows. A Row is the fake of a
// provider whose file declares its verification ([verify]); it is kept apart from that
// declaration on purpose (it says the same facts in its own words, from the documentation),
// so that a mistake in one shows against the other. A Table serves it.
type Row struct {
	// Provider is the provider's id.
	Provider string
	// Doc is the documentation page the row follows.
	Doc string
	// Env, when set, is the variable that points leakstop at the fake; by default
	// LEAKSTOP_<PROVIDER>_URL.
	Env string
	// Routes are the calls the provider answers. Any other call fails the test.
	Routes []Route
}

// Route is one call a provider answers.
type Route struct {
	// Call is the method and path as the documentation writes them ("GET /v1/models"); a
	// {key} in the path is where the provider reads the secret from the path.
	Call string
	// Auth is where the provider reads the secret, as its documentation shows the request:
	//
	//	"Authorization: Bearer {key}"   a header, the secret after a fixed prefix
	//	"x-api-key: {key}"
	//	"basic {key}:"                  HTTP basic: the secret as the user, no password
	//	"basic api:{key}"               HTTP basic: user api, the secret as the password
	//	"query api_key={key}"           a query parameter
	//	""                              none: the secret is in the path ({key} in Call)
	Auth string
	// Require are headers the provider insists on, with their values (an API version). A
	// call without them fails the test.
	Require map[string]string
	// Live answers a live secret; Invalid one the provider does not know or that was
	// revoked; Forbidden, where the provider has such an answer, a live secret without the
	// permission this call needs.
	Live, Invalid Answer
	Forbidden     *Answer
	// Revokes marks the call that revokes the secret it carries (DELETE …/self): it
	// answers Live and the secret is dead after. A revocation of a secret nobody verified
	// first, or a second one, fails the test.
	Revokes bool
}

// Answer is a provider's documented answer.
type Answer struct {
	Status int
	Body   string
	Header map[string]string
}

// Table is the fake of a Row: an httptest server with the Server's injections, calls and
// checks.
type Table struct {
	*Server
	Row Row

	routes []tableRoute
}

type tableRoute struct {
	Route
	method string
	path   *regexp.Regexp // the path, {key} a group
	prefix string         // the path before any {key}, for Inject
}

// NewTable starts the fake of row.
func NewTable(t testing.TB, row Row) *Table {
	f := &Table{Row: row}
	for _, r := range row.Routes {
		method, path, ok := strings.Cut(r.Call, " ")
		if !ok || !strings.HasPrefix(path, "/") {
			t.Fatalf("fake %s: route %q is not METHOD /path", row.Provider, r.Call)
		}
		pre, _, _ := strings.Cut(path, "{key}")
		re := "^" + regexp.QuoteMeta(path) + "$"
		re = strings.Replace(re, regexp.QuoteMeta("{key}"), "([^/]+)", 1)
		f.routes = append(f.routes, tableRoute{Route: r, method: method, path: regexp.MustCompile(re), prefix: pre})
	}
	f.Server = newServer(t, func(r *http.Request) string { return f.keyOf(r) }, f.handle)
	return f
}

// AddKey adds a live secret.
func (f *Table) AddKey(v string) { f.keys.add(v, f.Row.Provider+" key") }

// AddRestricted adds a live secret without the permission of the verify call: the provider
// answers it with the route's Forbidden answer.
func (f *Table) AddRestricted(v string) {
	f.keys.add(v, f.Row.Provider+" restricted key").restricted = true
}

// VerifyRoute returns the prefix of the verify call's route ("GET /v1/models"), for Inject.
func (f *Table) VerifyRoute() string {
	for _, r := range f.routes {
		if !r.Revokes {
			return r.method + " " + r.prefix
		}
	}
	return ""
}

// Forbidden reports whether the provider has an answer for a live secret without the
// permission of its verify call.
func (f *Table) Forbidden() bool {
	for _, r := range f.routes {
		if !r.Revokes {
			return r.Forbidden != nil
		}
	}
	return false
}

// keyOf returns the secret a request carries where one of the routes reads it.
func (f *Table) keyOf(r *http.Request) string {
	for _, rt := range f.routes {
		if rt.method == r.Method {
			if k, ok := rt.key(r); ok && k != "" {
				return k
			}
		}
	}
	return ""
}

// key reads the secret where the route's provider reads it; ok is false when the request is
// not this route's.
func (rt *tableRoute) key(r *http.Request) (string, bool) {
	m := rt.path.FindStringSubmatch(r.URL.EscapedPath())
	if m == nil {
		return "", false
	}
	if len(m) > 1 {
		v, err := url.PathUnescape(m[1])
		return v, err == nil
	}
	switch a := rt.Auth; {
	case strings.HasPrefix(a, "query "):
		name, _, _ := strings.Cut(strings.TrimPrefix(a, "query "), "=")
		return r.URL.Query().Get(name), true
	case strings.HasPrefix(a, "basic "):
		user, pass, ok := basic(r)
		if !ok {
			return "", true
		}
		wantUser, wantPass, _ := strings.Cut(strings.TrimPrefix(a, "basic "), ":")
		switch {
		case wantUser == "{key}" && pass == wantPass:
			return user, true
		case wantPass == "{key}" && user == wantUser:
			return pass, true
		}
		return "", true
	case a != "":
		name, tmpl, _ := strings.Cut(a, ":")
		pre, _, _ := strings.Cut(strings.TrimSpace(tmpl), "{key}")
		v, ok := strings.CutPrefix(r.Header.Get(name), pre)
		if !ok {
			return "", true
		}
		return v, true
	}
	return "", true
}

// basic reads HTTP basic credentials as a provider does, an empty password included.
func basic(r *http.Request) (user, pass string, ok bool) {
	v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	if !ok {
		return "", "", false
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(b), ":")
	return user, pass, ok
}

func (f *Table) handle(w http.ResponseWriter, r *http.Request, _ string) {
	for i := range f.routes {
		rt := &f.routes[i]
		if rt.method != r.Method {
			continue
		}
		tok, ok := rt.key(r)
		if !ok {
			continue
		}
		for k, v := range rt.Require {
			if r.Header.Get(k) != v {
				f.unexpected(w, r, "no "+k+": "+v+" header, which "+f.Row.Provider+" requires")
				return
			}
		}
		if rt.Revokes {
			f.revokeAnswer(w, r, tok, rt.Live, rt.Invalid)
			return
		}
		x := f.keys.verify(tok)
		switch {
		case x == nil:
			answer(w, rt.Invalid)
		case x.restricted && rt.Forbidden == nil:
			f.unexpected(w, r, "a restricted key, but "+f.Row.Provider+" has no forbidden answer")
		case x.restricted:
			answer(w, *rt.Forbidden)
		default:
			answer(w, rt.Live)
		}
		return
	}
	f.unexpected(w, r, "no such route of "+f.Row.Provider)
}

// revokeAnswer revokes the live key value and answers live, or answers invalid when no
// live key is value: a revoking route of a Table or a Script.
func (s *Server) revokeAnswer(w http.ResponseWriter, r *http.Request, value string, live, invalid Answer) {
	x := s.keys.get(value)
	if x == nil || !x.live {
		answer(w, invalid)
		return
	}
	s.revoke(x, r)
	answer(w, live)
}

func answer(w http.ResponseWriter, a Answer) {
	for k, v := range a.Header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" && strings.HasPrefix(strings.TrimSpace(a.Body), "{") {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(a.Status)
	_, _ = w.Write([]byte(a.Body))
}
