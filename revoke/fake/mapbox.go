package fake

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Mapbox fakes the Tokens API (https://docs.mapbox.com/api/accounts/tokens/): GET /tokens/v2
// (retrieve the token of access_token: its code, user and id) and DELETE
// /tokens/v2/{username}/{token_id}, which needs a token of that user with the tokens:write
// scope (every secret token added, but those added restricted) or Operator. The user and id
// of a token are those its payload names, as Mapbox's are.
type Mapbox struct {
	*Server
	Operator string
}

// NewMapbox starts the fake.
func NewMapbox(t testing.TB, operator string) *Mapbox {
	f := &Mapbox{Operator: operator}
	f.Server = newServer(t, func(r *http.Request) string { return r.URL.Query().Get("access_token") }, f.handle)
	return f
}

// mapboxIdentity reads the user and token id from a token's payload.
func mapboxIdentity(v string) (user, id string) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return "", ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	var p struct {
		U string `json:"u"`
		A string `json:"a"`
	}
	if err != nil || json.Unmarshal(raw, &p) != nil {
		return "", ""
	}
	return p.U, p.A
}

// AddKey adds a live secret token with the tokens:write scope.
func (f *Mapbox) AddKey(v string) {
	u, id := mapboxIdentity(v)
	f.keys.add(v, u+"/"+id)
}

// AddRestricted adds a live secret token without the tokens:write scope.
func (f *Mapbox) AddRestricted(v string) {
	u, id := mapboxIdentity(v)
	f.keys.add(v, u+"/"+id).restricted = true
}

func (f *Mapbox) handle(w http.ResponseWriter, r *http.Request, _ string) {
	tok := r.URL.Query().Get("access_token")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/tokens/v2":
		x := f.keys.get(tok)
		switch {
		case x == nil:
			writeJSON(w, http.StatusUnauthorized, map[string]any{"code": "TokenInvalid", "message": "Invalid Token"})
		case f.keys.verify(tok) == nil:
			writeJSON(w, http.StatusOK, map[string]any{"code": "TokenRevoked"})
		default:
			u, id, _ := strings.Cut(x.id, "/")
			writeJSON(w, http.StatusOK, map[string]any{"code": "TokenValid", "token": map[string]any{"usage": "sk", "user": u, "authorization": id, "client": "api"}})
		}
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/tokens/v2/"):
		target := strings.TrimPrefix(r.URL.Path, "/tokens/v2/")
		user, _, _ := strings.Cut(target, "/")
		caller := f.keys.get(tok)
		operator := f.Operator != "" && tok == f.Operator
		switch {
		case !operator && (caller == nil || !caller.live):
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Not Authorized - Invalid Token"})
			return
		case !operator && (caller.restricted || !strings.HasPrefix(caller.id, user+"/")):
			writeJSON(w, http.StatusForbidden, map[string]any{"message": "This endpoint requires a token with tokens:write scope"})
			return
		}
		x := f.keys.byID(target)
		if x == nil || !x.live {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
			return
		}
		f.revoke(x, r)
		w.WriteHeader(http.StatusNoContent)
	default:
		f.unexpected(w, r, "no such route of mapbox")
	}
}
