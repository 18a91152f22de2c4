package fake

import (
	"net/http"
	"strings"
	"testing"
)

// Operator keys the Datadog fake accepts. They are not key-shaped: nothing leakstop scans
// may take them for a leak.
const (
	operatorDatadogAPI = "operator-datadog-api-key"
	operatorDatadogApp = "operator-datadog-application-key"
)

// Datadog fakes one Datadog site (https://docs.datadoghq.com/api/latest/key-management/):
// GET /api/v1/validate with DD-API-KEY ({"valid": true}, or 403 {"errors": ["Forbidden"]});
// with the operator's DD-API-KEY and DD-APPLICATION-KEY, GET and DELETE /api/v1/api_key/{key}
// and /api/v1/application_key/{key} on a key of the operator's organization ({"api_key":
// {…}}, {"application_key": {…}}; 404 for any other key).
type Datadog struct {
	*Server
	api, app string
	own      map[string]bool // the operator's organization's keys
}

// NewDatadog starts the fake; api and app are the operator keys it accepts.
func NewDatadog(t testing.TB, api, app string) *Datadog {
	f := &Datadog{api: api, app: app, own: map[string]bool{}}
	f.Server = newServer(t, func(r *http.Request) string { return r.Header.Get("DD-API-KEY") }, f.handle)
	return f
}

// AddKey adds a live API key (32 characters) or application key (40) of the operator's
// organization.
func (f *Datadog) AddKey(v string) {
	f.keys.mu.Lock()
	f.own[v] = true
	f.keys.mu.Unlock()
	f.keys.add(v, "datadog "+v[len(v)-4:])
}

// isApp reports whether v is an application key (40 characters).
func (f *Datadog) isApp(v string) bool { return len(v) == 40 }

// AddForeignKey adds a live API key of another organization: it validates, and the
// operator's organization does not hold it.
func (f *Datadog) AddForeignKey(v string) { f.keys.add(v, "foreign "+v[len(v)-4:]) }

func (f *Datadog) handle(w http.ResponseWriter, r *http.Request, _ string) {
	forbidden := func() { writeJSON(w, http.StatusForbidden, map[string]any{"errors": []string{"Forbidden"}}) }
	if r.Method == http.MethodGet && r.URL.Path == "/api/v1/validate" {
		if f.keys.verify(r.Header.Get("DD-API-KEY")) == nil {
			forbidden()
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"valid": true})
		return
	}
	v, ok := strings.CutPrefix(r.URL.Path, "/api/v1/api_key/")
	app := false
	if !ok {
		v, ok = strings.CutPrefix(r.URL.Path, "/api/v1/application_key/")
		app = true
	}
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodDelete) {
		f.unexpected(w, r, "not a call leakstop makes")
		return
	}
	if r.Header.Get("DD-API-KEY") != f.api || r.Header.Get("DD-APPLICATION-KEY") != f.app {
		forbidden()
		return
	}
	f.keys.mu.Lock()
	own := f.own[v]
	f.keys.mu.Unlock()
	x := f.keys.get(v)
	if !own || x == nil || !x.live || app != f.isApp(v) {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []string{"API key not found"}})
		return
	}
	if app && r.Method == http.MethodGet {
		f.keys.verify(v)
	}
	if r.Method == http.MethodDelete {
		f.revoke(x, r)
	}
	if app {
		writeJSON(w, http.StatusOK, map[string]any{"application_key": map[string]any{"hash": v, "name": "ci", "owner": "alice@example.com"}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"api_key": map[string]any{"created": "2026-01-05 10:00:00", "created_by": "alice@example.com", "key": v, "name": "agent"}})
}
