//go:build !windows

package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/scanner/ci/citest"
	"github.com/leakstop/leakstop/scanner/report"
)

// channelWorld is the leak world's fakes and secrets, the leaks committed to an origin served
// over smart HTTP behind a token, and a fake git on PATH that records how leakstop runs
// git: each run of leakstop is a process of its own, with the operator's credentials in its
// environment, as in CI.
type channelWorld struct {
	*leakWorld
	origin *citest.Origin
	// out holds every file the runs are told to write; tmp is their TMPDIR, home their HOME.
	out, tmp, home string
	gitLog         string
	path           string
	// allowed are the files that may hold secrets (written with --show-secrets).
	allowed map[string]bool
	runs    []channelRun
}

// channelRun is what one run of leakstop printed.
type channelRun struct {
	args           []string
	code           int
	stdout, stderr string
}

// credentials are the operator's: no output may ever show them, --show-secrets or not.
func (w *channelWorld) credentials() []string {
	return []string{w.adminKey, w.github.Token, w.anth.Admin, citest.Token}
}

func newChannelWorld(t *testing.T) *channelWorld {
	t.Helper()
	needTool(t, "git")
	w := &channelWorld{leakWorld: newLeakWorld(t, 61), allowed: map[string]bool{}}
	w.withOthers()
	w.origin = citest.NewOrigin(t)
	w.origin.Commit("Start", map[string]string{"README.md": "# app\n"})
	w.origin.Commit("Add the API client", map[string]string{
		"src/api.js": "const client = new OpenAI({ apiKey: \"" + w.project + "\" });\n",
		"jobs/.env":  "# batch jobs\nOPENAI_API_KEY=" + w.svc + "\n",
	})
	w.origin.Commit("Deploy", map[string]string{"deploy/env.sh": fmt.Sprintf("export ANTHROPIC_API_KEY=%s\nexport GITLAB_TOKEN=%s\n", w.anthKey, w.glToken)})
	w.origin.Commit("Take the keys out", map[string]string{"src/api.js": "const client = new OpenAI();\n", "jobs/.env": "", "deploy/env.sh": ""})
	w.origin.Push("main")

	root := t.TempDir()
	w.out, w.tmp, w.home = filepath.Join(root, "out"), filepath.Join(root, "tmp"), filepath.Join(root, "home")
	bin := filepath.Join(root, "bin")
	for _, d := range []string{w.out, w.tmp, w.home, bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The fake git records each command line, one argument a line, and its environment,
	// then runs the real git.
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	w.gitLog = filepath.Join(root, "git.log")
	script := "#!/bin/sh\n{ echo '--- git'; for a in \"$@\"; do printf 'argv: %s\\n' \"$a\"; done; env | sed 's/^/env: /'; } >> " +
		shellQuote(w.gitLog) + "\nexec " + shellQuote(real) + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	w.path = bin + string(os.PathListSeparator) + os.Getenv("PATH")
	w.env["HOME"] = w.home
	w.env["XDG_STATE_HOME"] = filepath.Join(w.home, "state")
	return w
}

// run runs leakstop as a process with the world's environment (operator credentials
// included) and extra variables.
func (w *channelWorld) run(extra map[string]string, args ...string) channelRun {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := selfCommand(ctx, args...)
	cmd.Dir = w.out
	for k, v := range w.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range extra {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "PATH="+w.path, "TMPDIR="+w.tmp, "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code, err := exitCode(cmd.Run())
	if err != nil {
		w.t.Fatalf("leakstop %v: %v", args, err)
	}
	r := channelRun{args: args, code: code, stdout: stdout.String(), stderr: stderr.String()}
	w.runs = append(w.runs, r)
	return r
}

// want fails unless r ended with one of codes.
func (w *channelWorld) want(r channelRun, codes ...int) {
	w.t.Helper()
	for _, c := range codes {
		if r.code == c {
			return
		}
	}
	w.t.Fatalf("leakstop %v: exit %d, want %v\nstderr:\n%s", r.args, r.code, codes, r.stderr)
}

// noSecrets fails when text holds a leaked secret (unless mayShow) or an operator
// credential (always). Lines that ask GitHub Actions to mask a value may hold it.
func (w *channelWorld) noSecrets(what, text string, mayShow bool) {
	w.t.Helper()
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			lines = append(lines, l)
		}
	}
	text = strings.Join(lines, "\n")
	for _, c := range w.credentials() {
		if strings.Contains(text, c) {
			w.t.Errorf("%s holds an operator credential (%s…)", what, c[:6])
		}
	}
	if mayShow {
		return
	}
	for _, s := range w.secrets {
		if strings.Contains(text, s) {
			w.t.Errorf("%s holds a raw secret (%s…)", what, s[:8])
		}
	}
}

// TestSecretsInEveryChannel runs full scans with --verify --revoke --issues against the
// fakes: a clone of a URL with a token in it, every report format, the retry of a report
// written with --show-secrets, and `leakstop ci` in a GitHub Actions step that fetches from a
// one-commit-deep checkout. Then it reads every channel: standard output and error of every
// run, every report, the audit log, the issues' titles, bodies and comments, every file
// written anywhere (HOME, the state directory, the runner's files, TMPDIR), and the command
// line and environment of every git leakstop ran. No leaked secret is in any of them but the
// --show-secrets report and ::add-mask:: lines, no operator credential in any, and the files
// that can hold secrets are 0600.
func TestSecretsInEveryChannel(t *testing.T) {
	w := newChannelWorld(t)
	url := strings.Replace(w.origin.URL, "://", "://x-access-token:"+citest.Token+"@", 1)
	acts := []string{"--verify", "--revoke", "--issues", "o/r"}
	audit := filepath.Join(w.out, "audit.jsonl")

	// The first run revokes, opens the issues and prints the text report.
	r := w.run(nil, append([]string{"git", url, "--audit", audit, "--log-level", "debug", "--log-format", "console"}, acts...)...)
	w.want(r, exitLeaks)
	if !strings.Contains(r.stdout, "openai-project-key") || !strings.Contains(r.stdout, "revoked") {
		t.Fatalf("the first run found or revoked nothing:\n%s\n%s", r.stdout, r.stderr)
	}
	if len(w.github.Issues) != 4 || len(w.openai.Deleted) != 2 {
		t.Fatalf("%d issues, %d OpenAI keys deleted; want 4 and 2", len(w.github.Issues), len(w.openai.Deleted))
	}
	// Every format, to a file; the default audit log of the state directory; JSON logs.
	for _, f := range report.Formats() {
		r := w.run(nil, append([]string{"git", url, "-f", f, "-o", "report." + f, "--log-level", "debug", "--log-format", "json"}, acts...)...)
		w.want(r, exitLeaks)
	}
	// The report a later `leakstop revoke` needs holds the secrets, 0600; the retry of it
	// writes a report without them.
	r = w.run(nil, append([]string{"git", url, "--show-secrets", "-f", "json", "-o", "secrets.json", "--audit", audit}, acts...)...)
	w.want(r, exitLeaks)
	w.allowed[filepath.Join(w.out, "secrets.json")] = true
	data, err := os.ReadFile(filepath.Join(w.out, "secrets.json"))
	if err != nil || !bytes.Contains(data, []byte(w.project)) {
		t.Fatalf("the --show-secrets report does not hold the secrets (%v): the checks below would prove nothing", err)
	}
	w.want(w.run(nil, "revoke", "secrets.json", "--issues", "o/r", "--audit", audit, "-f", "sarif", "-o", "after.sarif"), exitClean)

	// leakstop ci in a GitHub Actions step: a push of the whole branch into a checkout one
	// commit deep, which leakstop deepens with git fetch (the token in the checkout's
	// http.extraheader).
	head := w.origin.Git("rev-parse", "HEAD")
	checkout := w.origin.Checkout(head, "refs/remotes/origin/main", 1)
	event := citest.WriteEvent(t, citest.Push("refs/heads/main", citest.Zero, head, 4, nil))
	runner := filepath.Join(w.out, "runner")
	if err := os.MkdirAll(runner, 0o755); err != nil {
		t.Fatal(err)
	}
	ci := citest.GitHubEnv("push", event, head)
	ci["RUNNER_TEMP"] = runner
	ci["GITHUB_STEP_SUMMARY"] = filepath.Join(runner, "summary.md")
	ci["GITHUB_OUTPUT"] = filepath.Join(runner, "output")
	r = w.run(ci, append([]string{"ci", checkout, "--sarif", filepath.Join(runner, "leakstop.sarif")}, acts...)...)
	w.want(r, exitLeaks)
	if !strings.Contains(r.stdout, "::add-mask::") || !strings.Contains(r.stdout, "::error") {
		t.Errorf("leakstop ci wrote no masks or annotations:\n%s", r.stdout)
	}

	// Standard output and error of every run.
	for _, r := range w.runs {
		w.noSecrets(fmt.Sprintf("stdout of leakstop %v", r.args), r.stdout, false)
		w.noSecrets(fmt.Sprintf("stderr of leakstop %v", r.args), r.stderr, false)
	}
	// What GitHub received.
	for _, is := range w.github.Issues {
		w.noSecrets(fmt.Sprintf("issue %d", is.Number), strings.Join(append([]string{is.Title, is.Body}, is.Comments...), "\n"), false)
	}
	// Every git leakstop ran: its command line and environment.
	gitRuns, err := os.ReadFile(w.gitLog)
	if err != nil || !bytes.Contains(gitRuns, []byte("argv: fetch")) {
		t.Fatalf("the fake git saw no fetch (%v): the check of git's command lines proves nothing", err)
	}
	w.noSecrets("the command lines and environments of git", string(gitRuns), false)
	for _, v := range append(slices.Clone(tokenVars), revoke.OperatorCredentials()...) {
		if bytes.Contains(gitRuns, []byte("env: "+v+"=")) {
			t.Errorf("git was run with %s in its environment", v)
		}
	}
	// Every file written, anywhere the runs could write (the checkout's config holds its
	// token: actions/checkout put it there).
	files := 0
	for _, dir := range []string{w.out, w.home, w.tmp, checkout} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || p == filepath.Join(checkout, ".git", "config") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("reading %s: %v", p, err)
				return nil
			}
			files++
			w.noSecrets(p, string(data), w.allowed[p])
			return nil
		})
	}
	if files < len(report.Formats())+4 {
		t.Errorf("only %d files written: the reports, audit logs and runner files are missing", files)
	}
	// Nothing left in TMPDIR (the clones are removed).
	if left, _ := os.ReadDir(w.tmp); len(left) > 0 {
		t.Errorf("TMPDIR holds %d entries after the runs, the first %s", len(left), left[0].Name())
	}
	// The files that can hold secrets are readable by their owner only.
	for _, p := range []string{filepath.Join(w.out, "secrets.json"), audit, filepath.Join(w.home, "state", "leakstop", "audit.jsonl")} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if fi.Mode().Perm() != secretFileMode {
			t.Errorf("%s has mode %#o, want %#o", p, fi.Mode().Perm(), secretFileMode)
		}
	}
}
