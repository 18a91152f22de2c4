package revoke

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestTenantHosts: a tenant provider's token goes to the variable's base URL when it is set,
// else only to a host of the provider's own domains found beside it; a token without one, or
// beside another host, is sent nowhere.
func TestTenantHosts(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	for _, tt := range []struct {
		name, env, companion, want string
	}{
		{"variable set", srv.URL, "evil.example", srv.URL},
		{"okta host", "", "acme.okta.com", "https://acme.okta.com"},
		{"okta host, upper case", "", "Acme.OktaPreview.com", "https://acme.oktapreview.com"},
		{"another host", "", "acme.okta.com.evil.example", ""},
		{"a path in the host", "", "acme.okta.com/x", ""},
		{"no host", "", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Client: &Client{HTTP: srv.Client()}, Env: func(k string) string {
				if k == "LEAKSTOP_OKTA_URL" {
					return tt.env
				}
				return ""
			}}
			org := newTenant(cfg, "okta", oktaHosts)
			s := Secret{Provider: "okta", Value: "00" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN", Companion: tt.companion}
			if got := org.of(s); got != tt.want {
				t.Errorf("base %q, want %q", got, tt.want)
			}
			if tt.want != "" {
				return
			}
			before := calls.Load()
			out, err := newOkta(cfg).Verify(context.Background(), s)
			if err != nil || out.Status != outcome.Skipped {
				t.Errorf("verify without a host: %+v %v", out, err)
			}
			rev, err := newOkta(cfg).Revoke(context.Background(), s, false)
			if err != nil || rev.Status != outcome.Unsupported {
				t.Errorf("revoke without a host: %+v %v", rev, err)
			}
			if calls.Load() != before {
				t.Errorf("a token without its host was sent somewhere")
			}
		})
	}
}

// TestSonarQubeNeedsItsServer: without LEAKSTOP_SONARQUBE_URL a token is sent nowhere,
// whatever host is written beside it.
func TestSonarQubeNeedsItsServer(t *testing.T) {
	q := newSonarQube(Config{Client: &Client{HTTP: http.DefaultClient}, Env: func(string) string { return "" }})
	for _, host := range []string{"", "sonar.acme.example", "sonarcloud.io"} {
		out, err := q.Verify(context.Background(), Secret{Provider: "sonarqube", Value: "squ_" + "0123456789abcdef0123456789abcdef01234567", Companion: host})
		if err != nil || out.Status != outcome.Skipped {
			t.Errorf("beside %q: %+v %v", host, out, err)
		}
	}
}

// TestAuth0TenantOfToken: an Auth0 token is sent to the tenant its issuer names, and a token
// of no Auth0 tenant nowhere.
func TestAuth0TenantOfToken(t *testing.T) {
	a := newAuth0(Config{Client: &Client{HTTP: http.DefaultClient}, Env: func(string) string { return "" }})
	jwt := "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://acme.eu.auth0.com/","aud":"https://acme.eu.auth0.com/api/v2/"}`)) + ".c2lnbmF0dXJlc2lnbmF0dXJlc2ln"
	if got := a.verify.url(Secret{Value: jwt, Companion: "evil.example"}); got != "https://acme.eu.auth0.com/api/v2/tenants/settings" {
		t.Errorf("url %q", got)
	}
	other := "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://login.acme.example/","aud":"https://login.acme.example/api/v2/"}`)) + ".c2lnbmF0dXJlc2lnbmF0dXJlc2ln"
	out, err := a.Verify(context.Background(), Secret{Rule: "auth0-management-token", Value: other, Companion: "acme.auth0.com"})
	if err != nil || out.Status != outcome.Skipped {
		t.Errorf("a token of no Auth0 tenant: %+v %v", out, err)
	}
}

// FuzzTenantHost: whatever a file beside a token says its host is, a tenant provider sends
// the token only to https:// and a host of the provider's own domains.
func FuzzTenantHost(f *testing.F) {
	for _, s := range []string{"acme.okta.com", "ACME.okta.com", "acme.okta.com.evil.example", "acme.okta.com/x", "a@acme.okta.com", " acme.okta.com\n", ""} {
		f.Add(s)
	}
	org := newTenant(Config{Env: func(string) string { return "" }}, "okta", oktaHosts)
	f.Fuzz(func(t *testing.T, companion string) {
		base := org.of(Secret{Companion: companion})
		if base == "" {
			return
		}
		host, ok := strings.CutPrefix(base, "https://")
		if !ok || !oktaHosts.MatchString(host) || strings.ContainsAny(host, "/@:?# ") {
			t.Fatalf("companion %q sends the token to %q", companion, base)
		}
	})
}

// TestSentryOrgRegion: an organization token goes to the region its facts name when that is
// a host of sentry.io, and nowhere otherwise.
func TestSentryOrgRegion(t *testing.T) {
	p := newSentry(Config{Client: &Client{HTTP: http.DefaultClient}, Env: func(string) string { return "" }})
	tok := func(facts string) string {
		return "sntrys_" + base64.StdEncoding.EncodeToString([]byte(facts)) + "_" + strings.Repeat("A1b2", 10) + "xyz"
	}
	s := Secret{Rule: "sentry-org-token", Value: tok(`{"iat":1712345678,"url":"https://sentry.io/","region_url":"https://de.sentry.io","org":"acme"}`)}
	if got := p.org.url(s); got != "https://de.sentry.io/api/0/organizations/acme/releases/?per_page=1" {
		t.Errorf("url %q", got)
	}
	for _, facts := range []string{
		`{"iat":1712345678,"url":"https://sentry.acme.example","org":"acme"}`,
		`{"iat":1712345678,"url":"https://sentry.io","region_url":"https://sentry.io.evil.example","org":"acme"}`,
		`{"iat":1712345678,"url":"https://sentry.io","region_url":"https://us.sentry.io/x","org":"acme"}`,
	} {
		out, err := p.Verify(context.Background(), Secret{Rule: "sentry-org-token", Value: tok(facts)})
		if err != nil || out.Status != outcome.Skipped {
			t.Errorf("%s: %+v %v", facts, out, err)
		}
	}
}
