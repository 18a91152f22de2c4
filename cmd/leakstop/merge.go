package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize/english"
	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/org"
	"github.com/leakstop/leakstop/scanner/outcome"
	"github.com/leakstop/leakstop/scanner/report"
)

// mergeOptions are the flags and arguments of `leakstop merge`.
type mergeOptions struct {
	app *app
	out outputFlags
	log logFlags
	act actFlags
	// IssuesPerRepo opens each issue in the repository that leaked the secret.
	IssuesPerRepo bool
	ExitCode      int
	// Reports are the JSON reports to merge.
	Reports []string
}

func (a *app) mergeCommand() *cobra.Command {
	o := &mergeOptions{app: a}
	cmd := &cobra.Command{
		Use:   "merge REPORT...",
		Short: "Merge JSON reports (the shards of an org scan) into one, deduped by secret, then verify, revoke and open issues once",
		Long: `Merge JSON reports into one: the reports of the shards of an org scan (leakstop org
--shard K/N), or of any scans. A secret in several reports is one finding with every
place it was seen; the stats are summed (the duration is the longest report's: shards run
side by side) and the repositories of every report listed. Reports of shards must cover
every shard once: a missing or repeated shard is an error (exit status 2), after the merged
report is written.

Then --verify, --revoke and --issues (or --issues-per-repo) act once on the merged
findings, as the scans do. Providers need the secrets themselves: merge reports written
with --format json --show-secrets to verify or revoke.`,
		Example: `  leakstop merge shard-*.json --format json --show-secrets -o org.json
  leakstop merge shard-*.json --revoke --issues-per-repo --format sarif -o org.sarif`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Reports = args
			return runMerge(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	o.out.bind(f, "the merged report")
	o.act.bind(f)
	f.BoolVar(&o.IssuesPerRepo, "issues-per-repo", false, "open or update each leak's issue in the repository that leaked it")
	f.IntVar(&o.ExitCode, "exit-code", exitLeaks, "exit status when leaks are found")
	o.log.bind(f)
	return cmd
}

func runMerge(ctx context.Context, o *mergeOptions, stdout, stderr io.Writer) error {
	for _, v := range []interface{ validate() error }{&o.out, &o.log, &o.act} {
		if err := v.validate(); err != nil {
			return err
		}
	}
	if o.IssuesPerRepo && o.act.Issues != "" {
		return usageError("--issues and --issues-per-repo do not go together: one puts every issue in one repository, the other each in its own")
	}
	if o.ExitCode < 0 || o.ExitCode > 125 {
		return usageError("--exit-code must be between 0 and 125")
	}
	a := o.app
	a.showSecrets = o.out.ShowSecrets
	log := a.logger(&o.log, stderr)
	acts := o.act.acts() || o.IssuesPerRepo
	if o.act.acts() {
		if err := a.checkAct(verifyOnly(&o.act)); err != nil {
			return err
		}
	}
	var reps []*report.Report
	for _, path := range o.Reports {
		rep, err := readReport(path)
		if err != nil {
			return err
		}
		reps = append(reps, rep)
	}
	res := mergeReports(reps)
	shardErr := checkShards(o.Reports, reps)

	var actErr error
	if acts {
		missing := 0
		for _, f := range res.Findings {
			if f.Secret == "" {
				missing++
			}
		}
		if o.act.Verify && len(res.Findings) > 0 && missing == len(res.Findings) {
			return usageError("the reports hold no secrets, only redacted ones: providers need the secret itself").
				withHint("write the reports with --format json --show-secrets (and keep them private)")
		}
		if o.act.Verify && missing > 0 {
			log.Warn().Int("findings", missing).Msg("the reports hold some secrets redacted only; those are not verified")
		}
		gh, err := a.readGitHubAuth(a.githubClient(log).HTTPClient("github", "lookup", nil, true))
		if err != nil {
			return err
		}
		if o.IssuesPerRepo || o.act.Issues != "" {
			if err := gh.needIssueAuth(); err != nil {
				return err
			}
		}
		// The built-in rules (and the working directory's configuration) give remediations.
		loaded, err := loadRules("", workRoot())
		if err != nil {
			return err
		}
		actErr = a.actOrg(ctx, &o.act, o.IssuesPerRepo, revokeJobs, loaded.set, res.Findings, log, gh)
	}
	if err := a.writeReport(&o.out, res, nil, "", stdout); err != nil {
		return err
	}
	if shardErr != nil {
		return shardErr
	}
	return orgOutcome(o.ExitCode, res, actErr)
}

// readReport reads one JSON report, saying which file an error is about.
func readReport(path string) (*report.Report, error) {
	in, err := os.Open(path)
	if err != nil {
		return nil, failure(fmt.Errorf("reading report: %w", err))
	}
	defer in.Close()
	rep, err := report.Read(in)
	if err != nil {
		return nil, failure(fmt.Errorf("%s: %w", path, err), "give JSON reports that leakstop wrote (--format json)")
	}
	return rep, nil
}

// mergeReports joins reports into one result: a finding per fingerprint with the places of
// every report (duplicates dropped, earliest first), the outcome most recently known of its
// verification and revocation, its issue; the stats summed, the duration the longest, the
// repositories of every report; a problem per repository that a shard could not read.
func mergeReports(reps []*report.Report) *scanner.Result {
	byFP := map[string]*scanner.Finding{}
	var order []*scanner.Finding
	var st scanner.Stats
	for _, rep := range reps {
		org.AddStats(&st, rep.Stats)
		st.DurationMS = max(st.DurationMS, rep.Stats.DurationMS)
		st.Repositories = append(st.Repositories, rep.Stats.Repositories...)
		st.History = st.History || rep.Stats.Commits > 0 || len(rep.Stats.Repositories) > 0
		for _, f := range rep.Findings {
			g, ok := byFP[f.Fingerprint]
			if !ok {
				byFP[f.Fingerprint] = f
				order = append(order, f)
				continue
			}
			g.Locations = append(g.Locations, f.Locations...)
			if g.Secret == "" && f.Secret != "" {
				g.Secret, g.Companion = f.Secret, f.Companion
			}
			if g.Redacted == "" {
				g.Redacted = f.Redacted
			}
			if g.Provider == "" {
				g.Provider = f.Provider
			}
			g.Verification = later(g.Verification, f.Verification)
			g.Revocation = later(g.Revocation, f.Revocation)
			if g.Issue == "" {
				g.Issue = f.Issue
			}
		}
	}
	for _, f := range order {
		f.SortLocations()
	}
	scanner.SortFindings(order)
	slices.SortStableFunc(st.Repositories, func(a, b scanner.RepositoryStats) int {
		return strings.Compare(strings.ToLower(a.Repository), strings.ToLower(b.Repository))
	})
	var problems []scanner.Problem
	for _, r := range st.Repositories {
		if r.Scan == scanner.ScanFailed {
			problems = append(problems, scanner.Problem{Where: r.Repository, Err: errors.New(r.Error)})
		}
	}
	return &scanner.Result{Findings: order, Stats: st, Problems: problems}
}

// later is the outcome known last of two.
func later(a, b *outcome.Step) *outcome.Step {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case b.At.After(a.At):
		return b
	}
	return a
}

// checkShards checks that reports of shards cover every shard of their count once.
func checkShards(paths []string, reps []*report.Report) error {
	n := 0
	seen := map[int][]string{}
	for i, rep := range reps {
		if rep.Stats.Shard == "" {
			continue
		}
		s, err := org.ParseShard(rep.Stats.Shard)
		if err != nil {
			return &statusError{code: exitError, msg: fmt.Sprintf("%s: %v", paths[i], err)}
		}
		if n != 0 && s.N != n {
			return &statusError{code: exitError, msg: fmt.Sprintf("%s is shard %s, but another report is of %d shards", paths[i], rep.Stats.Shard, n)}
		}
		n = s.N
		seen[s.K] = append(seen[s.K], paths[i])
	}
	if n == 0 {
		return nil
	}
	var missing, twice []string
	for k := range n {
		switch len(seen[k]) {
		case 0:
			missing = append(missing, strconv.Itoa(k))
		case 1:
		default:
			twice = append(twice, fmt.Sprintf("%d (%s)", k, strings.Join(seen[k], ", ")))
		}
	}
	var msgs []string
	if len(missing) > 0 {
		msgs = append(msgs, fmt.Sprintf("no report of %s %s of %d", english.PluralWord(len(missing), "shard", ""), strings.Join(missing, ", "), n))
	}
	if len(twice) > 0 {
		msgs = append(msgs, "more than one report of shard "+strings.Join(twice, "; "))
	}
	if len(msgs) == 0 {
		return nil
	}
	return &statusError{code: exitError, msg: strings.Join(msgs, "; ") + ": the merged report holds the others",
		hints: []string{"check the shard jobs that did not finish; their repositories are scanned by the next run"}}
}
