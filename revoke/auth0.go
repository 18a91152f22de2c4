package revoke

import (
	"context"
	"net/http"
	"regexp"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// auth0Provider verifies Management API tokens with GET /api/v2/tenants/settings at the
// tenant the token names (its issuer, a host of auth0.com; or LEAKSTOP_AUTH0_URL). Auth0
// documents no revocation of an access token, and verifies a client secret only by asking
// for a token with it, which is not a read.
type auth0Provider struct {
	verify *getVerifier
	rotate string
}

// auth0Hosts are Auth0's tenant hosts.
var auth0Hosts = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}(?:\.(?:us|eu|au|jp|ca|uk))?\.auth0\.com$`)

// auth0NoTenant says why a token is not verified.
const auth0NoTenant = "the token names no Auth0 tenant (its issuer is not a host of auth0.com); set LEAKSTOP_AUTH0_URL to the tenant's URL"

// newAuth0 returns the Auth0 provider: LEAKSTOP_AUTH0_URL.
func newAuth0(cfg Config) *auth0Provider {
	tenant := newTenant(cfg, "auth0", auth0Hosts)
	g := tenant.get(cfg, "auth0", "/api/v2/tenants/settings", nil, auth0NoTenant)
	// The tenant is the token's own issuer, not a value found beside it.
	g.url = func(s Secret) string {
		s.Companion = rules.Auth0Tenant(s.Value)
		return tenant.of(s) + "/api/v2/tenants/settings"
	}
	g.skip = func(s Secret) string {
		if s.Rule == "auth0-client-secret" {
			return "Auth0 verifies a client secret only by issuing a token with it, which is not a read"
		}
		s.Companion = rules.Auth0Tenant(s.Value)
		if tenant.of(s) == "" {
			return auth0NoTenant
		}
		return ""
	}
	// insufficient_scope: a live token without read:tenant_settings.
	g.answers[http.StatusForbidden] = liveBut("authenticated, but not allowed this call")
	return &auth0Provider{verify: g, rotate: cfg.provider("auth0").Rotate}
}

// Verify asks the token's tenant for its settings: 200 live, 401 invalid, 403 live.
func (a *auth0Provider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	out, err := a.verify.Verify(ctx, s)
	if err == nil && out.Status == outcome.Invalid {
		out.Detail = "the tenant refuses the token (revoked, expired, or signed by a rotated key): " + out.Detail
	}
	return out, err
}

// Remediation says what to do by hand.
func (a *auth0Provider) Remediation(s Secret) string {
	if s.Rule == "auth0-client-secret" {
		return "rotate the client secret in the Auth0 dashboard: " + a.rotate
	}
	return "Auth0 cannot revoke an access token: rotate the client secret of the application that asked for it (" + a.rotate + "); the token expires"
}

// Describe says which calls the Auth0 provider makes.
func (a *auth0Provider) Describe() Calls {
	return Calls{Verify: "Management API tokens: `GET /api/v2/tenants/settings` at the tenant the token names"}
}
