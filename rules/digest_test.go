package rules

import (
	"testing"
)

func compileText(t *testing.T, toml string) *Set {
	t.Helper()
	cfg, err := ParseConfig([]byte(toml), "leakstop.toml", nil)
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	set, err := Compile(cfg)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return set
}

// TestDigest: the digest is the same for the same rules however they were loaded, and
// changes with what a scan finds or silences, not with what a report only says.
func TestDigest(t *testing.T) {
	builtin, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	base := builtin.Digest()
	if len(base) != 32 || base != again.Digest() {
		t.Fatalf("digest of the built-in rules is not stable: %q, %q", base, again.Digest())
	}
	for _, tc := range []struct {
		name, toml string
		same       bool
	}{
		{"an empty configuration", ``, true},
		{"an allowlist path", "[allowlist]\npaths = [\"vendor/**\"]\n", false},
		{"an allowlist stopword", "[allowlist]\nstopwords = [\"example\"]\n", false},
		{"a disabled rule", "disabledRules = [\"jwt\"]\n", false},
		{"a new rule", `[[rules]]
id = "acme-key"
description = "Acme key"
regex = '''acme_[a-z0-9]{32}'''
keywords = ["acme_"]
`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := compileText(t, tc.toml).Digest()
			if (got == base) != tc.same {
				t.Errorf("digest %s, built-in %s: same = %v, want %v", got, base, got == base, tc.same)
			}
		})
	}
	// Two writings of one rule: keywords in another order and case, another description.
	a := compileText(t, `[[rules]]
id = "acme-key"
description = "Acme key"
regex = '''acme_[a-z0-9]{32}'''
keywords = ["acme_", "ACME"]
`).Digest()
	b := compileText(t, `[[rules]]
id = "acme-key"
description = "A key of Acme's API"
regex = '''acme_[a-z0-9]{32}'''
keywords = ["acme", "acme_"]
`).Digest()
	if a != b {
		t.Errorf("the same rule written two ways has two digests: %s, %s", a, b)
	}
}
