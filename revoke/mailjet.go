package revoke

import "context"

// mailjetProvider verifies a secret key with its public API key, as HTTP basic auth, with
// GET /v3/REST/apikey. Mailjet has no API that deactivates the key a call is made with.
type mailjetProvider struct {
	verify *getVerifier
}

// newMailjet returns the Mailjet provider: LEAKSTOP_MAILJET_URL.
func newMailjet(cfg Config) *mailjetProvider {
	base := cfg.baseURL("mailjet")
	return &mailjetProvider{verify: pairVerifier(cfg, "mailjet", pair{missing: "the public API key"}, func(Secret) string {
		return base + "/v3/REST/apikey"
	})}
}

// Verify lists the account's keys with the pair.
func (m *mailjetProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return m.verify.Verify(ctx, s)
}

// Remediation says where to deactivate a key by hand.
func (m *mailjetProvider) Remediation(Secret) string {
	return "deactivate the key in Mailjet's API Key Management (https://app.mailjet.com/account/apikeys)"
}

// Describe says which calls the Mailjet provider makes.
func (m *mailjetProvider) Describe() Calls {
	return Calls{Verify: "`GET /v3/REST/apikey` (basic auth with the API key and the secret key)"}
}
