package revoke

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestRegions: a regional provider asks its regions in order, stops at the first that
// knows the key (or gives no definite answer), and calls a key invalid only when every
// region does.
func TestRegions(t *testing.T) {
	type region struct {
		status int
		body   string
	}
	tests := []struct {
		name    string
		regions []region
		want    outcome.Status
		asked   int
	}{
		{"first region", []region{{200, `{"type":"admin","id":"1"}`}, {200, `{"type":"admin","id":"2"}`}}, outcome.Live, 1},
		{"second region", []region{{401, `{"errors":[{"code":"unauthorized"}]}`}, {200, `{"type":"admin","id":"2"}`}, {401, `{}`}}, outcome.Live, 2},
		{"no region", []region{{401, `{}`}, {401, `{}`}, {401, `{"errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}`}}, outcome.Invalid, 3},
		{"unknown stops", []region{{500, `{}`}, {200, `{"type":"admin","id":"2"}`}}, outcome.Unknown, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			asked := 0
			var hosts []string
			for _, r := range tt.regions {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
					mu.Lock()
					asked++
					mu.Unlock()
					if req.URL.Path != "/me" || req.Header.Get("Authorization") != "Bearer tok" {
						t.Errorf("asked %s %s", req.URL.Path, req.Header.Get("Authorization"))
					}
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(r.status)
					_, _ = w.Write([]byte(r.body))
				}))
				t.Cleanup(srv.Close)
				hosts = append(hosts, srv.URL)
			}
			cfg := Config{Client: &Client{Redactor: &rules.Redactor{}, MaxRetries: -1}, Env: func(string) string { return "" }}
			rs := onRegions(cfg, "intercom", hosts...)
			got, err := rs.Verify(context.Background(), Secret{Provider: "intercom", Value: "tok"})
			if err != nil {
				got = Outcome{Status: outcome.Unknown, Detail: err.Error()}
			}
			if got.Status != tt.want || asked != tt.asked {
				t.Errorf("got %s (%s) after %d regions, want %s after %d", got.Status, got.Detail, asked, tt.want, tt.asked)
			}
			if tt.want == outcome.Invalid && !strings.Contains(got.Detail, "every region") {
				t.Errorf("detail %q", got.Detail)
			}
		})
	}
	// The override is one base for every region.
	cfg := Config{Client: &Client{}, Env: func(k string) string {
		if k == "LEAKSTOP_INTERCOM_URL" {
			return "http://127.0.0.1:1"
		}
		return ""
	}}
	if rs := onRegions(cfg, "intercom", "https://api.intercom.io", "https://api.eu.intercom.io"); len(rs) != 1 || rs[0].url(Secret{}) != "http://127.0.0.1:1/me" {
		t.Errorf("with the override: %d regions", len(rs))
	}
	// Without it, each region's host with the declared path.
	cfg.Env = func(string) string { return "" }
	rs := onRegions(cfg, "intercom", "https://api.intercom.io", "https://api.eu.intercom.io", "https://api.au.intercom.io")
	var urls []string
	for _, g := range rs {
		urls = append(urls, g.url(Secret{}))
	}
	if strings.Join(urls, " ") != "https://api.intercom.io/me https://api.eu.intercom.io/me https://api.au.intercom.io/me" {
		t.Errorf("urls %v", urls)
	}
}
