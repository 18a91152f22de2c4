package revoke_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// The Go providers of the messaging and commerce files, against fakes written from their
// documentation: each verification's live, invalid, 429-then-live and 500 answers, the
// pairs of two values and what happens without the second, and each revocation's flow.

// registryFor returns the registry wired to the harness, and provider's verifier.
func registryFor(t *testing.T, h *harness, provider string) revoke.Verifier {
	t.Helper()
	reg, err := revoke.Builtin(revoke.Config{Client: h.client, Env: func(k string) string { return h.env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	v, ok := reg.Lookup(provider)
	if !ok {
		t.Fatalf("%s is not registered", provider)
	}
	return v
}

// verifyCase is one answer a provider's fake gives, and the outcome it must read as.
type verifyCase struct {
	name  string
	setup func(inject func(status int, header map[string]string, times int), live func())
	want  outcome.Status
	calls int
}

var verifyCases = []verifyCase{
	{"live", func(_ func(int, map[string]string, int), live func()) { live() }, outcome.Live, 1},
	{"invalid", func(func(int, map[string]string, int), func()) {}, outcome.Invalid, 1},
	{"429 then live", func(inject func(int, map[string]string, int), live func()) {
		live()
		inject(429, map[string]string{"Retry-After": "3"}, 1)
	}, outcome.Live, 2},
	{"500", func(inject func(int, map[string]string, int), live func()) {
		live()
		inject(500, nil, -1)
	}, outcome.Unknown, 4},
}

// TestGoRowVerifications runs the Go verifications that follow a row of revoke/fake
// (Mailchimp on the key's data center, Postmark's server token) through every answer.
func TestGoRowVerifications(t *testing.T) {
	for _, provider := range []string{"mailchimp", "postmark"} {
		p, _ := rules.LookupProvider(provider)
		row, ok := fake.RowFor(provider)
		if !ok {
			t.Fatalf("no row for %s", provider)
		}
		for _, c := range verifyCases {
			t.Run(provider+"/"+c.name, func(t *testing.T) {
				f := fake.NewTable(t, row)
				v, comp := ruleSecret(t, p.Rules[0], 9100)
				c.setup(func(status int, header map[string]string, times int) {
					f.Inject(f.VerifyRoute(), times, fake.Reply{Status: status, Header: header, Body: `{"error":"x"}`})
				}, func() { f.AddKey(v) })
				h := newHarness(t, map[string]string{p.URLEnv: f.URL})
				got, err := registryFor(t, h, provider).Verify(context.Background(), h.secret(provider, v, comp))
				if err != nil {
					got = revoke.Outcome{Status: outcome.Unknown, Detail: err.Error()}
				}
				calls := c.calls
				if provider == "postmark" && c.name == "invalid" {
					calls = 2 // not a server token: asked as an account token
				}
				if got.Status != c.want || len(f.Calls()) != calls {
					t.Errorf("got %s (%s) after %d calls, want %s after %d", got.Status, got.Detail, len(f.Calls()), c.want, calls)
				}
				checkNoSecrets(t, "the detail", got.Detail, v)
				checkAudit(t, h, v)
			})
		}
	}
}

// TestPostmarkAccountToken: a token Postmark does not know as a server token is asked as an
// account token.
func TestPostmarkAccountToken(t *testing.T) {
	row, _ := fake.RowFor("postmark")
	f := fake.NewTable(t, row)
	v, _ := ruleSecret(t, "postmark-api-token", 9150)
	f.AddKey(v)
	f.Inject("GET /deliverystats", 1, fake.Reply{Status: 401, Body: `{"ErrorCode":10,"Message":"The Server Token you provided was invalid."}`})
	h := newHarness(t, map[string]string{"LEAKSTOP_POSTMARK_URL": f.URL})
	got, err := registryFor(t, h, "postmark").Verify(context.Background(), h.secret("postmark", v, ""))
	if err != nil || got.Status != outcome.Live || !strings.Contains(got.Detail, "account token") {
		t.Errorf("got %+v, %v", got, err)
	}
	if f.Count(http.MethodGet, "/domains") != 1 {
		t.Errorf("calls: %+v", f.Calls())
	}
}

// TestMailchimpDataCenter: a key is asked on its own data center's host.
func TestMailchimpDataCenter(t *testing.T) {
	// Without the override the host comes from the key: a call that cannot connect shows
	// where it went.
	h := newHarness(t, nil)
	h.client.HTTP = &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host != "us21.api.mailchimp.com" || r.URL.Path != "/3.0/ping" {
			t.Errorf("asked %s", r.URL)
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: http.NoBody, Request: r}, nil
	})}
	key := gen(t, "{{hex 32}}") + "-us21"
	got, _ := registryFor(t, h, "mailchimp").Verify(context.Background(), h.secret("mailchimp", key, ""))
	if got.Status != outcome.Unknown { // an empty body is no answer of Mailchimp's
		t.Errorf("got %+v", got)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestPairVerifications: Vonage, Mailjet and Razorpay verify a pair found together; a
// finding without its second value is not sent, and a test key is not verified.
func TestPairVerifications(t *testing.T) {
	tests := []struct {
		provider, rule string
		route          fake.PairRoute
		userIsValue    bool
	}{
		{"vonage", "vonage-api-secret", fake.VonageSecrets, false},
		{"mailjet", "mailjet-secret-key", fake.MailjetAPIKey, false},
		{"razorpay", "razorpay-key", fake.RazorpayPayments, true},
	}
	for i, tt := range tests {
		p, _ := rules.LookupProvider(tt.provider)
		for _, c := range verifyCases {
			t.Run(tt.provider+"/"+c.name, func(t *testing.T) {
				f := fake.NewPair(t, tt.provider, tt.route)
				v, comp := ruleSecret(t, tt.rule, uint64(9200+i))
				if comp == "" {
					t.Fatalf("the first example of %s has no companion", tt.rule)
				}
				user, pass := comp, v
				if tt.userIsValue {
					user, pass = v, comp
				}
				c.setup(func(status int, header map[string]string, times int) {
					method, path, _ := strings.Cut(tt.route.Call, " ")
					path, _, _ = strings.Cut(path, "*")
					f.Inject(method+" "+path, times, fake.Reply{Status: status, Header: header, Body: `{"error":"x"}`})
				}, func() { f.AddPair(user, pass) })
				h := newHarness(t, map[string]string{p.URLEnv: f.URL})
				got, err := registryFor(t, h, tt.provider).Verify(context.Background(), h.secret(tt.provider, v, comp))
				if err != nil {
					got = revoke.Outcome{Status: outcome.Unknown, Detail: err.Error()}
				}
				if got.Status != c.want || len(f.Calls()) != c.calls {
					t.Errorf("got %s (%s) after %d calls, want %s after %d", got.Status, got.Detail, len(f.Calls()), c.want, c.calls)
				}
				checkNoSecrets(t, "the detail", got.Detail, v, comp)
				checkAudit(t, h, v, comp)
			})
		}
		t.Run(tt.provider+"/without its companion", func(t *testing.T) {
			f := fake.NewPair(t, tt.provider, tt.route)
			v, _ := ruleSecret(t, tt.rule, uint64(9300+i))
			h := newHarness(t, map[string]string{p.URLEnv: f.URL})
			got, err := registryFor(t, h, tt.provider).Verify(context.Background(), h.secret(tt.provider, v, ""))
			if err != nil || got.Status != outcome.Skipped || len(f.Calls()) != 0 {
				t.Errorf("got %+v, %v after %d calls; want skipped, no call", got, err, len(f.Calls()))
			}
		})
	}
	t.Run("razorpay/test key", func(t *testing.T) {
		f := fake.NewPair(t, "razorpay", fake.RazorpayPayments)
		v, comp := ruleSecret(t, "razorpay-test-key", 9400)
		h := newHarness(t, map[string]string{"LEAKSTOP_RAZORPAY_URL": f.URL})
		got, _ := registryFor(t, h, "razorpay").Verify(context.Background(), h.secret("razorpay", v, comp))
		if got.Status != outcome.Skipped || len(f.Calls()) != 0 {
			t.Errorf("got %+v after %d calls", got, len(f.Calls()))
		}
	})
	t.Run("razorpay/restricted is no answer", func(t *testing.T) {
		// Razorpay documents no answer for a key without a permission: a 403 is unknown.
		f := fake.NewPair(t, "razorpay", fake.RazorpayPayments)
		v, comp := ruleSecret(t, "razorpay-key", 9401)
		f.AddPair(v, comp)
		f.Inject("GET /v1/payments", -1, fake.Reply{Status: 403, Body: `{"error":{"code":"BAD_REQUEST_ERROR","description":"Access forbidden"}}`})
		h := newHarness(t, map[string]string{"LEAKSTOP_RAZORPAY_URL": f.URL})
		got, _ := registryFor(t, h, "razorpay").Verify(context.Background(), h.secret("razorpay", v, comp))
		if got.Status != outcome.Unknown {
			t.Errorf("got %+v", got)
		}
	})
}

// TestTwilio: an account SID and auth token verify on the Accounts resource, an API key and
// its secret on the Messaging API; a leaked API key is deleted with the operator's account
// credential (fetched first, so that a key of another account is left alone), never in a dry
// run; an auth token cannot be revoked by API.
func TestTwilio(t *testing.T) {
	f := fake.NewTwilio(t)
	sid, token := "AC"+gen(t, "{{hex 32}}"), gen(t, "{{hex 32}}")
	f.AddAccount(sid, token)
	key, secret := "SK"+gen(t, "{{hex 32}}"), gen(t, "{{alnum 32}}")
	f.AddKey(sid, key, secret)
	other, otherSecret := "SK"+gen(t, "{{hex 32}}"), gen(t, "{{alnum 32}}")
	f.AddKey("AC"+gen(t, "{{hex 32}}"), other, otherSecret) // another account's key
	deadKey := "SK" + gen(t, "{{hex 32}}")

	h := newHarness(t, map[string]string{"LEAKSTOP_TWILIO_URL": f.URL, "TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token})
	ss := []revoke.Secret{
		h.secret("twilio", key, secret),
		h.secret("twilio", token, sid),
		h.secret("twilio", other, otherSecret),
		h.secret("twilio", deadKey, gen(t, "{{alnum 32}}")),
		h.secret("twilio", key, ""), // the same key found without its secret
	}
	res := h.runner(true, true).Run(context.Background(), ss)
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"live", "live", "live", "invalid", "skipped"}, vs); d != "" {
		t.Errorf("verifications (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"dry-run", "unsupported", "needs-credential", "skipped", "dry-run"}, rs); d != "" {
		t.Errorf("dry run (-want +got):\n%s\n%+v", d, res)
	}
	if n := f.Count(http.MethodDelete, "/"); n != 0 {
		t.Fatalf("a dry run sent %d deletes", n)
	}
	res = h.runner(true, false).Run(context.Background(), ss[:3])
	_, rs = statuses(res)
	if d := cmp.Diff([]string{"revoked", "unsupported", "needs-credential"}, rs); d != "" {
		t.Errorf("revocations (-want +got):\n%s\n%+v", d, res)
	}
	if f.LiveKey(key, secret) || !f.LiveKey(other, otherSecret) || !f.Live(sid+":"+token) {
		t.Errorf("after: key live %v, other key live %v, account live %v", f.LiveKey(key, secret), f.LiveKey(other, otherSecret), f.Live(sid+":"+token))
	}
	if !strings.Contains(res[1].Revocation.Detail, "console.twilio.com") || !strings.Contains(res[2].Revocation.Detail, "TWILIO_ACCOUNT_SID") {
		t.Errorf("details: %q, %q", res[1].Revocation.Detail, res[2].Revocation.Detail)
	}
	checkAudit(t, h, key, secret, token, other, otherSecret)
	for _, x := range res {
		checkNoSecrets(t, "an outcome", x.Verification.Detail+x.Revocation.Detail, secret, token, otherSecret)
	}

	// Without the account's credential, the key needs it.
	h2 := newHarness(t, map[string]string{"LEAKSTOP_TWILIO_URL": f.URL})
	key2, secret2 := "SK"+gen(t, "{{hex 32}}"), gen(t, "{{alnum 32}}")
	f.AddKey(sid, key2, secret2)
	res = h2.runner(true, false).Run(context.Background(), []revoke.Secret{h2.secret("twilio", key2, secret2)})
	if got := res[0].Revocation; got.Status != outcome.NeedsCredential || !strings.Contains(got.Detail, "set TWILIO_AUTH_TOKEN") {
		t.Errorf("without the account credential: %+v", got)
	}
}

// TestShopify: the shop comes from the finding (its companion) or LEAKSTOP_SHOPIFY_SHOP; a
// token whose shop is unknown is not sent anywhere, and its revocation names the setting; a
// live token uninstalls its app, never in a dry run; a client secret is not verified.
func TestShopify(t *testing.T) {
	f := fake.NewShopify(t)
	tok := "shpat_" + gen(t, "{{hex 32}}")
	f.AddToken(tok)
	dead := "shpca_" + gen(t, "{{hex 32}}")
	secret := "shpss_" + gen(t, "{{hex 32}}")
	h := newHarness(t, map[string]string{"LEAKSTOP_SHOPIFY_URL": f.URL})
	ss := []revoke.Secret{
		h.secret("shopify", tok, "acme-outdoor.myshopify.com"),
		h.secret("shopify", dead, "acme-outdoor.myshopify.com"),
		h.secret("shopify", secret, ""),
	}
	res := h.runner(true, true).Run(context.Background(), ss)
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"live", "invalid", "skipped"}, vs); d != "" {
		t.Errorf("verifications (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"dry-run", "skipped", "skipped"}, rs); d != "" || f.Count(http.MethodDelete, "/") != 0 {
		t.Errorf("dry run (-want +got):\n%s", d)
	}
	if !strings.Contains(res[0].Revocation.Detail, "irreversible") {
		t.Errorf("dry run detail: %q", res[0].Revocation.Detail)
	}

	// No shop near the token, and none set: nothing sent; the revocation asks for it.
	lone := h.secret("shopify", tok, "")
	v := registryFor(t, h, "shopify")
	got, err := v.Verify(context.Background(), lone)
	if err != nil || got.Status != outcome.Skipped || !strings.Contains(got.Detail, "LEAKSTOP_SHOPIFY_SHOP") {
		t.Errorf("verify without a shop: %+v, %v", got, err)
	}
	got, err = v.(revoke.Revoker).Revoke(context.Background(), lone, false)
	if err != nil || got.Status != outcome.NeedsCredential || !strings.Contains(got.Detail, "set LEAKSTOP_SHOPIFY_SHOP") {
		t.Errorf("revoke without a shop: %+v, %v", got, err)
	}
	if n := len(f.Calls()); n != 2 { // the two calls of the dry run's verifications
		t.Errorf("%d calls: %+v", n, f.Calls())
	}

	// With the setting, the same token revokes: its app is uninstalled.
	h.env["LEAKSTOP_SHOPIFY_SHOP"] = "acme-outdoor"
	res = h.runner(true, false).Run(context.Background(), []revoke.Secret{lone})
	vs, rs = statuses(res)
	if !cmp.Equal(vs, []string{"invalid"}) || !cmp.Equal(rs, []string{"revoked"}) || f.Live(tok) {
		t.Errorf("revocation: %v %v, live after %v: %+v", vs, rs, f.Live(tok), res[0].Revocation)
	}
	checkAudit(t, h, tok, dead, secret)
}

// TestMailgunRevoke: a Keys API key is deleted by its id, confirmed in the key list, with
// itself when it is an admin key, or with MAILGUN_API_KEY; a key that may not list keys
// needs MAILGUN_API_KEY; a "key-" primary key is unsupported.
func TestMailgunRevoke(t *testing.T) {
	newKey := func() string { return gen(t, "{{hex 32}}-{{hex 8}}-{{hex 8}}") }
	f := fake.NewMailgun(t)
	admin, basic, primary := newKey(), newKey(), "key-"+gen(t, "{{hex 32}}")
	f.AddKey(admin, "admin")
	f.AddKey(basic, "basic")
	f.AddKey(primary, "admin")
	h := newHarness(t, map[string]string{"LEAKSTOP_MAILGUN_URL": f.URL})
	ss := []revoke.Secret{h.secret("mailgun", admin, ""), h.secret("mailgun", basic, ""), h.secret("mailgun", primary, "")}
	res := h.runner(true, true).Run(context.Background(), ss)
	if _, rs := statuses(res); !cmp.Equal(rs, []string{"dry-run", "needs-credential", "unsupported"}) || f.Count(http.MethodDelete, "/") != 0 {
		t.Fatalf("dry run: %v (%+v)", rs, res)
	}
	res = h.runner(true, false).Run(context.Background(), ss)
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"invalid", "live", "live"}, vs); d != "" {
		t.Errorf("verifications after (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"revoked", "needs-credential", "unsupported"}, rs); d != "" {
		t.Errorf("revocations (-want +got):\n%s\n%+v", d, res)
	}
	if !strings.Contains(res[1].Revocation.Detail, "set MAILGUN_API_KEY") {
		t.Errorf("basic key: %q", res[1].Revocation.Detail)
	}

	// An admin key of the account as MAILGUN_API_KEY deletes the basic one.
	operator := newKey()
	f.AddKey(operator, "admin")
	h2 := newHarness(t, map[string]string{"LEAKSTOP_MAILGUN_URL": f.URL, "MAILGUN_API_KEY": operator})
	res = h2.runner(true, false).Run(context.Background(), []revoke.Secret{h2.secret("mailgun", basic, "")})
	if _, rs := statuses(res); !cmp.Equal(rs, []string{"revoked"}) || f.Live(basic) || !f.Live(operator) {
		t.Errorf("with MAILGUN_API_KEY: %v %+v", rs, res[0].Revocation)
	}
	checkAudit(t, h, admin, basic, primary, admin[33:])
	checkAudit(t, h2, basic, operator, basic[33:])
}

// TestSquareRevoke: an OAuth token is revoked through its application's credentials; a
// personal access token is not the application's and stays; without the credentials the
// revocation names them.
func TestSquareRevoke(t *testing.T) {
	app, appSecret := "sq0idp-"+gen(t, "{{alnum 22}}"), "sq0csp-"+gen(t, "{{alnum 43}}")
	f := fake.NewSquare(t, app, appSecret)
	oauth, personal := "EAAA"+gen(t, "{{b64url 60}}"), "EAAA"+gen(t, "{{b64url 60}}")
	f.AddToken(oauth)
	f.AddPersonal(personal)
	h := newHarness(t, map[string]string{"LEAKSTOP_SQUARE_URL": f.URL})
	ss := []revoke.Secret{h.secret("square", oauth, ""), h.secret("square", personal, "")}
	res := h.runner(true, false).Run(context.Background(), ss)
	if _, rs := statuses(res); !cmp.Equal(rs, []string{"needs-credential", "needs-credential"}) || f.Count(http.MethodPost, "/") != 0 {
		t.Fatalf("without the application: %v", rs)
	}
	h.env["SQUARE_APPLICATION_ID"], h.env["SQUARE_APPLICATION_SECRET"] = app, appSecret
	res = h.runner(true, true).Run(context.Background(), ss)
	if _, rs := statuses(res); !cmp.Equal(rs, []string{"dry-run", "dry-run"}) || f.Count(http.MethodPost, "/") != 0 {
		t.Fatalf("dry run: %v", rs)
	}
	res = h.runner(true, false).Run(context.Background(), ss)
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"revoked", "failed"}, rs); d != "" {
		t.Errorf("revocations (-want +got):\n%s\n%+v", d, res)
	}
	if !cmp.Equal(vs, []string{"invalid", "live"}) || f.Live(oauth) || !f.Live(personal) {
		t.Errorf("verifications %v; oauth live %v, personal live %v", vs, f.Live(oauth), f.Live(personal))
	}
	checkAudit(t, h, oauth, personal, appSecret)
}

// TestRegionalVerification: Mailgun, Intercom and SparkPost ask every region only when one
// says invalid; with the override, one base. (The hosts themselves are checked in
// regions_test.go.)
func TestRegionalVerification(t *testing.T) {
	row, _ := fake.RowFor("sparkpost")
	f := fake.NewTable(t, row)
	v, _ := ruleSecret(t, "sparkpost-api-key", 9500)
	h := newHarness(t, map[string]string{"LEAKSTOP_SPARKPOST_URL": f.URL})
	h.client.Timeout = time.Second
	got, _ := registryFor(t, h, "sparkpost").Verify(context.Background(), h.secret("sparkpost", v, ""))
	if got.Status != outcome.Invalid || len(f.Calls()) != 1 || strings.Contains(got.Detail, "every region") {
		t.Errorf("with the override: %+v after %d calls", got, len(f.Calls()))
	}
}
