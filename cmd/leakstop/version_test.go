package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		s := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"}}
		if modified != "" {
			s = append(s, debug.BuildSetting{Key: "vcs.modified", Value: modified})
		}
		return s
	}
	const rev = "81c5b33e42dd1343f135652ae86fed51219ff704"
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build information", nil, false, "devel"},
		{"installed at a tag", &debug.BuildInfo{Main: debug.Module{Path: "github.com/leakstop/leakstop", Version: "v0.2.0"}}, true, "v0.2.0"},
		// go install …@commit, or Go 1.24's stamping of a checkout: the pseudo-version wins
		// over the revision it also records.
		{"pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130100000-81c5b33e42dd+dirty"}, Settings: vcs(rev, "true")}, true, "v0.0.0-20261130100000-81c5b33e42dd+dirty"},
		{"checkout, clean", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "false")}, true, "81c5b33e42dd"},
		{"checkout, changed", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, true, "81c5b33e42dd-dirty"},
		{"checkout, short revision", &debug.BuildInfo{Main: debug.Module{Version: ""}, Settings: vcs("abc123", "")}, true, "abc123"},
		{"-buildvcs=false", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "devel"},
	} {
		if got := buildVersion(tc.info, tc.ok); got != tc.want {
			t.Errorf("%s: buildVersion = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestVersionStampedFromCheckout builds leakstop from a git checkout of these sources, as
// `go install ./cmd/leakstop` in a clone does, and checks that `leakstop version`,
// `leakstop --version`, the JSON report and SARIF all carry the commit it was built from,
// and that a build from changed sources says so.
func TestVersionStampedFromCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds leakstop")
	}
	needTool(t, "git")
	needTool(t, "go")
	src, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// The sources as they are now (tracked and new files), in a checkout of their own: a
	// worktree's .git is a file, which the go command does not stamp from.
	list := exec.Command("git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	out, err := list.Output()
	if err != nil {
		t.Skipf("the sources are not a git checkout: %v", err)
	}
	repo := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			continue // deleted in the work tree
		}
		dst := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "leakstop")
	rev := git("rev-parse", "HEAD")[:12]

	build := func() string {
		t.Helper()
		bin := filepath.Join(t.TempDir(), "leakstop")
		cmd := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./cmd/leakstop")
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		return bin
	}
	run := func(bin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("leakstop %v: %v", args, err)
		}
		return string(out)
	}
	check := func(bin string, dirty bool) {
		t.Helper()
		line := run(bin, "version")
		if other := run(bin, "--version"); other != line {
			t.Errorf("leakstop version says %q, --version %q", line, other)
		}
		v := strings.TrimSuffix(strings.TrimPrefix(line, "leakstop "), "\n")
		t.Logf("built from %s (dirty %v): leakstop %s", rev, dirty, v)
		if !strings.Contains(v, rev) || strings.Contains(v, "dirty") != dirty {
			t.Errorf("version %q: want the revision %s, dirty %v", v, rev, dirty)
		}
		empty := t.TempDir()
		var rep struct {
			Tool struct{ Version string } `json:"tool"`
		}
		if err := json.Unmarshal([]byte(run(bin, "dir", empty, "--format", "json")), &rep); err != nil || rep.Tool.Version != v {
			t.Errorf("JSON report: tool version %q (%v), want %q", rep.Tool.Version, err, v)
		}
		var sarif struct {
			Runs []struct {
				Tool struct {
					Driver struct{ Version string } `json:"driver"`
				} `json:"tool"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(run(bin, "dir", empty, "--format", "sarif")), &sarif); err != nil || len(sarif.Runs) != 1 || sarif.Runs[0].Tool.Driver.Version != v {
			t.Errorf("SARIF: driver version %+v (%v), want %q", sarif, err, v)
		}
	}
	check(build(), false)

	if err := os.WriteFile(filepath.Join(repo, "cmd/leakstop/zz_changed.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check(build(), true)
}
