package revoke

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// oktaProvider verifies API tokens with GET /api/v1/users/me at the token's org, and revokes
// them with themselves: DELETE /api/v1/api-tokens/current. The org is LEAKSTOP_OKTA_URL when
// set, else the Okta host found beside the token (tenant.go).
type oktaProvider struct {
	c      *Client
	org    tenant
	verify *getVerifier // API tokens
	oauth  *getVerifier // OAuth access tokens
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
	o := &oktaProvider{c: cfg.Client, org: org, verify: g}
	o.oauth = &getVerifier{
		c: cfg.Client, provider: "okta", accepted: "Okta", rotate: cfg.provider("okta").Rotate,
		url: func(s Secret) string { return o.oauthURL(s, "/v1/userinfo") },
		skip: func(s Secret) string {
			if o.oauthURL(s, "") == "" {
				return oktaNoIssuer
			}
			return ""
		},
		// insufficient_scope: a live token without openid.
		answers: map[int]func(*reply) Outcome{http.StatusForbidden: liveBut("authenticated, but the token has no openid scope")},
	}
	return o
}

// oktaNoIssuer says why an access token is not asked about.
const oktaNoIssuer = "the token names no Okta authorization server (its issuer is not an Okta org)"

// oauthURL returns endpoint ("/v1/revoke") of the authorization server that issued access
// token s: its issuer's, on LEAKSTOP_OKTA_URL when set; "" when the token names none.
func (o *oktaProvider) oauthURL(s Secret, endpoint string) string {
	iss, _ := rules.OktaAccessToken(s.Value)
	u, err := url.Parse(iss)
	if iss == "" || err != nil {
		return ""
	}
	path := u.Path
	if path == "" {
		path = "/oauth2" // the org authorization server
	}
	base := o.org.of(Secret{Companion: u.Host})
	if base == "" {
		return ""
	}
	return base + path + endpoint
}

// oktaAuth is Okta's SSWS scheme.
func oktaAuth(s Secret) http.Header {
	h := http.Header{}
	h.Set("Authorization", "SSWS "+s.Value)
	return h
}

// Verify asks the token's org who the token is: 200 live, 401 (E0000011) invalid; an
// access token, its authorization server's userinfo endpoint.
func (o *oktaProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Rule == "okta-access-token" {
		return o.oauth.Verify(ctx, s)
	}
	return o.verify.Verify(ctx, s)
}

// Remediation says where to revoke a token by hand.
func (o *oktaProvider) Remediation(Secret) string {
	return "revoke the token under Security > API > Tokens in the Okta Admin Console"
}

// Revoke revokes an API token with itself, and an access token at its authorization server
// (RFC 7009) as its own client.
func (o *oktaProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if s.Rule == "okta-access-token" {
		return o.revokeAccessToken(ctx, s, dryRun)
	}
	base := o.org.of(s)
	if base == "" {
		return Outcome{Status: outcome.Unsupported, Detail: oktaNoOrg + "; or " + o.Remediation(s)}, nil
	}
	return oneCall{
		c: o.c, provider: "okta", method: http.MethodDelete, url: base + "/api/v1/api-tokens/current",
		header: oktaAuth(s), done: []int{http.StatusNoContent}, what: "revoked the token with itself",
	}.run(ctx, s, dryRun)
}

// revokeAccessToken posts the token to its authorization server's revocation endpoint with
// the client id it names. A confidential client must also authenticate, which leakstop
// cannot: Okta then answers 401 invalid_client, and the token is left to a person.
func (o *oktaProvider) revokeAccessToken(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	u := o.oauthURL(s, "/v1/revoke")
	_, client := rules.OktaAccessToken(s.Value)
	if u == "" {
		return Outcome{Status: outcome.Unsupported, Detail: oktaNoIssuer + "; " + o.Remediation(s)}, nil
	}
	h := http.Header{}
	h.Set("Accept", "application/json")
	out, err := oneCall{
		c: o.c, provider: "okta", method: http.MethodPost, url: u, header: h,
		form: url.Values{"token": {s.Value}, "token_type_hint": {"access_token"}, "client_id": {client}},
		done: []int{http.StatusOK}, idempotent: true,
		what: "revoked the access token at its authorization server (RFC 7009) as its client " + client,
	}.run(ctx, s, dryRun)
	if err == nil && out.Status == outcome.Failed && strings.Contains(out.Detail, "invalid_client") {
		out.Detail += "; the token's client is confidential and needs its own secret to revoke: end the user's sessions in the Okta Admin Console, or revoke the client's tokens there"
	}
	return out, err
}

// Describe says which calls the Okta provider makes.
func (o *oktaProvider) Describe() Calls {
	return Calls{
		Verify: "API tokens: `GET /api/v1/users/me` at the token's org (an Okta host beside it, or LEAKSTOP_OKTA_URL); access tokens: `GET <issuer>/v1/userinfo`",
		Revoke: "API tokens with themselves: `DELETE /api/v1/api-tokens/current`; access tokens: `POST <issuer>/v1/revoke` (RFC 7009) as their client, then verified again",
	}
}
