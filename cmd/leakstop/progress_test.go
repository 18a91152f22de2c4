//go:build !windows

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
	"github.com/dustin/go-humanize"
)

// needTool skips a test when name is not installed, and fails it in CI.
func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed", name)
		}
		t.Skipf("%s is not installed", name)
	}
}

// historyWithBinaries makes a repository of commits, each adding a blob of size bytes of
// text, with a binary blob every 50 commits: long enough to read that a progress bar shows,
// with log lines (each binary blob skipped) while it does.
func historyWithBinaries(t *testing.T, commits, size int) (dir string, binaries int) {
	t.Helper()
	needTool(t, "git")
	dir = t.TempDir()
	gitIn(t, dir, nil, "init", "-q", "-b", "main")
	rng := rand.New(rand.NewPCG(1, 2))
	words := make([]string, 4000)
	for i := range words {
		b := make([]byte, 3+rng.IntN(7))
		for j := range b {
			b[j] = byte('a' + rng.IntN(26))
		}
		words[i] = string(b)
	}
	var stream bytes.Buffer
	for i := 0; i < commits; i++ {
		var data []byte
		name := fmt.Sprintf("src/f%d.txt", i%300)
		if i%50 == 25 {
			binaries++
			name = fmt.Sprintf("bin/%d.dat", i)
			data = make([]byte, 2048)
			for j := range data {
				data[j] = byte(rng.IntN(256))
			}
			data[100] = 0
		} else {
			for len(data) < size {
				for k := 0; k < 10; k++ {
					data = append(data, words[rng.IntN(len(words))]...)
					data = append(data, ' ')
				}
				data[len(data)-1] = '\n'
			}
		}
		msg := fmt.Sprintf("change %d", i)
		fmt.Fprintf(&stream, "commit refs/heads/main\ncommitter Ada <ada@example.com> %d +0000\ndata %d\n%s\n", 1700000000+i, len(msg), msg)
		fmt.Fprintf(&stream, "M 644 inline %s\ndata %d\n", name, len(data))
		stream.Write(data)
		stream.WriteString("\n")
	}
	gitIn(t, dir, &stream, "fast-import", "--quiet")
	return dir, binaries
}

// gitIn runs git in dir with stdin.
func gitIn(t *testing.T, dir string, stdin io.Reader, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// onTerminal runs leakstop with args, its standard error on a pseudo-terminal of 50 rows
// and 200 columns, and returns the bytes the terminal received and the exit status.
func onTerminal(t *testing.T, env []string, args ...string) ([]byte, int) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 200}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := selfCommand(ctx, args...)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, err = os.Create(filepath.Join(t.TempDir(), "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var screen bytes.Buffer
	read := make(chan struct{})
	go func() {
		io.Copy(&screen, ptmx) // ends with EIO once the child has closed the terminal
		close(read)
	}()
	code, err := exitCode(cmd.Wait())
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal was not closed")
	}
	return screen.Bytes(), code
}

// selfCommand runs this test binary as leakstop (TestMain sees runMainEnv).
func selfCommand(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "TERM=xterm", "NO_COLOR=", "CI=")
	return cmd
}

// terminal replays bytes the way a terminal shows them: carriage returns, line feeds,
// erasing to the end of the line; colours are ignored and any other escape sequence is
// reported. lines are the lines left on the screen, trailing blanks trimmed.
type terminal struct {
	lines   []string
	cur     []rune
	col     int
	unknown []string
}

func replay(data []byte) *terminal {
	t := &terminal{}
	for len(data) > 0 {
		if data[0] == 0x1b {
			m := csi.Find(data)
			if m == nil {
				t.unknown = append(t.unknown, fmt.Sprintf("%q", data[:min(len(data), 8)]))
				data = data[1:]
				continue
			}
			switch seq := string(m); {
			case strings.HasSuffix(seq, "m"): // colour
			case seq == "\x1b[K" || seq == "\x1b[0K":
				t.cur = t.cur[:min(t.col, len(t.cur))]
			case seq == "\x1b[2K":
				t.cur = t.cur[:0]
			default:
				t.unknown = append(t.unknown, fmt.Sprintf("%q", seq))
			}
			data = data[len(m):]
			continue
		}
		r, n := utf8.DecodeRune(data)
		data = data[n:]
		switch r {
		case '\r':
			t.col = 0
		case '\n':
			t.lines = append(t.lines, strings.TrimRight(string(t.cur), " "))
			t.cur, t.col = nil, 0
		default:
			if t.col < len(t.cur) {
				t.cur[t.col] = r
			} else {
				for len(t.cur) < t.col {
					t.cur = append(t.cur, ' ')
				}
				t.cur = append(t.cur, r)
			}
			t.col++
		}
	}
	if last := strings.TrimRight(string(t.cur), " "); last != "" {
		t.lines = append(t.lines, last)
	}
	return t
}

var (
	csi = regexp.MustCompile(`^\x1b\[[0-9;?]*[A-Za-z]`)
	// sgr is a colour escape.
	sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	// barDrawing is one drawing of the history bar: percent, bar, bytes read and total, rate.
	barDrawing = regexp.MustCompile(`reading history\s+\d+% \|[^|]*\| \(([^,()]+), ([^()]+)/s\)`)
	barLine    = regexp.MustCompile(`^reading history\s+\d+% \|[^|]*\| \([^()]+\)$`)
	// logLine is a whole console log line.
	logLine = regexp.MustCompile(`^\d\d:\d\d:\d\d (DBG|INF|WRN|ERR) [^\r]*$`)
)

// TestProgressBarRates scans a history on a pseudo-terminal and replays what the terminal
// received: the bar showed, every line left on the screen is a whole log line or a whole
// bar, and every rate the bar showed is one the bytes it showed could have been read at
// (the first rate of a bar started late once was the backlog over a moment: 925 MB/s).
func TestProgressBarRates(t *testing.T) {
	const delay = 300 * time.Millisecond
	repo, binaries := historyWithBinaries(t, 5000, 32<<10)
	raw, code := onTerminal(t, []string{progressDelayEnv + "=" + delay.String()}, "git", repo, "-j", "1", "--log-level", "debug")
	if code != exitClean {
		t.Fatalf("exit %d\n%q", code, raw)
	}
	plain := sgr.ReplaceAll(raw, nil)
	draws := barDrawing.FindAllSubmatchIndex(plain, -1)
	if len(draws) == 0 {
		t.Fatalf("no progress bar was drawn:\n%q", plain)
	}
	t.Logf("%d drawings, the first %q", len(draws), plain[draws[0][0]:draws[0][1]])
	for _, d := range draws {
		read, rate := string(plain[d[2]:d[3]]), string(plain[d[4]:d[5]])
		got, done := barBytes(t, read), barBytes(t, rate)
		// The bar shows no sooner than delay after the scan started, and its rate is an
		// average over at least that long: it cannot exceed what was read over delay
		// (10% for the rounding of the numbers shown).
		if limit := float64(got) / delay.Seconds() * 1.1; float64(done) > limit {
			t.Errorf("bar %q shows %s/s after %s read: more than %s/s", plain[d[0]:d[1]], rate, read, humanize.Bytes(uint64(limit)))
		}
	}
	skipped := checkScreen(t, raw)
	// Skipped blobs are named by path at debug level, once placed: after the bar.
	if skipped != binaries {
		t.Errorf("%d whole 'skipped: binary' lines on the screen, want %d", skipped, binaries)
	}
}

// TestProgressBarKeepsLogLinesWhole draws the bar on a pseudo-terminal while log lines are
// written from other goroutines, as verify workers and sources do, and replays the screen:
// no log line is glued to the bar or cut by it, and none is lost.
func TestProgressBarKeepsLogLinesWhole(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 200}); err != nil {
		t.Fatal(err)
	}
	var screen bytes.Buffer
	read := make(chan struct{})
	go func() {
		io.Copy(&screen, ptmx)
		close(read)
	}()
	a := &app{getenv: func(string) string { return "" }}
	l := &logFlags{Level: "info", Format: "console"}
	if err := l.validate(); err != nil {
		t.Fatal(err)
	}
	log := a.logger(l, tty)
	bar := newLazyBar(a.console(tty), "reading history", 0)
	const total, lines, writers = 64 << 20, 300, 3
	bar.progress(total, false)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines / writers {
				log.Info().Int("writer", w).Msg(fmt.Sprintf("skipped: binary blob %d of writer %d", i, w))
				time.Sleep(time.Millisecond)
			}
		}()
	}
	for i := 0; i < 400; i++ {
		bar.progress(total/400, true)
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	bar.finish()
	tty.Close()
	<-read
	raw := screen.Bytes()
	plain := sgr.ReplaceAll(raw, nil)
	draws := barDrawing.FindAllIndex(plain, -1)
	if len(draws) < 2 {
		t.Fatalf("the bar was drawn %d times; the test proves nothing:\n%q", len(draws), plain)
	}
	between := 0
	for _, m := range regexp.MustCompile(`INF skipped: binary`).FindAllIndex(plain, -1) {
		if m[0] > draws[0][0] && m[0] < draws[len(draws)-1][0] {
			between++
		}
	}
	if between == 0 {
		t.Fatalf("no log line was written while the bar showed; the test proves nothing:\n%q", plain)
	}
	if got := checkScreen(t, raw); got != lines/writers*writers {
		t.Errorf("%d whole log lines on the screen, want %d", got, lines/writers*writers)
	}
}

// checkScreen replays what a terminal received and checks that every line left on it is a
// whole log line or a whole bar, never both; it returns how many 'skipped: binary' log
// lines are there.
func checkScreen(t *testing.T, raw []byte) int {
	t.Helper()
	screen := replay(raw)
	if len(screen.unknown) > 0 {
		t.Errorf("escape sequences other than colours and line erasing: %v", screen.unknown)
	}
	skipped := 0
	for i, l := range screen.lines {
		switch {
		case l == "":
		case logLine.MatchString(l) && !strings.Contains(l, "reading history"):
			if strings.Contains(l, "skipped: binary") {
				skipped++
			}
		case barLine.MatchString(l):
		default:
			t.Errorf("screen line %d is neither a log line nor a bar: %q", i+1, l)
		}
	}
	return skipped
}

// barBytes reads a size the bar shows: "25 MB", "1.2 GB/s" without the "/s", or "25/61 MB"
// (the count takes the total's unit).
func barBytes(t *testing.T, s string) uint64 {
	t.Helper()
	if cur, total, ok := strings.Cut(s, "/"); ok {
		s = cur
		if !strings.Contains(cur, " ") {
			_, unit, _ := strings.Cut(total, " ")
			s = cur + " " + unit
		}
	}
	n, err := humanize.ParseBytes(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("bar size %q: %v", s, err)
	}
	return n
}

// TestNoProgressAndQuiet: --no-progress keeps the log and drops the bar; --quiet drops the
// bar and every line below a warning.
func TestNoProgressAndQuiet(t *testing.T) {
	repo, binaries := historyWithBinaries(t, 600, 32<<10)
	env := []string{progressDelayEnv + "=0s"}

	raw, code := onTerminal(t, env, "git", repo, "--no-progress", "--log-level", "debug")
	if code != exitClean {
		t.Fatalf("--no-progress: exit %d\n%q", code, raw)
	}
	plain := string(sgr.ReplaceAll(raw, nil))
	if strings.Contains(plain, "reading history") {
		t.Errorf("--no-progress drew a bar:\n%q", plain)
	}
	if n := strings.Count(plain, "skipped: binary"); n != binaries {
		t.Errorf("--no-progress: %d skip lines, want %d", n, binaries)
	}

	raw, code = onTerminal(t, env, "git", repo, "--quiet")
	if code != exitClean {
		t.Fatalf("--quiet: exit %d\n%q", code, raw)
	}
	if len(raw) != 0 {
		t.Errorf("--quiet wrote to the terminal:\n%q", raw)
	}
}
