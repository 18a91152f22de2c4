package revoke

import (
	"testing"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestDisplayNames: every provider leakstop verifies, and every provider a built-in rule
// names, has a name for people; none is left to show its id by accident.
func TestDisplayNames(t *testing.T) {
	reg, err := Builtin(Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, n := range reg.Names() {
		want[n] = true
	}
	for _, r := range rules.Builtin() {
		if r.Provider != "" {
			want[r.Provider] = true
		}
	}
	for p := range want {
		if _, ok := displayNames[p]; !ok {
			t.Errorf("provider %q has no display name", p)
		}
	}
	for p, n := range map[string]string{"openai": "OpenAI", "huggingface": "Hugging Face", "": "generic", "acme": "acme"} {
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
