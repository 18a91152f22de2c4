package main

import (
	"io"
	"math"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressDelayEnv sets how long a scan runs before its progress bar shows (a duration;
// default progressDelay). The tests lower it; a user may too.
const progressDelayEnv = "LEAKSTOP_PROGRESS_DELAY"

// progressDelay is how long a scan runs before its bar shows: quick scans print nothing
// extra.
const progressDelay = time.Second

// progressBar returns the progress bar of a scan that reads what describes (such as
// "reading history"), or nil when none is to be shown: stderr is not a terminal (or a dumb
// one), or --quiet or --no-progress was given.
func (a *app) progressBar(l *logFlags, stderr io.Writer, what string) *lazyBar {
	if !l.progress() || !isTerminal(stderr) || a.getenv("TERM") == "dumb" {
		return nil
	}
	delay := progressDelay
	if v := a.getenv(progressDelayEnv); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d >= 0 {
			delay = d
		}
	}
	return newLazyBar(a.console(stderr), what, delay)
}

// lazyBar is a progress bar on a terminal that shows once a scan has run for a moment and
// its total is known. It counts from the start of the scan, out of sight, so that the rate
// it first shows is the rate of the bytes read so far over the time they took, not of a
// backlog handed over at once.
type lazyBar struct {
	mu    sync.Mutex
	con   *console
	start time.Time
	delay time.Duration
	// known says the total is known: the bar is drawn once the delay has passed too.
	known bool
	shown bool
	bar   *progressbar.ProgressBar
}

func newLazyBar(con *console, what string, delay time.Duration) *lazyBar {
	b := &lazyBar{con: con, start: time.Now(), delay: delay}
	// The total is not known yet: a placeholder keeps the bar counting bytes (and their
	// rate) until it is.
	b.bar = progressbar.NewOptions64(math.MaxInt64,
		progressbar.OptionSetWriter(barWriter{c: con}),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(), // bytes read of the total, beside the rate
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	b.bar.StartWithoutRender()
	return b
}

// progress is a source's progress callback: n bytes more were read (add), or the total is
// n bytes.
func (b *lazyBar) progress(n int64, add bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !add {
		if n <= 0 {
			return
		}
		b.known = true
		b.reveal()
		b.bar.ChangeMax64(n)
		return
	}
	b.reveal()
	b.bar.Add64(n)
}

// reveal lets the bar draw once its total is known and the delay has passed.
func (b *lazyBar) reveal() {
	if !b.shown && b.known && time.Since(b.start) >= b.delay {
		b.shown = true
		b.con.showBar(true)
	}
}

// finish takes the bar off the screen.
func (b *lazyBar) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bar.Finish()
	b.con.showBar(false)
}
