// Package outcome names what became of a leaked secret when leakstop asked its provider about
// it and tried to disable it. The providers (package revoke), the findings (package scanner),
// every report and the issue bodies share this one vocabulary, so a status means the same
// thing wherever it is read. It imports nothing of leakstop: providers use it without
// knowing anything of scans.
package outcome

import (
	"encoding/json"
	"fmt"
	"time"
)

// Status is the outcome of a verification or a revocation, as reports spell it.
type Status string

// Verification statuses (STYLE.md, "Verification semantics").
const (
	// Live means the provider accepted the credential.
	Live Status = "live"
	// Invalid means the provider said the credential does not exist, was revoked or expired.
	Invalid Status = "invalid"
	// Unknown is every other answer: 400, 429, 5xx, timeouts, bodies that cannot be read.
	Unknown Status = "unknown"
	// Skipped means no verification (or revocation) was asked for or possible.
	Skipped Status = "skipped"
)

// Revocation statuses.
const (
	// Revoked means the provider disabled the credential.
	Revoked Status = "revoked"
	// Failed means a revocation was attempted, or needed, and did not happen.
	Failed Status = "failed"
	// Unsupported means leakstop cannot revoke this kind of secret at all: the provider has
	// no revoke API, or leakstop no client for it. The detail names the page where a person
	// rotates it by hand.
	Unsupported Status = "unsupported"
	// NeedsCredential means leakstop could revoke the secret with an operator credential it
	// does not have (an admin key of the secret's organization, say): the detail names the
	// environment variable to set before running leakstop revoke again.
	NeedsCredential Status = "needs-credential"
	// DryRun means the revocation was planned but not sent.
	DryRun Status = "dry-run"
)

// Statuses lists every status, verifications' then revocations', in the order reports
// document them.
func Statuses() []Status {
	return []Status{Live, Invalid, Unknown, Skipped, Revoked, Failed, Unsupported, NeedsCredential, DryRun}
}

// Step is one outcome with the time it was seen: a finding's verification or revocation.
type Step struct {
	Status Status
	// Detail is for people: the provider's message (redacted), what was deleted, what to do.
	Detail string
	// At is when the outcome was seen; zero when unknown.
	At time.Time
}

// wireStep is how a Step is written in JSON reports: the time as RFC 3339 in UTC, to the
// second, and left out when unknown.
type wireStep struct {
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
	At     string `json:"at,omitempty"`
}

// MarshalJSON writes the step as the report format has it.
func (s Step) MarshalJSON() ([]byte, error) {
	w := wireStep{Status: s.Status, Detail: s.Detail}
	if !s.At.IsZero() {
		w.At = s.At.UTC().Format(time.RFC3339)
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a step of a report.
func (s *Step) UnmarshalJSON(data []byte) error {
	var w wireStep
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*s = Step{Status: w.Status, Detail: w.Detail}
	if w.At != "" {
		t, err := time.Parse(time.RFC3339Nano, w.At)
		if err != nil {
			return fmt.Errorf("reading the time of a %s outcome: %w", w.Status, err)
		}
		s.At = t
	}
	return nil
}
