package revoke

import (
	"context"
	"net/http"
	"net/url"
	"regexp"

	"github.com/leakstop/leakstop/rules"
)

// sentryProvider verifies user tokens with GET /api/0/organizations/ (sentry.toml's [verify])
// and organization tokens with GET /api/0/organizations/{org}/releases/ at the region their
// facts name: a host of sentry.io, or LEAKSTOP_SENTRY_URL. Sentry documents no revocation a
// token can make.
type sentryProvider struct {
	user   *getVerifier
	org    *getVerifier
	region tenant
}

// sentryHosts are Sentry's own regions.
var sentryHosts = regexp.MustCompile(`^(?:[a-z0-9][a-z0-9-]{0,62}\.)?sentry\.io$`)

// sentryNoRegion says why an organization token is not verified.
const sentryNoRegion = "the token's facts name a Sentry that is not sentry.io (self-hosted?): set LEAKSTOP_SENTRY_URL to its URL"

// newSentry returns the Sentry provider: LEAKSTOP_SENTRY_URL.
func newSentry(cfg Config) *sentryProvider {
	p := &sentryProvider{user: declared(cfg, "sentry"), region: newTenant(cfg, "sentry", sentryHosts)}
	p.org = &getVerifier{
		c: cfg.Client, provider: "sentry", accepted: "Sentry", rotate: cfg.provider("sentry").Rotate,
		url: func(s Secret) string {
			base, org := p.orgOf(s)
			return base + "/api/0/organizations/" + url.PathEscape(org) + "/releases/?per_page=1"
		},
		skip: func(s Secret) string {
			if base, _ := p.orgOf(s); base == "" {
				return sentryNoRegion
			}
			return ""
		},
		// An org token may not read this organization's releases (another organization's?).
		answers: map[int]func(*reply) Outcome{http.StatusForbidden: liveBut("authenticated, but not allowed this call")},
	}
	return p
}

// orgOf returns the base URL and the organization of an organization token: "" when its
// region is no host of Sentry's and no variable names one.
func (p *sentryProvider) orgOf(s Secret) (base, org string) {
	region, org, ok := rules.SentryOrgToken(s.Value)
	u, err := url.Parse(region)
	if !ok || err != nil || u.Path != "" && u.Path != "/" || u.User != nil {
		return "", ""
	}
	return p.region.of(Secret{Companion: u.Host}), org
}

// Verify asks Sentry: user tokens for their organizations, organization tokens for their
// organization's releases. 200 live, 401 invalid, 403 live without the scope.
func (p *sentryProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Rule == "sentry-org-token" {
		return p.org.Verify(ctx, s)
	}
	return p.user.Verify(ctx, s)
}

// Remediation says where to revoke a token by hand.
func (p *sentryProvider) Remediation(s Secret) string {
	if s.Rule == "sentry-org-token" {
		return "revoke the token under Settings > Auth Tokens of the organization in Sentry"
	}
	return p.user.Remediation(s)
}

// Describe says which calls the Sentry provider makes.
func (p *sentryProvider) Describe() Calls {
	return Calls{Verify: "user tokens: `GET /api/0/organizations/`; organization tokens: `GET /api/0/organizations/{org}/releases/` at the region their facts name"}
}
