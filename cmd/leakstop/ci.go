package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/ci"
	gitsrc "github.com/leakstop/leakstop/scanner/git"
	"github.com/leakstop/leakstop/scanner/report/actions"
)

// ciFlags say what a CI run scans instead of its event's range, which files it writes on
// every run, and when it fails.
type ciFlags struct {
	Base   string
	Head   string
	SARIF  string
	Report string
	FailOn string
}

// Values of --fail-on.
const (
	failOnAny   = "any"
	failOnLive  = "live"
	failOnNever = "never"
)

func (c *ciFlags) bind(f *pflag.FlagSet) {
	f.StringVar(&c.Base, "base", "", "scan only what is not reachable from `REV`, instead of the event's range")
	f.StringVar(&c.Head, "head", "", "scan up to `REV` (with --base; default HEAD)")
	f.StringVar(&c.SARIF, "sarif", "", "also write SARIF to `FILE`, on every run (for github/codeql-action/upload-sarif)")
	f.StringVar(&c.Report, "report", "", "also write the JSON report to `FILE`, on every run (default in GitHub Actions: $RUNNER_TEMP/leakstop-report.json)")
	f.StringVar(&c.FailOn, "fail-on", failOnAny, "`WHEN` leaks end with their exit status: any (a leak), live (a live secret; implies --verify) or never")
}

func (c *ciFlags) validate() error {
	switch c.FailOn {
	case failOnAny, failOnLive, failOnNever:
	default:
		return usageError("--fail-on %q is not any, live or never", c.FailOn)
	}
	if c.Head != "" && c.Base == "" {
		return usageError("--head goes with --base").withHint("give --base REV too, or --base 0000000000000000000000000000000000000000 for all of --head's history")
	}
	// The files written on every run are checked before the scan, as --output is.
	for _, f := range []struct{ flag, path string }{{"--sarif", c.SARIF}, {"--report", c.Report}} {
		if f.path != "" {
			if err := checkOutput(f.flag, f.path); err != nil {
				return err
			}
		}
	}
	return nil
}

// ciOptions are the flags and argument of `leakstop ci`.
type ciOptions struct {
	app *app
	scanOptions
	ci ciFlags
	// Repo is the checkout.
	Repo string
}

func (a *app) ciCommand() *cobra.Command {
	o := &ciOptions{app: a}
	cmd := &cobra.Command{
		Use:   "ci [REPO]",
		Short: "Scan what the current CI event adds (GitHub Actions, GitLab CI; --base/--head elsewhere), with the CI's own outputs",
		Long: `Scan what the current CI event adds to the repository checked out in REPO (default .):
a pull or merge request's commits, what a push adds (a new branch: what the default branch
does not hold; a force push whose old commit is gone: the same), a merge queue's commits;
nothing for a tag push; the whole history for a scheduled or manual run. The event is read
from GitHub Actions (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH) or GitLab CI (CI_PIPELINE_SOURCE
and the commit variables); elsewhere, or to override, give --base and --head.

A shallow checkout is fine: what the range needs is fetched from origin, deepening until the
merge base is there, with the credentials the checkout already has.

In GitHub Actions every secret is masked in the job's log first, findings are annotated on
their files (live secrets first, ten at most), a table goes to the job summary, and the step
outputs findings, live, revoked, report, sarif and range are set. For a fork's pull request,
which runs without the repository's secrets, --verify, --revoke and --issues are skipped.

Exit status: 0 clean (or --fail-on never), 1 (or --exit-code) leaks found as --fail-on says,
3 a secret verified live is still active, 2 error.`,
		Example: `  leakstop ci --sarif leakstop.sarif                   # in a GitHub Actions step
  leakstop ci --verify --fail-on live
  leakstop ci --format gitlab -o gl-secret-detection-report.json   # in a GitLab CI job
  leakstop ci --base origin/main --head HEAD            # anywhere else`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Repo = "."
			if len(args) == 1 {
				o.Repo = args[0]
			}
			return runCI(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	o.bind(f)
	o.ci.bind(f)
	return cmd
}

func (o *ciOptions) validate() error {
	if err := o.ci.validate(); err != nil {
		return err
	}
	if o.ci.FailOn == failOnLive {
		o.act.Verify = true
	}
	return o.scanOptions.validate()
}

// inActions reports whether leakstop runs in a GitHub Actions step.
func (a *app) inActions() bool { return a.getenv("GITHUB_ACTIONS") == "true" }

func runCI(ctx context.Context, o *ciOptions, stdout, stderr io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	a := o.app
	a.showSecrets = o.out.ShowSecrets
	if o.log.Format == "auto" && (a.inActions() || a.getenv("GITLAB_CI") == "true") {
		// A CI log is read as text in a web page: lines for people, not JSON.
		o.log.Format = "console"
	}
	log := a.logger(&o.log, stderr)
	loaded, err := loadRules(o.scan.Config, gitRoot(o.Repo))
	if err != nil {
		return err
	}
	ev, err := ci.Detect(a.getenv, o.ci.Base, o.ci.Head)
	if errors.Is(err, ci.ErrNoCI) {
		return usageError("%v", err).withHint("elsewhere, give the commits to scan: leakstop ci --base REV --head REV")
	}
	if err != nil {
		return failure(err)
	}
	skipped := o.skipActions(ev, log)

	checkout := &ci.Checkout{Dir: o.Repo, Logger: log}
	plan, err := checkout.Prepare(ctx, ev)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return failure(err)
	}
	run := &ciRun{a: a, o: o, ev: ev, plan: plan, log: log, skipped: skipped}
	res := &scanner.Result{}
	var actErr error
	if plan.Want == ci.WantNothing {
		log.Info().Str("event", ev.Describe()).Msg("nothing new to scan: " + plan.Note)
	} else {
		log.Info().Str("event", ev.Describe()).Str("range", run.rangeText()).Msg("scanning " + planWords(plan))
		reader, err := gitsrc.ParseReader(a.getenv(gitsrc.ReaderEnv))
		if err != nil {
			return usageError("%v", err)
		}
		src := &gitsrc.Source{
			Dir: o.Repo, Range: plan.Range(), MaxFileSize: o.scan.maxFileSize,
			Reader: reader, Readers: o.scan.Jobs, Logger: log, Lines: loaded.set.LineFilter(),
		}
		sr := scanRun{opts: &o.scanOptions, rules: loaded, source: src, log: log, root: repoRoot(o.Repo), found: func(res *scanner.Result) error {
			return run.mask(res, stdout)
		}}
		if res, actErr, err = a.scanAndAct(ctx, sr); err != nil {
			return err
		}
	}
	if err := run.write(res, loaded, stdout); err != nil {
		return err
	}
	return run.outcome(res, actErr)
}

// skipActions turns off verify, revoke and issues where they must not run, and says so in
// one line: a fork's pull request runs without the repository's secrets and with a read-only
// token, and what it adds is not the repository's to act on; issues want a token.
func (o *ciOptions) skipActions(ev *ci.Event, log zerolog.Logger) string {
	a := &o.act
	if ev.Fork && a.acts() {
		a.Verify, a.Revoke, a.DryRun, a.Issues = false, false, false, ""
		msg := "a fork's pull request: --verify, --revoke and --issues are skipped (it runs without the repository's secrets and with a read-only token); the scan still runs"
		log.Warn().Msg(msg)
		return msg
	}
	if a.Issues != "" && o.app.getenv("GITHUB_TOKEN") == "" {
		a.Issues = ""
		msg := "no GITHUB_TOKEN: --issues is skipped; the scan still runs"
		log.Warn().Msg(msg)
		return msg
	}
	return ""
}

// ciRun is one run of `leakstop ci` once its plan is made.
type ciRun struct {
	a       *app
	o       *ciOptions
	ev      *ci.Event
	plan    *ci.Plan
	log     zerolog.Logger
	skipped string
}

// planWords says what a plan scans, for the log.
func planWords(p *ci.Plan) string {
	what := "the whole history (every branch and tag)"
	if p.Want == ci.WantRange {
		what = scanner.ShortSHA(p.Head) + " and all of its history"
		if p.Base != "" {
			what = "what " + scanner.ShortSHA(p.Head) + " adds to " + scanner.ShortSHA(p.Base)
		}
	}
	if p.Note != "" {
		what += " (" + p.Note + ")"
	}
	return what
}

// rangeText is the plan's range with short ids, for people.
func (r *ciRun) rangeText() string {
	switch {
	case r.plan.Want != ci.WantRange:
		return ""
	case r.plan.Base == "":
		return scanner.ShortSHA(r.plan.Head)
	}
	return scanner.ShortSHA(r.plan.Base) + ".." + scanner.ShortSHA(r.plan.Head)
}

// rangeOutput is the range step output: git's words for what was scanned.
func (r *ciRun) rangeOutput() string {
	switch r.plan.Want {
	case ci.WantHistory:
		return "--all"
	case ci.WantRange:
		return r.plan.Range()
	}
	return ""
}

// mask has the runner hide every secret found before anything else is printed about it.
func (r *ciRun) mask(res *scanner.Result, stdout io.Writer) error {
	if !r.a.inActions() {
		return nil
	}
	return actions.WriteMasks(stdout, res.Findings)
}

// write writes every output of the run: annotations, the report as the flags ask, the JSON
// report and SARIF files, the job summary and the step outputs.
func (r *ciRun) write(res *scanner.Result, loaded *loadedRules, stdout io.Writer) error {
	a, o := r.a, r.o
	opts := actions.Options{ServerURL: r.ev.ServerURL, Repository: r.ev.Repository, Root: o.Repo}
	left := 0
	if a.inActions() {
		var err error
		if left, err = actions.WriteAnnotations(stdout, res.Findings, opts); err != nil {
			return fmt.Errorf("writing annotations: %w", err)
		}
	}
	root := repoRoot(o.Repo)
	if err := a.writeReport(&o.out, res, loaded.set, root, stdout); err != nil {
		return err
	}
	reportPath := o.ci.Report
	if reportPath == "" && a.inActions() && a.getenv("RUNNER_TEMP") != "" {
		reportPath = a.getenv("RUNNER_TEMP") + string(os.PathSeparator) + "leakstop-report.json"
	}
	for _, f := range []struct{ format, path string }{{"json", reportPath}, {"sarif", o.ci.SARIF}} {
		if f.path == "" || (f.path == o.out.Output && f.format == o.out.Format) {
			continue
		}
		out := &outputFlags{Format: f.format, Output: f.path, ShowSecrets: o.out.ShowSecrets}
		if err := a.writeReport(out, res, loaded.set, root, stdout); err != nil {
			return err
		}
	}
	if !a.inActions() {
		return nil
	}
	if path := a.getenv("GITHUB_STEP_SUMMARY"); path != "" {
		scan := actions.Scan{
			Event: r.ev.Describe(), Range: r.rangeText(), Note: r.plan.Note, Fetched: r.plan.Fetched,
			Nothing: r.plan.Want == ci.WantNothing, AnnotationsLeft: left, Skipped: r.skipped,
		}
		if err := appendFile(path, func(w io.Writer) error { return actions.WriteSummary(w, res, scan, opts, 0) }); err != nil {
			return fmt.Errorf("writing the job summary: %w", err)
		}
	}
	if path := a.getenv("GITHUB_OUTPUT"); path != "" {
		t := actions.Count(res.Findings)
		outs := []actions.Output{
			{Name: "findings", Value: strconv.Itoa(t.Secrets)}, {Name: "live", Value: strconv.Itoa(t.Live)},
			{Name: "revoked", Value: strconv.Itoa(t.Revoked)}, {Name: "report", Value: reportPath},
			{Name: "sarif", Value: o.ci.SARIF}, {Name: "range", Value: r.rangeOutput()},
		}
		if err := appendFile(path, func(w io.Writer) error { return actions.WriteOutputs(w, outs, actions.NewDelimiter()) }); err != nil {
			return fmt.Errorf("writing the step outputs: %w", err)
		}
	}
	return nil
}

// appendFile appends what write writes to the file at path, as the runner's files want.
func appendFile(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// outcome is the exit status as --fail-on says: any leak, live secrets only (every leak
// when liveness could not be asked, as in a fork's pull request), or never. Errors and
// failed actions are exit status 2 whatever --fail-on says.
func (r *ciRun) outcome(res *scanner.Result, actErr error) error {
	err := scanOutcome(r.o.scan.ExitCode, res, actErr)
	var leaks *leaksFound
	if !errors.As(err, &leaks) {
		return err
	}
	switch r.o.ci.FailOn {
	case failOnNever:
		r.log.Info().Int("findings", leaks.count).Msg("leaks found; --fail-on never: the step passes")
		return nil
	case failOnLive:
		if !r.o.act.Verify {
			r.log.Warn().Msg("--fail-on live: liveness could not be asked here (" + strings.TrimSuffix(r.skipped, "; the scan still runs") + "), so every leak fails the step")
			return err
		}
		live := actions.Count(res.Findings).Live
		if live == 0 {
			r.log.Info().Int("findings", leaks.count).Msg("no live secret among the leaks found; --fail-on live: the step passes")
			return nil
		}
		leaks.count = live
	}
	return err
}
