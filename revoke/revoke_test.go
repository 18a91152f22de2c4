package revoke_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// harness wires a Runner to fakes through the environment, as the CLI does.
type harness struct {
	t      *testing.T
	env    map[string]string
	client *revoke.Client
	audit  *revoke.Audit
	waits  []time.Duration
	mu     sync.Mutex
	red    *rules.Redactor
}

func newHarness(t *testing.T, env map[string]string) *harness {
	t.Helper()
	h := &harness{t: t, env: env, red: &rules.Redactor{}}
	a, err := revoke.OpenAudit(filepath.Join(t.TempDir(), "state", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	h.audit = a
	h.client = &revoke.Client{
		HTTP:     &http.Client{Timeout: 2 * time.Second},
		Backoff:  time.Millisecond,
		Audit:    a,
		Redactor: h.red,
		Log:      zerolog.Nop(),
		Sleep: func(ctx context.Context, d time.Duration) error {
			h.mu.Lock()
			h.waits = append(h.waits, d)
			h.mu.Unlock()
			return nil
		},
	}
	return h
}

func (h *harness) runner(revokeOn, dry bool) *revoke.Runner {
	h.t.Helper()
	reg, err := revoke.Builtin(revoke.Config{Client: h.client, Env: func(k string) string { return h.env[k] }})
	if err != nil {
		h.t.Fatal(err)
	}
	return &revoke.Runner{Registry: reg, Client: h.client, Revoke: revokeOn, DryRun: dry, Log: zerolog.Nop()}
}

var seed uint64 = 100

func gen(t *testing.T, tmpl string) string {
	t.Helper()
	seed++
	v, err := rules.NewGenerator(seed).Expand(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// secret makes a Secret as the CLI hands it over, and teaches the redactor.
func (h *harness) secret(provider, value, companion string) revoke.Secret {
	s := revoke.Secret{Provider: provider, Rule: provider + "-rule", Value: value, Companion: companion, Redacted: rules.Redact(value, ""), Fingerprint: fpOf(provider + value)}
	h.red.Add(value, s.Redacted)
	if companion != "" {
		h.red.Add(companion, rules.Redact(companion, ""))
	}
	return s
}

func fpOf(s string) string {
	const hexd = "0123456789abcdef"
	b := make([]byte, 32)
	var x uint64 = 1469598103934665603
	for i := range b {
		for _, c := range []byte(s) {
			x = (x ^ uint64(c)) * 1099511628211
		}
		x = (x ^ uint64(i)) * 1099511628211
		b[i] = hexd[x%16]
	}
	return string(b)
}

func statuses(res []revoke.Result) (v, r []string) {
	for _, x := range res {
		v = append(v, string(x.Verification.Status))
		if x.Revocation != nil {
			r = append(r, string(x.Revocation.Status))
		} else {
			r = append(r, "")
		}
	}
	return v, r
}

// checkNoSecrets fails if any raw secret appears in text.
func checkNoSecrets(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s holds a raw secret (%s…)", what, s[:6])
		}
	}
}

// always is a Verifier of one answer.
type always outcome.Status

func (a always) Verify(context.Context, revoke.Secret) (revoke.Outcome, error) {
	return revoke.Outcome{Status: outcome.Status(a)}, nil
}

func TestRegistryRefusesDuplicates(t *testing.T) {
	r := revoke.NewRegistry()
	v := always(outcome.Live)
	if err := r.Register("gitlab", v); err != nil {
		t.Fatal(err)
	}
	if err := r.Register("gitlab", v); err == nil {
		t.Error("a second gitlab was accepted")
	}
	if err := r.Register("GitLab", v); err == nil {
		t.Error("a mixed-case name was accepted")
	}
	b, err := revoke.Builtin(revoke.Config{})
	if err != nil {
		t.Fatal(err)
	}
	// The providers of the first registry stay registered; every provider added since
	// (TestRegistryMatchesFiles holds the registry to the files) may join them.
	want := []string{"anthropic", "aws", "cloudflare", "digitalocean", "discord", "github", "gitlab", "groq", "huggingface", "npm", "openai", "replicate", "sendgrid", "slack", "stripe", "telegram"}
	got := b.Names()
	if !slices.IsSorted(got) {
		t.Errorf("names are not sorted: %v", got)
	}
	for _, n := range want {
		if !slices.Contains(got, n) {
			t.Errorf("provider %s is not registered: %v", n, got)
		}
	}
}

// TestVerifyEveryProvider asks each provider's fake about one live and one unknown secret.
func TestVerifyEveryProvider(t *testing.T) {
	oa := fake.NewOpenAI(t, "")
	an := fake.NewAnthropic(t, "")
	gh := fake.NewGitHub(t, "")
	gl := fake.NewGitLab(t)
	sl := fake.NewSlack(t)
	np := fake.NewNPM(t)
	aw := fake.NewAWS(t)
	hf := fake.NewBearer(t, "/api/whoami-v2", `{"name":"alice"}`)
	st := fake.NewBearer(t, "/v1/balance", `{"object":"balance"}`)
	sg := fake.NewSendGrid(t)
	cf := fake.NewCloudflare(t)
	gq := fake.NewBearer(t, "/openai/v1/models", `{"data":[]}`)
	dc := fake.NewDiscord(t)
	tg := fake.NewTelegram(t)
	do := fake.NewBearer(t, "/v2/account", `{"account":{"email":"a@example.com","status":"active"}}`)
	rp := fake.NewBearer(t, "/v1/account", `{"type":"user","username":"alice"}`)
	h := newHarness(t, map[string]string{
		"LEAKSTOP_DISCORD_URL": dc.URL, "LEAKSTOP_TELEGRAM_URL": tg.URL, "LEAKSTOP_DIGITALOCEAN_URL": do.URL, "LEAKSTOP_REPLICATE_URL": rp.URL,
		"LEAKSTOP_OPENAI_URL": oa.URL, "LEAKSTOP_ANTHROPIC_URL": an.URL, "GITHUB_API_URL": gh.URL,
		"LEAKSTOP_GITLAB_URL": gl.URL, "LEAKSTOP_SLACK_URL": sl.URL, "LEAKSTOP_NPM_URL": np.URL,
		"LEAKSTOP_AWS_URL": aw.URL, "LEAKSTOP_HUGGINGFACE_URL": hf.URL, "LEAKSTOP_STRIPE_URL": st.URL,
		"LEAKSTOP_SENDGRID_URL": sg.URL, "LEAKSTOP_CLOUDFLARE_URL": cf.URL, "LEAKSTOP_GROQ_URL": gq.URL,
	})
	type row struct {
		provider, live, dead, companion string
		add                             func(string)
	}
	awsSecret := gen(t, "{{b64 40}}")
	rows := []row{
		{"openai", gen(t, `{{openai "sk-proj-" 74}}`), gen(t, `{{openai "sk-proj-" 74}}`), "", func(v string) { oa.AddKey("proj_a", "", v) }},
		{"openai", gen(t, `{{openai "sk-admin-" 58}}`), gen(t, `{{openai "sk-admin-" 58}}`), "", func(v string) { oa.AddAdminKey(v) }},
		{"openai", gen(t, `{{openai "sk-" 20}}`), gen(t, `{{openai "sk-None-" 74}}`), "", func(v string) { oa.AddKey("proj_a", "", v) }},
		{"anthropic", "sk-ant-api03-" + gen(t, "{{b64url 93}}") + "AA", "sk-ant-api03-" + gen(t, "{{b64url 93}}") + "AA", "", func(v string) { an.AddKey(v) }},
		{"github", gen(t, `{{ghtoken "ghp_"}}`), gen(t, `{{ghtoken "ghp_"}}`), "", gh.AddToken},
		{"github", gen(t, `{{ghtoken "ghs_"}}`), gen(t, `{{ghtoken "ghs_"}}`), "", gh.AddToken},
		{"gitlab", "glpat-" + gen(t, "{{b64url 20}}"), "glpat-" + gen(t, "{{b64url 20}}"), "", gl.AddToken},
		{"slack", "xoxb-" + gen(t, "{{digits 12}}-{{digits 12}}-{{alnum 24}}"), "xoxb-" + gen(t, "{{digits 12}}-{{digits 12}}-{{alnum 24}}"), "", sl.AddToken},
		{"slack", "https://hooks.slack.com/services/T" + gen(t, "{{upper 8}}/B{{upper 8}}/{{alnum 24}}"), "https://hooks.slack.com/services/T" + gen(t, "{{upper 8}}/B{{upper 8}}/{{alnum 24}}"), "", sl.AddToken},
		{"npm", gen(t, "{{npmtoken}}"), gen(t, "{{npmtoken}}"), "", np.AddToken},
		{"aws", "AKIA" + gen(t, "{{base32 16}}"), "AKIA" + gen(t, "{{base32 16}}"), awsSecret, func(v string) { aw.AddKey(v, awsSecret, "alice") }},
		{"huggingface", "hf_" + gen(t, "{{alnum 34}}"), "hf_" + gen(t, "{{alnum 34}}"), "", hf.AddToken},
		{"stripe", "sk_live_" + gen(t, "{{alnum 24}}"), "sk_live_" + gen(t, "{{alnum 24}}"), "", st.AddToken},
		{"sendgrid", "SG." + gen(t, "{{b64url 22}}.{{b64url 43}}"), "SG." + gen(t, "{{b64url 22}}.{{b64url 43}}"), "", sg.AddKey},
		{"cloudflare", gen(t, "{{b64url 40}}"), gen(t, "{{b64url 40}}"), "", cf.AddToken},
		{"groq", "gsk_" + gen(t, "{{alnum 52}}"), "gsk_" + gen(t, "{{alnum 52}}"), "", gq.AddToken},
		{"discord", gen(t, "{{discord}}"), gen(t, "{{discord}}"), "", dc.AddToken},
		{"discord", "https://discord.com/api/webhooks/" + gen(t, "{{digits 19}}/{{b64url 68}}"), "https://discord.com/api/webhooks/" + gen(t, "{{digits 19}}/{{b64url 68}}"), "", dc.AddToken},
		{"telegram", gen(t, "{{digits 10}}:AA{{b64url 33}}"), gen(t, "{{digits 9}}:AA{{b64url 33}}"), "", tg.AddToken},
		{"digitalocean", "dop_v1_" + gen(t, "{{hex 64}}"), "dop_v1_" + gen(t, "{{hex 64}}"), "", do.AddToken},
		{"replicate", "r8_" + gen(t, "{{b64url 37}}"), "r8_" + gen(t, "{{b64url 37}}"), "", rp.AddToken},
	}
	var ss []revoke.Secret
	var want []string
	for _, r := range rows {
		r.add(r.live)
		ss = append(ss, h.secret(r.provider, r.live, r.companion), h.secret(r.provider, r.dead, r.companion))
		want = append(want, r.provider+" live", r.provider+" invalid")
	}
	res := h.runner(false, false).Run(context.Background(), ss)
	var got []string
	for i, x := range res {
		got = append(got, ss[i].Provider+" "+string(x.Verification.Status))
		if x.Revocation != nil {
			t.Errorf("%s: revocation %v without --revoke", ss[i].Provider, x.Revocation)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("verification (-want +got):\n%s", d)
	}
}

// TestOpenAIRevoke follows providers.md §1.8 against the fake: more than 100 keys over
// several projects and pages, a project key deleted, a service account deleted for its key,
// an ambiguous match left alone, an admin key deleting itself.
func TestOpenAIRevoke(t *testing.T) {
	admin := gen(t, `{{openai "sk-admin-" 58}}`)
	oa := fake.NewOpenAI(t, admin)
	for i := 0; i < 130; i++ {
		oa.AddKey("proj_big", "", gen(t, `{{openai "sk-proj-" 74}}`))
	}
	for i := 0; i < 105; i++ {
		oa.AddProject("proj_empty_" + string(rune('a'+i/26)) + string(rune('a'+i%26)))
	}
	project := gen(t, `{{openai "sk-proj-" 74}}`)
	pk := oa.AddKey("proj_big", "", project)
	svc := gen(t, `{{openai "sk-svcacct-" 74}}`)
	oa.AddKey("proj_svc", "svc_acct_1", svc)
	other := oa.AddKey("proj_svc", "svc_acct_1", gen(t, `{{openai "sk-svcacct-" 74}}`))
	// Two keys that share their first 8 and last 4 characters and length: ambiguous.
	amb := gen(t, `{{openai "sk-proj-" 74}}`)
	twin := amb[:8] + gen(t, `{{b64url 152}}`) + amb[len(amb)-4:]
	oa.AddKey("proj_big", "", amb)
	oa.AddKey("proj_twin", "", twin)
	leakedAdmin := gen(t, `{{openai "sk-admin-" 58}}`)
	oa.AddAdminKey(admin)
	oa.AddAdminKey(leakedAdmin)

	h := newHarness(t, map[string]string{"LEAKSTOP_OPENAI_URL": oa.URL, "OPENAI_ADMIN_KEY": admin})
	ss := []revoke.Secret{h.secret("openai", project, ""), h.secret("openai", svc, ""), h.secret("openai", amb, ""), h.secret("openai", leakedAdmin, "")}

	// A dry run looks up and changes nothing.
	res := h.runner(true, true).Run(context.Background(), ss)
	_, rs := statuses(res)
	if d := cmp.Diff([]string{"dry-run", "dry-run", "failed", "dry-run"}, rs); d != "" {
		t.Fatalf("dry run (-want +got):\n%s", d)
	}
	if n := oa.Count(http.MethodDelete, "/"); n != 0 {
		t.Fatalf("dry run sent %d DELETEs", n)
	}
	if !strings.Contains(res[1].Revocation.Detail, "svc_acct_1") || !strings.Contains(res[1].Revocation.Detail, "every other key") {
		t.Errorf("dry run of a service-account key does not name the account and the blast radius: %s", res[1].Revocation.Detail)
	}

	res = h.runner(true, false).Run(context.Background(), ss)
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"revoked", "revoked", "failed", "revoked"}, rs); d != "" {
		t.Errorf("revocations (-want +got):\n%s\n%+v", d, res)
	}
	if d := cmp.Diff([]string{"invalid", "invalid", "live", "invalid"}, vs); d != "" {
		t.Errorf("verifications after (-want +got):\n%s", d)
	}
	deleted := append([]string(nil), oa.Deleted...)
	slices.Sort(deleted)
	if d := cmp.Diff([]string{"key_admin_1", pk.ID, "svc_acct_1"}, deleted); d != "" {
		t.Errorf("deleted (-want +got):\n%s", d)
	}
	// The issue of the service-account key warns of what else its revocation revoked.
	if ns := revoke.Notes("openai", res[1].Revocation); len(ns) != 1 || ns[0].Label != "Blast radius" {
		t.Errorf("notes of a deleted service account: %+v (detail %q)", ns, res[1].Revocation.Detail)
	}
	if !strings.Contains(res[2].Revocation.Detail, "ambiguous") {
		t.Errorf("ambiguous detail: %s", res[2].Revocation.Detail)
	}
	if oa.Live(other.Value) {
		t.Error("the service account's other key survived its deletion")
	}
	if !oa.Live(amb) || !oa.Live(twin) || !oa.Live(admin) {
		t.Error("an ambiguous key or the operator's admin key was deleted")
	}
	if n := oa.Count(http.MethodGet, "/v1/organization/projects/proj_big/api_keys"); n < 2 {
		t.Errorf("the 132 keys of proj_big were read in %d pages", n)
	}

	// A second run: nothing deleted again, nothing unexpected.
	res = h.runner(true, false).Run(context.Background(), ss)
	_, rs = statuses(res)
	if d := cmp.Diff([]string{"revoked", "revoked", "failed", "revoked"}, rs); d != "" {
		t.Errorf("second run (-want +got):\n%s", d)
	}
	if len(oa.Deleted) != 3 {
		t.Errorf("second run deleted again: %v", oa.Deleted)
	}
	checkAudit(t, h, project, svc, amb, twin, leakedAdmin, admin)
}

func checkAudit(t *testing.T, h *harness, secrets ...string) {
	t.Helper()
	data, err := os.ReadFile(h.audit.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(data) == 0 {
		t.Fatal("empty audit log")
	}
	checkNoSecrets(t, "the audit log", string(data), secrets...)
}

// TestOpenAIWithoutAdminKeyNeedsCredential: a key leakstop could revoke with an operator
// credential it lacks says which variable to set, and where to act by hand meanwhile.
func TestOpenAIWithoutAdminKeyNeedsCredential(t *testing.T) {
	oa := fake.NewOpenAI(t, "")
	k := gen(t, `{{openai "sk-proj-" 74}}`)
	oa.AddKey("p", "", k)
	h := newHarness(t, map[string]string{"LEAKSTOP_OPENAI_URL": oa.URL})
	res := h.runner(true, false).Run(context.Background(), []revoke.Secret{h.secret("openai", k, "")})
	got := res[0].Revocation
	if got.Status != outcome.NeedsCredential {
		t.Errorf("status %s, want needs-credential", got.Status)
	}
	for _, want := range []string{"set OPENAI_ADMIN_KEY", "same organization", "leakstop revoke REPORT", "https://platform.openai.com/api-keys"} {
		if !strings.Contains(got.Detail, want) {
			t.Errorf("detail %q does not say %q", got.Detail, want)
		}
	}
	if revoke.Failed(res) > 0 {
		t.Error("needs-credential counted as failed")
	}
}

func TestOpenAIRestrictedKeyIsLive(t *testing.T) {
	oa := fake.NewOpenAI(t, "")
	k := gen(t, `{{openai "sk-proj-" 74}}`)
	oa.AddKey("p", "", k).Restricted = true
	h := newHarness(t, map[string]string{"LEAKSTOP_OPENAI_URL": oa.URL})
	res := h.runner(false, false).Run(context.Background(), []revoke.Secret{h.secret("openai", k, "")})
	if res[0].Verification.Status != outcome.Live {
		t.Errorf("restricted key: %+v, want live", res[0].Verification)
	}
}

// TestStatusRows: each status a provider may answer, and what leakstop makes of it. The
// client tries a call 4 times at the most (3 retries); a row with times -1 answers every
// attempt so.
func TestStatusRows(t *testing.T) {
	const rateLimit = `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`
	tests := []struct {
		name  string
		reply fake.Reply
		times int
		want  outcome.Status
		// waits is how many waits came between attempts; wait, when set, is each one's
		// length (what the provider named), otherwise backoff chose it.
		waits int
		wait  time.Duration
	}{
		{"429 then 200", fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "7"}, Body: rateLimit}, 1, outcome.Live, 1, 7 * time.Second},
		{"429 for ever", fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "1"}, Body: rateLimit}, -1, outcome.Unknown, 3, time.Second},
		// A day is longer than the client waits: no retry, the answer stays unknown.
		{"429 asking too long", fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "86400"}}, -1, outcome.Unknown, 0, 0},
		{"500 then 200", fake.Reply{Status: 500, Body: `{"error":{"message":"The server had an error"}}`}, 2, outcome.Live, 2, 0},
		{"500 for ever", fake.Reply{Status: 500}, -1, outcome.Unknown, 3, 0},
		{"403 region", fake.Reply{Status: 403, Body: `{"error":{"message":"Country, region, or territory not supported","code":"unsupported_country_region_territory"}}`}, -1, outcome.Unknown, 0, 0},
		{"404", fake.Reply{Status: 404, Body: `{"error":{"message":"not found"}}`}, -1, outcome.Unknown, 0, 0},
		{"401", fake.Reply{Status: 401, Body: `{"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}}`}, -1, outcome.Invalid, 0, 0},
		{"401 no member", fake.Reply{Status: 401, Body: `{"error":{"message":"You must be a member of an organization to use the API.","code":"no_organization"}}`}, -1, outcome.Invalid, 0, 0},
		// A 429 is retried like any other; the last one says insufficient_quota, which only
		// a key that authenticated gets: live.
		{"429 no quota", fake.Reply{Status: 429, Body: `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}`}, -1, outcome.Live, 3, 0},
		// Slower than the 600ms timeout: no answer, retried as a read-only call, unknown.
		{"slow", fake.Reply{Delay: 3 * time.Second}, -1, outcome.Unknown, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oa := fake.NewOpenAI(t, "")
			k := gen(t, `{{openai "sk-proj-" 74}}`)
			oa.AddKey("p", "", k)
			oa.Inject("GET /v1/models", tt.times, tt.reply)
			h := newHarness(t, map[string]string{"LEAKSTOP_OPENAI_URL": oa.URL})
			h.client.HTTP.Timeout = 600 * time.Millisecond // long enough for a loaded machine; the slow row waits 3s
			res := h.runner(false, false).Run(context.Background(), []revoke.Secret{h.secret("openai", k, "")})
			got := res[0].Verification
			if got.Status != tt.want {
				t.Errorf("status %s (%s), want %s", got.Status, got.Detail, tt.want)
			}
			if len(h.waits) != tt.waits {
				t.Errorf("waits %v, want %d (none slept for real)", h.waits, tt.waits)
			}
			for _, w := range h.waits {
				if tt.wait != 0 && w != tt.wait {
					t.Errorf("waits %v, want %v each, as the provider asked", h.waits, tt.wait)
					break
				}
			}
			checkNoSecrets(t, "the detail", got.Detail, k)
		})
	}
}

// TestFailedRevocationLeavesOthers: a provider answering 500 on its revoke call fails that
// secret only; the others are revoked; a later run retries the failed one alone.
func TestFailedRevocationLeavesOthers(t *testing.T) {
	admin := gen(t, `{{openai "sk-admin-" 58}}`)
	oa := fake.NewOpenAI(t, admin)
	an := fake.NewAnthropic(t, "sk-ant-admin01-"+gen(t, "{{b64url 93}}")+"AA")
	gl := fake.NewGitLab(t)
	k1 := gen(t, `{{openai "sk-proj-" 74}}`)
	oa.AddKey("p", "", k1)
	k2 := "sk-ant-api03-" + gen(t, "{{b64url 93}}") + "AA"
	an.AddKey(k2)
	k3 := "glpat-" + gen(t, "{{b64url 20}}")
	gl.AddToken(k3)
	an.Inject("POST /v1/organizations/api_keys/", 1, fake.Reply{Status: 500, Body: `{"type":"error","error":{"type":"api_error","message":"Internal server error"}}`})
	h := newHarness(t, map[string]string{"LEAKSTOP_OPENAI_URL": oa.URL, "OPENAI_ADMIN_KEY": admin, "LEAKSTOP_ANTHROPIC_URL": an.URL, "ANTHROPIC_ADMIN_KEY": an.Admin, "LEAKSTOP_GITLAB_URL": gl.URL})
	ss := []revoke.Secret{h.secret("openai", k1, ""), h.secret("anthropic", k2, ""), h.secret("gitlab", k3, "")}
	res := h.runner(true, false).Run(context.Background(), ss)
	_, rs := statuses(res)
	if d := cmp.Diff([]string{"revoked", "failed", "revoked"}, rs); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if revoke.Failed(res) == 0 {
		t.Error("no failed revocation counted")
	}
	if n := an.Count(http.MethodPost, "/v1/organizations/api_keys/"); n != 1 {
		t.Errorf("the changing call was tried %d times after a 500; want 1 (verify before retrying)", n)
	}
	res = h.runner(true, false).Run(context.Background(), ss)
	_, rs = statuses(res)
	if d := cmp.Diff([]string{"revoked", "revoked", "revoked"}, rs); d != "" {
		t.Errorf("retry run (-want +got):\n%s", d)
	}
	if !strings.Contains(res[0].Revocation.Detail, "audit log") {
		t.Errorf("the first key was not recognised from the audit log: %s", res[0].Revocation.Detail)
	}
	checkAudit(t, h, k1, k2, k3, admin, an.Admin)
}

func TestGitHubBatchesAndSlackDryRun(t *testing.T) {
	gh := fake.NewGitHub(t, "")
	sl := fake.NewSlack(t)
	var ss []revoke.Secret
	h := newHarness(t, map[string]string{"GITHUB_API_URL": gh.URL, "LEAKSTOP_SLACK_URL": sl.URL, "GITHUB_TOKEN": "operator-token-" + gen(t, "{{alnum 20}}")})
	var toks []string
	for _, p := range []string{"ghp_", "gho_", "ghu_", "ghp_", "ghs_"} {
		v := gen(t, `{{ghtoken "`+p+`"}}`)
		gh.AddToken(v)
		toks = append(toks, v)
		ss = append(ss, h.secret("github", v, ""))
	}
	xo := "xoxb-" + gen(t, "{{digits 12}}-{{digits 12}}-{{alnum 24}}")
	sl.AddToken(xo)
	ss = append(ss, h.secret("slack", xo, ""))

	res := h.runner(true, true).Run(context.Background(), ss)
	_, rs := statuses(res)
	if d := cmp.Diff([]string{"dry-run", "dry-run", "dry-run", "dry-run", "dry-run", "dry-run"}, rs); d != "" {
		t.Errorf("dry run (-want +got):\n%s", d)
	}
	if gh.RevokeRequests != 0 || sl.TestRevokes != 0 || sl.Count(http.MethodPost, "/api/auth.revoke") != 0 || !sl.Live(xo) {
		t.Errorf("dry run: %d revoke requests, %d Slack test revokes", gh.RevokeRequests, sl.TestRevokes)
	}
	res = h.runner(true, false).Run(context.Background(), ss)
	_, rs = statuses(res)
	if d := cmp.Diff([]string{"revoked", "revoked", "revoked", "revoked", "revoked", "revoked"}, rs); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if gh.RevokeRequests != 1 {
		t.Errorf("%d POST /credentials/revoke, want one batch", gh.RevokeRequests)
	}
	for _, v := range toks {
		if gh.Live(v) {
			t.Error("a GitHub token survived")
		}
	}
	if sl.Live(xo) {
		t.Error("the Slack token survived")
	}
}

func TestAWSAndNPM(t *testing.T) {
	aw := fake.NewAWS(t)
	np := fake.NewNPM(t)
	np.Cached = true
	id, sec := "AKIA"+gen(t, "{{base32 16}}"), gen(t, "{{b64 40}}")
	aw.AddKey(id, sec, "alice")
	asia, asec := "ASIA"+gen(t, "{{base32 16}}"), gen(t, "{{b64 40}}")
	aw.AddKey(asia, asec, "bob")
	tok := gen(t, "{{npmtoken}}")
	np.AddToken(tok)
	h := newHarness(t, map[string]string{"LEAKSTOP_AWS_URL": aw.URL, "LEAKSTOP_NPM_URL": np.URL})
	ss := []revoke.Secret{h.secret("aws", id, sec), h.secret("aws", asia, asec), h.secret("npm", tok, ""), h.secret("aws", "AKIA"+gen(t, "{{base32 16}}"), "")}
	res := h.runner(true, false).Run(context.Background(), ss)
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"invalid", "live", "live", "skipped"}, vs); d != "" {
		t.Errorf("verifications (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"revoked", "unsupported", "revoked", "skipped"}, rs); d != "" {
		t.Errorf("revocations (-want +got):\n%s\n%+v", d, res)
	}
	if aw.Live(id) {
		t.Error("the AWS key is still active")
	}
	if !strings.Contains(res[2].Revocation.Detail, "delay") {
		t.Errorf("npm's cache delay is not said: %s", res[2].Revocation.Detail)
	}
	checkAudit(t, h, sec, asec, tok)
}

// TestRevokeRefused: a provider that refuses the revoke call itself: an OpenAI admin key
// that may read but not delete fails the revocation; an AWS key that may not deactivate
// itself, with no operator credentials, needs a credential and says which.
func TestRevokeRefused(t *testing.T) {
	admin := gen(t, `{{openai "sk-admin-" 58}}`)
	oa := fake.NewOpenAI(t, admin)
	oa.ReadOnlyAdmin = true
	key := gen(t, `{{openai "sk-proj-" 74}}`)
	oa.AddKey("p", "", key)
	aw := fake.NewAWS(t)
	aw.SelfDeny = true
	id, sec := "AKIA"+gen(t, "{{base32 16}}"), gen(t, "{{b64 40}}")
	aw.AddKey(id, sec, "alice")
	h := newHarness(t, map[string]string{"LEAKSTOP_OPENAI_URL": oa.URL, "OPENAI_ADMIN_KEY": admin, "LEAKSTOP_AWS_URL": aw.URL})
	res := h.runner(true, false).Run(context.Background(), []revoke.Secret{h.secret("openai", key, ""), h.secret("aws", id, sec)})
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"live", "live"}, vs); d != "" {
		t.Errorf("verifications (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"failed", "needs-credential"}, rs); d != "" {
		t.Errorf("revocations (-want +got):\n%s\n%+v", d, res)
	}
	if d := res[0].Revocation.Detail; !strings.Contains(d, "HTTP 401") || !strings.Contains(d, "insufficient permissions") {
		t.Errorf("OpenAI detail: %q", d)
	}
	if d := res[1].Revocation.Detail; !strings.Contains(d, "AccessDenied") || !strings.Contains(d, "AWS_ACCESS_KEY_ID") {
		t.Errorf("AWS detail: %q", d)
	}
	if !oa.Live(key) || !aw.Live(id) {
		t.Error("a refused revocation revoked")
	}
}

// TestConcurrencyLimit: no more calls run at once per provider than Client.Limit.
func TestConcurrencyLimit(t *testing.T) {
	var mu sync.Mutex
	inflight, peak := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inflight--
		mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	h := newHarness(t, map[string]string{"LEAKSTOP_GROQ_URL": srv.URL})
	h.client.Limit = 2
	var ss []revoke.Secret
	for i := 0; i < 8; i++ {
		ss = append(ss, h.secret("groq", "gsk_"+gen(t, "{{alnum 52}}"), ""))
	}
	r := h.runner(false, false)
	r.Jobs = 8
	r.Run(context.Background(), ss)
	if peak > 2 {
		t.Errorf("%d calls at once, want at most 2", peak)
	}
}

// TestVerifyCachedPerSecret: a secret found by two rules is verified once.
func TestVerifyCachedPerSecret(t *testing.T) {
	gl := fake.NewGitLab(t)
	tok := "glpat-" + gen(t, "{{b64url 20}}")
	gl.AddToken(tok)
	h := newHarness(t, map[string]string{"LEAKSTOP_GITLAB_URL": gl.URL})
	a, b := h.secret("gitlab", tok, ""), h.secret("gitlab", tok, "")
	b.Rule, b.Fingerprint = "generic-api-key", fpOf("other")
	res := h.runner(false, false).Run(context.Background(), []revoke.Secret{a, b})
	if n := gl.Count(http.MethodGet, "/"); n != 1 {
		t.Errorf("%d verify calls for one secret", n)
	}
	if res[0].Verification.Status != outcome.Live || res[1].Verification.Status != outcome.Live {
		t.Errorf("got %+v %+v", res[0].Verification, res[1].Verification)
	}
}

// TestCloudflareAndSendGridRevoke: both delete with the leaked key itself, by the id the
// provider gives (Cloudflare's verify answer; SendGrid's key list, confirming the key's
// middle segment).
func TestCloudflareAndSendGridRevoke(t *testing.T) {
	cfTok := gen(t, "{{b64url 40}}")
	sgID := gen(t, "{{b64url 22}}")
	sgKey := "SG." + sgID + "." + gen(t, "{{b64url 43}}")
	cf := fake.NewCloudflare(t)
	cf.AddToken(cfTok)
	sg := fake.NewSendGrid(t)
	sg.AddKey("SG." + gen(t, "{{b64url 22}}.{{b64url 43}}")) // another key of the account
	sg.AddKey(sgKey)
	h := newHarness(t, map[string]string{"LEAKSTOP_CLOUDFLARE_URL": cf.URL, "LEAKSTOP_SENDGRID_URL": sg.URL})
	ss := []revoke.Secret{h.secret("cloudflare", cfTok, ""), h.secret("sendgrid", sgKey, "")}
	res := h.runner(true, true).Run(context.Background(), ss)
	_, rs := statuses(res)
	deletes := func() int { return cf.Count(http.MethodDelete, "/") + sg.Count(http.MethodDelete, "/") }
	if d := cmp.Diff([]string{"dry-run", "dry-run"}, rs); d != "" || deletes() != 0 {
		t.Errorf("dry run (-want +got):\n%s (%d deletes)", d, deletes())
	}
	res = h.runner(true, false).Run(context.Background(), ss)
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"revoked", "revoked"}, rs); d != "" {
		t.Errorf("(-want +got):\n%s\n%+v", d, res)
	}
	if d := cmp.Diff([]string{"invalid", "invalid"}, vs); d != "" {
		t.Errorf("after (-want +got):\n%s", d)
	}
	if cf.Live(cfTok) || sg.Live(sgKey) || deletes() != 2 {
		t.Errorf("live after: cloudflare %v, sendgrid %v; %d deletes", cf.Live(cfTok), sg.Live(sgKey), deletes())
	}
	data, _ := os.ReadFile(h.audit.Path())
	checkNoSecrets(t, "the audit log", string(data), cfTok, sgKey, sgID)
}

// TestDiscordWebhookRevoke deletes a leaked webhook with a DELETE on its own URL, after a
// dry run that sends nothing; a bot token has no revoke API and says where to reset it.
func TestDiscordWebhookRevoke(t *testing.T) {
	dc := fake.NewDiscord(t)
	hook := "https://discord.com/api/webhooks/" + gen(t, "{{digits 19}}/{{b64url 68}}")
	bot := gen(t, "{{discord}}")
	dc.AddToken(hook)
	dc.AddToken(bot)
	h := newHarness(t, map[string]string{"LEAKSTOP_DISCORD_URL": dc.URL})
	ss := []revoke.Secret{h.secret("discord", hook, ""), h.secret("discord", bot, "")}
	res := h.runner(true, true).Run(context.Background(), ss)
	if _, rs := statuses(res); !cmp.Equal(rs, []string{"dry-run", "unsupported"}) || dc.Count(http.MethodDelete, "/") != 0 {
		t.Fatalf("dry run: %v, %d deletes", rs, dc.Count(http.MethodDelete, "/"))
	}
	res = h.runner(true, false).Run(context.Background(), ss)
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"revoked", "unsupported"}, rs); d != "" {
		t.Errorf("revocations (-want +got):\n%s\n%+v", d, res)
	}
	if d := cmp.Diff([]string{"invalid", "live"}, vs); d != "" {
		t.Errorf("verifications (-want +got):\n%s", d)
	}
	if dc.Live(hook) || !dc.Live(bot) {
		t.Errorf("webhook live %v, bot live %v", dc.Live(hook), dc.Live(bot))
	}
	if !strings.Contains(res[1].Revocation.Detail, "discord.com/developers/applications") {
		t.Errorf("bot token remediation: %q", res[1].Revocation.Detail)
	}
	data, _ := os.ReadFile(h.audit.Path())
	checkNoSecrets(t, "the audit log", string(data), hook, bot)
	for _, x := range res {
		checkNoSecrets(t, "an outcome", x.Verification.Detail+x.Revocation.Detail, hook, bot)
	}
}

// TestNoClientIsUnsupportedWithRemedy: a provider leakstop has no client for is not
// verified, and its revocation is unsupported with the rule's remediation; a generic finding
// has no provider at all.
func TestNoClientIsUnsupportedWithRemedy(t *testing.T) {
	h := newHarness(t, nil)
	tw := h.secret("twilio", "SK"+gen(t, "{{hex 32}}"), "")
	tw.Remediation = "Delete the API key in the Twilio Console (https://console.twilio.com)."
	gen := h.secret("", gen(t, "{{alnum 40}}"), "")
	res := h.runner(true, false).Run(context.Background(), []revoke.Secret{tw, gen})
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"skipped", "skipped"}, vs); d != "" {
		t.Errorf("verifications (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"unsupported", "skipped"}, rs); d != "" {
		t.Errorf("revocations (-want +got):\n%s", d)
	}
	if got := res[0].Revocation.Detail; !strings.Contains(got, "console.twilio.com") || !strings.Contains(got, "no twilio client") {
		t.Errorf("twilio remediation: %q", got)
	}
}

// TestAnthropicOrganizations follows providers.md §2.3: a leaked key that names its
// organization on /v1/organizations/me is deactivated only when that is the admin key's
// organization; a key the endpoint refuses falls back to the admin key's list.
func TestAnthropicOrganizations(t *testing.T) {
	admin := "sk-ant-admin01-" + gen(t, "{{b64url 93}}") + "AA"
	an := fake.NewAnthropic(t, admin)
	key := func() string { return "sk-ant-api03-" + gen(t, "{{b64url 93}}") + "AA" }
	same, other, silent := key(), key(), key()
	an.AddKey(same)
	an.AddKey(other)
	an.AddKey(silent)
	an.OrgOf = map[string]string{same: fake.Org, other: "87654321-4321-8765-4321-876543218765"}
	h := newHarness(t, map[string]string{"LEAKSTOP_ANTHROPIC_URL": an.URL, "ANTHROPIC_ADMIN_KEY": admin})
	h.red.Add(admin, rules.Redact(admin, ""))
	ss := []revoke.Secret{h.secret("anthropic", same, ""), h.secret("anthropic", other, ""), h.secret("anthropic", silent, "")}
	res := h.runner(true, false).Run(context.Background(), ss)
	_, rs := statuses(res)
	if d := cmp.Diff([]string{"revoked", "needs-credential", "revoked"}, rs); d != "" {
		t.Errorf("revocations (-want +got):\n%s\n%+v", d, res)
	}
	if !an.Live(other) || an.Live(same) || an.Live(silent) {
		t.Errorf("live after: same %v, other %v, silent %v", an.Live(same), an.Live(other), an.Live(silent))
	}
	if d := res[1].Revocation.Detail; !strings.Contains(d, "87654321-4321-8765-4321-876543218765") || !strings.Contains(d, "nothing changed") || !strings.Contains(d, "set ANTHROPIC_ADMIN_KEY") {
		t.Errorf("other organization: %q", d)
	}
	if n := an.Count(http.MethodGet, "/v1/organizations/me"); n != 4 {
		t.Errorf("%d calls to /v1/organizations/me, want 4 (three leaked keys, the admin key once)", n)
	}
	data, _ := os.ReadFile(h.audit.Path())
	checkNoSecrets(t, "the audit log", string(data), same, other, silent, admin)
}
