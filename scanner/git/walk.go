package git

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/dustin/go-humanize/english"
)

// histWalk is the git reader's walk of the commits of a scan: for every blob a commit
// introduced at a path, the commits and paths. It holds one entry per blob and path, as the
// listing of blobs does.
//
// The walk costs about as much as reading the trees, so it starts only when the first match
// shows that it will be needed, and then runs beside the reading; a clean history never pays
// for it. (Starting it with the listing, stopped with SIGSTOP when reading began unless a
// match had come, took 0.10 s off the benchmark history but added 0.14 s to a clean one: the
// listing, though it leaves a core idle, ran half as fast beside the walk.) The first match
// comes from an engine worker, which has no context to give: the walk runs under a context
// of its own, which stop (called when the scan's context ends) cancels.
//
// On a large history read from the packs (split), the walk goes in two halves at once
// (walkSplit): the walk alone costs about what git takes to read every object, and one
// `git log` left it running seconds after the reading had ended.
type histWalk struct {
	repo *repository
	once sync.Once
	mu   sync.Mutex
	// stopped is set once the scan's context has ended: the walk no longer starts.
	stopped bool
	// cancel, set when the walk starts, stops it.
	cancel context.CancelFunc
	// done is closed when the walk is over; err, intros, links and commits are set then.
	done    chan struct{}
	err     error
	intros  map[string][]intro
	links   map[string]*commitInfo // submodules: the first commit seen setting each path
	commits int64
	// split, when set, is where the walk is cut in two (a count of commits, about half the
	// history's): two `git log` processes walk the halves at once (walkSplit).
	split int64
	// halved is set when the walk went in two halves (split) to the end.
	halved bool
}

// newHistWalk returns the walk of repo, not started: start starts it, stop stops it (or
// keeps it from starting). Until the walk is started it costs nothing.
func newHistWalk(repo *repository) *histWalk {
	return &histWalk{repo: repo, done: make(chan struct{})}
}

// start starts the walk in the background, once, unless stop came first.
func (h *histWalk) start() {
	h.once.Do(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.stopped {
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		h.cancel = cancel
		go func() {
			defer cancel()
			defer close(h.done)
			if h.split > 0 {
				var ok bool
				if h.intros, h.links, h.commits, ok = walkSplit(ctx, h.repo, h.split); ok || ctx.Err() != nil {
					h.halved = ok
					return
				}
				// A half failed: the walk starts again as one, which goes past what
				// cannot be read and says what it is.
			}
			w := newWalkMaps()
			h.err = walkGit(ctx, h.repo, w.visitor(), &h.commits)
			h.intros, h.links = w.intros, w.links
		}()
	})
}

// walkMaps is what a walk found: the introductions of each blob, in the walk's order, and
// the first commit seen setting each submodule path.
type walkMaps struct {
	intros map[string][]intro
	links  map[string]*commitInfo
}

func newWalkMaps() *walkMaps {
	return &walkMaps{intros: map[string][]intro{}, links: map[string]*commitInfo{}}
}

func (w *walkMaps) visitor() visitor {
	return visitor{
		blob: func(c *commitInfo, path, blob string) {
			w.intros[blob] = append(w.intros[blob], intro{commit: c, path: path})
		},
		link: func(c *commitInfo, path string) {
			if _, ok := w.links[path]; !ok && len(w.links) < maxLinks {
				w.links[path] = c
			}
		},
	}
}

// add adds what the walk of the next part of the history found, as one walk of both would
// have: introductions after those found before, a submodule path's first commit the first
// part's.
func (w *walkMaps) add(next *walkMaps) {
	for blob, list := range next.intros {
		w.intros[blob] = append(w.intros[blob], list...)
	}
	for path, c := range next.links {
		if _, ok := w.links[path]; !ok && len(w.links) < maxLinks {
			w.links[path] = c
		}
	}
}

// minSplit is the history, in commits, from which the walk goes in two parts at once. On
// git/git (203,352 commits) the two halves took 9.3 s and 8.4 s side by side, where one walk
// took 16-18 s; the output of the two, one after the other, is the output of one.
const minSplit = 20_000

// walkSplit walks the history in two `git log` processes at once: the first at commits
// from the newest, the second skipping those (git log's --skip counts the same commits in
// the same order). What they find, the first's then the second's, is what one walk finds.
// ok is false when either could not walk its half (a commit it could not diff): the caller
// then walks again as one, which goes on past such commits.
func walkSplit(ctx context.Context, repo *repository, at int64) (intros map[string][]intro, links map[string]*commitInfo, commits int64, ok bool) {
	halves := [2]*walkMaps{newWalkMaps(), newWalkMaps()}
	var counts [2]int64
	var errs [2]error
	var wg sync.WaitGroup
	for i, arg := range []string{"--max-count=" + strconv.FormatInt(at, 10), "--skip=" + strconv.FormatInt(at, 10)} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			failed, err := walkLog(ctx, repo, []string{arg}, halves[i].visitor(), &counts[i])
			errs[i] = cmp.Or(failed, err)
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		return nil, nil, 0, false
	}
	halves[0].add(halves[1])
	return halves[0].intros, halves[0].links, counts[0] + counts[1], true
}

// stop ends the walk if it runs, and keeps it from starting if it does not yet.
func (h *histWalk) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
	if h.cancel != nil {
		h.cancel()
	}
}

// wait waits for the walk to end, if it was started; started is false if it never was.
func (h *histWalk) wait(ctx context.Context) (started bool, err error) {
	h.mu.Lock()
	started = h.cancel != nil
	h.mu.Unlock()
	if !started {
		return false, nil
	}
	select {
	case <-h.done:
		return true, h.err
	case <-ctx.Done():
		return true, ctx.Err()
	}
}

// count returns the number of commits of the scan, for a scan whose history was not
// walked: rev-list's count, which costs little.
func (h *histWalk) count(ctx context.Context) int64 {
	cmd := gitCmd(ctx, h.repo.gitDir, append([]string{"rev-list", "--count"}, h.repo.revArgs()...)...)
	h.repo.revInput(cmd)
	out, err := cmd.Output()
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	return n
}

// visitor is what a walk of the history tells, for each commit: every path whose blob the
// commit introduced, and every path at which it set a submodule's commit (a gitlink).
type visitor struct {
	blob func(c *commitInfo, path, blob string)
	// link, when set, is told each path where the commit set a gitlink.
	link func(c *commitInfo, path string)
	// head, when set, is told each commit as its output starts.
	head func(c *commitInfo)
}

// walkArgs are the diff options of the history walk, for `git log` and `git diff-tree`
// alike: one raw record per path a commit changed, merges in the combined form, object ids
// in full, NUL-separated, each commit's id behind a \x01.
var walkArgs = []string{"--raw", "-c", "--no-renames", "--no-abbrev", "--root", "-z", "--no-color", "--no-ext-diff", "--format=%x01%H"}

// walkGit walks the commits of the scan with `git log --raw`, telling v each path whose
// blob a commit introduced: a blob that no parent has at that path (for a merge: none of its
// parents, as git's combined diff says). The commits v is given have their ids only;
// describe fills in the rest. It counts the commits in commits.
//
// A commit that git cannot diff (a tree missing or corrupt) stops `git log`; the walk then
// goes on with the commits git log did not reach (walkRest), one `git diff-tree` at a time,
// and returns a *walkError naming the commits it could not walk. Any other error means the
// walk did not end.
func walkGit(ctx context.Context, repo *repository, v visitor, commits *int64) error {
	var (
		seen int64 // commits whose output started
		last string
	)
	counted := v
	counted.head = func(c *commitInfo) {
		seen++
		last = c.sha
		if v.head != nil {
			v.head(c)
		}
	}
	failed, err := walkLog(ctx, repo, nil, counted, commits)
	if failed == nil {
		return err
	}
	// git log stopped on a commit it could not diff: the rest is walked without it.
	return walkRest(ctx, repo, v, seen, last, failed, commits)
}

// walkLog runs one `git log` walk (with extra arguments: a part of the history), telling v
// what it finds and counting the commits in commits once it ends. failed is git's error
// when git stopped on a commit it could not diff; err any other error.
func walkLog(ctx context.Context, repo *repository, extra []string, v visitor, commits *int64) (failed, err error) {
	args := append(append([]string{"-c", deltaCache, "log"}, walkArgs...), extra...)
	cmd := gitCmd(ctx, repo.gitDir, append(args, repo.revArgs()...)...)
	repo.revInput(cmd)
	pipe, stderr, err := startReading(cmd)
	if err != nil {
		return nil, err
	}
	defer pipe.Close()
	var n int64
	parseErr := parseLog(bufio.NewReaderSize(pipe, 256<<10), v, &n)
	if parseErr != nil {
		cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	switch {
	case parseErr != nil:
		return nil, parseErr
	case waitErr == nil:
		*commits = n
		return nil, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	return gitError("log", stderr, waitErr), nil
}

// maxWalkFailures bounds the commits a walk goes past: beyond it, the history is taken to
// be too damaged to walk, and what was placed is kept.
const maxWalkFailures = 100

// walkError names the commits a walk could not diff, grouped by git's message: one missing
// tree that many commits share is one failure.
type walkError struct {
	failures []walkFailure
	// stopped is set when the walk gave up (maxWalkFailures, or the commits could not be
	// listed): commits after the last failure were not walked.
	stopped error
}

// walkFailure is one thing git said, and the commits it said it of (the first one named).
type walkFailure struct {
	msg     string
	commits []string
}

func (e *walkError) add(commit string, err error) {
	msg := err.Error()
	for i := range e.failures {
		if e.failures[i].msg == msg {
			e.failures[i].commits = append(e.failures[i].commits, commit)
			return
		}
	}
	e.failures = append(e.failures, walkFailure{msg: msg, commits: []string{commit}})
}

func (e *walkError) count() int {
	n := 0
	for _, f := range e.failures {
		n += len(f.commits)
	}
	return n
}

func (e *walkError) Error() string {
	var parts []string
	for _, f := range e.failures {
		parts = append(parts, f.text())
	}
	if e.stopped != nil {
		parts = append(parts, e.stopped.Error())
	}
	return "walking history: " + strings.Join(parts, "; ")
}

// text says what git said and of which commits.
func (f walkFailure) text() string {
	what := "commit " + f.commits[0]
	if n := len(f.commits) - 1; n > 0 {
		what += fmt.Sprintf(" (and %s more)", english.Plural(n, "commit", ""))
	}
	return what + ": " + f.msg
}

// walkRest walks the commits of the scan that `git log` did not reach once it stopped on
// one it could not diff (failed): done of them had started, the last being last, in the
// order rev-list lists them too. It lists the commits with rev-list and diffs the rest with
// `git diff-tree --stdin`, past each commit that git cannot diff. The count of commits is
// rev-list's.
func walkRest(ctx context.Context, repo *repository, v visitor, done int64, last string, failed error, commits *int64) error {
	werr := &walkError{}
	ids, err := revList(ctx, repo)
	if err != nil {
		werr.stopped = fmt.Errorf("listing the commits: %w", err)
	}
	*commits = max(int64(len(ids)), done)
	// git log and rev-list walk in the same order; the commit git log was on when it
	// stopped is walked again (whatever it had written of it counts once: places repeat
	// harmlessly). Should the orders differ, every commit is walked again.
	rest := ids
	if done > 0 && done <= int64(len(ids)) && ids[done-1] == last {
		rest = ids[done-1:]
	}
	for len(rest) > 0 {
		n, err := diffTrees(ctx, repo.gitDir, rest, v)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if n >= len(rest) {
			// Every commit was diffed and git still failed: it names the last.
			n = len(rest) - 1
		}
		werr.add(rest[n], err)
		rest = rest[n+1:]
		if werr.count() >= maxWalkFailures && len(rest) > 0 {
			werr.stopped = fmt.Errorf("%s left unwalked after %d that could not be read", english.Plural(len(rest), "commit", ""), maxWalkFailures)
			break
		}
	}
	if len(werr.failures) == 0 {
		// git log failed on a commit that diff-tree could read (a fault that came and went,
		// or one in git log alone): still a walk that did not end cleanly.
		werr.add(last, failed)
	}
	return werr
}

// revList lists the commits of the scan, newest first as git log walks them. On an error
// it returns the commits listed before it.
func revList(ctx context.Context, repo *repository) ([]string, error) {
	cmd := gitCmd(ctx, repo.gitDir, append([]string{"rev-list"}, repo.revArgs()...)...)
	repo.revInput(cmd)
	return readIDs(cmd, "rev-list")
}

// readIDs runs cmd, named name, and returns the object ids it writes, one a line. On an
// error it returns those it wrote before.
func readIDs(cmd *exec.Cmd, name string) ([]string, error) {
	pipe, stderr, err := startReading(cmd)
	if err != nil {
		return nil, err
	}
	defer pipe.Close()
	var ids []string
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		if id := sc.Bytes(); isOID(id) {
			ids = append(ids, string(id))
		}
	}
	if err := cmd.Wait(); err != nil {
		return ids, gitError(name, stderr, err)
	}
	return ids, sc.Err()
}

// diffTrees diffs the commits ids with one `git diff-tree --stdin`, telling v what each
// introduced. It returns how many commits it diffed; with an error, the commit at that
// index is the one git stopped on (git writes a commit's output once its trees are read).
func diffTrees(ctx context.Context, gitDir string, ids []string, v visitor) (int, error) {
	cmd := gitCmd(ctx, gitDir, append([]string{"-c", deltaCache, "diff-tree", "--stdin", "-r", "--always"}, walkArgs...)...)
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	pipe, stderr, err := startReading(cmd)
	if err != nil {
		return 0, err
	}
	defer pipe.Close()
	n := 0
	inOrder := true
	counted := v
	counted.head = func(c *commitInfo) {
		if n >= len(ids) || c.sha != ids[n] {
			inOrder = false
		}
		n++
	}
	var commits int64
	parseErr := parseLog(bufio.NewReaderSize(pipe, 256<<10), counted, &commits)
	if parseErr == nil && !inOrder {
		parseErr = fmt.Errorf("reading git diff-tree: %w: commits out of order", errLog)
	}
	if parseErr != nil {
		cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	if parseErr != nil {
		return len(ids), parseErr
	}
	if waitErr != nil {
		return n, gitError("diff-tree", stderr, waitErr)
	}
	return n, nil
}

// describe fills in the author, email, date and subject of the commits in intros, with one
// `git log` for them all. The history walk leaves them out: on the benchmark history they
// were a third of its output, for the few commits that hold findings. Each field is cut at
// maxField bytes, so that a hostile commit cannot fill the memory.
func describe(ctx context.Context, gitDir string, intros map[string][]intro) error {
	commits := map[string][]*commitInfo{}
	var ids strings.Builder
	for _, list := range intros {
		for _, in := range list {
			if in.commit == nil || in.commit.sha == "" {
				continue
			}
			if _, ok := commits[in.commit.sha]; !ok {
				ids.WriteString(in.commit.sha + "\n")
			}
			commits[in.commit.sha] = append(commits[in.commit.sha], in.commit)
		}
	}
	if len(commits) == 0 {
		return nil
	}
	// Each commit is "\x01" and its id, then four fields, each ended by a NUL.
	cmd := gitCmd(ctx, gitDir, "log", "--no-walk=unsorted", "--stdin", "-z", "--no-color", "--format=%x01%H%x00%an%x00%ae%x00%aI%x00%s%x00")
	cmd.Stdin = strings.NewReader(ids.String())
	pipe, stderr, err := startReading(cmd)
	if err != nil {
		return err
	}
	defer pipe.Close()
	l := logReader{r: bufio.NewReaderSize(pipe, 64<<10), max: maxField}
	var (
		cur    []*commitInfo
		fields []string
		fill   = func() {
			if len(fields) < 4 {
				return
			}
			date := fields[2]
			if t, err := parseTime(date); err == nil {
				date = utcDate(t)
			}
			for _, c := range cur {
				c.author, c.email, c.date, c.subject = fields[0], fields[1], date, fields[3]
			}
		}
	)
	var readErr error
	for {
		tok, err := l.next()
		if err != nil {
			if err != io.EOF {
				readErr = err
			}
			break
		}
		if len(tok) > 0 && tok[0] == '\x01' && isOID(tok[1:]) {
			fill()
			cur, fields = commits[string(tok[1:])], fields[:0]
			continue
		}
		if len(fields) < 4 {
			fields = append(fields, string(tok))
		}
	}
	fill()
	if err := cmd.Wait(); err != nil {
		return gitError("log", stderr, err)
	}
	return readErr
}

// maxField bounds each field describe reads of a commit (its author, email, date and
// subject), and maxToken each token of the history walk (a path, a record).
const (
	maxField = 4 << 10
	maxToken = 64 << 10
)

// errLog is the error of `git log` output that is not in the format walkGit asks for.
var errLog = errors.New("unexpected git log output")

// parseLog reads `git log --raw -c -z` output in the format walkGit asks for: commit ids
// only (each "\x01" and the id), their details are asked for later (describe) for the few
// commits that hold findings; after each, a raw record and a path for each path the commit
// changed. It tells v.blob each path whose new blob is a file's (neither a deletion nor a
// submodule's commit) and v.link each path that is a submodule's commit, counts the commits
// in commits, and makes one string for each distinct path, as a history holds many more
// changes than paths. Output it cannot read as that format is an error, not a visit. A token
// longer than maxToken (a hostile path) is cut there.
func parseLog(r *bufio.Reader, v visitor, commits *int64) error {
	l := logReader{r: r, max: maxToken}
	var (
		cur   *commitInfo
		paths = map[string]string{}
		split [24][]byte
	)
	for {
		tok, err := l.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading git log: %w", err)
		}
		tok = bytes.TrimLeft(tok, "\n")
		switch {
		case len(tok) == 0:
			// The end of a commit's line, before the records of a merge.
		case tok[0] == '\x01':
			if !isOID(tok[1:]) {
				return fmt.Errorf("reading git log: %w: commit %q", errLog, tok[1:])
			}
			cur = &commitInfo{sha: string(tok[1:])}
			*commits++
			if v.head != nil {
				v.head(cur)
			}
		case tok[0] == ':':
			// ":MODE... OID... STATUS", one colon a parent, one mode and object per parent
			// and one for the commit; the path follows. tok is read before the path
			// overwrites it.
			f := fields(tok, split[:0])
			parents := len(f[0]) - len(bytes.TrimLeft(f[0], ":"))
			if cur == nil || len(f) != 2*parents+3 {
				return fmt.Errorf("reading git log: %w: record %q", errLog, tok)
			}
			oid, mode := f[len(f)-2], f[parents]
			if !isOID(oid) {
				return fmt.Errorf("reading git log: %w: record %q", errLog, tok)
			}
			// Not nothing (a deletion); a submodule's commit is told apart.
			present := len(bytes.Trim(oid, "0")) > 0
			link := present && string(mode) == "160000"
			var blob string
			if present && !link {
				blob = string(oid)
			}
			path, err := l.next()
			if err == io.EOF || err == nil && len(path) == 0 {
				return fmt.Errorf("reading git log: %w: record %q has no path", errLog, tok)
			}
			if err != nil {
				return fmt.Errorf("reading git log: %w", err)
			}
			if !present || link && v.link == nil {
				continue
			}
			p, ok := paths[string(path)]
			if !ok {
				p = string(path)
				paths[p] = p
			}
			if link {
				v.link(cur, p)
				continue
			}
			v.blob(cur, p, blob)
		default:
			return fmt.Errorf("reading git log: %w: %q", errLog, tok)
		}
	}
}

// isOID tells a full object id: 40 (SHA-1) or 64 (SHA-256) hexadecimal digits, lower case
// as git writes them.
func isOID(b []byte) bool {
	if len(b) != 40 && len(b) != 64 {
		return false
	}
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// fields splits b at spaces, appending to f.
func fields(b []byte, f [][]byte) [][]byte {
	for len(b) > 0 {
		i := bytes.IndexByte(b, ' ')
		if i < 0 {
			return append(f, b)
		}
		if i > 0 {
			f = append(f, b[:i])
		}
		b = b[i+1:]
	}
	return f
}

// logReader reads the NUL-ended tokens of `git log -z`.
type logReader struct {
	r *bufio.Reader
	// max bounds a token: the rest of a longer one is read and dropped.
	max  int
	long []byte
}

// next returns the next token without its NUL (the last may have none), cut at max bytes.
// It is valid until the next call.
func (l *logReader) next() ([]byte, error) {
	tok, err := l.r.ReadSlice(0)
	if err == bufio.ErrBufferFull {
		l.long = append(l.long[:0], tok...)
		for err == bufio.ErrBufferFull {
			tok, err = l.r.ReadSlice(0)
			l.long = append(l.long, tok...)
			if l.max > 0 && len(l.long) > l.max {
				l.long = l.long[:l.max] // the rest, and the NUL, dropped
			}
		}
		tok = l.long
	}
	if err == io.EOF && len(tok) > 0 {
		err = nil
	}
	if l.max > 0 && len(tok) > l.max {
		tok = tok[:l.max]
	}
	return bytes.TrimSuffix(tok, []byte{0}), err
}
