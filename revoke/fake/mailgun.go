package fake

import (
	"net/http"
	"strings"
	"testing"
)

// Mailgun fakes GET /v3/domains, GET /v1/keys and DELETE /v1/keys/{key_id}, with HTTP basic
// auth as the user "api" (providers.md §8; Mailgun's Keys API). A key's id is the shape of
// its last two groups; only an admin-role key may list or delete keys, and only its own
// account's.
type Mailgun struct {
	*Server
	roles map[string]string // key → role
}

// NewMailgun starts the fake.
func NewMailgun(t testing.TB) *Mailgun {
	f := &Mailgun{roles: map[string]string{}}
	f.Server = newServer(t, func(r *http.Request) string {
		_, pass, _ := basic(r)
		return pass
	}, f.handle)
	return f
}

// AddKey adds a live key of the account with role ("admin", "basic", "sending").
func (f *Mailgun) AddKey(v, role string) {
	f.mu.Lock()
	f.roles[v] = role
	f.mu.Unlock()
	id := v
	if parts := strings.Split(v, "-"); len(parts) == 3 {
		id = parts[1] + "-" + parts[2]
	}
	f.keys.add(v, id)
}

func (f *Mailgun) handle(w http.ResponseWriter, r *http.Request, _ string) {
	user, pass, ok := basic(r)
	if !ok || user != "api" {
		f.unexpected(w, r, "Mailgun takes basic auth as the user api")
		return
	}
	forbidden := func() { w.WriteHeader(http.StatusUnauthorized); _, _ = w.Write([]byte("Forbidden")) }
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v3/domains":
		if f.keys.verify(pass) == nil {
			forbidden()
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"total_count": 1, "items": []map[string]any{{"name": "mg.example.com", "state": "active", "type": "custom"}}})
	case r.URL.Path == "/v1/keys" || strings.HasPrefix(r.URL.Path, "/v1/keys/"):
		x := f.keys.get(pass)
		if x == nil || !x.live {
			forbidden()
			return
		}
		f.mu.Lock()
		role := f.roles[pass]
		f.mu.Unlock()
		if role != "admin" {
			writeJSON(w, http.StatusForbidden, map[string]any{"message": "Forbidden: admin role required"})
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/keys":
			items := []map[string]any{}
			f.keys.mu.Lock()
			for _, k := range f.keys.list {
				if k.live && k.id != k.value {
					items = append(items, map[string]any{"id": k.id, "description": "api key", "kind": "user", "role": "admin", "created_at": "2006-01-02T15:04:05", "is_disabled": false})
				}
			}
			f.keys.mu.Unlock()
			writeJSON(w, http.StatusOK, map[string]any{"total_count": len(items), "items": items})
		case r.Method == http.MethodDelete:
			id := strings.TrimPrefix(r.URL.Path, "/v1/keys/")
			var target *key
			f.keys.mu.Lock()
			for _, k := range f.keys.list {
				if k.id == id && k.live {
					target = k
				}
			}
			f.keys.mu.Unlock()
			if target == nil {
				writeJSON(w, http.StatusNotFound, map[string]any{"message": "key not found"})
				return
			}
			f.revoke(target, r)
			writeJSON(w, http.StatusOK, map[string]any{"message": "key deleted"})
		default:
			f.unexpected(w, r, "no such call on keys")
		}
	default:
		f.unexpected(w, r, "no such route of Mailgun")
	}
}
