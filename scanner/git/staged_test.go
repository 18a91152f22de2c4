package git

import (
	"context"
	"errors"
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

// TestStagedJoinedHunks: with diff.interHunkContext, git joins nearby hunks and shows the
// lines between as context (an empty line as nothing at all, with diff.suppressBlankEmpty);
// the added lines after them keep their numbers.
func TestStagedJoinedHunks(t *testing.T) {
	f := newFixture(t)
	f.git("config", "diff.interHunkContext", "5")
	f.git("config", "diff.suppressBlankEmpty", "true")
	f.commit("Start", map[string]string{"a.txt": "one\n\nthree\nfour\nfive\n", "b.txt": "x\n"})
	k0, k1, k2 := f.key(), f.key(), f.key()
	f.write(map[string]string{
		"a.txt": "k=" + k0 + "\n\nthree\nk=" + k1 + "\nfive\n",
		"b.txt": "x\nk=" + k2 + "\n",
	})
	f.git("add", "-A")
	got := stagedPlaces(t, f.dir, []string{k0, k1, k2})
	want := []place{{0, "a.txt", 1, 3, false}, {1, "a.txt", 4, 3, false}, {2, "b.txt", 2, 3, false}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(place{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestParseDiff reads git diff output of the kinds real repositories give (the "real-" seeds
// of FuzzParseDiff come from the same commands), and output that is not a diff.
func TestParseDiff(t *testing.T) {
	cases := []struct {
		name string
		diff string
		want []diffChunk
		err  bool
	}{
		{"hunks, binary, a path with spaces", "diff --git a/b b/b\n--- a/b\n+++ b/b\n@@ -1 +1 @@\n-1\n+one\n@@ -4 +4 @@ f()\n-4\n+four\n\\ No newline at end of file\n" +
			"diff --git a/bin b/bin\nBinary files a/bin and b/bin differ\n" +
			"diff --git a/q b/c d b/q b/c d\nnew file mode 100644\n--- /dev/null\n+++ b/q b/c d\t\n@@ -0,0 +1 @@\n+hi\n",
			[]diffChunk{{Path: "b", Data: "one\n\n\nfour\n"}, {Path: "bin", Skipped: "binary file"}, {Path: "q b/c d", Data: "hi\n"}}, false},
		{"a binary file whose path holds \" b/\"", "diff --git a/x b/y b/x b/y\nBinary files a/x b/y and b/x b/y differ\n",
			[]diffChunk{{Path: "x b/y", Skipped: "binary file"}}, false},
		{"joined hunks with context, an empty one", "diff --git a/b b/b\n--- a/b\n+++ b/b\n@@ -1,4 +1,4 @@\n-1\n+one\n\n 3\n-4\n+four\n",
			[]diffChunk{{Path: "b", Data: "one\n\n\nfour\n"}}, false},
		{"unmerged paths", "* Unmerged path a\ndiff --git a/q b/q\n--- /dev/null\n+++ b/q\n@@ -0,0 +1 @@\n+new\n* Unmerged path z\n",
			[]diffChunk{{Path: "q", Data: "new\n"}}, false},
		{"a binary rename to a quoted path", `diff --git a/bin a "b/bin\tb \"q\""` + "\nrename from bin a\n" + `rename to "bin\tb \"q\""` + "\n" + `Binary files a/bin a and "b/bin\tb \"q\"" differ` + "\n",
			[]diffChunk{{Path: "bin\tb \"q\"", Skipped: "binary file"}}, false},
		{"a quoted path holding a quote and a space", `diff --git "a/x\" " "b/x\" "` + "\n" + `Binary files "a/x\" " and "b/x\" " differ` + "\n",
			[]diffChunk{{Path: `x" `, Skipped: "binary file"}}, false},
		{"octal escapes, kept as bytes", `diff --git "a/\303\251\377\n" "b/\303\251\377\n"` + "\n--- /dev/null\n" + `+++ "b/\303\251\377\n"` + "\n@@ -0,0 +1 @@\n+x\n",
			[]diffChunk{{Path: "\u00e9\xff\n", Data: "x\n"}}, false},
		{"added lines that look like headers", "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -2,0 +3,2 @@\n+++ b/y\n+--- a/y\n",
			[]diffChunk{{Path: "x", Data: "\n\n++ b/y\n--- a/y\n"}}, false},
		{"cut inside a hunk", "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n", nil, true},
		{"a line more than the hunk counts", "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n+c\n", nil, true},
		{"the next file inside a hunk", "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n-a\n+b\ndiff --git a/y b/y\n", nil, true},
		{"hunks out of order", "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -5 +5 @@\n-a\n+b\n@@ -2 +2 @@\n-a\n+b\n", nil, true},
		{"a hunk header that does not parse", "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +x @@\n+b\n", nil, true},
		{"a line number too large", "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +99999999999 @@\n+b\n", nil, true},
		{"a hunk outside a file", "@@ -1 +1 @@\n-a\n+b\n", nil, true},
		{"an empty path", "diff --git a/x b/x\n--- a/x\n+++ b/\n@@ -1 +1 @@\n-a\n+b\n", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := diffChunks([]byte(tc.diff), 4096, 1<<20)
			if tc.err {
				if !errors.Is(err, errDiff) {
					t.Errorf("error %v, want errDiff", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
		})
	}
}
