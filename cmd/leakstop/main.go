// Command leakstop finds leaked credentials in git history, working trees and client-side
// bundles, verifies and revokes them through the providers' APIs, and opens a GitHub issue
// for every leak. This package only parses flags, wires the packages together and maps
// outcomes to exit codes; it holds no scanning logic.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is the leakstop release; reports and SARIF carry it.
var version = "0.1.0"

// Exit statuses.
const (
	exitClean = 0
	exitLeaks = 1
	exitError = 2
)

func main() {
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// Main runs leakstop with args and returns the exit status. Tests call it directly.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	root := a.rootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return a.exitStatus(err)
}

// exitStatus maps the outcome of a command to the process exit status, in one place.
func (a *app) exitStatus(err error) int {
	var leaks *leaksFound
	var status *statusError
	switch {
	case err == nil:
		return exitClean
	case errors.As(err, &leaks):
		return leaks.code
	case errors.As(err, &status):
		if status.msg != "" {
			fmt.Fprintf(a.stderr, "leakstop: %s\n", a.redact(status.msg))
		}
		return status.code
	}
	fmt.Fprintf(a.stderr, "leakstop: %s\n", a.redact(err.Error()))
	return exitError
}

// leaksFound is returned when a scan found leaks and nothing else went wrong.
type leaksFound struct {
	count int
	code  int
}

func (e *leaksFound) Error() string { return fmt.Sprintf("%d leaks found", e.count) }

// statusError ends a command with a given exit status and an optional message.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// usageError marks a bad flag or argument; the message says what to do.
func usageError(format string, args ...any) error {
	return &statusError{code: exitError, msg: fmt.Sprintf(format, args...)}
}
