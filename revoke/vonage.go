package revoke

import (
	"context"
	"net/url"
)

// vonageProvider verifies an API secret with its API key, as HTTP basic auth, with GET
// /accounts/{api_key}/secrets (the account's secrets, by id and creation time). The list
// shows no secret's value, so a leaked secret cannot be told from the account's other one
// to delete it: it is rotated in the dashboard.
type vonageProvider struct {
	verify *getVerifier
}

// newVonage returns the Vonage provider: LEAKSTOP_VONAGE_URL.
func newVonage(cfg Config) *vonageProvider {
	base := cfg.baseURL("vonage")
	return &vonageProvider{verify: pairVerifier(cfg, "vonage", pair{missing: "the API key"}, func(s Secret) string {
		return base + "/accounts/" + url.PathEscape(s.Companion) + "/secrets"
	})}
}

// Verify lists the account's secrets with the pair.
func (v *vonageProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return v.verify.Verify(ctx, s)
}

// Remediation says how to rotate a secret by hand.
func (v *vonageProvider) Remediation(Secret) string {
	return "create a second API secret in the Vonage dashboard's Settings, move to it, and delete the leaked one (https://dashboard.nexmo.com/settings)"
}

// Describe says which calls the Vonage provider makes.
func (v *vonageProvider) Describe() Calls {
	return Calls{Verify: "`GET /accounts/{api_key}/secrets` (basic auth with the key and the secret)"}
}
