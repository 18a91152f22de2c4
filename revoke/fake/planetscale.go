package fake

import (
	"net/http"
	"strings"
	"testing"
)

// PlanetScale fakes GET /v1/organizations
// (https://planetscale.com/docs/api/reference/list-organizations) for service tokens, which
// authenticate as "Authorization: <id>:<token>"
// (https://planetscale.com/docs/api/reference/getting-started-with-planetscale-api). A token
// added restricted lacks read_organization: 403.
type PlanetScale struct {
	*Server
	pairs
}

// NewPlanetScale starts the fake.
func NewPlanetScale(t testing.TB) *PlanetScale {
	f := &PlanetScale{}
	f.Server = newServer(t, func(r *http.Request) string { return r.Header.Get("Authorization") }, f.handle)
	return f
}

// Add adds a live service token with its id.
func (f *PlanetScale) Add(token, id string) { f.keys.add(token, id); f.set(token, id) }

// AddRestricted adds a live service token without the read_organization permission.
func (f *PlanetScale) AddRestricted(token, id string) {
	f.keys.add(token, id).restricted = true
	f.set(token, id)
}

func (f *PlanetScale) handle(w http.ResponseWriter, r *http.Request, _ string) {
	if r.Method != http.MethodGet || r.URL.Path != "/v1/organizations" {
		f.unexpected(w, r, "no such route of planetscale")
		return
	}
	id, tok, _ := strings.Cut(r.Header.Get("Authorization"), ":")
	x := f.keys.verify(tok)
	switch {
	case x == nil || f.other[tok] != id:
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": "unauthorized", "message": "Authentication failed: the service token or its id is not valid"})
	case x.restricted:
		writeJSON(w, http.StatusForbidden, map[string]any{"code": "forbidden", "message": "The service token does not have the read_organization permission"})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"type": "list", "current_page": 1, "next_page": nil, "prev_page": nil,
			"data": []map[string]any{{"id": "hb9xw1a2b3c4", "type": "Organization", "name": "acme", "created_at": "2024-01-01T00:00:00.000Z", "plan": "scaler_pro", "sso": false}}})
	}
}
