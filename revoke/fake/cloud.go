package fake

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The hand-written fakes of cloud providers whose revocation first finds the leaked
// credential's id in a list (Heroku, Linode, HCP Terraform, Pulumi) or reads it from the
// credential (Tailscale). Each follows the provider's documented paths, auth headers, list
// shapes and answers, keeps state (a deleted token then verifies invalid), and fails the
// test on any call it does not know.

// byID returns the key of the fake with id.
func (k *keyring) byID(id string) *key {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, x := range k.list {
		if x.id == id {
			return x
		}
	}
	return nil
}

// live lists the keys that still work.
func (k *keyring) live() []*key {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*key
	for _, x := range k.list {
		if x.live {
			out = append(out, x)
		}
	}
	return out
}

// Heroku fakes GET /account, GET /oauth/authorizations (every authorization of the user,
// with its access token) and DELETE /oauth/authorizations/{id} (Platform API reference).
// Every request must ask for version 3 of the API.
type Heroku struct {
	*Server
	n int
}

// NewHeroku starts the fake.
func NewHeroku(t testing.TB) *Heroku {
	f := &Heroku{}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddToken adds a live API key: an authorization of the one user.
func (f *Heroku) AddToken(v string) {
	f.n++
	f.keys.add(v, fmt.Sprintf("01234567-89ab-cdef-0123-%012d", f.n))
}

func (f *Heroku) handle(w http.ResponseWriter, r *http.Request, _ string) {
	if r.Header.Get("Accept") != "application/vnd.heroku+json; version=3" {
		f.unexpected(w, r, "no Accept: application/vnd.heroku+json; version=3")
		return
	}
	denied := map[string]any{"id": "unauthorized", "message": "Invalid credentials provided."}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/account":
		if f.keys.verify(bearerOf(r)) == nil {
			writeJSON(w, http.StatusUnauthorized, denied)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": "01234567-89ab-cdef-0123-456789abcdef", "email": "username@example.com", "name": "Tina Edmonds", "verified": true})
	case r.Method == http.MethodGet && r.URL.Path == "/oauth/authorizations":
		if x := f.keys.get(bearerOf(r)); x == nil || !x.live {
			writeJSON(w, http.StatusUnauthorized, denied)
			return
		}
		var list []map[string]any
		for _, x := range f.keys.live() {
			list = append(list, map[string]any{
				"id":           x.id,
				"description":  "Long-lived user authorization",
				"scope":        []string{"global"},
				"access_token": map[string]any{"expires_in": nil, "id": "a" + x.id[1:], "token": x.value},
				"client":       nil, "grant": nil, "refresh_token": nil, "session": nil,
				"user": map[string]any{"id": "01234567-89ab-cdef-0123-456789abcdef", "email": "username@example.com"},
			})
		}
		writeJSON(w, http.StatusOK, list)
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/oauth/authorizations/"):
		caller := f.keys.get(bearerOf(r))
		if caller == nil || !caller.live {
			writeJSON(w, http.StatusUnauthorized, denied)
			return
		}
		x := f.keys.byID(strings.TrimPrefix(r.URL.Path, "/oauth/authorizations/"))
		if x == nil || !x.live {
			writeJSON(w, http.StatusNotFound, map[string]any{"id": "not_found", "message": "Couldn't find that authorization."})
			return
		}
		f.revoke(x, r)
		writeJSON(w, http.StatusOK, map[string]any{"id": x.id, "description": "Long-lived user authorization"})
	default:
		f.unexpected(w, r, "no such route of heroku")
	}
}

// Linode fakes GET /v4/profile, GET /v4/profile/tokens (paged; each token shown by its first
// 16 characters) and DELETE /v4/profile/tokens/{tokenId} (Linode API reference). A token
// added as restricted reads its profile but may not manage tokens (401 on the token calls,
// as for a token without the account scope).
type Linode struct {
	*Server
	n int
	// PageSize is how many tokens a page lists; zero means 2, to make the client page.
	PageSize int
	// Operator is the token of another user allowed to manage tokens (LINODE_TOKEN).
	Operator string
}

// NewLinode starts the fake.
func NewLinode(t testing.TB) *Linode {
	f := &Linode{}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddToken adds a live token; a few others of the same user come before it, so that the
// client must find it in the list.
func (f *Linode) AddToken(v string) {
	for len(f.keys.list) < 3 {
		f.n++
		f.keys.add(fmt.Sprintf("%064x", 0xfeed0000+f.n), fmt.Sprint(100+f.n))
	}
	f.n++
	f.keys.add(v, fmt.Sprint(100+f.n))
}

func (f *Linode) handle(w http.ResponseWriter, r *http.Request, _ string) {
	tok := bearerOf(r)
	denied := map[string]any{"errors": []map[string]any{{"reason": "Invalid Token"}}}
	caller := f.keys.get(tok)
	manager := tok != "" && tok == f.Operator || caller != nil && caller.live && !caller.restricted
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v4/profile":
		if f.keys.verify(tok) == nil {
			writeJSON(w, http.StatusUnauthorized, denied)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"username": "example-user", "email": "example-user@example.com", "uid": 1234, "restricted": false})
	case r.Method == http.MethodGet && r.URL.Path == "/v4/profile/tokens":
		if !manager {
			writeJSON(w, http.StatusUnauthorized, denied)
			return
		}
		size := f.PageSize
		if size == 0 {
			size = 2
		}
		all := f.keys.live()
		pageNo := 1
		fmt.Sscan(r.URL.Query().Get("page"), &pageNo)
		pages := (len(all) + size - 1) / size
		var data []map[string]any
		for i := (pageNo - 1) * size; i < len(all) && i < pageNo*size; i++ {
			data = append(data, map[string]any{"id": atoi(all[i].id), "label": "token " + all[i].id, "token": all[i].value[:16], "scopes": "*", "created": "2018-01-01T00:01:01", "expiry": nil})
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": data, "page": pageNo, "pages": pages, "results": len(all)})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/v4/profile/tokens/"):
		if !manager {
			writeJSON(w, http.StatusUnauthorized, denied)
			return
		}
		x := f.keys.byID(strings.TrimPrefix(r.URL.Path, "/v4/profile/tokens/"))
		if x == nil || !x.live {
			writeJSON(w, http.StatusNotFound, map[string]any{"errors": []map[string]any{{"reason": "Not found"}}})
			return
		}
		f.revoke(x, r)
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		f.unexpected(w, r, "no such route of linode")
	}
}

// AddRestricted adds a live token that may not manage tokens.
func (f *Linode) AddRestricted(v string) {
	f.n++
	f.keys.add(v, fmt.Sprint(100+f.n)).restricted = true
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

// Tailscale fakes GET /api/v2/tailnet/-/keys, GET and DELETE /api/v2/tailnet/-/keys/{keyId}
// (Tailscale API reference). A key's id is the part of the key after its kind
// (tskey-api-<id>-<secret>); only API access tokens and the operator's key may call the API.
type Tailscale struct {
	*Server
	// Operator is an API access token of the tailnet (TAILSCALE_API_KEY).
	Operator string
}

// NewTailscale starts the fake.
func NewTailscale(t testing.TB, operator string) *Tailscale {
	f := &Tailscale{Operator: operator}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// TailscaleKeyID returns the id a Tailscale key carries.
func TailscaleKeyID(v string) string {
	parts := strings.Split(v, "-")
	if len(parts) < 4 {
		return ""
	}
	return parts[2]
}

// AddKey adds a live key.
func (f *Tailscale) AddKey(v string) { f.keys.add(v, TailscaleKeyID(v)) }

func (f *Tailscale) handle(w http.ResponseWriter, r *http.Request, _ string) {
	tok := bearerOf(r)
	caller := f.keys.get(tok)
	authorized := tok == f.Operator && tok != "" || caller != nil && caller.live && strings.HasPrefix(tok, "tskey-api-")
	const keys = "/api/v2/tailnet/-/keys"
	if !authorized {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "API token invalid"})
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == keys:
		if tok != f.Operator {
			f.keys.verify(tok)
		}
		var list []map[string]any
		for _, x := range f.keys.live() {
			list = append(list, map[string]any{"id": x.id})
		}
		writeJSON(w, http.StatusOK, map[string]any{"keys": list})
	case strings.HasPrefix(r.URL.Path, keys+"/") && (r.Method == http.MethodGet || r.Method == http.MethodDelete):
		id := strings.TrimPrefix(r.URL.Path, keys+"/")
		x := f.keys.byID(id)
		if x == nil {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "not found"})
			return
		}
		if r.Method == http.MethodGet {
			x = f.keys.verify(x.value)
			out := map[string]any{"id": id, "created": "2024-01-01T00:00:00Z", "expires": "2099-01-01T00:00:00Z", "capabilities": map[string]any{}}
			if x == nil {
				out["revoked"] = "2024-06-01T00:00:00Z"
			}
			writeJSON(w, http.StatusOK, out)
			return
		}
		if !x.live {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "not found"})
			return
		}
		f.revoke(x, r)
		w.WriteHeader(http.StatusOK)
	default:
		f.unexpected(w, r, "no such route of tailscale")
	}
}

// UserTokens fakes a provider that lists a user's tokens without their values and deletes
// one by id: HCP Terraform (GET /api/v2/account/details, GET
// /api/v2/users/{user}/authentication-tokens, DELETE /api/v2/authentication-tokens/{id}) or
// Pulumi (GET /api/user, GET /api/user/tokens, DELETE /api/user/tokens/{id}). Every token
// added belongs to its own user, unless Extra gives that user more tokens.
type UserTokens struct {
	*Server
	kind string // "terraform" or "pulumi"
	n    int
	// Extra is how many other tokens each user has besides the leaked one.
	Extra int
}

// NewTerraform starts the fake of HCP Terraform.
func NewTerraform(t testing.TB) *UserTokens { return newUserTokens(t, "terraform") }

// NewPulumi starts the fake of Pulumi.
func NewPulumi(t testing.TB) *UserTokens { return newUserTokens(t, "pulumi") }

func newUserTokens(t testing.TB, kind string) *UserTokens {
	f := &UserTokens{kind: kind}
	auth := bearerOf
	if kind == "pulumi" {
		auth = func(r *http.Request) string { return strings.TrimPrefix(r.Header.Get("Authorization"), "token ") }
	}
	f.Server = newServer(t, auth, func(w http.ResponseWriter, r *http.Request, body string) { f.handle(w, r, auth(r)) })
	return f
}

// AddToken adds a live token of a new user (and Extra more tokens of that user).
func (f *UserTokens) AddToken(v string) {
	f.n++
	user := fmt.Sprintf("user-%d", f.n)
	for i := 0; i < f.Extra; i++ {
		f.keys.add(fmt.Sprintf("other-%d-%d", f.n, i), fmt.Sprintf("%s/at-other%d", user, i))
	}
	f.keys.add(v, user+"/at-leaked")
}

func userOf(x *key) string { u, _, _ := strings.Cut(x.id, "/"); return u }
func tokenIDOf(x *key) string {
	_, id, _ := strings.Cut(x.id, "/")
	return id
}

func (f *UserTokens) handle(w http.ResponseWriter, r *http.Request, tok string) {
	caller := f.keys.get(tok)
	if f.kind == "pulumi" && r.Header.Get("Accept") != "application/vnd.pulumi+8" {
		f.unexpected(w, r, "no Accept: application/vnd.pulumi+8")
		return
	}
	denied := func() {
		if f.kind == "pulumi" {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"code": 401, "message": "Unauthorized: No credentials provided or are invalid."})
			return
		}
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": []map[string]any{{"status": "401", "title": "unauthorized"}}})
	}
	me, list, del := "/api/v2/account/details", "", "/api/v2/authentication-tokens/"
	if f.kind == "pulumi" {
		me, list, del = "/api/user", "/api/user/tokens", "/api/user/tokens/"
	} else if caller != nil {
		list = "/api/v2/users/" + userOf(caller) + "/authentication-tokens"
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == me:
		if f.keys.verify(tok) == nil {
			denied()
			return
		}
		if f.kind == "pulumi" {
			writeJSON(w, http.StatusOK, map[string]any{"id": userOf(caller), "githubLogin": userOf(caller), "name": "Alice", "email": "alice@example.com"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": userOf(caller), "type": "users", "attributes": map[string]any{"username": userOf(caller), "is-service-account": false}}})
	case r.Method == http.MethodGet && list != "" && r.URL.Path == list:
		if caller == nil || !caller.live {
			denied()
			return
		}
		var items []map[string]any
		for _, x := range f.keys.live() {
			if userOf(x) != userOf(caller) {
				continue
			}
			if f.kind == "pulumi" {
				items = append(items, map[string]any{"id": tokenIDOf(x), "description": "ci", "lastUsed": 1700000000, "expires": 0})
			} else {
				items = append(items, map[string]any{"id": tokenIDOf(x), "type": "authentication-tokens", "attributes": map[string]any{"description": "ci", "token": nil, "created-at": "2024-01-01T00:00:00Z"}})
			}
		}
		if f.kind == "pulumi" {
			writeJSON(w, http.StatusOK, map[string]any{"tokens": items})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": items, "meta": map[string]any{"pagination": map[string]any{"current-page": 1, "total-pages": 1, "total-count": len(items)}}})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, del):
		if caller == nil || !caller.live {
			denied()
			return
		}
		id := strings.TrimPrefix(r.URL.Path, del)
		x := f.keys.byID(userOf(caller) + "/" + id)
		if x == nil || !x.live {
			writeJSON(w, http.StatusNotFound, map[string]any{"errors": []map[string]any{{"status": "404", "title": "not found"}}})
			return
		}
		f.revoke(x, r)
		w.WriteHeader(http.StatusNoContent)
	default:
		f.unexpected(w, r, "no such route of "+f.kind)
	}
}
