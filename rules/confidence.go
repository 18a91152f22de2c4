package rules

import (
	"fmt"
	"slices"
)

// Confidence says how sure a match is to be a secret: high for a format that a checksum
// or a marker pins down, medium for a format without one and for what was found only
// decoded or joined, low for a value that only its context makes a secret (the generic
// rule). Reports carry it (SARIF as the result's level) and --min-confidence filters by it.
type Confidence uint8

// Confidence levels, in order.
const (
	ConfidenceLow Confidence = iota + 1
	ConfidenceMedium
	ConfidenceHigh
)

var confidenceNames = map[Confidence]string{ConfidenceLow: "low", ConfidenceMedium: "medium", ConfidenceHigh: "high"}

// String returns the level's name: low, medium or high ("" for none).
func (c Confidence) String() string { return confidenceNames[c] }

// ParseConfidence reads a level's name.
func ParseConfidence(s string) (Confidence, error) {
	for c, name := range confidenceNames {
		if name == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("confidence %q is not low, medium or high", s)
}

// markerChecks are the checks that pin a format down: a checksum, a marker inside the
// token, or a structure that random text does not have.
var markerChecks = []string{
	"github-checksum", "npm-checksum", "openai-marker", "openai-legacy", "gitlab-checksum",
	"aws-key-id", "discord-bot-token", "jwt", "private-key",
}

// minMarkerPrefix is the length from which a literal prefix ("glpat-", "xoxb-", "sk-ant-")
// is a marker of its own: three characters ("sk-", "SK") are too common by chance.
const minMarkerPrefix = 5

// confidence returns the rule's own confidence (Rule.Confidence, or what its kind implies).
func (r *Rule) confidence() Confidence {
	if r.Confidence != 0 {
		return r.Confidence
	}
	if r.Generic {
		if r.issued {
			return ConfidenceMedium // a provider's value that its context names
		}
		return ConfidenceLow
	}
	for _, c := range r.Checks {
		if slices.Contains(markerChecks, c) {
			return ConfidenceHigh
		}
	}
	if len(r.prefixes) > 0 {
		short := false
		for _, p := range r.prefixes {
			short = short || len(p) < minMarkerPrefix
		}
		if !short {
			return ConfidenceHigh
		}
	}
	return ConfidenceMedium
}

// matchConfidence is the confidence of a match of rule r found through encoding (empty
// for plain text): decoded or joined text caps it at medium.
func matchConfidence(r *Rule, encoding string) Confidence {
	c := r.confidence()
	if encoding != "" && c > ConfidenceMedium {
		c = ConfidenceMedium
	}
	return c
}
