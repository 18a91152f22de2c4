package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/leakstop/leakstop/rules"
)

// runMainEnv set to 1 makes this test binary run leakstop itself, for tests that need a
// process of their own (its standard error on a pseudo-terminal, say).
const runMainEnv = "LEAKSTOP_TEST_RUN_MAIN"

// TestMain lets script tests run leakstop as a command in the same binary, and other tests
// run it as a process (runMainEnv).
func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, processEnv()))
	}
	testscript.Main(m, map[string]func(){
		"leakstop": func() {
			os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, processEnv()))
		},
	})
}

// TestScripts runs the CLI script tests in testdata/script: exit statuses, stderr wording
// and report formats, as a user sees them.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t))
}

// scriptParams are the script-test settings: commands that make secrets at run time (the
// scripts hold no literal key) and put them into files.
//
//	gen NAME TEMPLATE     sets $NAME to TEMPLATE expanded by rules.Generator
//	                      (for example: gen KEY '{{openai "sk-proj-" 74}}')
//	expand SRC DST        writes SRC to DST with $NAME and ${NAME} replaced by their values
//	exits N PROG ARGS...  runs PROG like exec and checks that its exit status is N
//	mode PERM FILE        checks that FILE's permission bits are PERM (octal, such as 0600)
func scriptParams(t *testing.T) testscript.Params {
	return testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, ".state"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"gen":    cmdGen,
			"expand": cmdExpand,
			"exits":  cmdExits,
			"mode":   cmdMode,
			"fake":   cmdFake,
			"serve":  cmdServe, "fixture": cmdFixture,
			"gitserve": scriptConfigCmds["gitserve"], "envfile": scriptConfigCmds["envfile"],
			"gitleaksdefault": scriptConfigCmds["gitleaksdefault"],
		},
	}
}

// genSeed gives each generated value its own seed; scripts run in parallel.
var genSeed atomic.Uint64

func cmdGen(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gen NAME TEMPLATE")
	}
	g := rules.NewGenerator(genSeed.Add(1) + 1)
	v, err := g.Expand(args[1])
	ts.Check(err)
	ts.Setenv(args[0], v)
}

func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: expand SRC DST")
	}
	data := ts.ReadFile(args[0])
	out := os.Expand(data, func(name string) string {
		if v := ts.Getenv(name); v != "" {
			return v
		}
		return "$" + name
	})
	dst := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(filepath.Dir(dst), 0o755))
	ts.Check(os.WriteFile(dst, []byte(out), 0o644))
}

func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got, err := exitCode(ts.Exec(args[1], args[2:]...))
	if err != nil {
		ts.Fatalf("running %s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// exitCode is the exit status of a process that ran and ended with err; err is returned
// when the process did not run or end.
func exitCode(err error) (int, error) {
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), nil
	case err != nil:
		return 0, err
	}
	return 0, nil
}

func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode PERM FILE")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	if got := fi.Mode().Perm(); (got == os.FileMode(want)) == neg {
		ts.Fatalf("%s has mode %#o, want %s%#o", args[1], got, map[bool]string{true: "not "}[neg], want)
	}
}
