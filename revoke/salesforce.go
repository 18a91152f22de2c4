package revoke

import (
	"bytes"
	"context"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// salesforceProvider verifies Salesforce access tokens with GET /services/oauth2/userinfo
// on login.salesforce.com, then on test.salesforce.com (sandboxes), and revokes a token with
// itself at POST /services/oauth2/revoke on the host that knew it (RFC 7009), verifying it
// again after the 200.
type salesforceProvider struct {
	c     *Client
	hosts []string
	// byHost verifies on each host, in the order of hosts.
	byHost []*getVerifier
}

// newSalesforce returns the Salesforce provider: LEAKSTOP_SALESFORCE_URL (one host for
// production orgs and sandboxes).
func newSalesforce(cfg Config) *salesforceProvider {
	p := cfg.provider("salesforce")
	sf := &salesforceProvider{c: cfg.Client, hosts: []string{"https://login.salesforce.com", "https://test.salesforce.com"}}
	if base, set := cfg.base("salesforce"); set {
		sf.hosts = []string{base}
	}
	for _, h := range sf.hosts {
		sf.byHost = append(sf.byHost, &getVerifier{
			c: cfg.Client, provider: "salesforce", accepted: p.Name, rotate: p.Rotate,
			url:     func(Secret) string { return h + "/services/oauth2/userinfo" },
			answers: map[int]func(*reply) Outcome{http.StatusForbidden: salesforceForbidden},
		})
	}
	return sf
}

const salesforceRemedy = "end the session (Setup, Session Management) and revoke the connected app's access for the user (Setup, Connected Apps OAuth Usage), https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_revoke_token.htm&type=5"

// salesforceForbidden reads a 403 of the identity service: Bad_OAuth_Token says the token
// is not (or no longer) valid; any other 403 says nothing of it.
func salesforceForbidden(r *reply) Outcome {
	if bytes.Contains(r.Body, []byte("Bad_OAuth_Token")) {
		return invalid(r)
	}
	return unknownAnswer(r)
}

// Remediation says what to do by hand.
func (sf *salesforceProvider) Remediation(Secret) string { return salesforceRemedy }

// salesforceAuthURLSkipped says why a CLI authorization URL is not verified.
const salesforceAuthURLSkipped = "a CLI authorization URL's refresh token verifies only through a refresh grant, which issues a new access token: not verified"

// Verify asks each host until one knows the token; a CLI authorization URL is not verified.
func (sf *salesforceProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Rule == "salesforce-sfdx-auth-url" {
		return Outcome{Status: outcome.Skipped, Detail: salesforceAuthURLSkipped}, nil
	}
	out, _, err := sf.find(ctx, s)
	return out, err
}

// find verifies s on each host in turn and returns the first answer that is not invalid,
// with the index of its host (-1 when every host says invalid).
func (sf *salesforceProvider) find(ctx context.Context, s Secret) (Outcome, int, error) {
	var last Outcome
	for i, g := range sf.byHost {
		out, err := g.Verify(ctx, s)
		if err != nil || out.Status != outcome.Invalid {
			return out, i, err
		}
		last = out
	}
	if len(sf.byHost) > 1 {
		last.Detail = "unknown to production orgs and sandboxes: " + last.Detail
	}
	return last, -1, nil
}

// Revoke revokes the token with itself on the host that knows it. A CLI authorization
// URL is never verified live, so it is not revoked.
func (sf *salesforceProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if s.Rule == "salesforce-sfdx-auth-url" {
		return Outcome{Status: outcome.Skipped, Detail: salesforceAuthURLSkipped}, nil
	}
	out, i, err := sf.find(ctx, s)
	switch {
	case err != nil:
		return Outcome{}, err
	case i < 0:
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (" + out.Detail + ")"}, nil
	case out.Status != outcome.Live:
		return Outcome{Status: outcome.Failed, Detail: "finding the token's org: " + out.Detail + "; " + salesforceRemedy}, nil
	}
	return sf.c.revokeToken(ctx, s, dryRun, tokenRevocation{
		provider: "salesforce", call: "POST /services/oauth2/revoke with the token itself",
		url:  sf.hosts[i] + "/services/oauth2/revoke",
		form: url.Values{"token": {s.Value}},
		gone: func(a *reply) bool {
			return a.Status == http.StatusBadRequest && oauthErrorCode(a.Body) == "invalid_token"
		},
		verify: sf.byHost[i], remedy: salesforceRemedy,
	})
}

// Describe says which calls the Salesforce provider makes.
func (sf *salesforceProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /services/oauth2/userinfo` on login.salesforce.com, then test.salesforce.com; CLI authorization URLs: not verified",
		Revoke: "`POST /services/oauth2/revoke` with the token itself (RFC 7009) on the host that knew it, verified again",
	}
}
