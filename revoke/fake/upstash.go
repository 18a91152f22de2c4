package fake

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Upstash fakes a Redis database's REST API (GET /ping with the REST token as bearer,
// https://upstash.com/docs/redis/features/restapi) and the Developer API with an account's
// e-mail and API key (HTTP basic): GET /v2/redis/databases, which lists each database with
// its password and REST tokens
// (https://upstash.com/docs/devops/developer-api/redis/list_databases), and POST
// /v2/redis/reset-password/{id}, which replaces them
// (https://upstash.com/docs/devops/developer-api/redis/reset_password).
type Upstash struct {
	*Server
	Email, APIKey string
	n             int
}

// NewUpstash starts the fake of the account of email and apiKey.
func NewUpstash(t testing.TB, email, apiKey string) *Upstash {
	f := &Upstash{Email: email, APIKey: apiKey}
	f.Server = newServer(t, func(r *http.Request) string {
		if _, p, ok := basic(r); ok {
			return p
		}
		return bearerOf(r)
	}, f.handle)
	return f
}

// AddKey adds a database of the account whose REST token is v.
func (f *Upstash) AddKey(v string) {
	f.n++
	f.keys.add(v, fmt.Sprintf("96ad0856-03b1-4ee7-9666-%012d", f.n))
}

func (f *Upstash) handle(w http.ResponseWriter, r *http.Request, _ string) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/ping":
		if f.keys.verify(bearerOf(r)) == nil {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "WRONGPASS invalid or missing auth token"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"result": "PONG"})
		return
	case !strings.HasPrefix(r.URL.Path, "/v2/redis/"):
		f.unexpected(w, r, "no such route of upstash")
		return
	}
	if e, k, ok := basic(r); !ok || e != f.Email || k != f.APIKey || f.APIKey == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "Unauthorized"})
		return
	}
	db := func(x *key, token string) map[string]any {
		return map[string]any{"database_id": x.id, "database_name": "cache", "database_type": "Pay as You Go", "region": "global", "port": 6379, "state": "active",
			"password": "pw-" + x.id, "user_email": f.Email, "endpoint": "eu2-sought-mollusk-30143.upstash.io", "tls": true, "rest_token": token, "read_only_rest_token": "ro-" + x.id}
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v2/redis/databases":
		var out []map[string]any
		for _, x := range f.keys.live() {
			out = append(out, db(x, x.value))
		}
		writeJSON(w, http.StatusOK, out)
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v2/redis/reset-password/"):
		x := f.keys.byID(strings.TrimPrefix(r.URL.Path, "/v2/redis/reset-password/"))
		if x == nil || !x.live {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "database not found"})
			return
		}
		f.revoke(x, r)
		writeJSON(w, http.StatusOK, db(x, "new-token-"+x.id))
	default:
		f.unexpected(w, r, "no such route of upstash")
	}
}
