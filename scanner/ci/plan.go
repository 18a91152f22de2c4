package ci

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize/english"
	"github.com/rs/zerolog"
)

// Plan is what a CI run scans, with every commit resolved to its full id.
type Plan struct {
	// Want is WantRange (Base..Head; all of Head's history when Base is empty), WantNothing
	// or WantHistory (every ref).
	Want Want
	// Base and Head are full commit ids.
	Base, Head string
	// Note says, for people, why this is the plan ("new branch: what main does not hold").
	Note string
	// Fetched says what was fetched from the remote to make the checkout hold the plan's
	// commits; empty when nothing was.
	Fetched string
}

// Range is the plan as the git source's Range reads it: "Base..Head", "Head" (all of its
// history), or empty (nothing, or every ref).
func (p *Plan) Range() string {
	if p.Want != WantRange {
		return ""
	}
	if p.Base == "" {
		return p.Head
	}
	return p.Base + ".." + p.Head
}

// Checkout is the clone a CI job checked out, and the remote it came from.
type Checkout struct {
	// Dir is the working tree (or a bare repository).
	Dir string
	// Remote is the remote to fetch from; empty means "origin".
	Remote string
	// Logger gets one line on what was fetched, and debug lines on each fetch.
	Logger zerolog.Logger
	// MaxDepth is the deepest shallow fetch tried before the history is fetched whole; 0
	// means 1<<14 commits.
	MaxDepth int
}

func (c *Checkout) remote() string {
	if c.Remote == "" {
		return "origin"
	}
	return c.Remote
}

func (c *Checkout) maxDepth() int {
	if c.MaxDepth > 0 {
		return c.MaxDepth
	}
	return 1 << 14
}

// FetchError is a fetch from the remote that failed, with git's message (any credential in
// a URL taken out).
type FetchError struct {
	What string
	Err  error
}

func (e *FetchError) Error() string { return "fetching " + e.What + ": " + e.Err.Error() }

func (e *FetchError) Unwrap() error { return e.Err }

// Hint says what to check.
func (e *FetchError) Hint() string {
	return "the job's checkout must have a remote it can fetch from with the credentials it already has " +
		"(actions/checkout keeps them unless persist-credentials is false); or check out with the whole history"
}

// Prepare turns an event into a plan and makes the checkout hold every commit the plan
// needs, fetching from the remote when it does not: a pull request's head and base, a
// push's before commit, the default branch of a new branch, then deeper history until the
// range is complete (no commit of it sits on the shallow boundary), and the whole history
// as a last resort. A before commit the remote no longer has (a force push) makes the push
// a new branch. It logs one line on what it fetched.
func (c *Checkout) Prepare(ctx context.Context, ev *Event) (*Plan, error) {
	f := &fetcher{c: c, depth: max(ev.Commits+1, 16)}
	plan, err := c.plan(ctx, ev, f)
	if err != nil {
		return nil, err
	}
	if w := f.words(); w != "" {
		plan.Fetched = w
		c.Logger.Info().Str("remote", c.remote()).Msg("fetched from " + c.remote() + ": " + w)
	}
	return plan, nil
}

func (c *Checkout) plan(ctx context.Context, ev *Event, f *fetcher) (*Plan, error) {
	if _, err := c.git(ctx, "rev-parse", "--git-dir"); err != nil {
		return nil, fmt.Errorf("opening the checkout %s: %w", c.Dir, err)
	}
	switch ev.Want {
	case WantNothing:
		head := ""
		if ev.Head != "" {
			head, _ = c.resolve(ctx, ev.Head)
		}
		return &Plan{Want: WantNothing, Head: head, Note: ev.Note}, nil
	case WantHistory:
		if err := f.unshallowAll(ctx); err != nil {
			return nil, err
		}
		return &Plan{Want: WantHistory, Note: ev.Note}, nil
	case WantBranch:
		return c.newBranch(ctx, ev, f, ev.Note)
	}
	head, err := f.need(ctx, ev.Head, "the head commit")
	if err != nil {
		return nil, err
	}
	if ev.Base == "" {
		if err := f.complete(ctx, "", head); err != nil {
			return nil, err
		}
		return &Plan{Want: WantRange, Head: head, Note: ev.Note}, nil
	}
	base, err := f.need(ctx, ev.Base, "the base commit")
	var gone *goneError
	if errors.As(err, &gone) && ev.System != Manual {
		// The before commit of a force push is gone from the remote: what the branch holds
		// now is scanned as a new branch's.
		note := "its before commit " + short(ev.Base) + " is gone from " + c.remote() + " (a force push): scanned as a new branch"
		return c.newBranch(ctx, ev, f, note)
	}
	if err != nil {
		return nil, err
	}
	if err := f.complete(ctx, base, head); err != nil {
		return nil, err
	}
	return &Plan{Want: WantRange, Base: base, Head: head, Note: ev.Note}, nil
}

// newBranch plans a new branch: the commits of its head that the default branch does not
// hold, or the head's whole history when it is the default branch (a first push) or there is
// no default branch to compare with.
func (c *Checkout) newBranch(ctx context.Context, ev *Event, f *fetcher, note string) (*Plan, error) {
	head, err := f.need(ctx, ev.Head, "the pushed commit")
	if err != nil {
		return nil, err
	}
	def := ev.DefaultBranch
	if def == "" {
		def = c.remoteDefault(ctx)
	}
	var tip string
	if def != "" && def != ev.Branch {
		tip, err = f.branchTip(ctx, def)
		if err != nil {
			return nil, err
		}
	}
	if tip == "" {
		if err := f.complete(ctx, "", head); err != nil {
			return nil, err
		}
		why := "no other branch to compare with: the whole history of " + short(head)
		if def != "" && def == ev.Branch {
			why = "first push of the default branch " + def + ": its whole history"
		}
		return &Plan{Want: WantRange, Head: head, Note: join(note, why)}, nil
	}
	if err := f.complete(ctx, tip, head); err != nil {
		return nil, err
	}
	return &Plan{Want: WantRange, Base: tip, Head: head, Note: join(note, "what "+def+" does not hold")}, nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// remoteDefault asks the remote which branch its HEAD names; empty when it cannot say.
func (c *Checkout) remoteDefault(ctx context.Context) string {
	out, err := c.git(ctx, "ls-remote", "--symref", c.remote(), "HEAD")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "ref: refs/heads/"); ok {
			if name, _, ok := strings.Cut(rest, "\t"); ok {
				return name
			}
		}
	}
	return ""
}

// resolve returns the full id of the commit rev names, if the checkout holds it.
func (c *Checkout) resolve(ctx context.Context, rev string) (string, error) {
	out, err := c.git(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// shallowSet is the checkout's shallow boundary: the commits whose parents it lacks.
func (c *Checkout) shallowSet(ctx context.Context) (map[string]bool, error) {
	p, err := c.git(ctx, "rev-parse", "--git-path", "shallow")
	if err != nil {
		return nil, err
	}
	path := strings.TrimSpace(p)
	if !filepath.IsAbs(path) {
		path = filepath.Join(c.Dir, path)
	}
	file, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	set := map[string]bool{}
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			set[s] = true
		}
	}
	return set, sc.Err()
}

// fetcher fetches what a plan needs, deepening as it goes, and keeps a word on each fetch.
type fetcher struct {
	c *Checkout
	// depth is the depth of the next shallow fetch.
	depth int
	// tips are the commits the plan needs; each deepening fetches them all again. at says
	// the depth each was last fetched at (absent: it was in the checkout already).
	tips []string
	at   map[string]int
	// What was fetched, for the one log line: the commits fetched by id, the depth of the
	// first shallow fetch, the depths deepened to after it, and the whole history.
	items    []string
	first    int
	deepened []int
	whole    string
}

// words says what was fetched, in one sentence part; empty when nothing was.
func (f *fetcher) words() string {
	var b strings.Builder
	if len(f.items) > 0 {
		b.WriteString(english.OxfordWordSeries(f.items, "and"))
	} else if f.first > 0 || len(f.deepened) > 0 {
		b.WriteString("more history of " + f.tipNames())
	}
	if f.first > 0 {
		b.WriteString(" at depth " + strconv.Itoa(f.first))
	}
	if n := len(f.deepened); n > 0 {
		ds := make([]string, n)
		for i, d := range f.deepened {
			ds[i] = strconv.Itoa(d)
		}
		b.WriteString(", deepened to " + english.OxfordWordSeries(ds, "and") + " until the merge base was there")
	}
	if f.whole != "" {
		if b.Len() > 0 {
			b.WriteString(", then ")
		}
		b.WriteString(f.whole)
	}
	return b.String()
}

// record notes a shallow fetch at the current depth (or a full one: how is empty).
func (f *fetcher) record(how string) {
	if how == "" {
		return
	}
	switch {
	case f.first == 0:
		f.first = f.depth
	case f.depth > f.first && !slices.Contains(f.deepened, f.depth):
		f.deepened = append(f.deepened, f.depth)
	}
}

// goneError is a commit the remote does not serve.
type goneError struct{ sha string }

func (e *goneError) Error() string { return "commit " + e.sha + " is not on the remote" }

// Hint says what to check.
func (e *goneError) Hint() string {
	return "the remote no longer has it (a force push, a deleted branch); name a commit it has"
}

func (f *fetcher) addTip(id string, depth int) {
	if f.at == nil {
		f.at = map[string]int{}
	}
	if !slices.Contains(f.tips, id) {
		f.tips = append(f.tips, id)
	}
	if depth > 0 {
		f.at[id] = depth
	}
}

// need returns the full id of rev, fetching it by id from the remote when the checkout lacks
// it. A full commit id the remote does not serve is a goneError.
func (f *fetcher) need(ctx context.Context, rev, what string) (string, error) {
	if id, err := f.c.resolve(ctx, rev); err == nil {
		f.addTip(id, 0)
		return id, nil
	}
	if !isSHA(rev) {
		// A name (a branch, a tag): fetch it from the remote.
		how, err := f.fetch(ctx, []string{rev}, false)
		if err != nil {
			return "", &FetchError{What: what + " " + rev, Err: err}
		}
		id, err := f.c.resolve(ctx, "FETCH_HEAD")
		if err != nil {
			return "", &FetchError{What: what + " " + rev, Err: err}
		}
		f.addTip(id, f.depth)
		f.record(how)
		f.items = append(f.items, what+" "+rev)
		return id, nil
	}
	if err := f.fetchAlong(ctx, rev); err != nil {
		// The tips fetched along came from the remote: a commit it refuses is rev.
		if notServed(err) {
			return "", &goneError{sha: rev}
		}
		return "", &FetchError{What: what + " " + short(rev), Err: err}
	}
	if _, err := f.c.resolve(ctx, rev); err != nil {
		return "", &goneError{sha: rev}
	}
	f.items = append(f.items, what+" "+short(rev))
	return rev, nil
}

// fetchAlong fetches the commit id together with the tips not yet fetched at the current
// depth (those that came with the checkout, one commit deep), so that one fetch connects
// them, and marks them all fetched at that depth.
func (f *fetcher) fetchAlong(ctx context.Context, id string) error {
	revs := []string{id}
	for _, t := range f.tips {
		if f.at[t] < f.depth {
			revs = append(revs, t)
		}
	}
	how, err := f.fetch(ctx, revs, false)
	if err != nil {
		return err
	}
	for _, t := range revs {
		f.addTip(t, f.depth)
	}
	f.record(how)
	return nil
}

// branchTip fetches the tip of the remote's branch and returns its id; empty when the remote
// has no such branch.
func (f *fetcher) branchTip(ctx context.Context, branch string) (string, error) {
	out, err := f.c.git(ctx, "ls-remote", "--heads", f.c.remote(), "refs/heads/"+branch)
	if err != nil {
		return "", &FetchError{What: "the branches of " + f.c.remote(), Err: err}
	}
	id, _, _ := strings.Cut(strings.TrimSpace(out), "\t")
	if !isSHA(id) {
		return "", nil
	}
	if have, err := f.c.resolve(ctx, id); err == nil {
		f.addTip(have, 0)
		return have, nil
	}
	if err := f.fetchAlong(ctx, id); err != nil {
		return "", &FetchError{What: "the default branch " + branch, Err: err}
	}
	f.items = append(f.items, "the default branch "+branch+" ("+short(id)+")")
	return id, nil
}

// complete deepens the checkout until the range base..head (head's whole history when base
// is empty) holds no commit on the shallow boundary, so that every commit it names is
// present and the merge base is found. The symmetric difference is checked, so the base's
// side reaches the merge base too and no commit of the base is scanned as new.
func (f *fetcher) complete(ctx context.Context, base, head string) error {
	for {
		shallow, err := f.c.shallowSet(ctx)
		if err != nil {
			return err
		}
		if len(shallow) == 0 {
			return nil
		}
		args := []string{"rev-list", head}
		if base != "" {
			args = []string{"rev-list", base + "..." + head}
		}
		out, err := f.c.git(ctx, args...)
		if err != nil {
			return err
		}
		cut := false
		for _, id := range strings.Fields(out) {
			if shallow[id] {
				cut = true
				break
			}
		}
		if !cut {
			return nil
		}
		if base == "" || f.depth*2 > f.c.maxDepth() {
			// All of a history is wanted, or deepening has gone far enough: fetch the
			// history of the tips whole.
			if _, err := f.fetch(ctx, f.tips, true); err != nil {
				return &FetchError{What: "the whole history of " + short(head), Err: err}
			}
			f.whole = "the whole history of " + f.tipNames()
			return nil
		}
		// A tip that came with the checkout (one commit deep) is first fetched at the depth
		// the others were; after that, each round doubles the depth.
		if f.fetchedAll() {
			f.depth *= 2
		}
		how, err := f.fetch(ctx, f.tips, false)
		if err != nil {
			return &FetchError{What: "deeper history", Err: err}
		}
		for _, t := range f.tips {
			f.addTip(t, f.depth)
		}
		f.record(how)
	}
}

// fetchedAll reports whether every tip was fetched at the current depth already.
func (f *fetcher) fetchedAll() bool {
	for _, t := range f.tips {
		if f.at[t] < f.depth {
			return false
		}
	}
	return true
}

// unshallowAll fetches the whole history of every branch and tag when the checkout is
// shallow (a scheduled full scan after a default actions/checkout).
func (f *fetcher) unshallowAll(ctx context.Context) error {
	shallow, err := f.c.shallowSet(ctx)
	if err != nil || len(shallow) == 0 {
		return err
	}
	remote := f.c.remote()
	_, err = f.c.git(ctx, "fetch", "--quiet", "--unshallow", "--tags", remote,
		"+refs/heads/*:refs/remotes/"+remote+"/*")
	if err != nil {
		return &FetchError{What: "the whole history", Err: err}
	}
	f.whole = "the whole history of every branch and tag (the checkout was shallow)"
	return nil
}

// fetch fetches revs from the remote: at the current depth in a shallow checkout (the whole
// history with whole set), and in full in a complete one, where a depth would make it
// shallow. It returns a word on the depth for the log.
func (f *fetcher) fetch(ctx context.Context, revs []string, whole bool) (string, error) {
	shallow, err := f.c.shallowSet(ctx)
	if err != nil {
		return "", err
	}
	args := []string{"fetch", "--quiet", "--no-tags", "--no-recurse-submodules"}
	how := ""
	switch {
	case len(shallow) == 0:
	case whole:
		args = append(args, "--unshallow")
	default:
		args = append(args, "--depth="+strconv.Itoa(f.depth))
		how = " (depth " + strconv.Itoa(f.depth) + ")"
	}
	args = append(append(args, f.c.remote()), revs...)
	f.c.Logger.Debug().Strs("args", args).Msg("git fetch")
	_, err = f.c.git(ctx, args...)
	return how, err
}

func (f *fetcher) tipNames() string {
	var names []string
	for _, t := range f.tips {
		names = append(names, short(t))
	}
	return english.OxfordWordSeries(names, "and")
}

// notServed reports whether git said the remote does not serve a commit asked for by id.
func notServed(err error) bool {
	msg := err.Error()
	for _, s := range []string{"not our ref", "couldn't find remote ref", "no such remote ref", "unadvertised object"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func short(sha string) string {
	if len(sha) > 12 && isSHA(sha) {
		return sha[:12]
	}
	return sha
}

// git runs git in the checkout, isolated from the user's pager and prompts; it keeps the
// credentials the checkout has (an http.extraheader, a credential helper, a URL) and says
// none of them: credentials in URLs are taken out of git's messages.
func (c *Checkout) git(ctx context.Context, args ...string) (string, error) {
	dir := c.Dir
	if dir == "" {
		dir = "."
	}
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir, "-c", "core.quotePath=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat", "LC_ALL=C")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return "", fmt.Errorf("git %s: %w", args[0], err)
		}
		return "", errors.New("git " + args[0] + ": " + lastLines(hideCredentials(msg), 3))
	}
	return string(out), nil
}

// urlCredentials matches the user information of a URL.
var urlCredentials = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@`)

// hideCredentials takes user names and tokens out of the URLs in s.
func hideCredentials(s string) string {
	return urlCredentials.ReplaceAllString(s, "${1}***@")
}

// lastLines keeps the last n non-empty lines of s, joined with "; ".
func lastLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}
