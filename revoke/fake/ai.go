package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Operator credentials the AI providers' fakes accept. They are not key-shaped: nothing
// leakstop scans may take them for a leak.
const (
	operatorOpenRouter = "operator-openrouter-management-key"
	operatorXAI        = "operator-xai-management-key"
)

// OpenRouter fakes the key API (https://openrouter.ai/docs/api/api-reference/api-keys):
// GET /api/v1/key describes the key that calls it; with the management key, GET
// /api/v1/keys lists the account's keys by pages of 100 (offset) and DELETE
// /api/v1/keys/{hash} deletes one. A key shows as its label, "sk-or-v1-" and the first three
// and last three characters of the rest.
type OpenRouter struct {
	*Server
	management string

	mu      sync.Mutex
	listed  []*key            // the management key's account, in the order created
	details map[string]string // label override, by value
}

// NewOpenRouter starts the fake; management is the management key it accepts.
func NewOpenRouter(t testing.TB, management string) *OpenRouter {
	f := &OpenRouter{management: management, details: map[string]string{}}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddKey adds a live key of the management key's account.
func (f *OpenRouter) AddKey(v string) {
	x := f.keys.add(v, sha512hex(v)[:64])
	f.mu.Lock()
	f.listed = append(f.listed, x)
	f.mu.Unlock()
}

// AddForeignKey adds a live key of another account: it describes itself, and the management
// key's list does not hold it.
func (f *OpenRouter) AddForeignKey(v string) { f.keys.add(v, sha512hex(v)[:64]) }

// Label sets the label the fake shows for key v, to make look-alikes.
func (f *OpenRouter) Label(v, label string) {
	f.mu.Lock()
	f.details[v] = label
	f.mu.Unlock()
}

func (f *OpenRouter) label(v string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l, ok := f.details[v]; ok {
		return l
	}
	rest := strings.TrimPrefix(v, "sk-or-v1-")
	if len(rest) < 6 {
		return v
	}
	return "sk-or-v1-" + rest[:3] + "..." + rest[len(rest)-3:]
}

func (f *OpenRouter) handle(w http.ResponseWriter, r *http.Request, _ string) {
	tok := bearerOf(r)
	unauthorized := func() {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"message": "No auth credentials found", "code": 401}})
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/key":
		x := f.keys.verify(tok)
		if x == nil {
			unauthorized()
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
			"label": f.label(x.value), "limit": nil, "usage": 0.25, "is_free_tier": false,
			"is_management_key": false, "is_provisioning_key": false, "limit_remaining": nil,
			"creator_user_id": "user_2dHFtVWx2n56w6HkM0000000000",
		}})
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/keys":
		if tok != f.management || f.management == "" {
			unauthorized()
			return
		}
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		f.mu.Lock()
		var live []*key
		for _, x := range f.listed {
			if x.live {
				live = append(live, x)
			}
		}
		f.mu.Unlock()
		data := []map[string]any{}
		for i := offset; i < len(live) && i < offset+100; i++ {
			x := live[i]
			data = append(data, map[string]any{
				"hash": x.id, "name": "key " + x.id[:6], "label": f.label(x.value), "disabled": false,
				"limit": nil, "usage": 0.25, "created_at": "2025-08-24T10:30:00Z", "updated_at": nil,
				"creator_user_id": "user_2dHFtVWx2n56w6HkM0000000000",
			})
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": data})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/api/v1/keys/"):
		if tok != f.management || f.management == "" {
			unauthorized()
			return
		}
		hash := strings.TrimPrefix(r.URL.Path, "/api/v1/keys/")
		f.mu.Lock()
		var x *key
		for _, k := range f.listed {
			if k.id == hash && k.live {
				x = k
			}
		}
		f.mu.Unlock()
		if x == nil {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"message": "Key not found", "code": 404}})
			return
		}
		f.revoke(x, r)
		writeJSON(w, http.StatusOK, map[string]any{"deleted": true})
	default:
		f.unexpected(w, r, "no such route")
	}
}

// XAI fakes GET /v1/api-key of the inference API and DELETE /auth/api-keys/{id} of the
// Management API (https://docs.x.ai/docs/api-reference#api-key,
// https://docs.x.ai/docs/key-information/using-management-api), on one server as
// LEAKSTOP_XAI_URL puts them. An unknown key gets the 400 xAI documents.
type XAI struct {
	*Server
	management string

	mu      sync.Mutex
	blocked map[string]bool
}

// NewXAI starts the fake; management is the management key it accepts.
func NewXAI(t testing.TB, management string) *XAI {
	f := &XAI{management: management, blocked: map[string]bool{}}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddKey adds a live key of the management key's team.
func (f *XAI) AddKey(v string) {
	h := sha512hex(v)
	f.keys.add(v, h[:8]+"-"+h[8:12]+"-"+h[12:16]+"-"+h[16:20]+"-"+h[20:32])
}

// Block marks key v blocked by xAI: it still describes itself, with api_key_blocked.
func (f *XAI) Block(v string) {
	f.mu.Lock()
	f.blocked[v] = true
	f.mu.Unlock()
}

func (f *XAI) handle(w http.ResponseWriter, r *http.Request, _ string) {
	tok := bearerOf(r)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/api-key":
		x := f.keys.verify(tok)
		if x == nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"code": "Client specified an invalid argument", "error": "Incorrect API key provided. You can obtain an API key from https://console.x.ai."})
			return
		}
		f.mu.Lock()
		blocked := f.blocked[tok]
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{
			"redacted_api_key": "xai-..." + tok[len(tok)-4:], "user_id": "59fbe5f2-040b-46d5-8325-868bb8f23eb2",
			"name": "My API Key", "create_time": "2024-01-01T12:55:18.139305Z", "modify_time": "2024-08-28T17:20:12.343321Z",
			"modified_by": "3d38b4dc-4eb7-4785-ae26-c3fa8997ffc7", "team_id": "5ea6f6bd-7815-4b8a-9135-28b2d7ba6722",
			"acls": []string{"api-key:model:*", "api-key:endpoint:*"}, "api_key_id": x.id,
			"team_blocked": false, "api_key_blocked": blocked, "api_key_disabled": false,
		})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/auth/api-keys/"):
		if tok != f.management || f.management == "" {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"code": "Unauthenticated", "error": "Invalid management key"})
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/auth/api-keys/")
		f.keys.mu.Lock()
		var x *key
		for _, k := range f.keys.list {
			if k.id == id && k.live {
				x = k
			}
		}
		f.keys.mu.Unlock()
		if x == nil {
			writeJSON(w, http.StatusNotFound, map[string]any{"code": "Some requested entity was not found", "error": "api key not found"})
			return
		}
		f.revoke(x, r)
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		f.unexpected(w, r, "no such route")
	}
}

// Perplexity fakes GET /async/chat/completions and POST /revoke_auth_token
// (https://docs.perplexity.ai/api-reference/revoke-auth-token-post): the bearer token
// authenticates the call, and the body's auth_token names the token revoked; the fake fails a
// call whose two differ (leakstop only ever revokes the key with itself).
type Perplexity struct {
	*Server
}

// NewPerplexity starts the fake.
func NewPerplexity(t testing.TB) *Perplexity {
	f := &Perplexity{}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddKey adds a live key.
func (f *Perplexity) AddKey(v string) { f.keys.add(v, "pplx "+v[len(v)-4:]) }

func (f *Perplexity) handle(w http.ResponseWriter, r *http.Request, body string) {
	tok := bearerOf(r)
	unauthorized := func() {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"message": "Invalid API key", "type": "invalid_api_key", "code": 401}})
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/async/chat/completions":
		if f.keys.verify(tok) == nil {
			unauthorized()
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"requests": []map[string]any{{"id": "req_1", "created_at": 1735689600, "model": "sonar-deep-research", "status": "COMPLETED"}}, "next_token": nil})
	case r.Method == http.MethodPost && r.URL.Path == "/revoke_auth_token":
		var req struct {
			AuthToken string `json:"auth_token"`
		}
		if err := json.Unmarshal([]byte(body), &req); err != nil || r.Header.Get("Content-Type") != "application/json" {
			f.unexpected(w, r, fmt.Sprintf("the body is not the JSON the API takes (%v)", err))
			return
		}
		if req.AuthToken != tok {
			f.unexpected(w, r, "auth_token is not the bearer token")
			return
		}
		x := f.keys.get(tok)
		if x == nil || !x.live {
			unauthorized()
			return
		}
		f.revoke(x, r)
		w.WriteHeader(http.StatusOK)
	default:
		f.unexpected(w, r, "no such route")
	}
}

// Langfuse fakes GET /api/public/projects
// (https://api.reference.langfuse.com/#tag/projects/GET/api/public/projects): HTTP basic
// auth, the public key as the user and the secret key as the password.
type Langfuse struct {
	*Server
}

// NewLangfuse starts the fake.
func NewLangfuse(t testing.TB) *Langfuse {
	f := &Langfuse{}
	f.Server = newServer(t, func(r *http.Request) string { _, p, _ := basic(r); return p }, f.handle)
	return f
}

// AddPair adds a live key pair.
func (f *Langfuse) AddPair(public, secret string) {
	f.keys.add(public+":"+secret, "langfuse "+public[len(public)-4:])
}

func (f *Langfuse) handle(w http.ResponseWriter, r *http.Request, _ string) {
	if r.Method != http.MethodGet || r.URL.Path != "/api/public/projects" {
		f.unexpected(w, r, "no such route")
		return
	}
	user, pass, ok := basic(r)
	if !ok || f.keys.verify(user+":"+pass) == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Invalid credentials. Confirm that you've configured the correct host."})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": []map[string]any{{"id": "cloramnkj0002jz088vzn1ja4", "name": "my-project", "metadata": map[string]any{}}}})
}

// Wandb fakes W&B's GraphQL endpoint for the one query leakstop sends, the viewer
// (POST /graphql, HTTP basic auth api:<key>): a live key's user, or a 401. Any other query
// fails the test.
type Wandb struct {
	*Server
}

// NewWandb starts the fake.
func NewWandb(t testing.TB) *Wandb {
	f := &Wandb{}
	f.Server = newServer(t, func(r *http.Request) string { _, p, _ := basic(r); return p }, f.handle)
	return f
}

// AddKey adds a live key.
func (f *Wandb) AddKey(v string) { f.keys.add(v, "wandb "+v[len(v)-4:]) }

func (f *Wandb) handle(w http.ResponseWriter, r *http.Request, body string) {
	var q struct {
		Query string `json:"query"`
	}
	if r.Method != http.MethodPost || r.URL.Path != "/graphql" || json.Unmarshal([]byte(body), &q) != nil ||
		!strings.Contains(q.Query, "viewer") || strings.Contains(q.Query, "mutation") {
		f.unexpected(w, r, "not the viewer query")
		return
	}
	user, pass, ok := basic(r)
	if !ok || user != "api" || f.keys.verify(pass) == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": []map[string]any{{"message": "user is not logged in"}}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"viewer": map[string]any{"id": "VXNlcjoxMjM0NQ==", "username": "alice"}}})
}
