package revoke_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/scanner/outcome"
)

func auditLines(t *testing.T, path string) []map[string]any { return fake.AuditLines(t, path) }

// openaiLeak is a live OpenAI project key, the fake that knows it and its organization's
// admin key, and a harness wired to them, with a short timeout per attempt.
type openaiLeak struct {
	oa         *fake.OpenAI
	h          *harness
	key, admin string
	ss         []revoke.Secret
}

func newOpenAILeak(t *testing.T) *openaiLeak {
	t.Helper()
	l := &openaiLeak{admin: gen(t, `{{openai "sk-admin-" 58}}`), key: gen(t, `{{openai "sk-proj-" 74}}`)}
	l.oa = fake.NewOpenAI(t, l.admin)
	l.oa.AddKey("p", "", l.key)
	l.h = newHarness(t, map[string]string{"LEAKSTOP_OPENAI_URL": l.oa.URL, "OPENAI_ADMIN_KEY": l.admin})
	l.h.client.Timeout = 300 * time.Millisecond
	l.ss = []revoke.Secret{l.h.secret("openai", l.key, "")}
	return l
}

// events counts the audit lines by event.
func events(lines []map[string]any) map[string]int {
	n := map[string]int{}
	for _, l := range lines {
		n[l["event"].(string)]++
	}
	return n
}

// reopen closes the harness's audit log and opens it again, as the next run does.
func (h *harness) reopen() {
	h.t.Helper()
	if err := h.audit.Close(); err != nil {
		h.t.Fatal(err)
	}
	a, err := revoke.OpenAudit(h.audit.Path())
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { a.Close() })
	h.audit, h.client.Audit = a, a
}

// run runs r on ss, failing the test if the run does not end: every run must end in
// bounded time, whatever the provider does.
func run(t *testing.T, r *revoke.Runner, ss []revoke.Secret) []revoke.Result {
	t.Helper()
	done := make(chan []revoke.Result, 1)
	go func() { done <- r.Run(context.Background(), ss) }()
	select {
	case res := <-done:
		return res
	case <-time.After(2 * time.Minute):
		t.Fatal("the run did not end")
		return nil
	}
}

// faults are the answers that prove nothing: each must leave the secret unknown (never
// invalid), a revocation failed and tried again by the next run.
var faults = []struct {
	name  string
	reply fake.Reply
	times int
}{
	{"500 burst", fake.Reply{Status: 500, Body: `{"error":{"message":"The server had an error"}}`}, 10},
	{"429 for a year", fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "31536000"}}, -1},
	{"429 negative", fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "-5"}}, -1},
	{"429 in the past", fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}}, -1},
	{"429 garbage", fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "soon, maybe"}}, -1},
	{"429 beyond time", fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "1e308"}}, -1},
	{"reset mid-body", fake.Reply{Status: 200, Body: `{"object":"list","data":[{"id":"gpt`, Reset: true}, -1},
	// A 401 is a definite no only when it arrives whole.
	{"401 reset mid-body", fake.Reply{Status: 401, Body: `{"error":{"message":"Incorrect API key`, Reset: true}, -1},
	{"hang", fake.Reply{Hang: true}, -1},
	{"a gigabyte body", fake.Reply{Status: 200, Body: `{"object":"list","data":[`, Size: 1 << 30}, -1},
	{"invalid JSON", fake.Reply{Status: 200, Body: `{"object":"list","data":[`}, -1},
	{"HTML page", fake.Reply{Status: 200, Body: `<html><body>Sign in to the Wi-Fi</body></html>`}, -1},
}

// TestFaultsWhileVerifying: a provider that answers its verify call with a fault leaves the
// secret unknown and sends no revocation; the audit log has one line per call and per
// outcome.
func TestFaultsWhileVerifying(t *testing.T) {
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			l := newOpenAILeak(t)
			oa, h, k, admin := l.oa, l.h, l.key, l.admin
			oa.Inject("GET /v1/models", tt.times, tt.reply)
			res := run(t, h.runner(true, false), l.ss)
			if v := res[0].Verification; v.Status != outcome.Unknown {
				t.Errorf("verification %s (%s), want unknown", v.Status, v.Detail)
			}
			if r := res[0].Revocation; r.Status != outcome.Failed || !strings.Contains(r.Detail, "could not tell whether it is live") {
				t.Errorf("revocation %s (%s), want failed: not known to be live", r.Status, r.Detail)
			}
			if n := oa.Count(http.MethodDelete, "/"); n != 0 {
				t.Errorf("%d DELETEs for a secret not known to be live", n)
			}
			n := events(auditLines(t, h.audit.Path()))
			if calls := len(oa.Calls()); n["call"] != calls || n["verify"] != 1 || n["revoke"] != 1 || n["intent"] != 0 {
				t.Errorf("audit lines %v; want %d calls (as the fake saw), 1 verify and 1 revoke outcome, no intent", n, calls)
			}
			checkAudit(t, h, k, admin)
		})
	}
}

// TestFaultsWhileRevoking: a provider that answers the revoke call with a fault leaves the
// revocation failed, sent once (a changing call is retried only after a rate limit, which
// means it was not served); the next run tries it again and revokes, and the one after sends
// nothing. Every changing attempt has its intent line before its call line.
func TestFaultsWhileRevoking(t *testing.T) {
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			l := newOpenAILeak(t)
			oa, h, k, admin, ss := l.oa, l.h, l.key, l.admin, l.ss
			oa.Inject("DELETE /v1/organization/projects/", tt.times, tt.reply)

			res := run(t, h.runner(true, false), ss)
			if v := res[0].Verification; v.Status != outcome.Live {
				t.Fatalf("verification %s (%s), want live", v.Status, v.Detail)
			}
			if r := res[0].Revocation; r.Status != outcome.Failed {
				t.Errorf("revocation %s (%s), want failed", r.Status, r.Detail)
			}
			deletes := oa.Count(http.MethodDelete, "/")
			if deletes == 0 || (tt.reply.Status != 429 && deletes != 1) {
				t.Errorf("%d DELETEs; a changing call is sent again only after a rate limit", deletes)
			}
			n := events(auditLines(t, h.audit.Path()))
			if calls := len(oa.Calls()); n["call"] != calls || n["intent"] != deletes || n["verify"] != 1 || n["revoke"] != 1 {
				t.Errorf("audit lines %v; want %d calls, %d intents, 1 verify and 1 revoke outcome", n, calls, deletes)
			}

			// The next run, the provider healed: the failed revocation is tried again.
			oa.Heal()
			h.reopen()
			res = run(t, h.runner(true, false), ss)
			if r := res[0].Revocation; r.Status != outcome.Revoked {
				t.Errorf("retry: revocation %s (%s), want revoked", r.Status, r.Detail)
			}
			if oa.Live(k) || oa.Count(http.MethodDelete, "/") != deletes+1 {
				t.Errorf("retry: live %v, %d DELETEs in all", oa.Live(k), oa.Count(http.MethodDelete, "/"))
			}
			// And the one after sends nothing.
			h.reopen()
			res = run(t, h.runner(true, false), ss)
			if r := res[0].Revocation; r.Status != outcome.Revoked || !strings.Contains(r.Detail, "audit log") {
				t.Errorf("third run: revocation %s (%s), want revoked from the audit log", r.Status, r.Detail)
			}
			if got := oa.Count(http.MethodDelete, "/"); got != deletes+1 {
				t.Errorf("third run sent a DELETE: %d in all", got)
			}
			checkAudit(t, h, k, admin)
		})
	}
}

// TestSecretTimeout: a provider that hangs costs one secret no more than the Runner's
// Timeout, retries included.
func TestSecretTimeout(t *testing.T) {
	oa := fake.NewOpenAI(t, "")
	k := gen(t, `{{openai "sk-proj-" 74}}`)
	oa.AddKey("p", "", k)
	oa.Inject("GET /v1/models", -1, fake.Reply{Hang: true})
	h := newHarness(t, map[string]string{"LEAKSTOP_OPENAI_URL": oa.URL})
	h.client.Timeout = 200 * time.Millisecond
	r := h.runner(false, false)
	r.Timeout = 500 * time.Millisecond
	res := run(t, r, []revoke.Secret{h.secret("openai", k, "")})
	if v := res[0].Verification; v.Status != outcome.Unknown || !strings.Contains(v.Detail, "in time") {
		t.Errorf("verification %s (%s), want unknown for want of time", v.Status, v.Detail)
	}
	// Each attempt takes its whole 200ms: four would need 800ms, past the 500ms.
	if n := oa.Count(http.MethodGet, "/v1/models"); n < 1 || n > 3 {
		t.Errorf("%d attempts within the secret's time, want 1 to 3", n)
	}
}

// TestAuditFailsClosed: with the audit log on a full disk (/dev/full), verification still
// runs, but no changing call is sent: the revocation fails and says why.
func TestAuditFailsClosed(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("/dev/full is missing")
		}
		t.Skip("/dev/full is missing")
	}
	l := newOpenAILeak(t)
	oa, h, k := l.oa, l.h, l.key
	full, err := revoke.OpenAudit("/dev/full")
	if err != nil {
		t.Fatalf("opening /dev/full: %v", err)
	}
	h.client.Audit = full
	res := run(t, h.runner(true, false), l.ss)
	if r := res[0].Revocation; r.Status != outcome.Failed || !strings.Contains(r.Detail, "not sent") || !strings.Contains(r.Detail, "no space left") {
		t.Errorf("revocation %s (%s), want failed: not sent, the disk is full", r.Status, r.Detail)
	}
	if n := oa.Count(http.MethodDelete, "/"); n != 0 || !oa.Live(k) {
		t.Errorf("%d DELETEs sent with an audit log that cannot be written", n)
	}
	if revoke.Failed(res) != 1 {
		t.Error("the revocation that was not sent is not counted as failed")
	}
	if err := full.Close(); err == nil || !strings.Contains(err.Error(), "/dev/full") {
		t.Errorf("Close = %v, want the write error", err)
	}
}

// dropLines rewrites the audit log at path without the lines keep refuses, and returns how
// many went: what a crash at that point would have left.
func dropLines(t *testing.T, path string, drop func(map[string]any) bool) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	n := 0
	for _, line := range strings.SplitAfter(string(data), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && drop(m) {
			n++
			continue
		}
		kept = append(kept, line)
	}
	if err := os.WriteFile(path, []byte(strings.Join(kept, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCrashAfterTheCall: the process died after the provider answered the DELETE and
// before the outcome was recorded. The next run reads the 2xx answer as a revocation and
// sends nothing; if the secret still verifies live (an eventually consistent provider), that
// is an error, not a reason to send it again.
func TestCrashAfterTheCall(t *testing.T) {
	for _, stillLive := range []bool{false, true} {
		l := newOpenAILeak(t)
		oa, h, ss := l.oa, l.h, l.ss
		if res := run(t, h.runner(true, false), ss); res[0].Revocation.Status != outcome.Revoked {
			t.Fatalf("first run: %+v", res[0].Revocation)
		}
		h.audit.Close()
		// What the crash lost: the outcome of the verification after, and the revocation's.
		if n := dropLines(t, h.audit.Path(), func(m map[string]any) bool {
			return m["event"] == "revoke" || m["action"] == "verify-after-revoke"
		}); n != 2 {
			t.Fatalf("dropped %d lines", n)
		}
		h.reopen()
		if stillLive {
			oa.Inject("GET /v1/models", -1, fake.Reply{Status: 200, Body: `{"object":"list","data":[]}`})
		}
		res := run(t, h.runner(true, false), ss)
		r := res[0].Revocation
		switch {
		case stillLive && (r.Status != outcome.Failed || !strings.Contains(r.Detail, "but still live")):
			t.Errorf("still live: revocation %s (%s), want failed: revoked but still live", r.Status, r.Detail)
		case !stillLive && (r.Status != outcome.Revoked || !strings.Contains(r.Detail, "answered HTTP 2") || !strings.Contains(r.Detail, "not sent again")):
			t.Errorf("revocation %s (%s), want revoked from the recorded answer", r.Status, r.Detail)
		}
		if n := oa.Count(http.MethodDelete, "/"); n != 1 {
			t.Errorf("still live %v: %d DELETEs, want 1 (never sent again)", stillLive, n)
		}
		if got := revoke.Failed(res); got != map[bool]int{true: 1, false: 0}[stillLive] {
			t.Errorf("still live %v: %d failed", stillLive, got)
		}
		// The run after that knows as much, from its own outcome line.
		h.reopen()
		res = run(t, h.runner(true, false), ss)
		if n := oa.Count(http.MethodDelete, "/"); n != 1 || res[0].Revocation.Status != r.Status {
			t.Errorf("still live %v, third run: %d DELETEs, %s", stillLive, n, res[0].Revocation.Status)
		}
	}
}

// TestCrashDuringTheCall: the process died while a revoke call was out: its intent is in the
// log, its answer is not. The next run verifies again: a secret now invalid is done; a live
// one is revoked again when the call is idempotent (OpenAI's DELETE), and is not when it is
// not (GitHub's POST /credentials/revoke): a person must look.
func TestCrashDuringTheCall(t *testing.T) {
	cut := func(t *testing.T, path string) {
		// Everything from the first intent's answer on is lost.
		lines := auditLines(t, path)
		call := ""
		for _, l := range lines {
			if l["event"] == "intent" {
				call = l["call"].(string)
				break
			}
		}
		if call == "" {
			t.Fatal("no intent line")
		}
		past := false
		dropLines(t, path, func(m map[string]any) bool {
			if m["event"] == "call" && m["call"] == call {
				past = true
			}
			return past
		})
	}
	// rerun revokes, loses what a crash would have lost, and runs again.
	rerun := func(t *testing.T, h *harness, ss []revoke.Secret) *outcome.Step {
		run(t, h.runner(true, false), ss)
		h.audit.Close()
		cut(t, h.audit.Path())
		h.reopen()
		return run(t, h.runner(true, false), ss)[0].Revocation
	}
	t.Run("idempotent DELETE", func(t *testing.T) {
		l := newOpenAILeak(t)
		oa, h, k, ss := l.oa, l.h, l.key, l.ss
		// The DELETE never reaches the provider's handler: the key stays live.
		oa.Inject("DELETE /v1/organization/projects/", 1, fake.Reply{Hang: true})
		if r := rerun(t, h, ss); r.Status != outcome.Revoked || !strings.Contains(r.Detail, "sent again, as that call is idempotent") {
			t.Errorf("revocation %s (%s), want revoked, sent again", r.Status, r.Detail)
		}
		if oa.Live(k) || oa.Count(http.MethodDelete, "/") != 2 {
			t.Errorf("live %v, %d DELETEs (want the hung one and one more)", oa.Live(k), oa.Count(http.MethodDelete, "/"))
		}
	})
	t.Run("not idempotent POST", func(t *testing.T) {
		gh := fake.NewGitHub(t, "")
		tok := gen(t, `{{ghtoken "ghp_"}}`)
		gh.AddToken(tok)
		gh.Inject("POST /credentials/revoke", 1, fake.Reply{Hang: true})
		h := newHarness(t, map[string]string{"GITHUB_API_URL": gh.URL})
		h.client.Timeout = 300 * time.Millisecond
		ss := []revoke.Secret{h.secret("github", tok, "")}
		if r := rerun(t, h, ss); r.Status != outcome.Failed || !strings.Contains(r.Detail, "not sent again blindly") || !strings.Contains(r.Detail, "github.com/settings/tokens") {
			t.Errorf("revocation %s (%s), want failed: not sent again blindly, check by hand", r.Status, r.Detail)
		}
		if n := gh.Count(http.MethodPost, "/credentials/revoke"); n != 1 {
			t.Errorf("%d POST /credentials/revoke, want 1", n)
		}
		// It stays in doubt on the next run too, until a person acts.
		h.reopen()
		res := run(t, h.runner(true, false), ss)
		if res[0].Revocation.Status != outcome.Failed || gh.Count(http.MethodPost, "/credentials/revoke") != 1 {
			t.Errorf("third run: %s, %d POSTs", res[0].Revocation.Status, gh.Count(http.MethodPost, "/credentials/revoke"))
		}
	})
	t.Run("now invalid", func(t *testing.T) {
		l := newOpenAILeak(t)
		// The DELETE lands; its answer is then lost.
		if r := rerun(t, l.h, l.ss); r.Status != outcome.Skipped || !strings.Contains(r.Detail, "probably applied") {
			t.Errorf("revocation %s (%s), want skipped: already invalid", r.Status, r.Detail)
		}
		if n := l.oa.Count(http.MethodDelete, "/"); n != 1 {
			t.Errorf("%d DELETEs, want 1", n)
		}
	})
}
