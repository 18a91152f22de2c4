package revoke

import (
	"context"
	"encoding/json"
	"net/http"
)

// dopplerProvider verifies tokens with GET /v3/me (doppler.toml) and revokes them with POST
// /v3/auth/revoke, which takes the token to revoke in its body, authenticated by that token.
type dopplerProvider struct {
	c      *Client
	base   string
	verify *getVerifier
}

// newDoppler returns the Doppler provider: LEAKSTOP_DOPPLER_URL.
func newDoppler(cfg Config) *dopplerProvider {
	return &dopplerProvider{c: cfg.Client, base: cfg.baseURL("doppler"), verify: declared(cfg, "doppler")}
}

// Remediation says where to revoke a token by hand.
func (d *dopplerProvider) Remediation(Secret) string {
	return "revoke the token at https://dashboard.doppler.com/workplace/tokens (service tokens: the config's Access tab)"
}

// Verify calls GET /v3/me.
func (d *dopplerProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return d.verify.Verify(ctx, s)
}

// Revoke calls POST /v3/auth/revoke with the token itself. A revoked token answers 401, so
// the call is safe to send again.
func (d *dopplerProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	body, err := json.Marshal(map[string]string{"token": s.Value})
	if err != nil {
		return Outcome{}, err
	}
	h := bearer(s.Value)
	h.Set("Content-Type", "application/json")
	return d.c.revokeSelf(ctx, s, dryRun, selfRevocation{
		provider: "doppler", call: "POST /v3/auth/revoke", method: http.MethodPost,
		url: d.base + "/v3/auth/revoke", header: h, body: body, idempotent: true,
		gone: []int{http.StatusUnauthorized},
	})
}

// Describe says which calls the Doppler provider makes.
func (d *dopplerProvider) Describe() Calls {
	return Calls{Revoke: "with the token itself: `POST /v3/auth/revoke`"}
}
