package revoke

// newAdyen returns the Adyen provider: API keys verify with GET /v3/me (adyen.toml's
// [verify]) on the Management API's test host, then its live one, as a key works in its own
// environment only; LEAKSTOP_ADYEN_URL is one host for both. Adyen has no API that ends a
// key at once: a new key leaves the old one valid for 24 hours.
func newAdyen(cfg Config) verifyOnly {
	return verifyOnly{
		verify: onRegions(cfg, "adyen", "https://management-test.adyen.com", "https://management-live.adyen.com"),
		remedy: "generate a new API key for the API credential in the Customer Area (Developers, API credentials), move to it; the old key stays valid for 24 hours (https://docs.adyen.com/development-resources/api-credentials)",
		calls:  "`GET /v3/me` on the test host, then the live one",
	}
}
