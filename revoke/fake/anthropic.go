package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Anthropic fakes the Anthropic API (providers.md §2): GET /v1/models, GET
// /v1/organizations/me, and the Admin API key list (after_id pagination, partial_key_hint)
// and update. Every request must carry x-api-key and anthropic-version.
type Anthropic struct {
	*Server
	// Admin is the operator's admin key (ANTHROPIC_ADMIN_KEY).
	Admin string
	// OrgOf gives API keys an answer on GET /v1/organizations/me: their organization's id.
	// A key not in it gets 401 there, as older accounts answer for non-admin keys.
	OrgOf map[string]string
}

// Org is the organization of the admin key.
const Org = "12345678-1234-5678-1234-567812345678"

// NewAnthropic starts the fake.
func NewAnthropic(t testing.TB, admin string) *Anthropic {
	f := &Anthropic{Admin: admin}
	f.Server = newServer(t, func(r *http.Request) string { return r.Header.Get("x-api-key") }, f.handle)
	return f
}

// AddKey adds an API key and returns its id.
func (f *Anthropic) AddKey(value string) string {
	return f.keys.add(value, fmt.Sprintf("apikey_%02d", len(f.keys.list))).id
}

// hint is partial_key_hint: the first 16 characters, "...", the last 4.
func hint(v string) string { return v[:16] + "..." + v[len(v)-4:] }

func anthropicErr(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}, "request_id": "req_fake"})
}

func (f *Anthropic) handle(w http.ResponseWriter, r *http.Request, body string) {
	if r.Header.Get("anthropic-version") != "2023-06-01" {
		f.unexpected(w, r, "no anthropic-version header")
		return
	}
	tok := r.Header.Get("x-api-key")
	admin := tok != "" && tok == f.Admin
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/models":
		if f.keys.verify(tok) == nil {
			anthropicErr(w, http.StatusUnauthorized, "authentication_error", "invalid x-api-key")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": []map[string]any{{"type": "model", "id": "claude-sonnet-4-5"}}, "has_more": false, "first_id": "claude-sonnet-4-5", "last_id": "claude-sonnet-4-5"})
	case r.Method == http.MethodGet && r.URL.Path == "/v1/organizations/me":
		org := Org
		if !admin {
			f.mu.Lock()
			o, ok := f.OrgOf[tok]
			f.mu.Unlock()
			if !ok || f.keys.get(tok) == nil || !f.keys.get(tok).live {
				anthropicErr(w, http.StatusUnauthorized, "authentication_error", "invalid x-api-key")
				return
			}
			org = o
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": org, "type": "organization", "name": "Org " + org[:4]})
	case r.Method == http.MethodGet && r.URL.Path == "/v1/organizations/api_keys":
		if !admin {
			anthropicErr(w, http.StatusForbidden, "permission_error", "this endpoint needs an admin key")
			return
		}
		q := r.URL.Query()
		f.keys.mu.Lock()
		var ks []*key
		for _, k := range f.keys.list {
			if q.Get("status") == "" || (q.Get("status") == "active") == k.live {
				ks = append(ks, k)
			}
		}
		items, more := page(ks, func(k *key) string { return k.id }, q.Get("limit"), q.Get("after_id"), 20, 1000)
		writeList(w, nil, items, more, func(k *key) map[string]any {
			st := "active"
			if !k.live {
				st = "inactive"
			}
			return map[string]any{"id": k.id, "type": "api_key", "name": "Key " + k.id, "created_at": "2024-10-30T23:58:27.427722Z", "partial_key_hint": hint(k.value), "status": st, "workspace_id": nil}
		})
		f.keys.mu.Unlock()
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v1/organizations/api_keys/"):
		if !admin {
			anthropicErr(w, http.StatusForbidden, "permission_error", "this endpoint needs an admin key")
			return
		}
		var req struct {
			Status string `json:"status"`
		}
		if json.Unmarshal([]byte(body), &req) != nil || req.Status != "inactive" || r.Header.Get("Content-Type") != "application/json" {
			f.unexpected(w, r, "leakstop sets keys inactive, with a JSON body: "+body)
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/v1/organizations/api_keys/")
		for _, k := range f.keys.list {
			if k.id == id {
				f.revoke(k, r)
				writeJSON(w, http.StatusOK, map[string]any{"id": id, "type": "api_key", "partial_key_hint": hint(k.value), "status": "inactive"})
				return
			}
		}
		anthropicErr(w, http.StatusNotFound, "not_found_error", "no such key")
	default:
		f.unexpected(w, r, "no such route")
	}
}
