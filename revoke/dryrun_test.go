package revoke_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestDryRunChangesNothing runs every provider that can revoke (found from the registry: the
// ones of today and every later one) with --revoke --dry-run against its fake, with a live
// secret of each of its rules: no call but GET and HEAD may be sent (bar the reads a provider
// documents as POSTs, which its fake names), the fakes fail on any call they do not know, every
// secret stays live, and at least one secret of each provider reaches the dry-run outcome
// (its lookups ran).
func TestDryRunChangesNothing(t *testing.T) {
	reg, err := revoke.Builtin(revoke.Config{})
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(9000)
	revokers := 0
	for _, name := range reg.Names() {
		v, _ := reg.Lookup(name)
		_, single := v.(revoke.Revoker)
		_, batch := v.(revoke.BatchRevoker)
		if !single && !batch {
			continue
		}
		revokers++
		t.Run(name, func(t *testing.T) {
			setup, ok := fake.Start(t, name)
			if !ok {
				t.Fatalf("%s revokes but has no fake: add it to revoke/fake (a Row with its revoke route, or a hand-written fake in setups)", name)
			}
			p, _ := rules.LookupProvider(name)
			h := newHarness(t, setup.Env)
			var ss []revoke.Secret
			for _, id := range p.Rules {
				seed++
				value, companion := ruleSecret(t, id, seed)
				setup.Add(value, companion)
				s := h.secret(name, value, companion)
				s.Rule = id
				ss = append(ss, s)
			}
			res := h.runner(true, true).Run(context.Background(), ss)
			dry := 0
			for i, x := range res {
				switch x.Revocation.Status {
				case outcome.DryRun:
					dry++
				case outcome.Revoked, outcome.Failed:
					t.Errorf("%s: a dry run ended %s: %s", ss[i].Rule, x.Revocation.Status, x.Revocation.Detail)
				}
				if !setup.Live(ss[i].Value) && x.Verification.Status == outcome.Live {
					t.Errorf("%s: dead after a dry run", ss[i].Rule)
				}
			}
			if dry == 0 {
				t.Errorf("no secret of %s reached the dry run: %+v", name, res)
			}
			for _, c := range setup.Server.Calls() {
				if c.Method == http.MethodGet || c.Method == http.MethodHead || setup.Reads != nil && setup.Reads(c) {
					continue
				}
				t.Errorf("a dry run sent %s %s", c.Method, c.Path)
			}
		})
	}
	if revokers < 10 {
		t.Errorf("%d providers revoke; leakstop revoked with 10 when this test was written", revokers)
	}
}
