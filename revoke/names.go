package revoke

import (
	"strings"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// DisplayName returns how provider (an id such as "openai") is named for people, as its file
// under rules/builtin/ says: "OpenAI". A provider leakstop does not know keeps its id; no
// provider at all (a configuration's rule) is the generic provider's.
func DisplayName(provider string) string {
	if provider == "" {
		provider = "generic"
	}
	if p, ok := rules.LookupProvider(provider); ok {
		return p.Name
	}
	return provider
}

// Note is something a person acting on a leaked secret should know beyond its outcomes.
type Note struct {
	// Label, when set, names the note ("Blast radius").
	Label string
	// Text is the note, a sentence.
	Text string
}

// Notes returns what a person acting on a leaked secret of provider should know beyond
// the outcomes: what its revocation (nil when none was tried) also did, and what the
// provider does on its own.
func Notes(provider string, revocation *outcome.Step) []Note {
	var ns []Note
	// The OpenAI revoker deletes a service account for its key and says so in the detail.
	if provider == "openai" && revocation != nil && strings.Contains(revocation.Detail, "service account") {
		ns = append(ns, Note{Label: "Blast radius", Text: "revoking this key deletes its OpenAI service account, which revokes every other key of that account."})
	}
	if provider == "github" {
		ns = append(ns, Note{Text: "GitHub notifies the token's owner when it is revoked."})
	}
	return ns
}
