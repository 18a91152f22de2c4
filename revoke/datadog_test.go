package revoke

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestDatadogSites: a key is asked of each site until one knows it; a key no site knows is
// invalid, but one that a site could not answer for is unknown.
func TestDatadogSites(t *testing.T) {
	site := func(status int, body string) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write([]byte(body))
		}))
		t.Cleanup(s.Close)
		return s
	}
	no := func() *httptest.Server { return site(403, `{"errors":["Forbidden"]}`) }
	yes := func() *httptest.Server { return site(200, `{"valid":true}`) }
	down := func() *httptest.Server { return site(502, `{"errors":["Bad Gateway"]}`) }
	for _, tt := range []struct {
		name  string
		sites []*httptest.Server
		want  outcome.Status
		host  int // the site named in a live detail
	}{
		{"the second site", []*httptest.Server{no(), yes(), no()}, outcome.Live, 1},
		{"no site", []*httptest.Server{no(), no(), no()}, outcome.Invalid, -1},
		{"a site down", []*httptest.Server{down(), no(), no()}, outcome.Unknown, -1},
		{"a site down, another knows it", []*httptest.Server{down(), yes()}, outcome.Live, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := newDatadog(Config{Client: &Client{HTTP: &http.Client{Timeout: time.Second}, Backoff: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }}, Env: func(string) string { return "" }})
			d.sites = nil
			for _, s := range tt.sites {
				d.sites = append(d.sites, s.URL)
			}
			out, err := d.Verify(context.Background(), Secret{Provider: "datadog", Rule: "datadog-api-key", Value: strings.Repeat("ab12", 8)})
			if err != nil || out.Status != tt.want {
				t.Fatalf("%+v %v, want %s", out, err, tt.want)
			}
			if tt.host >= 0 && !strings.Contains(out.Detail, hostOf(tt.sites[tt.host].URL)) {
				t.Errorf("detail %q does not name the site", out.Detail)
			}
		})
	}
}

// TestAlgoliaAnswers: Algolia's 403 is a dead key only when it says so; a key without its
// application ID is sent nowhere.
func TestAlgoliaAnswers(t *testing.T) {
	var calls int
	var status int
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	defer srv.Close()
	cfg := Config{Client: &Client{HTTP: srv.Client(), Backoff: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }}, Env: func(k string) string {
		if k == "LEAKSTOP_ALGOLIA_URL" {
			return srv.URL
		}
		return ""
	}}
	a := newAlgolia(cfg)
	s := Secret{Provider: "algolia", Rule: "algolia-admin-key", Value: strings.Repeat("0a1b", 8), Companion: "AB12CD34EF"}
	for _, tt := range []struct {
		status int
		body   string
		want   outcome.Status
	}{
		{200, `{"items":[],"nbPages":0}`, outcome.Live},
		{403, `{"message":"Invalid Application-ID or API key","status":403}`, outcome.Invalid},
		{403, `{"message":"Method not allowed with this API key","status":403}`, outcome.Live},
		{404, `{"message":"Not found"}`, outcome.Unknown},
	} {
		status, body = tt.status, tt.body
		if out, err := a.Verify(context.Background(), s); err != nil || out.Status != tt.want {
			t.Errorf("%d %s: %+v %v, want %s", tt.status, tt.body, out, err, tt.want)
		}
	}
	before := calls
	for _, app := range []string{"", "ab12cd34ef", "AB12CD34EF.evil.example"} {
		s.Companion = app
		if out, _ := a.Verify(context.Background(), s); out.Status != outcome.Skipped {
			t.Errorf("application %q: %+v", app, out)
		}
	}
	if calls != before {
		t.Errorf("a key without its application ID was sent")
	}
}
