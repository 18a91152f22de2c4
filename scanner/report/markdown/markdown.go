// Package markdown writes text that came from elsewhere — paths and commit subjects of a
// scanned repository, providers' messages — into GitHub-flavoured markdown so that it cannot
// open HTML, start markdown, end a table cell, mention people or drive a terminal: job
// summaries (scanner/report/actions) and issue bodies need the same escapes.
package markdown

import (
	"net/url"
	"strings"
	"unicode"
)

// Flatten replaces line breaks, control characters (terminal escapes) and invisible
// formatting characters with spaces, and invalid UTF-8 with "?".
func Flatten(s string) string {
	s = strings.ToValidUTF8(s, "?")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// Code returns s as an inline code span: nothing inside is read as markdown, HTML or a
// mention. The fence is one backtick longer than the longest run inside, and line breaks
// and control characters become spaces, so s cannot close the span or start a block.
func Code(s string) string {
	return codeSpan(Flatten(s))
}

// CellCode is Code for a table cell: "|" is escaped as well, which GitHub's tables read
// before the span (in a code span elsewhere, the backslash would show).
func CellCode(s string) string {
	return codeSpan(strings.ReplaceAll(Flatten(s), "|", `\|`))
}

func codeSpan(s string) string {
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
	if s == "" {
		return fence + " " + fence
	}
	return fence + " " + s + " " + fence
}

// htmlEscaper writes the characters that can open HTML as entities.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Text escapes s for prose and table cells: HTML as entities, every markdown punctuation
// mark backslash-escaped, and "@" kept from mentioning anyone.
func Text(s string) string {
	s = htmlEscaper.Replace(Flatten(s))
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

// SafeURL returns u fit to be a markdown link target, or "" when it is not an http(s) URL:
// characters that could end the link or open HTML are percent-encoded, and user
// information is dropped.
func SafeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return ""
	}
	p.User = nil
	r := strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\"", "%22", "'", "%27",
		" ", "%20", "`", "%60", "[", "%5B", "]", "%5D", "\\", "%5C", "|", "%7C", "@", "%40")
	return r.Replace(p.String())
}

// Link writes label (already escaped) as a link to u, or label alone when u is not a URL.
func Link(label, u string) string {
	if s := SafeURL(u); s != "" {
		return "[" + label + "](" + s + ")"
	}
	return label
}
