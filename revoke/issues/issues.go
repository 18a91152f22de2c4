// Package issues files one GitHub issue per leaked secret, through go-github v62: labelled
// leaked-secret and the provider, titled with the provider and the first file, with the
// redacted secret, every location, the verification and revocation status and the steps
// to take. A hidden fingerprint marker lets later runs find the issue (by label, not by
// search) and update it, with a comment saying what changed, instead of opening another.
// Everything that comes from a repository or a provider is escaped; secrets are always
// redacted, whatever the reports show. What it says of a provider (its name, what its
// revocation also does) comes from package revoke, and every call goes through the shared
// revoke.Client, which waits out GitHub's rate limits.
package issues

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// label marks every issue leakstop files.
const label = "leaked-secret"

// Options configure a Filer.
type Options struct {
	// Owner and Repo name the repository the issues go to.
	Owner, Repo string
	// Token is GITHUB_TOKEN.
	Token string
	// APIURL is GITHUB_API_URL; empty means https://api.github.com.
	APIURL string
	// Client carries the requests: it retries on 429 and GitHub's primary and secondary
	// rate limits, audits and redacts.
	Client *revoke.Client
	// DisplayName names a provider for people ("OpenAI" for "openai"); nil means
	// revoke.DisplayName.
	DisplayName func(provider string) string
	// Notes says what a person should know of a leaked secret of provider beyond its
	// outcomes; nil means revoke.Notes.
	Notes func(provider string, revocation *outcome.Step) []revoke.Note
	// Log receives one line per issue.
	Log zerolog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Filer opens and updates the issues.
type Filer struct {
	opts Options
	gh   *github.Client
	web  string
}

// New returns a Filer.
func New(opts Options) (*Filer, error) {
	if opts.Owner == "" || opts.Repo == "" {
		return nil, errors.New("filing issues: no repository named (want OWNER/REPO)")
	}
	if opts.Token == "" {
		return nil, errors.New("filing issues: GITHUB_TOKEN is not set (a token that may write issues of the repository)")
	}
	if opts.Client == nil {
		opts.Client = &revoke.Client{}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DisplayName == nil {
		opts.DisplayName = revoke.DisplayName
	}
	if opts.Notes == nil {
		opts.Notes = revoke.Notes
	}
	api := revoke.GitHubAPIURL(opts.APIURL)
	base, err := url.Parse(api + "/")
	if err != nil {
		return nil, fmt.Errorf("filing issues: GITHUB_API_URL %q: %w", opts.APIURL, err)
	}
	gh := github.NewClient(opts.Client.HTTPClient("github", "issue", nil, true)).WithAuthToken(opts.Token)
	gh.BaseURL = base
	return &Filer{opts: opts, gh: gh, web: revoke.GitHubWebURL(api)}, nil
}

// existing is an issue an earlier run filed.
type existing struct {
	number int
	url    string
	state  string
	body   string
}

var fpMarker = regexp.MustCompile(`<!-- leakstop:fingerprint=([0-9a-f]{32}) -->`)
var stateMarker = regexp.MustCompile(`<!-- leakstop:state ([^>]*) -->`)

// File opens or updates one issue per finding and sets Finding.Issue. It goes on after a
// failure and returns the errors joined.
func (f *Filer) File(ctx context.Context, findings []*scanner.Finding) error {
	if len(findings) == 0 {
		return nil
	}
	known, err := f.list(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, fi := range findings {
		if err := f.one(revoke.WithFingerprint(ctx, fi.Fingerprint), fi, known); err != nil {
			errs = append(errs, fmt.Errorf("issue for %s: %w", fi.Shown(false), err))
		}
	}
	return errors.Join(errs...)
}

// maxListPages bounds the issue listing: 100 pages of 100 issues. A repository with more
// leaked-secret issues than that is not one leakstop's issues can help; a server whose
// next links never end is stopped.
const maxListPages = 100

// list reads every issue labelled leaked-secret, open or closed, page by page, following
// the next links at most maxListPages times and never to a page already read.
func (f *Filer) list(ctx context.Context) (map[string]*existing, error) {
	known := map[string]*existing{}
	opt := &github.IssueListByRepoOptions{Labels: []string{label}, State: "all", ListOptions: github.ListOptions{PerPage: 100}}
	read := map[int]bool{}
	for n := 1; ; n++ {
		read[max(opt.Page, 1)] = true
		page, resp, err := f.gh.Issues.ListByRepo(ctx, f.opts.Owner, f.opts.Repo, opt)
		if err != nil {
			return nil, f.describe("listing the issues labelled "+label, err)
		}
		for _, is := range page {
			m := fpMarker.FindStringSubmatch(is.GetBody())
			if m == nil {
				continue
			}
			if _, dup := known[m[1]]; dup {
				continue // the oldest wins; GitHub lists newest first by default
			}
			known[m[1]] = &existing{number: is.GetNumber(), url: is.GetHTMLURL(), state: is.GetState(), body: is.GetBody()}
		}
		if resp == nil || resp.NextPage == 0 {
			return known, nil
		}
		if read[resp.NextPage] {
			// The list links back to a page already read: what it holds is known.
			f.opts.Log.Warn().Int("page", resp.NextPage).Msg("the issue list links back to a page already read; stopping there")
			return known, nil
		}
		if n >= maxListPages {
			return nil, fmt.Errorf("listing the issues labelled %s: more than %d pages, and the next links go on; stopped, and no issue was filed (it could have been filed twice)", label, maxListPages)
		}
		opt.Page = resp.NextPage
	}
}

func (f *Filer) one(ctx context.Context, fi *scanner.Finding, known map[string]*existing) error {
	body, st := f.body(fi)
	if ex, ok := known[fi.Fingerprint]; ok {
		fi.Issue = ex.url
		old := ""
		if m := stateMarker.FindStringSubmatch(ex.body); m != nil {
			old = m[1]
		}
		if old == st.marker() {
			f.opts.Log.Info().Str("issue", ex.url).Msg("issue up to date")
			return nil
		}
		req := &github.IssueRequest{Body: github.String(body)}
		if _, _, err := f.gh.Issues.Edit(ctx, f.opts.Owner, f.opts.Repo, ex.number, req); err != nil {
			return f.describe("updating issue "+strconv.Itoa(ex.number), err)
		}
		comment := f.redact(st.changes(parseState(old), f.opts.Now()))
		if _, _, err := f.gh.Issues.CreateComment(ctx, f.opts.Owner, f.opts.Repo, ex.number, &github.IssueComment{Body: github.String(comment)}); err != nil {
			return f.describe("commenting on issue "+strconv.Itoa(ex.number), err)
		}
		ex.body = body
		f.opts.Log.Info().Str("issue", ex.url).Msg("issue updated")
		return nil
	}
	labels := []string{label}
	if fi.Provider != "" {
		labels = append(labels, fi.Provider)
	}
	req := &github.IssueRequest{Title: github.String(f.redact(f.title(fi))), Body: github.String(body), Labels: &labels}
	is, _, err := f.gh.Issues.Create(ctx, f.opts.Owner, f.opts.Repo, req)
	if err != nil {
		return f.describe("opening an issue", err)
	}
	fi.Issue = is.GetHTMLURL()
	known[fi.Fingerprint] = &existing{number: is.GetNumber(), url: is.GetHTMLURL(), state: is.GetState(), body: body}
	f.opts.Log.Info().Str("issue", fi.Issue).Msg("issue opened")
	return nil
}

func (f *Filer) describe(doing string, err error) error {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		hint := ""
		switch er.Response.StatusCode {
		case http.StatusUnauthorized:
			hint = " (check GITHUB_TOKEN)"
		case http.StatusNotFound, http.StatusForbidden:
			hint = " (check that GITHUB_TOKEN may write issues of " + f.opts.Owner + "/" + f.opts.Repo + ")"
		case http.StatusGone:
			hint = " (issues are turned off for the repository)"
		}
		return errors.New(f.redact(fmt.Sprintf("%s: HTTP %d: %s%s", doing, er.Response.StatusCode, er.Message, hint)))
	}
	return errors.New(f.redact(doing + ": " + err.Error()))
}

func (f *Filer) redact(s string) string {
	if f.opts.Client.Redactor == nil {
		return s
	}
	return f.opts.Client.Redactor.Redact(s)
}

func where(l scanner.Location) string {
	switch {
	case l.Path != "":
		return l.Path
	case l.URL != "":
		return l.URL
	}
	return l.Where()
}

func (f *Filer) title(fi *scanner.Finding) string {
	return title(fmt.Sprintf("Leaked %s secret in %s", f.opts.DisplayName(fi.Provider), where(fi.First())))
}

// permalink returns the location's URL, or a link to the commit and line in the
// repository the issues go to.
func (f *Filer) permalink(l scanner.Location) string {
	if l.URL != "" {
		return safeURL(l.URL)
	}
	if l.Commit == "" || l.Path == "" {
		return ""
	}
	segs := strings.Split(l.Path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := fmt.Sprintf("%s/%s/%s/blob/%s/%s", f.web, url.PathEscape(f.opts.Owner), url.PathEscape(f.opts.Repo), url.PathEscape(l.Commit), strings.Join(segs, "/"))
	if l.Line > 0 {
		u += "#L" + strconv.Itoa(l.Line)
	}
	return safeURL(u)
}

// state is what, when it changes, makes an issue worth updating. Times and wording are left
// out, so a run that learns nothing new leaves the issue alone.
type state struct {
	verification, revocation string
	locations                int
	hash                     string
}

func (s state) marker() string {
	return fmt.Sprintf("v=%s r=%s l=%d h=%s", s.verification, s.revocation, s.locations, s.hash)
}

func parseState(m string) state {
	var s state
	for _, kv := range strings.Fields(m) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "v":
			s.verification = v
		case "r":
			s.revocation = v
		case "l":
			s.locations, _ = strconv.Atoi(v)
		case "h":
			s.hash = v
		}
	}
	return s
}

func stateOf(fi *scanner.Finding) state {
	s := state{verification: "none", revocation: "none", locations: len(fi.Locations)}
	if fi.Verification != nil {
		s.verification = string(fi.Verification.Status)
	}
	if fi.Revocation != nil {
		s.revocation = string(fi.Revocation.Status)
	}
	h := sha256.New()
	for _, l := range fi.Locations {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\n", l.Commit, l.Path, l.Line, l.URL)
	}
	s.hash = hex.EncodeToString(h.Sum(nil))[:12]
	return s
}

// changes says, for a comment, what differs from the state an earlier run recorded.
func (s state) changes(old state, at time.Time) string {
	var lines []string
	if old.verification != s.verification {
		lines = append(lines, fmt.Sprintf("- verification: %s → **%s**", text(orNone(old.verification)), text(s.verification)))
	}
	if old.revocation != s.revocation {
		lines = append(lines, fmt.Sprintf("- revocation: %s → **%s**", text(orNone(old.revocation)), text(s.revocation)))
	}
	if old.hash != s.hash {
		lines = append(lines, fmt.Sprintf("- locations: %d → %d (the list above is current)", old.locations, s.locations))
	}
	if len(lines) == 0 {
		lines = append(lines, "- the issue text was refreshed")
	}
	return "leakstop ran again at " + at.UTC().Format(time.RFC3339) + " and saw a change:\n\n" + strings.Join(lines, "\n") + "\n"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// body renders the issue text and the state it records.
func (f *Filer) body(fi *scanner.Finding) (string, state) {
	st := stateOf(fi)
	name := f.opts.DisplayName(fi.Provider)
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- leakstop:fingerprint=%s -->\n<!-- leakstop:state %s -->\n", fi.Fingerprint, st.marker())
	fmt.Fprintf(&b, "leakstop found a leaked **%s** secret (rule %s).\n\n", text(name), code(fi.Rule))
	fmt.Fprintf(&b, "**Secret (redacted):** %s\n\n", code(fi.Shown(false)))
	b.WriteString("### Where it was seen\n\n")
	for _, l := range fi.Locations {
		place := where(l)
		if l.Line > 0 && l.Path != "" {
			place += ":" + strconv.Itoa(l.Line)
		}
		item := code(place)
		if u := f.permalink(l); u != "" {
			item = "[" + item + "](" + u + ")"
		}
		var extra []string
		if l.Commit != "" {
			extra = append(extra, "commit "+code(scanner.ShortSHA(l.Commit)))
		}
		if l.Author != "" {
			extra = append(extra, "by "+text(l.Author))
		}
		if l.Message != "" {
			extra = append(extra, "“"+text(title(firstLine(l.Message)))+"”")
		}
		if l.Date != "" {
			extra = append(extra, text(l.Date))
		}
		if l.Origin != nil && l.Origin.Path != "" {
			extra = append(extra, "source "+code(fmt.Sprintf("%s:%d", l.Origin.Path, l.Origin.Line)))
		}
		if l.Exposure != "" {
			extra = append(extra, "**"+text(l.Exposure)+"**")
		}
		if l.Variable != "" {
			extra = append(extra, "variable "+code(l.Variable))
		}
		if len(extra) > 0 {
			item += " — " + strings.Join(extra, ", ")
		}
		b.WriteString("- " + item + "\n")
	}
	b.WriteString("\n### Status\n\n")
	b.WriteString("- Verification: " + status(fi.Verification, "not checked (run with --verify)") + "\n")
	b.WriteString("- Revocation: " + status(fi.Revocation, "not attempted (run with --revoke)") + "\n")
	for _, n := range f.opts.Notes(fi.Provider, fi.Revocation) {
		b.WriteString("\n")
		if n.Label != "" {
			b.WriteString("**" + text(n.Label) + ":** ")
		}
		b.WriteString(text(n.Text) + "\n")
	}
	b.WriteString("\n### What to do\n\n")
	first := ""
	if d := fi.First().Date; d != "" {
		first = " since " + text(d)
	}
	fmt.Fprintf(&b, "1. **Rotate it.** Create a new %s credential, deploy it, and make sure the leaked one is revoked (see above).\n", text(name))
	b.WriteString("2. **Purge it from history** with [git filter-repo](https://github.com/newren/git-filter-repo): `git filter-repo --replace-text replacements.txt`, then force-push and ask everyone to re-clone. Copies in forks, clones and caches remain, so rotating is what protects you.\n")
	fmt.Fprintf(&b, "3. **Check %s's usage logs** for activity you do not recognise%s.\n", text(name), first)
	b.WriteString("\n<sub>Filed by leakstop. The hidden fingerprint marker lets the next run update this issue instead of opening another; keep it.</sub>\n")
	return f.redact(b.String()), st
}

func status(s *outcome.Step, none string) string {
	if s == nil {
		return text(none)
	}
	out := "**" + text(string(s.Status)) + "**"
	if !s.At.IsZero() {
		out += " at " + s.At.UTC().Format(time.RFC3339)
	}
	if s.Detail != "" {
		out += ": " + text(s.Detail)
	}
	return out
}
