package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/files"
	"github.com/leakstop/leakstop/scanner/report"
)

// The flags come in groups, each binding and checking itself; a command composes the groups
// it needs (DESIGN.md, "Flags shared by the scanning commands"). validate runs before any work
// starts, so that a typo costs nothing.

// outputFlags say how and where the report is written.
type outputFlags struct {
	Format      string
	Output      string
	ShowSecrets bool
}

func (o *outputFlags) bind(f *pflag.FlagSet, what string) {
	f.StringVarP(&o.Format, "format", "f", "text", what+" format: "+strings.Join(report.Formats(), "|"))
	f.StringVarP(&o.Output, "output", "o", "", "write "+what+" to `FILE` (default stdout)")
	f.BoolVar(&o.ShowSecrets, "show-secrets", false, "show secrets in full (default: redacted everywhere)")
}

func (o *outputFlags) validate() error {
	if !slices.Contains(report.Formats(), o.Format) {
		return usageError("--format %q is not one of %s", o.Format, strings.Join(report.Formats(), ", "))
	}
	if o.Output != "" {
		if err := checkOutput("--output", o.Output); err != nil {
			return err
		}
	}
	return nil
}

// checkOutput makes sure a report can be written to path before any work starts, so that a
// long scan does not end in a folder that does not exist: the folder exists and takes a
// new file, or the file exists and opens for writing. It leaves nothing behind (an
// existing file is not truncated). A path that is not a regular file (/dev/stdout, a pipe)
// is left to the write.
func checkOutput(flag, path string) error {
	fail := func(format string, args ...any) *statusError {
		return usageError("%s %s: %s", flag, path, fmt.Sprintf(format, args...))
	}
	if fi, err := os.Stat(path); err == nil {
		switch {
		case fi.IsDir():
			return fail("is a folder").withHint("give a file name, such as %s", filepath.Join(path, "leakstop-report.json"))
		case !fi.Mode().IsRegular():
			return nil
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fail("cannot be written: %v", errText(err)).withHint("write the report elsewhere, or make the file writable")
		}
		return f.Close()
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail("the folder %s does not exist", dir).withHint("create it first (mkdir -p %s), or write the report elsewhere", dir)
	case err != nil:
		return fail("%v", errText(err)).withHint("write the report elsewhere")
	case !fi.IsDir():
		return fail("%s is not a folder", dir).withHint("write the report elsewhere")
	}
	f, err := os.CreateTemp(dir, ".leakstop-check-*")
	if err != nil {
		return fail("the folder %s cannot be written: %v", dir, errText(err)).withHint("write the report to a folder you can write")
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// errText is the reason of a file error without the path it repeats ("permission denied").
func errText(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// logFlags set the log on standard error, and the progress bar beside it.
type logFlags struct {
	Level      string
	Format     string
	Quiet      bool
	NoProgress bool

	level zerolog.Level
	flags *pflag.FlagSet
}

func (l *logFlags) bind(f *pflag.FlagSet) {
	l.flags = f
	f.StringVar(&l.Level, "log-level", "info", "log level: debug|info|warn|error")
	f.StringVar(&l.Format, "log-format", "auto", "log format on stderr: auto|console|json (auto: console on a terminal, JSON otherwise)")
	f.BoolVarP(&l.Quiet, "quiet", "q", false, "no progress bar, and only warnings and errors in the log")
	f.BoolVar(&l.NoProgress, "no-progress", false, "no progress bar on a terminal")
}

func (l *logFlags) validate() error {
	level, err := zerolog.ParseLevel(l.Level)
	if err != nil || l.Level == "" {
		return usageError("--log-level %q is not debug, info, warn or error", l.Level)
	}
	if l.Quiet {
		if l.flags != nil && l.flags.Changed("log-level") && level < zerolog.WarnLevel {
			return usageError("--quiet and --log-level %s do not go together: --quiet logs only warnings and errors", l.Level)
		}
		level = max(level, zerolog.WarnLevel)
	}
	l.level = level
	switch l.Format {
	case "auto", "console", "json":
	default:
		return usageError("--log-format %q is not auto, console or json", l.Format)
	}
	return nil
}

// progress reports whether a progress bar may be shown (on a terminal only).
func (l *logFlags) progress() bool { return !l.Quiet && !l.NoProgress }

// actFlags say what to do with the findings: verify, revoke, open issues, and where the
// calls are audited. Scans bind them with bind; `leakstop revoke`, which always verifies and
// revokes unless told to only verify, with bindRevoke.
type actFlags struct {
	Verify bool
	Revoke bool
	DryRun bool
	Issues string
	Audit  string
	// ProviderTimeout bounds each provider call; zero means LEAKSTOP_TIMEOUT, else 30s.
	ProviderTimeout time.Duration

	// verifyOnly is `leakstop revoke --verify`.
	verifyOnly bool
	// revokeCommand marks the flags of `leakstop revoke`.
	revokeCommand bool
	owner, repo   string
}

func (a *actFlags) bind(f *pflag.FlagSet) {
	f.BoolVar(&a.Verify, "verify", false, "ask each provider whether the secret is live")
	f.BoolVar(&a.Revoke, "revoke", false, "revoke every live secret (implies --verify)")
	f.BoolVar(&a.DryRun, "dry-run", false, "with --revoke: say what would be revoked, change nothing")
	a.bindShared(f)
}

func (a *actFlags) bindRevoke(f *pflag.FlagSet) {
	a.revokeCommand = true
	f.BoolVar(&a.verifyOnly, "verify", false, "only verify: ask each provider whether the secret is live, revoke nothing")
	f.BoolVar(&a.DryRun, "dry-run", false, "say what would be revoked, change nothing")
	a.bindShared(f)
}

func (a *actFlags) bindShared(f *pflag.FlagSet) {
	f.StringVar(&a.Issues, "issues", "", "open or update one GitHub issue per leaked secret in `OWNER/REPO`")
	f.StringVar(&a.Audit, "audit", "", "append every verify and revoke call to `FILE`, as JSON lines (default: in the user's state directory)")
	f.DurationVar(&a.ProviderTimeout, "provider-timeout", 0, "bound each provider call, its answer read, to `DURATION`, and all the calls about one secret to 4 times that (default 30s, or LEAKSTOP_TIMEOUT)")
}

func (a *actFlags) validate() error {
	if a.revokeCommand {
		if a.verifyOnly && a.DryRun {
			return usageError("--verify and --dry-run do not go together: --verify revokes nothing anyway")
		}
		a.Verify, a.Revoke = true, !a.verifyOnly
	}
	if a.DryRun && !a.Revoke {
		return usageError("--dry-run goes with --revoke")
	}
	if a.ProviderTimeout < 0 {
		return usageError("--provider-timeout must be positive, such as 10s")
	}
	if a.Revoke {
		a.Verify = true
	}
	if a.Issues != "" {
		owner, repo, ok := strings.Cut(a.Issues, "/")
		if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
			return usageError("--issues wants OWNER/REPO, not %q", a.Issues)
		}
		a.owner, a.repo = owner, repo
	}
	return nil
}

// acts reports whether anything is to be done with the findings.
func (a *actFlags) acts() bool { return a.Verify || a.Revoke || a.Issues != "" }

// scanFlags shape a scan: its rules, what it leaves out, how much it reads and how it ends.
type scanFlags struct {
	Config      string
	Baseline    string
	ExitCode    int
	MaxFileSize string
	Jobs        int
	// MinConfidence drops findings less sure than it (low, medium, high).
	MinConfidence string

	maxFileSize   int64
	minConfidence rules.Confidence
}

func (s *scanFlags) bind(f *pflag.FlagSet) {
	f.StringVarP(&s.Config, "config", "c", "", "rules and allowlists `FILE` (default .leakstop.toml if present; gitleaks TOML is read as well)")
	f.StringVar(&s.Baseline, "baseline", "", "a previous JSON report `FILE`: its findings are not reported again")
	f.IntVar(&s.ExitCode, "exit-code", exitLeaks, "exit status when leaks are found")
	f.StringVar(&s.MaxFileSize, "max-file-size", sizeText(files.DefaultMaxFileSize), "skip larger files and blobs (`SIZE` such as 10MiB or 512KiB)")
	f.IntVarP(&s.Jobs, "jobs", "j", runtime.NumCPU(), "workers")
	f.StringVar(&s.MinConfidence, "min-confidence", rules.ConfidenceLow.String(), "report only findings at least this sure: `low` (every finding), medium or high")
}

func (s *scanFlags) validate() error {
	n, err := parseSize("--max-file-size", s.MaxFileSize)
	if err != nil {
		return err
	}
	s.maxFileSize = n
	if s.minConfidence, err = rules.ParseConfidence(s.MinConfidence); err != nil {
		return usageError("--min-confidence must be low, medium or high, not %q", s.MinConfidence)
	}
	if s.Jobs < 1 {
		return usageError("--jobs must be at least 1")
	}
	if s.ExitCode < 0 || s.ExitCode > 125 {
		return usageError("--exit-code must be between 0 and 125")
	}
	return nil
}

// scanOptions are the flag groups of every scanning command.
type scanOptions struct {
	scan scanFlags
	out  outputFlags
	log  logFlags
	act  actFlags
}

func (o *scanOptions) bind(f *pflag.FlagSet) {
	o.out.bind(f, "the report")
	o.scan.bind(f)
	o.act.bind(f)
	o.log.bind(f)
}

func (o *scanOptions) validate() error {
	for _, v := range []interface{ validate() error }{&o.out, &o.scan, &o.act, &o.log} {
		if err := v.validate(); err != nil {
			return err
		}
	}
	return nil
}

// parseSize reads a size flag: a number of bytes with an optional unit, binary (KiB, MiB,
// GiB) or decimal (kB, MB, GB), as go-humanize reads them.
func parseSize(flag, s string) (int64, error) {
	n, err := humanize.ParseBytes(s)
	if err != nil || n == 0 || n > math.MaxInt64 {
		return 0, usageError("%s %q is not a size such as 10MiB, 512KiB or 1048576", flag, s)
	}
	return int64(n), nil
}

// sizeText writes a size the way the flags read it back.
func sizeText(n int64) string {
	return strings.ReplaceAll(humanize.IBytes(uint64(n)), " ", "")
}
