package main

import (
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdGitServe serves the bare repositories under ROOT over git's smart HTTP protocol (the
// real git http-backend behind net/http/cgi) and sets $NAME to the server's URL:
//
//	gitserve NAME ROOT       clone URLs are $NAME/REPO.git
func cmdGitServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gitserve NAME ROOT")
	}
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		ts.Fatalf("git --exec-path: %v", err)
	}
	h := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env: []string{
			"GIT_PROJECT_ROOT=" + ts.MkAbs(args[1]), "GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		},
	}
	srv := httptest.NewServer(h)
	ts.Defer(srv.Close)
	ts.Setenv(args[0], srv.URL)
}

// cmdEnvFile sets $NAME to the content of FILE, trimmed (a commit id that `git rev-parse`
// wrote, copied from stdout):
//
//	envfile NAME FILE
func cmdEnvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envfile NAME FILE")
	}
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	ts.Setenv(args[0], strings.TrimSpace(string(data)))
}

// cmdGitleaksDefault copies the default configuration of a gitleaks release, as committed
// under testdata/gitleaks at the root of the repository, to DST:
//
//	gitleaksdefault VERSION DST
func cmdGitleaksDefault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gitleaksdefault VERSION DST")
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "gitleaks", "gitleaks-"+args[0]+".toml"))
	ts.Check(err)
	dst := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(filepath.Dir(dst), 0o755))
	ts.Check(os.WriteFile(dst, data, 0o644))
}

// scriptConfigCmds are the script commands of the configuration tests.
var scriptConfigCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"gitserve": cmdGitServe, "envfile": cmdEnvFile, "gitleaksdefault": cmdGitleaksDefault,
}
