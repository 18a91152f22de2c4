// Package git is the source for git history. It reads every unique blob reachable from the
// repository's refs once (however many commits hold it) and hands it to the engine; then it
// places each finding at the commits and paths that introduced its blob, from a walk of the
// history. It reads objects with the git binary when there is one (catfile.go: a listing in
// pack order, several `git cat-file --batch` readers in parallel; walk.go: the `git log`
// walk, started beside the reading at the first match) and with go-git otherwise (gogit.go);
// go-git also clones URLs. The staged changes of a working tree are a source of their own
// (Staged).
package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
)

// Reader names a way of reading objects.
type Reader string

// Readers. readerAuto picks the git binary when it is on PATH and go-git otherwise;
// ParseReader gives the others by name. With readerGit, a full scan reads the packs
// itself (packStore) when it can, and `git cat-file` reads what it cannot; readerCatFile
// always reads with `git cat-file`.
const (
	readerAuto    Reader = ""
	readerGit     Reader = "git"
	readerCatFile Reader = "cat-file"
	readerGoGit   Reader = "go-git"
)

// ReaderEnv is the environment variable that picks the reader (git or go-git), so the two
// can be compared on the same repository.
const ReaderEnv = "LEAKSTOP_GIT_READER"

// ParseReader returns the reader that s names: "git", "cat-file", "go-git", or "" for the
// default.
func ParseReader(s string) (Reader, error) {
	switch r := Reader(s); r {
	case readerAuto, readerGit, readerCatFile, readerGoGit:
		return r, nil
	}
	return "", fmt.Errorf("git reader %q is not git, cat-file or go-git", s)
}

// Source scans the history of one repository.
type Source struct {
	// Dir is the repository: a working tree (or a folder inside one) or a bare repository.
	Dir string
	// Since lists revisions whose history is left out: only objects not reachable from any
	// of them are scanned.
	Since []string
	// Range is "A..B" (objects reachable from B but not from A) or a single revision. An
	// all-zeros A (a first push) means no lower bound.
	Range string
	// MaxFileSize skips larger blobs; 0 means files.DefaultMaxFileSize, negative no limit.
	MaxFileSize int64
	// Reader picks how objects are read (ParseReader gives one by name). Left empty,
	// $LEAKSTOP_GIT_READER picks it, else the git binary when it is on PATH, else go-git.
	Reader Reader
	// Readers is how many `git cat-file` processes read at once; 0 means one per core.
	Readers int
	// Lines, when set, lets the source hand the engine only the lines of each blob that can
	// hold a secret (the rule set's line filter): most of a history's bytes are lines
	// already seen in an earlier version of the same file, so a blob goes to the engine as
	// its keyword lines alone (a line map keeps their numbers), and a keyword line that
	// matched nothing before is left out when it comes again. Findings are the same either
	// way.
	Lines *rules.LineFilter
	// Logger receives debug lines about what is read, and the warnings of a shallow clone.
	// When it shows debug lines, the blobs skipped (binary, too large) are named by the
	// commit and path that brought them in, which costs a walk of the history; otherwise
	// by object id.
	Logger zerolog.Logger
	// Progress, when set, is told the bytes of each blob read (add=true) and the total bytes
	// to read (add=false) once known: with the git reader, blobs are read while they are
	// listed, so some are read before the total is known. Read from the packs, a blob counts
	// the bytes it takes in the store (compressed), and the total is known before reading.
	Progress func(n int64, add bool)

	// Forges, when set, fills in the permalink (Location.URL) of each place when the
	// repository's origin remote is on one of these forges (KnownForges gives the usual
	// ones).
	Forges Forges
	// MaxRefs bounds the refs a full scan starts from; 0 means DefaultMaxRefs. A repository
	// with more is scanned from the first MaxRefs and HEAD, and says so as a problem.
	MaxRefs int

	// runBlobs, when set, bounds the blobs of each run handed to the git reader's processes
	// (runBlobs), so that tests can make many runs of a small history.
	runBlobs int
	// chainBytes, when set, bounds the bytes of the bases the pack reader holds down a
	// chain of deltas (maxChainBytes), so that tests can make it leave blobs to cat-file.
	chainBytes int64
	// splitFrom, when set, is the history (in commits) from which the pack reader's scan
	// walks it in two halves (minSplit), so that tests can split small histories.
	splitFrom int64

	// commits is the count of commits, set when the scan ends.
	commits int64
	// history is the git reader's history walk, set when the scan starts and started at
	// the first match or skip (see matched and hold).
	history *histWalk
	once    sync.Once
	repo    *repository
	repoErr error

	// mu guards targets and held, which the engine's workers add to.
	mu sync.Mutex
	// targets are the blobs that matched; held the chunks of blobs skipped or unreadable,
	// kept to be named by path once placed.
	targets map[string]bool
	held    []scanner.Chunk
	// inflight counts the chunks the engine has not finished with.
	inflight sync.WaitGroup
	// placed is where the blobs of targets and held sit, set when the scan ends.
	placed *placement
	// listed is what a full scan's listing held (git reader).
	listed *listedSet
	// links are the submodules the go-git reader saw, by path.
	links map[string]*commitInfo
	// readErrs counts the trees and commits the go-git reader could not read: its walk
	// is not complete then.
	readErrs int
}

// DefaultMaxRefs is the refs a full scan starts from at most. A mirror of a busy forge's
// repository holds a few hundred thousand (a ref for each pull request); a repository with
// millions is hostile, or a Gerrit mirror, whose refs hold little that the branches do not.
const DefaultMaxRefs = 1 << 20

// repository is an opened repository and the revisions a scan covers.
type repository struct {
	gitDir string
	// dir is the folder given, for messages.
	dir string
	// include and exclude are the revisions of the scan; all means every ref.
	all              bool
	include, exclude []string
	// refs, when set, are the tips of a full scan in place of every ref: the repository
	// had more refs than the bound (refsCut), so the first ones and HEAD are walked.
	refs    []string
	refsCut int
	// shallow is the boundary of a shallow clone: the commits whose parents it lacks. It
	// is nil for a complete history.
	shallow map[string]bool
	// gogit is set for the go-git reader.
	gogit *goGitRepo
}

// full tells a scan of everything from every ref, with no lower bound (Since).
func (r *repository) full() bool { return r.all && len(r.exclude) == 0 }

// revArgs are the revision arguments of a scan for rev-list and log; revInput gives the
// command its standard input when they say --stdin.
func (r *repository) revArgs() []string {
	if r.refs != nil {
		return []string{"--stdin"}
	}
	args := append([]string(nil), r.include...)
	if r.all {
		args = []string{"--all"}
	}
	if len(r.exclude) > 0 {
		args = append(append(args, "--not"), r.exclude...)
	}
	return args
}

// revInput sets cmd's standard input to the revisions of the scan when revArgs reads them
// from there: too many refs for a command line.
func (r *repository) revInput(cmd *exec.Cmd) {
	if r.refs == nil {
		return
	}
	var b strings.Builder
	for _, ref := range r.refs {
		b.WriteString(ref + "\n")
	}
	for _, rev := range r.exclude {
		b.WriteString("^" + rev + "\n")
	}
	cmd.Stdin = strings.NewReader(b.String())
}

// errNotRepository is returned for a folder that holds no git repository.
var errNotRepository = errors.New("not a git repository")

// notRepository is the error for dir, a folder that holds no repository.
func notRepository(dir string) error {
	return fmt.Errorf("opening repository %s: %w (give the folder of a clone, a bare repository, or a clone URL)", dir, errNotRepository)
}

// RevisionError is returned for a revision to scan from or to that names no commit of the
// repository.
type RevisionError struct {
	rev, dir string
	// shallow is set when the repository is a shallow clone: the revision may lie beyond
	// the history it holds.
	shallow bool
}

func (e *RevisionError) Error() string {
	if e.shallow {
		return fmt.Sprintf("reading revision %q: it names no commit in %s, a shallow clone whose history may not reach it", e.rev, e.dir)
	}
	return fmt.Sprintf("reading revision %q: it names no commit in %s", e.rev, e.dir)
}

// Hint says what to check, or how to fetch the history a shallow clone lacks.
func (e *RevisionError) Hint() string {
	if e.shallow {
		return fetchMoreHint
	}
	return "name a branch, tag or commit that the repository holds (a shallow clone may not hold it yet)"
}

// fetchMoreHint says how to give a shallow clone more history.
const fetchMoreHint = "fetch more history: git fetch --deepen=N (N more commits) or git fetch --unshallow (all of it); with actions/checkout, set fetch-depth: 0"

// zeroRev matches the all-zeros object ids that CI systems send for "nothing before".
func zeroRev(s string) bool {
	return len(s) >= 40 && strings.Trim(s, "0") == ""
}

// reader is the reader the scan uses (see Source.Reader).
func (s *Source) reader() Reader {
	if s.Reader != readerAuto {
		return s.Reader
	}
	if r, err := ParseReader(os.Getenv(ReaderEnv)); err == nil && r != readerAuto {
		return r
	}
	if _, err := exec.LookPath("git"); err == nil {
		return readerGit
	}
	return readerGoGit
}

func (s *Source) limit() int64 { return sizeLimit(s.MaxFileSize) }

// tooLargeChunk is the chunk of blob loc, of size bytes, skipped for being larger than
// limit: the same from every reader.
func tooLargeChunk(loc scanner.Location, size, limit int64) scanner.Chunk {
	return scanner.Chunk{Location: loc, Quiet: true, Skipped: fmt.Sprintf("blob of %s is larger than the %s limit", humanize.IBytes(uint64(size)), humanize.IBytes(uint64(limit))), Limit: scanner.LimitFileSize}
}

// missingChunk is the problem of object oid, which the store lists and cannot give.
func missingChunk(oid string) scanner.Chunk {
	return scanner.Chunk{Location: scanner.Location{Blob: oid}, Err: fmt.Errorf("object %s is missing from the repository (run git fsck)", oid)}
}

// sizeLimit reads a MaxFileSize: 0 means files.DefaultMaxFileSize, negative no limit.
func sizeLimit(n int64) int64 {
	switch {
	case n == 0:
		return files.DefaultMaxFileSize
	case n < 0:
		return 1<<63 - 1
	}
	return n
}

func (s *Source) readers() int {
	if s.Readers > 0 {
		return s.Readers
	}
	return runtime.GOMAXPROCS(0)
}

// open checks the repository and the revisions once.
func (s *Source) open(ctx context.Context) (*repository, error) {
	s.once.Do(func() {
		s.repo, s.repoErr = s.openRepo(ctx)
	})
	return s.repo, s.repoErr
}

func (s *Source) openRepo(ctx context.Context) (*repository, error) {
	dir := s.Dir
	if dir == "" {
		dir = "."
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("opening repository %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, notRepository(dir)
	}
	r := &repository{dir: dir}
	switch {
	case s.Range != "":
		a, b, ok := strings.Cut(s.Range, "..")
		if !ok {
			r.include = []string{s.Range}
			break
		}
		b = strings.TrimPrefix(b, ".") // A...B is read as A..B
		if b == "" {
			b = "HEAD"
		}
		r.include = []string{b}
		if a != "" && !zeroRev(a) {
			r.exclude = []string{a}
		}
	default:
		r.all = true
	}
	for _, rev := range s.Since {
		if rev != "" && !zeroRev(rev) {
			r.exclude = append(r.exclude, rev)
		}
	}
	if s.reader() == readerGoGit {
		if err := openGoGit(dir, r, s.maxRefs()); err != nil {
			return nil, err
		}
		return r, nil
	}
	out, err := gitOutput(ctx, dir, "rev-parse", "--absolute-git-dir")
	if err != nil {
		return nil, notRepository(dir)
	}
	r.gitDir = strings.TrimSpace(out)
	if p, err := gitOutput(ctx, r.gitDir, "rev-parse", "--git-path", "shallow"); err == nil {
		p = strings.TrimSpace(p)
		if !filepath.IsAbs(p) {
			p = filepath.Join(r.gitDir, p)
		}
		if r.shallow, err = readShallow(p); err != nil {
			return nil, err
		}
	}
	revs := append(append([]string(nil), r.include...), r.exclude...)
	for _, rev := range revs {
		if _, err := gitOutput(ctx, r.gitDir, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
			return nil, &RevisionError{rev: rev, dir: dir, shallow: r.shallow != nil}
		}
	}
	if r.all {
		if err := s.boundRefs(ctx, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (s *Source) maxRefs() int {
	if s.MaxRefs > 0 {
		return s.MaxRefs
	}
	return DefaultMaxRefs
}

// boundRefs keeps a full scan to the first refs and HEAD when the repository has more than
// the bound: git would otherwise hold them all.
func (s *Source) boundRefs(ctx context.Context, r *repository) error {
	limit := s.maxRefs()
	refs, err := readIDs(gitCmd(ctx, r.gitDir, "for-each-ref", "--count="+strconv.Itoa(limit+1), "--format=%(objectname)"), "for-each-ref")
	if err != nil {
		return fmt.Errorf("listing refs: %w", err)
	}
	if len(refs) <= limit {
		return nil
	}
	r.refs, r.refsCut = append(refs[:limit], "HEAD"), limit
	if _, err := gitOutput(ctx, r.gitDir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"); err != nil {
		r.refs = r.refs[:limit]
	}
	return nil
}

// refsProblem is the problem of a scan cut to its first refs.
func refsProblem(r *repository) scanner.Chunk {
	return scanner.Chunk{Location: scanner.Location{Path: r.dir}, Err: fmt.Errorf("the repository has more than %d refs: only the first %d and HEAD were scanned", r.refsCut, r.refsCut)}
}

// maxShallow bounds the commits read from a shallow clone's boundary file.
const maxShallow = 1 << 20

// readShallow reads a shallow clone's boundary (the file .git/shallow: one commit id a
// line); nil when there is no such file, a complete history.
func readShallow(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the shallow boundary: %w", err)
	}
	defer f.Close()
	set := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(set) < maxShallow {
		if id := bytes.TrimSpace(sc.Bytes()); isOID(id) {
			set[string(id)] = true
		}
	}
	if len(set) == 0 {
		return nil, nil
	}
	return set, nil
}

// Scan implements scanner.Source: it emits every unique blob once. Once every blob has been
// read and matched (Scan waits for the Done of each chunk it emitted, which the engine calls
// once it has told the chunk's matches), it places the blobs that matched or were skipped
// with a walk of the history, and emits what the walk found: the commits it could not
// read, the blobs the trees name that the object store lacks, the submodules, and then the
// skipped blobs named by path and commit.
func (s *Source) Scan(ctx context.Context, emit func(scanner.Chunk) error) error {
	repo, err := s.open(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	defer func() { s.Logger.Debug().Dur("took", time.Since(start)).Msg("history scanned") }()
	if repo.refsCut > 0 {
		if err := emit(refsProblem(repo)); err != nil {
			return err
		}
	}
	track := s.track(emit)
	switch store := s.packStore(ctx, repo); {
	case s.reader() == readerGoGit:
		err = s.scanGoGit(ctx, repo, track)
	case store != nil:
		err = s.scanPacks(ctx, repo, store, track)
	default:
		err = s.scanGit(ctx, repo, track)
	}
	if err != nil {
		return err
	}
	if err := s.waitChunks(ctx); err != nil {
		return err
	}
	s.Logger.Debug().Dur("took", time.Since(start)).Msg("blobs read")
	return s.finish(ctx, repo, emit)
}

// packStore returns the object store of a full scan read with the git reader, indexed to
// be read directly, or nil when cat-file is to read it (and the debug log says why).
func (s *Source) packStore(ctx context.Context, repo *repository) *packStore {
	if s.reader() != readerGit || !repo.full() {
		return nil
	}
	out, err := gitOutput(ctx, repo.gitDir, "rev-parse", "--show-object-format", "--git-path", "objects")
	format, dir, _ := strings.Cut(strings.TrimSpace(out), "\n")
	if err != nil || format != "sha1" {
		s.Logger.Debug().Str("format", format).Msg("objects read with git cat-file: not a SHA-1 repository")
		return nil
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(repo.gitDir, dir)
	}
	start := time.Now()
	store, err := openPacks(dir)
	if err != nil {
		s.Logger.Debug().Err(err).Msg("objects read with git cat-file")
		return nil
	}
	s.Logger.Debug().Dur("took", time.Since(start)).Int("objects", len(store.objs)).Msg("packs indexed")
	return store
}

// Commits implements scanner.Counter: the commits of the scan, once it has ended.
func (s *Source) Commits() int64 { return s.commits }

// commitInfo is what a location tells of a commit.
type commitInfo struct {
	sha, author, email, date, subject string
}

// intro is a commit that introduced a blob at a path.
type intro struct {
	commit *commitInfo
	path   string
}

// parseTime reads a strict ISO 8601 date as git's %aI writes it.
func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }

// utcDate writes a git date as RFC 3339 in UTC, so dates sort as strings.
func utcDate(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// gitCmd is a git command in dir, isolated from the user's pager and prompts.
func gitCmd(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir, "-c", "core.quotePath=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat", "LC_ALL=C")
	return cmd
}

// gitOutput runs git and returns its standard output; the error carries git's own message.
func gitOutput(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := gitCmd(ctx, dir, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", gitError(args[0], &stderr, err)
	}
	return string(out), nil
}

// gitError is the error of a git command that failed: git's own first line on stderr when it
// said something, else err.
func gitError(name string, stderr fmt.Stringer, err error) error {
	if msg := firstLine(strings.TrimSpace(stderr.String())); msg != "" {
		return errors.New("git " + name + ": " + msg)
	}
	return fmt.Errorf("git %s: %w", name, err)
}

// pipeSize is the pipe buffer asked for between a git process and leakstop.
const pipeSize = 1 << 20

// startReading starts cmd with its standard output on a pipe and its standard error kept.
// The pipe is grown to pipeSize, so git goes on writing while its reader waits its turn
// among the scan's goroutines. The caller closes the pipe once cmd has been waited for.
func startReading(cmd *exec.Cmd) (*os.File, *bytes.Buffer, error) {
	out, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	growPipe(out, pipeSize)
	cmd.Stdout = w
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	err = cmd.Start()
	w.Close()
	if err != nil {
		out.Close()
		return nil, nil, fmt.Errorf("%w (is git installed?)", err)
	}
	return out, stderr, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// absDir returns dir as an absolute path, for messages.
func absDir(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}
