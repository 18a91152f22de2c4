package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

// FuzzLogLine logs a fuzzed message, field value and field name in both log formats: each
// event is one line, nothing in it drives a terminal, and a JSON line reads back as the
// event's own text.
func FuzzLogLine(f *testing.F) {
	f.Add("skipped: "+hostileName, hostileStatus, "where")
	f.Add("\x1b]8;;javascript:alert(1)\x07click\x1b]8;;\x07", "a\r\nb", "a\x1bb")
	f.Add("plain", "value with spaces", "n")
	f.Add("\xff\xfe", "\u2028\u2029", "\u202e")
	f.Fuzz(func(t *testing.T, msg, value, name string) {
		for _, format := range []string{"console", "json"} {
			a := &app{getenv: func(string) string { return "" }}
			var buf bytes.Buffer
			log := a.logger(&logFlags{Format: format, level: zerolog.DebugLevel}, &buf)
			log.Info().Str(name, value).Strs("list", []string{value, msg}).Msg(msg)
			out := buf.String()
			if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
				t.Fatalf("%s: one event is not one line: %q", format, out)
			}
			if strings.ContainsFunc(strings.TrimSuffix(out, "\n"), func(r rune) bool {
				return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' || r == '\u2028' || r == '\u2029' || r == '\u200b'
			}) || !utf8.ValidString(out) {
				t.Fatalf("%s: the line holds what a terminal acts on: %q", format, out)
			}
			if format == "json" {
				var ev map[string]any
				if err := json.Unmarshal([]byte(out), &ev); err != nil {
					t.Fatalf("the JSON line %q does not read back: %v", out, err)
				}
				if name != "message" && utf8.ValidString(msg) && ev["message"] != msg && !(msg == "" && ev["message"] == nil) {
					t.Fatalf("the JSON line's message is %q, want %q", ev["message"], msg)
				}
			}
		}
	})
}
