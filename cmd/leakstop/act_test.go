package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/report"
)

// leakWorld is a folder (or a repository) with leaked keys and the providers' fakes that
// know them.
type leakWorld struct {
	t        *testing.T
	dir      string
	env      map[string]string
	openai   *fake.OpenAI
	github   *fake.GitHub
	anth     *fake.Anthropic
	gitlab   *fake.GitLab
	project  string // sk-proj- key
	svc      string // sk-svcacct- key
	projID   string
	anthKey  string
	glToken  string
	secrets  []string
	adminKey string
}

func newLeakWorld(t *testing.T, seed uint64) *leakWorld {
	t.Helper()
	g := rules.NewGenerator(seed)
	w := &leakWorld{t: t, dir: t.TempDir()}
	w.adminKey = g.OpenAIKey("sk-admin-", 58)
	w.project = g.OpenAIKey("sk-proj-", 74)
	w.svc = g.OpenAIKey("sk-svcacct-", 74)
	w.anthKey = "sk-ant-api03-" + g.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 93) + "AA"
	w.glToken = "glpat-" + g.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 20)
	w.openai = fake.NewOpenAI(t, w.adminKey)
	for i := 0; i < 120; i++ { // more than one page of keys
		w.openai.AddKey("proj_main", "", g.OpenAIKey("sk-proj-", 74))
	}
	w.projID = w.openai.AddKey("proj_main", "", w.project).ID
	w.openai.AddKey("proj_batch", "svc_acct_batch", w.svc)
	w.github = fake.NewGitHub(t, "ghtoken-operator-"+g.Chars("abcdef0123456789", 24))
	w.anth = fake.NewAnthropic(t, "sk-ant-admin01-"+g.Chars("abcdefghijklmnopqrstuvwxyz", 93)+"AA")
	w.gitlab = fake.NewGitLab(t)
	state := t.TempDir()
	w.env = map[string]string{
		"HOME": state, "XDG_STATE_HOME": filepath.Join(state, "state"), "NO_COLOR": "1",
		"LEAKSTOP_OPENAI_URL": w.openai.URL, "OPENAI_ADMIN_KEY": w.adminKey,
		"GITHUB_API_URL": w.github.URL, "GITHUB_TOKEN": w.github.Token,
		"LEAKSTOP_ANTHROPIC_URL": w.anth.URL, "ANTHROPIC_ADMIN_KEY": w.anth.Admin,
		"LEAKSTOP_GITLAB_URL": w.gitlab.URL,
		"LEAKSTOP_BACKOFF":    "1ms", "LEAKSTOP_MAX_WAIT": "1s",
	}
	w.secrets = []string{w.project, w.svc, w.adminKey, w.github.Token, w.anth.Admin}
	w.write("src/api.js", "const client = new OpenAI({ apiKey: \""+w.project+"\" });\n")
	w.write("jobs/.env", "# batch jobs\nOPENAI_API_KEY="+w.svc+"\n")
	return w
}

// withOthers adds an Anthropic key and a GitLab token to the leaks.
func (w *leakWorld) withOthers() {
	w.anth.AddKey(w.anthKey)
	w.gitlab.AddToken(w.glToken)
	w.secrets = append(w.secrets, w.anthKey, w.glToken)
	w.write("deploy/env.sh", fmt.Sprintf("export ANTHROPIC_API_KEY=%s\nexport GITLAB_TOKEN=%s\n", w.anthKey, w.glToken))
}

func (w *leakWorld) write(rel, content string) {
	p := filepath.Join(w.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// commit turns the folder into a repository whose history holds the leaks.
func (w *leakWorld) commit() {
	w.t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			w.t.Fatal("git is not installed")
		}
		w.t.Skip("git is not installed")
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "add config"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = w.dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			w.t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	// The leak is removed from the working tree, but stays in history.
	for _, p := range []string{"src/api.js", "jobs/.env", "deploy/env.sh"} {
		os.Remove(filepath.Join(w.dir, p))
	}
}

type runResult struct {
	code           int
	stdout, stderr string
}

func (w *leakWorld) run(args ...string) runResult {
	w.t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb, func(k string) string { return w.env[k] })
	return runResult{code, out.String(), errb.String()}
}

func (w *leakWorld) report(path string) *report.Report {
	w.t.Helper()
	f, err := os.Open(path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	rep, err := report.Read(f)
	if err != nil {
		w.t.Fatal(err)
	}
	return rep
}

// revocations maps the first path of each finding to its revocation status.
func revocations(rep *report.Report) map[string]string {
	m := map[string]string{}
	for _, f := range rep.Findings {
		p := f.First().Path
		if i := strings.LastIndex(p, "/001/"); i >= 0 {
			p = p[i+len("/001/"):]
		}
		st := ""
		if f.Revocation != nil {
			st = string(f.Revocation.Status)
		}
		m[p] = st
	}
	return m
}

func auditLines(t *testing.T, path string) []map[string]any { return fake.AuditLines(t, path) }

// noRawSecret fails when any output holds a raw secret.
func (w *leakWorld) noRawSecret(what string, texts ...string) {
	w.t.Helper()
	for _, text := range texts {
		for _, s := range w.secrets {
			if strings.Contains(text, s) {
				w.t.Errorf("%s holds a raw secret (%s…)", what, s[:8])
			}
		}
	}
}

func (w *leakWorld) issueTexts() []string {
	var out []string
	for _, is := range w.github.Issues {
		out = append(out, is.Title, is.Body)
		out = append(out, is.Comments...)
	}
	return out
}

// TestRevokeEndToEnd: a leaked OpenAI project key and service-account key, scanned from a
// folder and from git history, with --revoke --issues o/r: exactly those ids deleted, the
// report says revoked, the audit log holds every call, one issue per secret; a second run
// opens nothing and revokes nothing; nothing written holds a raw secret.
func TestRevokeEndToEnd(t *testing.T) {
	for _, source := range []string{"dir", "git"} {
		t.Run(source, func(t *testing.T) {
			if !hasCommand(source) {
				t.Skipf("leakstop %s is not wired into the CLI yet", source)
			}
			w := newLeakWorld(t, 41)
			if source == "git" {
				w.commit()
			}
			rep := filepath.Join(t.TempDir(), "report.json")
			audit := filepath.Join(t.TempDir(), "audit.jsonl")
			args := []string{source, w.dir, "--revoke", "--issues", "o/r", "--format", "json", "-o", rep, "--audit", audit, "--log-format", "json", "--log-level", "debug"}
			r := w.run(args...)
			if r.code != exitLeaks {
				t.Fatalf("exit %d, want %d\n%s", r.code, exitLeaks, r.stderr)
			}
			if d := cmp.Diff([]string{w.projID, "svc_acct_batch"}, sorted(w.openai.Deleted)); d != "" {
				t.Errorf("deleted (-want +got):\n%s", d)
			}
			got := w.report(rep)
			if d := cmp.Diff(map[string]string{"src/api.js": "revoked", "jobs/.env": "revoked"}, revocations(got)); d != "" {
				t.Errorf("report revocations (-want +got):\n%s", d)
			}
			for _, f := range got.Findings {
				if f.Verification == nil || f.Verification.Status != "invalid" || f.Revocation.At.IsZero() || !strings.HasSuffix(f.Issue, fmt.Sprintf("/issues/%d", slices.IndexFunc(w.github.Issues, func(i *fake.Issue) bool { return strings.Contains(i.Body, f.Fingerprint) })+1)) {
					t.Errorf("finding %s: verification %+v, revocation %+v, issue %q", f.First().Path, f.Verification, f.Revocation, f.Issue)
				}
			}
			if len(w.github.Issues) != 2 {
				t.Fatalf("%d issues, want one per secret", len(w.github.Issues))
			}
			for _, is := range w.github.Issues {
				if !slices.Contains(is.Labels, "leaked-secret") || !slices.Contains(is.Labels, "openai") || !strings.HasPrefix(is.Title, "Leaked OpenAI secret in ") {
					t.Errorf("issue %d: title %q labels %v", is.Number, is.Title, is.Labels)
				}
				if source == "git" && !strings.Contains(is.Body, "/o/r/blob/") {
					t.Errorf("issue %d has no permalink to the commit:\n%s", is.Number, is.Body)
				}
				if strings.Contains(is.Body, "svc") && !strings.Contains(is.Body, "every other key") {
					t.Errorf("the service-account issue does not name the blast radius:\n%s", is.Body)
				}
			}
			// Every call the fakes saw is in the audit log.
			lines := auditLines(t, audit)
			calls := 0
			for _, l := range lines {
				if l["event"] == "call" {
					calls++
				}
			}
			if seen := len(w.openai.Calls()) + len(w.github.Calls()); calls != seen {
				t.Errorf("audit log holds %d calls, the fakes saw %d", calls, seen)
			}
			data, _ := os.ReadFile(rep)
			auditData, _ := os.ReadFile(audit)
			w.noRawSecret("first run", r.stdout, r.stderr, string(data), string(auditData))
			w.noRawSecret("issues", w.issueTexts()...)

			// Second run: nothing opened, nothing revoked, nothing changed.
			deletes := w.openai.Count(http.MethodDelete, "/")
			r = w.run(args...)
			if r.code != exitLeaks {
				t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
			}
			if n := w.openai.Count(http.MethodDelete, "/"); n != deletes {
				t.Errorf("second run sent %d more DELETEs", n-deletes)
			}
			if len(w.github.Issues) != 2 || w.github.Count(http.MethodPost, "/repos/o/r/issues") != 2 {
				t.Errorf("second run: %d issues, %d POSTs", len(w.github.Issues), w.github.Count(http.MethodPost, "/repos/o/r/issues"))
			}
			for _, is := range w.github.Issues {
				if len(is.Comments) != 0 {
					t.Errorf("issue %d got a comment though nothing changed: %q", is.Number, is.Comments)
				}
			}
			if d := cmp.Diff(map[string]string{"src/api.js": "revoked", "jobs/.env": "revoked"}, revocations(w.report(rep))); d != "" {
				t.Errorf("second report (-want +got):\n%s", d)
			}
			data, _ = os.ReadFile(rep)
			auditData, _ = os.ReadFile(audit)
			w.noRawSecret("second run", r.stdout, r.stderr, string(data), string(auditData))
		})
	}
}

// hasCommand reports whether the CLI has the subcommand name.
func hasCommand(name string) bool {
	a := &app{getenv: func(string) string { return "" }}
	for _, c := range a.rootCommand(io.Discard, io.Discard).Commands() {
		if c.Name() == name {
			return true
		}
	}
	return false
}

func sorted(s []string) []string {
	c := append([]string(nil), s...)
	slices.Sort(c)
	return c
}

func TestRevokeDryRunChangesNothing(t *testing.T) {
	w := newLeakWorld(t, 42)
	w.withOthers()
	rep := filepath.Join(t.TempDir(), "report.json")
	r := w.run("dir", w.dir, "--revoke", "--dry-run", "--format", "json", "-o", rep)
	if r.code != exitLive { // a dry run leaves the live keys live
		t.Fatalf("exit %d, want %d\n%s", r.code, exitLive, r.stderr)
	}
	want := map[string]string{"src/api.js": "dry-run", "jobs/.env": "dry-run", "deploy/env.sh": "dry-run"}
	if d := cmp.Diff(want, revocations(w.report(rep))); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, fk := range []*fake.Server{w.openai.Server, w.anth.Server, w.gitlab.Server} {
		for _, c := range fk.Calls() {
			if c.Method != http.MethodGet {
				t.Errorf("dry run sent %s %s", c.Method, c.Path)
			}
		}
	}
	if !w.openai.Live(w.project) || !w.openai.Live(w.svc) || !w.anth.Live(w.anthKey) || !w.gitlab.Live(w.glToken) {
		t.Error("a dry run killed a key")
	}
	// The default audit log, in the state directory.
	if _, err := os.Stat(filepath.Join(w.env["XDG_STATE_HOME"], "leakstop", "audit.jsonl")); err != nil {
		t.Errorf("no audit log in the state directory: %v", err)
	}
}

// TestRevoke500LeavesOthersRevoked: OpenAI answering 500 to its DELETE fails that secret
// only; the others are revoked, the exit status is 2, and `leakstop revoke REPORT` retries it.
func TestRevoke500LeavesOthersRevoked(t *testing.T) {
	w := newLeakWorld(t, 43)
	w.withOthers()
	w.openai.Inject("DELETE /v1/organization/projects/proj_main/api_keys/", 1, fake.Reply{Status: 500, Body: `{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`})
	rep := filepath.Join(t.TempDir(), "report.json")
	r := w.run("dir", w.dir, "--revoke", "--format", "json", "--show-secrets", "-o", rep)
	if r.code != exitError {
		t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	want := map[string]string{"src/api.js": "failed", "jobs/.env": "revoked", "deploy/env.sh": "revoked"}
	if d := cmp.Diff(want, revocations(w.report(rep))); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if !strings.Contains(r.stderr, "leakstop revoke REPORT.json") {
		t.Errorf("stderr does not say how to retry:\n%s", r.stderr)
	}
	if !w.openai.Live(w.project) || w.anth.Live(w.anthKey) || w.gitlab.Live(w.glToken) {
		t.Error("wrong keys alive")
	}
	w.noRawSecret("stderr", r.stderr)

	// The retry: only the failed one is revoked; the others are known from the audit log.
	out := filepath.Join(t.TempDir(), "after.json")
	r = w.run("revoke", rep, "--format", "json", "-o", out)
	if r.code != exitClean {
		t.Fatalf("retry: exit %d\n%s", r.code, r.stderr)
	}
	want = map[string]string{"src/api.js": "revoked", "jobs/.env": "revoked", "deploy/env.sh": "revoked"}
	if d := cmp.Diff(want, revocations(w.report(out))); d != "" {
		t.Errorf("retry (-want +got):\n%s", d)
	}
	if w.openai.Live(w.project) {
		t.Error("the project key survived the retry")
	}
	data, _ := os.ReadFile(out)
	w.noRawSecret("the retry", r.stdout, r.stderr, string(data))
}

// TestRevokeAmbiguousNotDeleted: two keys of the organization share the leaked key's
// visible characters and length; neither is deleted and the exit status is 2.
func TestRevokeAmbiguousNotDeleted(t *testing.T) {
	w := newLeakWorld(t, 44)
	twin := w.project[:8] + rules.NewGenerator(7).Chars("abcdefghijklmnopqrstuvwxyz", len(w.project)-12) + w.project[len(w.project)-4:]
	w.openai.AddKey("proj_other", "", twin)
	rep := filepath.Join(t.TempDir(), "report.json")
	r := w.run("dir", w.dir, "--revoke", "--format", "json", "-o", rep)
	if r.code != exitError {
		t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	got := w.report(rep)
	for _, f := range got.Findings {
		if f.First().Path == "src/api.js" && (f.Revocation.Status != "failed" || !strings.Contains(f.Revocation.Detail, "ambiguous")) {
			t.Errorf("revocation %+v, want failed: ambiguous", f.Revocation)
		}
	}
	if !w.openai.Live(w.project) || !w.openai.Live(twin) {
		t.Error("an ambiguous key was deleted")
	}
	if d := cmp.Diff([]string{"svc_acct_batch"}, w.openai.Deleted); d != "" {
		t.Errorf("deleted (-want +got):\n%s", d)
	}
}

func TestRevokeCommandNeedsSecrets(t *testing.T) {
	w := newLeakWorld(t, 45)
	rep := filepath.Join(t.TempDir(), "report.json")
	if r := w.run("dir", w.dir, "--format", "json", "-o", rep); r.code != exitLeaks {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	r := w.run("revoke", rep)
	if r.code != exitError || !strings.Contains(r.stderr, "--show-secrets") {
		t.Errorf("exit %d, stderr %q; want 2 and a hint to write the report with --show-secrets", r.code, r.stderr)
	}
	if n := len(w.openai.Calls()); n != 0 {
		t.Errorf("%d calls for a report without secrets", n)
	}
}
