package revoke_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

var (
	builtinSetOnce sync.Once
	builtinSet     *rules.Set
)

// ruleSecret returns a secret of rule id as a scan finds it: the rule's first true example,
// expanded with seed and matched, with the value found beside it.
func ruleSecret(t *testing.T, id string, seed uint64) (value, companion string) {
	t.Helper()
	builtinSetOnce.Do(func() {
		set, err := rules.NewSet(rules.Builtin())
		if err != nil {
			panic(err)
		}
		builtinSet = set
	})
	for _, r := range builtinSet.Rules {
		if r.ID != id {
			continue
		}
		text, err := rules.NewGenerator(seed).Expand(r.Examples.True[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range builtinSet.Find([]byte(text), "") {
			if m.Rule.ID == id {
				return m.Secret, m.Companion
			}
		}
		t.Fatalf("rule %s: its first true example %q gives no finding", id, text)
	}
	t.Fatalf("no rule %s", id)
	return "", ""
}

// verifiedRules lists the rules of p whose secrets its declared verification verifies.
func verifiedRules(p rules.Provider) []string {
	var ids []string
	for _, id := range p.Rules {
		if !slices.Contains(p.Verify.Skip, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// TestDeclaredVerifications runs every provider whose file declares its verification
// against its fake row (revoke/fake, written from the provider's documentation apart from
// the declaration), with a secret of each of its rules: live, invalid, live without the
// permission (where the provider has that answer), a 429 with Retry-After (waited, then
// live), a 500 for ever (unknown, after the retries); the fake fails on any call it did not
// expect. Skipped rules are not sent at all.
func TestDeclaredVerifications(t *testing.T) {
	seed := uint64(7000)
	for _, p := range rules.Providers() {
		if p.Verify == nil {
			continue
		}
		row, ok := fake.RowFor(p.ID)
		if !ok {
			t.Errorf("%s has a [verify] table but no fake row in revoke/fake/rows_%s.go", p.File, p.Category)
			continue
		}
		for _, id := range verifiedRules(p) {
			cases := []struct {
				name  string
				setup func(f *fake.Table, v string)
				want  outcome.Status
				waits []time.Duration // nil: any number; empty: none
				calls int
			}{
				{"live", func(f *fake.Table, v string) { f.AddKey(v) }, outcome.Live, []time.Duration{}, 1},
				{"invalid", func(f *fake.Table, v string) {}, outcome.Invalid, []time.Duration{}, 1},
				{"forbidden", func(f *fake.Table, v string) { f.AddRestricted(v) }, outcome.Live, []time.Duration{}, 1},
				{"429 then live", func(f *fake.Table, v string) {
					f.AddKey(v)
					f.Inject(f.VerifyRoute(), 1, fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "7"}, Body: `{"error":"rate limited"}`})
				}, outcome.Live, []time.Duration{7 * time.Second}, 2},
				{"500", func(f *fake.Table, v string) {
					f.AddKey(v)
					f.Inject(f.VerifyRoute(), -1, fake.Reply{Status: 500, Body: `{"error":"internal error"}`})
				}, outcome.Unknown, nil, 4},
			}
			for _, c := range cases {
				t.Run(p.ID+"/"+id+"/"+c.name, func(t *testing.T) {
					f := fake.NewTable(t, row)
					if c.name == "forbidden" && !f.Forbidden() {
						t.Skipf("%s documents no answer for a key without the permission", p.ID)
					}
					seed++
					v, comp := ruleSecret(t, id, seed)
					c.setup(f, v)
					env := row.Env
					if env == "" {
						env = p.URLEnv
					}
					h := newHarness(t, map[string]string{env: f.URL})
					reg, err := revoke.Builtin(revoke.Config{Client: h.client, Env: func(k string) string { return h.env[k] }})
					if err != nil {
						t.Fatal(err)
					}
					verifier, ok := reg.Lookup(p.ID)
					if !ok {
						t.Fatalf("%s is not registered", p.ID)
					}
					s := h.secret(p.ID, v, comp)
					s.Rule = id
					got, err := verifier.Verify(context.Background(), s)
					if err != nil {
						got = revoke.Outcome{Status: outcome.Unknown, Detail: err.Error()}
					}
					if got.Status != c.want {
						t.Errorf("status %s (%s), want %s", got.Status, got.Detail, c.want)
					}
					if n := len(f.Calls()); n != c.calls {
						t.Errorf("%d calls, want %d: %+v", n, c.calls, f.Calls())
					}
					if c.waits != nil && !slices.Equal(h.waits, c.waits) {
						t.Errorf("waits %v, want %v", h.waits, c.waits)
					}
					checkNoSecrets(t, "the detail", got.Detail, v)
					checkAudit(t, h, v)
				})
			}
		}
		// The rules the declaration skips are not sent anywhere by a provider without Go
		// code (one with Go code verifies them its own way).
		for _, id := range p.Verify.Skip {
			t.Run(p.ID+"/"+id+"/skipped", func(t *testing.T) {
				f := fake.NewTable(t, row)
				h := newHarness(t, map[string]string{p.URLEnv: f.URL})
				reg, err := revoke.Builtin(revoke.Config{Client: h.client, Env: func(k string) string { return h.env[k] }})
				if err != nil {
					t.Fatal(err)
				}
				verifier, _ := reg.Lookup(p.ID)
				if _, goCode := verifier.(revoke.Describer); goCode {
					t.Skipf("%s has Go code, which verifies %s secrets its own way", p.ID, id)
				}
				seed++
				v, comp := ruleSecret(t, id, seed)
				s := h.secret(p.ID, v, comp)
				s.Rule = id
				got, err := verifier.Verify(context.Background(), s)
				if err != nil || got.Status != outcome.Skipped || got.Detail != p.Verify.SkipReason {
					t.Errorf("got %+v, %v; want skipped: %s", got, err, p.Verify.SkipReason)
				}
				if n := len(f.Calls()); n != 0 {
					t.Errorf("%d calls for a skipped secret", n)
				}
			})
		}
	}
	// Every row is a provider's with a file.
	for _, r := range fake.Rows() {
		if _, ok := rules.LookupProvider(r.Provider); !ok {
			t.Errorf("fake row %s names no provider file", r.Provider)
		}
		if !strings.HasPrefix(r.Doc, "https://") {
			t.Errorf("fake row %s: no documentation link", r.Provider)
		}
	}
}

// TestDeclaredVerificationAnswers reads the answers a declaration names but a row cannot
// show: a live status whose body is not the provider's, a field that says the key is dead.
func TestDeclaredVerificationAnswers(t *testing.T) {
	tests := []struct {
		provider, rule, body string
		want                 outcome.Status
	}{
		{"telegram", "telegram-bot-token", `{"ok":false,"error_code":401}`, outcome.Invalid},
		{"cloudflare", "cloudflare-api-token", `{"success":true,"result":{"id":"x","status":"disabled"}}`, outcome.Invalid},
		{"cloudflare", "cloudflare-api-token", `{"success":true,"result":{"id":"x"}}`, outcome.Unknown},
		{"gitlab", "gitlab-pat", `{"id":4,"active":false,"revoked":true}`, outcome.Invalid},
		{"stripe", "stripe-secret-key", `{"object":"list"}`, outcome.Unknown},
		{"huggingface", "huggingface-access-token", `<html>sign in</html>`, outcome.Unknown},
		{"huggingface", "huggingface-access-token", `{"name":"alice"}`, outcome.Live},
	}
	for i, tt := range tests {
		t.Run(tt.provider+"/"+tt.body, func(t *testing.T) {
			row, _ := fake.RowFor(tt.provider)
			f := fake.NewTable(t, row)
			p, _ := rules.LookupProvider(tt.provider)
			v, comp := ruleSecret(t, tt.rule, uint64(8000+i))
			f.AddKey(v)
			f.Inject(f.VerifyRoute(), -1, fake.Reply{Status: http.StatusOK, Body: tt.body})
			h := newHarness(t, map[string]string{p.URLEnv: f.URL})
			reg, err := revoke.Builtin(revoke.Config{Client: h.client, Env: func(k string) string { return h.env[k] }})
			if err != nil {
				t.Fatal(err)
			}
			verifier, _ := reg.Lookup(tt.provider)
			s := h.secret(tt.provider, v, comp)
			s.Rule = tt.rule
			got, err := verifier.Verify(context.Background(), s)
			if err != nil || got.Status != tt.want {
				t.Errorf("got %+v, %v; want %s", got, err, tt.want)
			}
		})
	}
}
