package revoke

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// buildkiteProvider verifies API access tokens with GET /v2/access-token (buildkite.toml's
// [verify]) and revokes them with themselves: DELETE /v2/access-token ("Access token API").
type buildkiteProvider struct {
	c      *Client
	base   string
	verify *getVerifier
}

// newBuildkite returns the Buildkite provider: LEAKSTOP_BUILDKITE_URL.
func newBuildkite(cfg Config) *buildkiteProvider {
	return &buildkiteProvider{c: cfg.Client, base: cfg.baseURL("buildkite"), verify: declared(cfg, "buildkite")}
}

// Verify calls GET /v2/access-token.
func (b *buildkiteProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return b.verify.Verify(ctx, s)
}

// Remediation says where to revoke a token by hand.
func (b *buildkiteProvider) Remediation(s Secret) string { return b.verify.Remediation(s) }

// Revoke revokes an API access token with itself; the other kinds have no revocation.
func (b *buildkiteProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if !strings.HasPrefix(s.Value, "bkua_") {
		return Outcome{Status: outcome.Unsupported, Detail: "Buildkite revokes only API access tokens by themselves: " + b.Remediation(s)}, nil
	}
	return oneCall{
		c: b.c, provider: "buildkite", method: http.MethodDelete, url: b.base + "/v2/access-token",
		header: bearer(s.Value), done: []int{http.StatusNoContent, http.StatusOK},
		what: "revoked the token with itself",
	}.run(ctx, s, dryRun)
}

// Describe says which calls the Buildkite provider makes.
func (b *buildkiteProvider) Describe() Calls {
	return Calls{Revoke: "API access tokens with themselves: `DELETE /v2/access-token`"}
}
