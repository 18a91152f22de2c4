package git

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakstop/leakstop/rules"
)

// fixture builds a real repository with the git binary, isolated from the user's and the
// system's configuration, with commit dates that advance one hour a commit so that the
// history's order is the same on every run.
type fixture struct {
	t    testing.TB
	dir  string
	tick int
	gen  *rules.Generator
	keys int
}

// gitEnv isolates fixture git commands from the machine's configuration.
func gitEnv() []string {
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada Author", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada Author", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_TERMINAL_PROMPT=0", "LC_ALL=C",
	)
}

func needGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	needGit(t)
	f := &fixture{t: t, dir: t.TempDir(), gen: rules.NewGenerator(7)}
	f.git("init", "-q", "-b", "main")
	return f
}

// date is the fixture's n-th commit date.
func date(n int) time.Time {
	return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
}

// git runs git in the fixture and returns its trimmed output.
func (f *fixture) git(args ...string) string {
	f.t.Helper()
	return runGit(f.t, f.dir, f.tick, args...)
}

// runGit runs git in dir, dated at the fixture's tick-th commit date, and returns its trimmed
// output.
func runGit(t testing.TB, dir string, tick int, args ...string) string {
	t.Helper()
	return runGitInput(t, dir, tick, "", args...)
}

// runGitInput is runGit with stdin as git's input.
func runGitInput(t testing.TB, dir string, tick int, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	d := date(tick).Format(time.RFC3339)
	cmd.Env = append(gitEnv(), "GIT_AUTHOR_DATE="+d, "GIT_COMMITTER_DATE="+d)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// fastImport feeds a `git fast-import` stream to the fixture.
func (f *fixture) fastImport(stream string) {
	f.t.Helper()
	runGitInput(f.t, f.dir, f.tick, stream, "fast-import", "--quiet")
}

// key returns a new OpenAI project key, made at run time.
func (f *fixture) key() string {
	f.keys++
	return f.gen.OpenAIKey("sk-proj-", 74)
}

// write sets files; the content deleted removes a file instead.
func (f *fixture) write(files map[string]string) {
	f.t.Helper()
	for name, content := range files {
		p := filepath.Join(f.dir, filepath.FromSlash(name))
		if content == deleted {
			if err := os.Remove(p); err != nil {
				f.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
}

// deleted is the content that makes write remove a file.
const deleted = "\x00deleted"

// commit writes files, stages everything and commits; it returns the new commit's id.
func (f *fixture) commit(msg string, files map[string]string) string {
	f.t.Helper()
	f.write(files)
	f.tick++
	f.git("add", "-A")
	f.git("commit", "-q", "--allow-empty", "-m", msg)
	return f.git("rev-parse", "HEAD")
}

// want is an expected location: the secret's index in keys, and where it came in.
type want struct {
	key    int
	path   string
	line   int
	column int
	commit string
	tick   int
}

// history is a fixture repository with its keys and the locations a scan must report for
// each key, earliest first.
type history struct {
	dir  string
	keys []string
	want []want
}

// repoWithDeletedSecret: a key is committed in config.env and deleted in the next commit;
// only history holds it.
func repoWithDeletedSecret(t testing.TB) history {
	f := newFixture(t)
	f.commit("Add readme", map[string]string{"README.md": "# app\n"})
	k := f.key()
	c := f.commit("Add config", map[string]string{"config.env": "DEBUG=1\nOPENAI_API_KEY=" + k + "\n"})
	f.commit("Remove the key", map[string]string{"config.env": "DEBUG=1\n"})
	return history{dir: f.dir, keys: []string{k}, want: []want{{0, "config.env", 2, 16, c, 2}}}
}

// repoWithBranchOnlySecret: a key lives on a branch that was never merged.
func repoWithBranchOnlySecret(t testing.TB) history {
	f := newFixture(t)
	f.commit("Start", map[string]string{"main.go": "package main\n"})
	f.git("checkout", "-q", "-b", "feature")
	k := f.key()
	c := f.commit("Try the API", map[string]string{"api.go": "package main\n\nconst key = \"" + k + "\"\n"})
	f.git("checkout", "-q", "main")
	f.commit("Go on", map[string]string{"main.go": "package main\n\nfunc main() {}\n"})
	return history{dir: f.dir, keys: []string{k}, want: []want{{0, "api.go", 3, 14, c, 2}}}
}

// repoWithTaggedSecret: a key is reachable only through an annotated tag, its commit gone
// from every branch.
func repoWithTaggedSecret(t testing.TB) history {
	f := newFixture(t)
	f.commit("Start", map[string]string{"a.txt": "a\n"})
	f.git("checkout", "-q", "--detach")
	k := f.key()
	c := f.commit("Release with key", map[string]string{"release.yml": "token: " + k + "\n"})
	f.git("tag", "-a", "-m", "v1", "v1.0.0")
	f.git("checkout", "-q", "main")
	f.commit("Later", map[string]string{"a.txt": "b\n"})
	return history{dir: f.dir, keys: []string{k}, want: []want{{0, "release.yml", 1, 8, c, 2}}}
}

// repoWithMerges: two branches each add a key and are merged; the merge that settles a
// conflict writes a third key itself, so the merge commit introduces it.
func repoWithMerges(t testing.TB) history {
	f := newFixture(t)
	f.commit("Start", map[string]string{"conf.txt": "x\n"})
	f.git("checkout", "-q", "-b", "left")
	k0 := f.key()
	cl := f.commit("Left", map[string]string{"left.txt": "L=" + k0 + "\n", "conf.txt": "left\n"})
	f.git("checkout", "-q", "main")
	f.git("checkout", "-q", "-b", "right")
	k1 := f.key()
	cr := f.commit("Right", map[string]string{"right.txt": "R=" + k1 + "\n", "conf.txt": "right\n"})
	f.git("checkout", "-q", "main")
	f.tick++
	f.git("merge", "-q", "--no-ff", "-m", "Merge left", "left")
	cmd := exec.Command("git", "merge", "-q", "--no-ff", "-m", "Merge right", "right")
	cmd.Dir = f.dir
	cmd.Env = gitEnv()
	cmd.Run() // conflicts on conf.txt
	k2 := f.key()
	cm := f.commit("Merge right", map[string]string{"conf.txt": "merged " + k2 + "\n"})
	return history{dir: f.dir, keys: []string{k0, k1, k2}, want: []want{
		{0, "left.txt", 1, 3, cl, 2},
		{1, "right.txt", 1, 3, cr, 3},
		{2, "conf.txt", 1, 8, cm, 5},
	}}
}

// repoWithRename: a file holding a key is renamed; the key is seen at both paths.
func repoWithRename(t testing.TB) history {
	f := newFixture(t)
	k := f.key()
	content := "one\nkey=" + k + "\n"
	c1 := f.commit("Add", map[string]string{"old/name.txt": content})
	c2 := f.commit("Rename", map[string]string{"old/name.txt": deleted, "new/name.txt": content})
	return history{dir: f.dir, keys: []string{k}, want: []want{
		{0, "old/name.txt", 2, 5, c1, 1},
		{0, "new/name.txt", 2, 5, c2, 2},
	}}
}

// repoWithMovedSecret: a key moves from one file into another, among other lines.
func repoWithMovedSecret(t testing.TB) history {
	f := newFixture(t)
	k := f.key()
	c1 := f.commit("Add", map[string]string{"a.py": "import os\nKEY = '" + k + "'\n", "b.py": "x = 1\n"})
	c2 := f.commit("Move", map[string]string{"a.py": "import os\n", "b.py": "x = 1\ny = 2\nKEY = '" + k + "'\n"})
	return history{dir: f.dir, keys: []string{k}, want: []want{
		{0, "a.py", 2, 8, c1, 1},
		{0, "b.py", 3, 8, c2, 2},
	}}
}

// bareRepo is a bare clone of repoWithDeletedSecret.
func bareRepo(t testing.TB) history {
	h := repoWithDeletedSecret(t)
	bare := filepath.Join(t.TempDir(), "bare.git")
	runGit(t, h.dir, 0, "clone", "-q", "--bare", h.dir, bare)
	h.dir = bare
	return h
}

// emptyRepo has no commit at all.
func emptyRepo(t testing.TB) history {
	f := newFixture(t)
	return history{dir: f.dir}
}

// repoWithCorruptObject has two keys in two files; the blob of one is overwritten with
// garbage in the object store.
func repoWithCorruptObject(t testing.TB) (h history, corrupt string) {
	f := newFixture(t)
	k0, k1 := f.key(), f.key()
	c := f.commit("Add", map[string]string{"good.txt": "k=" + k0 + "\n", "bad.txt": "k=" + k1 + "\n"})
	corrupt = f.git("rev-parse", "HEAD:bad.txt")
	p := filepath.Join(f.dir, ".git", "objects", corrupt[:2], corrupt[2:])
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("this is not zlib data at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	return history{dir: f.dir, keys: []string{k0, k1}, want: []want{{0, "good.txt", 1, 3, c, 1}}}, corrupt
}

// repoWithCorruptObjectAmong has n files with a key each, in one commit; in the object store,
// the blob of the middle one keeps its header (so that it is listed) and has garbage for
// content (so that the reader dies on it).
func repoWithCorruptObjectAmong(t testing.TB, n int) (h history, corrupt string) {
	f := newFixture(t)
	files := map[string]string{}
	for i := 0; i < n; i++ {
		k := f.key()
		h.keys = append(h.keys, k)
		files[fmt.Sprintf("f%02d.txt", i)] = "k=" + k + "\n"
	}
	c := f.commit("Add", files)
	bad := n / 2
	corrupt = f.git("rev-parse", fmt.Sprintf("HEAD:f%02d.txt", bad))
	p := filepath.Join(f.dir, ".git", "objects", corrupt[:2], corrupt[2:])
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	content := files[fmt.Sprintf("f%02d.txt", bad)]
	fmt.Fprintf(w, "blob %d\x00%s", len(content), content[:len(content)/2])
	w.Flush()
	z.WriteString("\xff\xff\xff this is not deflate data")
	if err := os.WriteFile(p, z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if i != bad {
			h.want = append(h.want, want{i, fmt.Sprintf("f%02d.txt", i), 1, 3, c, 1})
		}
	}
	h.dir = f.dir
	return h, corrupt
}

// repoWithLongHistory makes n commits that edit the same few files, with one key in the
// middle (for TestLongHistory and the benchmarks).
func repoWithLongHistory(t testing.TB, n int) string {
	f := newFixture(t)
	var b strings.Builder
	fmt.Fprintf(&b, "reset refs/heads/main\n")
	lines := make([][]string, 20)
	for i := range lines {
		for j := 0; j < 200; j++ {
			lines[i] = append(lines[i], fmt.Sprintf("line %d of file %d: some code here(%d)", j, i, j*i))
		}
	}
	for c := 1; c <= n; c++ {
		file := c % len(lines)
		lines[file][c%200] = fmt.Sprintf("changed in commit %d", c)
		if c == n/2 {
			lines[file][7] = "key = \"" + f.key() + "\""
		}
		content := strings.Join(lines[file], "\n") + "\n"
		fmt.Fprintf(&b, "commit refs/heads/main\nmark :%d\ncommitter A <a@example.com> %d +0000\ndata 6\nchange\n", c, date(c).Unix())
		if c > 1 {
			fmt.Fprintf(&b, "from :%d\n", c-1)
		}
		fmt.Fprintf(&b, "M 100644 inline src/f%d.txt\ndata %d\n%s\n", file, len(content), content)
	}
	f.fastImport(b.String())
	return f.dir
}

// repoWithCorruptTreeRef has a key in a commit, and a tag that points at a tree (as Linux's
// v2.6.11-tree does) whose subtree is garbage in the object store.
func repoWithCorruptTreeRef(t testing.TB) (h history, corrupt string) {
	f := newFixture(t)
	k := f.key()
	c := f.commit("Add", map[string]string{"a.txt": "k=" + k + "\n"})
	blob := f.git("rev-parse", "HEAD:a.txt")
	corrupt = runGitInput(t, f.dir, f.tick, "100644 blob "+blob+"\tx.txt\n", "mktree")
	top := runGitInput(t, f.dir, f.tick, "040000 tree "+corrupt+"\tdir\n", "mktree")
	f.git("tag", "tree", top)
	p := filepath.Join(f.dir, ".git", "objects", corrupt[:2], corrupt[2:])
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("this is not zlib data at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	return history{dir: f.dir, keys: []string{k}, want: []want{{0, "a.txt", 1, 3, c, 1}}}, corrupt
}

// objectFile is the path of object oid's loose file in the repository at dir.
func objectFile(t testing.TB, dir, oid string) string {
	t.Helper()
	p := filepath.Join(dir, ".git", "objects", oid[:2], oid[2:])
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("object %s is not a loose object: %v", oid, err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// deleteObject removes object oid from the repository at dir.
func deleteObject(t testing.TB, dir, oid string) {
	t.Helper()
	if err := os.Remove(objectFile(t, dir, oid)); err != nil {
		t.Fatal(err)
	}
}

// truncateObject cuts object oid's file to its first 10 bytes: git still lists it (from its
// file name) and cannot read it.
func truncateObject(t testing.TB, dir, oid string) {
	t.Helper()
	p := objectFile(t, dir, oid)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data[:10], 0o644); err != nil {
		t.Fatal(err)
	}
}

// repoWithSecretInSubtree: key 0 is committed in keep/a.txt, key 1 in lost/b.txt by the next
// commit, and a third commit changes another file; it returns the id of the lost/ tree,
// which tests delete or corrupt, and the wants of a scan that can read everything.
func repoWithSecretInSubtree(t testing.TB) (h history, lostTree string) {
	f := newFixture(t)
	k0, k1 := f.key(), f.key()
	c1 := f.commit("Keep", map[string]string{"keep/a.txt": "k=" + k0 + "\n"})
	c2 := f.commit("Lose", map[string]string{"lost/b.txt": "k=" + k1 + "\n"})
	f.commit("Later", map[string]string{"README.md": "# app\n"})
	lostTree = f.git("rev-parse", "HEAD:lost")
	return history{dir: f.dir, keys: []string{k0, k1}, want: []want{
		{0, "keep/a.txt", 1, 3, c1, 1},
		{1, "lost/b.txt", 1, 3, c2, 2},
	}}, lostTree
}

// repoWithSubmodule: a commit adds a submodule at vendor/lib (a gitlink to a commit the
// repository does not hold, as a clone without its submodules has it), and a key when key
// is set; it returns that commit.
func repoWithSubmodule(t testing.TB, key bool) (h history, commit string) {
	f := newFixture(t)
	files := map[string]string{
		".gitmodules": "[submodule \"lib\"]\n\tpath = vendor/lib\n\turl = https://example.com/lib.git\n",
	}
	var k string
	if key {
		k = f.key()
		files["app.env"] = "KEY=" + k + "\n"
	}
	f.write(files)
	f.git("add", "-A")
	// The gitlink goes in the index alone: the working tree has no vendor/lib, which
	// `git add -A` would take for a deletion.
	f.git("update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("5", 40)+",vendor/lib")
	f.tick++
	runGit(t, f.dir, f.tick, "commit", "-q", "-m", "Add lib")
	commit = f.git("rev-parse", "HEAD")
	h = history{dir: f.dir}
	if key {
		h.keys = []string{k}
		h.want = []want{{0, "app.env", 1, 5, commit, 1}}
	}
	return h, commit
}

// repoWithSkippedBlobs: a commit adds a binary file and a large one, the next a key.
func repoWithSkippedBlobs(t testing.TB) (h history, images string) {
	f := newFixture(t)
	images = f.commit("Add images", map[string]string{
		"img/logo.png":  "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("\x00", 64),
		"data/big.json": "[" + strings.Repeat("1,", 600) + "1]\n",
	})
	k := f.key()
	c := f.commit("Add key", map[string]string{"app.env": "KEY=" + k + "\n"})
	return history{dir: f.dir, keys: []string{k}, want: []want{{0, "app.env", 1, 5, c, 2}}}, images
}
