//go:build unix

package files_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/scanner/files"
)

// TestSpecialFilesAreNeverOpened puts a named pipe (with no writer: opening it for
// reading blocks for good) and a socket in a folder, and names a pipe and /dev/zero as
// paths: each is passed over with a line that says what it is, without being read, and the
// scan ends.
func TestSpecialFilesAreNeverOpened(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app.env"), "fine")
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	sock := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	paths := []string{dir, fifo}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths = append(paths, "/dev/zero")
	}
	var read, skipped, failed []string
	within(t, 10*time.Second, "a scan of pipes and devices", func() {
		read, skipped, failed = collect(t, &files.Source{Paths: paths})
	})
	rel := func(xs []string) []string {
		for i, x := range xs {
			xs[i] = strings.ReplaceAll(x, filepath.ToSlash(dir)+"/", "")
			xs[i] = strings.ReplaceAll(xs[i], dir+"/", "")
		}
		return xs
	}
	if diff := cmp.Diff([]string{"app.env=fine"}, rel(read)); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
	wantSkipped := []string{
		"pipe: a named pipe (FIFO), not a file: not read",
		"s.sock: a socket, not a file: not read",
	}
	if diff := cmp.Diff(wantSkipped, rel(skipped)); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	wantFailed := []string{"pipe: pipe is a named pipe (FIFO), not a file or folder: not read"}
	if len(paths) == 3 {
		wantFailed = append([]string{"/dev/zero: /dev/zero is a character device, not a file or folder: not read"}, wantFailed...)
	}
	if diff := cmp.Diff(wantFailed, rel(failed)); diff != "" {
		t.Errorf("failed (-want +got):\n%s", diff)
	}
	// The pipe named as a path says how to scan what it carries.
	cs, _ := chunks(t, context.Background(), &files.Source{Paths: []string{fifo}})
	var se *files.SpecialFileError
	if len(cs) != 1 || !errors.As(cs[0].Err, &se) || !strings.Contains(se.Hint(), "standard input") {
		t.Errorf("chunks %+v: want one SpecialFileError with a hint about standard input", cs)
	}
}
