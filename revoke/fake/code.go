package fake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Script is the fake of a provider whose calls a Row cannot say: the secret travels in a
// form field or beside another credential, or the verification is a POST that only reads.
// Each route is written from the provider's documentation, as a Row's
// are; the Server's checks hold (a revocation of a secret nobody verified, or a second one,
// fails the test, and so does any call no route names).
type Script struct {
	*Server
	Provider string
	routes   []Step
}

// Step is one call a Script answers.
type Step struct {
	// Call is the method and the path ("POST /2/auth/token/revoke"); a segment in braces
	// ("/tokens/v2/{user}/{id}") stands for any one segment.
	Call string
	// Key returns the secret the request carries where the provider reads it, and why the
	// request is not one the provider would take ("" when it is).
	Key func(r *http.Request, body string) (key, wrong string)
	// Revokes marks the call that revokes the secret: it answers Live and the secret is dead
	// after. Reads marks a call that only reads though its method is not GET or HEAD.
	Revokes, Reads bool
	// Live answers a live secret and Invalid one the provider does not know.
	Live, Invalid Answer
}

// NewScript starts the fake of provider.
func NewScript(t testing.TB, provider string, steps ...Step) *Script {
	f := &Script{Provider: provider, routes: steps}
	f.Server = newServer(t, func(r *http.Request) string { return r.Header.Get("Authorization") }, f.handle)
	return f
}

// AddKey adds a live secret.
func (f *Script) AddKey(v string) { f.keys.add(v, f.Provider+" key") }

// Reads reports whether c is a call the provider documents as a read.
func (f *Script) Reads(c Call) bool {
	for _, s := range f.routes {
		if s.Reads && callMatches(s.Call, c.Method, c.Path) {
			return true
		}
	}
	return false
}

// Setup makes the fake ready for a test that knows nothing of the provider: env is where
// leakstop finds it (LEAKSTOP_<ID>_URL and any operator credential it accepts).
func (f *Script) Setup(env map[string]string) *Setup {
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env[urlEnv(f.Provider)]; !ok {
		env[urlEnv(f.Provider)] = f.URL
	}
	return &Setup{Server: f.Server, Env: env, Add: func(v, _ string) { f.AddKey(v) }, Reads: f.Reads}
}

func urlEnv(provider string) string {
	return "LEAKSTOP_" + strings.ToUpper(strings.ReplaceAll(provider, "-", "_")) + "_URL"
}

func (f *Script) handle(w http.ResponseWriter, r *http.Request, body string) {
	for _, s := range f.routes {
		if !callMatches(s.Call, r.Method, r.URL.Path) {
			continue
		}
		key, wrong := s.Key(r, body)
		if wrong != "" {
			f.unexpected(w, r, wrong)
			return
		}
		if s.Revokes {
			f.revokeAnswer(w, r, key, s.Live, s.Invalid)
			return
		}
		if f.keys.verify(key) == nil {
			answer(w, s.Invalid)
			return
		}
		answer(w, s.Live)
		return
	}
	f.unexpected(w, r, "no such route of "+f.Provider)
}

// Ways a provider reads the secret, for Step.Key.

// HeaderKey reads the secret from header name after prefix ("Authorization", "Bearer ").
func HeaderKey(name, prefix string) func(*http.Request, string) (string, string) {
	return func(r *http.Request, _ string) (string, string) {
		v, ok := strings.CutPrefix(r.Header.Get(name), prefix)
		if !ok {
			return "", "no " + name + ": " + prefix + "… header"
		}
		return v, ""
	}
}

// FormKey reads the secret from the form field of a request body of form fields, which must
// also hold every field of want (a client id) with its value.
func FormKey(field string, want map[string]string) func(*http.Request, string) (string, string) {
	return func(r *http.Request, body string) (string, string) {
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			return "", "the body is not form fields"
		}
		form, err := url.ParseQuery(body)
		if err != nil {
			return "", "the body is not form fields"
		}
		for k, v := range want {
			if form.Get(k) != v {
				return "", "no form field " + k + "=" + v
			}
		}
		return form.Get(field), ""
	}
}

// callMatches reports whether a request of method to path is the call ("GET /a/{id}").
func callMatches(call, method, path string) bool {
	m, p, ok := strings.Cut(call, " ")
	if !ok || m != method {
		return false
	}
	want, got := strings.Split(p, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if want[i] != got[i] && !(strings.HasPrefix(want[i], "{") && got[i] != "") {
			return false
		}
	}
	return true
}

// Dropbox fakes the two RPC calls leakstop makes (https://www.dropbox.com/developers/
// documentation/http/documentation): POST /2/users/get_current_account and POST
// /2/auth/token/revoke, both without arguments (no body, or the JSON null), the token as a
// bearer token; a token Dropbox does not know gets 401 invalid_access_token.
func Dropbox(t testing.TB) *Script {
	noArgs := func(r *http.Request, body string) (string, string) {
		if b := strings.TrimSpace(body); b != "" && b != "null" {
			return "", "an RPC call without arguments has no body"
		}
		return HeaderKey("Authorization", "Bearer ")(r, body)
	}
	dead := Answer{Status: 401, Body: `{"error_summary":"invalid_access_token/..","error":{".tag":"invalid_access_token"}}`}
	return NewScript(t, "dropbox",
		Step{Call: "POST /2/users/get_current_account", Key: noArgs, Reads: true, Invalid: dead,
			Live: Answer{Status: 200, Body: `{"account_id":"dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc","name":{"given_name":"Franz","surname":"Ferdinand","familiar_name":"Franz","display_name":"Franz Ferdinand (Personal)","abbreviated_name":"FF"},"email":"franz@dropbox.com","email_verified":true,"disabled":false,"account_type":{".tag":"basic"}}`}},
		Step{Call: "POST /2/auth/token/revoke", Key: noArgs, Revokes: true, Invalid: dead,
			Live: Answer{Status: 200, Body: `null`}},
	)
}

// Linear fakes Linear's GraphQL endpoint for the one query leakstop sends, the viewer (POST
// /graphql, the personal key as the Authorization header, https://linear.app/developers/graphql):
// a live key's user, or Linear's authentication error. Any other query fails the test.
func Linear(t testing.TB) *Script {
	viewer := func(r *http.Request, body string) (string, string) {
		var q struct {
			Query string `json:"query"`
		}
		if json.Unmarshal([]byte(body), &q) != nil || !strings.Contains(q.Query, "viewer") || strings.Contains(q.Query, "mutation") {
			return "", "not the viewer query"
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			return "", "the query is not JSON"
		}
		return r.Header.Get("Authorization"), ""
	}
	return NewScript(t, "linear", Step{
		Call: "POST /graphql", Key: viewer, Reads: true,
		Live:    Answer{Status: 200, Body: `{"data":{"viewer":{"id":"2d5b1e6c-1f0a-4b8e-9c3d-7a6f5e4d3c2b"}}}`},
		Invalid: Answer{Status: 400, Body: `{"errors":[{"message":"Authentication required, not authenticated","extensions":{"type":"authentication error","code":"AUTHENTICATION_ERROR","statusCode":401,"userPresentableMessage":"You need to authenticate to access this operation."}}]}`},
	})
}

// Algolia fakes applications' lists of indices (GET /1/indexes,
// https://www.algolia.com/doc/rest-api/search/#tag/Indices/operation/listIndices): the key in
// x-algolia-api-key with its application's ID in x-algolia-application-id; a key the
// application does not know gets Algolia's 403.
type Algolia struct {
	*Script
	mu   sync.Mutex
	apps map[string]string // application ID, by key
}

// NewAlgolia starts the fake.
func NewAlgolia(t testing.TB) *Algolia {
	f := &Algolia{apps: map[string]string{}}
	key := func(r *http.Request, body string) (string, string) {
		v := r.Header.Get("x-algolia-api-key")
		f.mu.Lock()
		app, ok := f.apps[v]
		f.mu.Unlock()
		if ok && r.Header.Get("x-algolia-application-id") != app {
			return "", "x-algolia-application-id is not the key's application"
		}
		return v, ""
	}
	f.Script = NewScript(t, "algolia", Step{
		Call: "GET /1/indexes", Key: key,
		Live:    Answer{Status: 200, Body: `{"items":[{"name":"products","createdAt":"2026-01-05T10:00:00.000Z","updatedAt":"2026-11-30T08:00:00.000Z","entries":4200,"dataSize":1048576,"fileSize":2097152,"lastBuildTimeS":1,"numberOfPendingTasks":0,"pendingTask":false}],"nbPages":1}`},
		Invalid: Answer{Status: 403, Body: `{"message":"Invalid Application-ID or API key","status":403}`},
	})
	return f
}

// AddPair adds a live key of application app.
func (f *Algolia) AddPair(key, app string) {
	f.mu.Lock()
	f.apps[key] = app
	f.mu.Unlock()
	f.AddKey(key)
}

// Okta fakes an Okta org: API tokens (the SSWS scheme,
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApiToken/) are
// verified with GET /api/v1/users/me and revoke themselves with DELETE
// /api/v1/api-tokens/current; OAuth access tokens (bearer,
// https://developer.okta.com/docs/api/openapi/okta-oauth/) are verified at an authorization
// server's GET …/v1/userinfo and revoked at its POST …/v1/revoke with the token and a client id
// in a form, which answers 200 whether or not it knew the token (RFC 7009).
func Okta(t testing.TB) *Script {
	ssws := HeaderKey("Authorization", "SSWS ")
	tokenDead := Answer{Status: 401, Body: `{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaeCt0kD8CwSxOHKdFqyiWG1g","errorCauses":[]}`}
	oauthDead := Answer{Status: 401, Body: `{"error":"invalid_token","error_description":"The access token is invalid."}`, Header: map[string]string{"WWW-Authenticate": `Bearer authorization_uri="https://acme.okta.com/oauth2/v1/authorize", error="invalid_token"`}}
	userinfo := Answer{Status: 200, Body: `{"sub":"00uid4BxXw6I6TV4m0g3","name":"John Doe","email":"john.doe@example.com","email_verified":true}`}
	revoke := func(r *http.Request, body string) (string, string) {
		v, wrong := FormKey("token", map[string]string{"token_type_hint": "access_token"})(r, body)
		if wrong == "" {
			if form, _ := url.ParseQuery(body); !strings.HasPrefix(form.Get("client_id"), "0oa") {
				return "", "no client_id of the token's client"
			}
		}
		return v, wrong
	}
	bearerKey := HeaderKey("Authorization", "Bearer ")
	revoked := Answer{Status: 200}
	return NewScript(t, "okta",
		Step{Call: "GET /api/v1/users/me", Key: ssws, Invalid: tokenDead,
			Live: Answer{Status: 200, Body: `{"id":"00ub0oNGTSWTBKOLGLNR","status":"ACTIVE","profile":{"login":"isaac.brock@example.com"}}`}},
		Step{Call: "DELETE /api/v1/api-tokens/current", Key: ssws, Revokes: true, Invalid: tokenDead, Live: Answer{Status: 204}},
		Step{Call: "GET /oauth2/{server}/v1/userinfo", Key: bearerKey, Invalid: oauthDead, Live: userinfo},
		Step{Call: "GET /oauth2/v1/userinfo", Key: bearerKey, Invalid: oauthDead, Live: userinfo},
		Step{Call: "POST /oauth2/{server}/v1/revoke", Key: revoke, Revokes: true, Invalid: revoked, Live: revoked},
		Step{Call: "POST /oauth2/v1/revoke", Key: revoke, Revokes: true, Invalid: revoked, Live: revoked},
	)
}
