package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// isPlaceholder reports whether a candidate is a stand-in rather than a secret: a template
// variable, a documented example key, a run of one character, a redacted value. Every rule
// applies it.
func isPlaceholder(s string) bool {
	if strings.Contains(s, "xxxxx") || strings.Contains(s, "XXXXX") {
		return true // not folded: random base64 holds "xXxXx" now and then
	}
	lower := strings.ToLower(s)
	for _, p := range placeholderParts {
		if strings.Contains(lower, p) {
			return true
		}
	}
	if strings.HasSuffix(s, "EXAMPLE") || strings.HasSuffix(s, "EXAMPLEKEY") || documented(s) {
		return true
	}
	if (strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}")) ||
		(strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">")) ||
		(strings.HasPrefix(s, "{{") && strings.HasSuffix(s, "}}")) ||
		(strings.HasPrefix(s, "%") && strings.HasSuffix(s, "%")) ||
		strings.HasPrefix(s, "$") {
		return true
	}
	return repetitive(s) || mostlyOneChar(s)
}

// placeholderParts are substrings that real secrets practically never contain. They are
// long enough (or odd enough) that a random base62 string holds one with negligible chance.
var placeholderParts = []string{
	"*****", "…", "....", "your_", "your-", "yourkey", "your_key", "placeholder",
	"changeme", "change_me", "replace_me", "replaceme", "redacted", "insert_", "insert-",
	"example_key", "examplekey", "dummy_", "fake_key", "fakekey", "os.environ", "process.env",
	"os.getenv", "getenv(", "env[", "env.", "secretkeyref", "keyvault", "00000000000000",
	"1234567890abcdef", "abcdefghijklmnop", "api_key_here", "key_here", "token_here",
	"secret_here", "notarealkey", "not_a_real", "not-a-real", "testtesttest",
}

// documentedKeys holds SHA-256 prefixes of keys that providers print in their own
// documentation (Stripe's sample test keys). They are kept hashed so that this repository
// holds no key-shaped literal.
var documentedKeys = map[string]bool{
	"2cafc0970149a84f3b9e62eaf169f36f": true,
	"f2d6ca16515033e5dce14eba840b979d": true,
	"7e8de44ea9ecf6d53415c90f5b249a85": true,
	"ebad4adb2fb10f52db78d628bc08f81e": true, // RubyGems.org API guide
	"905fe7cc0a49c622452c9ac7fa7fcc28": true, // CircleCI changelog, new token format
	"2ffb813b958c574dfda387b31208d0d6": true, // Honeycomb's authentication page
	"2598f7d6adc142d88161630f3db12ab2": true, // Flask's configuration page, the SECRET_KEY secrets.token_hex() printed there
}

// documented reports whether s is a key a provider publishes in its documentation.
func documented(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(s))
	return documentedKeys[hex.EncodeToString(sum[:16])]
}

// repetitive reports whether s (of 8 characters or more) is a pattern of one to four
// characters repeated.
func repetitive(s string) bool {
	if len(s) < 8 {
		return false
	}
	for period := 1; period <= 4; period++ {
		same := true
		for i := period; i < len(s); i++ {
			if s[i] != s[i-period] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// mostlyOneChar reports whether one character makes up most of s ("ghp_AAAA…A"): a random
// string of 16 or more characters never does.
func mostlyOneChar(s string) bool {
	if len(s) < 16 {
		return false
	}
	var counts [256]int
	top := 0
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
		if counts[s[i]] > top {
			top = counts[s[i]]
		}
	}
	return top*10 >= len(s)*6
}

// allSame reports whether s is one character repeated (or empty).
func allSame(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}
