package rules

import (
	"strings"
	"testing"
)

func TestRedactKeepsPrefix(t *testing.T) {
	set := builtinSet(t)
	g := NewGenerator(29)
	key := g.OpenAIKey("sk-proj-", 74)
	ms := set.Find([]byte("k="+key), "")
	if len(ms) != 1 {
		t.Fatalf("findings:%s", describe(ms))
	}
	red := ms[0].Rule.Redact(key)
	if !strings.HasPrefix(red, "sk-proj-…") || strings.Contains(red, key[8:20]) {
		t.Errorf("redacted %q", red)
	}
}

// TestRedactorOverlap gives texts where secrets overlap: replacing one completes another
// (a secret that begins with its own last characters, beside a second copy; a secret that
// begins with the kept tail of another). Neither may be left in the text.
func TestRedactorOverlap(t *testing.T) {
	g := NewGenerator(33)
	mid := g.Chars(setAlnum, 12)
	self := "ab" + mid + "ab" // 16 characters: redacted, it keeps its last two
	other := g.Chars(setAlnum, 14) + "cd"
	follows := "cd" + g.Chars(setAlnum, 14)
	tests := []struct {
		name    string
		secrets []string
		text    string
	}{
		{"a secret overlapping its own copy", []string{self}, "x " + self + mid + "ab y"},
		{"a secret that begins with another's tail", []string{other, follows}, "x " + other + follows[2:] + " y"},
	}
	for _, tt := range tests {
		var r Redactor
		for _, s := range tt.secrets {
			r.Add(s, Redact(s, ""))
		}
		out := r.Redact(tt.text)
		for _, s := range tt.secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s: %q still holds %q", tt.name, out, s)
			}
		}
	}
}

// FuzzRedact checks redaction on arbitrary secrets and texts: Redact keeps at most a quarter
// of a secret (its prefix, when that is short enough, and a tail), and a Redactor that knows
// two secrets leaves neither of 8 characters or more in a text that holds them, wherever
// they stand and however they overlap.
func FuzzRedact(f *testing.F) {
	g := NewGenerator(34)
	key := g.OpenAIKey("sk-proj-", 74)
	f.Add(key, "sk-proj-", g.Chars(setAlnum, 40), "Authorization: Bearer ", "\n", " (401)")
	f.Add(g.GitHubToken("ghp_"), "ghp_", "", "token ", "", "")
	f.Add("ab"+g.Chars(setAlnum, 12)+"ab", "", "", "", "cdefghijklmnab", "")
	f.Add("short", "", "shorter", "", "", "")
	f.Add("é"+g.Chars(setAlnum, 30)+"é", "é", "…", "…", "…", "…")
	f.Fuzz(func(t *testing.T, secret, prefix, other, before, mid, after string) {
		red := Redact(secret, prefix)
		if secret == "" {
			if red != "" {
				t.Fatalf("Redact of nothing gives %q", red)
			}
			return
		}
		if !strings.Contains(red, "…") {
			t.Fatalf("Redact(%q, %q) = %q has no ellipsis", secret, prefix, red)
		}
		if n := len(red) - len("…"); n*4 > len(secret) {
			t.Errorf("Redact(%q, %q) = %q keeps %d of %d bytes", secret, prefix, red, n, len(secret))
		}
		if strings.HasPrefix(secret, prefix) && len(prefix)*4 <= len(secret) && !strings.HasPrefix(red, prefix+"…") {
			t.Errorf("Redact(%q, %q) = %q drops the prefix", secret, prefix, red)
		}
		var r Redactor
		r.Add(secret, red)
		r.Add(other, Redact(other, ""))
		text := before + secret + mid + other + after + secret
		out := r.Redact(text)
		for _, s := range []string{secret, other} {
			if len(s) >= 8 && strings.Contains(out, s) {
				t.Errorf("Redact(%q) = %q still holds %q", text, out, s)
			}
		}
	})
}
