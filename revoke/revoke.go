// Package revoke asks providers whether leaked secrets are live and disables the live ones
// through the providers' own APIs. It owns the Verifier interface and the optional Revoker
// and BatchRevoker capabilities, the explicit registry of providers (one file each), the
// HTTP client they share (timeouts, retries with backoff that honour Retry-After and the
// providers' reset headers, GitHub's rate limits, a concurrency limit per provider), the
// audit log of every call, what people are told of each provider (DisplayName, Notes), and
// the Runner that puts it together: verify, revoke, verify again, nothing twice.
//
// The package knows nothing of scans: callers hand it Secrets and read back Outcomes.
// providers.md beside DESIGN.md is the reference every provider file follows.
package revoke

import (
	"context"
	"time"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// Secret is one leaked credential as a provider sees it.
type Secret struct {
	// Provider names the registry entry ("openai").
	Provider string
	// Rule is the id of the rule that found it, for the audit log.
	Rule string
	// Value is the raw secret.
	Value string
	// Companion is a second value the provider needs (the AWS secret access key).
	Companion string
	// Redacted is how Value is shown.
	Redacted string
	// Fingerprint identifies the secret in the audit log and in issues.
	Fingerprint string
	// Remediation is the rule's advice for a person (where to rotate this kind of secret),
	// used when the provider has none of its own or leakstop has no client for it.
	Remediation string
}

// Outcome is the answer of a verify or revoke call.
type Outcome struct {
	// Status is Live, Invalid or Unknown for a verification; Revoked, Failed, Unsupported or
	// DryRun for a revocation.
	Status outcome.Status
	// Detail is for people: the provider's message (redacted), what was deleted, what to do.
	Detail string
	// Eventual marks a revocation the provider applies with a delay (GitHub's asynchronous
	// revoke, npm's one-hour cache, IAM's eventual consistency): a key still live right after
	// is not a failure.
	Eventual bool
}

// Verifier tells whether a secret is live, by a read-only call. An error means the answer is
// unknown; its message must not hold the secret (the Client's errors never do).
type Verifier interface {
	Verify(ctx context.Context, s Secret) (Outcome, error)
}

// Revoker is implemented by providers that can disable a live secret. With dryRun set it
// does every lookup a real revocation would (to name what would be deleted) and sends no
// changing call, returning DryRun. An error is a failed revocation.
type Revoker interface {
	Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error)
}

// BatchRevoker is implemented by providers whose revoke call takes many secrets at once
// (GitHub's POST /credentials/revoke). The Runner hands it every live secret of the run in
// one call; it returns one outcome per secret, in order.
type BatchRevoker interface {
	RevokeBatch(ctx context.Context, ss []Secret, dryRun bool) []Outcome
}

// Remediator is implemented by providers that know what a person must do when leakstop
// cannot revoke: a URL or a sentence.
type Remediator interface {
	Remediation(s Secret) string
}

// Env looks up an environment variable; the CLI passes its own so tests can inject one.
type Env func(string) string

// now is the clock of outcomes and audit entries.
func now() time.Time { return time.Now().UTC() }
