package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fixtureFile reads a file of the fixture apps' build output (testdata/apps), for seeds made
// by real bundlers.
func fixtureFile(f *testing.F, rel string) []byte {
	f.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "apps", filepath.FromSlash(rel)))
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// FuzzParseMap checks the source map reader on any bytes: parseMap returns a map or an
// error, never both; a map that parses decodes the same way each time it is read; and a
// lookup anywhere lands inside the map's sources.
func FuzzParseMap(f *testing.F) {
	for _, rel := range []string{
		"vite/dist/assets/Chat-dBUzM6BB.js.map",
		"next/out/_next/static/chunks/149.b9dbb0182a519dc1.js.map",
		"next/out/_next/static/chunks/webpack-2c1154782a8b9ed8.js.map",
	} {
		f.Add(fixtureFile(f, rel))
	}
	f.Add(mapJSON(f, map[string]any{
		"version": 3, "sourceRoot": "webpack://app/", "sources": []any{"./src/a.js", nil},
		"sourcesContent": []any{"const a = 1;\n"},
		"mappings":       "AAAA,MAAM,MAAC;;IASN,EA5IA",
	}))
	f.Add([]byte(`{"version":3,"sections":[` +
		`{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"mappings":"AAAA"}},` +
		`{"offset":{"line":0,"column":100},"map":{"version":3,"sources":["b.js"],"mappings":"AAAA,KAAO;EAGJ"}},` +
		`{"offset":{"line":2,"column":0},"map":{"version":3,"sources":["c.js"],"mappings":"AAIII"}}]}`))
	f.Add([]byte(`{"version":3,"sources":["a.js"],"mappings":"AAAA;AC!A"}`))
	f.Add([]byte(`{"version":3,"sources":[],"mappings":"gggggggggB"}`))
	f.Add([]byte(`{"mappings":";;;A,D"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseMap(data)
		if (m == nil) == (err == nil) {
			t.Fatalf("parseMap returned %v and %v", m, err)
		}
		if err != nil {
			return
		}
		if len(m.sources) != len(m.contents) {
			t.Fatalf("%d sources, %d contents", len(m.sources), len(m.contents))
		}
		derr := m.decode()
		again, err := parseMap(data)
		if err != nil {
			t.Fatalf("parsed once, then: %v", err)
		}
		if derr2 := again.decode(); errText(derr) != errText(derr2) {
			t.Fatalf("decoded with %v, then with %v", derr, derr2)
		}
		if diff := cmp.Diff(m.sections, again.sections, cmp.AllowUnexported(section{}, segment{})); diff != "" {
			t.Fatalf("decoded two ways (-first +second):\n%s", diff)
		}
		if derr != nil {
			if _, ok := m.lookup(0, 0); ok {
				t.Fatal("lookup found a place in a map with broken mappings")
			}
			return
		}
		check := func(line, col int) {
			pos, ok := m.lookup(line, col)
			if !ok {
				return
			}
			if pos.source < 0 || pos.source >= len(m.sources) || pos.line < 0 || pos.column < 0 {
				t.Fatalf("lookup(%d, %d) = %+v, outside the map's %d sources", line, col, pos, len(m.sources))
			}
		}
		// Every segment, its neighbours, the ends of each section, and places from the input.
		for _, s := range m.sections {
			check(s.line, s.col)
			check(s.line+len(s.lines), 0)
			for l := range s.lines {
				lo, hi := int(s.lines[l]), len(s.segs)
				if l+1 < len(s.lines) {
					hi = int(s.lines[l+1])
				}
				for _, g := range s.segs[lo:hi] {
					col := int(g.col)
					if l == 0 {
						col += s.col
					}
					check(s.line+l, col)
					check(s.line+l, col+1)
					check(s.line+l, col-1)
				}
			}
		}
		for i := 0; i+1 < len(data) && i < 64; i += 2 {
			check(int(data[i]), int(data[i+1]))
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FuzzDecodeMappings checks the mappings decoder on any string: an error or segments, never
// both; lines in order, each line's segments by column, every source index inside the map;
// and the segments written out again (encodeMappings) decode to themselves.
func FuzzDecodeMappings(f *testing.F) {
	f.Add("AAAA,MAAM,MAAC;;IASN,EA5IA", uint8(2))
	f.Add("AAAA;AA!A", uint8(1))
	f.Add("AAAA,CA", uint8(1))
	f.Add("AAAAAA", uint8(1))
	f.Add("D", uint8(0))
	f.Add("gggggggggB", uint8(1))
	f.Add(";;;;A,E,C;ICAA,ECAA", uint8(3))
	f.Add("+/////B", uint8(1))
	f.Add(encodeMappings([][]seg{{{4, 1, 9, 2}, {2, 0, 1, 0}}, {}, {{0, -1, 0, 0}, {7, 0, 3, 3}}}), uint8(2))
	f.Fuzz(func(t *testing.T, mappings string, nsources uint8) {
		segs, lines, err := decodeMappings(mappings, int(nsources))
		if err != nil {
			if segs != nil || lines != nil {
				t.Fatalf("error %v with %d segments", err, len(segs))
			}
			return
		}
		if want := strings.Count(mappings, ";") + 1; len(lines) != want || lines[0] != 0 {
			t.Fatalf("%d lines starting at %v, want %d starting at 0", len(lines), lines[:min(1, len(lines))], want)
		}
		decoded := make([][]seg, len(lines))
		for l := range lines {
			lo, hi := int(lines[l]), len(segs)
			if l+1 < len(lines) {
				hi = int(lines[l+1])
			}
			if lo > hi {
				t.Fatalf("line %d starts at segment %d, after the next line's %d", l, lo, hi)
			}
			for i, g := range segs[lo:hi] {
				if i > 0 && g.col < segs[lo+i-1].col {
					t.Fatalf("line %d: segment at column %d after one at %d", l, g.col, segs[lo+i-1].col)
				}
				if g.col < 0 || g.src < -1 || g.src >= int32(nsources) || g.line < 0 || g.srcCol < 0 {
					t.Fatalf("line %d: segment %+v outside the map (%d sources)", l, g, nsources)
				}
				s := seg{int(g.col), int(g.src), int(g.line), int(g.srcCol)}
				if g.src < 0 {
					s.line, s.srcCol = 0, 0
				}
				decoded[l] = append(decoded[l], s)
			}
		}
		again := encodeMappings(decoded)
		segs2, lines2, err := decodeMappings(again, int(nsources))
		if err != nil {
			t.Fatalf("%q decoded, its segments written out as %q do not: %v", mappings, again, err)
		}
		if diff := cmp.Diff(segs, segs2, cmp.AllowUnexported(segment{})); diff != "" {
			t.Fatalf("%q written out as %q decodes otherwise (-first +second):\n%s", mappings, again, diff)
		}
		if diff := cmp.Diff(lines, lines2); diff != "" {
			t.Fatalf("%q written out as %q has other lines (-first +second):\n%s", mappings, again, diff)
		}
	})
}

// FuzzVLQ checks that every 32-bit value the test encodes decodes to itself, wherever it
// stands in a mappings string, and that decodeVLQ reads any string without a panic.
func FuzzVLQ(f *testing.F) {
	for _, v := range []int64{0, 1, -1, 15, 16, -16, 1023, 1<<31 - 1, -(1<<31 - 1), -(1 << 31)} {
		f.Add(v, "AAAA,")
	}
	f.Add(int64(5), "gggggggggB")
	f.Add(int64(-7), "!")
	f.Fuzz(func(t *testing.T, v int64, prefix string) {
		if v < -(1<<31) || v > 1<<31-1 {
			v = int64(int32(v))
		}
		enc := encodeVLQ(int(v))
		for _, s := range []string{enc, enc + ",", enc + ";AAAA"} {
			got, next, err := decodeVLQ(s, 0)
			if err != nil || got != v || next != len(enc) {
				t.Fatalf("decodeVLQ(%q) = %d, %d, %v; want %d, %d", s, got, next, err, v, len(enc))
			}
		}
		// Anything else: no panic, and a value read ends past where it started.
		for i := 0; i < len(prefix); i++ {
			if _, next, err := decodeVLQ(prefix, i); err == nil && (next <= i || next > len(prefix)) {
				t.Fatalf("decodeVLQ(%q, %d) ended at %d", prefix, i, next)
			}
		}
	})
}

// FuzzChunkFunc checks the reader of webpack's chunk-URL function on any text: it comes back
// in time (the nesting it follows is bounded, so is the tree it builds), and a function it
// reads makes chunk URLs only of the text's own characters, the id's, and the digits a
// number is written with.
func FuzzChunkFunc(f *testing.F) {
	runtime := fixtureFile(f, "next/out/_next/static/chunks/webpack-2c1154782a8b9ed8.js")
	if i := strings.Index(string(runtime), ".u=e=>"); i >= 0 {
		f.Add(string(runtime[i+len(".u=e=>"):]), "e", "149")
	}
	for _, js := range []string{
		`"static/chunks/"+e+".b9dbb0182a519dc1.js",r.miniCssF=e=>{}`,
		`"static/js/"+e+"."+{12:"ab12cd",34:"ef56ab"}[e]+".chunk.js"},o.miniCssF=function(e){}`,
		`917===e?"static/chunks/917-1a2b.js":"static/chunks/"+(({42:"charts",7:"editor"})[e]||e)+"."+{7:"ee11",42:"ff22",300:"aa33"}[e]+".js"}`,
		`"js/" + e + "-" + {"a": "h1"}[e] + ".js";`,
		`e!=1e3?"a"+e+".js":'b\'.js'`,
		`{}+e+".js"`,
		`(e===1)+".js"`,
		strings.Repeat("(", 100) + `e+".js"` + strings.Repeat(")", 100),
		`e` + strings.Repeat("[e]", 100) + `+".js"`,
	} {
		f.Add(js, "e", "42")
	}
	f.Add(string(runtime), "e", "149")
	f.Add(`r.u=e=>"static/chunks/"+e+".js",r.p="/_next/";n.e(149).then(n.bind(n,5149))`, "r", "7")
	f.Fuzz(func(t *testing.T, src, param, id string) {
		if fn := parseChunkFunc([]byte(src), param); fn != nil {
			checkChunkFunc(t, fn, src, id)
		}
		// The same reader as the crawl uses it, on a whole script.
		s := parseScript([]byte(src))
		for _, fn := range s.runtimes {
			checkChunkFunc(t, fn, src, append([]string{id}, s.chunkIDs...)...)
		}
	})
}

// checkChunkFunc checks a chunk-URL function read from src: a tree of bounded depth and
// size, and URLs, for the ids given and its own, made only of src's characters, the id's,
// and digits.
func checkChunkFunc(t *testing.T, fn *chunkFunc, src string, ids ...string) {
	t.Helper()
	if d := treeDepth(fn.body); d > 8*maxNesting {
		t.Fatalf("a tree %d deep", d)
	}
	if n := treeSize(fn.body); n > len(src) {
		t.Fatalf("a tree of %d nodes from %d bytes", n, len(src))
	}
	allowed := src + "0123456789."
	for _, x := range append(ids, fn.ids...) {
		u := fn.URL(x)
		if u != fn.URL(x) {
			t.Fatalf("URL(%q) changes", x)
		}
		for i := 0; i < len(u); i++ {
			if !strings.Contains(allowed, u[i:i+1]) && !strings.Contains(x, u[i:i+1]) {
				t.Fatalf("URL(%q) = %q holds %q, in neither the text nor the id", x, u, u[i])
			}
		}
	}
}

// treeDepth is how deep a parsed expression is; treeSize how many nodes it has.
func treeDepth(n node) int {
	d := 0
	for _, c := range children(n) {
		d = max(d, treeDepth(c))
	}
	return d + 1
}

func treeSize(n node) int {
	s := 1
	for _, c := range children(n) {
		s += treeSize(c)
	}
	return s
}

func children(n node) []node {
	switch n := n.(type) {
	case objNode:
		var out []node
		for _, f := range n.fields {
			out = append(out, f)
		}
		return out
	case concatNode:
		return n.parts
	case orNode:
		return n.alts
	case indexNode:
		return []node{n.obj, n.key}
	case condNode:
		return []node{n.test, n.yes, n.no}
	case eqNode:
		return []node{n.a, n.b}
	}
	return nil
}
