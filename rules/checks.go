package rules

import (
	"math"
	"sort"
	"strings"
)

// Check is an offline test a candidate secret must pass: a checksum, a length or marker
// rule. It only lowers false positives; no check proves a secret is live.
type Check func(secret string) bool

// checks is the explicit registry of named checks that rules refer to.
var checks = map[string]Check{
	"github-checksum":   GitHubChecksum,
	"npm-checksum":      NPMChecksum,
	"openai-marker":     OpenAIMarker,
	"openai-legacy":     OpenAILegacy,
	"gitlab-checksum":   GitLabChecksum,
	"aws-key-id":        AWSKeyID,
	"aws-secret":        AWSSecret,
	"discord-bot-token": DiscordBotToken,
	"jwt":               SignedJWT,
	"private-key":       PrivateKeyBlock,
	"url-password":      URLPassword,
	"generic-secret":    GenericSecret,
	"random":            Random,
	"not-hex":           NotHex,
	"mixed":             Mixed,
	"not-placeholder":   func(s string) bool { return !IsPlaceholder(s) },
}

// CheckNames lists the names rules may use in their checks field.
func CheckNames() []string {
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Entropy returns the Shannon entropy of s in bits per character.
func Entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	var h float64
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}

// Random reports whether s looks randomly drawn: its entropy is at least 70% of the most a
// string of its length over its own alphabet (hex, digits, letters, base64) can have.
// Random strings of 20 to 100 characters stay above 75% with odds better than 1 in 10,000,
// so the check sorts out repeated patterns, sequences and stand-ins without penalising
// short keys as a fixed threshold would. Words can pass: it is meant for values behind a
// provider's prefix, not for telling a password from prose.
func Random(s string) bool {
	n := len(s)
	if n < 8 {
		return false
	}
	c := classesOf(s)
	alpha := c.alphabet()
	max := math.Log2(math.Min(float64(n), float64(alpha)))
	return Entropy(s) >= 0.7*max
}

// NotHex reports whether s is not a plain hex string: 40 hex characters near "cloudflare"
// are a commit id far more often than a token.
func NotHex(s string) bool {
	return !inSet(s, "0123456789abcdefABCDEF")
}

// Mixed reports whether s holds both upper- and lower-case letters, as random base62 or
// base64 strings of 20 or more characters practically always do (hashes and ids do not).
func Mixed(s string) bool {
	c := classesOf(s)
	return c.lower && c.upper
}

// inSet reports whether every byte of s is in set.
func inSet(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

// classes says which kinds of character a string holds.
type classes struct {
	lower, upper, digit, hexOnly bool
	symbols                      int // distinct other characters
}

func classesOf(s string) classes {
	c := classes{hexOnly: true}
	var seen [256]bool
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'a' && b <= 'z':
			c.lower = true
			if b > 'f' {
				c.hexOnly = false
			}
		case b >= 'A' && b <= 'Z':
			c.upper = true
			if b > 'F' {
				c.hexOnly = false
			}
		case b >= '0' && b <= '9':
			c.digit = true
		default:
			c.hexOnly = false
			if !seen[b] {
				seen[b] = true
				c.symbols++
			}
		}
	}
	if c.lower && c.upper {
		c.hexOnly = false
	}
	return c
}

// alphabet estimates the size of the alphabet a string was drawn from.
func (c classes) alphabet() int {
	if c.hexOnly && (c.lower || c.upper) {
		return 16
	}
	n := c.symbols * 2
	if c.digit {
		n += 10
	}
	if c.lower {
		n += 26
	}
	if c.upper {
		n += 26
	}
	if n < 2 {
		n = 2
	}
	return n
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
func isUpper(b byte) bool  { return b >= 'A' && b <= 'Z' }
