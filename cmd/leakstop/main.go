// Command leakstop finds leaked credentials in git history, working trees and client-side
// bundles, verifies and revokes them through the providers' APIs, and opens a GitHub issue
// for every leak. This package only parses flags, wires the packages together and maps
// outcomes to exit codes; it holds no scanning logic.
//
// Each command is an options struct (its flag groups composed) and a run function,
// run(ctx, opts, stdout, stderr) error, that tests may call without cobra; the cobra layer
// only binds flags, and Main maps every error to the exit status in one place.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dustin/go-humanize/english"
)

// Exit statuses (README, "Exit status").
const (
	// exitClean: nothing found, everything read.
	exitClean = 0
	// exitLeaks: leaks found (or --exit-code); none verified live is left active.
	exitLeaks = 1
	// exitError: bad input or flags, a place that could not be read, a bound that cut the
	// scan short, a failed revocation or issue.
	exitError = 2
	// exitLive: leaks found, and at least one secret verified live is still active (not
	// revoked: --revoke was not given, or the provider has no revoke API, or an operator
	// credential is missing, or it was a dry run). Someone must act now.
	exitLive = 3
)

func main() {
	stopProfile := startProfile(os.Getenv, os.Stderr)
	code := Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, processEnv())
	stopProfile()
	os.Exit(code)
}

// Main runs leakstop with args and returns the exit status. Tests call it directly.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdin: stdin, getenv: getenv}
	root := a.rootCommand(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return a.exitStatus(err, stderr)
}

// exitStatus maps the outcome of a command to the process exit status, in one place, and
// prints the error with its hints.
func (a *app) exitStatus(err error, stderr io.Writer) int {
	var leaks *leaksFound
	var status *statusError
	code := exitError
	switch {
	case err == nil:
		return exitClean
	case errors.As(err, &leaks):
		if leaks.live > 0 {
			a.printf(stderr, "leakstop: %s still live and not revoked: revoke %s now (see the report)\n",
				english.Plural(leaks.live, "secret is", "secrets are"), english.PluralWord(leaks.live, "it", "them"))
		}
		return leaks.code
	case errors.As(err, &status):
		code = status.code
	}
	// The message and hints may quote file names and sites' answers: they are escaped for
	// the terminal and redacted.
	if msg := err.Error(); msg != "" {
		a.printf(stderr, "leakstop: %s\n", indentLines(msg))
	}
	for _, h := range hintsOf(err) {
		a.printf(stderr, "hint: %s\n", indentLines(h))
	}
	return code
}

// indentLines indents every line of s after the first: joined errors keep a line each,
// and a line break that came from a file name or a site's answer cannot start a line that
// looks like leakstop's own ("leakstop: …", "hint: …").
func indentLines(s string) string { return strings.ReplaceAll(s, "\n", "\n  ") }

// leaksFound is returned when a scan found leaks and nothing else went wrong.
type leaksFound struct {
	count int
	code  int
	// live is how many of them are verified live and still active.
	live int
}

func (e *leaksFound) Error() string { return fmt.Sprintf("%d leaks found", e.count) }

// statusError ends a command with a given exit status, a message and hints.
type statusError struct {
	code  int
	msg   string
	hints []string
}

func (e *statusError) Error() string { return e.msg }

// Hint returns the error's hints, a line each.
func (e *statusError) Hint() string { return strings.Join(e.hints, "\n") }

// usageError marks a bad flag or argument.
func usageError(format string, args ...any) *statusError {
	return &statusError{code: exitError, msg: fmt.Sprintf(format, args...)}
}

// withHint returns e with one more hint line.
func (e *statusError) withHint(format string, args ...any) *statusError {
	e.hints = append(e.hints, hintLine(fmt.Sprintf(format, args...)))
	return e
}

// failure wraps err for the exit status 2, keeping the hints it carries and adding more.
func failure(err error, hints ...string) *statusError {
	all := hintsOf(err)
	for _, h := range hints {
		all = append(all, hintLine(h))
	}
	return &statusError{code: exitError, msg: err.Error(), hints: all}
}

// hintLine keeps a hint on one line: one that quotes a file name with a line break in it
// must stay one hint, not become two.
func hintLine(h string) string { return lineBreaks.Replace(h) }

var lineBreaks = strings.NewReplacer("\r\n", `\r\n`, "\n", `\n`, "\r", `\r`)

// hintsOf collects the hint lines that err, or an error it wraps, carries: a library error
// says what a person can do in its own words (a Hint method, as age's errors do), and the
// command adds what only it knows (its flags).
func hintsOf(err error) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if h, ok := e.(interface{ Hint() string }); ok {
			for _, line := range strings.Split(h.Hint(), "\n") {
				if line = strings.TrimSpace(line); line != "" && !seen[line] {
					seen[line] = true
					out = append(out, line)
				}
			}
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }: // errors.Join, fmt.Errorf with several %w
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}
