package revoke

import "net/url"

// newVonage returns the Vonage provider (LEAKSTOP_VONAGE_URL): an API secret verifies with
// its API key, as HTTP basic auth, with GET /accounts/{api_key}/secrets (the account's
// secrets, by id and creation time). That list shows no secret's value, so a leaked secret
// cannot be told from the account's other one to delete it: it is rotated in the dashboard.
func newVonage(cfg Config) verifyOnly {
	base := cfg.baseURL("vonage")
	return verifyOnly{
		verify: pairVerifier(cfg, "vonage", pair{missing: "the API key"}, func(s Secret) string {
			return base + "/accounts/" + url.PathEscape(s.Companion) + "/secrets"
		}),
		remedy: "create a second API secret in the Vonage dashboard's Settings, move to it, and delete the leaked one (https://dashboard.nexmo.com/settings)",
		calls:  "`GET /accounts/{api_key}/secrets` (basic auth with the key and the secret)",
	}
}
