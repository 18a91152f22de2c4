package revoke_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// The OAuth providers whose tokens are revoked at an RFC 7009 endpoint (Twitch, Box, Zoom,
// Salesforce), against fakes written from their documentation: every verification answer,
// each revocation with its client authentication, a 200 that revoked nothing (which RFC
// 7009 allows for a token of another client) read as the failure it is, a revocation whose
// token cannot be verified afterwards, and the secrets that are neither verified nor revoked.

// oauthCase is one provider: its token rule, the call that verifies, and the one that
// revokes.
type oauthCase struct {
	provider, rule, verify, revoke string
	// before is how many verify calls come before the revocation's own POST (the run's
	// verification, and Twitch's lookup of the token's client or Salesforce's of its host).
	before int
	// rfc200 tells an endpoint that answers 200 for a token it does not know.
	rfc200 bool
}

var oauthCases = []oauthCase{
	{"twitch", "twitch-access-token", "GET /oauth2/validate", "POST /oauth2/revoke", 2, false},
	{"twitch", "twitch-chat-token", "GET /oauth2/validate", "POST /oauth2/revoke", 2, false},
	{"box", "box-access-token", "GET /2.0/users/me", "POST /oauth2/revoke", 1, true},
	{"zoom", "zoom-oauth-token", "GET /v2/users/me", "POST /oauth/revoke", 1, true},
	{"salesforce", "salesforce-access-token", "GET /services/oauth2/userinfo", "POST /services/oauth2/revoke", 2, false},
}

// oauthSecret starts the provider's fake and returns a harness pointed at it and a secret
// of rule.
func oauthSecret(t *testing.T, c oauthCase, seed uint64, live bool) (*fake.Setup, *harness, revoke.Secret) {
	t.Helper()
	setup, ok := fake.Start(t, c.provider)
	if !ok {
		t.Fatalf("no fake for %s", c.provider)
	}
	v, comp := ruleSecret(t, c.rule, seed)
	if live {
		setup.Add(v, comp)
	}
	h := newHarness(t, setup.Env)
	s := h.secret(c.provider, v, comp)
	s.Rule = c.rule
	return setup, h, s
}

// TestOAuthVerifications: live, invalid, 429 then live, 500, for every token rule.
func TestOAuthVerifications(t *testing.T) {
	for i, c := range oauthCases {
		for _, vc := range verifyCases {
			t.Run(c.rule+"/"+vc.name, func(t *testing.T) {
				setup, h, s := oauthSecret(t, c, uint64(9600+i), false)
				vc.setup(func(status int, header map[string]string, times int) {
					setup.Server.Inject(c.verify, times, fake.Reply{Status: status, Header: header, Body: `{"error":"x"}`})
				}, func() { setup.Add(s.Value, s.Companion) })
				got, err := registryFor(t, h, c.provider).Verify(context.Background(), s)
				if err != nil {
					got = revoke.Outcome{Status: outcome.Unknown, Detail: err.Error()}
				}
				if got.Status != vc.want || len(setup.Server.Calls()) != vc.calls {
					t.Errorf("got %s (%s) after %d calls, want %s after %d", got.Status, got.Detail, len(setup.Server.Calls()), vc.want, vc.calls)
				}
				checkNoSecrets(t, "the detail", got.Detail, s.Value)
				checkAudit(t, h, s.Value)
			})
		}
	}
}

// TestOAuthRevocations: a live token is revoked (a dry run first sends no POST), then
// verifies invalid; revoking it again finds it invalid already.
func TestOAuthRevocations(t *testing.T) {
	for i, c := range oauthCases {
		t.Run(c.rule, func(t *testing.T) {
			setup, h, s := oauthSecret(t, c, uint64(9700+i), true)
			method, path, _ := strings.Cut(c.revoke, " ")
			res := h.runner(true, true).Run(context.Background(), []revoke.Secret{s})
			if vs, rs := statuses(res); !cmp.Equal(vs, []string{"live"}) || !cmp.Equal(rs, []string{"dry-run"}) || setup.Server.Count(method, path) != 0 {
				t.Fatalf("dry run: %v %v, %d revocations: %+v", vs, rs, setup.Server.Count(method, path), res)
			}
			res = h.runner(true, false).Run(context.Background(), []revoke.Secret{s})
			if _, rs := statuses(res); !cmp.Equal(rs, []string{"revoked"}) || setup.Live(s.Value) {
				t.Fatalf("revocation: %v, live after %v: %+v", rs, setup.Live(s.Value), res[0].Revocation)
			}
			if !strings.Contains(res[0].Revocation.Detail, "verifies invalid") {
				t.Errorf("a revocation not verified again: %q", res[0].Revocation.Detail)
			}
			if n := setup.Server.Count(method, path); n != 1 {
				t.Errorf("%d revocations", n)
			}
			// The POST was a form holding the token, and no secret of the client's but
			// the one the provider documents.
			for _, call := range setup.Server.Calls() {
				if call.Method != method {
					continue
				}
				form, err := url.ParseQuery(call.Body)
				if err != nil || form.Get("token") != s.Value {
					t.Errorf("revocation body %v, %v", form, err)
				}
			}
			// Already revoked: the endpoint says so (Twitch, Salesforce), or answers 200 as
			// for any token it does not know, and the token verifies invalid (Box, Zoom).
			rv := registryFor(t, h, c.provider).(revoke.Revoker)
			got, err := rv.Revoke(context.Background(), s, false)
			want := "already invalid"
			if c.rfc200 {
				want = "verifies invalid"
			}
			if err != nil || got.Status != outcome.Revoked || !strings.Contains(got.Detail, want) {
				t.Errorf("revoking a revoked token: %+v, %v", got, err)
			}
			// Neither the token nor the app's secret is in the audit log or an outcome.
			secrets := []string{s.Value}
			for k, v := range setup.Env {
				if strings.HasSuffix(k, "_SECRET") {
					secrets = append(secrets, v)
				}
			}
			checkAudit(t, h, secrets...)
			for _, x := range res {
				checkNoSecrets(t, "an outcome", x.Verification.Detail+x.Revocation.Detail, secrets...)
			}
		})
	}
}

// TestOAuthRevocationNotVerified: the endpoint answers 200, but the token cannot be
// verified afterwards (500s): the revocation is not reported revoked.
func TestOAuthRevocationNotVerified(t *testing.T) {
	for i, c := range oauthCases {
		t.Run(c.rule, func(t *testing.T) {
			setup, h, s := oauthSecret(t, c, uint64(9800+i), true)
			setup.Server.InjectAfter(c.verify, c.before, -1, fake.Reply{Status: 500, Body: `{"error":"x"}`})
			res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})
			got := res[0].Revocation
			if got == nil || got.Status != outcome.Failed || !strings.Contains(got.Detail, "could not be verified afterwards") && !strings.Contains(got.Detail, "verifying the token afterwards") {
				t.Errorf("got %+v", got)
			}
		})
	}
}

// TestOAuthOtherClient: Box answers 200 to a revocation of another app's token and revokes
// nothing; verifying again shows it, and the token is reported failed, not revoked. A Zoom
// token whose claims name another app than ZOOM_CLIENT_ID is not sent at all.
func TestOAuthOtherClient(t *testing.T) {
	t.Run("box", func(t *testing.T) {
		f := fake.NewBox(t)
		f.AddClient("box-app", "box-app-secret")
		f.AddClient("other-box-app", "other-box-secret")
		v, _ := ruleSecret(t, "box-access-token", 9900)
		f.AddToken(v, "box-app")
		h := newHarness(t, map[string]string{"LEAKSTOP_BOX_URL": f.URL, "BOX_CLIENT_ID": "other-box-app", "BOX_CLIENT_SECRET": "other-box-secret"})
		s := h.secret("box", v, "")
		s.Rule = "box-access-token"
		res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})
		got := res[0].Revocation
		if got.Status != outcome.Failed || !strings.Contains(got.Detail, "still verifies live") || !f.Live(v) || f.Count(http.MethodPost, "/oauth2/revoke") != 1 {
			t.Errorf("got %+v; live %v", got, f.Live(v))
		}
	})
	t.Run("box refused", func(t *testing.T) {
		setup, h, s := oauthSecret(t, oauthCases[2], 9901, true)
		h.env["BOX_CLIENT_SECRET"] = "not-the-secret"
		res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})
		if got := res[0].Revocation; got.Status != outcome.Failed || !strings.Contains(got.Detail, "BOX_CLIENT_ID and BOX_CLIENT_SECRET were refused") || !setup.Live(s.Value) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("zoom", func(t *testing.T) {
		setup, h, s := oauthSecret(t, oauthCases[3], 9902, true)
		h.env["ZOOM_CLIENT_ID"] = "another-zoom-app"
		res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})
		got := res[0].Revocation
		if got.Status != outcome.NeedsCredential || !strings.Contains(got.Detail, "another app") || setup.Server.Count(http.MethodPost, "/") != 0 {
			t.Errorf("got %+v", got)
		}
	})
}

// TestOAuthNeedsCredential: Box and Zoom revoke with their app's credentials; without them
// the revocation names the variables, and nothing is sent.
func TestOAuthNeedsCredential(t *testing.T) {
	for i, c := range []oauthCase{oauthCases[2], oauthCases[3]} {
		t.Run(c.provider, func(t *testing.T) {
			setup, h, s := oauthSecret(t, c, uint64(9910+i), true)
			for k := range h.env {
				if strings.HasSuffix(k, "_CLIENT_ID") || strings.HasSuffix(k, "_CLIENT_SECRET") {
					delete(h.env, k)
				}
			}
			res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})
			got := res[0].Revocation
			want := strings.ToUpper(c.provider) + "_CLIENT_SECRET"
			if got.Status != outcome.NeedsCredential || !strings.Contains(got.Detail, want) || setup.Server.Count(http.MethodPost, "/") != 0 {
				t.Errorf("got %+v", got)
			}
		})
	}
}

// TestOAuthClientSecrets: client secrets are found, not verified, and not revoked: the
// revocation names the page where a person resets them.
func TestOAuthClientSecrets(t *testing.T) {
	for i, c := range []struct{ provider, rule, page string }{
		{"twitch", "twitch-client-secret", "dev.twitch.tv/console"},
		{"box", "box-client-secret", "app.box.com/developers/console"},
		{"zoom", "zoom-client-secret", "marketplace.zoom.us"},
	} {
		t.Run(c.rule, func(t *testing.T) {
			setup, h, s := oauthSecret(t, oauthCase{provider: c.provider, rule: c.rule}, uint64(9920+i), false)
			v := registryFor(t, h, c.provider)
			got, err := v.Verify(context.Background(), s)
			if err != nil || got.Status != outcome.Skipped {
				t.Errorf("verify: %+v, %v", got, err)
			}
			got, err = v.(revoke.Revoker).Revoke(context.Background(), s, false)
			if err != nil || got.Status != outcome.Unsupported || !strings.Contains(got.Detail, c.page) {
				t.Errorf("revoke: %+v, %v", got, err)
			}
			if n := len(setup.Server.Calls()); n != 0 {
				t.Errorf("%d calls", n)
			}
		})
	}
}

// TestSalesforceSandbox: a sandbox token is unknown to login.salesforce.com and known to
// test.salesforce.com, where it is then revoked.
func TestSalesforceSandbox(t *testing.T) {
	prod, sandbox := fake.NewSalesforce(t), fake.NewSalesforce(t)
	v, _ := ruleSecret(t, "salesforce-access-token", 9930)
	sandbox.AddToken(v, "")
	h := newHarness(t, map[string]string{})
	hosts := map[string]string{"login.salesforce.com": prod.URL, "test.salesforce.com": sandbox.URL}
	h.client.HTTP = &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		to, ok := hosts[r.URL.Host]
		if !ok {
			t.Fatalf("asked %s", r.URL.Host)
		}
		u, _ := url.Parse(to)
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, u.Host
		return http.DefaultTransport.RoundTrip(r)
	})}
	s := h.secret("salesforce", v, "")
	s.Rule = "salesforce-access-token"
	res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})
	vs, rs := statuses(res)
	if !cmp.Equal(vs, []string{"invalid"}) || !cmp.Equal(rs, []string{"revoked"}) || sandbox.Live(v) { // verified again after
		t.Errorf("%v %v: %+v", vs, rs, res[0])
	}
	if prod.Count(http.MethodPost, "/") != 0 || sandbox.Count(http.MethodPost, "/services/oauth2/revoke") != 1 {
		t.Errorf("revocations: production %d, sandbox %d", prod.Count(http.MethodPost, "/"), sandbox.Count(http.MethodPost, "/"))
	}
	// A token neither knows is invalid in both.
	dead, _ := ruleSecret(t, "salesforce-access-token", 9931)
	got, err := registryFor(t, h, "salesforce").Verify(context.Background(), h.secret("salesforce", dead, ""))
	if err != nil || got.Status != outcome.Invalid || !strings.Contains(got.Detail, "sandboxes") {
		t.Errorf("unknown token: %+v, %v", got, err)
	}
}

// TestSalesforceAuthURL: a CLI authorization URL is found but not verified, since only a
// refresh grant would tell (and it issues a token), and nothing is sent.
func TestSalesforceAuthURL(t *testing.T) {
	setup, h, s := oauthSecret(t, oauthCase{provider: "salesforce", rule: "salesforce-sfdx-auth-url"}, 9940, false)
	res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})
	if vs, _ := statuses(res); !cmp.Equal(vs, []string{"skipped"}) || len(setup.Server.Calls()) != 0 {
		t.Errorf("%v after %d calls: %+v", vs, len(setup.Server.Calls()), res[0].Verification)
	}
	checkNoSecrets(t, "the detail", res[0].Verification.Detail, s.Value)
}
