package revoke

import (
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/rules"
)

// TestRegistryMatchesFiles: every provider the registry knows has a file with rules; every
// provider file with a [verify] table is registered; the Go providers say which calls they
// make.
func TestRegistryMatchesFiles(t *testing.T) {
	reg, err := Builtin(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range reg.Names() {
		p, ok := rules.LookupProvider(name)
		switch {
		case !ok:
			t.Errorf("provider %s is registered but has no file under rules/builtin/", name)
		case len(p.Rules) == 0:
			t.Errorf("provider %s is registered but has no rules", name)
		case p.Generic():
			t.Errorf("provider %s is registered but is generic: there is no one to ask", name)
		}
	}
	for _, p := range rules.Providers() {
		if _, ok := reg.Lookup(p.ID); p.Verify != nil && !ok {
			t.Errorf("%s has a [verify] table but is not registered", p.File)
		}
	}
	for _, g := range goProviders() {
		v, _ := reg.Lookup(g.id)
		d, ok := v.(Describer)
		if !ok {
			t.Errorf("Go provider %s does not say which calls it makes (Describer)", g.id)
			continue
		}
		p, _ := rules.LookupProvider(g.id)
		calls := d.Describe()
		if calls.Verify == "" && p.Verify == nil {
			t.Errorf("Go provider %s: Describe says no verify call and its file declares none", g.id)
		}
		_, rv := v.(Revoker)
		_, batch := v.(BatchRevoker)
		if (rv || batch) != (calls.Revoke != "") {
			t.Errorf("Go provider %s: revokes %v, but Describe's revoke is %q", g.id, rv || batch, calls.Revoke)
		}
	}
}

// TestVariablesMatchFiles: the environment variables each provider's code reads are those
// its file names (url_env, credentials, settings), no more and no fewer, so that `leakstop
// providers`, the README and the redaction of operator credentials cannot drift from the code.
func TestVariablesMatchFiles(t *testing.T) {
	var mu sync.Mutex
	read := map[string][]string{}
	_, err := builtin(Config{}, func(provider, variable string) {
		mu.Lock()
		defer mu.Unlock()
		if !slices.Contains(read[provider], variable) {
			read[provider] = append(read[provider], variable)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rules.Providers() {
		want := p.Variables()
		got := read[p.ID]
		slices.Sort(want)
		slices.Sort(got)
		if d := cmp.Diff(want, got, cmp.Transformer("nil", func(s []string) []string {
			if s == nil {
				return []string{}
			}
			return s
		})); d != "" {
			t.Errorf("%s: variables (-file +code):\n%s", p.File, d)
		}
	}
	creds := OperatorCredentials()
	for _, want := range []string{"OPENAI_ADMIN_KEY", "ANTHROPIC_ADMIN_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "CLOUDFLARE_API_TOKEN", "SENDGRID_API_KEY"} {
		if !slices.Contains(creds, want) {
			t.Errorf("OperatorCredentials %v lacks %s", creds, want)
		}
	}
	if slices.Contains(creds, "AWS_PROFILE") || slices.Contains(creds, "GITHUB_API_URL") {
		t.Errorf("OperatorCredentials %v holds a setting", creds)
	}
}

// TestOperatorCredentialsRedacted: the value of every operator credential a file names is
// redacted by the registry's client.
func TestOperatorCredentialsRedacted(t *testing.T) {
	env := map[string]string{}
	for i, k := range OperatorCredentials() {
		env[k] = "operator-value-" + string(rune('a'+i)) + "-0123456789"
	}
	c := &Client{}
	if _, err := Builtin(Config{Client: c, Env: func(k string) string { return env[k] }}); err != nil {
		t.Fatal(err)
	}
	for k, v := range env {
		if got := c.Redactor.Redact("x " + v + " y"); got == "x "+v+" y" {
			t.Errorf("%s is not redacted", k)
		}
	}
}
