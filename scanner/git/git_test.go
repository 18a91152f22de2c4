package git

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
)

// config is one way of reading: a reader, with or without line selection (Source.Lines;
// "anchors" in test and benchmark names).
type config struct {
	reader  Reader
	anchors bool
}

func (c config) String() string {
	if c.anchors {
		return string(c.reader) + "+anchors"
	}
	return string(c.reader)
}

// readers are the ways a history can be read; all must give the same findings.
var readers = []config{{readerGit, true}, {readerGit, false}, {readerCatFile, true}, {readerCatFile, false}, {readerGoGit, true}, {readerGoGit, false}}

// source returns a source for dir read the way c says.
func (c config) source(dir string) *Source {
	s := &Source{Dir: dir, Reader: c.reader}
	if c.anchors {
		s.Lines = builtin().LineFilter()
	}
	return s
}

func builtin() *rules.Set {
	set, err := rules.Compile(nil)
	if err != nil {
		panic(err)
	}
	return set
}

// run scans src with the built-in rules.
func run(t testing.TB, src scanner.Source) *scanner.Result {
	t.Helper()
	set := builtin()
	eng, err := scanner.New(scanner.Options{Rules: set, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// got turns findings into wants, in report order, each key named by its index in keys.
func got(t testing.TB, keys []string, res *scanner.Result) []want {
	t.Helper()
	var out []want
	for _, f := range res.Findings {
		k := slices.Index(keys, f.Secret)
		if k < 0 {
			t.Errorf("unexpected finding %s of rule %s", f.Redacted, f.Rule)
		}
		for _, l := range f.Locations {
			tick := -1
			for n := 0; n < 100; n++ {
				if utcDate(date(n)) == l.Date {
					tick = n
				}
			}
			out = append(out, want{k, l.Path, l.Line, l.Column, l.Commit, tick})
		}
	}
	return out
}

// TestHistories checks each history with both readers: every key found, placed at the
// commit that introduced it, earliest first.
func TestHistories(t *testing.T) {
	cases := []struct {
		name string
		make func(testing.TB) history
		// garbage: the object store holds blobs no ref reaches (a merge conflict wrote
		// them). The git reader reads them and drops their findings; go-git never sees
		// them, so blob counts differ.
		garbage bool
	}{
		{"deleted secret", repoWithDeletedSecret, false},
		{"branch-only secret", repoWithBranchOnlySecret, false},
		{"tagged secret", repoWithTaggedSecret, false},
		{"merges", repoWithMerges, true},
		{"rename", repoWithRename, false},
		{"moved secret", repoWithMovedSecret, false},
		{"bare repository", bareRepo, false},
		{"empty repository", emptyRepo, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := c.make(t)
			var results []*scanner.Result
			for _, r := range readers {
				res := run(t, r.source(h.dir))
				if diff := cmp.Diff(h.want, got(t, h.keys, res), cmp.AllowUnexported(want{})); diff != "" {
					t.Errorf("reader %s: locations (-want +got):\n%s", r, diff)
				}
				if len(res.Problems) > 0 {
					t.Errorf("reader %s: problems: %v", r, res.Problems)
				}
				results = append(results, res)
			}
			// Every way of reading gives the same findings and the same counts.
			sameResults(t, results, c.garbage)
		})
	}
}

// TestCommitDetails checks the author, email, date and subject of the introducing commit.
func TestCommitDetails(t *testing.T) {
	h := repoWithDeletedSecret(t)
	for _, r := range readers {
		res := run(t, r.source(h.dir))
		if len(res.Findings) != 1 {
			t.Fatalf("reader %s: %d findings, want 1", r, len(res.Findings))
		}
		l := res.Findings[0].First()
		l.Blob = ""
		want := scanner.Location{
			Path: "config.env", Line: 2, Column: 16, Commit: h.want[0].commit,
			Author: "Ada Author", Email: "ada@example.com", Date: "2024-01-01T02:00:00Z", Message: "Add config",
		}
		if diff := cmp.Diff(want, l); diff != "" {
			t.Errorf("reader %s: first location (-want +got):\n%s", r, diff)
		}
		if res.Stats.Commits != 3 {
			t.Errorf("reader %s: %d commits, want 3", r, res.Stats.Commits)
		}
	}
}

// TestCorruptObject: the corrupt blob is reported, the rest is scanned.
func TestCorruptObject(t *testing.T) {
	h, corrupt := repoWithCorruptObject(t)
	for _, r := range readers {
		res := run(t, r.source(h.dir))
		if diff := cmp.Diff(h.want, got(t, h.keys, res), cmp.AllowUnexported(want{})); diff != "" {
			t.Errorf("reader %s: locations (-want +got):\n%s", r, diff)
		}
		if len(res.Problems) == 0 {
			t.Fatalf("reader %s: the corrupt object was not reported", r)
		}
		if !strings.Contains(res.Problems[0].Where+res.Problems[0].Err.Error(), corrupt[:12]) {
			t.Errorf("reader %s: problem %q at %q does not name object %s", r, res.Problems[0].Err, res.Problems[0].Where, corrupt)
		}
	}
}

// TestCorruptTreeRef: a tree that a ref points at and that cannot be read is reported, and
// the commits are read all the same. (The go-git reader only: the git reader lists blobs
// without opening trees, and a listing that stops on a corrupt object is TestCorruptObject's.)
func TestCorruptTreeRef(t *testing.T) {
	h, corrupt := repoWithCorruptTreeRef(t)
	res := run(t, config{readerGoGit, true}.source(h.dir))
	if diff := cmp.Diff(h.want, got(t, h.keys, res), cmp.AllowUnexported(want{})); diff != "" {
		t.Errorf("locations (-want +got):\n%s", diff)
	}
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Where+res.Problems[0].Err.Error(), corrupt[:12]) {
		t.Errorf("problems %v, want one naming tree %s", res.Problems, corrupt)
	}
}

// TestCorruptObjectAmongRuns: a reader process that dies in the middle of one of many runs,
// with more runs given to it, is replaced by one that reads all it had been given, whatever
// the number of readers.
func TestCorruptObjectAmongRuns(t *testing.T) {
	h, corrupt := repoWithCorruptObjectAmong(t, 24)
	sortWants(h.want)
	for _, readers := range []int{1, 2, 3} {
		for _, blobs := range []int{1, 2, 5} {
			src := config{readerGit, true}.source(h.dir)
			src.Readers, src.runBlobs = readers, blobs
			res := run(t, src)
			g := got(t, h.keys, res)
			sortWants(g)
			if diff := cmp.Diff(h.want, g, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%d readers, runs of %d blobs: locations (-want +got):\n%s", readers, blobs, diff)
			}
			if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Where+res.Problems[0].Err.Error(), corrupt[:12]) {
				t.Errorf("%d readers, runs of %d blobs: problems %v, want one naming object %s", readers, blobs, res.Problems, corrupt)
			}
		}
	}
}

// TestNotRepository: a folder without a repository is a clear error.
func TestNotRepository(t *testing.T) {
	needGit(t)
	for _, r := range readers {
		err := (&Source{Dir: t.TempDir(), Reader: r.reader}).Scan(context.Background(), func(scanner.Chunk) error { return nil })
		if !errors.Is(err, errNotRepository) {
			t.Errorf("reader %s: error %v, want errNotRepository", r, err)
		}
	}
}

// linearHistory has four commits: c1 adds key 0, c2 changes nothing secret, c3 adds key 1,
// c4 deletes key 0's file and brings key 0 back in another file.
func linearHistory(t testing.TB) (history, []string) {
	f := newFixture(t)
	k0, k1 := f.key(), f.key()
	c1 := f.commit("One", map[string]string{"a.txt": "k=" + k0 + "\n"})
	c2 := f.commit("Two", map[string]string{"b.txt": "nothing\n"})
	c3 := f.commit("Three", map[string]string{"c.txt": "k=" + k1 + "\n"})
	c4 := f.commit("Four", map[string]string{"a.txt": deleted, "d.txt": "again k=" + k0 + "\n"})
	return history{dir: f.dir, keys: []string{k0, k1}}, []string{c1, c2, c3, c4}
}

// TestIncremental checks --since and --range against known sets.
func TestIncremental(t *testing.T) {
	h, c := linearHistory(t)
	zero := strings.Repeat("0", 40)
	cases := []struct {
		name  string
		since []string
		rng   string
		want  []want
	}{
		{"since the first commit", []string{c[0]}, "", []want{
			{1, "c.txt", 1, 3, c[2], 3}, {0, "d.txt", 1, 9, c[3], 4}}},
		{"since the third commit", []string{c[2]}, "", []want{{0, "d.txt", 1, 9, c[3], 4}}},
		{"since two revisions", []string{c[2], c[1]}, "", []want{{0, "d.txt", 1, 9, c[3], 4}}},
		{"since the tip", []string{"main"}, "", nil},
		{"range", nil, c[0] + ".." + c[2], []want{{1, "c.txt", 1, 3, c[2], 3}}},
		{"range of one commit", nil, c[2] + ".." + c[3], []want{{0, "d.txt", 1, 9, c[3], 4}}},
		{"first push", nil, zero + ".." + c[1], []want{{0, "a.txt", 1, 3, c[0], 1}}},
		{"first push of the root only", nil, zero + ".." + c[0], []want{{0, "a.txt", 1, 3, c[0], 1}}},
		{"a single revision", nil, c[2], []want{{0, "a.txt", 1, 3, c[0], 1}, {1, "c.txt", 1, 3, c[2], 3}}},
	}
	commits := map[string]int64{"range": 2, "first push": 2, "since the tip": 0}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range readers {
				src := r.source(h.dir)
				src.Since, src.Range = tc.since, tc.rng
				res := run(t, src)
				sortWants(tc.want)
				g := got(t, h.keys, res)
				sortWants(g)
				if diff := cmp.Diff(tc.want, g, cmp.AllowUnexported(want{})); diff != "" {
					t.Errorf("reader %s: (-want +got):\n%s", r, diff)
				}
				if n, ok := commits[tc.name]; ok && res.Stats.Commits != n {
					t.Errorf("reader %s: %d commits, want %d", r, res.Stats.Commits, n)
				}
				// Nothing new since the tip: nothing is read, not merely nothing reported.
				if tc.name == "since the tip" && res.Stats.Blobs != 0 {
					t.Errorf("reader %s: %d blobs read, want 0", r, res.Stats.Blobs)
				}
			}
		})
	}
	t.Run("unknown revision", func(t *testing.T) {
		for _, r := range readers {
			err := (&Source{Dir: h.dir, Since: []string{"no-such-branch"}, Reader: r.reader}).Scan(context.Background(), func(scanner.Chunk) error { return nil })
			if err == nil || !strings.Contains(err.Error(), "no-such-branch") {
				t.Errorf("reader %s: error %v, want one naming the revision", r, err)
			}
		}
	})
}

func sortWants(ws []want) {
	sort.Slice(ws, func(i, j int) bool {
		if ws[i].tick != ws[j].tick {
			return ws[i].tick < ws[j].tick
		}
		return ws[i].path < ws[j].path
	})
}

// TestLongHistory: one key among many versions of the same files is found once, at the
// commit that introduced it, by both readers.
func TestLongHistory(t *testing.T) {
	dir := repoWithLongHistory(t, 60)
	var results []*scanner.Result
	for _, r := range readers {
		res := run(t, r.source(dir))
		if len(res.Findings) != 1 {
			t.Fatalf("reader %s: %d findings, want 1", r, len(res.Findings))
		}
		if got := res.Findings[0].First().Message; got != "change" {
			t.Errorf("reader %s: subject %q", r, got)
		}
		if res.Stats.Commits != 60 {
			t.Errorf("reader %s: %d commits, want 60", r, res.Stats.Commits)
		}
		results = append(results, res)
	}
	sameResults(t, results, false)
}

// sameResults checks that every way of reading found the same and counted the same.
func sameResults(t *testing.T, results []*scanner.Result, garbage bool) {
	t.Helper()
	a := results[0]
	for i, b := range results[1:] {
		if diff := cmp.Diff(a.Findings, b.Findings); diff != "" {
			t.Errorf("findings differ between %s and %s (-first +second):\n%s", readers[0], readers[i+1], diff)
		}
		if a.Stats.Commits != b.Stats.Commits || a.Stats.Bytes != b.Stats.Bytes && !garbage || a.Stats.Blobs != b.Stats.Blobs && !garbage {
			t.Errorf("stats differ: %s %+v, %s %+v", readers[0], a.Stats, readers[i+1], b.Stats)
		}
	}
}
