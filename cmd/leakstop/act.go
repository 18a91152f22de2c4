package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dustin/go-humanize/english"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/issues"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
)

// act runs verify, revoke and issues on findings, as the flags ask, and sets their
// Verification, Revocation and Issue, so the report shows every outcome. Secrets reach the
// providers only; every line written is redacted. It returns an error when an action failed
// (exit status 2). set gives each finding its rule's remediation, for providers leakstop
// has no client for.
func (a *app) act(ctx context.Context, o *actFlags, jobs int, set *rules.Set, findings []*scanner.Finding, log zerolog.Logger) (retErr error) {
	for _, f := range findings {
		if f.Secret != "" {
			a.redactor.Add(f.Secret, f.Shown(false))
		}
		if f.Companion != "" {
			a.redactor.Add(f.Companion, rules.Redact(f.Companion, ""))
		}
	}
	client := &revoke.Client{Redactor: &a.redactor, Log: log}
	if err := a.tuneClient(client); err != nil {
		return err
	}
	var failures, hints []string
	if o.Verify {
		path := o.Audit
		if path == "" {
			p, err := revoke.DefaultAuditPath(a.getenv)
			if err != nil {
				return failure(err, "choose where to write the audit log with --audit FILE")
			}
			path = p
		}
		audit, err := revoke.OpenAudit(path)
		if err != nil {
			return failure(err, "choose another audit log with --audit FILE")
		}
		client.Audit = audit
		defer func() {
			// Issue calls are audited too, so the log closes last.
			if err := audit.Close(); err != nil && retErr == nil {
				retErr = err
			}
		}()
		reg, err := revoke.Builtin(revoke.Config{Client: client, Env: a.getenv})
		if err != nil {
			return err
		}
		r := &revoke.Runner{Registry: reg, Client: client, Revoke: o.Revoke, DryRun: o.DryRun, Jobs: jobs, Log: log}
		ss := make([]revoke.Secret, len(findings))
		for i, f := range findings {
			ss[i] = revoke.Secret{
				Provider: f.Provider, Rule: f.Rule, Value: f.Secret, Companion: f.Companion,
				Redacted: f.Shown(false), Fingerprint: f.Fingerprint,
			}
			if r := set.Rule(f.Rule); r != nil {
				ss[i].Remediation = r.Remediation
			}
		}
		results := r.Run(ctx, ss)
		for i, x := range results {
			findings[i].Verification = x.Verification
			findings[i].Revocation = x.Revocation
		}
		if n := revoke.Failed(results); n > 0 {
			failures = append(failures, fmt.Sprintf("%s failed (see the report and the audit log %s)", english.Plural(n, "revocation", ""), path))
			hints = append(hints, "fix the cause, then retry with: leakstop revoke REPORT.json (a JSON report written with --show-secrets)")
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if o.Issues != "" {
		filer, err := issues.New(issues.Options{
			Owner: o.owner, Repo: o.repo, Token: a.getenv("GITHUB_TOKEN"), APIURL: a.getenv("GITHUB_API_URL"),
			Client: client, Log: log, DisplayName: revoke.DisplayName, Notes: revoke.Notes,
		})
		if err != nil {
			return err
		}
		if err := filer.File(ctx, findings); err != nil {
			failures = append(failures, err.Error())
			hints = append(hints, hintsOf(err)...)
		}
	}
	if len(failures) > 0 {
		return &statusError{code: exitError, msg: strings.Join(failures, "; "), hints: hints}
	}
	return nil
}

// tuneClient reads the retry settings: LEAKSTOP_BACKOFF (the first wait between attempts,
// default 500ms) and LEAKSTOP_MAX_WAIT (the longest wait a provider may ask for, default 2m).
func (a *app) tuneClient(c *revoke.Client) error {
	for _, s := range []struct {
		env string
		dst *time.Duration
	}{{"LEAKSTOP_BACKOFF", &c.Backoff}, {"LEAKSTOP_MAX_WAIT", &c.MaxWait}} {
		if v := a.getenv(s.env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return usageError("%s=%q is not a duration such as 500ms or 2m", s.env, v)
			}
			*s.dst = d
		}
	}
	return nil
}
