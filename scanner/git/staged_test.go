package git

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// place is where a staged finding is reported.
type place struct {
	key       int
	path      string
	line, col int
	hasCommit bool
}

func stagedPlaces(t *testing.T, dir string, keys []string) []place {
	t.Helper()
	res := run(t, &Staged{Dir: dir})
	if len(res.Problems) > 0 {
		t.Errorf("problems: %v", res.Problems)
	}
	var out []place
	for _, f := range res.Findings {
		k := slices.Index(keys, f.Secret)
		for _, l := range f.Locations {
			out = append(out, place{k, l.Path, l.Line, l.Column, l.Commit != ""})
		}
	}
	return out
}

// TestStaged checks added, modified and deleted files: only the lines the index adds are
// reported, at their staged path and line; unstaged changes are not read.
func TestStaged(t *testing.T) {
	f := newFixture(t)
	old := f.key()
	body := "one\ntwo\nthree\nfour\n"
	f.commit("Start", map[string]string{"mod.txt": body, "gone.txt": "k=" + old + "\n", "same.txt": "x\n"})
	k0, k1, k2 := f.key(), f.key(), f.key()
	f.write(map[string]string{
		"dir/new file.env": "A=1\nOPENAI_API_KEY=" + k0 + "\n",
		"mod.txt":          "one\ntwo\nkey: " + k1 + "\nthree\nfour\n",
		"gone.txt":         deleted,
	})
	f.git("add", "-A")
	// Changed after staging: not what would be committed.
	f.write(map[string]string{"same.txt": "x\nk=" + k2 + "\n"})
	got := stagedPlaces(t, f.dir, []string{old, k0, k1, k2})
	want := []place{{1, "dir/new file.env", 2, 16, false}, {2, "mod.txt", 3, 6, false}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(place{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestStagedNoCommit: in a repository with no commit yet, every staged line is read.
func TestStagedNoCommit(t *testing.T) {
	f := newFixture(t)
	k := f.key()
	f.write(map[string]string{"a.txt": "first\nsecond\nk=" + k + "\n"})
	f.git("add", "a.txt")
	got := stagedPlaces(t, f.dir, []string{k})
	want := []place{{0, "a.txt", 3, 3, false}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(place{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestStagedLines checks the diff parser on what trips naive ones: an added line that
// looks like a file header, several hunks, a line without final newline, a renamed file.
func TestStagedLines(t *testing.T) {
	f := newFixture(t)
	var lines []string
	for i := 1; i <= 30; i++ {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	f.commit("Start", map[string]string{"big.txt": strings.Join(lines, "\n") + "\n", "old.txt": "a\nb\n"})
	k0, k1, k2 := f.key(), f.key(), f.key()
	lines[4] = "++ k=" + k0 // shows as "+++ k=..." in the diff
	lines[24] = "k=" + k1
	f.write(map[string]string{"big.txt": strings.Join(lines, "\n") + "\nlast k=" + k2})
	f.git("mv", "old.txt", "new.txt")
	f.git("add", "-A")
	got := stagedPlaces(t, f.dir, []string{k0, k1, k2})
	want := []place{{0, "big.txt", 5, 6, false}, {1, "big.txt", 25, 3, false}, {2, "big.txt", 31, 8, false}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(place{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestStagedNotRepository: outside a repository the error says so.
func TestStagedNotRepository(t *testing.T) {
	needGit(t)
	err := (&Staged{Dir: filepath.Join(t.TempDir())}).Scan(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "not a git repository") {
		t.Errorf("error %v", err)
	}
}
