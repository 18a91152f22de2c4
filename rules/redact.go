package rules

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Redact hides a secret for output: it keeps the rule's literal prefix ("sk-proj-") and the
// last four characters of long secrets, and never more than a quarter of the secret.
// prefix may be empty.
func Redact(secret, prefix string) string {
	n := len(secret)
	if n == 0 {
		return ""
	}
	if !strings.HasPrefix(secret, prefix) || len(prefix)*4 > n {
		prefix = ""
	}
	tail := ""
	if n >= 24 && len(prefix)+4 <= n/4 {
		tail = secret[n-4:]
	} else if n >= 16 && prefix == "" {
		tail = secret[n-2:]
	}
	return prefix + "…" + tail
}

// Redactor replaces every secret it knows by its redacted form in any text: log lines,
// provider messages, errors. The zero value redacts nothing; it is safe for concurrent use.
type Redactor struct {
	mu       sync.RWMutex
	secrets  map[string]string
	replacer *strings.Replacer
}

// Add teaches the redactor a secret and how to show it. Secrets shorter than 6 characters
// are ignored: replacing them would garble ordinary text.
func (r *Redactor) Add(secret, redacted string) {
	if len(secret) < 6 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets = map[string]string{}
	}
	if _, ok := r.secrets[secret]; ok {
		return
	}
	r.secrets[secret] = redacted
	r.replacer = nil
}

// Redact returns s with every known secret replaced, also where secrets overlap.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	rep := r.replacer
	n := len(r.secrets)
	r.mu.RUnlock()
	if n == 0 {
		return s
	}
	if rep == nil {
		r.mu.Lock()
		if r.replacer == nil {
			// Longest first, so a secret that contains another is replaced whole; then in
			// byte order, so that overlapping secrets of one length always redact alike.
			keys := slices.SortedFunc(maps.Keys(r.secrets), func(a, b string) int {
				return cmp.Or(len(b)-len(a), strings.Compare(a, b))
			})
			pairs := make([]string, 0, 2*len(keys))
			for _, k := range keys {
				pairs = append(pairs, k, r.secrets[k])
			}
			r.replacer = strings.NewReplacer(pairs...)
		}
		rep = r.replacer
		r.mu.Unlock()
	}
	// Replacing a secret can complete another that overlapped it: a run of the text that
	// held two overlapping copies, or the kept tail of one redacted secret before the rest
	// of another. So the text is replaced again while that shortens it, as it does while a
	// secret is left, since every redacted form Redact makes is shorter than its secret.
	for {
		out := rep.Replace(s)
		if len(out) >= len(s) {
			return out
		}
		s = out
	}
}
