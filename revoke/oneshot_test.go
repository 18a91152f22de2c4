package revoke_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestOneCallRevocations runs the providers whose secrets revoke themselves with one call
// (revoke/oneshot.go) against their fakes, with a live secret of each rule that revokes: the
// secret is verified, revoked with the call its provider documents, dead at the fake after,
// and verified invalid by the Runner; a second run sends no second revocation; the audit log
// holds no raw secret. The rules of each provider that do not revoke are not revoked.
func TestOneCallRevocations(t *testing.T) {
	for _, tt := range []struct {
		provider string
		revokes  []string // the rules whose secrets revoke themselves
	}{
		{"buildkite", []string{"buildkite-api-token"}},
		{"okta", []string{"okta-api-token", "okta-access-token"}},
		{"jfrog", []string{"jfrog-reference-token"}},
		{"dropbox", []string{"dropbox-access-token"}},
	} {
		t.Run(tt.provider, func(t *testing.T) {
			setup, ok := fake.Start(t, tt.provider)
			if !ok {
				t.Fatalf("no fake for %s", tt.provider)
			}
			p, _ := rules.LookupProvider(tt.provider)
			h := newHarness(t, setup.Env)
			var ss []revoke.Secret
			var raw []string
			for i, id := range p.Rules {
				v, comp := ruleSecret(t, id, uint64(500+i))
				setup.Add(v, comp)
				s := h.secret(tt.provider, v, comp)
				s.Rule = id
				ss = append(ss, s)
				raw = append(raw, v, comp)
			}
			res := h.runner(true, false).Run(context.Background(), ss)
			for i, x := range res {
				id := ss[i].Rule
				if !slices.Contains(tt.revokes, id) {
					if x.Revocation != nil && x.Revocation.Status == outcome.Revoked {
						t.Errorf("%s: revoked, though it has no revocation", id)
					}
					continue
				}
				if x.Revocation == nil || x.Revocation.Status != outcome.Revoked {
					t.Errorf("%s: revocation %+v, want revoked (verification %+v)", id, x.Revocation, x.Verification)
				}
				if setup.Live(ss[i].Value) {
					t.Errorf("%s: live at the fake after its revocation", id)
				}
			}
			before := len(setup.Server.Calls())
			res = h.runner(true, false).Run(context.Background(), ss)
			for i, x := range res {
				if slices.Contains(tt.revokes, ss[i].Rule) && x.Verification.Status != outcome.Invalid {
					t.Errorf("%s: verified %s after its revocation", ss[i].Rule, x.Verification.Status)
				}
			}
			for _, c := range setup.Server.Calls()[before:] {
				if c.Method != "GET" && c.Method != "HEAD" && (setup.Reads == nil || !setup.Reads(c)) {
					t.Errorf("the second run sent %s %s", c.Method, c.Path)
				}
			}
			data, err := os.ReadFile(h.audit.Path())
			if err != nil {
				t.Fatal(err)
			}
			checkNoSecrets(t, "the audit log", string(data), raw...)
		})
	}
}

// TestOktaRevocationVerifiedAgain: Okta's revocation endpoint answers 200 to any token (RFC
// 7009), so a 200 after which the token still verifies live is no revocation.
func TestOktaRevocationVerifiedAgain(t *testing.T) {
	f := fake.Okta(t)
	v, _ := ruleSecret(t, "okta-access-token", 77)
	f.AddKey(v)
	f.Inject("POST /oauth2/", -1, fake.Reply{Status: 200})
	setup := f.Setup(nil)
	h := newHarness(t, setup.Env)
	s := h.secret("okta", v, "")
	s.Rule = "okta-access-token"
	res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})
	if r := res[0].Revocation; r == nil || r.Status != outcome.Failed || !f.Live(v) {
		t.Errorf("revocation %+v, live %v: want failed, still live", r, f.Live(v))
	}
}
