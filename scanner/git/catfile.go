package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
)

// blobRef is a blob to read: its id and size.
type blobRef struct {
	oid  string
	size int64
}

// revArgs are the revision arguments of a scan for rev-list and log.
func (r *repository) revArgs() []string {
	if r.all {
		args := []string{"--all"}
		if len(r.exclude) > 0 {
			args = append(args, "--not")
			args = append(args, r.exclude...)
		}
		return args
	}
	args := append([]string(nil), r.include...)
	if len(r.exclude) > 0 {
		args = append(args, "--not")
		args = append(args, r.exclude...)
	}
	return args
}

// scanGit reads blobs with the git binary: one listing, then several `git cat-file --batch`
// readers, each on a contiguous share of the listing so that each reads its part of the
// pack in order.
func (s *Source) scanGit(ctx context.Context, repo *repository, emit func(scanner.Chunk) error) error {
	// The history walk that places findings costs about as much as reading the trees. It
	// starts, beside the reading, when the first match shows that it will be needed; a clean
	// history never pays for it.
	s.walkCtx, s.walkRepo = ctx, repo
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	blobs, err := s.listGit(ctx, repo, emit)
	if err != nil {
		return err
	}
	var total int64
	for _, b := range blobs {
		total += b.size
	}
	if s.Progress != nil {
		s.Progress(total, false)
	}
	s.Logger.Debug().Int("blobs", len(blobs)).Int64("bytes", total).Msg("blobs listed")

	// Shares of about equal bytes, each contiguous in the listing's (pack) order.
	n := s.readers()
	if n > len(blobs) {
		n = len(blobs)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	from := 0
	var acc int64
	for i := 0; i < n; i++ {
		to := from
		if i == n-1 {
			to = len(blobs)
		} else {
			goal := total * int64(i+1) / int64(n)
			for to < len(blobs) && acc < goal {
				acc += blobs[to].size
				to++
			}
		}
		share := blobs[from:to]
		from = to
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := s.readShare(ctx, repo.gitDir, share, emit); err != nil {
				errs[i] = err
				cancel()
			}
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// histWalk is a walk of the commits of a scan, run in the background: for every blob a commit
// introduced at a path, the commits and paths. It holds one entry per blob and path, as the
// listing of blobs does.
type histWalk struct {
	done    chan struct{}
	err     error
	intros  map[string][]intro
	commits int64
}

// matched starts the history walk at the first match (git reader only).
func (s *Source) matched(ms []rules.Match) {
	if len(ms) == 0 || s.walkRepo == nil {
		return
	}
	s.walkOnce.Do(func() {
		h := startWalk(s.walkCtx, s.walkRepo)
		s.walkMu.Lock()
		s.history = h
		s.walkMu.Unlock()
	})
}

// walk returns the history walk if one was started.
func (s *Source) walk() *histWalk {
	s.walkMu.Lock()
	defer s.walkMu.Unlock()
	return s.history
}

func startWalk(ctx context.Context, repo *repository) *histWalk {
	h := &histWalk{done: make(chan struct{}), intros: map[string][]intro{}}
	go func() {
		defer close(h.done)
		h.err = walkGit(ctx, repo, func(c *commitInfo, path, blob string) {
			h.intros[blob] = append(h.intros[blob], intro{commit: c, path: path})
		}, &h.commits)
	}()
	return h
}

// wait returns the walk once it is over.
func (h *histWalk) wait(ctx context.Context) (*histWalk, error) {
	select {
	case <-h.done:
		return h, h.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// listGit lists the blobs to read with their sizes. A full scan lists every object of the
// object store in pack order (objects no ref reaches are read too, and dropped when the
// findings are placed: that costs less than a walk of every tree); an incremental scan
// lists what rev-list gives.
func (s *Source) listGit(ctx context.Context, repo *repository, emit func(scanner.Chunk) error) ([]blobRef, error) {
	const format = "--batch-check=%(objectname) %(objecttype) %(objectsize)"
	check := gitCmd(ctx, repo.gitDir, "cat-file", "--batch-all-objects", "--unordered", format)
	var revList *cmdWait
	if !repo.all {
		check = gitCmd(ctx, repo.gitDir, "cat-file", format)
		rl := gitCmd(ctx, repo.gitDir, append([]string{"rev-list", "--objects", "--no-object-names"}, repo.revArgs()...)...)
		pipe, err := rl.StdoutPipe()
		if err != nil {
			return nil, fmt.Errorf("listing objects: %w", err)
		}
		var stderr bytes.Buffer
		rl.Stderr = &stderr
		if err := rl.Start(); err != nil {
			return nil, fmt.Errorf("listing objects: %w (is git installed?)", err)
		}
		revList = &cmdWait{cmd: rl, stderr: &stderr}
		check.Stdin = pipe
	}
	out, err := check.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("listing objects: %w", err)
	}
	var stderr bytes.Buffer
	check.Stderr = &stderr
	if err := check.Start(); err != nil {
		return nil, fmt.Errorf("listing objects: %w (is git installed?)", err)
	}
	var blobs []blobRef
	limit := s.limit()
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var emitErr error
	for sc.Scan() {
		line := sc.Text()
		oid, rest, _ := strings.Cut(line, " ")
		typ, sizeText, _ := strings.Cut(rest, " ")
		switch typ {
		case "blob":
		case "missing":
			if emitErr == nil {
				emitErr = emit(scanner.Chunk{Location: scanner.Location{Blob: oid}, Err: fmt.Errorf("object %s is missing from the repository (run git fsck)", oid)})
			}
			continue
		default:
			continue
		}
		size, err := strconv.ParseInt(sizeText, 10, 64)
		if err != nil {
			continue
		}
		if size > limit {
			if emitErr == nil {
				emitErr = emit(scanner.Chunk{Location: scanner.Location{Blob: oid}, Skipped: fmt.Sprintf("blob of %s is larger than %s (raise --max-file-size to scan it)", files.FormatSize(size), files.FormatSize(limit))})
			}
			continue
		}
		blobs = append(blobs, blobRef{oid: oid, size: size})
	}
	scanErr := sc.Err()
	waitErr := check.Wait()
	if revList != nil {
		if err := revList.wait(); err != nil {
			return nil, fmt.Errorf("listing objects: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if scanErr != nil {
		return nil, fmt.Errorf("listing objects: %w", scanErr)
	}
	if waitErr != nil {
		// A corrupt object can stop the listing; what was listed is still read.
		msg := firstLine(strings.TrimSpace(stderr.String()))
		if msg == "" {
			msg = waitErr.Error()
		}
		if emitErr == nil {
			emitErr = emit(scanner.Chunk{Location: scanner.Location{Path: repo.gitDir}, Err: fmt.Errorf("listing objects: git cat-file: %s (run git fsck)", msg)})
		}
	}
	return blobs, emitErr
}

type cmdWait struct {
	cmd    interface{ Wait() error }
	stderr *bytes.Buffer
}

func (c *cmdWait) wait() error {
	if err := c.cmd.Wait(); err != nil {
		if msg := firstLine(strings.TrimSpace(c.stderr.String())); msg != "" {
			return errors.New("git rev-list: " + msg)
		}
		return fmt.Errorf("git rev-list: %w", err)
	}
	return nil
}

// bufPool holds blob buffers between chunks, so reading a history allocates about as much
// as the blobs in flight.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// readShare reads blobs with one `git cat-file --batch` process. When the process dies on a
// corrupt object, that object is reported and a new process reads the rest.
func (s *Source) readShare(ctx context.Context, gitDir string, blobs []blobRef, emit func(scanner.Chunk) error) error {
	for len(blobs) > 0 {
		done, err := s.readBatch(ctx, gitDir, blobs, emit)
		if err != nil {
			return err
		}
		blobs = blobs[done:]
	}
	return nil
}

// deltaCache bounds each git reader's cache of delta bases (git's default is 96 MiB). Blobs
// read in pack order find their bases among the last few read, so a large cache buys little
// and costs a page fault and a malloc for every page it fills. On the benchmark history
// (bench/make-history.sh) the blob readers took 0.43 s of CPU and 28 MiB with 8 MiB, against
// 0.77 s and 118 MiB with the default, and the whole scan went from 1.8x to 1.45x the floor;
// 2 MiB was a little faster still, but leaves less room for the large files of other
// histories, whose bases would have to be inflated again.
const deltaCache = "core.deltaBaseCacheLimit=8m"

// pipeSize is the pipe buffer asked for between a cat-file process and leakstop.
const pipeSize = 1 << 20

// errReaderDied is a cat-file process that ended before answering for every object.
type errReaderDied struct{ msg string }

func (e *errReaderDied) Error() string { return e.msg }

// readBatch reads blobs in order until all are read or the process dies; it returns how many
// it dealt with (a dead process's current object counts, reported as a problem).
func (s *Source) readBatch(ctx context.Context, gitDir string, blobs []blobRef, emit func(scanner.Chunk) error) (int, error) {
	cmd := gitCmd(ctx, gitDir, "-c", deltaCache, "cat-file", "--batch", "--buffer")
	in, err := cmd.StdinPipe()
	if err != nil {
		return 0, fmt.Errorf("reading blobs: %w", err)
	}
	outPipe, pw, err := os.Pipe()
	if err != nil {
		return 0, fmt.Errorf("reading blobs: %w", err)
	}
	defer outPipe.Close()
	growPipe(outPipe, pipeSize)
	cmd.Stdout = pw
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Start()
	pw.Close()
	if err != nil {
		return 0, fmt.Errorf("reading blobs: %w (is git installed?)", err)
	}
	go func() {
		w := bufio.NewWriterSize(in, 64<<10)
		for _, b := range blobs {
			if _, err := w.WriteString(b.oid + "\n"); err != nil {
				break
			}
		}
		w.Flush()
		in.Close()
	}()
	out := bufio.NewReaderSize(outPipe, 256<<10)
	var cache *lineCache
	if s.Anchors != nil {
		cache = newLineCache(s.Anchors)
	}
	i := 0
	var readErr error
	for ; i < len(blobs); i++ {
		b := blobs[i]
		header, err := out.ReadSlice('\n')
		if err != nil {
			readErr = err
			break
		}
		fields := strings.Fields(string(header))
		if len(fields) == 2 && fields[1] == "missing" {
			if err := emit(scanner.Chunk{Location: scanner.Location{Blob: b.oid}, Err: fmt.Errorf("blob %s is missing from the repository (run git fsck)", b.oid)}); err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				return i, err
			}
			continue
		}
		if len(fields) != 3 || fields[0] != b.oid {
			readErr = fmt.Errorf("unexpected answer %q", strings.TrimSpace(string(header)))
			break
		}
		size, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			readErr = fmt.Errorf("unexpected answer %q", strings.TrimSpace(string(header)))
			break
		}
		p := bufPool.Get().(*[]byte)
		if int64(cap(*p)) < size+1 {
			*p = make([]byte, size+1)
		}
		data := (*p)[:size+1]
		if _, err := io.ReadFull(out, data); err != nil {
			bufPool.Put(p)
			readErr = err
			break
		}
		data = data[:size]
		if s.Progress != nil {
			s.Progress(size, true)
		}
		c := s.blobChunk(cache, b.oid, data, func() { bufPool.Put(p) })
		if err := emit(c); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return i, err
		}
	}
	if cache != nil {
		s.Logger.Debug().Int64("bytes", cache.selected).Int64("whole_blobs", cache.whole).Msg("lines selected for matching")
	}
	if readErr == nil {
		if err := cmd.Wait(); err != nil {
			return i, s.died(ctx, blobs, i, &stderr, err, emit)
		}
		return i, nil
	}
	cmd.Process.Kill()
	waitErr := cmd.Wait()
	if err := ctx.Err(); err != nil {
		return i, err
	}
	if waitErr == nil {
		waitErr = readErr
	}
	if i == len(blobs) {
		return i, nil
	}
	return i + 1, s.died(ctx, blobs, i, &stderr, waitErr, emit)
}

// selPool holds line selections between chunks.
var selPool = sync.Pool{New: func() any { return &selection{} }}

// blobChunk makes the chunk for a blob's content. With anchors, only the lines worth
// matching go to the engine and data is released at once; otherwise data goes whole and
// release is called when the engine is done with it.
func (s *Source) blobChunk(cache *lineCache, oid string, data []byte, release func()) scanner.Chunk {
	loc := scanner.Location{Blob: oid}
	if files.IsBinary(data) {
		release()
		return scanner.Chunk{Location: loc, Skipped: "binary blob"}
	}
	if cache == nil {
		return scanner.Chunk{Data: data, Kind: scanner.KindBlob, Location: loc, Done: release, Scanned: s.matched}
	}
	sel := selPool.Get().(*selection)
	cache.sel(data, sel)
	if sel.whole {
		selPool.Put(sel)
		return scanner.Chunk{Data: data, Kind: scanner.KindBlob, Location: loc, Done: release, Scanned: s.matched}
	}
	size := int64(len(data))
	release()
	return scanner.Chunk{
		Data: sel.data, LineMap: sel.lineMap, Size: size, Kind: scanner.KindBlob, Location: loc,
		Scanned: func(ms []rules.Match) { cache.learn(sel.hashes, ms); s.matched(ms) },
		Done:    func() { selPool.Put(sel) },
	}
}

// died reports the object a cat-file process was reading when it stopped.
func (s *Source) died(ctx context.Context, blobs []blobRef, i int, stderr *bytes.Buffer, err error, emit func(scanner.Chunk) error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if i >= len(blobs) {
		return nil
	}
	msg := firstLine(strings.TrimSpace(stderr.String()))
	if msg == "" {
		msg = err.Error()
	}
	return emit(scanner.Chunk{Location: scanner.Location{Blob: blobs[i].oid}, Err: fmt.Errorf("reading blob %s: git cat-file: %s (the object may be corrupt; run git fsck)", blobs[i].oid, msg)})
}

// walkGit walks the commits of the scan with `git log --raw`, calling visit for each path
// whose blob a commit introduced: a blob that no parent has at that path (for a merge:
// none of its parents, as git's combined diff says).
func walkGit(ctx context.Context, repo *repository, visit func(c *commitInfo, path, blob string), commits *int64) error {
	args := []string{"-c", deltaCache, "log", "--raw", "-c", "--no-renames", "--no-abbrev", "--root", "-z", "--no-color", "--no-ext-diff",
		"--format=%x01%H%x00%an%x00%ae%x00%aI%x00%s"}
	cmd := gitCmd(ctx, repo.gitDir, append(args, repo.revArgs()...)...)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%w (is git installed?)", err)
	}
	parseErr := parseLog(bufio.NewReaderSize(pipe, 256<<10), visit, commits)
	if parseErr != nil {
		cmd.Process.Kill()
	}
	if err := cmd.Wait(); err != nil {
		if parseErr != nil {
			return parseErr
		}
		if msg := firstLine(strings.TrimSpace(stderr.String())); msg != "" {
			return errors.New("git log: " + msg)
		}
		return fmt.Errorf("git log: %w", err)
	}
	return parseErr
}

// parseLog reads `git log --raw -z` output in the format walkGit asks for.
func parseLog(r *bufio.Reader, visit func(c *commitInfo, path, blob string), commits *int64) error {
	next := func() (string, error) {
		tok, err := r.ReadString(0)
		if err == io.EOF && tok != "" {
			return tok, nil
		}
		return strings.TrimSuffix(tok, "\x00"), err
	}
	var cur *commitInfo
	for {
		tok, err := next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		tok = strings.TrimLeft(tok, "\n")
		switch {
		case strings.HasPrefix(tok, "\x01"):
			c := &commitInfo{sha: tok[1:]}
			fields := make([]string, 4)
			for i := range fields {
				if fields[i], err = next(); err != nil {
					return fmt.Errorf("reading git log: %w", err)
				}
			}
			c.author, c.email, c.subject = fields[0], fields[1], fields[3]
			c.date = fields[2]
			if t, err := parseTime(fields[2]); err == nil {
				c.date = utcDate(t)
			}
			cur = c
			*commits++
		case strings.HasPrefix(tok, ":"):
			path, err := next()
			if err != nil {
				return fmt.Errorf("reading git log: %w", err)
			}
			f := strings.Fields(tok)
			if cur == nil || len(f) < 5 {
				continue
			}
			status := f[len(f)-1]
			blob := f[len(f)-2]
			mode := f[(len(f)-1)/2-1]
			if strings.Contains(status, "D") && strings.Trim(blob, "0") == "" {
				continue
			}
			if mode == "160000" || strings.Trim(blob, "0") == "" {
				continue // a submodule's commit, or nothing
			}
			visit(cur, path, blob)
		}
	}
}
