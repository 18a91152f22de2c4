package revoke

import "strings"

// newRazorpay returns the Razorpay provider (LEAKSTOP_RAZORPAY_URL): a key id verifies with
// its key secret, as HTTP basic auth, with GET /v1/payments?count=1; test keys are not
// verified. Razorpay has no API that regenerates a key.
func newRazorpay(cfg Config) verifyOnly {
	base := cfg.baseURL("razorpay")
	g := pairVerifier(cfg, "razorpay", pair{userIsValue: true, missing: "the key secret"}, func(Secret) string {
		return base + "/v1/payments?count=1"
	})
	withCompanion := g.skip
	g.skip = func(s Secret) string {
		if strings.HasPrefix(s.Value, "rzp_test_") {
			return "test-mode key: not verified"
		}
		return withCompanion(s)
	}
	return verifyOnly{
		verify: g,
		remedy: "Razorpay has no API to regenerate a key: regenerate it in the Dashboard (https://dashboard.razorpay.com/app/website-app-settings/api-keys)",
		calls:  "`GET /v1/payments?count=1` (basic auth with the key id and the key secret); test keys: not verified",
	}
}
