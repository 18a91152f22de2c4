//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/rules"
)

// hostileRun is one run of leakstop against hostile input: its exit status, what it wrote,
// and the JSON report's stats.
type hostileRun struct {
	code           int
	stdout, stderr string
	stats          struct {
		Files   int64            `json:"files"`
		Skipped int64            `json:"skipped"`
		Errors  int64            `json:"errors"`
		Limits  map[string]int64 `json:"limits"`
	}
}

// runHostile runs leakstop with a JSON report on stdout and JSON logs, and fails the test
// if it does not end within a minute: a hang is what these tests look for.
func runHostile(t *testing.T, stdin io.Reader, args ...string) hostileRun {
	t.Helper()
	var r hostileRun
	done := make(chan struct{})
	go func() {
		defer close(done)
		var out, errb bytes.Buffer
		r.code = Main(append(args, "-f", "json", "--log-format", "json", "-c", os.DevNull), stdin, &out, &errb, func(string) string { return "" })
		r.stdout, r.stderr = out.String(), errb.String()
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("leakstop %s did not end within a minute", strings.Join(args, " "))
	}
	if r.stdout != "" {
		var rep struct {
			Stats json.RawMessage `json:"stats"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("the report is not JSON: %v\n%s", err, r.stdout)
		}
		if err := json.Unmarshal(rep.Stats, &r.stats); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// logLines returns how many lines of a JSON log hold every one of parts.
func logLines(stderr string, parts ...string) int {
	n := 0
	for _, l := range strings.Split(stderr, "\n") {
		all := l != ""
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			n++
		}
	}
	return n
}

// endlessInput is a standard input that never ends.
type endlessInput struct{}

func (endlessInput) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// TestDirHostileInput scans what would hang or exhaust a scan that opened and read whatever
// it was given: named pipes (with no writer), a socket, a device, a sparse 3 GiB file, a
// folder linked into itself, an endless standard input, a tree deeper than the limit. Each
// ends with its line, its count in the stats and the exit status the README gives.
func TestDirHostileInput(t *testing.T) {
	dir := t.TempDir()
	key := rules.NewGenerator(77).OpenAIKey("sk-proj-", 74)
	app := filepath.Join(dir, "app")
	if err := os.MkdirAll(filepath.Join(app, "sub", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, ".env"), []byte("OPENAI_API_KEY="+key+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(app, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	l, err := net.Listen("unix", filepath.Join(app, "s.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f, err := os.Create(filepath.Join(app, "sparse.log"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(3 << 30); err != nil {
		t.Skipf("no sparse files here: %v", err)
	}
	f.Close()
	if err := os.Symlink("..", filepath.Join(app, "sub", "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("app", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	// The folder: the key found, the rest skipped with a line each; skips are not errors.
	r := runHostile(t, nil, "dir", "app")
	if r.code != exitLeaks {
		t.Fatalf("exit status %d, want %d; stderr:\n%s", r.code, exitLeaks, r.stderr)
	}
	for _, want := range [][]string{
		{`"where":"app/pipe"`, "skipped: a named pipe (FIFO), not a file: not read"},
		{`"where":"app/s.sock"`, "skipped: a socket, not a file: not read"},
		{`"where":"app/sparse.log"`, `"hint":"raise --max-file-size to read it"`, "skipped: 3.0 GiB is larger than the 10 MiB limit"},
	} {
		if logLines(r.stderr, want...) != 1 {
			t.Errorf("no one log line with %q; stderr:\n%s", want, r.stderr)
		}
	}
	if r.stats.Skipped != 3 || r.stats.Files != 1 || !cmp.Equal(r.stats.Limits, map[string]int64{"file-size": 1}) {
		t.Errorf("stats %+v, want 1 file read, 3 skipped, limits file-size: 1", r.stats)
	}

	// A link to the folder, named: the folder is scanned through it.
	r = runHostile(t, nil, "dir", "link")
	if r.code != exitLeaks || !strings.Contains(r.stdout, `"path": "link/.env"`) {
		t.Errorf("exit status %d, want %d with the key at link/.env; stdout:\n%s\nstderr:\n%s", r.code, exitLeaks, r.stdout, r.stderr)
	}

	// A pipe and a device named: errors (the user named them, and nothing of them was read).
	for _, tt := range []struct{ path, msg, hint string }{
		{"app/pipe", "app/pipe is a named pipe (FIFO), not a file or folder: not read", `"hint":"to scan what the pipe carries, send it to standard input and scan the path -"`},
		{"/dev/zero", "/dev/zero is a character device, not a file or folder: not read", `"level":"error"`},
	} {
		r = runHostile(t, nil, "dir", tt.path)
		if r.code != exitError || logLines(r.stderr, `"level":"error"`, tt.hint, tt.msg) != 1 ||
			!strings.Contains(r.stderr, "leakstop: 1 place could not be read") || r.stats.Errors != 1 {
			t.Errorf("dir %s: exit status %d, stats %+v, want %d with one error line %q; stderr:\n%s", tt.path, r.code, r.stats, exitError, tt.msg, r.stderr)
		}
	}

	// An endless standard input: read to the limit, the cut said and counted.
	r = runHostile(t, endlessInput{}, "dir", "--max-file-size", "1MiB", "-")
	if r.code != exitClean || logLines(r.stderr, `"where":"-"`, "standard input is longer than the 1.0 MiB limit") != 1 ||
		!cmp.Equal(r.stats.Limits, map[string]int64{"file-size": 1}) {
		t.Errorf("endless stdin: exit status %d, stats %+v; stderr:\n%s", r.code, r.stats, r.stderr)
	}

	// A tree deeper than --max-depth: cut short, status 2.
	r = runHostile(t, nil, "dir", "--max-depth", "1", "link")
	if r.code != exitError || logLines(r.stderr, `"where":"link/sub/deeper"`, "skipped: folder is 2 levels deep, beyond the limit of 1: not read") != 1 ||
		!strings.Contains(r.stderr, "the scan was cut short by its limits: depth (1)") {
		t.Errorf("--max-depth 1: exit status %d, stats %+v; stderr:\n%s", r.code, r.stats, r.stderr)
	}
}
