package revoke

import (
	"context"
	"net/http"
)

// fastlyProvider verifies API tokens with GET /tokens/self (fastly.toml) and revokes them
// with DELETE /tokens/self and the token itself.
type fastlyProvider struct {
	c      *Client
	base   string
	verify *getVerifier
}

// newFastly returns the Fastly provider: LEAKSTOP_FASTLY_URL.
func newFastly(cfg Config) *fastlyProvider {
	return &fastlyProvider{c: cfg.Client, base: cfg.baseURL("fastly"), verify: declared(cfg, "fastly")}
}

// Remediation says where to revoke a token by hand.
func (f *fastlyProvider) Remediation(Secret) string {
	return "revoke the token at https://manage.fastly.com/account/personal/tokens"
}

// Verify calls GET /tokens/self.
func (f *fastlyProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return f.verify.Verify(ctx, s)
}

// Revoke calls DELETE /tokens/self with the token itself.
func (f *fastlyProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	h := http.Header{}
	h.Set("Fastly-Key", s.Value)
	return f.c.revokeSelf(ctx, s, dryRun, selfRevocation{
		provider: "fastly", call: "DELETE /tokens/self", method: http.MethodDelete,
		url: f.base + "/tokens/self", header: h, gone: []int{http.StatusUnauthorized},
	})
}

// Describe says which calls the Fastly provider makes.
func (f *fastlyProvider) Describe() Calls {
	return Calls{Revoke: "with the token itself: `DELETE /tokens/self`"}
}
