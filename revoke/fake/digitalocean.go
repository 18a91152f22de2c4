package fake

import (
	"net/http"
	"net/url"
	"testing"
)

// DigitalOcean fakes GET /v2/account
// (https://docs.digitalocean.com/reference/api/digitalocean/#tag/Account/operation/account_get)
// and the OAuth API's POST /v1/oauth/revoke (https://docs.digitalocean.com/reference/api/oauth/),
// which takes the token in the form, the request authenticated by it. As RFC 7009 allows, the
// revocation answers 200 for a token it does not know; Silent makes it answer 200 without
// revoking anything.
type DigitalOcean struct {
	*Server
	// Silent makes the revocation endpoint answer 200 and do nothing.
	Silent bool
}

// NewDigitalOcean starts the fake.
func NewDigitalOcean(t testing.TB) *DigitalOcean {
	f := &DigitalOcean{}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddToken adds a live token.
func (f *DigitalOcean) AddToken(v string) { f.keys.add(v, "token "+v[:7]) }

func (f *DigitalOcean) handle(w http.ResponseWriter, r *http.Request, body string) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v2/account":
		if f.keys.verify(bearerOf(r)) == nil {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"id": "Unauthorized", "message": "Unable to authenticate you"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"account": map[string]any{"droplet_limit": 25, "email": "sammy@example.com", "email_verified": true, "status": "active"}})
	case r.Method == http.MethodPost && r.URL.Path == "/v1/oauth/revoke":
		form, err := url.ParseQuery(body)
		if err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || form.Get("token") == "" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "token is required"})
			return
		}
		if x := f.keys.get(form.Get("token")); x != nil && x.live && !f.Silent && form.Get("token") == bearerOf(r) {
			f.revoke(x, r)
		}
		w.WriteHeader(http.StatusOK)
	default:
		f.unexpected(w, r, "no such route of digitalocean")
	}
}
