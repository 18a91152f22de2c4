package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
	"github.com/leakstop/leakstop/scanner/report"
)

// scanOptions are the flags every scanning command shares (DESIGN.md, "Flags shared by the
// scanning commands").
type scanOptions struct {
	Format      string
	Output      string
	Config      string
	Baseline    string
	Verify      bool
	Revoke      bool
	DryRun      bool
	Issues      string
	ShowSecrets bool
	Audit       string
	ExitCode    int
	MaxFileSize string
	Jobs        int
	LogLevel    string
	LogFormat   string

	maxFileSize int64 // parsed MaxFileSize
}

// defaultConfigs are read, the first that exists, when --config is not given.
var defaultConfigs = []string{".leakstop.toml", ".gitleaks.toml"}

func (o *scanOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "text", "report format: "+strings.Join(report.Formats(), "|"))
	f.StringVarP(&o.Output, "output", "o", "", "write the report to `FILE` (default stdout)")
	f.StringVarP(&o.Config, "config", "c", "", "rules and allowlists `FILE` (default .leakstop.toml if present; gitleaks TOML is read as well)")
	f.StringVar(&o.Baseline, "baseline", "", "a previous JSON report `FILE`: its findings are not reported again")
	f.BoolVar(&o.Verify, "verify", false, "ask each provider whether the secret is live")
	f.BoolVar(&o.Revoke, "revoke", false, "revoke every live secret (implies --verify)")
	f.BoolVar(&o.DryRun, "dry-run", false, "with --revoke: say what would be revoked, change nothing")
	f.StringVar(&o.Issues, "issues", "", "open or update one GitHub issue per leaked secret in `OWNER/REPO`")
	f.BoolVar(&o.ShowSecrets, "show-secrets", false, "show secrets in full (default: redacted everywhere)")
	f.StringVar(&o.Audit, "audit", "", "append every verify and revoke call to `FILE`, as JSON lines (default: in the user's state directory)")
	f.IntVar(&o.ExitCode, "exit-code", exitLeaks, "exit status when leaks are found")
	f.StringVar(&o.MaxFileSize, "max-file-size", "10MiB", "skip larger files and blobs (`SIZE`: B, KiB, MiB, GiB)")
	f.IntVarP(&o.Jobs, "jobs", "j", runtime.NumCPU(), "workers")
	f.StringVar(&o.LogLevel, "log-level", "info", "log level: debug|info|warn|error")
	f.StringVar(&o.LogFormat, "log-format", "auto", "log format on stderr: auto|console|json (auto: console on a terminal, JSON otherwise)")
}

// validate checks the flags before any work starts, so that a typo costs nothing.
func (o *scanOptions) validate() error {
	if !slices.Contains(report.Formats(), o.Format) {
		return usageError("--format %q is not one of %s", o.Format, strings.Join(report.Formats(), ", "))
	}
	n, err := files.ParseSize(o.MaxFileSize)
	if err != nil {
		return usageError("--max-file-size: %v", err)
	}
	o.maxFileSize = n
	if o.Jobs < 1 {
		return usageError("--jobs must be at least 1")
	}
	if o.ExitCode < 0 || o.ExitCode > 125 {
		return usageError("--exit-code must be between 0 and 125")
	}
	if o.DryRun && !o.Revoke {
		return usageError("--dry-run goes with --revoke")
	}
	if o.Revoke {
		o.Verify = true
	}
	if o.Issues != "" {
		owner, repo, ok := strings.Cut(o.Issues, "/")
		if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
			return usageError("--issues wants OWNER/REPO, not %q", o.Issues)
		}
	}
	if _, err := zerolog.ParseLevel(o.LogLevel); err != nil || o.LogLevel == "" {
		return usageError("--log-level %q is not debug, info, warn or error", o.LogLevel)
	}
	switch o.LogFormat {
	case "auto", "console", "json":
	default:
		return usageError("--log-format %q is not auto, console or json", o.LogFormat)
	}
	return nil
}

// logger builds the zerolog logger on stderr. Every line passes through the redactor, so a
// secret that reached a log field by mistake still does not reach the terminal.
func (a *app) logger(o *scanOptions) zerolog.Logger {
	level, _ := zerolog.ParseLevel(o.LogLevel)
	var w io.Writer = redactingWriter{a}
	format := o.LogFormat
	if format == "auto" {
		format = "json"
		if isTerminal(a.stderr) {
			format = "console"
		}
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, NoColor: !isTerminal(a.stderr) || a.getenv("NO_COLOR") != "", TimeFormat: "15:04:05"}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

// redactingWriter writes log lines to stderr with every known secret redacted.
type redactingWriter struct{ a *app }

func (w redactingWriter) Write(p []byte) (int, error) {
	w.a.logMu.Lock()
	defer w.a.logMu.Unlock()
	if _, err := io.WriteString(w.a.stderr, w.a.redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// loadRules compiles the built-in rules with the configuration at path, or with the default
// configuration file of the working directory when path is empty. It also returns the
// path read and the configuration's notes on rules it left out.
func loadRules(path string) (*rules.Set, string, error) {
	set, path, _, err := loadRulesNoted(path)
	return set, path, err
}

func loadRulesNoted(path string) (*rules.Set, string, []string, error) {
	if path == "" {
		for _, p := range defaultConfigs {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	var cfg *rules.Config
	if path != "" {
		var err error
		if cfg, err = rules.LoadConfig(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, "", nil, usageError("config %s does not exist (check --config)", path)
			}
			return nil, "", nil, usageError("%v", err)
		}
	}
	set, err := rules.Compile(cfg)
	if err != nil {
		return nil, "", nil, usageError("config %s: %v", path, err)
	}
	var notes []string
	if cfg != nil {
		notes = cfg.Skipped
	}
	return set, path, notes, nil
}

// scanRun is one scanning command's run: the source and what to do after the engine.
type scanRun struct {
	opts   *scanOptions
	source scanner.Source
	// root is the folder findings' paths are relative to, for SARIF.
	root string
}

// runScan runs a scanning command from flags to exit status: rules, engine, verify/revoke/
// issues, report. It returns leaksFound or a statusError for the exit status.
func (a *app) runScan(ctx context.Context, run scanRun) error {
	o := run.opts
	a.showSecrets = o.ShowSecrets
	log := a.logger(o)
	set, cfgPath, notes, err := loadRulesNoted(o.Config)
	if err != nil {
		return err
	}
	if cfgPath != "" {
		log.Debug().Str("config", cfgPath).Msg("config loaded")
	}
	for _, n := range notes {
		log.Warn().Str("config", cfgPath).Msg(n)
	}
	var baseline scanner.Baseline
	if o.Baseline != "" {
		if baseline, err = scanner.LoadBaseline(o.Baseline); err != nil {
			return usageError("%v", err)
		}
	}
	eng, err := scanner.New(scanner.Options{
		Rules: set, Jobs: o.Jobs, Baseline: baseline, Redactor: &a.redactor, Logger: log,
	})
	if err != nil {
		return err
	}
	res, err := eng.Run(ctx, run.source)
	if err != nil {
		return err
	}
	actErr := a.act(ctx, o, set, res, log)

	out := a.stdout
	if o.Output != "" {
		f, err := os.Create(o.Output)
		if err != nil {
			return fmt.Errorf("writing report: %w (check that the folder of --output exists)", err)
		}
		defer f.Close()
		out = f
	}
	color := o.Output == "" && isTerminal(a.stdout) && a.getenv("NO_COLOR") == ""
	if err := report.Write(out, o.Format, res, report.Options{
		ShowSecrets: o.ShowSecrets, Rules: set, Color: color, ToolVersion: version, Root: run.root,
	}); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if o.Output != "" {
		if err := out.(*os.File).Close(); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	}
	return a.outcome(o, res, actErr)
}

// outcome turns a scan's result into the exit status: problems and failed actions are
// errors (2), which win over leaks (1 or --exit-code).
func (a *app) outcome(o *scanOptions, res *scanner.Result, actErr error) error {
	if actErr != nil {
		return &statusError{code: exitError, msg: actErr.Error()}
	}
	if n := len(res.Problems); n > 0 {
		return &statusError{code: exitError, msg: fmt.Sprintf("%d %s could not be read (see the log above); the rest was scanned", n, plural(n, "place", "places"))}
	}
	if len(res.Findings) > 0 {
		return &leaksFound{count: len(res.Findings), code: o.ExitCode}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
