package issues

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzEscape: whatever a repository or provider puts in a field, the issue text made of it
// is neutral: a code span holds it on one line and cannot be closed from inside, prose has
// no HTML, no line break and no mention, a title is one line of at most 200 characters, and a
// link target is an http(s) URL with nothing that could end the link.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{
		"src/app.js", "a`b``c", "\x1b]0;pwned\x07\x1b[2J", "<img src=x onerror=alert(1)>", "# Heading\n- [ ] @admin",
		"[x](javascript:alert(1))", "https://example.com/a?b=(c)<d>", "\u2028\u202e\u200b", "\xff\xfe", "``` ```", "@@team",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := code(s)
		if strings.ContainsFunc(c, unicode.IsControl) {
			t.Fatalf("code(%q) = %q holds a control character", s, c)
		}
		fence := 0
		for fence < len(c) && c[fence] == '`' {
			fence++
		}
		inner := c[fence : len(c)-fence]
		if fence == 0 || !strings.HasSuffix(c, strings.Repeat("`", fence)) || strings.Contains(inner, strings.Repeat("`", fence)) {
			t.Fatalf("code(%q) = %q can be closed from inside", s, c)
		}
		x := text(s)
		if strings.ContainsFunc(x, unicode.IsControl) || strings.ContainsAny(x, "<>") {
			t.Fatalf("text(%q) = %q holds a control character or HTML", s, x)
		}
		if strings.Count(x, "@") != strings.Count(x, "@\u200b") {
			t.Fatalf("text(%q) = %q mentions someone", s, x)
		}
		ti := title(s)
		if strings.ContainsAny(ti, "\r\n") || utf8.RuneCountInString(ti) > 200 || strings.Count(ti, "@") != strings.Count(ti, "@\u200b") && !strings.HasSuffix(ti, "@…") {
			t.Fatalf("title(%q) = %q", s, ti)
		}
		if u := safeURL(s); u != "" {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				t.Fatalf("safeURL(%q) = %q is not http(s)", s, u)
			}
			if strings.ContainsAny(u, "()<>\"' `[]\\|\n") {
				t.Fatalf("safeURL(%q) = %q could end the link", s, u)
			}
		}
	})
}
