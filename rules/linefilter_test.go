package rules

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
)

// naiveClass is what Classify must say: lowered (ASCII only), does the line hold a keyword,
// and one of a rule that needs the whole blob?
func naiveClass(words []string, context []int, line []byte) LineKind {
	low := bytes.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, line)
	state := LinePlain
	for i, w := range words {
		if bytes.Contains(low, []byte(w)) {
			if context[i] > 0 {
				return LineWhole
			}
			state = LineKeyword
		}
	}
	return state
}

// naiveReach is what Reach must say: the largest reach of the words line holds.
func naiveReach(words []string, reach []int, line []byte) int {
	low := bytes.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, line)
	r := 0
	for i, w := range words {
		if bytes.Contains(low, []byte(w)) {
			r = max(r, reach[i])
		}
	}
	return r
}

// TestClassify checks the keyword automaton against a plain search, on lines made of
// pieces of keywords (overlapping, prefixes of one another, in any case) and other bytes.
func TestClassify(t *testing.T) {
	cases := []struct {
		name    string
		words   []string
		context []int // a word's reach; 0 for a word of rules that read only their line
	}{
		{"built-in rules", nil, nil},
		// Keywords inside others, sharing prefixes and suffixes: a match found only
		// through a failure link.
		{"nested", []string{"he", "she", "his", "hers", "ushe"}, []int{0, 0, 0, 7, 0}},
		// A keyword that ends inside a longer one's path ("abc" then not "d").
		{"inside", []string{"abcd", "bc", "cdx"}, []int{0, 9, 0}},
		{"repeats", []string{"aaa", "aab", "ab", "b"}, []int{0, 3, 0, 5}},
		{"non-ASCII", []string{"clé", "ключ", "k"}, []int{4, 0, 6}},
	}
	set, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			words, context := c.words, c.context
			if words == nil {
				index := map[string]int{}
				for _, r := range set.Rules {
					for _, k := range r.Keywords {
						k = strings.ToLower(k)
						i, ok := index[k]
						if !ok {
							i = len(words)
							index[k] = i
							words = append(words, k)
							context = append(context, 0)
						}
						if r.Multiline || r.Companion != nil {
							context[i] = 1
						}
					}
				}
			}
			a := buildLineFilter(words, context)
			rng := rand.New(rand.NewSource(1))
			pieces := append([]string{" ", "x", "=", "\t", "\xff", "Z"}, words...)
			for n := 0; n < 20000; n++ {
				var line []byte
				for j := rng.Intn(8); j >= 0; j-- {
					p := pieces[rng.Intn(len(pieces))]
					if len(p) > 1 && rng.Intn(3) == 0 {
						p = p[:1+rng.Intn(len(p)-1)] // a prefix, which must not match
					}
					if rng.Intn(4) == 0 {
						p = strings.ToUpper(p)
					}
					line = append(line, p...)
				}
				want, wantReach := naiveClass(words, context, line), naiveReach(words, context, line)
				if got := a.Classify(line); got != want {
					t.Fatalf("line %q: class %d, want %d", line, got, want)
				}
				if got, want := a.Reach(line), wantReach; got != want {
					t.Fatalf("line %q: reach %d, want %d", line, got, want)
				}
			}
		})
	}
}

// FuzzMayDerive checks that mayDerive, which spares most lines the decoding stage, says
// "maybe" of every text that the stage decodes or joins something in.
func FuzzMayDerive(f *testing.F) {
	for _, s := range []string{
		`k = "sk-" + "proj"`, `k = 'a' 'b'`, `A=abc; B="${A}def"`, `x = ["a", "b"].join("")`,
		`t = %2Fa%2F`, `u = "\u0041\x41\/"`, `auth: c2VjcmV0LXBhc3N3b3JkLTEyMw==`, `printf("%s\n", x);`,
		`concat!("a", "b")`, "\"a\" +\n  \"b\"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		var b budget
		if dv := derive(text, nil, &b); dv != nil && !mayDerive(text) {
			t.Fatalf("%q derives %q, but mayDerive says no", text, dv.text)
		}
	})
}
