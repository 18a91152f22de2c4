package files_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
)

// collect runs a source and sorts what it yields into read paths, skips and errors.
func collect(t *testing.T, src *files.Source) (read, skipped, failed []string) {
	t.Helper()
	err := src.Scan(context.Background(), func(c scanner.Chunk) error {
		switch {
		case c.Err != nil:
			failed = append(failed, c.Location.Path+": "+c.Err.Error())
		case c.Skipped != "":
			skipped = append(skipped, c.Location.Path+": "+c.Skipped)
		default:
			read = append(read, c.Location.Path+"="+string(c.Data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(read)
	sort.Strings(skipped)
	sort.Strings(failed)
	return read, skipped, failed
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWalkSkipsGitBinaryAndLargeFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "src/app.js"), "app")
	write(t, filepath.Join(dir, "src/.env"), "env")
	write(t, filepath.Join(dir, ".git/config"), "git")
	write(t, filepath.Join(dir, "img.png"), "\x89PNG\x00\x01")
	write(t, filepath.Join(dir, "big.txt"), strings.Repeat("a", 2048))
	if err := os.Symlink(filepath.Join(dir, "src/app.js"), filepath.Join(dir, "link.js")); err != nil {
		t.Fatal(err)
	}
	read, skipped, failed := collect(t, &files.Source{Paths: []string{dir}, MaxFileSize: 1024})
	rel := func(xs []string) []string {
		for i, x := range xs {
			xs[i] = strings.TrimPrefix(x, filepath.ToSlash(dir)+"/")
		}
		return xs
	}
	if diff := cmp.Diff([]string{"src/.env=env", "src/app.js=app"}, rel(read)); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
	wantSkipped := []string{
		".git: git metadata (leakstop git scans history)",
		"big.txt: 2.0 KiB is larger than the 1.0 KiB limit",
		"img.png: binary file",
	}
	if diff := cmp.Diff(wantSkipped, rel(skipped)); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if len(failed) != 0 {
		t.Errorf("failed = %v", failed)
	}
}

func TestStdinAndMissingPath(t *testing.T) {
	src := &files.Source{Paths: []string{"-", "/does/not/exist"}, Stdin: strings.NewReader("from stdin")}
	read, _, failed := collect(t, src)
	if diff := cmp.Diff([]string{"-=from stdin"}, read); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/does/not/exist: /does/not/exist does not exist (check the path)"}, failed); diff != "" {
		t.Errorf("failed (-want +got):\n%s", diff)
	}
}

func TestUnreadableFileIsAProblemAndTheRestGoesOn(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ok.txt"), "fine")
	bad := filepath.Join(dir, "locked.txt")
	if os.Geteuid() == 0 {
		// Permissions do not stop root; a file whose read fails does.
		if err := os.Symlink("/proc/self/mem", bad); err != nil {
			t.Fatal(err)
		}
	} else {
		write(t, bad, "secret")
		if err := os.Chmod(bad, 0); err != nil {
			t.Fatal(err)
		}
	}
	read, _, failed := collect(t, &files.Source{Paths: []string{filepath.Join(dir, "ok.txt"), bad}})
	if len(read) != 1 || len(failed) != 1 || !strings.Contains(failed[0], "locked.txt") {
		t.Fatalf("read %v, failed %v: want ok.txt read and locked.txt failed", read, failed)
	}
}

// within runs f and fails the test if it does not return within d: a hang is a failure
// with a message, not a test binary killed by its timeout.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not end within %s", what, d)
	}
}

// chunks runs a source and returns every chunk it yields, in order, with the data dropped.
func chunks(t *testing.T, ctx context.Context, src *files.Source) ([]scanner.Chunk, error) {
	t.Helper()
	var out []scanner.Chunk
	err := src.Scan(ctx, func(c scanner.Chunk) error {
		c.Data = nil
		out = append(out, c)
		return nil
	})
	return out, err
}

// TestSparseFileIsNotReadWhole makes a sparse 3 GiB file: skipped for its size without a
// byte read, and with a limit above its size, told binary from its first bytes and not read
// further. Memory stays far below the file's size.
func TestSparseFileIsNotReadWhole(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "sparse.log")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(3 << 30); err != nil {
		t.Skipf("no sparse files here: %v", err)
	}
	f.Close()

	tests := []struct {
		name  string
		limit int64
		want  string
		bound scanner.Limit
	}{
		{"over the limit", 0, "3.0 GiB is larger than the 10 MiB limit", scanner.LimitFileSize},
		{"under the limit", 4 << 30, "binary file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var cs []scanner.Chunk
			within(t, 20*time.Second, "a scan of a sparse file", func() {
				cs, err = chunks(t, context.Background(), &files.Source{Paths: []string{big}, MaxFileSize: tt.limit})
			})
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 1 || cs[0].Skipped != tt.want || cs[0].Limit != tt.bound {
				t.Fatalf("chunks %+v, want one skipped %q (limit %q)", cs, tt.want, tt.bound)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 32<<20 {
				t.Errorf("the scan allocated %d MiB for a file it does not read", n>>20)
			}
		})
	}
}

// TestFileLargerThanItsSize reads a file whose size says 0 (files under /proc do): it is
// read to the limit and no further.
func TestFileLargerThanItsSize(t *testing.T) {
	const p = "/proc/self/maps"
	if info, err := os.Stat(p); err != nil || info.Size() != 0 {
		t.Skip("no /proc/self/maps of size 0 here")
	}
	cs, err := chunks(t, context.Background(), &files.Source{Paths: []string{p}, MaxFileSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Limit != scanner.LimitFileSize || !strings.HasPrefix(cs[0].Skipped, "101 B is larger than the 100 B limit") {
		t.Errorf("chunks %+v, want one skipped for its size", cs)
	}
}

// endless is a standard input that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// blocked is a standard input that never sends a byte (a terminal nobody types in).
type blocked struct{ ch chan struct{} }

func (b blocked) Read(p []byte) (int, error) {
	<-b.ch
	return 0, io.EOF
}

// TestStdinIsBounded reads an endless standard input: the first MaxFileSize bytes are
// scanned, the cut is reported with its bound, and memory stays bounded. A standard input
// that sends nothing gives way when the scan is cancelled.
func TestStdinIsBounded(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var got []scanner.Chunk
	var sizes []int
	within(t, 20*time.Second, "a scan of an endless standard input", func() {
		err := (&files.Source{Paths: []string{"-"}, Stdin: endless{}, MaxFileSize: 1 << 20}).Scan(context.Background(), func(c scanner.Chunk) error {
			sizes = append(sizes, len(c.Data))
			c.Data = nil
			got = append(got, c)
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	})
	runtime.ReadMemStats(&after)
	if len(got) != 2 || got[0].Limit != scanner.LimitFileSize ||
		got[0].Skipped != "standard input is longer than the 1.0 MiB limit: the rest is not read, the first 1.0 MiB are scanned" ||
		sizes[1] != 1<<20 {
		t.Errorf("chunks %+v (sizes %v), want the cut reported and 1 MiB scanned", got, sizes)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("reading 1 MiB of standard input allocated %d MiB", n>>20)
	}

	b := blocked{ch: make(chan struct{})}
	defer close(b.ch)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	within(t, 10*time.Second, "a cancelled scan of a silent standard input", func() {
		_, err := chunks(t, ctx, &files.Source{Paths: []string{"-"}, Stdin: b})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Scan returned %v, want the context's error", err)
		}
	})
}

// TestSymlinks checks symbolic links: a folder linked into itself ends; a link that loops
// is an error when named; a link to a folder named as the path scans the folder, whose own
// links are still not followed.
func TestSymlinks(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "tree/a.env"), "a")
	write(t, filepath.Join(dir, "tree/sub/b.env"), "b")
	write(t, filepath.Join(dir, "outside/c.env"), "c")
	for link, target := range map[string]string{
		"tree/sub/loop": "..",               // the folder linked into itself
		"tree/out":      "../outside",       // a link inside the tree, to elsewhere
		"self":          "self",             // a link to itself
		"link":          "tree",             // a link to the tree, named as the path
		"tree/file.env": "../outside/c.env", // a link to a file, inside a folder
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	var read, skipped, failed []string
	within(t, 10*time.Second, "a scan of symbolic links", func() {
		read, skipped, failed = collect(t, &files.Source{Paths: []string{"link", "tree/sub/loop", "self"}})
	})
	want := []string{"link/a.env=a", "link/sub/b.env=b", "tree/sub/loop/a.env=a", "tree/sub/loop/sub/b.env=b"}
	if diff := cmp.Diff(want, read); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
	if len(skipped) != 0 {
		t.Errorf("skipped %v", skipped)
	}
	if diff := cmp.Diff([]string{"self: self is a symbolic link that loops (it leads back to itself): not read"}, failed); diff != "" {
		t.Errorf("failed (-want +got):\n%s", diff)
	}
}

// TestDepthLimit walks a tree deeper than its limit: the folder past the limit is skipped
// with the bound named, the rest is read.
func TestDepthLimit(t *testing.T) {
	dir := t.TempDir()
	p := dir
	for i := 1; i <= 5; i++ {
		p = filepath.Join(p, fmt.Sprintf("d%d", i))
		write(t, filepath.Join(p, "f.env"), fmt.Sprint(i))
	}
	t.Chdir(dir)
	cs, err := chunks(t, context.Background(), &files.Source{Paths: []string{"."}, MaxDepth: 3})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, fmt.Sprintf("%s %q %s", c.Location.Path, c.Skipped, c.Limit))
	}
	want := []string{
		`d1/d2/d3/d4 "folder is 4 levels deep, beyond the limit of 3: not read" depth`,
		`d1/d2/d3/f.env "" `,
		`d1/d2/f.env "" `,
		`d1/f.env "" `,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chunks (-want +got):\n%s", diff)
	}
}
