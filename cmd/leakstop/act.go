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

// secretCalls is how many provider calls' worth of time one secret may take in all: its
// verification, the lookups and the revocation, the verification after, and the waits
// between retries, together bounded by secretCalls × --provider-timeout.
const secretCalls = 4

// actPlan is what verify, revoke and issues need that can be checked before a scan starts.
type actPlan struct {
	// audit is the audit log's path; empty when nothing is done with the findings.
	audit string
	// timeout bounds each provider call; backoff and maxWait tune the retries.
	timeout, backoff, maxWait time.Duration
}

// checkAct checks, before any scanning, what acting on the findings needs: that GITHUB_TOKEN
// is there for --issues, that the audit log can be opened, that the settings read. A scan
// that would end in such an error costs nothing this way.
func (a *app) checkAct(o *actFlags) error {
	p, err := a.planAct(o)
	if err != nil || p.audit == "" {
		return err
	}
	audit, err := revoke.OpenAudit(p.audit)
	if err != nil {
		return failure(err, "or choose another audit log with --audit FILE")
	}
	return audit.Close()
}

// planAct reads the settings of verify, revoke and issues and checks the credentials they
// need: the environment (LEAKSTOP_TIMEOUT, LEAKSTOP_BACKOFF, LEAKSTOP_MAX_WAIT,
// GITHUB_TOKEN, GITHUB_API_URL) and the flags.
func (a *app) planAct(o *actFlags) (*actPlan, error) {
	p := &actPlan{timeout: o.ProviderTimeout}
	for _, s := range []struct {
		env string
		dst *time.Duration
	}{{"LEAKSTOP_BACKOFF", &p.backoff}, {"LEAKSTOP_MAX_WAIT", &p.maxWait}, {"LEAKSTOP_TIMEOUT", &p.timeout}} {
		if v := a.getenv(s.env); v != "" && *s.dst == 0 {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return nil, usageError("%s=%q is not a duration such as 500ms or 2m", s.env, v)
			}
			*s.dst = d
		}
	}
	if p.timeout == 0 {
		p.timeout = revoke.DefaultTimeout
	}
	if o.Issues != "" {
		if strings.TrimSpace(a.getenv("GITHUB_TOKEN")) == "" {
			return nil, usageError("--issues %s needs GITHUB_TOKEN, and it is not set", o.Issues).
				withHint("set GITHUB_TOKEN to a token that may write the issues of %s (a fine-grained token with issues: write, or the workflow's token with permissions: issues: write)", o.Issues)
		}
		if _, err := issues.New(issues.Options{Owner: o.owner, Repo: o.repo, Token: a.getenv("GITHUB_TOKEN"), APIURL: a.getenv("GITHUB_API_URL")}); err != nil {
			return nil, failure(err, "check GITHUB_API_URL")
		}
	}
	if !o.Verify && o.Issues == "" {
		return p, nil
	}
	p.audit = o.Audit
	if p.audit == "" {
		path, err := revoke.DefaultAuditPath(a.getenv)
		if err != nil {
			return nil, failure(err, "choose where to write the audit log with --audit FILE")
		}
		p.audit = path
	}
	return p, nil
}

// act runs verify, revoke and issues on findings, as the flags ask, and sets their
// Verification, Revocation and Issue, so the report shows every outcome. Secrets reach the
// providers only; every line written is redacted. Every call is in the audit log, and no
// revocation or issue is sent that it cannot record. It returns an error when an action
// failed (exit status 2). set gives each finding its rule's remediation, for providers
// leakstop has no client for.
func (a *app) act(ctx context.Context, o *actFlags, jobs int, set *rules.Set, findings []*scanner.Finding, log zerolog.Logger) error {
	for _, f := range findings {
		if f.Secret != "" {
			a.redactor.Add(f.Secret, f.Shown(false))
		}
		if f.Companion != "" {
			a.redactor.Add(f.Companion, rules.Redact(f.Companion, ""))
		}
	}
	p, err := a.planAct(o)
	if err != nil {
		return err
	}
	client := &revoke.Client{Redactor: &a.redactor, Log: log, Timeout: p.timeout, Backoff: p.backoff, MaxWait: p.maxWait}
	audit, err := revoke.OpenAudit(p.audit)
	if err != nil {
		return failure(err, "or choose another audit log with --audit FILE")
	}
	client.Audit = audit
	var failures, hints []string
	fail := func(msg string, err error, hint ...string) {
		failures = append(failures, msg)
		hints = append(hints, hintsOf(err)...)
		hints = append(hints, hint...)
	}
	if o.Verify {
		reg, err := revoke.Builtin(revoke.Config{Client: client, Env: a.getenv})
		if err != nil {
			audit.Close()
			return err
		}
		r := &revoke.Runner{Registry: reg, Client: client, Revoke: o.Revoke, DryRun: o.DryRun, Jobs: jobs, Log: log, Timeout: secretCalls * p.timeout}
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
			fail(fmt.Sprintf("%s failed (see the report and the audit log %s)", english.Plural(n, "revocation", ""), p.audit), nil,
				"fix the cause, then retry with: leakstop revoke REPORT.json (a JSON report written with --show-secrets)")
		}
		if ctx.Err() != nil {
			audit.Close()
			return ctx.Err()
		}
	}
	if o.Issues != "" {
		filer, err := issues.New(issues.Options{
			Owner: o.owner, Repo: o.repo, Token: a.getenv("GITHUB_TOKEN"), APIURL: a.getenv("GITHUB_API_URL"),
			Client: client, Log: log, DisplayName: revoke.DisplayName, Notes: revoke.Notes,
		})
		if err != nil {
			audit.Close()
			return err
		}
		if err := filer.File(ctx, findings); err != nil {
			fail(err.Error(), err)
		}
	}
	// Issue calls are audited too, so the log closes last; a log that could not be written
	// is an error of its own, with what to do.
	if err := audit.Close(); err != nil {
		fail(err.Error(), err)
	}
	if len(failures) > 0 {
		return &statusError{code: exitError, msg: strings.Join(failures, "; "), hints: dedupe(hints)}
	}
	return nil
}

// dedupe returns lines without repeats, in order.
func dedupe(lines []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lines {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// actOutcome is the exit status of `leakstop revoke`, by the rule of the scans: a failed
// action is an error (2); a secret verified live and left active is exit status 3; else 0,
// as the findings were known already.
func actOutcome(findings []*scanner.Finding, actErr error) error {
	if actErr != nil {
		return failure(actErr)
	}
	if n := liveLeft(findings); n > 0 {
		return &leaksFound{count: len(findings), code: exitLive, live: n}
	}
	return nil
}
