package report

import (
	"strings"
	"testing"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestTextShowsWholeDetails: a revocation's detail says what to do and where; however long,
// the text report shows all of it, its URLs and the variable to set included, and the
// rule's remediation too.
func TestTextShowsWholeDetails(t *testing.T) {
	fx := newFixture(t)
	f := *fx.res.Findings[0]
	long := "set OPENAI_ADMIN_KEY (an admin key of the same organization) and run leakstop revoke REPORT; or by hand: " +
		strings.Repeat("read the notes with care, ", 8) +
		"then delete the key at https://platform.openai.com/settings/organization/admin-keys?tab=keys&from=leakstop"
	f.Revocation = &outcome.Step{Status: outcome.NeedsCredential, Detail: long}
	f.Verification = &outcome.Step{Status: outcome.Live, Detail: strings.Repeat("x", 300) + " https://example.com/very/long/path"}
	out := string(write(t, formatText, &scanner.Result{Findings: []*scanner.Finding{&f}}, fx.opts()))
	for _, want := range []string{long, "https://example.com/very/long/path", "needs-credential"} {
		if !strings.Contains(out, want) {
			t.Errorf("the text report cuts %q:\n%s", want[:min(len(want), 40)], out)
		}
	}
	if r := fx.set.Rule(f.Rule); r != nil && r.Remediation != "" && !strings.Contains(out, r.Remediation) {
		t.Errorf("the remediation is not whole:\n%s", out)
	}
}
