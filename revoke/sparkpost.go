package revoke

import "context"

// sparkpostProvider verifies API keys with GET /api/v1/account (sparkpost.toml's [verify]) on
// SparkPost's US host, then on the EU one, where EU accounts live. SparkPost has no API that
// deletes the key a call is made with.
type sparkpostProvider struct {
	verify regional
}

// newSparkPost returns the SparkPost provider: LEAKSTOP_SPARKPOST_URL (one host for both
// regions).
func newSparkPost(cfg Config) *sparkpostProvider {
	return &sparkpostProvider{verify: onRegions(cfg, "sparkpost", "https://api.sparkpost.com", "https://api.eu.sparkpost.com")}
}

// Verify asks each region.
func (sp *sparkpostProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return sp.verify.Verify(ctx, s)
}

// Remediation says where to delete a key by hand.
func (sp *sparkpostProvider) Remediation(Secret) string {
	return "delete the key at https://app.sparkpost.com/account/api-keys (EU accounts: https://app.eu.sparkpost.com/account/api-keys)"
}

// Describe says which calls the SparkPost provider makes.
func (sp *sparkpostProvider) Describe() Calls {
	return Calls{Verify: "`GET /api/v1/account` on the US host, then the EU one"}
}
