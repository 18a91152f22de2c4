package actions

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/dustin/go-humanize/english"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// Scan says what a CI run scanned, for the summary's last section.
type Scan struct {
	// Event is the CI event in a few words ("GitHub Actions push (force push)").
	Event string
	// Range is what was scanned, in git's words ("3f1c…..9a8b"); empty with Nothing.
	Range string
	// Note says why ("new branch; what main does not hold").
	Note string
	// Fetched says what was fetched from the remote first; empty when nothing was.
	Fetched string
	// Nothing marks an event that adds no commit: nothing was scanned.
	Nothing bool
	// AnnotationsLeft is how many findings got no annotation (GitHub's cap).
	AnnotationsLeft int
	// Skipped says what the run did not do, and why ("verify, revoke and issues: a fork's
	// pull request").
	Skipped string
}

// WriteSummary writes the job summary in GitHub's markdown: a headline, a table of the
// secrets (live first) with where each came in, linked to the commit and line, and what
// became of it; the totals; and what was scanned. It stays under limit bytes (MaxSummary
// when 0): rows that do not fit are counted in an "and N more" line. Secrets are always
// redacted, and text from the repository cannot open HTML or markdown.
func WriteSummary(w io.Writer, res *scanner.Result, scan Scan, opts Options, limit int) error {
	if limit <= 0 {
		limit = MaxSummary
	}
	if res == nil {
		res = &scanner.Result{}
	}
	red := redactor(res.Findings)
	fs := ordered(res.Findings)
	t := Count(fs)

	var head strings.Builder
	switch {
	case scan.Nothing:
		head.WriteString("## leakstop: nothing new to scan\n\n")
	case t.Secrets == 0:
		head.WriteString("## leakstop: no leaked secret\n\n")
	default:
		fmt.Fprintf(&head, "## leakstop: %s found\n\n", english.Plural(t.Secrets, "leaked secret", ""))
		if t.Live > 0 {
			fmt.Fprintf(&head, "> [!CAUTION]\n> %s still %s: revoke %s with the provider now.\n\n",
				english.Plural(t.Live, "secret", ""), english.PluralWord(t.Live, "works", "work"), english.PluralWord(t.Live, "it", "them"))
		}
		head.WriteString("| Provider | Rule | Secret | First seen | Verification | Revocation | Issue |\n")
		head.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	}

	var tail strings.Builder
	if t.Secrets > 0 {
		fmt.Fprintf(&tail, "\n**%s** in %s", english.Plural(t.Secrets, "secret", ""), english.Plural(t.Places, "place", ""))
		var parts []string
		for _, p := range []struct {
			n    int
			word string
		}{{t.Live, "live"}, {t.Revoked, "revoked"}, {t.Unknown, "unknown"}, {t.Invalid, "invalid"}} {
			if p.n > 0 {
				parts = append(parts, strconv.Itoa(p.n)+" "+p.word)
			}
		}
		if len(parts) > 0 {
			tail.WriteString(": " + strings.Join(parts, ", "))
		}
		tail.WriteString(".\n")
		if scan.AnnotationsLeft > 0 {
			fmt.Fprintf(&tail, "\n%s got no annotation: GitHub shows %d a step. The table lists every one.\n",
				english.Plural(scan.AnnotationsLeft, "more secret", "more secrets"), MaxAnnotations)
		}
	}
	if n := len(res.Problems); n > 0 {
		fmt.Fprintf(&tail, "\n> [!WARNING]\n> %s could not be read (see the log); the rest was scanned.\n",
			english.Plural(n, "place", ""))
	}
	if scan.Skipped != "" {
		tail.WriteString("\n" + text(red.Redact(scan.Skipped)) + "\n")
	}
	tail.WriteString("\n### What was scanned\n\n")
	tail.WriteString("| Event | Range | Commits | Blobs | Bytes | Took |\n| --- | --- | --- | --- | --- | --- |\n")
	rng := "nothing"
	switch {
	case scan.Range != "":
		rng = code(scan.Range)
	case !scan.Nothing:
		rng = "every branch and tag"
	}
	st := res.Stats
	fmt.Fprintf(&tail, "| %s | %s | %d | %d | %s | %s |\n", text(red.Redact(scan.Event)), rng, st.Commits, st.Blobs,
		humanize.IBytes(uint64(max(st.Bytes, 0))), (time.Duration(st.DurationMS) * time.Millisecond).String())
	if scan.Note != "" {
		tail.WriteString("\n" + text(red.Redact(scan.Note)) + "\n")
	}
	if scan.Fetched != "" {
		tail.WriteString("\nFetched from origin first: " + text(red.Redact(scan.Fetched)) + ".\n")
	}

	// The rows that fit; a line says how many did not.
	budget := limit - head.Len() - tail.Len() - len(moreRow(len(fs)))
	var rows strings.Builder
	shown := 0
	for _, f := range fs {
		row := summaryRow(f, opts, red)
		if rows.Len()+len(row) > budget {
			break
		}
		rows.WriteString(row)
		shown++
	}
	if shown < len(fs) {
		rows.WriteString(moreRow(len(fs) - shown))
	}
	_, err := io.WriteString(w, head.String()+rows.String()+tail.String())
	return err
}

// moreRow is the table's last row when rows were left out.
func moreRow(n int) string {
	return fmt.Sprintf("| … and %s more, in the JSON report | | | | | | |\n", strconv.Itoa(n))
}

// summaryRow is a secret's row of the table.
func summaryRow(f *scanner.Finding, opts Options, red interface{ Redact(string) string }) string {
	provider := f.Provider
	if provider == "" {
		provider = "-"
	}
	l := f.First()
	seen := "-"
	if where := place(l); where != "" {
		seen = link(code(clip(red.Redact(where), 300)), opts.blobURL(l))
	}
	if l.Commit != "" {
		seen += " in " + link(code(scanner.ShortSHA(l.Commit)), opts.commitURL(l.Commit))
	}
	if n := len(f.Locations); n > 1 {
		seen += fmt.Sprintf(" (+%d)", n-1)
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s |\n",
		text(provider), code(f.Rule), code(f.Shown(false)), seen,
		status(f.Verification, red), status(f.Revocation, red), issueLink(f.Issue))
}

// status writes an outcome, the provider's words in a tooltip-free short form.
func status(s *outcome.Step, red interface{ Redact(string) string }) string {
	if s == nil {
		return "-"
	}
	out := text(string(s.Status))
	if s.Status == outcome.Live || s.Status == outcome.Failed {
		out = "**" + out + "**"
	}
	if s.Detail != "" {
		out += "<br>" + text(clip(red.Redact(s.Detail), 120))
	}
	return out
}

var issueNumber = regexp.MustCompile(`/issues/(\d+)$`)

func issueLink(u string) string {
	if u == "" {
		return "-"
	}
	label := "issue"
	if m := issueNumber.FindStringSubmatch(u); m != nil {
		label = "\\#" + m[1]
	}
	return link(label, u)
}
