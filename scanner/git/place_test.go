package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/scanner"
)

// logBuffer is a log that tests read back; the engine's workers write to it at once.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// runLogged scans src with the built-in rules, the engine and the source logging to one
// buffer, which it returns with the result.
func runLogged(t testing.TB, src *Source) (*scanner.Result, string) {
	t.Helper()
	log := &logBuffer{}
	logger := zerolog.New(log)
	src.Logger = logger
	eng, err := scanner.New(scanner.Options{Rules: builtin(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return res, log.String()
}

// problemsText joins a result's problems, where and what, for searching.
func problemsText(res *scanner.Result) string {
	var b strings.Builder
	for _, p := range res.Problems {
		fmt.Fprintf(&b, "%s: %v\n", p.Where, p.Err)
	}
	return b.String()
}

// findingOf returns the finding of key, or nil.
func findingOf(res *scanner.Result, key string) *scanner.Finding {
	for _, f := range res.Findings {
		if f.Secret == key {
			return f
		}
	}
	return nil
}

// TestUnreadableTree: a tree missing from the object store, or cut short, does not cost the
// report. The git reader reads every blob without the trees, so it finds both keys: the one
// outside the tree placed at its commit, the one inside keeping a location that names its
// blob; the tree is one problem. go-git reaches blobs through trees, so it finds the first
// key only, and reports the tree.
func TestUnreadableTree(t *testing.T) {
	for name, damage := range map[string]func(testing.TB, string, string){"deleted": deleteObject, "truncated": truncateObject} {
		t.Run(name, func(t *testing.T) {
			h, tree := repoWithSecretInSubtree(t)
			damage(t, h.dir, tree)
			for _, r := range readers {
				res := run(t, r.source(h.dir))
				if len(res.Problems) != 1 || !strings.Contains(problemsText(res), tree) {
					t.Errorf("reader %s: problems\n%s\nwant one naming tree %s", r, problemsText(res), tree)
				}
				placed := findingOf(res, h.keys[0])
				if placed == nil {
					t.Fatalf("reader %s: key 0 lost", r)
				}
				if diff := cmp.Diff(h.want[:1], got(t, h.keys, &scanner.Result{Findings: []*scanner.Finding{placed}}), cmp.AllowUnexported(want{})); diff != "" {
					t.Errorf("reader %s: key 0 (-want +got):\n%s", r, diff)
				}
				lost := findingOf(res, h.keys[1])
				if r.reader == readerGoGit {
					if lost != nil {
						t.Errorf("reader %s: found %v under a tree it cannot read", r, lost.Locations)
					}
					continue
				}
				if lost == nil {
					t.Fatalf("reader %s: the key under the unreadable tree was read but not reported", r)
				}
				if len(lost.Locations) != 1 || lost.Locations[0].Blob == "" || lost.Locations[0].Path != "" || lost.Locations[0].Line != 1 {
					t.Errorf("reader %s: locations %+v, want one naming the blob", r, lost.Locations)
				}
			}
		})
	}
}

// TestMissingBlob: a blob that the trees name and the object store lacks is a problem named
// by its path, with every reader and for a range as for a full scan; the rest is placed.
func TestMissingBlob(t *testing.T) {
	f := newFixture(t)
	k0, k1 := f.key(), f.key()
	c := f.commit("Add", map[string]string{"good.txt": "k=" + k0 + "\n", "bad.txt": "k=" + k1 + "\n"})
	f.commit("Later", map[string]string{"README.md": "# app\n"})
	bad := f.git("rev-parse", "HEAD:bad.txt")
	deleteObject(t, f.dir, bad)
	for _, rng := range []string{"", strings.Repeat("0", 40) + "..HEAD"} {
		for _, r := range readers {
			src := r.source(f.dir)
			src.Range = rng
			res := run(t, src)
			if diff := cmp.Diff([]want{{0, "good.txt", 1, 3, c, 1}}, got(t, []string{k0, k1}, res), cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("reader %s, range %q: (-want +got):\n%s", r, rng, diff)
			}
			if len(res.Problems) != 1 {
				t.Fatalf("reader %s, range %q: problems\n%s\nwant one", r, rng, problemsText(res))
			}
			if p := res.Problems[0]; p.Where != scanner.ShortSHA(c)+":bad.txt" || !strings.Contains(p.Err.Error(), bad) {
				t.Errorf("reader %s, range %q: problem %s: %v, want one at %s:bad.txt naming %s", r, rng, p.Where, p.Err, scanner.ShortSHA(c), bad)
			}
		}
	}
}

// TestSubmodule: a submodule is named once, by path, as a place not scanned (a skip in the
// stats), whether the history is walked (it holds a key) or not (a clean one).
func TestSubmodule(t *testing.T) {
	for _, key := range []bool{true, false} {
		h, c := repoWithSubmodule(t, key)
		for _, r := range readers {
			res, log := runLogged(t, r.source(h.dir))
			if diff := cmp.Diff(h.want, got(t, h.keys, res), cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("reader %s, key %v: (-want +got):\n%s", r, key, diff)
			}
			if res.Stats.Skipped != 1 || len(res.Problems) != 0 {
				t.Errorf("reader %s, key %v: %d skipped, problems %v; want the submodule skipped", r, key, res.Stats.Skipped, res.Problems)
			}
			where := `"where":"` + scanner.ShortSHA(c) + `:vendor/lib"`
			if strings.Count(log, "submodule") != 1 || !strings.Contains(log, where) || !strings.Contains(log, "scan its repository on its own") {
				t.Errorf("reader %s, key %v: log does not name the submodule once at %s:\n%s", r, key, where, log)
			}
		}
	}
}

// TestSkippedBlobsPlaced: a binary blob and one over the size limit are named by the commit
// and path that brought them in, and counted; the findings are the same.
func TestSkippedBlobsPlaced(t *testing.T) {
	h, images := repoWithSkippedBlobs(t)
	for _, r := range readers {
		src := r.source(h.dir)
		src.MaxFileSize = 1000
		res, log := runLogged(t, src)
		if diff := cmp.Diff(h.want, got(t, h.keys, res), cmp.AllowUnexported(want{})); diff != "" {
			t.Errorf("reader %s: (-want +got):\n%s", r, diff)
		}
		if res.Stats.Skipped != 2 || res.Stats.Limits[scanner.LimitFileSize] != 1 {
			t.Errorf("reader %s: stats %+v, want 2 skipped, 1 for its size", r, res.Stats)
		}
		for _, path := range []string{"img/logo.png", "data/big.json"} {
			if where := `"where":"` + scanner.ShortSHA(images) + ":" + path + `"`; !strings.Contains(log, where) {
				t.Errorf("reader %s: log does not name %s:\n%s", r, where, log)
			}
		}
		if strings.Contains(log, `"where":"blob `) {
			t.Errorf("reader %s: a skipped blob is named by its id alone:\n%s", r, log)
		}
	}
}

// shallowClone clones dir with `git clone --depth depth file://…`.
func shallowClone(t testing.TB, dir string, depth int) string {
	clone := filepath.Join(t.TempDir(), "shallow")
	runGit(t, dir, 0, "clone", "-q", "--no-local", "--depth", fmt.Sprint(depth), "file://"+dir, clone)
	return clone
}

// TestShallowClone: both readers scan a shallow clone; its boundary commit brings in every
// file it holds; a full scan warns that the history is cut, a range past the boundary is an
// error that says how to fetch more, and a range that reaches it warns.
func TestShallowClone(t *testing.T) {
	h := repoWithDeletedSecret(t)
	clone := shallowClone(t, h.dir, 2) // "Add config" (the boundary) and "Remove the key"
	boundary := h.want[0].commit
	var results []*scanner.Result
	for _, r := range readers {
		res, log := runLogged(t, r.source(clone))
		if diff := cmp.Diff(h.want, got(t, h.keys, res), cmp.AllowUnexported(want{})); diff != "" {
			t.Errorf("reader %s: (-want +got):\n%s", r, diff)
		}
		if res.Stats.Commits != 2 || len(res.Problems) > 0 {
			t.Errorf("reader %s: %d commits, problems %v; want 2 and none", r, res.Stats.Commits, res.Problems)
		}
		if strings.Count(log, "shallow clone") != 1 || !strings.Contains(log, "cut at 2 commits") || !strings.Contains(log, "git fetch --unshallow") {
			t.Errorf("reader %s: log does not say once that history is cut:\n%s", r, log)
		}
		results = append(results, res)

		src := r.source(clone)
		src.Range = "HEAD~2..HEAD"
		err := src.Scan(context.Background(), func(scanner.Chunk) error { return nil })
		var rev *RevisionError
		if !errors.As(err, &rev) || !strings.Contains(err.Error(), "shallow clone") || !strings.Contains(rev.Hint(), "git fetch --deepen=") || !strings.Contains(rev.Hint(), "fetch-depth: 0") {
			t.Errorf("reader %s: range past the boundary: %v, want a RevisionError saying how to fetch more", r, err)
		}

		src = r.source(clone)
		src.Range = strings.Repeat("0", 40) + "..HEAD"
		res, log = runLogged(t, src)
		if len(res.Findings) != 1 || !strings.Contains(log, "boundary of a shallow clone") || !strings.Contains(log, scanner.ShortSHA(boundary)) || !strings.Contains(log, "git fetch --deepen=") {
			t.Errorf("reader %s: a range that reaches the boundary: %d findings, log:\n%s", r, len(res.Findings), log)
		}
	}
	sameResults(t, results, false)

	// A complete clone says nothing of it.
	for _, r := range readers {
		if _, log := runLogged(t, r.source(h.dir)); strings.Contains(log, "shallow") {
			t.Errorf("reader %s: a complete history is called shallow:\n%s", r, log)
		}
	}
}

// TestHostileNames: a path, an author name and a commit subject that hold escape sequences
// and a newline reach the findings as they are (the report writers neutralise them), with
// every reader.
func TestHostileNames(t *testing.T) {
	f := newFixture(t)
	k := f.key()
	path := "dir\x1b[31m/red\nline\x1b]0;title\x07.env"
	f.write(map[string]string{path: "KEY=" + k + "\n"})
	f.tick++
	f.git("add", "-A")
	author, subject := "Eve \x1b[2J Mallory", "fix\x1b[1A\x1b[2K done"
	f.git("commit", "-q", "-m", subject, "--author", author+" <eve\x1b[0m@example.com>")
	c := f.git("rev-parse", "HEAD")
	for _, r := range readers {
		res := run(t, r.source(f.dir))
		if len(res.Findings) != 1 || len(res.Findings[0].Locations) != 1 {
			t.Fatalf("reader %s: findings %v", r, res.Findings)
		}
		l := res.Findings[0].Locations[0]
		l.Blob, l.Date = "", ""
		want := scanner.Location{Path: path, Line: 1, Column: 5, Commit: c, Author: author, Email: "eve\x1b[0m@example.com", Message: subject}
		if diff := cmp.Diff(want, l); diff != "" {
			t.Errorf("reader %s: location (-want +got):\n%s", r, diff)
		}
	}
}

// TestLongCommitFields: a subject and an author name of many kilobytes are cut at maxField
// bytes, the same by every reader.
func TestLongCommitFields(t *testing.T) {
	f := newFixture(t)
	k := f.key()
	f.write(map[string]string{"a.env": "KEY=" + k + "\n"})
	f.tick++
	f.git("add", "-A")
	subject := strings.Repeat("é", 50_000)
	author := strings.Repeat("n", 3*maxField)
	f.git("commit", "-q", "-m", subject, "--author", author+" <a@example.com>")
	var results []*scanner.Result
	for _, r := range readers {
		res := run(t, r.source(f.dir))
		if len(res.Findings) != 1 {
			t.Fatalf("reader %s: %d findings", r, len(res.Findings))
		}
		l := res.Findings[0].First()
		if len(l.Message) > maxField || !strings.HasPrefix(subject, l.Message) || len(l.Message) < maxField-4 {
			t.Errorf("reader %s: subject of %d bytes, want it cut at %d on a character", r, len(l.Message), maxField)
		}
		if len(l.Author) != maxField {
			t.Errorf("reader %s: author of %d bytes, want %d", r, len(l.Author), maxField)
		}
		results = append(results, res)
	}
	sameResults(t, results, false)
}

// TestMaxRefs: a repository with more refs than the bound is scanned from the first ones and
// HEAD, and says so as a problem; a key the git reader read from a ref left out keeps its
// blob, as nothing can place it.
func TestMaxRefs(t *testing.T) {
	f := newFixture(t)
	k0 := f.key()
	c := f.commit("Start", map[string]string{"main.env": "K=" + k0 + "\n"})
	var branchKeys []string
	for _, b := range []string{"a", "b", "c"} {
		f.git("checkout", "-q", "-b", b, c)
		k := f.key()
		branchKeys = append(branchKeys, k)
		f.commit("On "+b, map[string]string{b + ".env": "K=" + k + "\n"})
	}
	f.git("checkout", "-q", "main")
	for _, r := range readers {
		src := r.source(f.dir)
		src.MaxRefs = 2 // refs/heads/a, refs/heads/b, and HEAD (main); c is left out
		res := run(t, src)
		if len(res.Problems) != 1 || !strings.Contains(problemsText(res), "more than 2 refs") {
			t.Errorf("reader %s: problems\n%s\nwant one on the refs", r, problemsText(res))
		}
		for i, k := range append([]string{k0}, branchKeys[:2]...) {
			if fd := findingOf(res, k); fd == nil || fd.First().Commit == "" {
				t.Errorf("reader %s: key %d not placed: %v", r, i, fd)
			}
		}
		left := findingOf(res, branchKeys[2])
		switch {
		case r.reader == readerGoGit && left != nil:
			t.Errorf("reader %s: found a key on a ref it was not to read", r)
		case r.reader == readerGit && (left == nil || left.First().Blob == "" || left.First().Commit != ""):
			t.Errorf("reader %s: the key of the ref left out: %v, want it kept at its blob", r, left)
		}
	}
}

// TestTreeRef: a key in a tree that a tag names directly, and that no commit holds, is
// placed at its path in that tree.
func TestTreeRef(t *testing.T) {
	f := newFixture(t)
	f.commit("Start", map[string]string{"a.txt": "a\n"})
	k := f.key()
	blob := runGitInput(t, f.dir, f.tick, "KEY="+k+"\n", "hash-object", "-w", "--stdin")
	sub := runGitInput(t, f.dir, f.tick, "100644 blob "+blob+"\tkey.env\n", "mktree")
	top := runGitInput(t, f.dir, f.tick, "040000 tree "+sub+"\tconf\n", "mktree")
	f.git("tag", "tree-only", top)
	for _, r := range readers {
		res := run(t, r.source(f.dir))
		fd := findingOf(res, k)
		if fd == nil || len(fd.Locations) != 1 || fd.Locations[0].Path != "conf/key.env" || fd.Locations[0].Commit != "" {
			t.Errorf("reader %s: finding %+v, want it at conf/key.env without a commit", r, fd)
		}
	}
}

// TestWalkPastFailures: walkRest goes on past each commit it cannot diff, one problem for
// each thing git said, and gives up after maxWalkFailures.
func TestWalkPastFailures(t *testing.T) {
	f := newFixture(t)
	var trees []string
	for i := 0; i < 4; i++ {
		f.commit(fmt.Sprint("c", i), map[string]string{fmt.Sprintf("d%d/f.txt", i): fmt.Sprint(i, "\n")})
		trees = append(trees, f.git("rev-parse", fmt.Sprintf("HEAD:d%d", i)))
	}
	// Each commit but the last brings in a tree that is now gone.
	for _, tr := range trees[:3] {
		deleteObject(t, f.dir, tr)
	}
	repo, err := (&Source{Dir: f.dir, Reader: readerGit}).open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	var paths []string
	err = walkGit(context.Background(), repo, visitor{blob: func(c *commitInfo, path, blob string) { paths = append(paths, path) }}, &n)
	var we *walkError
	if !errors.As(err, &we) || we.count() != 3 || len(we.failures) != 3 || we.stopped != nil {
		t.Fatalf("error %v, want three failures", err)
	}
	for _, tr := range trees[:3] {
		if !strings.Contains(err.Error(), tr) {
			t.Errorf("error %v does not name tree %s", err, tr)
		}
	}
	if n != 4 || !strings.Contains(strings.Join(paths, " "), "d3/f.txt") {
		t.Errorf("%d commits, paths %v; want 4 and d3/f.txt", n, paths)
	}
}
