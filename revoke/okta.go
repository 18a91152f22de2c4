package revoke

import (
	"context"
	"net/http"
	"regexp"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// oktaProvider verifies API tokens with GET /api/v1/users/me at the token's org, and revokes
// them with themselves: DELETE /api/v1/api-tokens/current. The org is LEAKSTOP_OKTA_URL when
// set, else the Okta host found beside the token (tenant.go).
type oktaProvider struct {
	c      *Client
	org    tenant
	verify *getVerifier
}

// oktaHosts are the domains of Okta's orgs.
var oktaHosts = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}\.(?:okta|oktapreview|okta-emea|okta-gov|okta-mil)\.com$`)

// oktaNoOrg says why a token without its org cannot be asked about.
const oktaNoOrg = "the token's Okta org is not known: no Okta host (acme.okta.com) was found beside it; set LEAKSTOP_OKTA_URL to the org's URL"

// newOkta returns the Okta provider: LEAKSTOP_OKTA_URL.
func newOkta(cfg Config) *oktaProvider {
	org := newTenant(cfg, "okta", oktaHosts)
	g := org.get(cfg, "okta", "/api/v1/users/me", oktaAuth, oktaNoOrg)
	// E0000006: the token's admin may not read users.
	g.answers[http.StatusForbidden] = liveBut("authenticated, but not allowed this call")
	return &oktaProvider{c: cfg.Client, org: org, verify: g}
}

// oktaAuth is Okta's SSWS scheme.
func oktaAuth(s Secret) http.Header {
	h := http.Header{}
	h.Set("Authorization", "SSWS "+s.Value)
	return h
}

// Verify asks the token's org who the token is: 200 live, 401 (E0000011) invalid.
func (o *oktaProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return o.verify.Verify(ctx, s)
}

// Remediation says where to revoke a token by hand.
func (o *oktaProvider) Remediation(Secret) string {
	return "revoke the token under Security > API > Tokens in the Okta Admin Console"
}

// Revoke revokes the token with itself.
func (o *oktaProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	base := o.org.of(s)
	if base == "" {
		return Outcome{Status: outcome.Unsupported, Detail: oktaNoOrg + "; or " + o.Remediation(s)}, nil
	}
	return oneCall{
		c: o.c, provider: "okta", method: http.MethodDelete, url: base + "/api/v1/api-tokens/current",
		header: oktaAuth(s), done: []int{http.StatusNoContent}, what: "revoked the token with itself",
	}.run(ctx, s, dryRun)
}

// Describe says which calls the Okta provider makes.
func (o *oktaProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /api/v1/users/me` at the token's org (an Okta host beside it, or LEAKSTOP_OKTA_URL)",
		Revoke: "API tokens with themselves: `DELETE /api/v1/api-tokens/current`",
	}
}
