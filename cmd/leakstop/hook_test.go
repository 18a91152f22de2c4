package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakstop/leakstop/rules"
)

// TestPreCommitTryRepo runs leakstop's .pre-commit-hooks.yaml through the pre-commit
// framework itself (pre-commit try-repo builds leakstop from this checkout with go install):
// a staged key is blocked, redacted; a clean commit passes.
func TestPreCommitTryRepo(t *testing.T) {
	if _, err := exec.LookPath("pre-commit"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pre-commit is not installed (apt-get install pre-commit)")
		}
		t.Skip("pre-commit is not installed")
	}
	if testing.Short() {
		t.Skip("builds leakstop inside pre-commit's environment")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		t.Skip("the leakstop sources are not a git checkout")
	}
	home := t.TempDir()
	repo := t.TempDir()
	env := append(os.Environ(),
		"PRE_COMMIT_HOME="+filepath.Join(home, "pre-commit"),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada Author", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada Author", "GIT_COMMITTER_EMAIL=ada@example.com",
	)
	// Reuse this machine's module and build caches, so go install downloads nothing twice.
	for _, v := range []string{"GOMODCACHE", "GOCACHE"} {
		if out, err := exec.Command("go", "env", v).Output(); err == nil {
			env = append(env, v+"="+strings.TrimSpace(string(out)))
		}
	}
	run := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = repo
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(args ...string) {
		t.Helper()
		if out, err := run(args...); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	must("git", "init", "-q")
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	write("README.md", "# app\n")
	must("git", "add", "README.md")
	out, err := run("pre-commit", "try-repo", root, "leakstop")
	if err != nil {
		t.Fatalf("a clean staged change was blocked: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Passed") {
		t.Errorf("pre-commit did not say Passed:\n%s", out)
	}

	key := rules.NewGenerator(3).OpenAIKey("sk-proj-", 74)
	write("config.env", "DEBUG=1\nOPENAI_API_KEY="+key+"\n")
	must("git", "add", "config.env")
	out, err = run("pre-commit", "try-repo", root, "leakstop")
	if err == nil {
		t.Fatalf("a staged key was not blocked:\n%s", out)
	}
	for _, want := range []string{"Failed", "config.env:2:16", "commit blocked"} {
		if !strings.Contains(out, want) {
			t.Errorf("pre-commit output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, key) {
		t.Errorf("pre-commit output holds the key in clear:\n%s", out)
	}
}
