package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/leakstop/leakstop/rules"
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
type histWalk struct {
	repo *repository
	once sync.Once
	mu   sync.Mutex
	// stopped is set once the scan's context has ended: the walk no longer starts.
	stopped bool
	// cancel, set when the walk starts, stops it.
	cancel context.CancelFunc
	// done is closed when the walk is over; err, intros and commits are set then.
	done    chan struct{}
	err     error
	intros  map[string][]intro
	commits int64
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
			intros := map[string][]intro{}
			h.err = walkGit(ctx, h.repo, func(c *commitInfo, path, blob string) {
				intros[blob] = append(intros[blob], intro{commit: c, path: path})
			}, &h.commits)
			h.intros = intros
		}()
	})
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

// matched starts the history walk at the first match (git reader only).
func (s *Source) matched(ms []rules.Match) {
	if len(ms) > 0 && s.history != nil {
		s.history.start()
	}
}

// placeGit fills in targets (blob to introductions) for the git reader: from the walk that
// the first match started, or from a walk run now if none was (the go-git reader never
// starts one, and a blob may come from a match that the engine had not told yet), then the
// details of the commits found.
func (s *Source) placeGit(ctx context.Context, repo *repository, targets map[string][]intro) error {
	started := false
	if h := s.history; h != nil {
		var err error
		if started, err = h.wait(ctx); err != nil {
			return err
		}
		if started {
			for blob := range targets {
				targets[blob] = h.intros[blob]
			}
		}
	}
	if !started {
		var n int64
		err := walkGit(ctx, repo, func(c *commitInfo, path, blob string) {
			if list, ok := targets[blob]; ok {
				targets[blob] = append(list, intro{commit: c, path: path})
			}
		}, &n)
		if err != nil {
			return err
		}
	}
	return describe(ctx, repo.gitDir, targets)
}

// count returns the number of commits of the scan: the walk's count once it is over, or,
// when no walk was needed, rev-list's, which costs little. It has no context to run under
// (scanner.Counter gives none), and is called once the scan is over.
func (h *histWalk) count() int64 {
	if started, err := h.wait(context.Background()); started && err == nil {
		return h.commits
	}
	out, err := gitOutput(context.Background(), h.repo.gitDir, append([]string{"rev-list", "--count"}, h.repo.revArgs()...)...)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	return n
}

// walkGit walks the commits of the scan with `git log --raw`, calling visit for each path
// whose blob a commit introduced: a blob that no parent has at that path (for a merge:
// none of its parents, as git's combined diff says). The commits visit is given have their
// ids only; describe fills in the rest.
func walkGit(ctx context.Context, repo *repository, visit func(c *commitInfo, path, blob string), commits *int64) error {
	args := []string{"-c", deltaCache, "log", "--raw", "-c", "--no-renames", "--no-abbrev", "--root", "-z", "--no-color", "--no-ext-diff",
		"--format=%x01%H"}
	cmd := gitCmd(ctx, repo.gitDir, append(args, repo.revArgs()...)...)
	pipe, stderr, err := startReading(cmd)
	if err != nil {
		return err
	}
	defer pipe.Close()
	parseErr := parseLog(bufio.NewReaderSize(pipe, 256<<10), visit, commits)
	if parseErr != nil {
		cmd.Process.Kill()
	}
	if err := cmd.Wait(); err != nil {
		if parseErr != nil {
			return parseErr
		}
		return gitError("log", stderr, err)
	}
	return parseErr
}

// describe fills in the author, email, date and subject of the commits in intros, with one
// `git log` for them all. The history walk leaves them out: on the benchmark history they
// were a third of its output, for the few commits that hold findings.
func describe(ctx context.Context, gitDir string, intros map[string][]intro) error {
	commits := map[string][]*commitInfo{}
	var ids strings.Builder
	for _, list := range intros {
		for _, in := range list {
			if _, ok := commits[in.commit.sha]; !ok {
				ids.WriteString(in.commit.sha + "\n")
			}
			commits[in.commit.sha] = append(commits[in.commit.sha], in.commit)
		}
	}
	if len(commits) == 0 {
		return nil
	}
	cmd := gitCmd(ctx, gitDir, "log", "--no-walk=unsorted", "--stdin", "-z", "--no-color", "--format=%H%x00%an%x00%ae%x00%aI%x00%s")
	cmd.Stdin = strings.NewReader(ids.String())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return gitError("log", &stderr, err)
	}
	// Five fields a commit, each ended by a NUL.
	f := strings.Split(string(out), "\x00")
	for i := 0; i+5 <= len(f); i += 5 {
		date := f[i+3]
		if t, err := parseTime(date); err == nil {
			date = utcDate(t)
		}
		for _, c := range commits[f[i]] {
			c.author, c.email, c.date, c.subject = f[i+1], f[i+2], date, f[i+4]
		}
	}
	return nil
}

// errLog is the error of `git log` output that is not in the format walkGit asks for.
var errLog = errors.New("unexpected git log output")

// parseLog reads `git log --raw -c -z` output in the format walkGit asks for: commit ids
// only (each "\x01" and the id), their details are asked for later (describe) for the few
// commits that hold findings; after each, a raw record and a path for each path the commit
// changed. It calls visit for each path whose new blob is a file's (neither a deletion nor
// a submodule's commit), counts the commits in commits, and makes one string for each
// distinct path, as a history holds many more changes than paths. Output it cannot read as
// that format is an error, not a visit.
func parseLog(r *bufio.Reader, visit func(c *commitInfo, path, blob string), commits *int64) error {
	l := logReader{r: r}
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
			// Not a submodule's commit, nor nothing (a deletion).
			keep := string(mode) != "160000" && len(bytes.Trim(oid, "0")) > 0
			var blob string
			if keep {
				blob = string(oid)
			}
			path, err := l.next()
			if err == io.EOF || err == nil && len(path) == 0 {
				return fmt.Errorf("reading git log: %w: record %q has no path", errLog, tok)
			}
			if err != nil {
				return fmt.Errorf("reading git log: %w", err)
			}
			if !keep {
				continue
			}
			p, ok := paths[string(path)]
			if !ok {
				p = string(path)
				paths[p] = p
			}
			visit(cur, p, blob)
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
	r    *bufio.Reader
	long []byte
}

// next returns the next token without its NUL (the last may have none). It is valid until
// the next call.
func (l *logReader) next() ([]byte, error) {
	tok, err := l.r.ReadSlice(0)
	if err == bufio.ErrBufferFull {
		l.long = append(l.long[:0], tok...)
		for err == bufio.ErrBufferFull {
			tok, err = l.r.ReadSlice(0)
			l.long = append(l.long, tok...)
		}
		tok = l.long
	}
	if err == io.EOF && len(tok) > 0 {
		err = nil
	}
	return bytes.TrimSuffix(tok, []byte{0}), err
}
