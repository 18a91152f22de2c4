package actions

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text in the job summary comes from the scanned repository (paths, commit subjects) and
// from providers (messages): it is written so that it cannot open HTML, start markdown,
// end a table cell, mention people or drive a terminal.

// flatten replaces line breaks, control characters (terminal escapes) and invisible
// formatting characters with spaces, and invalid UTF-8 with "?".
func flatten(s string) string {
	s = strings.ToValidUTF8(s, "?")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// code returns s as an inline code span fit for a table cell: nothing inside is read as
// markdown or HTML; the fence is longer than any run of backticks inside, and "|" is
// escaped, which GitHub's tables read before the span.
func code(s string) string {
	s = flatten(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	s = strings.ReplaceAll(s, "|", `\|`)
	if s == "" {
		s = " "
	}
	return fence + " " + s + " " + fence
}

// htmlEscaper writes the characters that can open HTML as entities.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// text escapes s for prose and table cells: HTML as entities, every markdown punctuation
// mark backslash-escaped, and "@" kept from mentioning anyone.
func text(s string) string {
	s = htmlEscaper.Replace(flatten(s))
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '.', '!', '|', '~', '>', '<', '=', ':', '"', '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@':
			b.WriteString("@\u200b")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// safeURL returns u fit to be a markdown link target, or "" when it is not an http(s) URL:
// characters that could end the link or open HTML are percent-encoded, and user
// information is dropped.
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return ""
	}
	p.User = nil
	r := strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\"", "%22", "'", "%27",
		" ", "%20", "`", "%60", "[", "%5B", "]", "%5D", "\\", "%5C", "|", "%7C", "@", "%40")
	return r.Replace(p.String())
}

// link writes label (already escaped) as a link to u, or label alone when u is not a URL.
func link(label, u string) string {
	if s := safeURL(u); s != "" {
		return "[" + label + "](" + s + ")"
	}
	return label
}

// clip cuts s to at most n bytes, marking the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
