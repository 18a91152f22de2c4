package fake

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Square fakes GET /v2/locations with a bearer token and POST /oauth2/revoke with
// "Authorization: Client <application secret>" and a body naming the application and the
// token (providers.md §8; Square's OAuth API). Only an OAuth token of that application is
// revoked; a personal access token is not one.
type Square struct {
	*Server
	AppID, AppSecret string
	oauth            map[string]bool // OAuth tokens of the application
}

// NewSquare starts the fake of the application appID with secret.
func NewSquare(t testing.TB, appID, secret string) *Square {
	f := &Square{AppID: appID, AppSecret: secret, oauth: map[string]bool{}}
	f.Server = newServer(t, func(r *http.Request) string {
		if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Client "); ok {
			return v
		}
		return bearerOf(r)
	}, f.handle)
	return f
}

// AddToken adds a live OAuth access token of the application.
func (f *Square) AddToken(v string) {
	f.mu.Lock()
	f.oauth[v] = true
	f.mu.Unlock()
	f.keys.add(v, "square oauth token")
}

// AddPersonal adds a live personal access token.
func (f *Square) AddPersonal(v string) { f.keys.add(v, "square personal token") }

func squareErrors(w http.ResponseWriter, status int, category, code, detail string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]string{{"category": category, "code": code, "detail": detail}}})
}

func (f *Square) handle(w http.ResponseWriter, r *http.Request, body string) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v2/locations":
		if f.keys.verify(bearerOf(r)) == nil {
			squareErrors(w, 401, "AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized.")
			return
		}
		writeJSON(w, 200, map[string]any{"locations": []map[string]string{{"id": "L88917AVBK2S5", "name": "Default Test Account", "status": "ACTIVE"}}})
	case r.Method == http.MethodPost && r.URL.Path == "/oauth2/revoke":
		if r.Header.Get("Authorization") != "Client "+f.AppSecret {
			squareErrors(w, 401, "AUTHENTICATION_ERROR", "UNAUTHORIZED", "Not Authorized")
			return
		}
		var req struct {
			ClientID    string `json:"client_id"`
			AccessToken string `json:"access_token"`
		}
		if json.Unmarshal([]byte(body), &req) != nil || req.ClientID != f.AppID {
			squareErrors(w, 400, "INVALID_REQUEST_ERROR", "INVALID_VALUE", "Invalid client_id")
			return
		}
		f.mu.Lock()
		ours := f.oauth[req.AccessToken]
		f.mu.Unlock()
		x := f.keys.get(req.AccessToken)
		if !ours || x == nil || !x.live {
			squareErrors(w, 404, "INVALID_REQUEST_ERROR", "NOT_FOUND", "access token not found")
			return
		}
		f.revoke(x, r)
		writeJSON(w, 200, map[string]any{"success": true})
	default:
		f.unexpected(w, r, "no such route of Square")
	}
}
