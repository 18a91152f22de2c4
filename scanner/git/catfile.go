package git

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/leakstop/leakstop/scanner"
)

// blobRef is a blob to read: its id and size.
type blobRef struct {
	oid  string
	size int64
}

// scanGit reads blobs with the git binary: a listing in pack order, cut into runs as it
// comes, and several `git cat-file --batch` readers that each take the next run when they
// are ready for it. Reading starts with the first run listed, each reader reads its runs in
// pack order, and the readers end together however unequal the runs' costs. The first error
// of the listing or of a reader stops them all; the history walk that places findings
// (histWalk) is armed here and started by the first match.
func (s *Source) scanGit(ctx context.Context, repo *repository, emit func(scanner.Chunk) error) error {
	s.history = newHistWalk(repo)
	context.AfterFunc(ctx, s.history.stop)

	g, ctx := errgroup.WithContext(ctx)
	listed, runs := make(chan []blobRef), make(chan []blobRef)
	g.Go(func() error {
		defer close(listed)
		return s.listGit(ctx, repo, listed, emit)
	})
	g.Go(func() error {
		queueRuns(ctx, listed, runs)
		return nil
	})
	for range s.readers() {
		g.Go(func() error { return s.readRuns(ctx, repo.gitDir, runs, emit) })
	}
	return g.Wait()
}

// queueRuns passes the runs listed on to the readers, in order, holding those the readers
// have not taken yet: the listing goes at its own pace, so that the progress total is known
// early rather than when reading ends. The runs held are small beside the blobs they name
// (56 bytes a blob).
func queueRuns(ctx context.Context, listed <-chan []blobRef, runs chan<- []blobRef) {
	defer close(runs)
	var held [][]blobRef
	for listed != nil || len(held) > 0 {
		var out chan<- []blobRef
		var next []blobRef
		if len(held) > 0 {
			out, next = runs, held[0]
		}
		select {
		case run, ok := <-listed:
			if !ok {
				listed = nil
				continue
			}
			held = append(held, run)
		case out <- next:
			held[0] = nil
			held = held[1:]
		case <-ctx.Done():
			return
		}
	}
}

// Runs of the listing handed to a reader at a time: about runBytes of blobs, or runBlobs
// blobs (each blob costs a lookup and a few writes whatever its size). Blobs cut into runs
// of 1 MiB or more, read by two processes taking every other run, cost git no more than two
// contiguous halves on the benchmark history (a delta's base is almost always in its own
// run); and a run of 4 MiB takes a reader about 30 ms, so that the readers end within that
// of each other.
const (
	runBytes = 4 << 20
	runBlobs = 1024
)

// listGit lists the blobs to read with their sizes and sends them on runs, cut into runs in
// the listing's order. A full scan lists every object of the object store in pack order
// (objects no ref reaches are read too, and dropped when the findings are placed: that costs
// less than a walk of every tree); an incremental scan lists what rev-list gives.
func (s *Source) listGit(ctx context.Context, repo *repository, runs chan<- []blobRef, emit func(scanner.Chunk) error) error {
	const format = "--batch-check=%(objectname) %(objecttype) %(objectsize)"
	check := gitCmd(ctx, repo.gitDir, "cat-file", "--batch-all-objects", "--unordered", format)
	var (
		revList       *exec.Cmd
		revListStderr *bytes.Buffer
	)
	if !repo.full() {
		check = gitCmd(ctx, repo.gitDir, "cat-file", format)
		// --missing=print lists an object the trees name and the store lacks as "?OID",
		// which cat-file then answers as missing: a problem, not the end of the listing.
		revList = gitCmd(ctx, repo.gitDir, append([]string{"rev-list", "--objects", "--no-object-names", "--missing=print"}, repo.revArgs()...)...)
		repo.revInput(revList)
		pipe, stderr, err := startReading(revList)
		if err != nil {
			return fmt.Errorf("listing objects: %w", err)
		}
		revListStderr = stderr
		check.Stdin = pipe
	}
	out, stderr, err := startReading(check)
	if pipe, ok := check.Stdin.(*os.File); ok {
		// cat-file holds the read end now; should it stop early, rev-list then ends on a
		// broken pipe instead of waiting for a reader.
		pipe.Close()
	}
	if err != nil {
		return fmt.Errorf("listing objects: %w", err)
	}
	defer out.Close()
	var (
		run         []blobRef
		size, total int64
		blobs       int
		emitErr     error
		limit       = s.limit()
		maxBlobs    = runBlobs
		typeBlob    = []byte("blob")
		typeMissing = []byte("missing")
		sc          = bufio.NewScanner(out)
		send        = func() {
			if len(run) == 0 {
				return
			}
			select {
			case runs <- run:
			case <-ctx.Done():
			}
			run, size = nil, 0
		}
	)
	if s.runBlobs > 0 {
		maxBlobs = s.runBlobs
	}
	var listed *listedSet
	if repo.full() {
		listed = &listedSet{}
		s.listed = listed
	}
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() && ctx.Err() == nil {
		oid, rest, _ := bytes.Cut(sc.Bytes(), []byte(" "))
		oid = bytes.TrimPrefix(oid, []byte("?"))
		typ, sizeText, _ := bytes.Cut(rest, []byte(" "))
		switch {
		case bytes.Equal(typ, typeBlob):
			if listed != nil {
				listed.add(string(oid))
			}
		case bytes.Equal(typ, typeMissing):
			if listed != nil {
				listed.add(string(oid))
			}
			if emitErr == nil {
				emitErr = emit(missingChunk(string(oid)))
			}
			continue
		default:
			continue
		}
		n, err := strconv.ParseInt(string(sizeText), 10, 64)
		if err != nil {
			continue
		}
		if n > limit {
			if emitErr == nil {
				emitErr = emit(tooLargeChunk(scanner.Location{Blob: string(oid)}, n, limit))
			}
			continue
		}
		run = append(run, blobRef{oid: string(oid), size: n})
		size += n
		total += n
		blobs++
		if size >= runBytes || len(run) >= maxBlobs {
			send()
		}
	}
	send()
	scanErr := sc.Err()
	waitErr := check.Wait()
	var revListErr error
	if revList != nil {
		revListErr = revList.Wait()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if scanErr != nil {
		return fmt.Errorf("listing objects: %w", scanErr)
	}
	if listed != nil {
		listed.complete = waitErr == nil
	}
	if revListErr != nil && emitErr == nil {
		// A tree or commit that cannot be read stops rev-list; what it listed is still
		// read, and the objects after it are not.
		emitErr = emit(scanner.Chunk{Location: scanner.Location{Path: repo.gitDir}, Err: fmt.Errorf("listing objects: %v; the objects after it were not listed (run git fsck)", gitError("rev-list", revListStderr, revListErr))})
	}
	if s.Progress != nil {
		s.Progress(total, false)
	}
	s.Logger.Debug().Int("blobs", blobs).Int64("bytes", total).Msg("blobs listed")
	if waitErr != nil {
		// A corrupt object can stop the listing; what was listed is still read.
		if emitErr == nil {
			emitErr = emit(scanner.Chunk{Location: scanner.Location{Path: repo.gitDir}, Err: fmt.Errorf("listing objects: %v (run git fsck)", gitError("cat-file", stderr, waitErr))})
		}
	}
	return emitErr
}

// bufPool holds blob buffers between chunks, so reading a history allocates about as much
// as the blobs in flight.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// readRuns reads the runs it takes from runs, one `git cat-file --batch` process at a time:
// when a process dies on a corrupt object, that object is reported and a new process reads
// what the dead one had been given, then goes on taking runs.
func (s *Source) readRuns(ctx context.Context, gitDir string, runs <-chan []blobRef, emit func(scanner.Chunk) error) error {
	var cache *lineCache
	if s.Lines != nil {
		cache = newLineCache(s.Lines)
		defer cache.logCounts(s.Logger)
	}
	var left [][]blobRef // what a dead process had been given and did not answer
	for {
		if len(left) == 0 {
			// A process starts only once there is something to read.
			select {
			case run, ok := <-runs:
				if !ok {
					return nil
				}
				left = append(left, run)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		var err error
		if left, err = s.readBatch(ctx, gitDir, cache, left, runs, emit); err != nil {
			return err
		}
	}
}

// deltaCache sets each git reader's cache of delta bases to git's default, 96 MiB, whatever
// the user's configuration says. Two readers, each taking every other run of the listing,
// read the blobs of public histories with these CPU times (user+sys, both readers):
//
//	core.deltaBaseCacheLimit   8m      32m     96m
//	redis (70k blobs)          9.0 s   6.8 s   6.1 s
//	git/git (262k blobs)       -       -       10.4 s (8.6, 6.4, 5.3 s of wall time)
//
// The largest reader then holds 415 MiB on redis and 511 MiB on git/git, less than one
// `git cat-file --batch-all-objects` (527 and 724 MiB). A cache of 8 MiB was faster only on
// the synthetic history of bench/make-history.sh, whose deltas sit next to their bases.
const deltaCache = "core.deltaBaseCacheLimit=96m"

// readBatch reads with one `git cat-file --batch` process the runs of first, then the runs
// it takes from runs, until runs is closed or the process dies. It returns the runs, or the
// rest of a run, that a dead process had been given and did not answer; the object it died
// on is reported, not returned.
func (s *Source) readBatch(ctx context.Context, gitDir string, cache *lineCache, first [][]blobRef, runs <-chan []blobRef, emit func(scanner.Chunk) error) ([][]blobRef, error) {
	cmd := gitCmd(ctx, gitDir, "-c", deltaCache, "cat-file", "--batch", "--buffer")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("reading blobs: %w", err)
	}
	outPipe, stderr, err := startReading(cmd)
	if err != nil {
		return nil, fmt.Errorf("reading blobs: %w", err)
	}
	defer outPipe.Close()

	// The writer gives git the run after the one being read, so that git never waits for a
	// run, and no more, so that the other readers take the rest. Each run given is on queue
	// before git sees it; free holds a token for each run the reader may be given.
	queue := make(chan []blobRef, 2)
	free := make(chan struct{}, 2)
	free <- struct{}{}
	free <- struct{}{}
	stop := make(chan struct{})
	var unsent [][]blobRef // the runs of first not given to git, once queue is closed
	go func() {
		defer close(queue)
		defer in.Close()
		defer func() { unsent = first }()
		w := bufio.NewWriterSize(in, 64<<10)
		for {
			select {
			case <-free:
			case <-stop:
				return
			}
			var run []blobRef
			if len(first) > 0 {
				run, first = first[0], first[1:]
			} else {
				var ok bool
				select {
				case run, ok = <-runs:
					if !ok {
						return
					}
				case <-stop:
					return
				}
			}
			queue <- run
			for _, b := range run {
				w.WriteString(b.oid)
				w.WriteByte('\n')
			}
			if err := w.Flush(); err != nil {
				return // the process is dead; the reader finds out
			}
		}
	}()
	// end stops the writer and the process, and returns what the process was given and did
	// not answer: the rest of the run being read, after its object i, then the runs queued.
	end := func(cur []blobRef, i int) [][]blobRef {
		close(stop)
		cmd.Process.Kill()
		cmd.Wait()
		var left [][]blobRef
		if i+1 < len(cur) {
			left = append(left, cur[i+1:])
		}
		for run := range queue {
			left = append(left, run)
		}
		return append(left, unsent...)
	}

	// dead reports the object i of cur, on which the process died.
	dead := func(cur []blobRef, i int, err error) ([][]blobRef, error) {
		left := end(cur, i)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return left, emit(died(cur[i].oid, stderr, cmd, err))
	}

	out := bufio.NewReaderSize(outPipe, 256<<10)
	// With --buffer, git writes the newline that ends a blob's content with the next
	// object's header (or at exit), so it is read then: waiting for it would wait for the
	// next run.
	newline := false
	for cur := range queue {
		for i, b := range cur {
			if newline {
				if c, err := out.ReadByte(); err != nil || c != '\n' {
					return dead(cur, i, err)
				}
				newline = false
			}
			header, err := out.ReadSlice('\n')
			if err != nil {
				return dead(cur, i, err)
			}
			size, missing, ok := parseHeader(header, b.oid)
			if !ok {
				err := fmt.Errorf("unexpected answer %q", bytes.TrimSpace(header))
				return dead(cur, i, err)
			}
			if missing {
				if err := emit(scanner.Chunk{Location: scanner.Location{Blob: b.oid}, Err: fmt.Errorf("blob %s is missing from the repository (run git fsck)", b.oid)}); err != nil {
					end(cur, i)
					return nil, err
				}
				continue
			}
			p := bufPool.Get().(*[]byte)
			if int64(cap(*p)) < size {
				*p = make([]byte, size)
			}
			data := (*p)[:size]
			if _, err := io.ReadFull(out, data); err != nil {
				bufPool.Put(p)
				return dead(cur, i, err)
			}
			newline = true
			if s.Progress != nil {
				s.Progress(size, true)
			}
			c := s.blobChunk(cache, b.oid, data, func() { bufPool.Put(p) })
			if err := emit(c); err != nil {
				end(cur, i)
				return nil, err
			}
		}
		free <- struct{}{}
	}
	// Every run given was answered. (An exit status after that means nothing was lost.)
	cmd.Wait()
	return unsent, ctx.Err()
}

// parseHeader reads cat-file's answer for blob oid: "OID blob SIZE" or "OID missing".
func parseHeader(header []byte, oid string) (size int64, missing, ok bool) {
	rest, found := bytes.CutPrefix(bytes.TrimSuffix(header, []byte("\n")), []byte(oid))
	if !found || len(rest) == 0 || rest[0] != ' ' {
		return 0, false, false
	}
	rest = rest[1:]
	if string(rest) == "missing" {
		return 0, true, true
	}
	sizeText, found := bytes.CutPrefix(rest, []byte("blob "))
	if !found {
		return 0, false, false
	}
	size, err := strconv.ParseInt(string(sizeText), 10, 64)
	return size, false, err == nil && size >= 0
}

// died is the problem of a cat-file process that stopped on blob oid, once it has been
// waited for (so that stderr is complete).
func died(oid string, stderr *bytes.Buffer, cmd *exec.Cmd, err error) scanner.Chunk {
	msg := firstLine(strings.TrimSpace(stderr.String()))
	if msg == "" && cmd.ProcessState != nil && !cmd.ProcessState.Success() {
		msg = cmd.ProcessState.String()
	}
	if msg == "" && err != nil {
		msg = err.Error()
	}
	return scanner.Chunk{Location: scanner.Location{Blob: oid}, Err: fmt.Errorf("reading blob %s: git cat-file: %s (the object may be corrupt; run git fsck)", oid, msg)}
}
