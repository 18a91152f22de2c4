package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/dustin/go-humanize/english"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
	"github.com/leakstop/leakstop/scanner/report"
)

// start begins a scanning command's run once its own flags are checked: it takes the
// --show-secrets choice, loads the rules once (from --config, else from the project at
// roots, else from the working directory) and builds the logger.
func (a *app) start(o *scanOptions, stderr io.Writer, roots ...projectRoot) (*loadedRules, zerolog.Logger, error) {
	a.showSecrets = o.out.ShowSecrets
	loaded, err := loadRules(o.scan.Config, roots...)
	if err != nil {
		return nil, zerolog.Nop(), err
	}
	return loaded, a.logger(&o.log, stderr), nil
}

// scanRun is one scanning command's run: its options, its rules, and the source.
type scanRun struct {
	opts   *scanOptions
	rules  *loadedRules
	source scanner.Source
	log    zerolog.Logger
	// root is the folder findings' paths are relative to, for SARIF.
	root string
	// found, when set, is called with the findings as soon as the engine has them, before
	// anything acts on them or prints them (leakstop ci masks the secrets there).
	found func(*scanner.Result) error
}

// runScan runs a scan from the engine to the exit status: engine, verify/revoke/issues,
// report. It returns leaksFound or a statusError for the exit status.
func (a *app) runScan(ctx context.Context, run scanRun, stdout io.Writer) error {
	res, actErr, err := a.scanAndAct(ctx, run)
	if err != nil {
		return err
	}
	if err := a.writeReport(&run.opts.out, res, run.rules.set, run.root, stdout); err != nil {
		return err
	}
	return scanOutcome(run.opts.scan.ExitCode, res, actErr)
}

// scanAndAct runs the engine, then verify/revoke/issues as the flags ask. err is a scan that
// could not run; actErr an action that failed, which still leaves a result to report.
func (a *app) scanAndAct(ctx context.Context, run scanRun) (res *scanner.Result, actErr, err error) {
	o := run.opts
	run.rules.logTo(run.log)
	if o.act.acts() {
		if err := a.checkAct(&o.act); err != nil {
			return nil, nil, err
		}
	}
	var baseline scanner.Baseline
	if o.scan.Baseline != "" {
		if baseline, err = scanner.LoadBaseline(o.scan.Baseline); err != nil {
			return nil, nil, failure(err, "give a JSON report that leakstop wrote (--format json) to --baseline")
		}
	}
	eng, err := scanner.New(scanner.Options{
		Rules: run.rules.set, Jobs: o.scan.Jobs, Baseline: baseline, Redactor: &a.redactor,
		Logger: run.log, Hint: chunkHint,
	})
	if err != nil {
		return nil, nil, err
	}
	res, err = eng.Run(ctx, run.source)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, failure(err, scanHint(err)...)
	}
	res.Findings = keepConfident(res.Findings, o.scan.minConfidence)
	if run.found != nil {
		if err := run.found(res); err != nil {
			return nil, nil, err
		}
	}
	if o.act.acts() {
		actErr = a.act(ctx, &o.act, o.scan.Jobs, run.rules.set, res.Findings, run.log)
	}
	return res, actErr, nil
}

// keepConfident drops the findings less sure than min (--min-confidence), before they are
// verified, reported or counted in the exit status. A finding of no known confidence (none
// the engine makes) is kept.
func keepConfident(fs []*scanner.Finding, min rules.Confidence) []*scanner.Finding {
	return slices.DeleteFunc(fs, func(f *scanner.Finding) bool {
		c := f.Level()
		return c != 0 && c < min
	})
}

// writeReport writes res as the output flags ask: to stdout or the --output file, in the
// format asked, secrets redacted unless --show-secrets. Every scan and `leakstop revoke` write
// their report through it. A report that holds secrets (--show-secrets) is a file only its
// owner can read, as the audit log is.
func (a *app) writeReport(o *outputFlags, res *scanner.Result, set *rules.Set, root string, stdout io.Writer) error {
	out := stdout
	var file *os.File
	if o.Output != "" {
		var err error
		if file, err = createReport(o.Output, o.ShowSecrets); err != nil {
			return failure(fmt.Errorf("writing report: %w", err), "check that the folder of --output exists and can be written")
		}
		defer file.Close()
		out = file
	}
	color := o.Output == "" && isTerminal(stdout) && a.getenv("NO_COLOR") == ""
	if err := report.Write(out, o.Format, res, report.Options{
		ShowSecrets: o.ShowSecrets, Rules: set, Color: color, ToolVersion: version, Root: root,
	}); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	}
	return nil
}

// secretFileMode is the mode of a file leakstop writes that holds secrets.
const secretFileMode = 0o600

// createReport creates (or truncates) the report file at path. One that will hold secrets is
// created 0600, and an existing one is made 0600 before anything is written to it.
func createReport(path string, secrets bool) (*os.File, error) {
	mode := os.FileMode(0o644)
	if secrets {
		mode = secretFileMode
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return nil, err
	}
	if secrets {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() != secretFileMode {
			if err := f.Chmod(secretFileMode); err != nil {
				f.Close()
				return nil, fmt.Errorf("keeping the secrets in %s private: %w", path, err)
			}
		}
	}
	return f, nil
}

// scanOutcome turns a scan's result into the exit status, the most urgent first: problems,
// bounds that cut the scan short and failed actions are errors (2); then a live secret left
// active (3); then leaks (1 or --exit-code). A file skipped for its size and a script on a
// host the crawl was not allowed are not errors: they are settings, like binary files,
// counted in the stats and logged.
func scanOutcome(exitCode int, res *scanner.Result, actErr error) error {
	if actErr != nil {
		return failure(actErr)
	}
	if n := len(res.Problems); n > 0 {
		return &statusError{code: exitError, msg: fmt.Sprintf("%s could not be read (see the log above); the rest was scanned", english.Plural(n, "place", ""))}
	}
	var cut []string
	for _, l := range slices.Sorted(maps.Keys(res.Stats.Limits)) {
		if l != scanner.LimitFileSize && l != scanner.LimitHost {
			cut = append(cut, fmt.Sprintf("%s (%d)", l, res.Stats.Limits[l]))
		}
	}
	if len(cut) > 0 {
		return &statusError{code: exitError, msg: "the scan was cut short by its limits: " + strings.Join(cut, ", ") + "; what was read was scanned",
			hints: []string{"see the skipped lines above for which limit to raise"}}
	}
	if n := liveLeft(res.Findings); n > 0 {
		return &leaksFound{count: len(res.Findings), code: exitLive, live: n}
	}
	if len(res.Findings) > 0 {
		return &leaksFound{count: len(res.Findings), code: exitCode}
	}
	return nil
}

// liveLeft counts the findings verified live that were not revoked.
func liveLeft(fs []*scanner.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Verification != nil && f.Verification.Status == outcome.Live &&
			(f.Revocation == nil || f.Revocation.Status != outcome.Revoked) {
			n++
		}
	}
	return n
}
