package report

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEscapes checks the escapes of text from elsewhere on any input: Printable leaves
// nothing a terminal acts on and changes clean text not at all; EscapeInvisible keeps JSON
// valid with the same content and nothing invisible raw; SARIF URIs are printable ASCII
// without the characters a URI cannot hold; SARIF texts hold no control character.
func FuzzEscapes(f *testing.F) {
	for _, s := range []string{
		"", "plain", setTitle, clearScreen, fakeLine, reverse, c1CSI, img, jsLink, bold,
		"bad \xff\xfe utf-8", "tag \U000E0041", "\u2028\u2029\ufeff\u200b", `\x1b literal`,
		"http://[::1]:8080/a b?q=[1]#f", "webpack://app/src/café menu.ts",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Printable(s)
		if !utf8.ValidString(p) || strings.ContainsFunc(p, unprintable) {
			t.Fatalf("Printable(%q) = %q holds what a terminal acts on", s, p)
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, unprintable) && p != s {
			t.Fatalf("Printable changed clean text %q to %q", s, p)
		}
		if Printable(p) != p {
			t.Fatalf("Printable is not stable: %q, then %q", p, Printable(p))
		}

		in, err := json.Marshal(map[string]string{"k": s})
		if err != nil {
			t.Fatal(err)
		}
		out := EscapeInvisible(in)
		var back map[string]string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("EscapeInvisible(%s) = %s is not JSON: %v", in, out, err)
		}
		var want map[string]string
		json.Unmarshal(in, &want)
		if back["k"] != want["k"] {
			t.Fatalf("EscapeInvisible changed the content: %q, want %q", back["k"], want["k"])
		}
		if strings.ContainsFunc(string(out), func(r rune) bool { return r != '\n' && unprintable(r) }) {
			t.Fatalf("EscapeInvisible left something raw: %q", out)
		}

		u := escapeURI(s)
		for i := 0; i < len(u); i++ {
			if c := u[i]; c <= 0x20 || c >= 0x7f || strings.IndexByte(`"<>\^`+"`"+`{|}`, c) >= 0 {
				t.Fatalf("escapeURI(%q) = %q holds %q", s, u, c)
			}
		}
		if m := msgText(s); strings.ContainsFunc(m, unprintable) {
			t.Fatalf("msgText(%q) = %q holds a control character", s, m)
		}
	})
}
