package rules

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Redact hides a secret for output: it keeps the rule's literal prefix ("sk-proj-") and the
// last four characters of long secrets, and never more than a quarter of the secret.
// prefix may be empty. Some secrets are told apart otherwise, with nothing of what must
// stay secret: an AWS access key id is not secret and shows whole (AWS prints it in every
// console and log; the secret access key beside it is what is redacted); a private key
// shows its type and a short fingerprint of its body; a URL with a password shows its
// scheme, user and host.
func Redact(secret, prefix string) string {
	n := len(secret)
	if n == 0 {
		return ""
	}
	if awsKeyID(secret) {
		return secret
	}
	if s, ok := redactPrivateKey(secret); ok {
		return s
	}
	if s, ok := redactURL(secret); ok {
		return s
	}
	if !strings.HasPrefix(secret, prefix) || len(prefix)*4 > n {
		prefix = ""
	}
	tail := ""
	if n >= 24 && len(prefix)+4 <= n/4 {
		tail = lastBytes(secret, 4)
	} else if n >= 16 && prefix == "" {
		tail = lastBytes(secret, 2)
	}
	return prefix + "…" + tail
}

// lastBytes returns the end of s, at most k bytes of it, cut where a character starts: a
// password's é is shown whole or not at all, never as half a character that a report's
// JSON would write as U+FFFD.
func lastBytes(s string, k int) string {
	i := max(len(s)-k, 0)
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}

// redactPrivateKey shows a PEM-armoured private key block as its BEGIN line and the first
// eight hex digits of the SHA-256 of its body (the base64 between the armour lines, without
// line ends or headers, so that a key written with \r\n, or escaped inside JSON, has the
// same fingerprint): "-----BEGIN RSA PRIVATE KEY----- …(sha256:1a2b3c4d)".
func redactPrivateKey(secret string) (string, bool) {
	label, body, _, ok := pemBlock(secret)
	if !ok || len(label) > 64 || !strings.Contains(label, "PRIVATE KEY") {
		return "", false
	}
	sum := sha256.Sum256([]byte(body))
	return "-----BEGIN " + label + "----- …(sha256:" + hex.EncodeToString(sum[:4]) + ")", true
}

// redactURL shows a URL with a password in its user information as scheme, user and host
// (with its port), the password and whatever follows the host left out:
// "postgres://app:…@db.internal:5432".
func redactURL(secret string) (string, bool) {
	scheme, rest, ok := strings.Cut(secret, "://")
	if !ok || scheme == "" || !inSet(scheme, setAlnum+"+.-") {
		return "", false
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 || strings.ContainsAny(rest[:at], "/?#") {
		return "", false
	}
	user, pass, ok := strings.Cut(rest[:at], ":")
	if !ok || pass == "" {
		return "", false
	}
	host := rest[at+1:]
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	out := scheme + "://" + user + ":…@" + host
	if host == "" || strings.Contains(out, pass) {
		return "", false // the password would show through the parts kept
	}
	return out, true
}

// urlAround returns the URL whose user information holds the password at data[start:end]
// (scheme://user:password@host:port), or "" when the bytes around it are not one.
func urlAround(data []byte, start, end int) string {
	lo := start
	for lo > 0 && data[lo-1] != '/' && data[lo-1] != '@' && !isSpace(data[lo-1]) && start-lo < 256 {
		lo--
	}
	if lo < 3 || string(data[lo-3:lo]) != "://" {
		return ""
	}
	s := lo - 3
	for s > 0 && strings.IndexByte(setAlnum+"+.-", data[s-1]) >= 0 && lo-3-s < 32 {
		s--
	}
	if end >= len(data) || data[end] != '@' {
		return ""
	}
	hi := end + 1
	for hi < len(data) && strings.IndexByte(setAlnum+"_.-:[]", data[hi]) >= 0 && hi-end < 256 {
		hi++
	}
	return string(data[s:hi])
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

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
