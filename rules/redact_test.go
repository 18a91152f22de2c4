package rules

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
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

// TestRedactTellsSecretsApart: redacted secrets still say which secret they are, with
// nothing of what is secret in them.
func TestRedactTellsSecretsApart(t *testing.T) {
	set := builtinSet(t)
	g := NewGenerator(30)
	keyID := "AKIA" + g.Chars(setBase32, 16)
	awsSecret := g.Chars(setB64, 40)
	rsa := g.PrivateKey("RSA", 600)
	openssh := g.PrivateKey("OPENSSH", 300)
	pass := g.Chars(setAlnum, 16)
	for _, tt := range []struct {
		name, text string
		want       string // a regexp for the match's redacted form
		secrets    []string
	}{
		{"aws key id whole", "aws_access_key_id = " + keyID + "\naws_secret_access_key = " + awsSecret + "\n", "^" + keyID + "$", []string{awsSecret}},
		{"rsa key: type and fingerprint", rsa, `^-----BEGIN RSA PRIVATE KEY----- …\(sha256:[0-9a-f]{8}\)$`, []string{rsa[32:96]}},
		{"openssh key", openssh, `^-----BEGIN OPENSSH PRIVATE KEY----- …\(sha256:[0-9a-f]{8}\)$`, []string{openssh[36:100]}},
		{"url password: scheme, user and host", "DATABASE_URL=postgres://app:" + pass + "@db.internal:5432/app", `^postgres://app:…@db\.internal:5432$`, []string{pass}},
		{"url password without a user", "REDIS_URL=redis://:" + pass + "@cache:6379/0", `^redis://:…@cache:6379$`, []string{pass}},
	} {
		ms := set.Find([]byte(tt.text), "app.env")
		if len(ms) != 1 {
			t.Errorf("%s: findings:%s", tt.name, describe(ms))
			continue
		}
		red := ms[0].Redacted
		if !regexp.MustCompile(tt.want).MatchString(red) {
			t.Errorf("%s: redacted %q, want %s", tt.name, red, tt.want)
		}
		for _, s := range tt.secrets {
			if strings.Contains(red, s) {
				t.Errorf("%s: redacted %q holds the secret", tt.name, red)
			}
		}
		if ms[0].Companion != "" && strings.Contains(Redact(ms[0].Companion, ""), ms[0].Companion[:8]) {
			t.Errorf("%s: the companion is not redacted", tt.name)
		}
	}
	// The same key written with CR LF, or escaped inside JSON, has the same fingerprint.
	crlf, _ := redactPrivateKey(strings.ReplaceAll(rsa, "\n", "\r\n"))
	escaped, _ := redactPrivateKey(strings.ReplaceAll(rsa, "\n", `\n`))
	plain, _ := redactPrivateKey(rsa)
	if crlf != plain || escaped != plain {
		t.Errorf("fingerprints differ: %q %q %q", plain, crlf, escaped)
	}
	// Two keys tell apart.
	if other, _ := redactPrivateKey(g.PrivateKey("RSA", 600)); other == plain {
		t.Errorf("two keys redact alike: %q", plain)
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
		// Shown otherwise by design: an AWS key id whole, a private key by its type and
		// fingerprint, a URL without its password.
		if awsKeyID(secret) {
			if red != secret {
				t.Fatalf("Redact(%q) = %q, want the key id whole", secret, red)
			}
			return
		}
		if k, ok := redactPrivateKey(secret); ok {
			if red != k || !strings.HasSuffix(red, ")") {
				t.Fatalf("Redact(%q) = %q, want %q", secret, red, k)
			}
			return
		}
		if u, ok := redactURL(secret); ok {
			_, rest, _ := strings.Cut(secret, "://")
			at := strings.LastIndexByte(rest, '@')
			_, pass, _ := strings.Cut(rest[:at], ":")
			if red != u || strings.Contains(red, pass) {
				t.Fatalf("Redact(%q) = %q shows the password %q", secret, red, pass)
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

// TestRedactKeepsCharactersWhole: the end a redacted secret shows is cut where a character
// starts, so that a non-ASCII password is never shown as half a character (which a JSON
// report writes as U+FFFD).
func TestRedactKeepsCharactersWhole(t *testing.T) {
	for _, secret := range []string{"pässwörd-for-the-staging-db-é", "correct-horse-battery-stäple", "ключ-доступа-к-базе"} {
		got := Redact(secret, "")
		if !utf8.ValidString(got) {
			t.Errorf("Redact(%q) = %q: not valid UTF-8", secret, got)
		}
		if strings.Contains(got, secret[len(secret)/2:]) {
			t.Errorf("Redact(%q) = %q shows too much", secret, got)
		}
	}
}
