package revoke

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
// a secret the audit log says was revoked, never sends blindly again a call that a crash
// left without an answer, and verifies again after every revocation.
type Runner struct {
	Registry *Registry
	Client   *Client
	// Revoke turns on revocation of live secrets; DryRun plans it without changing calls.
	Revoke, DryRun bool
	// Jobs is how many secrets are handled at once (the client also limits per provider).
	Jobs int
	// Timeout bounds everything about one secret together: its verification, the lookups
	// and the revocation, the verification after, and the waits between retries. Zero means
	// no bound beyond the client's, per attempt.
	Timeout time.Duration
	Log     zerolog.Logger
}

// eventualGrace is how long after a revocation a provider that applies them with a delay
// may still accept the secret before leakstop calls it an error.
const eventualGrace = time.Hour

// Run handles ss and returns one result per secret, in order.
func (r *Runner) Run(ctx context.Context, ss []Secret) []Result {
	res := make([]Result, len(ss))
	spent := make([]time.Duration, len(ss))
	r.verifyAll(ctx, ss, res, spent)
	if r.Revoke {
		r.revokeAll(ctx, ss, res, spent)
	}
	return res
}

// budget bounds ctx by what is left of the Timeout of a secret that has spent so much.
func (r *Runner) budget(ctx context.Context, spent time.Duration) (context.Context, context.CancelFunc) {
	if r.Timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, r.Timeout-spent)
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

// verifyAll verifies each distinct secret of ss once, copies the outcome to every result
// that holds it, and notes the time it took in spent.
func (r *Runner) verifyAll(ctx context.Context, ss []Secret, res []Result, spent []time.Duration) {
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
			start := time.Now()
			vctx, cancel := r.budget(ctx, 0)
			st := r.verify(vctx, ss[idx[0]], false)
			cancel()
			took := time.Since(start)
			mu.Lock()
			defer mu.Unlock()
			for _, i := range idx {
				c := st
				res[i].Verification = &c
				spent[i] = took
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
			o = Outcome{Status: outcome.Unknown, Detail: r.errText(ctx, err)}
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

// errText describes err for an outcome, saying so when the secret's Timeout ran out.
func (r *Runner) errText(ctx context.Context, err error) string {
	if r.Timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) && errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time: all the calls about one secret may take " + r.Timeout.String() + " (" + err.Error() + ")"
	}
	return errText(err)
}

func errText(err error) string {
	var ae *AuditError
	switch {
	case errors.As(err, &ae):
		return "not sent: " + ae.Error() + " (leakstop sends no changing call it cannot record)"
	case errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "no answer within"):
		return "no answer in time: " + err.Error()
	}
	return err.Error()
}

// revokeAll decides for every verified secret and revokes the live ones.
func (r *Runner) revokeAll(ctx context.Context, ss []Secret, res []Result, spent []time.Duration) {
	type job struct {
		i    int
		s    Secret
		note string
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
		st, note := r.decide(s, res[i].Verification)
		res[i].Revocation = st
		if st.Status != "" {
			r.recordRevocation(s, *st, false, true)
			continue
		}
		v, _ := r.Registry.lookup(s.Provider)
		if _, ok := v.(BatchRevoker); ok {
			batches[s.Provider] = append(batches[s.Provider], job{i, s, note})
		} else {
			singles = append(singles, job{i, s, note})
		}
	}
	var mu sync.Mutex
	finish := func(ctx context.Context, j job, out Outcome, err error) {
		st := r.finish(ctx, j.s, out, err, j.note, &res[j.i])
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
			least := spent[js[0].i]
			for k, j := range js {
				secrets[k] = j.s
				least = min(least, spent[j.i])
			}
			bctx, cancel := r.budget(ctx, least)
			outs := br.RevokeBatch(bctx, secrets, r.DryRun)
			cancel()
			// Each secret is then verified again within its own time.
			fg := new(errgroup.Group)
			fg.SetLimit(r.jobs())
			for k, j := range js {
				out := Outcome{Status: outcome.Failed, Detail: "the provider gave no answer for this secret"}
				if k < len(outs) {
					out = outs[k]
				}
				fg.Go(func() error {
					fctx, cancel := r.budget(ctx, spent[j.i])
					defer cancel()
					finish(fctx, j, out, nil)
					return nil
				})
			}
			return fg.Wait()
		})
	}
	for _, j := range singles {
		v, _ := r.Registry.lookup(j.s.Provider)
		rv := v.(Revoker)
		g.Go(func() error {
			rctx, cancel := r.budget(ctx, spent[j.i])
			defer cancel()
			out, err := rv.Revoke(rctx, j.s, r.DryRun)
			finish(rctx, j, out, err)
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

// decide returns the revocation of s when no call is needed; an empty Status means
// "revoke", and note then says what the detail must add (a call sent again).
func (r *Runner) decide(s Secret, v *outcome.Step) (*outcome.Step, string) {
	at := now()
	st := func(status outcome.Status, detail string) *outcome.Step {
		return &outcome.Step{Status: status, Detail: r.redact(detail), At: at}
	}
	prov, ok := r.Registry.lookup(s.Provider)
	p := r.Client.Audit.pastOf(s.Fingerprint)
	live := v != nil && v.Status == outcome.Live
	if e := p.revoked; e != nil {
		t, _ := time.Parse(time.RFC3339Nano, e.Time)
		x := st(outcome.Revoked, "revoked earlier, at "+e.Time+" (audit log); not sent again")
		if p.recovered {
			x.Detail = fmt.Sprintf("revoked at %s: the provider answered HTTP %d to %s %s, and the run stopped before it recorded the outcome (audit log); not sent again", e.Time, e.Status, e.Method, e.URL)
		}
		if !t.IsZero() {
			x.At = t
		}
		switch {
		case live && e.Eventual && !t.IsZero() && now().Sub(t) < eventualGrace:
			x.Detail += "; still live " + now().Sub(t).Round(time.Second).String() + " after: the provider applies revocations with a delay"
		case live:
			// The provider took the call, yet the secret works: the wrong key went, or the
			// provider did not apply it. Sending it again would change nothing; a person must look.
			x = st(outcome.Failed, "revoked at "+e.Time+" (audit log) but still live: not sent again; the wrong key may have been revoked, or the provider has not applied it; check it by hand: "+remediation(prov, s))
		}
		return x, ""
	}
	_, canRevoke := prov.(Revoker)
	if _, batch := prov.(BatchRevoker); batch {
		canRevoke = true
	}
	if v == nil {
		return st(outcome.Skipped, "not verified"), ""
	}
	switch {
	case v.Status == outcome.Invalid && p.unanswered != nil:
		return st(outcome.Skipped, "already invalid: nothing to revoke (a revocation sent at "+p.unanswered.Time+" had no answer recorded; it was probably applied)"), ""
	case v.Status == outcome.Invalid:
		return st(outcome.Skipped, "already invalid: nothing to revoke"), ""
	case s.Provider == "":
		return st(outcome.Skipped, "no provider to revoke it with; rotate it by hand"), ""
	case !ok:
		return st(outcome.Unsupported, "leakstop has no "+s.Provider+" client: "+remediation(nil, s)), ""
	case !canRevoke:
		return st(outcome.Unsupported, "no revoke API: "+remediation(prov, s)), ""
	case v.Status == outcome.Skipped:
		return st(outcome.Skipped, v.Detail), ""
	case v.Status == outcome.Unknown:
		return st(outcome.Failed, "not revoked: could not tell whether it is live ("+v.Detail+"); try again later with leakstop revoke REPORT.json"), ""
	}
	if u := p.unanswered; u != nil && !r.DryRun {
		call := u.Method + " " + u.URL
		if !u.Idempotent {
			// It may have landed; sending it again could act twice (GitHub tells the owner
			// each time). The secret is live now, which a delayed revocation also shows.
			return st(outcome.Failed, "a revocation ("+call+") was sent at "+u.Time+" and the run stopped before its answer was recorded (audit log); the secret still verifies live, and that call is not sent again blindly: check it by hand: "+remediation(prov, s)), ""
		}
		return &outcome.Step{}, "a revocation (" + call + ") sent at " + u.Time + " had no answer recorded, and the secret still verifies live: sent again, as that call is idempotent"
	}
	return &outcome.Step{}, ""
}

// finish records a revocation's outcome and, after a real one, verifies the secret again.
func (r *Runner) finish(ctx context.Context, s Secret, out Outcome, err error, note string, res *Result) outcome.Step {
	if err != nil {
		out = Outcome{Status: outcome.Failed, Detail: r.errText(ctx, err)}
	}
	if out.Status == "" {
		out.Status = outcome.Failed
	}
	if out.Status == outcome.Unsupported || out.Status == outcome.NeedsCredential {
		if prov, ok := r.Registry.lookup(s.Provider); ok && out.Detail == "" {
			out.Detail = remediation(prov, s)
		}
	}
	// The audit says what the provider did; the result, what the user must know.
	took := false
	if out.Status == outcome.Revoked {
		took = true
		after := r.verify(ctx, s, true)
		switch after.Status {
		case outcome.Invalid:
			out.Detail = joinDetail(out.Detail, "verified invalid afterwards")
			res.Verification = &outcome.Step{Status: outcome.Invalid, Detail: "was live; invalid after revocation", At: after.At}
		case outcome.Live:
			if out.Eventual {
				out.Detail = joinDetail(out.Detail, "still live right after: the provider applies revocations with a delay")
			} else {
				out = Outcome{Status: outcome.Failed, Detail: joinDetail(out.Detail, "but the secret still verifies live: the wrong key may have been revoked, check by hand"), Eventual: out.Eventual}
			}
		default:
			out.Detail = joinDetail(out.Detail, "could not verify afterwards: "+after.Detail)
		}
	}
	if note != "" {
		out.Detail = joinDetail(note, out.Detail)
	}
	st := outcome.Step{Status: out.Status, Detail: r.redact(out.Detail), At: now()}
	audited := st
	if took {
		audited.Status = outcome.Revoked
	}
	r.recordRevocation(s, audited, out.Eventual, false)
	ev := r.Log.Info()
	if st.Status == outcome.Failed {
		ev = r.Log.Error()
	}
	ev.Str("provider", s.Provider).Str("secret", s.Redacted).Str("status", string(st.Status)).Str("detail", st.Detail).Msg("revoke")
	return st
}

// recordRevocation writes a revocation's outcome to the audit log, synced: what the provider
// did (a revocation it took stays revoked, even if the secret still verifies live), or, with
// notSent, what leakstop decided without a call.
func (r *Runner) recordRevocation(s Secret, st outcome.Step, eventual, notSent bool) {
	r.Client.Audit.writeOutcome(entry{
		Event: "revoke", Action: "revoke", Provider: s.Provider, Rule: s.Rule, Fingerprint: s.Fingerprint,
		Secret: s.Redacted, Outcome: st.Status, Detail: st.Detail, DryRun: r.DryRun, Eventual: eventual, NotSent: notSent,
	})
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
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
