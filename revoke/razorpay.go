package revoke

import (
	"context"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// razorpayProvider verifies a key id with its key secret, as HTTP basic auth, with GET
// /v1/payments?count=1. Test keys are not verified. Razorpay has no API that regenerates a
// key.
type razorpayProvider struct {
	verify *getVerifier
}

// newRazorpay returns the Razorpay provider: LEAKSTOP_RAZORPAY_URL.
func newRazorpay(cfg Config) *razorpayProvider {
	base := cfg.baseURL("razorpay")
	return &razorpayProvider{verify: pairVerifier(cfg, "razorpay", pair{userIsValue: true, missing: "the key secret"}, func(Secret) string {
		return base + "/v1/payments?count=1"
	})}
}

// Verify reads one payment with the pair.
func (rp *razorpayProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if strings.HasPrefix(s.Value, "rzp_test_") {
		return Outcome{Status: outcome.Skipped, Detail: "test-mode key: not verified"}, nil
	}
	return rp.verify.Verify(ctx, s)
}

// Remediation says where to regenerate a key by hand.
func (rp *razorpayProvider) Remediation(Secret) string {
	return "Razorpay has no API to regenerate a key: regenerate it in the Dashboard (https://dashboard.razorpay.com/app/website-app-settings/api-keys)"
}

// Describe says which calls the Razorpay provider makes.
func (rp *razorpayProvider) Describe() Calls {
	return Calls{Verify: "`GET /v1/payments?count=1` (basic auth with the key id and the key secret); test keys: not verified"}
}
