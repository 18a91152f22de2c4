package rules

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// FuzzPyPIMacaroon feeds the macaroon parser anything after "pypi-": it never panics, it
// answers the same twice, what it accepts is base64 of a V2 macaroon (version 2, a pypi.org
// or test.pypi.org location, a 32-byte signature at the end), and a token it accepts no
// longer passes once a character is cut from its end.
func FuzzPyPIMacaroon(f *testing.F) {
	f.Add(macaroon("pypi.org", []string{`{"version": 1, "permissions": "user"}`}, 32)[5:])
	f.Add(macaroon("test.pypi.org", nil, 32)[5:])
	f.Add(macaroon("pypi.org", []string{strings.Repeat("x", 300), "y"}, 32)[5:])
	f.Add("AgEIcHlwaS5vcmcCJDRm")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		tok := "pypi-" + body
		got := pypiMacaroon(tok)
		if got != pypiMacaroon(tok) {
			t.Fatalf("two answers for %q", tok)
		}
		if !got {
			return
		}
		raw, err := decodeB64URL(body)
		if err != nil || raw[0] != 2 || len(raw) < 1+2+8+2+1+1+2+32 {
			t.Fatalf("accepted %q, which is no V2 macaroon", tok)
		}
		if !strings.Contains(string(raw[:20]), "pypi.org") {
			t.Fatalf("accepted %q without PyPI's location", tok)
		}
		if t := strings.TrimRight(body, "="); len(t) > 1 && pypiMacaroon("pypi-"+t[:len(t)-1]) {
			// Cutting the last character either breaks the base64 or loses signature bytes.
			panic("a token cut short still passes: " + tok)
		}
	})
}

// FuzzCodeTokenStructures feeds the structure checks of the code providers' tokens (Sentry
// organization tokens, JFrog reference tokens, Auth0 Management API and Okta access tokens)
// anything: they never panic, answer the same twice, and what they accept has the structure
// they claim: a Sentry token its prefix and 43-character secret, a JFrog token its decoded
// reftkn:01: head, an Auth0 token an Auth0 tenant host, an Okta token an https issuer on an
// Okta org.
func FuzzCodeTokenStructures(f *testing.F) {
	g := NewGenerator(15)
	f.Add("sntrys_" + base64.StdEncoding.EncodeToString([]byte(`{"iat":1712345678.1,"url":"https://sentry.io","org":"acme"}`)) + "_" + g.Chars(setB64, 43))
	f.Add(base64.StdEncoding.EncodeToString([]byte("reftkn:01:1767225600:" + g.Chars(setAlnum, 27))))
	f.Add(g.JWT(`{"iss":"https://acme.eu.auth0.com/","aud":"https://acme.eu.auth0.com/api/v2/"}`))
	f.Add(g.JWT(`{"iss":"https://acme.okta.com/oauth2/default","cid":"0oa1b2c3"}`))
	f.Add("sntrys_eyJ_")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if sentryOrgToken(s) != sentryOrgToken(s) || jfrogReferenceToken(s) != jfrogReferenceToken(s) {
			t.Fatalf("two answers for %q", s)
		}
		if sentryOrgToken(s) {
			i := strings.LastIndexByte(s, '_')
			if !strings.HasPrefix(s, "sntrys_") || len(s)-i-1 != 43 {
				t.Fatalf("accepted %q, which has no Sentry token's shape", s)
			}
			if sentryOrgToken(s[:len(s)-1]) {
				t.Fatalf("a Sentry token cut short still passes: %q", s)
			}
		}
		if jfrogReferenceToken(s) {
			raw, err := base64.RawStdEncoding.DecodeString(strings.NewReplacer("-", "+", "_", "/").Replace(strings.TrimRight(s, "=")))
			if err != nil || !strings.HasPrefix(string(raw), "reftkn:01:") {
				t.Fatalf("accepted %q, which is no reference token", s)
			}
		}
		if h := Auth0Tenant(s); h != "" && (!auth0Issuer.MatchString("https://"+h+"/") || !signedJWT(s)) {
			t.Fatalf("tenant %q of %q is no Auth0 host", h, s)
		}
		if iss, cid := OktaAccessToken(s); iss != "" {
			u, err := url.Parse(iss)
			if err != nil || u.Scheme != "https" || !oktaHost.MatchString(u.Host) || cid == "" {
				t.Fatalf("issuer %q of %q is no Okta org", iss, s)
			}
		}
	})
}

// FuzzIssuerClaims builds signed JWTs from fuzzed issuer and audience claims: Auth0Tenant
// names a tenant exactly when the issuer is an Auth0 tenant and the audience its API v2, and
// OktaAccessToken an issuer exactly when it is an Okta org's authorization server.
func FuzzIssuerClaims(f *testing.F) {
	f.Add("https://acme.auth0.com/", "https://acme.auth0.com/api/v2/", "0oa1")
	f.Add("https://acme.okta.com/oauth2/default", "api://default", "0oa1")
	f.Add("https://acme.okta.com", "", "")
	f.Add("https://acme.auth0.com.evil.example/", "https://acme.auth0.com.evil.example/api/v2/", "x")
	f.Fuzz(func(t *testing.T, iss, aud, cid string) {
		claims, err := json.Marshal(map[string]string{"iss": iss, "aud": aud, "cid": cid})
		if err != nil {
			return
		}
		tok := NewGenerator(1).JWT(string(claims))
		want := ""
		if auth0Issuer.MatchString(iss) && aud == iss+"api/v2/" {
			want = strings.TrimSuffix(strings.TrimPrefix(iss, "https://"), "/")
		}
		if got := Auth0Tenant(tok); got != want {
			t.Fatalf("Auth0Tenant(iss %q, aud %q) = %q, want %q", iss, aud, got, want)
		}
		got, _ := OktaAccessToken(tok)
		if got != "" && (got != iss || cid == "" || !strings.HasPrefix(iss, "https://")) {
			t.Fatalf("OktaAccessToken(iss %q, cid %q) = %q", iss, cid, got)
		}
	})
}
