package revoke

import "context"

// intercomProvider verifies access tokens with GET /me (intercom.toml's [verify]) on
// Intercom's US host, then on the EU and Australian ones: a workspace hosted in a region
// answers on that region's host only. Intercom has no API that revokes a token.
type intercomProvider struct {
	verify regional
}

// newIntercom returns the Intercom provider: LEAKSTOP_INTERCOM_URL (one host for every
// region).
func newIntercom(cfg Config) *intercomProvider {
	return &intercomProvider{verify: onRegions(cfg, "intercom", "https://api.intercom.io", "https://api.eu.intercom.io", "https://api.au.intercom.io")}
}

// Verify asks each region.
func (ic *intercomProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return ic.verify.Verify(ctx, s)
}

// Remediation says where to revoke a token by hand.
func (ic *intercomProvider) Remediation(Secret) string {
	return "Intercom has no API to revoke a token: revoke it in the app's Authentication page of the Developer Hub (https://app.intercom.com/a/apps/_/developer-hub)"
}

// Describe says which calls the Intercom provider makes.
func (ic *intercomProvider) Describe() Calls {
	return Calls{Verify: "`GET /me` on the US host, then the EU and Australian ones"}
}
