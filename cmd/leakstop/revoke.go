package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/report"
)

// revokeOptions are the flags and argument of `leakstop revoke`.
type revokeOptions struct {
	app *app
	out outputFlags
	log logFlags
	act actFlags
	// Report is the path of the JSON report to act on.
	Report string
}

// revokeJobs is how many secrets of a report are handled at once (the client also limits
// calls per provider).
const revokeJobs = 8

func (a *app) revokeCommand() *cobra.Command {
	o := &revokeOptions{app: a}
	cmd := &cobra.Command{
		Use:   "revoke REPORT",
		Short: "Verify and revoke the findings of an earlier JSON report (written with --show-secrets)",
		Long: `Verify and revoke the findings of an earlier JSON report: the way to retry revocations
that failed, or to act later on a scan's findings. Providers need the secrets themselves,
so the report must have been written with --format json --show-secrets (keep that file
private). Secrets the audit log says were revoked are not revoked again; a revocation
that failed is tried again.

Exit status: 0 every secret verified live was revoked (or none is live); 2 a revocation
or an issue failed, the audit log could not be written, or the report could not be used;
3 a secret verified live is still active (needs-credential, unsupported, or --verify or
--dry-run).`,
		Example: `  leakstop git --format json --show-secrets -o leaks.json
  leakstop revoke leaks.json --dry-run
  leakstop revoke leaks.json --format json --show-secrets -o leaks.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Report = args[0]
			return runRevoke(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	o.act.bindRevoke(f)
	o.out.bind(f, "the updated report")
	o.log.bind(f)
	return cmd
}

func runRevoke(ctx context.Context, o *revokeOptions, stdout, stderr io.Writer) error {
	for _, v := range []interface{ validate() error }{&o.out, &o.log, &o.act} {
		if err := v.validate(); err != nil {
			return err
		}
	}
	a := o.app
	a.showSecrets = o.out.ShowSecrets
	log := a.logger(&o.log, stderr)
	if err := a.checkAct(&o.act); err != nil {
		return err
	}

	const writeHint = "write the report with: leakstop git --format json --show-secrets -o leaks.json (and keep it private)"
	in, err := os.Open(o.Report)
	if err != nil {
		return failure(fmt.Errorf("reading report: %w", err))
	}
	rep, err := report.Read(in)
	in.Close()
	if err != nil {
		return failure(fmt.Errorf("%s: %w", o.Report, err), writeHint)
	}
	var missing int
	for _, f := range rep.Findings {
		if f.Secret == "" {
			missing++
		}
	}
	if len(rep.Findings) > 0 && missing == len(rep.Findings) {
		return usageError("%s holds no secrets, only redacted ones: providers need the secret itself", o.Report).
			withHint("%s, or scan again with --revoke", writeHint)
	}
	if missing > 0 {
		log.Warn().Int("findings", missing).Msg("the report holds some secrets redacted only; those are skipped")
	}
	// The built-in rules (and the working directory's configuration) give remediations.
	loaded, err := loadRules("")
	if err != nil {
		return err
	}
	actErr := a.act(ctx, &o.act, revokeJobs, loaded.set, rep.Findings, log)
	res := &scanner.Result{Findings: rep.Findings, Stats: rep.Stats}
	if err := a.writeReport(&o.out, res, nil, "", stdout); err != nil {
		return err
	}
	return actOutcome(rep.Findings, actErr)
}
