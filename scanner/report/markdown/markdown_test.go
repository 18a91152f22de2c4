package markdown

import "testing"

func TestEscapes(t *testing.T) {
	for _, c := range []struct{ in, code, cell, text string }{
		{"src/api.js", "` src/api.js `", "` src/api.js `", `src/api\.js`},
		{"a|b", "` a|b `", "` a\\|b `", `a\|b`},
		{"x `y` z", "`` x `y` z ``", "`` x `y` z ``", "x \\`y\\` z"},
		{"<script>@me\x1b[2J\nnext", "` <script>@me [2J next `", "` <script>@me [2J next `", "&lt;script&gt;@\u200bme \\[2J next"},
		{"", "` `", "` `", ""},
	} {
		if got := Code(c.in); got != c.code {
			t.Errorf("Code(%q) = %q, want %q", c.in, got, c.code)
		}
		if got := CellCode(c.in); got != c.cell {
			t.Errorf("CellCode(%q) = %q, want %q", c.in, got, c.cell)
		}
		if got := Text(c.in); got != c.text {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.text)
		}
	}
	for in, want := range map[string]string{
		"https://github.com/a/b/blob/x/my file.js#L3": "https://github.com/a/b/blob/x/my%20file.js#L3",
		"https://user:token@github.com/a)":            "https://github.com/a%29",
		"javascript:alert(1)":                         "",
		"ftp://x/y":                                   "",
	} {
		if got := SafeURL(in); got != want {
			t.Errorf("SafeURL(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Link("x", "javascript:y"); got != "x" {
		t.Errorf("Link to javascript: %q", got)
	}
}
