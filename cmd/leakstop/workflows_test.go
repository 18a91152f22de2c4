package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// workflowFiles are the example workflows under docs/workflows.
func workflowFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRootDir, "docs", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflow under docs/workflows: %v", err)
	}
	return files
}

// actionlintProject lays out the example workflows as a repository that uses this action
// as "./": actionlint then checks each `uses: ./` step's inputs against action.yml.
func actionlintProject(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	wf := filepath.Join(dir, ".github", "workflows")
	if err := os.MkdirAll(wf, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile := func(src, dst string) {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(filepath.Join(repoRootDir, "action.yml"), filepath.Join(dir, "action.yml"))
	for _, f := range workflowFiles(t) {
		copyFile(f, filepath.Join(wf, filepath.Base(f)))
	}
	for name, content := range extra {
		if err := os.WriteFile(filepath.Join(wf, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func needActionlint(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("actionlint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("actionlint is not installed (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12)")
		}
		t.Skip("actionlint is not installed")
	}
	return path
}

// TestWorkflowsActionlint: every example workflow passes actionlint, its `uses: ./` inputs
// checked against action.yml; a workflow with an input the action lacks does not, which
// shows the check is on.
func TestWorkflowsActionlint(t *testing.T) {
	lint := needActionlint(t)
	dir := actionlintProject(t, nil)
	cmd := exec.Command(lint, "-no-color")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
	bad := `on: push
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./
        with:
          fail-on: live
          verfy: "true"
`
	dir = actionlintProject(t, map[string]string{"bad.yml": bad})
	cmd = exec.Command(lint, "-no-color", filepath.Join(".github", "workflows", "bad.yml"))
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `input "verfy" is not defined in action`) {
		t.Errorf("actionlint let an unknown input through: %v\n%s", err, out)
	}
}

// TestWorkflowsUseTheAction: each example uses the action as ./, with the permissions it
// needs and no more, and the README shows each one as it is, with the published action.
func TestWorkflowsUseTheAction(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRootDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range workflowFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			Permissions map[string]string `yaml:"permissions"`
			Jobs        map[string]struct {
				Steps []map[string]any `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(data, &wf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if wf.Permissions["contents"] != "read" {
			t.Errorf("%s: permissions %v, want contents: read", f, wf.Permissions)
		}
		uses := 0
		for _, job := range wf.Jobs {
			for _, s := range job.Steps {
				if s["uses"] == "./" {
					uses++
				}
			}
		}
		if uses == 0 {
			t.Errorf("%s does not use the action as ./", f)
		}
		published := strings.ReplaceAll(string(data), "uses: ./", "uses: leakstop/leakstop@main")
		if !strings.Contains(string(readme), "```yaml\n"+published+"```\n") {
			t.Errorf("README.md does not show %s as it is (with uses: leakstop/leakstop@main)", filepath.Base(f))
		}
	}
	for _, f := range []string{filepath.Join("docs", "gitlab", "leakstop.gitlab-ci.yml"), filepath.Join("docs", "pre-commit", ".pre-commit-config.yaml")} {
		data, err := os.ReadFile(filepath.Join(repoRootDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(readme), "```yaml\n"+string(data)+"```\n") {
			t.Errorf("README.md does not show %s as it is", f)
		}
	}
}

// TestGitLabTemplate: the GitLab CI job runs leakstop ci with the GitLab report, and hands
// that same file to GitLab as its secret detection report, on every outcome.
func TestGitLabTemplate(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRootDir, "docs", "gitlab", "leakstop.gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var jobs map[string]struct {
		Script    []string `yaml:"script"`
		Artifacts struct {
			When    string            `yaml:"when"`
			Reports map[string]string `yaml:"reports"`
		} `yaml:"artifacts"`
		Rules []map[string]string `yaml:"rules"`
	}
	if err := yaml.Unmarshal(data, &jobs); err != nil {
		t.Fatal(err)
	}
	job, ok := jobs["leakstop"]
	if !ok {
		t.Fatalf("no leakstop job in %v", jobs)
	}
	report := job.Artifacts.Reports["secret_detection"]
	found := false
	for _, line := range job.Script {
		if strings.HasPrefix(line, "leakstop ci ") && strings.Contains(line, "--format gitlab") && strings.Contains(line, "--output "+report) {
			found = true
		}
	}
	if !found || report != "gl-secret-detection-report.json" || job.Artifacts.When != "always" {
		t.Errorf("the job's script %q and report %q do not match", job.Script, report)
	}
	if len(job.Rules) == 0 {
		t.Errorf("the job has no rules")
	}
}

// TestPreCommitExample: the pre-commit example names the hook .pre-commit-hooks.yaml
// defines.
func TestPreCommitExample(t *testing.T) {
	var hooks []struct {
		ID string `yaml:"id"`
	}
	data, err := os.ReadFile(filepath.Join(repoRootDir, ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Repos []struct {
			Repo  string `yaml:"repo"`
			Rev   string `yaml:"rev"`
			Hooks []struct {
				ID string `yaml:"id"`
			} `yaml:"hooks"`
		} `yaml:"repos"`
	}
	data, err = os.ReadFile(filepath.Join(repoRootDir, "docs", "pre-commit", ".pre-commit-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Repos) != 1 || len(cfg.Repos[0].Hooks) != 1 || len(hooks) == 0 || cfg.Repos[0].Hooks[0].ID != hooks[0].ID ||
		cfg.Repos[0].Repo != "https://github.com/leakstop/leakstop" {
		t.Errorf("the example %+v does not name the hook %+v", cfg, hooks)
	}
}
