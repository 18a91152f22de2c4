package actions

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEscape checks the escapes of everything that reaches the runner or the summary from a
// scanned repository: workflow command data and properties read back as they were and hold
// no line break (nor, for properties, a ":" or ","), and table cells hold no line break, no
// control character, no pipe that ends a cell, and (outside code spans) no "<".
func FuzzEscape(f *testing.F) {
	for _, s := range []string{
		"src/api.js", "conf/100%,prod:\r\nx.env", "docs/a|b <script>alert(1)</script>.md",
		"[x](javascript:y) @octocat", "\x1b[2J`x``y`", "%0A%25", "::error::x", "\u2028\u202e", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data, prop := escapeData(s), escapeProperty(s)
		if strings.ContainsAny(data, "\r\n") || strings.ContainsAny(prop, "\r\n:,") {
			t.Fatalf("escapes of %q keep a line break or separator: %q, %q", s, data, prop)
		}
		if got := unescape(prop); got != s {
			t.Fatalf("property %q reads back as %q, not %q", prop, got, s)
		}
		if got := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(data); got != s {
			t.Fatalf("data %q reads back as %q, not %q", data, got, s)
		}
		for name, cell := range map[string]string{"code": code(s), "text": text(s), "plain": plain(s)} {
			if !utf8.ValidString(cell) {
				t.Fatalf("%s(%q) = %q is not UTF-8", name, s, cell)
			}
			if strings.ContainsFunc(cell, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' }) {
				t.Fatalf("%s(%q) = %q holds a control character", name, s, cell)
			}
			if name == "plain" {
				continue
			}
			for i := 0; i < len(cell); i++ {
				if cell[i] == '|' && (i == 0 || cell[i-1] != '\\') {
					t.Fatalf("%s(%q) = %q holds a pipe that ends a cell", name, s, cell)
				}
			}
		}
		if strings.ContainsAny(outsideCode(code(s)), "<>[]") {
			t.Fatalf("code(%q) = %q leaves markup outside the span", s, code(s))
		}
		if strings.Contains(text(s), "<") {
			t.Fatalf("text(%q) = %q holds a raw <", s, text(s))
		}
		if c := clip(s, 20); len(c) > 20 && len(s) > 20 {
			t.Fatalf("clip(%q, 20) = %q is longer than 20 bytes", s, c)
		}
	})
}
