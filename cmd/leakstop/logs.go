package main

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/scanner/report"
)

// The log on standard error carries text from places leakstop does not control: file names,
// commit subjects, a site's status text, a provider's message. Every line is made harmless
// before it is written (a terminal must not take it as escape sequences), redacted (a secret
// that reached a field by mistake still does not show), and written between the redraws of
// the progress bar, so that the two never share a line.

// logger builds the zerolog logger on stderr: console lines on a terminal (or with
// --log-format console), JSON lines otherwise.
func (a *app) logger(l *logFlags, stderr io.Writer) zerolog.Logger {
	var w io.Writer = redactingWriter{a: a, w: a.console(stderr)}
	format := l.Format
	if format == "auto" {
		format = "json"
		if isTerminal(stderr) {
			format = "console"
		}
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{
			Out: w, NoColor: !isTerminal(stderr) || a.getenv("NO_COLOR") != "", TimeFormat: "15:04:05",
			FormatPrepare: printableEvent,
		}
	} else {
		w = jsonLineWriter{w}
	}
	return zerolog.New(w).Level(l.level).With().Timestamp().Logger()
}

// console returns the writer every line to stderr goes through (log lines, the final error
// and its hints), made once per run.
func (a *app) console(stderr io.Writer) *console {
	a.conOnce.Do(func() { a.con = &console{out: stderr} })
	return a.con
}

// printableEvent escapes every string of a decoded log event, keys and values alike, so that
// the console writer, which prints them as they are, prints nothing a terminal acts on.
func printableEvent(evt map[string]any) error {
	for k, v := range evt {
		v = printableValue(v)
		if pk := report.Printable(k); pk != k {
			delete(evt, k)
			k = pk
		}
		evt[k] = v
	}
	return nil
}

func printableValue(v any) any {
	switch x := v.(type) {
	case string:
		return report.Printable(x)
	case []any:
		for i := range x {
			x[i] = printableValue(x[i])
		}
	case map[string]any:
		printableEvent(x)
	}
	return v
}

// jsonLineWriter escapes, in JSON log lines, the characters that JSON lets through raw but a
// terminal or a viewer acts on (report.EscapeInvisible): C1 controls, bidirectional
// overrides, invisible formatting characters. The line stays valid JSON with the same
// content.
type jsonLineWriter struct{ w io.Writer }

func (j jsonLineWriter) Write(p []byte) (int, error) {
	if _, err := j.w.Write(report.EscapeInvisible(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redactingWriter writes log lines to w with every known secret redacted.
type redactingWriter struct {
	a *app
	w io.Writer
}

func (w redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.a.redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// console is standard error, shared by whole lines (the log, messages) and a progress bar
// that redraws the last line in place. A line written while the bar shows clears the bar's
// line first and draws the bar again below it, so a log line never lands in the middle of a
// bar. It also serialises lines: verify, revoke and scan workers log at once, and stderr may
// be a plain buffer (tests, or a caller embedding Main).
type console struct {
	mu  sync.Mutex
	out io.Writer
	// bar is what the progress bar shows on the last line now; empty when it shows nothing.
	bar []byte
	// barOn says a bar is drawing: its writes reach out.
	barOn bool
}

// clearLine returns the cursor to the start of the line and erases the line.
const clearLine = "\r\x1b[K"

// Write writes whole lines.
func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	shown := len(c.bar) > 0
	if shown {
		io.WriteString(c.out, clearLine)
	}
	n, err := c.out.Write(p)
	if shown && err == nil {
		if len(p) > 0 && p[len(p)-1] != '\n' {
			io.WriteString(c.out, "\n")
		}
		io.WriteString(c.out, "\r")
		c.out.Write(c.bar)
	}
	return n, err
}

// printf writes a message line, escaped for the terminal and redacted.
func (a *app) printf(stderr io.Writer, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprint(a.console(stderr), a.redact(printableLines(msg)))
}

// printableLines escapes each line of s for a terminal, keeping its line breaks.
func printableLines(s string) string {
	lines := bytes.SplitAfter([]byte(s), []byte("\n"))
	var b bytes.Buffer
	for _, l := range lines {
		text, nl := bytes.CutSuffix(l, []byte("\n"))
		b.WriteString(report.Printable(string(text)))
		if nl {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// barWriter is where the progress bar draws: through the console, so that lines written
// meanwhile know what to redraw.
type barWriter struct{ c *console }

func (w barWriter) Write(p []byte) (int, error) {
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.barOn {
		return len(p), nil
	}
	if _, err := c.out.Write(p); err != nil {
		return 0, err
	}
	// The bar starts each drawing with a carriage return: what follows the last one is on
	// the screen now.
	if i := bytes.LastIndexByte(p, '\r'); i >= 0 {
		c.bar = append(c.bar[:0], p[i+1:]...)
	} else {
		c.bar = append(c.bar, p...)
	}
	if len(bytes.TrimSpace(c.bar)) == 0 {
		c.bar = c.bar[:0]
	}
	return len(p), nil
}

// showBar lets the bar's drawings through (on), or stops them and forgets what it showed.
func (c *console) showBar(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.barOn = on
	if !on {
		c.bar = c.bar[:0]
	}
}
