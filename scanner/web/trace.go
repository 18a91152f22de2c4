package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
)

// publicVariable matches the names of environment variables that bundlers inline into
// client code: Vite (VITE_), Next.js (NEXT_PUBLIC_), Create React App (REACT_APP_), Expo,
// Vue CLI, Gatsby, Nuxt, and SvelteKit/Astro (PUBLIC_).
var publicVariable = regexp.MustCompile(`\b(?:VITE|NEXT_PUBLIC|REACT_APP|EXPO_PUBLIC|VUE_APP|GATSBY|NUXT_PUBLIC|PUBLIC)_[A-Z0-9_]*[A-Z0-9]`)

// variableWindow is how far before a secret, on its line, a variable name is looked for.
const variableWindow = 256

// bundle places the matches of one script: its source map (may be nil) and how the map's
// sources are named as origins.
type bundle struct {
	m      *sourceMap
	origin func(source string) string
}

// annotate is a scanner.Chunk Annotate function for a script that ships to browsers: it
// marks the exposure, traces the match through the map to its original file and line, and
// names the public variable seen near the secret in the bundle or in the original source.
func (b *bundle) annotate(data []byte, m rules.Match, loc *scanner.Location) {
	loc.Exposure = scanner.ExposurePublicBundle
	loc.Variable = variableBefore(data, m.Start)
	loc.Context = snippet(data, m)
	if b == nil || b.m == nil {
		return
	}
	pos, ok := b.m.lookup(m.Line-1, utf16Column(data, m.Start))
	if !ok {
		return
	}
	content := b.m.contents[pos.source]
	o := &scanner.Origin{Path: b.origin(b.m.sources[pos.source]), Line: pos.line + 1, Column: pos.column + 1}
	if content != nil {
		o.Column = charColumn(*content, pos.line, pos.column) + 1
	}
	loc.Origin = o
	if loc.Variable == "" && content != nil {
		loc.Variable = variableInSource(*content, pos.line)
	}
}

// annotateSource is the Annotate function for an original source read from a map's
// sourcesContent: the match's place in that source becomes the origin, the location itself
// stays the map (a line and column in the map's JSON would tell nobody anything).
func annotateSource(originPath string) func([]byte, rules.Match, *scanner.Location) {
	return func(data []byte, m rules.Match, loc *scanner.Location) {
		loc.Origin = &scanner.Origin{Path: originPath, Line: loc.Line, Column: loc.Column}
		loc.Line, loc.Column = 0, 0
		loc.Exposure = scanner.ExposurePublicBundle
		loc.Variable = variableBefore(data, m.Start)
		loc.Context = snippet(data, m)
	}
}

// annotatePage is the Annotate function for anything else fetched from a site: an HTML
// page with its inline scripts, a manifest.
func annotatePage(data []byte, m rules.Match, loc *scanner.Location) {
	loc.Exposure = scanner.ExposurePublicBundle
	loc.Variable = variableBefore(data, m.Start)
	loc.Context = snippet(data, m)
}

// contextWidth is how many characters of a line Location.Context keeps around a secret,
// half before it and half after.
const contextWidth = 100

// secretLike finds tokens that could be secrets: long runs of base64 and key characters
// with both a letter and a digit. A context masks them, so that a second key next to the
// one found (two variables inlined side by side) does not show in clear.
var secretLike = regexp.MustCompile(`[A-Za-z0-9_+/=-]{24,}`)

// snippet returns the line around a match, shortened to contextWidth characters, with the
// secret redacted and any other secret-like token masked.
func snippet(data []byte, m rules.Match) string {
	line := rules.TrimmedLine(data, m.Start, m.End, contextWidth+m.End-m.Start)
	redacted := m.Rule.Redact(m.Secret)
	// A secret over several lines (a private key) shows only its first line here.
	first, _, _ := strings.Cut(m.Secret, "\n")
	line = strings.ReplaceAll(line, first, "\x00")
	line = secretLike.ReplaceAllStringFunc(line, func(tok string) string {
		if !strings.ContainsAny(tok, "0123456789") || strings.Trim(tok, "0123456789") == "" {
			return tok
		}
		return tok[:4] + "…"
	})
	return strings.ReplaceAll(line, "\x00", redacted)
}

// variableBefore returns the public variable name closest before offset on its line, within
// variableWindow bytes: `VITE_OPENAI_API_KEY:"sk-…"` where a bundler inlined the whole env
// object, `VITE_OPENAI_API_KEY=sk-…` in an env file kept as a source.
func variableBefore(data []byte, offset int) string {
	lo := offset - variableWindow
	if lo < 0 {
		lo = 0
	}
	if i := bytes.LastIndexByte(data[lo:offset], '\n'); i >= 0 {
		lo += i + 1
	}
	all := publicVariable.FindAll(data[lo:offset], -1)
	if len(all) == 0 {
		return ""
	}
	return string(all[len(all)-1])
}

// variableInSource names the public variable behind a secret traced to line (0-based) of an
// original source: on that line, else on the few lines above it (a constant defined just
// before its use), else the one public variable the whole file uses.
func variableInSource(content string, line int) string {
	lines := strings.Split(content, "\n")
	if line >= len(lines) {
		return ""
	}
	for l := line; l >= 0 && l >= line-5; l-- {
		if v := publicVariable.FindString(lines[l]); v != "" {
			return v
		}
	}
	names := map[string]bool{}
	for _, v := range publicVariable.FindAllString(content, -1) {
		names[v] = true
	}
	if len(names) == 1 {
		for v := range names {
			return v
		}
	}
	return ""
}

// utf16Column returns the 0-based column of offset in UTF-16 code units, as source maps
// count columns.
func utf16Column(data []byte, offset int) int {
	start := bytes.LastIndexByte(data[:offset], '\n') + 1
	n := 0
	for _, r := range string(data[start:offset]) {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// charColumn converts a 0-based UTF-16 column on line (0-based) of content into a 0-based
// character column, as leakstop reports columns.
func charColumn(content string, line, col16 int) int {
	start := 0
	for l := 0; l < line; l++ {
		i := strings.IndexByte(content[start:], '\n')
		if i < 0 {
			return col16
		}
		start += i + 1
	}
	text := content[start:]
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	chars, units := 0, 0
	for _, r := range text {
		if units >= col16 {
			break
		}
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		chars++
	}
	if units < col16 {
		chars += col16 - units
	}
	return chars
}

// sourceMappingURL returns the URL of the last sourceMappingURL comment in a script (or a
// stylesheet), or "". A string that only looks like one ("//# sourceMappingURL="+u, as
// bundler runtimes hold) is passed over.
func sourceMappingURL(data []byte) string {
	const key = "sourceMappingURL="
	for end := len(data); ; {
		i := bytes.LastIndex(data[:end], []byte(key))
		if i < 0 {
			return ""
		}
		end = i
		before := bytes.TrimRight(data[max(0, i-8):i], " \t")
		if len(before) < 3 {
			continue
		}
		switch string(before[len(before)-3:]) {
		case "//#", "//@", "/*#", "/*@":
		default:
			continue
		}
		v := data[i+len(key):]
		if j := bytes.IndexAny(v, " \t\r\n\"'`"); j >= 0 {
			if v[j] == '"' || v[j] == '\'' || v[j] == '`' {
				// The end of a string literal: a minifier's own code writing the comment
				// ("…sourceMappingURL=data:application/json;base64,"+b64(map)), not one.
				continue
			}
			v = v[:j]
		}
		if v = bytes.TrimSuffix(v, []byte("*/")); len(v) > 0 {
			return string(v)
		}
	}
}

// decodeDataURL returns the payload of a data: URL (base64 or percent-encoded).
func decodeDataURL(u string) ([]byte, error) {
	rest, ok := strings.CutPrefix(u, "data:")
	if !ok {
		return nil, errors.New("not a data: URL")
	}
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, errors.New("data: URL has no comma before its payload")
	}
	if strings.HasSuffix(meta, ";base64") {
		payload = strings.TrimRight(strings.TrimSpace(payload), "=")
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(payload); err == nil {
				return b, nil
			}
		}
		return nil, errors.New("data: URL is not valid base64")
	}
	s, err := url.PathUnescape(payload)
	if err != nil {
		return nil, fmt.Errorf("data: URL is not valid percent-encoding: %w", err)
	}
	return []byte(s), nil
}

// originOnDisk names a map's source for a map file at mapPath: a source relative to the map
// (Vite: ../../src/App.jsx) is joined to the map's folder, so it names the file in the
// scanned tree; a bundler's own scheme (webpack://_N_E/./pages/index.js) is dropped.
func originOnDisk(mapPath string) func(string) string {
	return func(src string) string {
		if rest, ok := bundlerPath(src); ok {
			return rest
		}
		if strings.Contains(src, "://") || path.IsAbs(src) {
			return src
		}
		return path.Join(path.Dir(mapPath), src)
	}
}

// originOnWeb names a map's source for a map fetched from mapURL: a relative source is
// resolved against the map's URL and named by its path on the site (src/App.jsx), the same
// name that leakstop dir gives it when run in the project's root.
func originOnWeb(mapURL *url.URL) func(string) string {
	return func(src string) string {
		if rest, ok := bundlerPath(src); ok {
			return rest
		}
		ref, err := url.Parse(src)
		if err != nil {
			return src
		}
		u := mapURL.ResolveReference(ref)
		if u.Scheme != mapURL.Scheme || u.Host != mapURL.Host {
			return u.String()
		}
		return strings.TrimPrefix(u.Path, "/")
	}
}

// bundlerPath strips the schemes bundlers put in front of project-relative sources:
// webpack://NAMESPACE/./pages/index.js → pages/index.js. Next.js's own sources
// (webpack://_N_E/../../src/client/link.tsx) keep their ../ so they are not mistaken for
// the project's.
func bundlerPath(src string) (string, bool) {
	for _, scheme := range []string{"webpack://", "turbopack://", "rspack://"} {
		rest, ok := strings.CutPrefix(src, scheme)
		if !ok {
			continue
		}
		// A namespace before the path: webpack://_N_E/./x, or none: webpack:///./x.
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[i+1:]
		}
		rest = strings.TrimPrefix(rest, "[project]/")
		if rest == "" {
			return src, true
		}
		clean := path.Clean(rest)
		return clean, true
	}
	if rest, ok := strings.CutPrefix(src, "file://"); ok {
		return rest, true
	}
	return "", false
}
