package rules

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
)

// TestDenseWalkAsTrie checks that the dense keyword automaton reports what the library's
// trie reports over a lowered copy: every occurrence of every keyword, in the same order,
// on texts dense with the built-in keywords, their pieces and overlaps, in mixed case.
func TestDenseWalkAsTrie(t *testing.T) {
	set := builtinSet(t)
	trie := ahocorasick.NewTrieBuilder().AddStrings(set.keywords).Build()
	r := rand.New(rand.NewPCG(11, 12))
	texts := [][]byte{
		sourceLike(1 << 18), minifiedLike(1<<18, 1<<16), base64Heavy(1 << 18),
		[]byte("sl.sl.sl. ghp_ghp_ TOKENtokenToKeN eyJeyjEYJ sk-proj-sk-"),
	}
	for range 200 {
		var b strings.Builder
		for b.Len() < 400 {
			k := set.keywords[r.IntN(len(set.keywords))]
			switch r.IntN(4) {
			case 0:
				k = strings.ToUpper(k)
			case 1:
				k = k[:r.IntN(len(k))+1]
			case 2:
				b.WriteByte(byte(r.IntN(256)))
			}
			b.WriteString(k)
		}
		texts = append(texts, []byte(b.String()))
	}
	type hit struct {
		end  int
		word int32
	}
	for i, text := range texts {
		var got, want []hit
		set.kw.walk(text, func(end int, w int32) { got = append(got, hit{end, w}) })
		lower := set.lower(text)
		trie.Walk(*lower, func(end, _, p int64) bool {
			want = append(want, hit{int(end + 1), int32(p)})
			return true
		})
		if !slices.Equal(got, want) {
			n := 0
			for n < min(len(got), len(want)) && got[n] == want[n] {
				n++
			}
			t.Fatalf("text %d: %d hits, the trie %d; they part at hit %d", i, len(got), len(want), n)
		}
	}
}

// TestTightWindowsSame checks that searching from just before a keyword hit (Rule.lead), and
// only the windows where the secret's first literal occurs (Rule.mayStartIn), finds what
// searching every whole window finds: on every example of every built-in rule, set in
// contexts that end a token or do not, next to each other on one line, and on the
// benchmark texts.
func TestTightWindowsSame(t *testing.T) {
	set := builtinSet(t)
	tight := 0
	for _, r := range set.Rules {
		if r.lead > 0 {
			tight++
		}
	}
	if tight < len(set.Rules)/2 {
		t.Errorf("%d of %d rules search from their hits; the built-in formats should let most", tight, len(set.Rules))
	}
	var texts []string
	var line strings.Builder
	g := NewGenerator(21)
	for _, r := range set.Rules {
		for _, tmpl := range append(slices.Clone(r.Examples.True), r.Examples.False...) {
			text := expand(t, g, tmpl)
			texts = append(texts, text)
			for _, around := range []string{"x", "_", `\n`, `"`, "=", "-", ".", "é"} {
				texts = append(texts, around+text+around)
				for _, p := range r.prefixes {
					texts = append(texts, around+p+text)
				}
			}
			line.WriteString(text)
			line.WriteString(" ")
		}
	}
	texts = append(texts, line.String(), strings.ReplaceAll(line.String(), " ", ""))
	texts = append(texts, string(sourceLike(1<<18)), string(minifiedLike(1<<18, 1<<16)), string(base64Heavy(1<<18)), string(proseLike(1<<18)))
	find := func(on bool, text string) string {
		tightWindows = on
		defer func() { tightWindows = true }()
		var b strings.Builder
		for _, m := range set.Find([]byte(text), "") {
			fmt.Fprintf(&b, "%s %d:%d %q %q\n", m.Rule.ID, m.Start, m.End, m.Secret, m.Encoding)
		}
		return b.String()
	}
	for i, text := range texts {
		if got, want := find(true, text), find(false, text); got != want {
			t.Errorf("text %d (%.80q…): from the hits:\n%s\nover whole windows:\n%s", i, text, got, want)
		}
	}
}

// TestTrieFallbackSame checks that a set too large for the dense table, which walks the
// library's trie instead, finds what the dense table finds.
func TestTrieFallbackSame(t *testing.T) {
	set := builtinSet(t)
	saved := maxDenseEntries
	maxDenseEntries = 1
	large, err := NewSet(Builtin())
	maxDenseEntries = saved
	if err != nil {
		t.Fatal(err)
	}
	if large.kw != nil || large.trie == nil {
		t.Fatal("the set kept a dense table beyond its bound")
	}
	for name, data := range map[string][]byte{"source": sourceLike(1 << 20), "minified": minifiedLike(1<<20, 1<<18), "base64": base64Heavy(1 << 20)} {
		got, want := large.Find(data, "src/app.js"), set.Find(data, "src/app.js")
		if describe(got) != describe(want) {
			t.Errorf("%s: with the trie:%s\nwith the dense table:%s", name, describe(got), describe(want))
		}
		if len(want) == 0 {
			t.Errorf("%s: nothing found", name)
		}
	}
}
