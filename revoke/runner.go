package revoke

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/leakstop/leakstop/scanner/outcome"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"
)

// Result is what the Runner did with one secret. Revocation is nil when no revocation was
// asked for.
type Result struct {
	Verification *outcome.Step
	Revocation   *outcome.Step
}

// Runner verifies secrets and, when asked, revokes the live ones. Per run it verifies each
// distinct secret once, hands batch providers all their secrets in one call, never revokes
// a secret the audit log says was revoked, and verifies again after every revocation.
type Runner struct {
	Registry *Registry
	Client   *Client
	// Revoke turns on revocation of live secrets; DryRun plans it without changing calls.
	Revoke, DryRun bool
	// Jobs is how many secrets are handled at once (the client also limits per provider).
	Jobs int
	Log  zerolog.Logger
}

// Run handles ss and returns one result per secret, in order.
func (r *Runner) Run(ctx context.Context, ss []Secret) []Result {
	res := make([]Result, len(ss))
	r.verifyAll(ctx, ss, res, false)
	if r.Revoke {
		r.revokeAll(ctx, ss, res)
	}
	return res
}

// Failed counts the results whose revocation failed: a run with any must end with exit
// status 2.
func Failed(res []Result) int {
	n := 0
	for _, x := range res {
		if x.Revocation != nil && x.Revocation.Status == outcome.Failed {
			n++
		}
	}
	return n
}

func (r *Runner) jobs() int {
	if r.Jobs > 0 {
		return r.Jobs
	}
	return 8
}

// verifyAll verifies each distinct secret of ss (those with idx, when set) once and
// copies the outcome to every result that holds it.
func (r *Runner) verifyAll(ctx context.Context, ss []Secret, res []Result, again bool) {
	groups := map[string][]int{}
	var order []string
	for i, s := range ss {
		k := s.Provider + "\x00" + s.Value + "\x00" + s.Companion
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	var mu sync.Mutex
	g := new(errgroup.Group)
	g.SetLimit(r.jobs())
	for _, k := range order {
		idx := groups[k]
		g.Go(func() error {
			st := r.verify(ctx, ss[idx[0]], again)
			mu.Lock()
			defer mu.Unlock()
			for _, i := range idx {
				c := st
				res[i].Verification = &c
			}
			return nil
		})
	}
	_ = g.Wait()
}

func (r *Runner) verify(ctx context.Context, s Secret, again bool) outcome.Step {
	action := "verify"
	if again {
		action = "verify-after-revoke"
	}
	v, ok := r.Registry.lookup(s.Provider)
	var out Outcome
	switch {
	case s.Provider == "":
		out = Outcome{Status: outcome.Skipped, Detail: "generic rule: no provider to ask"}
	case !ok:
		out = Outcome{Status: outcome.Skipped, Detail: fmt.Sprintf("leakstop cannot verify %s secrets yet", s.Provider)}
	case s.Value == "":
		out = Outcome{Status: outcome.Skipped, Detail: "the secret itself is not known (the report holds it redacted)"}
	default:
		o, err := v.Verify(ctx, s)
		if err != nil {
			o = Outcome{Status: outcome.Unknown, Detail: errText(err)}
		}
		out = o
	}
	out.Detail = r.redact(out.Detail)
	st := outcome.Step{Status: out.Status, Detail: out.Detail, At: now()}
	r.Client.Audit.record(entry{
		Event: "verify", Action: action, Provider: s.Provider, Rule: s.Rule, Fingerprint: s.Fingerprint,
		Secret: s.Redacted, Outcome: st.Status, Detail: st.Detail,
	})
	r.Log.Info().Str("provider", s.Provider).Str("secret", s.Redacted).Str("status", string(st.Status)).Str("detail", st.Detail).Msg(action)
	return st
}

func (r *Runner) redact(s string) string {
	if r.Client == nil {
		return s
	}
	return r.Client.redact(s)
}

func errText(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time: " + err.Error()
	}
	return err.Error()
}

// revokeAll decides for every verified secret and revokes the live ones.
func (r *Runner) revokeAll(ctx context.Context, ss []Secret, res []Result) {
	type job struct {
		i int
		s Secret
	}
	batches := map[string][]job{}
	var singles []job
	done := map[string]int{} // secret → index of the result already decided, within this run
	for i, s := range ss {
		k := s.Provider + "\x00" + s.Value
		if j, ok := done[k]; ok && s.Value != "" {
			res[i].Revocation = res[j].Revocation // filled in below, shared
			continue
		}
		done[k] = i
		st := r.decide(s, res[i].Verification)
		res[i].Revocation = st
		if st.Status != "" {
			continue
		}
		v, _ := r.Registry.lookup(s.Provider)
		if _, ok := v.(BatchRevoker); ok {
			batches[s.Provider] = append(batches[s.Provider], job{i, s})
		} else {
			singles = append(singles, job{i, s})
		}
	}
	var mu sync.Mutex
	finish := func(j job, out Outcome, err error) {
		st := r.finish(ctx, j.s, out, err, &res[j.i])
		mu.Lock()
		*res[j.i].Revocation = st
		mu.Unlock()
	}
	g := new(errgroup.Group)
	g.SetLimit(r.jobs())
	for name, js := range batches {
		v, _ := r.Registry.lookup(name)
		br := v.(BatchRevoker)
		g.Go(func() error {
			secrets := make([]Secret, len(js))
			for k, j := range js {
				secrets[k] = j.s
			}
			outs := br.RevokeBatch(ctx, secrets, r.DryRun)
			for k, j := range js {
				out := Outcome{Status: outcome.Failed, Detail: "the provider gave no answer for this secret"}
				if k < len(outs) {
					out = outs[k]
				}
				finish(j, out, nil)
			}
			return nil
		})
	}
	for _, j := range singles {
		v, _ := r.Registry.lookup(j.s.Provider)
		rv := v.(Revoker)
		g.Go(func() error {
			out, err := rv.Revoke(ctx, j.s, r.DryRun)
			finish(j, out, err)
			return nil
		})
	}
	_ = g.Wait()
	// Results that share a secret share the outcome; copy so callers can change one.
	for i := range res {
		if res[i].Revocation != nil {
			c := *res[i].Revocation
			res[i].Revocation = &c
		}
	}
}

// decide returns the revocation of s when no call is needed; an empty Status means "revoke".
func (r *Runner) decide(s Secret, v *outcome.Step) *outcome.Step {
	at := now()
	st := func(status outcome.Status, detail string) *outcome.Step {
		return &outcome.Step{Status: status, Detail: r.redact(detail), At: at}
	}
	if e, ok := r.Client.Audit.revocationOf(s.Fingerprint); ok && s.Fingerprint != "" {
		t, _ := time.Parse(time.RFC3339Nano, e.Time)
		x := st(outcome.Revoked, "revoked earlier, at "+e.Time+" (audit log); not sent again")
		if !t.IsZero() {
			x.At = t
		}
		if v != nil && v.Status == outcome.Live {
			x.Detail += "; the provider still reports it live, check it by hand"
		}
		return x
	}
	prov, ok := r.Registry.lookup(s.Provider)
	_, canRevoke := prov.(Revoker)
	if _, batch := prov.(BatchRevoker); batch {
		canRevoke = true
	}
	if v == nil {
		return st(outcome.Skipped, "not verified")
	}
	switch {
	case v.Status == outcome.Invalid:
		return st(outcome.Skipped, "already invalid: nothing to revoke")
	case s.Provider == "":
		return st(outcome.Skipped, "no provider to revoke it with; rotate it by hand")
	case !ok:
		return st(outcome.Unsupported, "leakstop has no "+s.Provider+" client: "+remediation(nil, s))
	case !canRevoke:
		return st(outcome.Unsupported, "no revoke API: "+remediation(prov, s))
	case v.Status == outcome.Skipped:
		return st(outcome.Skipped, v.Detail)
	case v.Status == outcome.Unknown:
		return st(outcome.Failed, "not revoked: could not tell whether it is live ("+v.Detail+"); try again later with leakstop revoke REPORT.json")
	}
	return &outcome.Step{}
}

// finish records a revocation's outcome and, after a real one, verifies the secret again.
func (r *Runner) finish(ctx context.Context, s Secret, out Outcome, err error, res *Result) outcome.Step {
	if err != nil {
		out = Outcome{Status: outcome.Failed, Detail: errText(err)}
	}
	if out.Status == "" {
		out.Status = outcome.Failed
	}
	if out.Status == outcome.Unsupported {
		if prov, ok := r.Registry.lookup(s.Provider); ok && out.Detail == "" {
			out.Detail = remediation(prov, s)
		}
	}
	if out.Status == outcome.Revoked {
		after := r.verify(ctx, s, true)
		switch after.Status {
		case outcome.Invalid:
			out.Detail = joinDetail(out.Detail, "verified invalid afterwards")
			res.Verification = &outcome.Step{Status: outcome.Invalid, Detail: "was live; invalid after revocation", At: after.At}
		case outcome.Live:
			if out.Eventual {
				out.Detail = joinDetail(out.Detail, "still live right after: the provider applies revocations with a delay")
			} else {
				out = Outcome{Status: outcome.Failed, Detail: joinDetail(out.Detail, "but the secret still verifies live: the wrong key may have been revoked, check by hand")}
			}
		default:
			out.Detail = joinDetail(out.Detail, "could not verify afterwards: "+after.Detail)
		}
	}
	st := outcome.Step{Status: out.Status, Detail: r.redact(out.Detail), At: now()}
	r.Client.Audit.record(entry{
		Event: "revoke", Action: "revoke", Provider: s.Provider, Rule: s.Rule, Fingerprint: s.Fingerprint,
		Secret: s.Redacted, Outcome: st.Status, Detail: st.Detail, DryRun: r.DryRun,
	})
	ev := r.Log.Info()
	if st.Status == outcome.Failed {
		ev = r.Log.Error()
	}
	ev.Str("provider", s.Provider).Str("secret", s.Redacted).Str("status", string(st.Status)).Str("detail", st.Detail).Msg("revoke")
	return st
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func remediation(v Verifier, s Secret) string {
	if rm, ok := v.(Remediator); ok {
		if t := rm.Remediation(s); t != "" {
			return t
		}
	}
	if s.Remediation != "" {
		return s.Remediation
	}
	return "rotate it in the provider's console"
}
