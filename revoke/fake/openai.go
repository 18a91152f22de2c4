package fake

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// OpenAI fakes the OpenAI API (providers.md §1): GET /v1/models, and the Administration API
// (projects, project API keys with owner_project_access, service accounts, admin keys),
// with cursor pagination of at most 100 and "first 8, stars, last 4" redacted values.
type OpenAI struct {
	*Server
	// Admin is the operator's admin key (OPENAI_ADMIN_KEY).
	Admin string
	// ReadOnlyAdmin makes DELETE calls answer 401 "insufficient permissions".
	ReadOnlyAdmin bool

	projects []*openaiProject
	admins   []*OpenAIKey
	// Deleted lists what was deleted, in order: key ids and service-account ids.
	Deleted []string
}

// OpenAIKey is a key the fake knows.
type OpenAIKey struct {
	ID, Name, Value string
	Project         string
	ServiceAccount  string // set for service-account keys
	// Restricted keys lack the Models-read scope: /v1/models answers 401 "Missing scopes".
	Restricted bool
	k          *key
}

type openaiProject struct {
	id   string
	keys []*OpenAIKey
	sas  map[string]bool
}

// NewOpenAI starts the fake with an operator admin key.
func NewOpenAI(t testing.TB, admin string) *OpenAI {
	f := &OpenAI{Admin: admin}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// Redacted is how OpenAI lists a key: the first 8 characters, stars, the last 4.
func Redacted(v string) string {
	if len(v) < 12 {
		return v
	}
	return v[:8] + strings.Repeat("*", len(v)-12) + v[len(v)-4:]
}

func (f *OpenAI) project(id string) *openaiProject {
	for _, p := range f.projects {
		if p.id == id {
			return p
		}
	}
	p := &openaiProject{id: id, sas: map[string]bool{}}
	f.projects = append(f.projects, p)
	return p
}

// AddProject adds an empty project (for pagination of the project list).
func (f *OpenAI) AddProject(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.project(id)
}

// AddKey adds a project key (serviceAccount empty) or a service-account key.
func (f *OpenAI) AddKey(project, serviceAccount, value string) *OpenAIKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.project(project)
	id := fmt.Sprintf("key_%s_%d", project, len(p.keys))
	k := &OpenAIKey{ID: id, Name: "key " + id, Value: value, Project: project, ServiceAccount: serviceAccount}
	k.k = f.keys.add(value, id)
	if serviceAccount != "" {
		p.sas[serviceAccount] = true
	}
	p.keys = append(p.keys, k)
	return k
}

// AddAdminKey adds an admin key of the organization.
func (f *OpenAI) AddAdminKey(value string) *OpenAIKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := fmt.Sprintf("key_admin_%d", len(f.admins))
	k := &OpenAIKey{ID: id, Name: "admin " + id, Value: value}
	k.k = f.keys.add(value, id)
	f.admins = append(f.admins, k)
	return k
}

func openaiErr(w http.ResponseWriter, status int, msg string, code any) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": code}})
}

func (f *OpenAI) handle(w http.ResponseWriter, r *http.Request, body string) {
	tok := bearerOf(r)
	path := strings.TrimPrefix(r.URL.Path, "/v1")
	if path == r.URL.Path {
		f.unexpected(w, r, "OpenAI paths start with /v1")
		return
	}
	if tok == "" {
		openaiErr(w, http.StatusUnauthorized, "You didn't provide an API key.", nil)
		return
	}
	if path == "/models" && r.Method == http.MethodGet {
		f.models(w, tok)
		return
	}
	if !strings.HasPrefix(path, "/organization/") {
		f.unexpected(w, r, "no such route")
		return
	}
	// Administration API: the operator's admin key, or a live leaked admin key.
	isAdmin := tok == f.Admin && f.Admin != ""
	if !isAdmin {
		if x := f.keys.verify(tok); x != nil && strings.HasPrefix(tok, "sk-admin-") {
			isAdmin = true
		} else if x != nil {
			openaiErr(w, http.StatusUnauthorized, "You have insufficient permissions for this operation. Missing scopes: api.management.read.", nil)
			return
		} else {
			openaiErr(w, http.StatusUnauthorized, "Incorrect API key provided: "+Redacted(tok)+".", "invalid_api_key")
			return
		}
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && path == "/organization/admin_api_keys":
		items, more := page(f.liveAdmins(), func(k *OpenAIKey) string { return k.ID }, r.URL.Query().Get("limit"), r.URL.Query().Get("after"), 20, 100)
		writeList(w, map[string]any{"object": "list"}, items, more, func(k *OpenAIKey) map[string]any {
			return map[string]any{"object": "organization.admin_api_key", "id": k.ID, "name": k.Name, "redacted_value": Redacted(k.Value), "created_at": 1711471533, "expires_at": nil, "owner": map[string]any{"type": "user", "id": "user_1"}}
		})
	case r.Method == http.MethodGet && path == "/organization/projects":
		items, more := page(f.projects, func(p *openaiProject) string { return p.id }, r.URL.Query().Get("limit"), r.URL.Query().Get("after"), 20, 100)
		writeList(w, map[string]any{"object": "list"}, items, more, func(p *openaiProject) map[string]any {
			return map[string]any{"object": "organization.project", "id": p.id, "name": "Project " + p.id, "created_at": 1711471533, "archived_at": nil, "status": "active"}
		})
	case r.Method == http.MethodGet && len(parts) == 4 && parts[1] == "projects" && parts[3] == "api_keys":
		p := f.find(parts[2])
		if p == nil {
			openaiErr(w, http.StatusNotFound, "No such project", nil)
			return
		}
		if r.URL.Query().Get("owner_project_access") != "any" {
			f.t.Errorf("fake OpenAI: listing keys without owner_project_access=any may miss keys")
		}
		var live []*OpenAIKey
		for _, k := range p.keys {
			if k.k.live {
				live = append(live, k)
			}
		}
		items, more := page(live, func(k *OpenAIKey) string { return k.ID }, r.URL.Query().Get("limit"), r.URL.Query().Get("after"), 20, 100)
		writeList(w, map[string]any{"object": "list"}, items, more, func(k *OpenAIKey) map[string]any {
			owner := map[string]any{"type": "user", "user": map[string]any{"id": "user_1", "name": "First Last", "role": "owner"}}
			if k.ServiceAccount != "" {
				owner = map[string]any{"type": "service_account", "service_account": map[string]any{"id": k.ServiceAccount, "name": "sa " + k.ServiceAccount, "role": "member"}}
			}
			return map[string]any{"object": "organization.project.api_key", "redacted_value": Redacted(k.Value), "name": k.Name, "created_at": 1750493476, "last_used_at": nil, "id": k.ID, "owner_project_access": "active", "owner": owner}
		})
	case r.Method == http.MethodDelete && len(parts) == 5 && parts[1] == "projects" && parts[3] == "api_keys":
		if f.ReadOnlyAdmin {
			openaiErr(w, http.StatusUnauthorized, "You have insufficient permissions for this operation. Missing scopes: api.management.write.", nil)
			return
		}
		k := f.findKey(parts[2], parts[4])
		if k == nil || !k.k.live {
			if k != nil {
				f.revoke(k.k, r)
			}
			openaiErr(w, http.StatusNotFound, "No such API key", nil)
			return
		}
		if k.ServiceAccount != "" {
			openaiErr(w, http.StatusBadRequest, "This key belongs to a service account; delete the service account instead.", nil)
			return
		}
		f.revoke(k.k, r)
		f.Deleted = append(f.Deleted, k.ID)
		writeJSON(w, http.StatusOK, map[string]any{"object": "organization.project.api_key.deleted", "id": k.ID, "deleted": true})
	case r.Method == http.MethodDelete && len(parts) == 5 && parts[1] == "projects" && parts[3] == "service_accounts":
		p := f.find(parts[2])
		if p == nil || !p.sas[parts[4]] {
			openaiErr(w, http.StatusNotFound, "No such service account", nil)
			return
		}
		if f.ReadOnlyAdmin {
			openaiErr(w, http.StatusUnauthorized, "You have insufficient permissions for this operation. Missing scopes: api.management.write.", nil)
			return
		}
		verified := false
		for _, k := range p.keys {
			if k.ServiceAccount == parts[4] && k.k.verified {
				verified = true
			}
		}
		if !verified {
			f.t.Errorf("fake OpenAI: service account %s deleted, but none of its keys was verified first", parts[4])
		}
		delete(p.sas, parts[4])
		for _, k := range p.keys {
			if k.ServiceAccount == parts[4] && k.k.live {
				k.k.revoked++
				k.k.live = false
			}
		}
		f.Deleted = append(f.Deleted, parts[4])
		writeJSON(w, http.StatusOK, map[string]any{"object": "organization.project.service_account.deleted", "id": parts[4], "deleted": true})
	case r.Method == http.MethodDelete && len(parts) == 3 && parts[1] == "admin_api_keys":
		for _, k := range f.admins {
			if k.ID == parts[2] {
				if !k.k.live {
					f.revoke(k.k, r)
					openaiErr(w, http.StatusNotFound, "No such admin key", nil)
					return
				}
				f.revoke(k.k, r)
				f.Deleted = append(f.Deleted, k.ID)
				writeJSON(w, http.StatusOK, map[string]any{"object": "organization.admin_api_key.deleted", "id": k.ID, "deleted": true})
				return
			}
		}
		openaiErr(w, http.StatusNotFound, "No such admin key", nil)
	default:
		f.unexpected(w, r, "no such route")
	}
}

func (f *OpenAI) models(w http.ResponseWriter, tok string) {
	x := f.keys.verify(tok)
	if x == nil || strings.HasPrefix(tok, "sk-admin-") {
		openaiErr(w, http.StatusUnauthorized, "Incorrect API key provided: "+Redacted(tok)+". You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_api_key")
		return
	}
	f.mu.Lock()
	restricted := false
	for _, p := range f.projects {
		for _, k := range p.keys {
			if k.Value == tok && k.Restricted {
				restricted = true
			}
		}
	}
	f.mu.Unlock()
	if restricted {
		openaiErr(w, http.StatusUnauthorized, "You have insufficient permissions for this operation. Missing scopes: api.model.read. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []map[string]any{
		{"id": "gpt-4o-mini", "object": "model", "created": 1686935002, "owned_by": "system"},
		{"id": "gpt-4o", "object": "model", "created": 1686935003, "owned_by": "system"},
	}})
}

func (f *OpenAI) liveAdmins() []*OpenAIKey {
	var out []*OpenAIKey
	for _, k := range f.admins {
		if k.k.live {
			out = append(out, k)
		}
	}
	return out
}

func (f *OpenAI) find(id string) *openaiProject {
	for _, p := range f.projects {
		if p.id == id {
			return p
		}
	}
	return nil
}

func (f *OpenAI) findKey(project, id string) *OpenAIKey {
	p := f.find(project)
	if p == nil {
		return nil
	}
	for _, k := range p.keys {
		if k.ID == id {
			return k
		}
	}
	return nil
}
