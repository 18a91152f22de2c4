package revoke

import "context"

// verifyOnly is a Go provider that verifies and has no API to revoke with: its verification
// needs code a [verify] table cannot say (a host from the key, regions, a pair of values),
// and a person rotates its secrets by hand.
type verifyOnly struct {
	verify Verifier
	// remedy says what a person does instead: the page where the secret is rotated.
	remedy string
	// calls says, for people, which request verifies.
	calls string
}

// Verify sends the provider's verification.
func (p verifyOnly) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return p.verify.Verify(ctx, s)
}

// Remediation says what to do by hand.
func (p verifyOnly) Remediation(Secret) string { return p.remedy }

// Describe says which calls the provider makes.
func (p verifyOnly) Describe() Calls { return Calls{Verify: p.calls} }
