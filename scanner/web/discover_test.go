package web

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseHTML(t *testing.T) {
	doc := `<!doctype html><html><head>
<base href="/app/">
<script type="module" crossorigin src="/assets/index-1a2b.js"></script>
<link rel="modulepreload" href="/assets/vendor-3c4d.js">
<link rel="preload" as="script" href="chunk-5e6f.js">
<link rel="prefetch" href="/later.mjs">
<link rel="preload" as="font" href="/font.woff2">
<link rel="stylesheet" href="/style.css">
<script>window.__cfg = {api: "/api"}; import("./inline-chunk.js")</script>
<script type="application/ld+json">{"@context": "https://schema.org"}</script>
<script type="text/template" src="/not-a-script.html"></script>
</head><body>
<a href="/about">About</a> <a href="#top">Top</a>
<iframe src="/embed"></iframe>
<script id="__NEXT_DATA__" type="application/json">{"props":{},"buildId":"b1","assetPrefix":"https://cdn.example"}</script>
</body></html>`
	p := parseHTML([]byte(doc))
	want := &page{
		base:    "/app/",
		scripts: []string{"/assets/index-1a2b.js", "/assets/vendor-3c4d.js", "chunk-5e6f.js", "/later.mjs"},
		links:   []string{"/about", "#top", "/embed"},
		inline:  [][]byte{[]byte(`window.__cfg = {api: "/api"}; import("./inline-chunk.js")`)},
		next:    &nextData{BuildID: "b1", AssetPrefix: "https://cdn.example"},
	}
	p.tags = 0
	if diff := cmp.Diff(want, p, cmp.AllowUnexported(page{})); diff != "" {
		t.Errorf("page (-want +got):\n%s", diff)
	}
	for _, notHTML := range []string{`{"error": "not found"}`, "just text", ""} {
		if n := parseHTML([]byte(notHTML)).tags; n != 0 {
			t.Errorf("%q has %d tags, want none", notHTML, n)
		}
	}
}

func TestParseScript(t *testing.T) {
	js := `import{a as b}from"./vendor-1a.js";import"./side-effect.js";export*from"../shared.mjs";` +
		`const C=lazy(()=>import("./Chat-2b.js")),D=()=>import( '/abs/x.js?v=1' );` +
		`import React from"react";const s="import('./not-fetched')";` +
		`self.__BUILD_MANIFEST={"/":["static/chunks/pages/index-3c.js"],"/[slug]":["static/chunks/pages/[slug]-4d.js"]};` +
		`self.__next_f.push([1,"1:I[123,[\"static/chunks/app/page-5e.js\"]]"]);` +
		`n.e(149).then(n.bind(n,5149));t.e("about")`
	s := parseScript([]byte(js))
	wantImports := []string{"./vendor-1a.js", "./side-effect.js", "../shared.mjs", "./Chat-2b.js", "/abs/x.js?v=1"}
	if diff := cmp.Diff(wantImports, s.imports); diff != "" {
		t.Errorf("imports (-want +got):\n%s", diff)
	}
	wantChunks := []string{"static/chunks/pages/index-3c.js", "static/chunks/pages/[slug]-4d.js", "static/chunks/app/page-5e.js"}
	if diff := cmp.Diff(wantChunks, s.chunks); diff != "" {
		t.Errorf("chunks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"149", "about"}, s.chunkIDs); diff != "" {
		t.Errorf("chunk ids (-want +got):\n%s", diff)
	}
}

// TestChunkFunc reads webpack chunk-URL functions as minifiers write them, and checks the
// URL each gives for each chunk id.
func TestChunkFunc(t *testing.T) {
	tests := []struct {
		name, js   string
		publicPath string
		ids        []string // named by the function itself
		urls       map[string]string
	}{
		{
			name:       "one hash (Next.js with one async chunk)",
			js:         `r.u=e=>"static/chunks/"+e+".b9dbb0182a519dc1.js",r.miniCssF=e=>{},r.p="/_next/"`,
			publicPath: "/_next/",
			urls:       map[string]string{"149": "static/chunks/149.b9dbb0182a519dc1.js"},
		},
		{
			name:       "hash map (Create React App)",
			js:         `o.p="/",o.u=function(e){return"static/js/"+e+"."+{12:"ab12cd",34:"ef56ab"}[e]+".chunk.js"},o.miniCssF=function(e){}`,
			publicPath: "/",
			ids:        []string{"12", "34"},
			urls:       map[string]string{"12": "static/js/12.ab12cd.chunk.js", "34": "static/js/34.ef56ab.chunk.js", "56": ""},
		},
		{
			name: "names, hashes and a constant (Next.js with many chunks)",
			js: `d.u=function(e){return 917===e?"static/chunks/917-1a2b.js":"static/chunks/"+(({42:"charts",7:"editor"})[e]||e)+"."+` +
				`{7:"ee11",42:"ff22",300:"aa33"}[e]+".js"},d.p="/_next/"`,
			publicPath: "/_next/",
			ids:        []string{"300", "42", "7", "917"},
			urls: map[string]string{
				"917": "static/chunks/917-1a2b.js", "42": "static/chunks/charts.ff22.js",
				"7": "static/chunks/editor.ee11.js", "300": "static/chunks/300.aa33.js", "1": "",
			},
		},
		{
			name: "arrow with parentheses and spaces",
			js:   `__webpack_require__.u = (chunkId) => "js/" + chunkId + "-" + {"a": "h1"}[chunkId] + ".js";`,
			ids:  []string{"a"},
			urls: map[string]string{"a": "js/a-h1.js"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parseScript([]byte(tt.js))
			if len(s.runtimes) != 1 {
				t.Fatalf("found %d chunk functions, want 1", len(s.runtimes))
			}
			f := s.runtimes[0]
			if s.publicPath != tt.publicPath {
				t.Errorf("public path %q, want %q", s.publicPath, tt.publicPath)
			}
			ids := append([]string(nil), f.ids...)
			sort.Strings(ids)
			if diff := cmp.Diff(tt.ids, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			for id, want := range tt.urls {
				if got := f.URL(id); got != want {
					t.Errorf("URL(%s) = %q, want %q", id, got, want)
				}
			}
		})
	}
	// Functions that are not a chunk-URL function are passed over.
	for _, js := range []string{`a.u=e=>fetch(e)`, `a.u=function(e){return e.map(f)}`, `a.u=e=>"x"`} {
		if s := parseScript([]byte(js)); len(s.runtimes) != 0 {
			t.Errorf("%s: read as a chunk function", js)
		}
	}
}

// TestChunkFuncBounds checks texts that are no chunk-URL function webpack writes: nesting
// deeper than maxNesting is not followed (however deep it goes, the parse ends at once), and
// a function that would make a URL of something else than strings and numbers makes none.
func TestChunkFuncBounds(t *testing.T) {
	const deep = 100_000
	for name, js := range map[string]string{
		"parentheses": strings.Repeat("(", deep) + `e+".js"` + strings.Repeat(")", deep),
		"objects":     strings.Repeat("{a:", deep) + `e+".js"` + strings.Repeat("}", deep),
		"lookups":     `e` + strings.Repeat("[e]", deep) + `+".js"`,
		"ternaries":   strings.Repeat("e?", deep) + `"a.js"` + strings.Repeat(`:"b.js"`, deep),
		"keys":        strings.Repeat("{a:1}[", deep) + "e" + strings.Repeat("]", deep) + `+".js"`,
	} {
		if f := parseChunkFunc([]byte(js), "e"); f != nil {
			t.Errorf("%s %d deep: read as a chunk function", name, deep)
		}
	}
	for _, js := range []string{`{}+e+".js"`, `(e===1)+".js"`, `e==="a.js"`} {
		f := parseChunkFunc([]byte(js), "e")
		if f == nil {
			t.Errorf("%s: not read", js)
			continue
		}
		for _, id := range []string{"1", "2"} {
			if u := f.URL(id); u != "" {
				t.Errorf("%s: URL(%s) = %q, want none", js, id, u)
			}
		}
	}
}
