package revoke_test

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
)

// The tests of the code and delivery providers with Go code: each kind of secret reaches the
// call its provider documents for it, a dry run sends no changing call, and a real run leaves
// the secret dead and the audit log without it.

// TestGitLabTokenKinds follows gitlab.toml: an access token revokes itself, a runner token
// deletes its runner, a job token is verified but cannot be revoked, and the other kinds are
// looked up and revoked by value only with an administrator's token.
func TestGitLabTokenKinds(t *testing.T) {
	pat := "glpat-" + gen(t, "{{alnum 20}}")
	runner := "glrt-t2_" + gen(t, "{{alnum 20}}")
	job := "glcbt-64_" + gen(t, "{{alnum 20}}")
	deploy := "gldt-" + gen(t, "{{alnum 20}}")
	const admin = "gitlab-admin-for-tests"
	for _, tt := range []struct {
		name       string
		admin      string
		verified   []string
		revoked    []string
		deletes    map[string]int // path → DELETE calls
		deployLive bool
	}{
		{"without an admin token", "", []string{"invalid", "invalid", "live", "skipped"}, []string{"revoked", "revoked", "unsupported", "skipped"},
			map[string]int{"/api/v4/personal_access_tokens/self": 1, "/api/v4/runners": 1, "/api/v4/admin/token": 0}, true},
		{"with an admin token", admin, []string{"invalid", "invalid", "live", "invalid"}, []string{"revoked", "revoked", "unsupported", "revoked"},
			map[string]int{"/api/v4/personal_access_tokens/self": 1, "/api/v4/runners": 0, "/api/v4/admin/token": 2}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := fake.NewGitLab(t)
			f.SetAdmin(admin)
			for _, v := range []string{pat, runner, job, deploy} {
				f.AddToken(v)
			}
			env := map[string]string{"LEAKSTOP_GITLAB_URL": f.URL}
			if tt.admin != "" {
				env["GITLAB_ADMIN_TOKEN"] = tt.admin
			}
			h := newHarness(t, env)
			var ss []revoke.Secret
			for i, rule := range []string{"gitlab-pat", "gitlab-runner-token", "gitlab-job-token", "gitlab-deploy-token"} {
				s := h.secret("gitlab", []string{pat, runner, job, deploy}[i], "")
				s.Rule = rule
				ss = append(ss, s)
			}
			// A dry run changes nothing.
			res := h.runner(true, true).Run(context.Background(), ss)
			for _, c := range f.Calls() {
				if c.Method == http.MethodDelete {
					t.Errorf("a dry run sent DELETE %s", c.Path)
				}
			}
			if res[0].Revocation.Status != "dry-run" || res[1].Revocation.Status != "dry-run" {
				t.Errorf("dry run: %+v %+v", res[0].Revocation, res[1].Revocation)
			}
			res = h.runner(true, false).Run(context.Background(), ss)
			vs, rs := statuses(res)
			if d := cmp.Diff(tt.revoked, rs); d != "" {
				t.Errorf("revocations (-want +got):\n%s\n%+v", d, res)
			}
			if d := cmp.Diff(tt.verified, vs); d != "" {
				t.Errorf("verifications after (-want +got):\n%s", d)
			}
			for path, n := range tt.deletes {
				if got := f.Count(http.MethodDelete, path); got != n {
					t.Errorf("%d DELETE %s, want %d", got, path, n)
				}
			}
			if f.Live(pat) || f.Live(runner) || !f.Live(job) || f.Live(deploy) != tt.deployLive {
				t.Errorf("live after: pat %v runner %v job %v deploy %v", f.Live(pat), f.Live(runner), f.Live(job), f.Live(deploy))
			}
			data, _ := os.ReadFile(h.audit.Path())
			checkNoSecrets(t, "the audit log", string(data), pat, runner, job, deploy, tt.admin)
		})
	}
}

// TestDatadogRevoke follows datadog.toml: an API key is looked up by its value among the
// keys of the operator's organization and deleted with the operator's keys; without them,
// or with another organization's, nothing is deleted.
func TestDatadogRevoke(t *testing.T) {
	const api, app = "datadog-admin-api-for-tests", "datadog-admin-app-for-tests"
	leaked := gen(t, "{{hex 32}}")
	other := gen(t, "{{hex 32}}")
	foreign := gen(t, "{{hex 32}}")
	for _, tt := range []struct {
		name    string
		env     map[string]string
		want    []string // revocations of leaked, foreign
		deletes int
	}{
		{"without operator keys", map[string]string{}, []string{"needs-credential", "needs-credential"}, 0},
		{"with operator keys", map[string]string{"DATADOG_ADMIN_API_KEY": api, "DATADOG_ADMIN_APP_KEY": app}, []string{"revoked", "needs-credential"}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := fake.NewDatadog(t, api, app)
			f.AddKey(other)
			f.AddKey(leaked)
			f.AddForeignKey(foreign)
			env := map[string]string{"LEAKSTOP_DATADOG_URL": f.URL}
			for k, v := range tt.env {
				env[k] = v
			}
			h := newHarness(t, env)
			ss := []revoke.Secret{h.secret("datadog", leaked, ""), h.secret("datadog", foreign, "")}
			ss[0].Rule, ss[1].Rule = "datadog-api-key", "datadog-api-key"
			h.runner(true, true).Run(context.Background(), ss)
			if f.Count(http.MethodDelete, "/") != 0 {
				t.Errorf("a dry run deleted a key")
			}
			res := h.runner(true, false).Run(context.Background(), ss)
			_, rs := statuses(res)
			if d := cmp.Diff(tt.want, rs); d != "" {
				t.Errorf("revocations (-want +got):\n%s\n%+v", d, res)
			}
			if got := f.Count(http.MethodDelete, "/api/v1/api_key/"); got != tt.deletes {
				t.Errorf("%d DELETE, want %d", got, tt.deletes)
			}
			if f.Live(leaked) == (tt.deletes == 1) || !f.Live(other) || !f.Live(foreign) {
				t.Errorf("live after: leaked %v other %v foreign %v", f.Live(leaked), f.Live(other), f.Live(foreign))
			}
			data, _ := os.ReadFile(h.audit.Path())
			checkNoSecrets(t, "the audit log", string(data), leaked, other, foreign, api, app)
		})
	}
}

// TestDatadogAppKey: an application key is live when the operator's organization holds it,
// and then deleted by value; without the operator's keys it is neither verified nor revoked.
func TestDatadogAppKey(t *testing.T) {
	const api, app = "datadog-admin-api-for-tests", "datadog-admin-app-for-tests"
	key := gen(t, "{{hex 40}}")
	for _, withOperator := range []bool{false, true} {
		f := fake.NewDatadog(t, api, app)
		f.AddKey(key)
		env := map[string]string{"LEAKSTOP_DATADOG_URL": f.URL}
		if withOperator {
			env["DATADOG_ADMIN_API_KEY"], env["DATADOG_ADMIN_APP_KEY"] = api, app
		}
		h := newHarness(t, env)
		s := h.secret("datadog", key, "")
		s.Rule = "datadog-app-key"
		res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})
		vs, rs := statuses(res)
		// Deleted, the key is in no organization: the lookup after says unknown, not invalid.
		want := []string{"skipped", "skipped"}
		if withOperator {
			want = []string{"live", "revoked"}
		}
		if vs[0] != want[0] || rs[0] != want[1] || f.Live(key) == withOperator {
			t.Errorf("with operator %v: verification %v, revocation %v, live %v", withOperator, vs, rs, f.Live(key))
		}
		data, _ := os.ReadFile(h.audit.Path())
		checkNoSecrets(t, "the audit log", string(data), key, api, app)
	}
}
