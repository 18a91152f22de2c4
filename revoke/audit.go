package revoke

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// entry is one line of the audit log: an HTTP attempt ("call") or an outcome ("verify",
// "revoke", "issue"). Secrets appear only redacted.
type entry struct {
	Time        string         `json:"time"`
	Event       string         `json:"event"`
	Provider    string         `json:"provider,omitempty"`
	Rule        string         `json:"rule,omitempty"`
	Fingerprint string         `json:"fingerprint,omitempty"`
	Secret      string         `json:"secret,omitempty"`
	Action      string         `json:"action,omitempty"`
	Method      string         `json:"method,omitempty"`
	URL         string         `json:"url,omitempty"`
	Attempt     int            `json:"attempt,omitempty"`
	Status      int            `json:"status,omitempty"`
	RequestID   string         `json:"request_id,omitempty"`
	Answer      string         `json:"answer,omitempty"`
	Error       string         `json:"error,omitempty"`
	MS          int64          `json:"ms,omitempty"`
	Outcome     outcome.Status `json:"outcome,omitempty"`
	Detail      string         `json:"detail,omitempty"`
	DryRun      bool           `json:"dry_run,omitempty"`
}

// Audit is the append-only audit log: JSON lines, one per call and per outcome. It also
// remembers, from earlier runs, which secrets were revoked, so none is revoked twice.
type Audit struct {
	mu      sync.Mutex
	f       *os.File
	path    string
	err     error
	revoked map[string]entry
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

// OpenAudit opens (or creates) the audit log at path for appending, and reads the secrets it
// says were revoked.
func OpenAudit(path string) (*Audit, error) {
	a := &Audit{path: path, revoked: map[string]entry{}}
	if err := a.load(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("opening the audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the audit log: %w", err)
	}
	a.f = f
	return a, nil
}

func (a *Audit) load() error {
	f, err := os.Open(a.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the audit log: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e entry
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue // a line cut short by a crash: the rest still counts
		}
		if e.Event == "revoke" && e.Outcome == outcome.Revoked && !e.DryRun && e.Fingerprint != "" {
			a.revoked[e.Fingerprint] = e
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading the audit log %s: %w", a.path, err)
	}
	return nil
}

// Path returns where the log is written.
func (a *Audit) Path() string { return a.path }

// revocationOf returns the entry recording that the secret with fingerprint fp was revoked, by
// this run or an earlier one.
func (a *Audit) revocationOf(fp string) (entry, bool) {
	if a == nil {
		return entry{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.revoked[fp]
	return e, ok
}

// record appends e, stamped with the time. Writes are flushed line by line, so a crash
// loses nothing already recorded. The first write error is kept for Close.
func (a *Audit) record(e entry) {
	if a == nil {
		return
	}
	if e.Time == "" {
		e.Time = now().Format(time.RFC3339Nano)
	}
	line, err := json.Marshal(e)
	if err != nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if e.Event == "revoke" && e.Outcome == outcome.Revoked && !e.DryRun && e.Fingerprint != "" {
		a.revoked[e.Fingerprint] = e
	}
	if a.f == nil || a.err != nil {
		return
	}
	if _, err := a.f.Write(append(line, '\n')); err != nil {
		a.err = fmt.Errorf("writing the audit log %s: %w", a.path, err)
	}
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
			a.err = fmt.Errorf("closing the audit log %s: %w", a.path, err)
		}
		a.f = nil
	}
	return a.err
}
