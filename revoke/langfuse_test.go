package revoke

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// TestLangfuseRegions: keys do not say their region, so a pair the EU host refuses is asked
// of the US host; one both refuse is invalid, and one the EU host takes goes nowhere else.
func TestLangfuseRegions(t *testing.T) {
	eu, us := fake.NewLangfuse(t), fake.NewLangfuse(t)
	g := rules.NewGenerator(1)
	uuid := func() string {
		v, err := g.Expand("{{hex 8}}-{{hex 4}}-{{hex 4}}-{{hex 4}}-{{hex 12}}")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	pk, usKey, euKey, unknown := "pk-lf-"+uuid(), "sk-lf-"+uuid(), "sk-lf-"+uuid(), "sk-lf-"+uuid()
	us.AddPair(pk, usKey)
	eu.AddPair(pk, euKey)
	c := &Client{HTTP: &http.Client{Timeout: 2 * time.Second}, Redactor: &rules.Redactor{}, Log: zerolog.Nop()}
	l := &langfuseProvider{c: c, hosts: []string{eu.URL, us.URL}}
	for _, tc := range []struct {
		name, key string
		want      outcome.Status
		host      string
		eu, us    int
	}{
		{"US", usKey, outcome.Live, us.URL, 1, 1},
		{"EU", euKey, outcome.Live, eu.URL, 2, 1},
		{"neither", unknown, outcome.Invalid, "", 3, 2},
	} {
		out, err := l.Verify(context.Background(), Secret{Provider: "langfuse", Value: tc.key, Companion: pk})
		if err != nil || out.Status != tc.want || !strings.Contains(out.Detail, tc.host) {
			t.Errorf("%s: %+v, %v", tc.name, out, err)
		}
		if n, m := len(eu.Calls()), len(us.Calls()); n != tc.eu || m != tc.us {
			t.Errorf("%s: %d calls to EU, %d to US so far; want %d, %d", tc.name, n, m, tc.eu, tc.us)
		}
	}
}
