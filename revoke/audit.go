package revoke

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// entry is one line of the audit log: an HTTP attempt ("call"), the intent written before
// a changing attempt ("intent"), or an outcome ("verify", "revoke"). Secrets appear only
// redacted.
type entry struct {
	Time        string `json:"time"`
	Event       string `json:"event"`
	Provider    string `json:"provider,omitempty"`
	Rule        string `json:"rule,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	// Fingerprints lists every secret of a call about many (GitHub's batch revocation).
	Fingerprints []string `json:"fingerprints,omitempty"`
	Secret       string   `json:"secret,omitempty"`
	Action       string   `json:"action,omitempty"`
	// Call ties the intent line of a changing attempt to the line of its answer.
	Call      string `json:"call,omitempty"`
	Method    string `json:"method,omitempty"`
	URL       string `json:"url,omitempty"`
	Attempt   int    `json:"attempt,omitempty"`
	Status    int    `json:"status,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	Answer    string `json:"answer,omitempty"`
	Error     string `json:"error,omitempty"`
	MS        int64  `json:"ms,omitempty"`
	// Idempotent marks, on a changing call, that sending it twice does what once does.
	Idempotent bool           `json:"idempotent,omitempty"`
	Outcome    outcome.Status `json:"outcome,omitempty"`
	Detail     string         `json:"detail,omitempty"`
	DryRun     bool           `json:"dry_run,omitempty"`
	// Eventual marks a revocation the provider applies with a delay.
	Eventual bool `json:"eventual,omitempty"`
	// NotSent marks a revocation's outcome that leakstop decided without a call (revoked
	// earlier, already invalid, not sent again).
	NotSent bool `json:"not_sent,omitempty"`
}

// fingerprints lists the secrets e is about.
func (e entry) fingerprints() []string {
	if len(e.Fingerprints) > 0 {
		return e.Fingerprints
	}
	if e.Fingerprint != "" {
		return []string{e.Fingerprint}
	}
	return nil
}

// revokedLine reports whether e is a real revocation's outcome saying the secret is revoked.
func (e entry) revokedLine() bool {
	return e.Event == "revoke" && e.Outcome == outcome.Revoked && !e.DryRun
}

// Audit is the append-only audit log: JSON lines, one per HTTP attempt and one per outcome,
// and, before every changing attempt, an intent line written and synced before the call is
// sent. It fails closed: once a line cannot be written, no changing call is sent.
//
// It also reads what earlier runs did, so that nothing is revoked twice: which secrets were
// revoked (an outcome line, or, when a crash lost that line, the provider's 2xx answer to
// the revoke call), and which revoke calls were sent without their answer being recorded.
type Audit struct {
	mu   sync.Mutex
	f    *os.File
	path string
	err  error
	// revoked holds, per fingerprint, the line that says the secret was revoked: a revoke
	// outcome, or the answer to a revoke call whose outcome line is missing.
	revoked map[string]entry
	// unanswered holds, per fingerprint, the intent of a revoke call that has neither an
	// answer nor an outcome after it: the process died while the call was out.
	unanswered map[string]entry
}

// DefaultAuditPath is $XDG_STATE_HOME/leakstop/audit.jsonl, or
// ~/.local/state/leakstop/audit.jsonl.
func DefaultAuditPath(env Env) (string, error) {
	if d := env("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "leakstop", "audit.jsonl"), nil
	}
	home := env("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the audit log: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "state", "leakstop", "audit.jsonl"), nil
}

// OpenAudit opens (or creates) the audit log at path for appending, and reads what earlier
// runs recorded in it.
func OpenAudit(path string) (*Audit, error) {
	a := &Audit{path: path, revoked: map[string]entry{}, unanswered: map[string]entry{}}
	if err := a.load(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, &AuditError{Path: path, Doing: "opening", Err: err}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, &AuditError{Path: path, Doing: "opening", Err: err}
	}
	a.f = f
	return a, nil
}

// AuditError is an audit log that cannot be opened or written. While it stands no changing
// call is sent.
type AuditError struct {
	Path  string
	Doing string // "opening", "reading", "writing"
	Err   error
}

func (e *AuditError) Error() string {
	return fmt.Sprintf("%s the audit log %s: %v", e.Doing, e.Path, e.Err)
}

func (e *AuditError) Unwrap() error { return e.Err }

// Hint says what to do.
func (e *AuditError) Hint() string {
	if e.Doing == "writing" {
		return "leakstop sends no revocation or issue it cannot record: free space (or fix the permissions) where the audit log is, then run again"
	}
	return "check that the audit log's folder exists and can be written"
}

// pendingCall is a revoke call, per secret, not yet followed by an outcome line.
type pendingCall struct {
	intent entry
	answer *entry
}

// load reads the log's earlier lines. Only a regular file is read: a device (/dev/full, to
// test a full disk) or a pipe holds no history.
func (a *Audit) load() error {
	st, err := os.Stat(a.path)
	if errors.Is(err, fs.ErrNotExist) || err == nil && !st.Mode().IsRegular() {
		return nil
	}
	if err != nil {
		return &AuditError{Path: a.path, Doing: "reading", Err: err}
	}
	f, err := os.Open(a.path)
	if err != nil {
		return &AuditError{Path: a.path, Doing: "reading", Err: err}
	}
	defer f.Close()
	pending := map[string]*pendingCall{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e entry
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue // a line cut short by a crash: the rest still counts
		}
		switch {
		case e.Event == "intent" && e.Action == "revoke":
			for _, fp := range e.fingerprints() {
				pending[fp] = &pendingCall{intent: e}
			}
		case e.Event == "call" && e.Call != "":
			for _, fp := range e.fingerprints() {
				if p := pending[fp]; p != nil && p.intent.Call == e.Call {
					p.answer = &e
				}
			}
		case e.Event == "revoke" && !e.DryRun && e.Fingerprint != "":
			if e.revokedLine() {
				a.revoked[e.Fingerprint] = e
			}
			// A call left without an answer stays in doubt until a call's outcome, or a
			// decision that is not a failure (already invalid), settles it.
			if !e.NotSent || e.Outcome != outcome.Failed {
				delete(pending, e.Fingerprint)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return &AuditError{Path: a.path, Doing: "reading", Err: err}
	}
	// What the last run left without an outcome: a 2xx answer is a revocation (the provider
	// took it); no answer at all is a call that may or may not have landed.
	for fp, p := range pending {
		switch {
		case p.answer == nil:
			a.unanswered[fp] = p.intent
		case p.answer.Status >= 200 && p.answer.Status < 300 && p.answer.Error == "":
			if _, ok := a.revoked[fp]; !ok {
				a.revoked[fp] = *p.answer
			}
		}
	}
	return nil
}

// Path returns where the log is written.
func (a *Audit) Path() string { return a.path }

// past is what earlier runs (and this one) recorded of one secret's revocation.
type past struct {
	// revoked is the line saying it was revoked: a revoke outcome, or (recovered) the
	// provider's answer to a revoke call whose outcome line a crash lost.
	revoked   *entry
	recovered bool
	// unanswered is the intent of a revoke call sent without an answer recorded.
	unanswered *entry
}

// pastOf returns what the log knows of the revocation of the secret with fingerprint fp.
func (a *Audit) pastOf(fp string) past {
	var p past
	if a == nil || fp == "" {
		return p
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, ok := a.revoked[fp]; ok {
		p.revoked = &e
		p.recovered = e.Event == "call"
	}
	if e, ok := a.unanswered[fp]; ok {
		p.unanswered = &e
	}
	return p
}

// intent writes and syncs the intent line of a changing attempt, e being its call line, and
// returns the id that ties it to its answer. An error means the call must not be sent.
func (a *Audit) intent(e entry) (string, error) {
	if a == nil {
		return "", nil
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	e.Event, e.Call = "intent", hex.EncodeToString(b[:])
	if err := a.write(e, true); err != nil {
		return "", err
	}
	return e.Call, nil
}

// writeOutcome appends a revocation's outcome, synced.
func (a *Audit) writeOutcome(e entry) { _ = a.write(e, true) }

// record appends e, stamped with the time, without syncing: verification outcomes, whose
// loss a crash makes harmless.
func (a *Audit) record(e entry) { _ = a.write(e, false) }

// write appends e, stamped with the time; sync makes it durable before write returns (an
// intent, the answer to a changing call, a revocation's outcome). Every line is one write
// of its own, so a crash cuts at most the last. After the first failure nothing more is
// written and every later write returns that failure.
func (a *Audit) write(e entry, sync bool) error {
	if a == nil {
		return nil
	}
	if e.Time == "" {
		e.Time = now().Format(time.RFC3339Nano)
	}
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if e.revokedLine() && e.Fingerprint != "" {
		a.revoked[e.Fingerprint] = e
	}
	if a.err != nil {
		return a.err
	}
	if a.f == nil {
		a.err = &AuditError{Path: a.path, Doing: "writing", Err: fs.ErrClosed}
		return a.err
	}
	if _, err := a.f.Write(append(line, '\n')); err != nil {
		a.err = &AuditError{Path: a.path, Doing: "writing", Err: err}
		return a.err
	}
	if sync {
		// A device (/dev/full, /dev/null) cannot be synced, and need not be.
		if err := a.f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
			a.err = &AuditError{Path: a.path, Doing: "writing", Err: err}
			return a.err
		}
	}
	return nil
}

// Close closes the log and returns the first write error.
func (a *Audit) Close() error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f != nil {
		if err := a.f.Close(); err != nil && a.err == nil {
			a.err = &AuditError{Path: a.path, Doing: "writing", Err: err}
		}
		a.f = nil
	}
	if a.err == nil {
		// Closed: a later write is an error, but closing is not.
		return nil
	}
	return a.err
}
