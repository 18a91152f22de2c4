package fake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// GitLab fakes the calls of every kind of GitLab token (providers.md §4, GitLab's REST API
// documentation): GET and DELETE /api/v4/personal_access_tokens/self (PRIVATE-TOKEN), POST
// /api/v4/runners/verify and DELETE /api/v4/runners (the runner token as the form field token),
// GET /api/v4/job (JOB-TOKEN), and the Token information API, POST and DELETE
// /api/v4/admin/token ({"token": …} with an administrator's PRIVATE-TOKEN).
type GitLab struct {
	*Server
	admin string
}

// NewGitLab starts the fake.
func NewGitLab(t testing.TB) *GitLab {
	f := &GitLab{}
	f.Server = newServer(t, gitlabCredential, f.handle)
	return f
}

// SetAdmin makes tok an administrator's token, which the Token information API accepts.
func (f *GitLab) SetAdmin(tok string) { f.admin = tok }

// AddToken adds a live token of any kind.
func (f *GitLab) AddToken(v string) { f.keys.add(v, "gitlab "+v[len(v)-4:]) }

// gitlabCredential is the credential a request carries, wherever its call reads it.
func gitlabCredential(r *http.Request) string {
	if v := r.Header.Get("PRIVATE-TOKEN"); v != "" {
		return v
	}
	return r.Header.Get("JOB-TOKEN")
}

func gitlabUnauthorized(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "401 Unauthorized"})
}

func (f *GitLab) handle(w http.ResponseWriter, r *http.Request, body string) {
	switch r.Method + " " + r.URL.Path {
	case "GET /api/v4/personal_access_tokens/self":
		if f.keys.verify(r.Header.Get("PRIVATE-TOKEN")) == nil {
			gitlabUnauthorized(w)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": 4, "name": "Test Token", "revoked": false, "active": true, "scopes": []string{"api"}, "user_id": 3})
	case "DELETE /api/v4/personal_access_tokens/self":
		x := f.keys.get(r.Header.Get("PRIVATE-TOKEN"))
		if x == nil || !x.live {
			gitlabUnauthorized(w)
			return
		}
		f.revoke(x, r)
		w.WriteHeader(http.StatusNoContent)
	case "POST /api/v4/runners/verify", "DELETE /api/v4/runners":
		form, err := url.ParseQuery(body)
		if err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			f.unexpected(w, r, "the runner API takes the token as a form field")
			return
		}
		tok := form.Get("token")
		if r.Method == http.MethodPost {
			if f.keys.verify(tok) == nil {
				writeJSON(w, http.StatusForbidden, map[string]any{"message": "403 Forbidden"})
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"id": 12, "token_expires_at": nil})
			return
		}
		x := f.keys.get(tok)
		if x == nil || !x.live {
			writeJSON(w, http.StatusForbidden, map[string]any{"message": "403 Forbidden"})
			return
		}
		f.revoke(x, r)
		w.WriteHeader(http.StatusNoContent)
	case "GET /api/v4/job":
		if f.keys.verify(r.Header.Get("JOB-TOKEN")) == nil {
			gitlabUnauthorized(w)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": 8, "status": "running", "stage": "test", "name": "rspec"})
	case "POST /api/v4/admin/token", "DELETE /api/v4/admin/token":
		if f.admin == "" || r.Header.Get("PRIVATE-TOKEN") != f.admin {
			writeJSON(w, http.StatusForbidden, map[string]any{"message": "403 Forbidden"})
			return
		}
		var req struct {
			Token string `json:"token"`
		}
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal([]byte(body), &req) != nil || req.Token == "" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "token is missing"})
			return
		}
		if r.Method == http.MethodPost {
			if f.keys.verify(req.Token) == nil {
				writeJSON(w, http.StatusNotFound, map[string]any{"message": "404 Not Found"})
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"id": 1, "user_id": 70, "name": "deploy", "revoked": false, "expires_at": "2030-10-04"})
			return
		}
		x := f.keys.get(req.Token)
		if x == nil || !x.live {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "404 Not Found"})
			return
		}
		f.revoke(x, r)
		w.WriteHeader(http.StatusNoContent)
	default:
		f.unexpected(w, r, "no such route")
	}
}
