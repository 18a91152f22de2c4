package rules

import (
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
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

// macaroon builds a V2 macaroon of location with caveats, as PyPI issues them.
func macaroon(location string, caveats []string, sigLen int) string {
	b := []byte{2}
	packet := func(t byte, data string) {
		b = append(b, t)
		b = binary.AppendUvarint(b, uint64(len(data)))
		b = append(b, data...)
	}
	packet(1, location)
	packet(2, "4f1d6c2e-8a3b-4c5d-9e7f-0a1b2c3d4e5f")
	b = append(b, 0)
	for _, c := range caveats {
		packet(2, c)
		b = append(b, 0)
	}
	b = append(b, 0)
	packet(6, strings.Repeat("\x17", sigLen))
	return "pypi-" + base64.RawURLEncoding.EncodeToString(b)
}

func TestPyPIMacaroon(t *testing.T) {
	caveat := `{"version": 1, "permissions": {"projects": ["acme"]}}`
	good := macaroon("pypi.org", []string{caveat, strings.Repeat("c", 200)}, 32)
	tests := []checkCase{
		{"PyPI, two caveats (one with a two-byte length)", good, true},
		{"TestPyPI, no caveat", macaroon("test.pypi.org", nil, 32), true},
		{"padded base64", good + "==", true},
		{"another location", macaroon("evil.example", []string{caveat}, 32), false},
		{"short signature", macaroon("pypi.org", []string{caveat}, 20), false},
		{"bytes after the signature", "pypi-" + base64.RawURLEncoding.EncodeToString(append(mustB64(good[5:]), 0)), false},
		{"cut in the middle", good[:len(good)/2], false},
		{"random after the start", "pypi-AgEIcHlwaS5vcmc" + NewGenerator(11).Chars(setB64URL, 160), false},
		{"no prefix", good[5:], false},
	}
	testCheck(t, "pypiMacaroon", pypiMacaroon, tests)
}

func mustB64(s string) []byte {
	b, err := decodeB64URL(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestGrafanaToken(t *testing.T) {
	g := NewGenerator(12)
	r := g.Chars(setAlnum, 32)
	sa := "glsa_" + r + "_" + crc32LE("glsa_"+r)
	cloud := "glc_" + base64.StdEncoding.EncodeToString([]byte(`{"o":"123456","n":"stack-123456-hm-read","k":"`+g.Chars(setAlnum, 24)+`","m":{"r":"prod-us-east-0"}}`))
	tests := []checkCase{
		{"service account token", sa, true},
		{"service account token, checksum of another", "glsa_" + g.Chars(setAlnum, 32) + "_" + sa[len(sa)-8:], false},
		{"service account token, checksum big-endian", "glsa_" + r + "_" + fmtBE("glsa_"+r), false},
		{"cloud token", cloud, true},
		{"cloud token, unpadded", strings.TrimRight(cloud, "="), true},
		{"cloud token, no key", "glc_" + base64.StdEncoding.EncodeToString([]byte(`{"o":"1","n":"x"}`)), false},
		{"cloud token, not JSON", "glc_" + g.Chars(setB64URL, 100), false},
		{"API key", base64.StdEncoding.EncodeToString([]byte(`{"k":"` + g.Chars(setAlnum, 32) + `","n":"ci","id":1}`)), true},
		{"another prefix", "glxx_" + r, false},
	}
	testCheck(t, "grafanaToken", grafanaToken, tests)
}

// fmtBE writes the CRC-32 of s big-endian, the order Grafana does not use.
func fmtBE(s string) string {
	le := crc32LE(s)
	return le[6:8] + le[4:6] + le[2:4] + le[0:2]
}

// TestSentryOrgToken holds Sentry organization tokens to their facts and secret.
func TestSentryOrgToken(t *testing.T) {
	g := NewGenerator(11)
	std := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	facts := `{"iat":1712345678.123,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"acme"}`
	secret := g.Chars(setB64, 43)
	testCheck(t, "sentryOrgToken", sentryOrgToken, []checkCase{
		{"standard base64 facts, padded", "sntrys_" + std(facts) + "_" + secret, true},
		{"URL-safe facts", "sntrys_" + base64.RawURLEncoding.EncodeToString([]byte(facts)) + "_" + secret, true},
		{"integer iat", "sntrys_" + std(`{"iat":1712345678,"url":"https://sentry.acme.example","org":"acme"}`) + "_" + secret, true},
		{"no org", "sntrys_" + std(`{"iat":1712345678,"url":"https://sentry.io"}`) + "_" + secret, false},
		{"url not https", "sntrys_" + std(`{"iat":1712345678,"url":"sentry.io","org":"acme"}`) + "_" + secret, false},
		{"iat not a number", "sntrys_" + std(`{"iat":"today","url":"https://sentry.io","org":"acme"}`) + "_" + secret, false},
		{"random facts", "sntrys_eyJ" + g.Chars(setB64, 80) + "_" + secret, false},
		{"short secret", "sntrys_" + std(facts) + "_" + secret[:40], false},
		{"no secret", "sntrys_" + std(facts), false},
		{"user token", "sntryu_" + g.Chars(setHex, 64), false},
	})
}

// TestJFrogReferenceToken holds JFrog reference tokens to their decoded structure.
func TestJFrogReferenceToken(t *testing.T) {
	g := NewGenerator(12)
	enc := base64.StdEncoding.EncodeToString
	good := enc([]byte("reftkn:01:1767225600:" + g.Chars(setAlnum, 27)))
	testCheck(t, "jfrogReferenceToken", jfrogReferenceToken, []checkCase{
		{"expiring token", good, true},
		{"token without expiry", enc([]byte("reftkn:01:0:" + g.Chars(setAlnum, 36))), true},
		{"URL-safe alphabet", base64.RawURLEncoding.EncodeToString([]byte("reftkn:01:1767225600:" + g.Chars(setAlnum, 27))), true},
		{"prefix, then random base64", "cmVmdGtuOjAxOj" + g.Chars(setB64, 50), false},
		{"no expiry", enc([]byte("reftkn:01::" + g.Chars(setAlnum, 30))), false},
		{"short random part", enc([]byte("reftkn:01:1767225600:abc")), false},
		{"another version", enc([]byte("reftkn:02:1767225600:" + g.Chars(setAlnum, 27))), false},
	})
}

// TestAuth0Tenant holds Auth0 Management API tokens to their issuer and audience.
func TestAuth0Tenant(t *testing.T) {
	g := NewGenerator(13)
	for _, c := range []struct {
		name, claims, want string
	}{
		{"tenant", `{"iss":"https://acme.auth0.com/","aud":"https://acme.auth0.com/api/v2/"}`, "acme.auth0.com"},
		{"tenant with region", `{"iss":"https://acme-prod.eu.auth0.com/","aud":"https://acme-prod.eu.auth0.com/api/v2/"}`, "acme-prod.eu.auth0.com"},
		{"audiences", `{"iss":"https://acme.auth0.com/","aud":["https://acme.auth0.com/userinfo","https://acme.auth0.com/api/v2/"]}`, "acme.auth0.com"},
		{"another API", `{"iss":"https://acme.auth0.com/","aud":"https://api.acme.example"}`, ""},
		{"another tenant's API", `{"iss":"https://acme.auth0.com/","aud":"https://other.auth0.com/api/v2/"}`, ""},
		{"a look-alike issuer", `{"iss":"https://acme.auth0.com.evil.example/","aud":"https://acme.auth0.com.evil.example/api/v2/"}`, ""},
		{"a custom domain", `{"iss":"https://login.acme.example/","aud":"https://login.acme.example/api/v2/"}`, ""},
		{"no issuer", `{"aud":"https://acme.auth0.com/api/v2/"}`, ""},
	} {
		if got := Auth0Tenant(g.JWT(c.claims)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	enc := base64.RawURLEncoding.EncodeToString
	unsigned := enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"iss":"https://acme.auth0.com/","aud":"https://acme.auth0.com/api/v2/"}`)) + "." + g.Chars(setB64URL, 43)
	if got := Auth0Tenant(unsigned); got != "" {
		t.Errorf("unsigned token: %q", got)
	}
}

// TestOktaAccessToken holds Okta access tokens to an Okta issuer and a client id.
func TestOktaAccessToken(t *testing.T) {
	g := NewGenerator(14)
	for _, c := range []struct {
		name, claims, iss string
	}{
		{"custom authorization server", `{"ver":1,"iss":"https://acme.okta.com/oauth2/default","aud":"api://default","cid":"0oa1b2c3d4E5F6g7h8i9","uid":"00u1","scp":["openid"]}`, "https://acme.okta.com/oauth2/default"},
		{"org authorization server", `{"ver":1,"iss":"https://dev-123456.oktapreview.com","cid":"0oa1b2c3d4E5F6g7h8i9"}`, "https://dev-123456.oktapreview.com"},
		{"no client", `{"iss":"https://acme.okta.com/oauth2/default"}`, ""},
		{"another issuer", `{"iss":"https://acme.auth0.com/","cid":"0oa1"}`, ""},
		{"a look-alike host", `{"iss":"https://acme.okta.com.evil.example/oauth2/default","cid":"0oa1"}`, ""},
		{"another path", `{"iss":"https://acme.okta.com/x/../oauth2/default","cid":"0oa1"}`, ""},
		{"plain http", `{"iss":"http://acme.okta.com/oauth2/default","cid":"0oa1"}`, ""},
	} {
		iss, _ := OktaAccessToken(g.JWT(c.claims))
		if iss != c.iss {
			t.Errorf("%s: issuer %q, want %q", c.name, iss, c.iss)
		}
	}
}
