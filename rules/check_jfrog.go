package rules

import (
	"encoding/base64"
	"strings"
)

// jfrogReferenceToken checks a JFrog reference token: base64 of "reftkn:01:", the token's
// expiry (Unix seconds, 0 for none), ":", and its random part (JFrog's "Access Tokens"
// page: a reference token is the short form of an access token, 64 characters, beginning
// cmVmdGtuOjAxOj). A look-alike that keeps the prefix but not the structure stays quiet.
func jfrogReferenceToken(secret string) bool {
	s := strings.NewReplacer("-", "+", "_", "/").Replace(strings.TrimRight(secret, "="))
	raw, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return false
	}
	rest, ok := strings.CutPrefix(string(raw), "reftkn:01:")
	if !ok {
		return false
	}
	expiry, random, ok := strings.Cut(rest, ":")
	if !ok || expiry == "" || len(expiry) > 12 || !inSet(expiry, "0123456789") {
		return false
	}
	if len(random) < 16 {
		return false
	}
	for i := 0; i < len(random); i++ {
		if random[i] <= ' ' || random[i] > '~' {
			return false
		}
	}
	return true
}
