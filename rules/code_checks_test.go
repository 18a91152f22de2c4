package rules

import (
	"encoding/base64"
	"strconv"
	"testing"
)

// routable returns a GitLab routable token of prefix with a payload of n characters and a
// valid length field and checksum (RoutableToken in GitLab's source).
func routable(g *Generator, prefix string, n int) string {
	l := strconv.FormatInt(int64(n), 36)
	if len(l) < 2 {
		l = "0" + l
	}
	h := prefix + g.Chars(setB64URL, n) + ".01." + l
	return h + base36CRC32(h)
}

// TestGitLabChecksumPrefixes holds every kind of GitLab token to the routable format's
// length and checksum, whatever its prefix.
func TestGitLabChecksumPrefixes(t *testing.T) {
	g := NewGenerator(10)
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	good := routable(g, "gldt-", 32)
	tests := []checkCase{
		{"deploy token", good, true},
		{"runner token with its partition tag", routable(g, "glrt-t2_", 40), true},
		{"instance prefix before the kind", routable(g, "acme-glpat-", 32), true},
		{"agent token", routable(g, "glagent-", 64), true},
		{"one character changed", good[:10] + string("AB"[0+int(good[10]&1)]) + good[11:], false},
		{"no gl in the prefix", routable(g, "xyz-", 32), false},
		{"payload longer than the token", "gldt-abc.01.zz" + base36CRC32("gldt-abc.01.zz"), false},
		{"legacy deploy token", "gldt-" + g.Chars(setAlnum, 20), true},
		{"job token, signed JWT", "glcbt-" + g.JWT(`{"sub":"gid://gitlab/Ci::Build/1"}`), true},
		{"job token, unsigned", "glcbt-" + enc(`{"alg":"none"}`) + "." + enc(`{"sub":"1"}`) + "." + g.Chars(setB64URL, 43), false},
		{"job token, legacy", "glcbt-64_" + g.Chars(setAlnum, 20), true},
	}
	testCheck(t, "gitlabChecksum", gitlabChecksum, tests)
}
