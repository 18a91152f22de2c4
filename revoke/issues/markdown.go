package issues

import (
	"net/url"
	"strings"
	"unicode"
)

// code returns s as an inline code span: nothing inside is read as markdown, HTML or a
// mention. The fence is one backtick longer than the longest run inside, and line breaks
// and control characters become spaces, so s cannot close the span or start a block.
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
	if s == "" {
		return fence + " " + fence
	}
	return fence + " " + s + " " + fence
}

// flatten replaces line breaks and other control or invisible formatting characters with
// spaces.
func flatten(s string) string {
	s = strings.ToValidUTF8(s, "?")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// htmlEscaper writes the characters that can open HTML as entities; quotes need no escaping
// outside attributes.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// text escapes s for prose: HTML is written as entities, every markdown punctuation mark
// is backslash-escaped, and @ and # cannot mention people or link issues.
func text(s string) string {
	s = htmlEscaper.Replace(flatten(s))
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '.', '!', '|', '~', '>', '<', '=', ':':
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
// characters that could end the link or open HTML are percent-encoded.
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return ""
	}
	p.User = nil
	s := p.String()
	r := strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\"", "%22", "'", "%27", " ", "%20", "`", "%60", "[", "%5B", "]", "%5D", "\\", "%5C", "|", "%7C", "@", "%40")
	return r.Replace(s)
}

// firstLine is the subject of a commit message.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// title makes a plain one-line title of at most 200 characters, in which @ mentions no one.
func title(s string) string {
	s = strings.Join(strings.Fields(flatten(s)), " ")
	s = strings.ReplaceAll(s, "@", "@\u200b")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}
