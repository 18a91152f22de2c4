package revoke

import (
	"testing"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestDisplayNames: names for people come from the providers' files; a provider without a
// file keeps its id, and none at all is the generic provider's name.
func TestDisplayNames(t *testing.T) {
	for _, p := range rules.Providers() {
		if got := DisplayName(p.ID); got != p.Name || got == "" {
			t.Errorf("DisplayName(%q) = %q, want its file's %q", p.ID, got, p.Name)
		}
	}
	for p, n := range map[string]string{"openai": "OpenAI", "huggingface": "Hugging Face", "": "generic", "generic": "generic", "acme": "acme"} {
		if got := DisplayName(p); got != n {
			t.Errorf("DisplayName(%q) = %q, want %q", p, got, n)
		}
	}
}

func TestNotes(t *testing.T) {
	sa := &outcome.Step{Status: outcome.Revoked, Detail: "deleted service account svc_1 (\"ci\") of project proj_1, which owns key key_1: deleting it also revokes every other key of that service account"}
	tests := []struct {
		provider   string
		revocation *outcome.Step
		labels     []string
	}{
		{"openai", sa, []string{"Blast radius"}},
		{"openai", &outcome.Step{Status: outcome.Revoked, Detail: "deleted project key key_1"}, nil},
		{"openai", nil, nil},
		{"github", nil, []string{""}}, // GitHub tells the owner, revoked or not
		{"gitlab", sa, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, n := range Notes(tt.provider, tt.revocation) {
			got = append(got, n.Label)
		}
		if len(got) != len(tt.labels) || (len(got) > 0 && got[0] != tt.labels[0]) {
			t.Errorf("Notes(%s, %v) labels %q, want %q", tt.provider, tt.revocation, got, tt.labels)
		}
	}
}
