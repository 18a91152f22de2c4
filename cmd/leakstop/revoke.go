package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/report"
)

// revokeOptions are the flags of `leakstop revoke`.
type revokeOptions struct {
	VerifyOnly  bool
	DryRun      bool
	Issues      string
	Audit       string
	Format      string
	Output      string
	ShowSecrets bool
	LogLevel    string
	LogFormat   string
}

func (a *app) revokeCommand() *cobra.Command {
	o := &revokeOptions{}
	cmd := &cobra.Command{
		Use:   "revoke REPORT",
		Short: "Verify and revoke the findings of an earlier JSON report (written with --show-secrets)",
		Long: `Verify and revoke the findings of an earlier JSON report: the way to retry revocations
that failed, or to act later on a scan's findings. Providers need the secrets themselves,
so the report must have been written with --format json --show-secrets (keep that file
private). Secrets the audit log says were revoked are not revoked again.

Exit status: 0 done, 2 a revocation failed or the report could not be used.`,
		Example: `  leakstop git --format json --show-secrets -o leaks.json
  leakstop revoke leaks.json --dry-run
  leakstop revoke leaks.json --format json --show-secrets -o leaks.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runRevoke(cmd, o, args[0])
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.VerifyOnly, "verify", false, "only verify: ask each provider whether the secret is live, revoke nothing")
	f.BoolVar(&o.DryRun, "dry-run", false, "say what would be revoked, change nothing")
	f.StringVar(&o.Issues, "issues", "", "open or update one GitHub issue per leaked secret in `OWNER/REPO`")
	f.StringVar(&o.Audit, "audit", "", "append every verify and revoke call to `FILE`, as JSON lines (default: in the user's state directory)")
	f.StringVarP(&o.Format, "format", "f", "text", "report format: "+strings.Join(report.Formats(), "|"))
	f.StringVarP(&o.Output, "output", "o", "", "write the updated report to `FILE` (default stdout)")
	f.BoolVar(&o.ShowSecrets, "show-secrets", false, "show secrets in full in the updated report (default: redacted)")
	f.StringVar(&o.LogLevel, "log-level", "info", "log level: debug|info|warn|error")
	f.StringVar(&o.LogFormat, "log-format", "auto", "log format on stderr: auto|console|json")
	return cmd
}

func (a *app) runRevoke(cmd *cobra.Command, o *revokeOptions, path string) error {
	so := &scanOptions{Format: o.Format, MaxFileSize: "1", Jobs: 1, LogLevel: o.LogLevel, LogFormat: o.LogFormat, Issues: o.Issues, ExitCode: exitLeaks}
	if err := so.validate(); err != nil {
		return err
	}
	if o.VerifyOnly && o.DryRun {
		return usageError("--verify and --dry-run do not go together: --verify revokes nothing anyway")
	}
	a.showSecrets = o.ShowSecrets
	log := a.logger(so)

	in, err := os.Open(path)
	if err != nil {
		return usageError("reading report: %v", err)
	}
	rep, err := report.Read(in)
	in.Close()
	if err != nil {
		return usageError("%s: %v", path, err)
	}
	var missing []string
	for _, f := range rep.Findings {
		if f.Secret == "" {
			missing = append(missing, f.Fingerprint)
		}
	}
	if len(rep.Findings) > 0 && len(missing) == len(rep.Findings) {
		return usageError("%s holds no secrets, only redacted ones: providers need the secret itself. Write the report with --format json --show-secrets (and keep it private), or scan again with --revoke", path)
	}
	if len(missing) > 0 {
		log.Warn().Int("findings", len(missing)).Msg("the report holds some secrets redacted only; those are skipped")
	}
	// The built-in rules (and the working directory's configuration) give remediations.
	set, _, err := loadRules("")
	if err != nil {
		return err
	}
	actErr := a.actOn(cmd.Context(), actOptions{
		Verify: true, Revoke: !o.VerifyOnly, DryRun: o.DryRun, Issues: o.Issues, Audit: o.Audit, Jobs: 8, Rules: set,
	}, rep.Findings, log)

	out := a.stdout
	var file *os.File
	if o.Output != "" {
		if file, err = os.Create(o.Output); err != nil {
			return fmt.Errorf("writing report: %w (check that the folder of --output exists)", err)
		}
		defer file.Close()
		out = file
	}
	res := &scanner.Result{Findings: rep.Findings, Stats: rep.Stats}
	color := o.Output == "" && isTerminal(a.stdout) && a.getenv("NO_COLOR") == ""
	if err := report.Write(out, o.Format, res, report.Options{ShowSecrets: o.ShowSecrets, Color: color, ToolVersion: version}); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	}
	if actErr != nil {
		return &statusError{code: exitError, msg: actErr.Error()}
	}
	return nil
}
