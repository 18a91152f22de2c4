package revoke

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// digitaloceanProvider verifies tokens with GET /v2/account (digitalocean.toml) and revokes
// OAuth access and refresh tokens (doo_v1_, dor_v1_) at the OAuth API's revocation endpoint,
// POST https://cloud.digitalocean.com/v1/oauth/revoke, with the token itself. That endpoint,
// like RFC 7009's, may answer 200 for a token it does not know, so a 200 counts once the
// token verifies invalid. No documented call revokes a personal access token (dop_v1_).
// LEAKSTOP_DIGITALOCEAN_URL sends both hosts' calls to one (tests).
type digitaloceanProvider struct {
	c      *Client
	oauth  string
	verify *getVerifier
}

const digitaloceanRemedy = "delete the token at https://cloud.digitalocean.com/account/api/tokens (OAuth tokens: revoke the application under Authorized applications)"

// newDigitalOcean returns the DigitalOcean provider.
func newDigitalOcean(cfg Config) *digitaloceanProvider {
	p := &digitaloceanProvider{c: cfg.Client, oauth: "https://cloud.digitalocean.com", verify: declared(cfg, "digitalocean")}
	if base, set := cfg.base("digitalocean"); set {
		p.oauth = base
	}
	return p
}

// Remediation says where to delete a token by hand.
func (p *digitaloceanProvider) Remediation(Secret) string { return digitaloceanRemedy }

// Verify calls GET /v2/account.
func (p *digitaloceanProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return p.verify.Verify(ctx, s)
}

// Revoke revokes an OAuth token with itself, and verifies it again after a 200.
func (p *digitaloceanProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if !strings.HasPrefix(s.Value, "doo_v1_") && !strings.HasPrefix(s.Value, "dor_v1_") {
		return Outcome{Status: outcome.Unsupported, Detail: "no API revokes a personal access token: " + digitaloceanRemedy}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would revoke the OAuth token with itself (POST /v1/oauth/revoke)"}, nil
	}
	h := bearer(s.Value)
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	// Revoking a revoked token changes nothing.
	r, err := p.c.do(ctx, request{Provider: "digitalocean", Action: "revoke", Secret: &s, Method: http.MethodPost, URL: p.oauth + "/v1/oauth/revoke", Header: h,
		Body: []byte(url.Values{"token": {s.Value}}.Encode()), Idempotent: true})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusOK, http.StatusNoContent:
		return confirmRevoked(ctx, p.Verify, s, digitaloceanRemedy), nil
	case http.StatusUnauthorized:
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (" + httpDetail(r) + ")"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking: " + httpDetail(r) + "; " + digitaloceanRemedy}, nil
}

// Describe says which calls the DigitalOcean provider makes.
func (p *digitaloceanProvider) Describe() Calls {
	return Calls{Revoke: "OAuth tokens: `POST https://cloud.digitalocean.com/v1/oauth/revoke` with the token itself, verified again"}
}
