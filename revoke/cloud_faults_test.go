package revoke_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// goVerifiedCloud are the cloud rules verified by Go code against a hand-written fake (the
// declared ones are TestDeclaredVerifications'), with the route of their verify call.
var goVerifiedCloud = []struct{ provider, rule, route string }{
	{"scaleway", "scaleway-access-key", "GET /iam/v1alpha1/api-keys/"},
	{"alibaba", "alibaba-access-key-id", "GET /"},
	{"backblaze", "backblaze-application-key", "GET /b2api/v3/b2_authorize_account"},
	{"ibm-cloud", "ibm-cloud-api-key", "POST /identity/token"},
	{"mongodb-atlas", "mongodb-atlas-sa-secret", "POST /api/oauth/token"},
	{"cloudflare", "cloudflare-global-api-key", "GET /client/v4/user"},
	{"supabase", "supabase-access-token", "GET /v1/projects"},
	{"supabase", "supabase-service-role-key", "GET /rest/v1/"},
	{"supabase", "supabase-secret-key", "GET /rest/v1/"},
	{"mapbox", "mapbox-secret-token", "GET /tokens/v2"},
	{"snowflake", "snowflake-programmatic-access-token", "POST /api/v2/statements"},
	{"databricks", "databricks-token", "GET /api/2.0/preview/scim/v2/Me"},
	{"azure", "azure-storage-account-key", "GET /"},
	{"tencent", "tencent-secret-id", "POST /"},
	{"planetscale", "planetscale-service-token", "GET /v1/organizations"},
	{"upstash", "upstash-redis-token", "GET /ping"},
	{"azure", "azure-storage-key", "GET /"},
}

// TestCloudVerifyAnswers verifies a secret of each rule of goVerifiedCloud against its fake:
// live; invalid once the fake does not know it; live after one 429 whose Retry-After was
// waited, not slept; unknown while the fake answers 500. Nothing is revoked, and no detail
// holds the secret.
func TestCloudVerifyAnswers(t *testing.T) {
	cases := []struct {
		name  string
		add   bool
		reply *fake.Reply
		times int
		want  outcome.Status
	}{
		{"live", true, nil, 0, outcome.Live},
		{"invalid", false, nil, 0, outcome.Invalid},
		{"429 then live", true, &fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "7"}, Body: `{"message":"rate limit exceeded"}`}, 1, outcome.Live},
		{"500", true, &fake.Reply{Status: 500, Body: `{"message":"internal error"}`}, -1, outcome.Unknown},
	}
	seed := uint64(15000)
	for _, tt := range goVerifiedCloud {
		for _, c := range cases {
			t.Run(tt.rule+"/"+c.name, func(t *testing.T) {
				setup, ok := fake.Start(t, tt.provider)
				if !ok {
					t.Fatalf("%s has no fake", tt.provider)
				}
				seed++
				value, companion := ruleSecret(t, tt.rule, seed)
				if c.add {
					setup.Add(value, companion)
				}
				if c.reply != nil {
					setup.Server.Inject(tt.route, c.times, *c.reply)
				}
				h := newHarness(t, setup.Env)
				s := h.secret(tt.provider, value, companion)
				s.Rule = tt.rule
				res := h.runner(false, false).Run(context.Background(), []revoke.Secret{s})[0]
				if res.Verification.Status != c.want {
					t.Errorf("verification %+v, want %s", res.Verification, c.want)
				}
				if res.Revocation != nil {
					t.Errorf("revocation %+v without --revoke", res.Revocation)
				}
				if c.reply != nil && c.reply.Status == 429 && (len(h.waits) != 1 || h.waits[0] != 7*time.Second) {
					t.Errorf("waits %v, want the 7s the provider asked", h.waits)
				}
				if len(setup.Server.Calls()) == 0 {
					t.Error("no call reached the fake")
				}
				checkNoSecrets(t, "the detail", res.Verification.Detail, value, companion)
			})
		}
	}
}

// TestCloudNoPermission: a key that authenticates but may not make the verify call is live,
// and the detail says what it may not do.
func TestCloudNoPermission(t *testing.T) {
	for _, tt := range []struct {
		provider, rule string
		start          func(t *testing.T) (env string, u string, add func(v, c string))
	}{
		{"scaleway", "scaleway-access-key", func(t *testing.T) (string, string, func(v, c string)) {
			f := fake.NewScaleway(t, "")
			return "LEAKSTOP_SCALEWAY_URL", f.URL, f.AddRestricted
		}},
		{"planetscale", "planetscale-service-token", func(t *testing.T) (string, string, func(v, c string)) {
			f := fake.NewPlanetScale(t)
			return "LEAKSTOP_PLANETSCALE_URL", f.URL, f.AddRestricted
		}},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			env, u, add := tt.start(t)
			value, companion := ruleSecret(t, tt.rule, 16000)
			add(value, companion)
			h := newHarness(t, map[string]string{env: u})
			s := h.secret(tt.provider, value, companion)
			s.Rule = tt.rule
			res := h.runner(false, false).Run(context.Background(), []revoke.Secret{s})[0]
			if res.Verification.Status != outcome.Live || !strings.Contains(res.Verification.Detail, "may not") {
				t.Errorf("verification %+v, want live without the permission", res.Verification)
			}
		})
	}
}
