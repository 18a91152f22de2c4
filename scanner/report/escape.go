package report

import (
	"bytes"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// EscapeInvisible rewrites, in JSON text, the characters a JSON encoder lets through raw that
// a terminal or a viewer acts on: C1 controls (U+0080 to U+009F, which some terminals read as
// escape sequences), DEL, bidirectional overrides and isolates, zero-width and other
// invisible formatting characters, and the Unicode line separators; a byte that is not UTF-8
// becomes U+FFFD. JSON escapes the C0 controls itself. These characters, all outside
// printable ASCII, can only stand inside JSON strings, so their \u escapes leave valid JSON
// with the same content: a report or a log line read back is unchanged, one shown on a
// terminal (cat, less, a CI log) cannot reverse or hide what it shows.
func EscapeInvisible(json []byte) []byte {
	if utf8.Valid(json) && !bytes.ContainsFunc(json, rawInvisible) {
		return json
	}
	out := make([]byte, 0, len(json)+32)
	for p := json; len(p) > 0; {
		r, n := utf8.DecodeRune(p)
		switch {
		case r == utf8.RuneError && n == 1:
			out = append(out, `\ufffd`...)
		case rawInvisible(r) && r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		case rawInvisible(r):
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, p[:n]...)
		}
		p = p[n:]
	}
	return out
}

// rawInvisible reports whether r is one that printable escapes and a JSON encoder does not
// (it escapes the C0 controls: the newline that ends a JSON line is one).
func rawInvisible(r rune) bool { return r >= 0x20 && unprintable(r) }
