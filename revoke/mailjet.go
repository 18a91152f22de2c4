package revoke

// newMailjet returns the Mailjet provider (LEAKSTOP_MAILJET_URL): a secret key verifies
// with its public API key, as HTTP basic auth, with GET /v3/REST/apikey. Mailjet has no API
// that deactivates the key a call is made with.
func newMailjet(cfg Config) verifyOnly {
	base := cfg.baseURL("mailjet")
	return verifyOnly{
		verify: pairVerifier(cfg, "mailjet", pair{missing: "the public API key"}, func(Secret) string {
			return base + "/v3/REST/apikey"
		}),
		remedy: "deactivate the key in Mailjet's API Key Management (https://app.mailjet.com/account/apikeys)",
		calls:  "`GET /v3/REST/apikey` (basic auth with the API key and the secret key)",
	}
}
