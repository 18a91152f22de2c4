package web

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// page is what an HTML document points at.
type page struct {
	// base is the <base href>, if any.
	base string
	// scripts are <script src> and script preloads (modulepreload, preload and prefetch
	// as=script).
	scripts []string
	// links are <a href> and <iframe src>: further pages.
	links []string
	// inline are the bodies of inline scripts, searched for chunks as scripts are.
	inline [][]byte
	// next is Next.js's __NEXT_DATA__, when the page has it.
	next *nextData
	// tags counts the start tags seen: a document with none is not HTML.
	tags int
}

// nextData is the part of Next.js's __NEXT_DATA__ that locates a build's manifests.
type nextData struct {
	BuildID     string `json:"buildId"`
	AssetPrefix string `json:"assetPrefix"`
}

// parseHTML finds what an HTML document points at. It never fails: x/net/html reads any
// bytes as the browsers would, and page.tags tells whether there was any HTML at all.
func parseHTML(data []byte) *page {
	p := &page{}
	z := html.NewTokenizer(bytes.NewReader(data))
	var inScript, scriptIsData bool
	var scriptID string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return p
		case html.TextToken:
			if !inScript {
				continue
			}
			text := z.Text()
			switch {
			case scriptID == "__NEXT_DATA__":
				var nd nextData
				if json.Unmarshal(text, &nd) == nil && nd.BuildID != "" {
					p.next = &nd
				}
			case !scriptIsData:
				p.inline = append(p.inline, append([]byte(nil), text...))
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "script" {
				inScript = false
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			p.tags++
			name, hasAttr := z.TagName()
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			switch string(name) {
			case "base":
				if h := attrs["href"]; h != "" && p.base == "" {
					p.base = h
				}
			case "script":
				typ := strings.ToLower(strings.TrimSpace(attrs["type"]))
				scriptIsData = typ != "" && !isScriptType(typ)
				scriptID = attrs["id"]
				if src := strings.TrimSpace(attrs["src"]); src != "" && !scriptIsData {
					p.scripts = append(p.scripts, src)
				}
				inScript = tt == html.StartTagToken
			case "link":
				rel := " " + strings.ToLower(attrs["rel"]) + " "
				href := strings.TrimSpace(attrs["href"])
				as := strings.ToLower(attrs["as"])
				if href == "" {
					continue
				}
				switch {
				case strings.Contains(rel, " modulepreload "):
					p.scripts = append(p.scripts, href)
				case (strings.Contains(rel, " preload ") || strings.Contains(rel, " prefetch ")) && (as == "script" || isScriptPath(href)):
					p.scripts = append(p.scripts, href)
				}
			case "a", "area":
				if h := strings.TrimSpace(attrs["href"]); h != "" {
					p.links = append(p.links, h)
				}
			case "iframe", "frame":
				if s := strings.TrimSpace(attrs["src"]); s != "" {
					p.links = append(p.links, s)
				}
			}
		}
	}
}

// isScriptType reports whether a <script type> runs as JavaScript.
func isScriptType(t string) bool {
	t, _, _ = strings.Cut(t, ";")
	switch strings.TrimSpace(t) {
	case "module", "text/javascript", "application/javascript", "text/ecmascript",
		"application/ecmascript", "text/jsx", "text/babel":
		return true
	}
	return false
}

// isScriptPath reports whether a URL path names a script.
func isScriptPath(u string) bool {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	for _, ext := range []string{".js", ".mjs", ".cjs"} {
		if strings.HasSuffix(strings.ToLower(u), ext) {
			return true
		}
	}
	return false
}

// script is what a script points at.
type script struct {
	// imports are the relative or absolute specifiers of static imports, re-exports and
	// dynamic import() calls.
	imports []string
	// chunks are webpack chunk paths written out in full ("static/chunks/pages/x-1a2b.js"),
	// as in Next.js's _buildManifest.js and its React Server Components payload.
	chunks []string
	// runtimes are webpack chunk-URL functions (__webpack_require__.u) found in the script.
	runtimes []*chunkFunc
	// publicPath is the webpack public path (__webpack_require__.p) when the script sets it.
	publicPath string
	// chunkIDs are the ids of chunks the script loads (__webpack_require__.e(ID)).
	chunkIDs []string
}

var (
	// importRE finds static imports and re-exports (import"./a.js", import{x}from"./a.js",
	// export*from"./a.js") and dynamic import("./a.js") of fetchable specifiers.
	importRE = regexp.MustCompile(`(?:\bimport\s*\(\s*|\bimport\s*|\bfrom\s*)["'` + "`" + `]((?:\.{1,2}/|/|https?://)[^"'` + "`" + `\s]*?\.(?:m?js|cjs|jsx)(?:\?[^"'` + "`" + `\s]*)?)["'` + "`" + `]`)
	// chunkPathRE finds webpack chunk paths written out in full, quoted or inside escaped
	// JSON.
	chunkPathRE = regexp.MustCompile(`(?:^|[^\w/.\-])((?:/_next/)?static/(?:chunks|js)/[\w\-./~%@\[\]()]+?\.js)\b`)
	// publicPathRE finds the webpack public path: r.p="/_next/".
	publicPathRE = regexp.MustCompile(`\b[\w$]+\.p\s*=\s*"([^"]*)"`)
	// chunkLoadRE finds chunk loads: n.e(149), n.e("about").
	chunkLoadRE = regexp.MustCompile(`\b[\w$]+\.e\(\s*(\d+|"[\w\-./]+")\s*\)`)
	// chunkFuncRE finds the start of webpack's chunk-URL function: r.u=e=>…,
	// r.u=function(e){return …}.
	chunkFuncRE = regexp.MustCompile(`\b[\w$]+\.u\s*=\s*(?:function\s*\(\s*([\w$]+)\s*\)\s*\{\s*return\s*|\(?\s*([\w$]+)\s*\)?\s*=>\s*)`)
)

// maxChunkFuncs is how many places that look like a webpack chunk-URL function a script is
// read at: a build has one runtime per script, and each read may run to the script's end.
const maxChunkFuncs = 64

// parseScript finds what a script points at, without running it.
func parseScript(data []byte) *script {
	s := &script{}
	seen := map[*[]string]map[string]bool{}
	add := func(list *[]string, v string) {
		if seen[list] == nil {
			seen[list] = map[string]bool{}
		}
		if !seen[list][v] {
			seen[list][v] = true
			*list = append(*list, v)
		}
	}
	for _, m := range importRE.FindAllSubmatch(data, -1) {
		add(&s.imports, string(m[1]))
	}
	if bytes.Contains(data, []byte("static/")) {
		for _, m := range chunkPathRE.FindAllSubmatch(data, -1) {
			add(&s.chunks, string(m[1]))
		}
	}
	if bytes.Contains(data, []byte(".u=")) || bytes.Contains(data, []byte(".u =")) {
		texts := map[string]bool{}
		for _, loc := range chunkFuncRE.FindAllSubmatchIndex(data, maxChunkFuncs) {
			var param []byte
			if loc[2] >= 0 {
				param = data[loc[2]:loc[3]]
			} else {
				param = data[loc[4]:loc[5]]
			}
			if f := parseChunkFunc(data[loc[1]:], string(param)); f != nil && !texts[f.text] {
				texts[f.text] = true
				s.runtimes = append(s.runtimes, f)
			}
		}
		if m := publicPathRE.FindSubmatch(data); m != nil {
			s.publicPath = string(m[1])
		}
	}
	for _, m := range chunkLoadRE.FindAllSubmatch(data, -1) {
		add(&s.chunkIDs, strings.Trim(string(m[1]), `"`))
	}
	return s
}
