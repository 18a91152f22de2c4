package revoke

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// perplexityProvider verifies keys with GET /async/chat/completions, as perplexity.toml
// declares, and has a key revoke itself: POST /revoke_auth_token with the key as the bearer
// token and as auth_token. Perplexity answers 200; the runner's verification afterwards tells
// whether the key is dead.
type perplexityProvider struct {
	c      *Client
	base   string
	verify *getVerifier
}

// newPerplexity returns the Perplexity provider: LEAKSTOP_PERPLEXITY_URL.
func newPerplexity(cfg Config) *perplexityProvider {
	return &perplexityProvider{c: cfg.Client, base: cfg.baseURL("perplexity"), verify: declared(cfg, "perplexity")}
}

const perplexityRemedy = "revoke the key at https://www.perplexity.ai/settings/api"

// Remediation says where to revoke a key by hand.
func (p *perplexityProvider) Remediation(Secret) string { return perplexityRemedy }

// Verify calls GET /async/chat/completions.
func (p *perplexityProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return p.verify.Verify(ctx, s)
}

// Revoke has the key revoke itself. A dry run sends nothing: the verification already
// showed the key is live, and the revocation needs no lookup.
func (p *perplexityProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would revoke the key with itself (POST /revoke_auth_token)"}, nil
	}
	body, err := json.Marshal(map[string]string{"auth_token": s.Value})
	if err != nil {
		return Outcome{}, err
	}
	h := bearer(s.Value)
	h.Set("Content-Type", "application/json")
	// Revoking a revoked key leaves it revoked: the call may be sent again after a crash.
	r, err := p.c.do(ctx, request{Provider: "perplexity", Action: "revoke", Secret: &s, Method: http.MethodPost, URL: p.base + "/revoke_auth_token", Header: h, Body: body, Idempotent: true})
	if err != nil {
		return Outcome{}, fmt.Errorf("revoking: %w (it may have happened: leakstop verifies before trying again)", err)
	}
	switch r.Status {
	case http.StatusOK, http.StatusNoContent:
		if !acknowledged(r) {
			return notAcknowledged("revoking", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "the key revoked itself (POST /revoke_auth_token)"}, nil
	case http.StatusUnauthorized:
		return Outcome{Status: outcome.Revoked, Detail: "already revoked: " + httpDetail(r)}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking: " + httpDetail(r)}, nil
}

// Describe says which calls the Perplexity provider makes.
func (p *perplexityProvider) Describe() Calls {
	return Calls{Revoke: "`POST /revoke_auth_token` with the key itself (as the bearer token and `auth_token`)"}
}
