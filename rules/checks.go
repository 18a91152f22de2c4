package rules

import (
	"maps"
	"math"
	"slices"
	"strings"
)

// Character sets, as checks, regexes and example generators write them.
const (
	setAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	setHex    = "0123456789abcdef"
	setB64URL = setAlnum + "_-"
	setB64    = setAlnum + "+/"
	setBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

// check is an offline test a candidate secret must pass: a provider's checksum, marker or
// structure (formats.go), a test of randomness, or the generic heuristic (generic.go). It
// only lowers false positives; no check proves a secret is live.
type check func(secret string) bool

// checks is the explicit registry of named checks that rules refer to.
var checks = map[string]check{
	"github-checksum":   githubChecksum,
	"npm-checksum":      npmChecksum,
	"pypi-macaroon":     pypiMacaroon,
	"openai-marker":     hasOpenAIMarker,
	"openai-legacy":     openAILegacy,
	"gitlab-checksum":   gitlabChecksum,
	"grafana-token":     grafanaToken,
	"sentry-org-token":  sentryOrgToken,
	"jfrog-reference":   jfrogReferenceToken,
	"auth0-management":  auth0ManagementToken,
	"okta-access-token": oktaAccessToken,
	"aws-key-id":        awsKeyID,
	"aws-secret":        awsSecret,
	"discord-bot-token": discordBotToken,
	"jwt":               signedJWT,
	"private-key":       privateKeyBlock,
	"url-password":      urlPassword,
	"generic-secret":    genericSecret,
	"framework-secret":  frameworkSecret,
	"random":            random,
	"not-hex":           notHex,
	"mixed":             mixed,
	"not-placeholder":   func(s string) bool { return !isPlaceholder(s) },
	// check_creds.go
	"age-secret-key": ageSecretKey,
	"user-password":  userPassword,
	"kube-key-data":  kubeKeyData,
	"putty-key":      puttyKey,
	"intercom-token": intercomToken,
	"stripe-key":     stripeKey,
	"not-sample":     notSample,
	// check_oauth.go
	"zoom-token": zoomToken,
	// p-cloud
	"op-token":      onePasswordToken,
	"qstash-token":  qstashToken,
	"supabase-role": supabaseServiceRole,
	"mapbox-token":  mapboxSecretToken,
}

// checkNames lists the names rules may use in their checks field.
func checkNames() []string { return slices.Sorted(maps.Keys(checks)) }

// entropy returns the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
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

// random reports whether s looks randomly drawn: its entropy is at least 70% of the most a
// string of its length over its own alphabet (hex, digits, letters, base64) can have.
// random strings of 20 to 100 characters stay above 75% with odds better than 1 in 10,000,
// so the check sorts out repeated patterns, sequences and stand-ins without penalising
// short keys as a fixed threshold would. Words can pass: it is meant for values behind a
// provider's prefix, not for telling a password from prose.
func random(s string) bool {
	n := len(s)
	if n < 8 {
		return false
	}
	c := classesOf(s)
	alpha := c.alphabet()
	max := math.Log2(math.Min(float64(n), float64(alpha)))
	return entropy(s) >= 0.7*max
}

// notHex reports whether s is not a plain hex string: 40 hex characters near "cloudflare"
// are a commit id far more often than a token.
func notHex(s string) bool {
	return !inSet(s, "0123456789abcdefABCDEF")
}

// mixed reports whether s holds both upper- and lower-case letters, as random base62 or
// base64 strings of 20 or more characters practically always do (hashes and ids do not).
func mixed(s string) bool {
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
