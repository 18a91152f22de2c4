package revoke_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestCloudRevocations revokes a live secret of every rule of the cloud providers that
// revoke, against their fakes (which fail on any call they do not know, on a revocation of a
// secret not verified first and on a second one): the revocation is the documented call,
// and the secret is dead after it and verified invalid.
func TestCloudRevocations(t *testing.T) {
	// Rules whose secrets are not revoked, and why (the status their revocation ends with).
	notRevoked := map[string]outcome.Status{
		"vercel-app-refresh-token":  outcome.Skipped,     // not a bearer token: never verified live
		"cloudflare-global-api-key": outcome.Unsupported, // rolled in the dashboard only
		// The example's private key is random bytes, which cannot sign: it verifies invalid
		// (google_test.go revokes a real one).
		"google-service-account-key": outcome.Skipped,
		"google-oauth-client-secret": outcome.Skipped,     // verifies only through a browser
		"cloudflare-origin-ca-key":   outcome.Skipped,     // reads only a zone it is told
		"digitalocean-token":         outcome.Unsupported, // no API revokes a personal access token
		"upstash-qstash-token":       outcome.Skipped,     // works only in its region, not part of it
		"aws-secret-access-key":      outcome.Skipped,     // a secret access key alone: STS needs its key id
	}
	seed := uint64(12000)
	for _, p := range rules.Providers() {
		if p.Category != "cloud" {
			continue
		}
		for _, id := range p.Rules {
			setup, ok := fake.Start(t, p.ID)
			if !ok {
				continue
			}
			h := newHarness(t, setup.Env)
			reg := h.runner(true, false).Registry
			if v, _ := reg.Lookup(p.ID); !revokes(v) {
				continue
			}
			t.Run(p.ID+"/"+id, func(t *testing.T) {
				seed++
				value, companion := ruleSecret(t, id, seed)
				setup.Add(value, companion)
				s := h.secret(p.ID, value, companion)
				s.Rule = id
				res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})[0]
				want, skip := notRevoked[id]
				if !skip {
					want = outcome.Revoked
				}
				if res.Revocation == nil || res.Revocation.Status != want {
					t.Fatalf("revocation %+v (verification %+v), want %s", res.Revocation, res.Verification, want)
				}
				if want == outcome.Revoked && (setup.Live(value) || res.Verification.Status != outcome.Invalid) {
					t.Errorf("still live after the revocation (verification %+v)", res.Verification)
				}
			})
		}
	}
}

// revokes reports whether a provider can revoke.
func revokes(v revoke.Verifier) bool {
	_, single := v.(revoke.Revoker)
	_, batch := v.(revoke.BatchRevoker)
	return single || batch
}

// TestCloudVerifications verifies the secrets of the cloud providers that verify but do not
// revoke, with Go code, against their fakes: live, and invalid once the fake does not know
// the secret (a rule's secret with its companion, as a scan finds it).
func TestCloudVerifications(t *testing.T) {
	for _, tt := range []struct {
		provider, rule string
		start          func(t *testing.T) (url string, add func(v, c string))
	}{
		{"supabase", "supabase-access-token", supabaseFake},
		{"supabase", "supabase-service-role-key", supabaseFake},
		{"supabase", "supabase-secret-key", supabaseFake},
		{"mongodb-atlas", "mongodb-atlas-sa-secret", func(t *testing.T) (string, func(v, c string)) {
			f := fake.NewMongoDBAtlas(t)
			return f.URL, f.Add
		}},
	} {
		for _, live := range []bool{true, false} {
			t.Run(tt.rule+map[bool]string{true: "/live", false: "/invalid"}[live], func(t *testing.T) {
				u, add := tt.start(t)
				value, companion := ruleSecret(t, tt.rule, 13000)
				if companion == "" && tt.rule != "supabase-access-token" && tt.rule != "supabase-service-role-key" {
					t.Fatalf("the rule's first example gives no companion")
				}
				if live {
					add(value, companion)
				}
				p, _ := rules.LookupProvider(tt.provider)
				h := newHarness(t, map[string]string{p.URLEnv: u})
				s := h.secret(tt.provider, value, companion)
				s.Rule = tt.rule
				res := h.runner(false, false).Run(context.Background(), []revoke.Secret{s})[0]
				want := map[bool]outcome.Status{true: outcome.Live, false: outcome.Invalid}[live]
				if res.Verification.Status != want {
					t.Errorf("verification %+v, want %s", res.Verification, want)
				}
			})
		}
	}
}

func supabaseFake(t *testing.T) (string, func(v, c string)) {
	row, _ := fake.RowFor("supabase")
	f := fake.NewTable(t, row)
	return f.URL, func(v, _ string) { f.AddKey(v) }
}

// TestCloudRevocationLimits: where the leaked secret may not revoke itself, or nothing tells
// which of the user's tokens it is, nothing is deleted and the outcome says what to do.
func TestCloudRevocationLimits(t *testing.T) {
	for _, tt := range []struct {
		name, provider, rule string
		setup                func(t *testing.T) (env map[string]string, add func(v, c string), live func(string) bool)
		want                 outcome.Status
	}{
		{"terraform: several tokens", "terraform", "terraform-api-token", func(t *testing.T) (map[string]string, func(v, c string), func(string) bool) {
			f := fake.NewTerraform(t)
			f.Extra = 2
			return map[string]string{"LEAKSTOP_TERRAFORM_URL": f.URL}, func(v, _ string) { f.AddToken(v) }, f.Live
		}, outcome.Unsupported},
		{"pulumi: several tokens", "pulumi", "pulumi-access-token", func(t *testing.T) (map[string]string, func(v, c string), func(string) bool) {
			f := fake.NewPulumi(t)
			f.Extra = 1
			return map[string]string{"LEAKSTOP_PULUMI_URL": f.URL}, func(v, _ string) { f.AddToken(v) }, f.Live
		}, outcome.Unsupported},
		{"databricks: several tokens", "databricks", "databricks-token", func(t *testing.T) (map[string]string, func(v, c string), func(string) bool) {
			f := fake.NewDatabricks(t)
			f.Extra = 2
			return map[string]string{"LEAKSTOP_DATABRICKS_URL": f.URL}, func(v, _ string) { f.AddKey(v) }, f.Live
		}, outcome.Unsupported},
		{"upstash: no Developer API key", "upstash", "upstash-redis-token", func(t *testing.T) (map[string]string, func(v, c string), func(string) bool) {
			f := fake.NewUpstash(t, "ops@example.com", "")
			return map[string]string{"LEAKSTOP_UPSTASH_URL": f.URL}, func(v, _ string) { f.AddKey(v) }, f.Live
		}, outcome.NeedsCredential},
		{"linode: may not manage tokens", "linode", "linode-token", func(t *testing.T) (map[string]string, func(v, c string), func(string) bool) {
			f := fake.NewLinode(t)
			return map[string]string{"LEAKSTOP_LINODE_URL": f.URL}, func(v, _ string) { f.AddRestricted(v) }, f.Live
		}, outcome.NeedsCredential},
		{"scaleway: no IAM permission", "scaleway", "scaleway-access-key", func(t *testing.T) (map[string]string, func(v, c string), func(string) bool) {
			f := fake.NewScaleway(t, "")
			return map[string]string{"LEAKSTOP_SCALEWAY_URL": f.URL}, f.AddRestricted, f.Live
		}, outcome.NeedsCredential},
		{"backblaze: no deleteKeys", "backblaze", "backblaze-application-key", func(t *testing.T) (map[string]string, func(v, c string), func(string) bool) {
			f := fake.NewBackblaze(t)
			return map[string]string{"LEAKSTOP_BACKBLAZE_URL": f.URL}, f.AddLimited, f.Live
		}, outcome.Unsupported},
		{"ibm cloud: a locked key", "ibm-cloud", "ibm-cloud-api-key", func(t *testing.T) (map[string]string, func(v, c string), func(string) bool) {
			f := fake.NewIBMCloud(t)
			return map[string]string{"LEAKSTOP_IBM_CLOUD_URL": f.URL}, func(v, _ string) { f.AddLocked(v) }, f.Live
		}, outcome.Unsupported},
		{"mapbox: no tokens:write scope", "mapbox", "mapbox-secret-token", func(t *testing.T) (map[string]string, func(v, c string), func(string) bool) {
			f := fake.NewMapbox(t, "")
			return map[string]string{"LEAKSTOP_MAPBOX_URL": f.URL}, func(v, _ string) { f.AddRestricted(v) }, f.Live
		}, outcome.NeedsCredential},
		{"tailscale: an auth key without TAILSCALE_API_KEY", "tailscale", "tailscale-auth-key", func(t *testing.T) (map[string]string, func(v, c string), func(string) bool) {
			f := fake.NewTailscale(t, "")
			return map[string]string{"LEAKSTOP_TAILSCALE_URL": f.URL}, func(v, _ string) { f.AddKey(v) }, f.Live
		}, outcome.Skipped},
		{"vault: no address", "vault", "vault-token", func(t *testing.T) (map[string]string, func(v, c string), func(string) bool) {
			return map[string]string{}, func(string, string) {}, func(string) bool { return true }
		}, outcome.Skipped},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, add, live := tt.setup(t)
			value, companion := ruleSecret(t, tt.rule, 14000)
			add(value, companion)
			h := newHarness(t, env)
			s := h.secret(tt.provider, value, companion)
			s.Rule = tt.rule
			res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})[0]
			if res.Revocation.Status != tt.want {
				t.Fatalf("revocation %+v (verification %+v), want %s", res.Revocation, res.Verification, tt.want)
			}
			if !live(value) {
				t.Error("the secret was revoked")
			}
		})
	}
}

// TestMapboxRevokesItself: without MAPBOX_ADMIN_TOKEN, a secret token with the tokens:write
// scope deletes itself, by the user and id its metadata names.
func TestMapboxRevokesItself(t *testing.T) {
	f := fake.NewMapbox(t, "")
	value, _ := ruleSecret(t, "mapbox-secret-token", 17000)
	f.AddKey(value)
	h := newHarness(t, map[string]string{"LEAKSTOP_MAPBOX_URL": f.URL})
	s := h.secret("mapbox", value, "")
	s.Rule = "mapbox-secret-token"
	res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})[0]
	if res.Revocation == nil || res.Revocation.Status != outcome.Revoked || !strings.Contains(res.Revocation.Detail, "itself") {
		t.Fatalf("revocation %+v, want revoked with itself", res.Revocation)
	}
	if f.Live(value) || f.Count(http.MethodDelete, "/tokens/v2/") != 1 {
		t.Errorf("live %v after %d DELETEs", f.Live(value), f.Count(http.MethodDelete, "/tokens/v2/"))
	}
	// The token travels in the query: the audit log keeps it redacted.
	checkAudit(t, h, value)
}

// TestSnowflakeUnverified: a password is not sent anywhere (Snowflake documents no call that
// checks one), nor a token whose account is not known; neither is revoked.
func TestSnowflakeUnverified(t *testing.T) {
	f := fake.NewSnowflake(t)
	h := newHarness(t, map[string]string{})
	pw, account := ruleSecret(t, "snowflake-password", 18000)
	if account == "" {
		t.Fatal("the password's first example gives no account")
	}
	tok, _ := ruleSecret(t, "snowflake-programmatic-access-token", 18001)
	a, b := h.secret("snowflake", pw, account), h.secret("snowflake", tok, "")
	a.Rule, b.Rule = "snowflake-password", "snowflake-programmatic-access-token"
	for _, res := range h.runner(true, false).Run(context.Background(), []revoke.Secret{a, b}) {
		if res.Verification.Status != outcome.Skipped {
			t.Errorf("verification %+v, want skipped", res.Verification)
		}
		if res.Revocation != nil && res.Revocation.Status == outcome.Revoked {
			t.Errorf("revocation %+v", res.Revocation)
		}
	}
	if n := len(f.Calls()); n != 0 {
		t.Errorf("%d calls", n)
	}
}

// TestDigitalOceanRevocationVerifiedAgain: the OAuth revocation endpoint answers 200 even for
// a token it did not revoke (as RFC 7009 allows), so a 200 is reported revoked only once
// the token verifies invalid.
func TestDigitalOceanRevocationVerifiedAgain(t *testing.T) {
	for _, silent := range []bool{false, true} {
		f := fake.NewDigitalOcean(t)
		f.Silent = silent
		value, _ := ruleSecret(t, "digitalocean-oauth-token", 19000)
		f.AddToken(value)
		h := newHarness(t, map[string]string{"LEAKSTOP_DIGITALOCEAN_URL": f.URL})
		s := h.secret("digitalocean", value, "")
		s.Rule = "digitalocean-oauth-token"
		res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})[0]
		want := map[bool]outcome.Status{false: outcome.Revoked, true: outcome.Failed}[silent]
		if res.Revocation == nil || res.Revocation.Status != want {
			t.Errorf("silent %v: revocation %+v, want %s", silent, res.Revocation, want)
		}
		// One before the revocation, one after its 200 (and the runner's own after a
		// revocation it reports).
		if n := f.Count(http.MethodGet, "/v2/account"); n < 2 {
			t.Errorf("silent %v: %d verifications, want one before and one after the revocation", silent, n)
		}
		checkAudit(t, h, value)
	}
}
