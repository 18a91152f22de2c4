package revoke_test

import (
	"context"
	"testing"
	"time"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestGoVerifications runs the code providers whose verification is Go code (a POST that
// only reads, a key with its app id, a host found beside the token) against their fakes, as
// TestDeclaredVerifications runs the declared ones: live, invalid, a 429 with Retry-After
// (waited, then live), a 500 for ever (unknown, after the retries).
func TestGoVerifications(t *testing.T) {
	// Rules whose verification is another call, and whose unknown key is not invalid: a
	// Datadog application key is looked up in the operator's organization, and one not there
	// may be another organization's.
	other := map[string]struct {
		route string
		dead  outcome.Status
	}{
		"datadog-app-key": {"GET /api/v1/application_key/", outcome.Unknown},
	}
	for _, tt := range []struct {
		provider string
		route    string // the verify call, for Inject
	}{
		{"linear", "POST /graphql"},
		{"dropbox", "POST /2/users/get_current_account"},
		{"okta", "GET /"},
		{"jfrog", "GET /access/api/v1/tokens/me"},
		{"datadog", "GET /api/v1/validate"},
		{"algolia", "GET /1/indexes"},
		{"sonarqube", "GET /api/authentication/validate"},
		{"auth0", "GET /api/v2/tenants/settings"},
		{"sentry", "GET /api/0/organizations/"},
	} {
		p, ok := rules.LookupProvider(tt.provider)
		if !ok {
			t.Fatalf("no provider %s", tt.provider)
		}
		for i, id := range p.Rules {
			for _, c := range []struct {
				name   string
				live   bool
				inject *fake.Reply
				times  int
				want   outcome.Status
				waits  []time.Duration
			}{
				{"live", true, nil, 0, outcome.Live, nil},
				{"invalid", false, nil, 0, outcome.Invalid, nil},
				{"429 then live", true, &fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "7"}, Body: `{"error":"rate limited"}`}, 1, outcome.Live, []time.Duration{7 * time.Second}},
				{"500", true, &fake.Reply{Status: 500, Body: `{"error":"internal"}`}, -1, outcome.Unknown, nil},
			} {
				route, want := tt.route, c.want
				if o, ok := other[id]; ok {
					route = o.route
					if c.name == "invalid" {
						want = o.dead
					}
				}
				t.Run(id+"/"+c.name, func(t *testing.T) {
					setup, _ := fake.Start(t, tt.provider)
					v, comp := ruleSecret(t, id, uint64(800+i))
					if c.live {
						setup.Add(v, comp)
					}
					if c.inject != nil {
						setup.Server.Inject(route, c.times, *c.inject)
					}
					h := newHarness(t, setup.Env)
					s := h.secret(tt.provider, v, comp)
					s.Rule = id
					res := h.runner(false, false).Run(context.Background(), []revoke.Secret{s})
					got := res[0].Verification
					if got.Status == outcome.Skipped {
						t.Skipf("%s is not verified: %s", id, got.Detail)
					}
					if got.Status != want {
						t.Fatalf("verification %+v, want %s", got, want)
					}
					if c.waits != nil {
						h.mu.Lock()
						waits := append([]time.Duration(nil), h.waits...)
						h.mu.Unlock()
						if len(waits) != 1 || waits[0] != c.waits[0] {
							t.Errorf("waits %v, want %v", waits, c.waits)
						}
					}
				})
			}
		}
	}
}
