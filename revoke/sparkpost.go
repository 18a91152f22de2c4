package revoke

// newSparkPost returns the SparkPost provider: API keys verify with GET /api/v1/account
// (sparkpost.toml's [verify]) on SparkPost's US host, then on the EU one, where EU accounts
// live; LEAKSTOP_SPARKPOST_URL is one host for both. SparkPost has no API that deletes the
// key a call is made with.
func newSparkPost(cfg Config) verifyOnly {
	return verifyOnly{
		verify: onRegions(cfg, "sparkpost", "https://api.sparkpost.com", "https://api.eu.sparkpost.com"),
		remedy: "delete the key at https://app.sparkpost.com/account/api-keys (EU accounts: https://app.eu.sparkpost.com/account/api-keys)",
		calls:  "`GET /api/v1/account` on the US host, then the EU one",
	}
}
