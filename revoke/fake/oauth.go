package fake

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// OAuth fakes a provider's OAuth 2.0 endpoints as its documentation shows them: the GET that
// tells a live token from a dead one, and token revocation (RFC 7009) at the provider's
// path, with its way of authenticating the client and its answers. Every token belongs to
// a client (the app it was issued to). Where the provider's endpoint answers 200 for a token
// it does not know or of another client, as RFC 7009 (2.2) allows (Box, Zoom), the fake
// does so too and revokes nothing: only verifying again tells.
type OAuth struct {
	*Server
	spec    oauthSpec
	clients map[string]string // client id -> secret
	owner   map[string]string // token -> client id
}

// oauthSpec is one provider's documented shapes.
type oauthSpec struct {
	provider string
	// verify is the path of the read-only GET; scheme the Authorization scheme it reads
	// the token from ("Bearer ", "OAuth ").
	verify, scheme string
	// live answers a live token of client.
	live func(client string) any
	// invalid answers a token the verify call does not know.
	invalid Answer
	// revoke is the path of the revocation POST; client how it authenticates the client:
	// "id" (client_id in the form, no secret: Twitch), "form" (client_id and client_secret
	// in the form: Box), "basic" (HTTP basic auth: Zoom), "" (none, the token is its own
	// authority: Salesforce).
	revoke, client string
	// revoked answers a revocation; unknown a token the endpoint does not know, or of
	// another client (nil: revoked's answer, as RFC 7009 allows); badClient client
	// credentials it does not know.
	revoked   Answer
	unknown   *Answer
	badClient Answer
}

func newOAuth(t testing.TB, spec oauthSpec) *OAuth {
	f := &OAuth{spec: spec, clients: map[string]string{}, owner: map[string]string{}}
	f.Server = newServer(t, func(r *http.Request) string {
		if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), spec.scheme); ok {
			return v
		}
		return ""
	}, f.handle)
	return f
}

// AddClient adds an app that tokens are issued to, with its secret ("" for Twitch and
// Salesforce, whose revocation wants none).
func (f *OAuth) AddClient(id, secret string) {
	f.mu.Lock()
	f.clients[id] = secret
	f.mu.Unlock()
}

// AddToken adds a live token of client.
func (f *OAuth) AddToken(v, client string) {
	f.mu.Lock()
	f.owner[v] = client
	f.mu.Unlock()
	f.keys.add(v, f.spec.provider+" token "+v[len(v)-4:])
}

func (f *OAuth) write(w http.ResponseWriter, a Answer) {
	for k, v := range a.Header {
		w.Header().Set(k, v)
	}
	if a.Body != "" && !strings.HasPrefix(a.Body, "{") {
		w.Header().Set("Content-Type", "text/plain")
	} else if a.Body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(a.Status)
	_, _ = w.Write([]byte(a.Body))
}

func (f *OAuth) handle(w http.ResponseWriter, r *http.Request, body string) {
	sp := f.spec
	switch {
	case r.Method == http.MethodGet && r.URL.Path == sp.verify:
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), sp.scheme)
		x := f.keys.verify(tok)
		if !ok || x == nil {
			f.write(w, sp.invalid)
			return
		}
		f.mu.Lock()
		client := f.owner[tok]
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, sp.live(client))
	case r.Method == http.MethodPost && r.URL.Path == sp.revoke:
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			f.unexpected(w, r, "the revocation is a form (RFC 7009 2.1)")
			return
		}
		form, err := url.ParseQuery(body)
		if err != nil {
			f.unexpected(w, r, "the body is no form")
			return
		}
		client, ok := f.client(r, form)
		if !ok {
			f.write(w, sp.badClient)
			return
		}
		tok := form.Get("token")
		f.mu.Lock()
		owner := f.owner[tok]
		f.mu.Unlock()
		x := f.keys.get(tok)
		if x == nil || !x.live || sp.client != "" && owner != client {
			if sp.unknown != nil {
				f.write(w, *sp.unknown)
			} else {
				f.write(w, sp.revoked)
			}
			return
		}
		f.revoke(x, r)
		f.write(w, sp.revoked)
	default:
		f.unexpected(w, r, "no such route of "+sp.provider)
	}
}

// client authenticates the client of a revocation as the provider does; ok is false when
// the provider refuses it.
func (f *OAuth) client(r *http.Request, form url.Values) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch f.spec.client {
	case "id":
		_, ok := f.clients[form.Get("client_id")]
		return form.Get("client_id"), ok
	case "form":
		id := form.Get("client_id")
		secret, ok := f.clients[id]
		return id, ok && secret != "" && form.Get("client_secret") == secret
	case "basic":
		id, pass, ok := r.BasicAuth()
		secret, known := f.clients[id]
		return id, ok && known && pass == secret
	}
	return "", true
}

// NewTwitch fakes id.twitch.tv: GET /oauth2/validate ("Authorization: OAuth <token>"), and
// POST /oauth2/revoke with client_id and token, which answers 400 "Invalid token" for a
// token that is not valid (or not of that client) and 404 for an unknown client
// (https://dev.twitch.tv/docs/authentication/validate-tokens/,
// https://dev.twitch.tv/docs/authentication/revoke-tokens/).
func NewTwitch(t testing.TB) *OAuth {
	return newOAuth(t, oauthSpec{
		provider: "twitch", verify: "/oauth2/validate", scheme: "OAuth ",
		live: func(client string) any {
			return map[string]any{"client_id": client, "login": "twitchdev", "scopes": []string{"user:read:email"}, "user_id": "141981764", "expires_in": 5520838}
		},
		invalid: Answer{Status: 401, Body: `{"status":401,"message":"invalid access token"}`},
		revoke:  "/oauth2/revoke", client: "id",
		revoked:   Answer{Status: 200},
		unknown:   &Answer{Status: 400, Body: `{"status":400,"message":"Invalid token"}`},
		badClient: Answer{Status: 404, Body: `{"status":404,"message":"client does not exist"}`},
	})
}

// NewBox fakes api.box.com: GET /2.0/users/me with a bearer token, which answers an
// invalid token 401 with an empty body and a WWW-Authenticate header, and POST
// /oauth2/revoke with client_id, client_secret and token, which answers 200 with an empty
// body (https://developer.box.com/reference/get-users-me/,
// https://developer.box.com/reference/post-oauth2-revoke/).
func NewBox(t testing.TB) *OAuth {
	return newOAuth(t, oauthSpec{
		provider: "box", verify: "/2.0/users/me", scheme: "Bearer ",
		live: func(string) any {
			return map[string]any{"type": "user", "id": "11446498"}
		},
		invalid: Answer{Status: 401, Header: map[string]string{"WWW-Authenticate": `Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."`}},
		revoke:  "/oauth2/revoke", client: "form",
		revoked:   Answer{Status: 200},
		badClient: Answer{Status: 400, Body: `{"error":"invalid_client","error_description":"The client credentials are not valid"}`},
	})
}

// NewSalesforce fakes a Salesforce org's identity service: GET /services/oauth2/userinfo
// with a bearer token, which answers 403 Bad_OAuth_Token for a token it does not know, and
// POST /services/oauth2/revoke with the token, which answers 200, or 400 invalid_token
// (https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_using_userinfo_endpoint.htm&type=5,
// https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_revoke_token.htm&type=5).
func NewSalesforce(t testing.TB) *OAuth {
	return newOAuth(t, oauthSpec{
		provider: "salesforce", verify: "/services/oauth2/userinfo", scheme: "Bearer ",
		live: func(string) any {
			return map[string]any{"sub": "https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P", "user_id": "005x00000012Q9P", "organization_id": "00Dx0000000BV7z", "preferred_username": "ops@example.com", "active": true}
		},
		invalid: Answer{Status: 403, Body: "Bad_OAuth_Token"},
		revoke:  "/services/oauth2/revoke",
		revoked: Answer{Status: 200},
		unknown: &Answer{Status: 400, Body: `{"error":"invalid_token","error_description":"invalid token"}`},
	})
}

// NewZoom fakes api.zoom.us and zoom.us on one host: GET /v2/users/me with a bearer token,
// which answers 401 with code 124 for an invalid token, and POST /oauth/revoke with the
// app's client id and secret as HTTP basic auth and the token in the form, which answers
// {"status":"success"} (https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId},
// https://developers.zoom.us/docs/integrations/oauth/).
func NewZoom(t testing.TB) *OAuth {
	return newOAuth(t, oauthSpec{
		provider: "zoom", verify: "/v2/users/me", scheme: "Bearer ",
		live: func(string) any {
			return map[string]any{"id": "KDcuGIm1QgePTO8WbOqwIQ", "first_name": "Jill", "last_name": "Chill", "type": 1, "account_id": "q6gBJVO5TzexKYTb_I2rpg"}
		},
		invalid: Answer{Status: 401, Body: `{"code":124,"message":"Invalid access token."}`},
		revoke:  "/oauth/revoke", client: "basic",
		revoked:   Answer{Status: 200, Body: `{"status":"success"}`},
		badClient: Answer{Status: 401, Body: `{"reason":"Invalid client_id or client_secret","error":"invalid_client"}`},
	})
}

// ZoomClient returns the client a Zoom token's claims name ("zm:cid:<id>",
// "urn:zoom:connect:clientid:<id>"), read here as Zoom's server would, apart from leakstop's
// own reading of it.
func ZoomClient(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	for _, pre := range []string{"zm:cid:", "urn:zoom:connect:clientid:"} {
		if id, ok := strings.CutPrefix(c.Iss, pre); ok {
			return id
		}
	}
	return ""
}
