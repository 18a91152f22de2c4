package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (go test ./cmd/leakstop -run %s -update writes it): %v", t.Name(), err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got; -update rewrites it):\n%s", path, d)
	}
}

// Text a scanned repository or site controls: a terminal title, a screen clear, a fake
// line, reversed text, a C1 escape, HTML and markdown.
const (
	hostileName   = "src/\x1b]0;pwned\x07evil\u202esj.txt\r\nleakstop: no leaks found"
	hostileStatus = "401 Unauthorized\x1b[2J\x1b[H\u009b31m <img src=x onerror=alert(1)> [link](javascript:alert(1)) **bold**"
)

// hostileLog writes the log lines a hostile place makes: a message, string fields, a list,
// an error, a nested object and a hostile field name.
func hostileLog(log zerolog.Logger) {
	log.Warn().Str("where", hostileName).Str("status", hostileStatus).Msg("skipped: " + hostileName)
	log.Error().Err(errors.New("fetching https://evil.example/\x1b]8;;javascript:alert(1)\x07click\x1b]8;;\x07: "+hostileStatus)).
		Strs("paths", []string{hostileName, "ok.js"}).Int("n", 3).Msg("a site answered")
	log.Info().Dict("origin", zerolog.Dict().Str("path", "webpack://app/\u202e"+hostileName)).Str("a\x1bb\u202e", "field name").Msg("\u2066isolated\u2069 \u200bzero width")
}

var clock = regexp.MustCompile(`\d\d:\d\d:\d\d|"time":"[^"]+"`)

// TestConsoleLogHostile: in console format (what a terminal gets) every message, field
// value, list item, error and field name is escaped: no escape sequence, bidirectional
// override or line break reaches the terminal, and each event is one line.
func TestConsoleLogHostile(t *testing.T) {
	var buf bytes.Buffer
	a := &app{getenv: func(string) string { return "" }}
	hostileLog(a.logger(&logFlags{Format: "console", level: zerolog.DebugLevel}, &buf))
	out := clock.ReplaceAll(buf.Bytes(), []byte("15:04:05"))
	golden(t, "hostile.console.txt", out)
	noRawControl(t, "console log", out)
	if n := bytes.Count(out, []byte("\n")); n != 3 {
		t.Errorf("%d lines for 3 events:\n%s", n, out)
	}
}

// TestJSONLogHostile: JSON lines escape C0 controls themselves; leakstop escapes the C1
// controls, bidirectional overrides and invisible characters JSON lets through, and each
// line still reads back as the same event.
func TestJSONLogHostile(t *testing.T) {
	var buf bytes.Buffer
	a := &app{getenv: func(string) string { return "" }}
	hostileLog(a.logger(&logFlags{Format: "json", level: zerolog.DebugLevel}, &buf))
	out := clock.ReplaceAll(buf.Bytes(), []byte(`"time":"2026-11-30T10:00:00Z"`))
	golden(t, "hostile.log.jsonl", out)
	noRawControl(t, "JSON log", out)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first["where"] != hostileName {
		t.Errorf("the first line reads back as %v (%v), want where = %q", first, err, hostileName)
	}
}

// TestFinalErrorHostile: the error leakstop ends with, and its hints, are escaped too, and a
// line break in them cannot start a line that looks like leakstop's own: what follows it is
// indented, as the lines of joined errors are.
func TestFinalErrorHostile(t *testing.T) {
	var buf bytes.Buffer
	a := &app{getenv: func(string) string { return "" }}
	err := failure(errors.New("reading "+hostileName+": permission denied"), "check "+hostileName)
	if code := a.exitStatus(err, &buf); code != exitError {
		t.Errorf("exit status %d", code)
	}
	golden(t, "hostile.error.txt", buf.Bytes())
	noRawControl(t, "the final error", buf.Bytes())
	for _, l := range strings.Split(buf.String(), "\n") {
		if l != "" && !strings.HasPrefix(l, "leakstop: ") && !strings.HasPrefix(l, "hint: ") && !strings.HasPrefix(l, "  ") {
			t.Errorf("line %q is not leakstop's", l)
		}
	}
}

// noRawControl fails when out holds, raw, anything a terminal acts on or that hides text.
func noRawControl(t *testing.T, what string, out []byte) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e", "\u2066", "\u200b", "\u009b"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("%s holds %q raw:\n%s", what, bad, out)
		}
	}
}
