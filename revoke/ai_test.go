package revoke_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestOpenRouterRevoke deletes a leaked key with the management key, by the hash of the one
// listed key whose description is the leaked key's own; the account's other keys stay. A dry
// run lists and deletes nothing.
func TestOpenRouterRevoke(t *testing.T) {
	const mgmt = "test-openrouter-management"
	f := fake.NewOpenRouter(t, mgmt)
	leaked := "sk-or-v1-" + gen(t, "{{hex 64}}")
	f.AddKey(leaked)
	var others []string
	for range 150 { // more than a page
		o := "sk-or-v1-" + gen(t, "{{hex 64}}")
		f.AddKey(o)
		others = append(others, o)
	}
	h := newHarness(t, map[string]string{"LEAKSTOP_OPENROUTER_URL": f.URL, "OPENROUTER_MANAGEMENT_KEY": mgmt})
	ss := []revoke.Secret{h.secret("openrouter", leaked, "")}
	res := h.runner(true, true).Run(context.Background(), ss)
	if _, rs := statuses(res); !cmp.Equal(rs, []string{"dry-run"}) || f.Count(http.MethodDelete, "/") != 0 {
		t.Fatalf("dry run: %v %+v, %d deletes", rs, res[0].Revocation, f.Count(http.MethodDelete, "/"))
	}
	if f.Count(http.MethodGet, "/api/v1/keys") != 2 {
		t.Errorf("the dry run read %d pages of keys, want 2", f.Count(http.MethodGet, "/api/v1/keys"))
	}
	res = h.runner(true, false).Run(context.Background(), ss)
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"revoked"}, rs); d != "" {
		t.Fatalf("revocation (-want +got):\n%s\n%+v", d, res[0].Revocation)
	}
	if d := cmp.Diff([]string{"invalid"}, vs); d != "" {
		t.Errorf("after (-want +got):\n%s", d)
	}
	if f.Live(leaked) || f.Count(http.MethodDelete, "/") != 1 {
		t.Errorf("leaked key live %v, %d deletes", f.Live(leaked), f.Count(http.MethodDelete, "/"))
	}
	for _, o := range others {
		if !f.Live(o) {
			t.Fatal("another key of the account was deleted")
		}
	}
	data, _ := os.ReadFile(h.audit.Path())
	checkNoSecrets(t, "the audit log", string(data), leaked, mgmt)
	checkNoSecrets(t, "the outcome", res[0].Revocation.Detail, leaked, mgmt)
}

// TestOpenRouterLeavesWhatItCannotTell: a key the management key's account does not hold,
// and a key two listed keys look like, are left alone; without a management key nothing is
// asked.
func TestOpenRouterLeavesWhatItCannotTell(t *testing.T) {
	const mgmt = "test-openrouter-management"
	f := fake.NewOpenRouter(t, mgmt)
	foreign := "sk-or-v1-" + gen(t, "{{hex 64}}")
	f.AddForeignKey(foreign)
	twin := "sk-or-v1-" + gen(t, "{{hex 64}}")
	look := "sk-or-v1-" + gen(t, "{{hex 64}}")
	f.AddKey(twin)
	f.AddKey(look)
	f.Label(look, "Production API Key")
	f.Label(twin, "Production API Key")
	h := newHarness(t, map[string]string{"LEAKSTOP_OPENROUTER_URL": f.URL, "OPENROUTER_MANAGEMENT_KEY": mgmt})
	res := h.runner(true, false).Run(context.Background(), []revoke.Secret{h.secret("openrouter", foreign, ""), h.secret("openrouter", twin, "")})
	_, rs := statuses(res)
	if d := cmp.Diff([]string{"needs-credential", "failed"}, rs); d != "" {
		t.Errorf("(-want +got):\n%s\n%+v\n%+v", d, res[0].Revocation, res[1].Revocation)
	}
	if !strings.Contains(res[1].Revocation.Detail, "ambiguous") {
		t.Errorf("look-alikes: %q", res[1].Revocation.Detail)
	}
	if f.Count(http.MethodDelete, "/") != 0 || !f.Live(foreign) || !f.Live(twin) || !f.Live(look) {
		t.Errorf("%d deletes", f.Count(http.MethodDelete, "/"))
	}

	g := fake.NewOpenRouter(t, mgmt)
	k := "sk-or-v1-" + gen(t, "{{hex 64}}")
	g.AddKey(k)
	h = newHarness(t, map[string]string{"LEAKSTOP_OPENROUTER_URL": g.URL})
	res = h.runner(true, false).Run(context.Background(), []revoke.Secret{h.secret("openrouter", k, "")})
	if res[0].Revocation.Status != outcome.NeedsCredential || !strings.Contains(res[0].Revocation.Detail, "OPENROUTER_MANAGEMENT_KEY") {
		t.Errorf("without a management key: %+v", res[0].Revocation)
	}
	if n := len(g.Calls()); n != 1 {
		t.Errorf("%d calls without a management key, want the verification alone: %+v", n, g.Calls())
	}
}

// TestXAIRevoke deletes the key by the id its own description names, on the Management API
// with the management key; a blocked key is dead already, and a management key the API
// refuses needs another.
func TestXAIRevoke(t *testing.T) {
	const mgmt = "test-xai-management"
	f := fake.NewXAI(t, mgmt)
	leaked := "xai-" + gen(t, "{{alnum 80}}")
	blocked := "xai-" + gen(t, "{{alnum 80}}")
	other := "xai-" + gen(t, "{{alnum 80}}")
	f.AddKey(leaked)
	f.AddKey(blocked)
	f.AddKey(other)
	f.Block(blocked)
	h := newHarness(t, map[string]string{"LEAKSTOP_XAI_URL": f.URL, "XAI_MANAGEMENT_KEY": mgmt})
	ss := []revoke.Secret{h.secret("xai", leaked, ""), h.secret("xai", blocked, "")}
	res := h.runner(true, false).Run(context.Background(), ss)
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"revoked", "skipped"}, rs); d != "" {
		t.Errorf("revocations (-want +got):\n%s\n%+v", d, res)
	}
	if d := cmp.Diff([]string{"invalid", "invalid"}, vs); d != "" {
		t.Errorf("verifications (-want +got):\n%s", d)
	}
	if !strings.Contains(res[1].Verification.Detail, "blocked") {
		t.Errorf("blocked key: %q", res[1].Verification.Detail)
	}
	if f.Live(leaked) || !f.Live(other) || f.Count(http.MethodDelete, "/auth/api-keys/") != 1 {
		t.Errorf("leaked live %v, other live %v, %d deletes", f.Live(leaked), f.Live(other), f.Count(http.MethodDelete, "/"))
	}
	data, _ := os.ReadFile(h.audit.Path())
	checkNoSecrets(t, "the audit log", string(data), leaked, blocked, mgmt)

	h = newHarness(t, map[string]string{"LEAKSTOP_XAI_URL": f.URL, "XAI_MANAGEMENT_KEY": "test-xai-wrong-management"})
	res = h.runner(true, false).Run(context.Background(), []revoke.Secret{h.secret("xai", other, "")})
	if res[0].Revocation.Status != outcome.NeedsCredential || !f.Live(other) {
		t.Errorf("a refused management key: %+v, live %v", res[0].Revocation, f.Live(other))
	}
}

// TestPerplexityRevokesItself: the key revokes itself with POST /revoke_auth_token, naming
// itself in the body; a dry run sends nothing but the verification.
func TestPerplexityRevokesItself(t *testing.T) {
	f := fake.NewPerplexity(t)
	leaked := "pplx-" + gen(t, "{{alnum 48}}")
	f.AddKey(leaked)
	h := newHarness(t, map[string]string{"LEAKSTOP_PERPLEXITY_URL": f.URL})
	ss := []revoke.Secret{h.secret("perplexity", leaked, "")}
	res := h.runner(true, true).Run(context.Background(), ss)
	if _, rs := statuses(res); !cmp.Equal(rs, []string{"dry-run"}) || f.Count(http.MethodPost, "/") != 0 {
		t.Fatalf("dry run: %v, %d posts", rs, f.Count(http.MethodPost, "/"))
	}
	res = h.runner(true, false).Run(context.Background(), ss)
	vs, rs := statuses(res)
	if !cmp.Equal(rs, []string{"revoked"}) || !cmp.Equal(vs, []string{"invalid"}) || f.Live(leaked) {
		t.Errorf("revocation %v %+v, verification %v, live %v", rs, res[0].Revocation, vs, f.Live(leaked))
	}
	data, _ := os.ReadFile(h.audit.Path())
	checkNoSecrets(t, "the audit log", string(data), leaked)
	if !strings.Contains(string(data), `"intent"`) {
		t.Error("the revocation has no intent line in the audit log")
	}
}

// TestLangfuseVerifiesThePair: a secret key verifies with the public key found beside it;
// without one it is skipped, and a pair Langfuse does not know is invalid.
func TestLangfuseVerifiesThePair(t *testing.T) {
	f := fake.NewLangfuse(t)
	pk := "pk-lf-" + gen(t, "{{hex 8}}-{{hex 4}}-{{hex 4}}-{{hex 4}}-{{hex 12}}")
	sk := "sk-lf-" + gen(t, "{{hex 8}}-{{hex 4}}-{{hex 4}}-{{hex 4}}-{{hex 12}}")
	f.AddPair(pk, sk)
	h := newHarness(t, map[string]string{"LEAKSTOP_LANGFUSE_URL": f.URL})
	unknown := "sk-lf-" + gen(t, "{{hex 8}}-{{hex 4}}-{{hex 4}}-{{hex 4}}-{{hex 12}}")
	res := h.runner(true, false).Run(context.Background(), []revoke.Secret{
		h.secret("langfuse", sk, pk), h.secret("langfuse", sk, ""), h.secret("langfuse", unknown, pk),
	})
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"live", "skipped", "invalid"}, vs); d != "" {
		t.Errorf("verifications (-want +got):\n%s\n%+v", d, res)
	}
	if rs[0] != string(outcome.Unsupported) || !strings.Contains(res[0].Revocation.Detail, "Settings > API Keys") {
		t.Errorf("revocation: %+v", res[0].Revocation)
	}
	if n := len(f.Calls()); n != 2 {
		t.Errorf("%d calls, want 2 (the skipped secret sends none)", n)
	}
	for _, c := range f.Calls() {
		checkNoSecrets(t, "a call", c.Path+c.Query, sk, pk)
	}
}

// TestWandbViewer verifies a key with the viewer query, which only reads.
func TestWandbViewer(t *testing.T) {
	f := fake.NewWandb(t)
	live := "wandb_v1_" + gen(t, "{{alnum 27}}_{{alnum 49}}")
	legacy := gen(t, "{{hex 40}}")
	f.AddKey(live)
	h := newHarness(t, map[string]string{"LEAKSTOP_WANDB_URL": f.URL})
	res := h.runner(true, false).Run(context.Background(), []revoke.Secret{h.secret("wandb", live, ""), h.secret("wandb", legacy, "")})
	vs, rs := statuses(res)
	if d := cmp.Diff([]string{"live", "invalid"}, vs); d != "" {
		t.Errorf("verifications (-want +got):\n%s", d)
	}
	if rs[0] != string(outcome.Unsupported) || !strings.Contains(res[0].Revocation.Detail, "wandb.ai/settings") {
		t.Errorf("revocation: %+v", res[0].Revocation)
	}
	data, _ := os.ReadFile(h.audit.Path())
	checkNoSecrets(t, "the audit log", string(data), live, legacy)
}
