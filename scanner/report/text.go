package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dustin/go-humanize"
	"github.com/dustin/go-humanize/english"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// ANSI styles for the text format.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// textWriter writes the text format: one block per secret, then a summary.
type textWriter struct {
	w     *bufio.Writer
	color bool
}

// style wraps s in an ANSI style when colour is on.
func (t *textWriter) style(code, s string) string {
	if !t.color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) printf(format string, args ...any) {
	fmt.Fprintf(t.w, format, args...)
}

// printable escapes what would drive a terminal or hide text: text from a scanned repository
// or site (a commit subject, a path, a provider's message) must not set the terminal's
// title, clear its screen, move its cursor or reverse what it shows. C0 and C1 controls (ESC
// among them, so no escape sequence survives), DEL, bidirectional overrides and isolates,
// zero-width and other invisible formatting characters and the Unicode line separators
// become Go escapes (\x1b, \r, \u202e); a byte that is not UTF-8 becomes \xNN.
func printable(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, unprintable) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unprintable(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Printable is the text format's escape for other terminal output: the command's console
// log prints file names, commit subjects and sites' messages too.
func Printable(s string) string { return printable(s) }

// unprintable reports whether r must not reach a terminal as it is.
func unprintable(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

func writeText(w io.Writer, fs []*scanner.Finding, res *scanner.Result, opts Options) error {
	t := &textWriter{w: bufio.NewWriter(w), color: opts.Color}
	leaks := 0
	for _, f := range fs {
		t.finding(f, opts)
		leaks += len(f.Locations)
	}
	t.repositories(res.Stats.Repositories)
	t.summary(leaks, len(fs), res)
	if len(fs) > 0 {
		t.printf("%s\n", t.style(ansiDim, hint))
	}
	return t.w.Flush()
}

// hint tells how to silence a false positive.
const hint = `A false positive? Put "leakstop:allow" in a comment on its line, add its path to the
[allowlist] paths of .leakstop.toml, or record today's findings as a baseline
(--format json -o leakstop-baseline.json) and scan with --baseline leakstop-baseline.json.`

// maxTextPlaces is how many places of one secret the text format lists; a secret copied
// through thousands of commits would bury the others.
const maxTextPlaces = 10

// finding writes one secret: a header, every place it was seen, and what was done about it.
func (t *textWriter) finding(f *scanner.Finding, opts Options) {
	head := t.style(ansiBold+ansiRed, printable(f.Rule))
	if f.Provider != "" {
		head += " (" + printable(f.Provider) + ")"
	}
	head += "  " + t.style(ansiYellow, printable(f.Secret))
	if f.Confidence != "" {
		head += "  " + t.style(ansiDim, printable(f.Confidence)+" confidence")
	}
	head += "  " + t.style(ansiDim, "fingerprint "+short(f.Fingerprint, 8))
	t.printf("%s\n", head)
	var remediation string
	if opts.Rules != nil {
		if r := opts.Rules.Rule(f.Rule); r != nil {
			if r.Description != "" {
				t.printf("  %s\n", t.style(ansiDim, printable(r.Description)))
			}
			remediation = r.Remediation
		}
	}
	for i, l := range f.Locations {
		if i == maxTextPlaces && len(f.Locations) > maxTextPlaces+1 {
			more := len(f.Locations) - maxTextPlaces
			t.printf("  %s\n", t.style(ansiDim, fmt.Sprintf("… and %d more places (the JSON report lists them all)", more)))
			break
		}
		t.location(l)
	}
	if s := f.Verification; s != nil {
		t.status("verified", s, s.Status == outcome.Live)
	}
	if s := f.Revocation; s != nil {
		t.status("revoked", s, s.Status == outcome.Failed)
	}
	if f.Issue != "" {
		t.printf("  %-9s %s\n", "issue", printable(f.Issue))
	}
	if remediation != "" {
		t.printf("  %-9s %s\n", "fix", printable(remediation))
	}
	t.printf("\n")
}

// location writes one place: where, then the commit, the link and how it ships.
func (t *textWriter) location(l scanner.Location) {
	var where string
	switch {
	case l.Path != "" && (l.Commit != "" || l.URL == ""):
		where = position(l.Path, l.Line, l.Column)
	case l.URL != "":
		where = position(l.URL, l.Line, l.Column)
	default:
		where = l.Where()
	}
	if l.Repository != "" {
		where = l.Repository + ": " + where
	}
	line := "  " + t.style(ansiCyan, printable(where))
	if o := l.Origin; o != nil {
		line += "  → " + printable(position(o.Path, o.Line, o.Column))
	}
	if marks := exposure(l); marks != "" {
		line += "  " + t.style(ansiBold+ansiRed, "["+printable(marks)+"]")
	}
	if l.Encoding != "" {
		line += "  " + t.style(ansiDim, "(written "+printable(encodingWords(l.Encoding))+")")
	}
	t.printf("%s\n", line)
	if l.Commit != "" {
		c := "commit " + scanner.ShortSHA(l.Commit)
		if l.Author != "" {
			c += "  " + printable(l.Author)
			if l.Email != "" {
				c += " <" + printable(l.Email) + ">"
			}
		}
		if l.Date != "" {
			c += "  " + printable(short(l.Date, 10))
		}
		if l.Message != "" {
			c += `  "` + printable(clip(l.Message, 72)) + `"`
		}
		t.printf("      %s\n", t.style(ansiDim, c))
	}
	if l.URL != "" && where != position(l.URL, l.Line, l.Column) {
		t.printf("      %s\n", t.style(ansiDim, printable(l.URL)))
	}
}

// encodingWords says how a secret was written, for people: "base64", "split into
// concatenated strings", "url-encoded, then base64".
func encodingWords(chain string) string {
	words := map[string]string{
		rules.EncodingBase64: "base64", rules.EncodingURL: "url-encoded", rules.EncodingEscape: "escaped",
		rules.EncodingJoined: "split into joined strings", rules.EncodingShell: "split into shell variables",
	}
	var out []string
	for _, e := range strings.Split(chain, "+") {
		if w, ok := words[e]; ok {
			out = append(out, w)
		} else {
			out = append(out, e)
		}
	}
	return strings.Join(out, ", then ")
}

// exposure says how a location reaches people: "public bundle, VITE_OPENAI_API_KEY".
func exposure(l scanner.Location) string {
	var marks []string
	switch l.Exposure {
	case "":
	case scanner.ExposurePublicBundle:
		marks = append(marks, "public bundle")
	default:
		marks = append(marks, strings.ReplaceAll(l.Exposure, "-", " "))
	}
	if l.Variable != "" {
		marks = append(marks, l.Variable)
	}
	return strings.Join(marks, ", ")
}

func (t *textWriter) status(label string, s *outcome.Step, alarm bool) {
	v := printable(string(s.Status))
	if alarm {
		v = t.style(ansiBold+ansiRed, v)
	}
	// The detail is shown whole, on one line that the terminal wraps: it says what to do,
	// and names the variable to set or the page where to act, which a cut would lose.
	if s.Detail != "" {
		v += ": " + printable(s.Detail)
	}
	if !s.At.IsZero() {
		v += t.style(ansiDim, " ("+s.At.UTC().Format(time.RFC3339)+")")
	}
	t.printf("  %-9s %s\n", label, v)
}

// summary writes the closing line: "3 leaks (2 distinct secrets) in 41 files, 1.2 MiB, 35ms".
func (t *textWriter) summary(leaks, secrets int, res *scanner.Result) {
	st := res.Stats
	var read []string
	if st.Commits > 0 || st.History {
		read = append(read, count(st.Commits, "commit"))
	}
	if st.Blobs > 0 || st.History {
		read = append(read, count(st.Blobs, "blob"))
	}
	if st.URLs > 0 {
		read = append(read, count(st.URLs, "URL"))
	}
	if st.Files > 0 || (st.Commits == 0 && st.Blobs == 0 && st.URLs == 0 && !st.History) {
		read = append(read, count(st.Files, "file"))
	}
	read = append(read, humanize.IBytes(uint64(max(st.Bytes, 0))), durationText(st.DurationMS))
	if n := len(st.Repositories); n > 0 {
		read = append([]string{english.Plural(n, "repository", "repositories")}, read...)
	}
	tail := ""
	if st.Skipped > 0 {
		tail += "; " + count(st.Skipped, "place") + " skipped"
	}
	if st.Baseline > 0 {
		tail += "; hid " + count(st.Baseline, "finding") + " of the baseline"
	}
	if n := int64(len(res.Problems)); n > 0 || st.Errors > 0 {
		if n < st.Errors {
			n = st.Errors
		}
		tail += "; " + t.style(ansiBold+ansiRed, count(n, "place")+" could not be read")
	}
	where := strings.Join(read, ", ")
	if secrets == 0 {
		t.printf("%s in %s%s\n", t.style(ansiBold+ansiGreen, "no leaks found"), where, tail)
		return
	}
	found := count(int64(leaks), "leak") + " (" + count(int64(secrets), "distinct secret") + ")"
	t.printf("%s in %s%s\n", t.style(ansiBold+ansiRed, found), where, tail)
}

// repositories writes a line per repository of a scan of several, with what was read of
// it: the ones that failed first, then those with commits read or secrets found; the ones
// with nothing new are counted on one line.
func (t *textWriter) repositories(rs []scanner.RepositoryStats) {
	if len(rs) == 0 {
		return
	}
	width := len("repository")
	for _, r := range rs {
		width = max(width, len(printable(r.Repository)))
	}
	width = min(width, 48)
	t.printf("%s\n", t.style(ansiBold, fmt.Sprintf("%-*s  %-11s %8s %8s %8s %6s %8s", width, "repository", "scan", "commits", "blobs", "findings", "errors", "took")))
	quiet := 0
	row := func(r scanner.RepositoryStats) {
		scan := printable(r.Scan)
		if r.Scan == scanner.ScanFailed {
			scan = t.style(ansiBold+ansiRed, fmt.Sprintf("%-11s", scan))
		} else {
			scan = fmt.Sprintf("%-11s", scan)
		}
		errs := r.Errors
		if r.Scan == scanner.ScanFailed && errs == 0 {
			errs = 1
		}
		t.printf("%-*s  %s %8d %8d %8d %6d %8s\n", width, printable(r.Repository), scan, r.Commits, r.Blobs, r.Findings, errs, durationText(r.DurationMS))
		if r.Error != "" {
			t.printf("  %s\n", t.style(ansiDim, printable(clip(r.Error, 120))))
		}
	}
	for _, r := range rs {
		if r.Scan == scanner.ScanFailed {
			row(r)
		}
	}
	for _, r := range rs {
		switch {
		case r.Scan == scanner.ScanFailed:
		case r.Commits > 0 || r.Findings > 0 || r.Errors > 0:
			row(r)
		default:
			quiet++
		}
	}
	if quiet > 0 {
		t.printf("%s\n", t.style(ansiDim, fmt.Sprintf("… and %s with nothing new to read", english.Plural(quiet, "repository", "repositories"))))
	}
	t.printf("\n")
}

// count writes n things: "1 commit", "12 commits".
func count(n int64, thing string) string { return english.Plural(int(n), thing, "") }

// durationText writes a duration for people: "35ms", "1.2s", "2m5s".
func durationText(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case d >= time.Minute:
		d = d.Round(time.Second)
	case d >= time.Second:
		d = d.Round(100 * time.Millisecond)
	}
	return d.String()
}

func position(path string, line, col int) string {
	if line <= 0 {
		return path
	}
	s := path + ":" + strconv.Itoa(line)
	if col > 0 {
		s += ":" + strconv.Itoa(col)
	}
	return s
}

// short cuts s to n bytes: a short fingerprint, a date without its time.
func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// clip cuts s to n characters, marking the cut, and keeps one line of it.
func clip(s string, n int) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i] + "…"
	}
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
