package revoke_test

import (
	"context"
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
		"google-oauth-client-secret": outcome.Skipped, // verifies only through a browser
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
