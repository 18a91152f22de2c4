package files_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

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
