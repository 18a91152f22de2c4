// Package actions writes a scan's findings in GitHub Actions' own terms: ::add-mask:: lines
// that make the runner hide every secret from the rest of the job's log, ::error
// annotations on the files of the checked-out tree (live secrets first, within GitHub's cap
// a step), the job summary (a markdown table for $GITHUB_STEP_SUMMARY, under the runner's
// size limit) and step outputs for $GITHUB_OUTPUT. Only the mask lines hold secrets; every
// other output shows them redacted, whatever the command was asked, and neutralises what the
// scanned repository put in paths and commit subjects.
package actions

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// MaxAnnotations is how many error annotations GitHub keeps for one step; the runner drops
// the rest, so the writer stops there and says how many it left out.
const MaxAnnotations = 10

// MaxSummary is the most a step's job summary may hold: the runner refuses a larger one.
const MaxSummary = 1 << 20

// Options say where the findings' links point.
type Options struct {
	// ServerURL and Repository make links to commits and files ("https://github.com",
	// "acme/app"); without them nothing is linked.
	ServerURL, Repository string
	// Root is the checked-out working tree: a finding is annotated on a file only where the
	// file there still holds the secret on the line, so the annotation lands on the line.
	Root string
}

// escapeData escapes the message of a workflow command as the runner reads it.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value of a workflow command.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// minMaskLine is the shortest line of a multi-line secret that is masked on its own: shorter
// lines ("-----END", blank lines) are too common to hide everywhere in a log.
const minMaskLine = 8

// WriteMasks writes an ::add-mask:: line for every secret of the findings and for the values
// found beside them (an AWS secret key), so that the runner hides them from every later
// line of the job's log, this step's included. A secret of several lines (a private key) is
// also masked a line at a time, as the runner may print it a line at a time. These are the
// only lines of this package that hold secrets, so they must come before anything else is
// printed about the findings.
func WriteMasks(w io.Writer, fs []*scanner.Finding) error {
	bw := bufio.NewWriter(w)
	seen := map[string]bool{}
	mask := func(v string) {
		if v == "" || seen[v] {
			return
		}
		seen[v] = true
		bw.WriteString("::add-mask::" + escapeData(v) + "\n")
	}
	for _, f := range fs {
		for _, v := range []string{f.Secret, f.Companion} {
			mask(v)
			if strings.ContainsAny(v, "\r\n") {
				for _, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }) {
					// PEM armour lines ("-----BEGIN RSA PRIVATE KEY-----") are no secret.
					line = strings.TrimSpace(line)
					if len(line) >= minMaskLine && !(strings.HasPrefix(line, "-----") && strings.HasSuffix(line, "-----")) {
						mask(line)
					}
				}
			}
		}
	}
	return bw.Flush()
}

// rank orders findings for people: live secrets first, then those whose state is unknown,
// then those not verified, then the invalid ones.
func rank(f *scanner.Finding) int {
	if f.Verification == nil {
		return 2
	}
	switch f.Verification.Status {
	case outcome.Live:
		return 0
	case outcome.Unknown:
		return 1
	case outcome.Invalid:
		return 3
	}
	return 2
}

// ordered returns the findings live first, keeping the report's order otherwise.
func ordered(fs []*scanner.Finding) []*scanner.Finding {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b *scanner.Finding) int { return rank(a) - rank(b) })
	return out
}

// redactor knows every secret of the findings, as the last guard on text from elsewhere.
func redactor(fs []*scanner.Finding) *rules.Redactor {
	red := &rules.Redactor{}
	for _, f := range fs {
		if f.Secret != "" {
			red.Add(f.Secret, f.Shown(false))
		}
		if f.Companion != "" {
			red.Add(f.Companion, rules.Redact(f.Companion, ""))
		}
	}
	return red
}

// WriteAnnotations writes an ::error annotation for each finding, live secrets first, at most
// MaxAnnotations; it returns how many findings it left out. A finding whose secret is still
// in a file of the checked-out tree is annotated on that file, line and column; one that is
// only in history is annotated on the run, with the commit that brought it.
func WriteAnnotations(w io.Writer, fs []*scanner.Finding, opts Options) (left int, err error) {
	red := redactor(fs)
	bw := bufio.NewWriter(w)
	list := ordered(fs)
	for i, f := range list {
		if i == MaxAnnotations {
			left = len(list) - i
			break
		}
		var props []string
		if p, ok := placeInTree(opts.Root, f); ok {
			props = append(props, "file="+escapeProperty(p.Path), "line="+strconv.Itoa(p.Line))
			if p.Column > 0 {
				props = append(props, "col="+strconv.Itoa(p.Column))
			}
		}
		props = append(props, "title="+escapeProperty(plain(red.Redact(title(f)))))
		bw.WriteString("::error " + strings.Join(props, ",") + "::" + escapeData(plain(red.Redact(message(f)))) + "\n")
	}
	return left, bw.Flush()
}

// plain is text for the log: no control characters, so a path or subject cannot drive the
// terminal the log is read in nor start a workflow command of its own.
func plain(s string) string {
	return strings.Join(strings.Fields(flatten(s)), " ")
}

// title is an annotation's title: what leaked, and whether it is live.
func title(f *scanner.Finding) string {
	who := f.Provider
	if who == "" {
		who = f.Rule
	}
	switch {
	case f.Revocation != nil && f.Revocation.Status == outcome.Revoked:
		return "Leaked " + who + " secret (revoked)"
	case f.Verification != nil && f.Verification.Status == outcome.Live:
		return "Live " + who + " secret"
	}
	return "Leaked " + who + " secret"
}

// message says where a secret came in and what became of it, in a line.
func message(f *scanner.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (rule %s)", f.Shown(false), f.Rule)
	if l := f.First(); l.Path != "" || l.Commit != "" {
		b.WriteString(" in " + place(l))
		if l.Commit != "" {
			b.WriteString(", commit " + scanner.ShortSHA(l.Commit))
		}
		if l.Author != "" {
			b.WriteString(" by " + l.Author)
		}
		if len(l.Date) >= 10 {
			b.WriteString(" on " + l.Date[:10])
		}
	}
	if n := len(f.Locations); n > 1 {
		fmt.Fprintf(&b, " (and %d more %s)", n-1, plural(n-1, "place"))
	}
	b.WriteString(".")
	if v := f.Verification; v != nil {
		b.WriteString(" Verification: " + string(v.Status))
		if v.Detail != "" {
			b.WriteString(" (" + clip(v.Detail, 200) + ")")
		}
		b.WriteString(".")
	}
	if r := f.Revocation; r != nil {
		b.WriteString(" Revocation: " + string(r.Status))
		if r.Detail != "" {
			b.WriteString(" (" + clip(r.Detail, 200) + ")")
		}
		b.WriteString(".")
	}
	if f.Issue != "" {
		b.WriteString(" Issue: " + f.Issue)
	}
	if f.Revocation == nil || f.Revocation.Status != outcome.Revoked {
		b.WriteString(" Revoke it with its provider, then take it out of the code.")
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// place writes a location as path:line.
func place(l scanner.Location) string {
	p := l.Path
	if p == "" && l.URL != "" {
		p = l.URL
	}
	if l.Line > 0 {
		p += ":" + strconv.Itoa(l.Line)
	}
	return p
}

// maxTreeFile bounds the files read to place an annotation.
const maxTreeFile = 10 << 20

// placeInTree returns the first location of f whose file in the checked-out tree still
// holds the secret on its line, with the column where it stands there now.
func placeInTree(root string, f *scanner.Finding) (scanner.Location, bool) {
	if root == "" || f.Secret == "" {
		return scanner.Location{}, false
	}
	for _, l := range f.Locations {
		if l.Path == "" || l.Line <= 0 || l.URL != "" || filepath.IsAbs(l.Path) || strings.ContainsFunc(l.Path, isControl) {
			continue
		}
		clean := filepath.Clean(filepath.FromSlash(l.Path))
		if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
			continue
		}
		line, ok := readLine(filepath.Join(root, clean), l.Line)
		if !ok {
			continue
		}
		i := strings.Index(line, f.Secret)
		if i < 0 {
			continue
		}
		l.Column = utf8.RuneCountInString(line[:i]) + 1
		return l, true
	}
	return scanner.Location{}, false
}

// isControl matches the characters a file property cannot carry: the runner's escapes cover
// CR and LF, not the rest (a terminal escape would reach the log as it is).
func isControl(r rune) bool { return (r < 0x20 && r != '\r' && r != '\n') || r == 0x7f }

// readLine returns line n (from 1) of a regular file no larger than maxTreeFile.
func readLine(path string, n int) (string, bool) {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() || info.Size() > maxTreeFile {
		return "", false
	}
	file, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64<<10), maxTreeFile)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return sc.Text(), true
		}
	}
	return "", false
}

// Totals count a scan's findings for the summary and the step outputs.
type Totals struct {
	Secrets, Places, Live, Revoked, Unknown, Invalid int
}

// Count counts the findings.
func Count(fs []*scanner.Finding) Totals {
	var t Totals
	for _, f := range fs {
		t.Secrets++
		t.Places += len(f.Locations)
		if v := f.Verification; v != nil {
			switch v.Status {
			case outcome.Live:
				t.Live++
			case outcome.Unknown:
				t.Unknown++
			case outcome.Invalid:
				t.Invalid++
			}
		}
		if r := f.Revocation; r != nil && r.Status == outcome.Revoked {
			t.Revoked++
		}
	}
	return t
}

// Output is one step output.
type Output struct {
	Name, Value string
}

// WriteOutputs writes step outputs for $GITHUB_OUTPUT in the syntax that holds any value,
// several lines included: name<<DELIMITER, the value, DELIMITER. delim must be fresh and
// random (NewDelimiter), so a value cannot end its own entry and set another output.
func WriteOutputs(w io.Writer, outs []Output, delim string) error {
	if delim == "" {
		return errors.New("writing step outputs: no delimiter")
	}
	var b strings.Builder
	for _, o := range outs {
		if o.Name == "" || strings.ContainsAny(o.Name, "<=\r\n") {
			return fmt.Errorf("writing step outputs: %q is not an output name", o.Name)
		}
		if strings.Contains(o.Value, delim) || strings.Contains(o.Name, delim) {
			return fmt.Errorf("writing step outputs: the value of %s holds the delimiter", o.Name)
		}
		b.WriteString(o.Name + "<<" + delim + "\n" + o.Value + "\n" + delim + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// NewDelimiter returns a delimiter for WriteOutputs, as the runner's own toolkit makes them.
func NewDelimiter() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return "ghadelimiter_" + hex.EncodeToString(b[:])
}

// blobURL links a place in a commit on the forge: SERVER/REPO/blob/COMMIT/PATH#LLINE.
func (o Options) blobURL(l scanner.Location) string {
	if o.ServerURL == "" || o.Repository == "" || l.Commit == "" || l.Path == "" || filepath.IsAbs(l.Path) {
		return ""
	}
	segs := strings.Split(l.Path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := strings.TrimSuffix(o.ServerURL, "/") + "/" + o.Repository + "/blob/" + url.PathEscape(l.Commit) + "/" + strings.Join(segs, "/")
	if l.Line > 0 {
		u += "#L" + strconv.Itoa(l.Line)
	}
	return u
}

// commitURL links a commit on the forge.
func (o Options) commitURL(sha string) string {
	if o.ServerURL == "" || o.Repository == "" || sha == "" {
		return ""
	}
	return strings.TrimSuffix(o.ServerURL, "/") + "/" + o.Repository + "/commit/" + url.PathEscape(sha)
}
