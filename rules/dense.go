package rules

// dense is an Aho-Corasick automaton over lower-case words, as a dense table: the keyword
// pass of the matcher and the line filter of history scans walk it.
//
// A state is kept as its row's offset s (the state's number times classes), and byte b
// leads from s to next[s+class[b]]: one add and one load a byte, with no multiplication on
// the chain of dependent loads and no lowered copy of the text, since an upper-case ASCII
// letter has the class of its lower case. Bytes that no word holds share class 0.
//
// The general automaton of github.com/BobuSumisu/aho-corasick walks a lowered copy through
// a double-array trie and follows dictionary links at each step; with the 402 keywords of
// the built-in rules this table walks minified JavaScript 1.8x faster (BenchmarkKeywords:
// 645 against 361 MB/s). The library stays for sets whose table would be too large
// (newDense returns nil).
type dense struct {
	class   [256]uint8
	classes int
	next    []uint32
	// Words end at the states whose rows start at firstFinal or after; ends[s/classes]
	// lists them, longest first (the state's own word, then those along its failure links),
	// as the library reports them.
	firstFinal uint32
	ends       [][]int32
}

// maxDenseEntries bounds a dense table (states times classes): 16 MiB of uint32. A test
// lowers it to try the library's trie.
var maxDenseEntries = 1 << 22

// newDense builds the automaton of words, which must be lower case (ASCII) and not empty.
// It returns nil when the table would hold more than maxDenseEntries entries.
func newDense(words []string) *dense {
	a := &dense{classes: 1}
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			if a.class[w[i]] == 0 {
				if a.classes == 256 {
					return nil
				}
				a.class[w[i]] = uint8(a.classes)
				a.classes++
			}
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		a.class[b] = a.class[b+'a'-'A']
	}
	// The trie of the words, with -1 for no edge.
	k := a.classes
	edges := make([]int32, k)
	for i := range edges {
		edges[i] = -1
	}
	own := []int32{-1} // the word that ends at a state, if any
	for i, w := range words {
		s := 0
		for j := 0; j < len(w); j++ {
			c := int(a.class[w[j]])
			if edges[s*k+c] < 0 {
				if (len(own)+1)*k > maxDenseEntries {
					return nil
				}
				edges[s*k+c] = int32(len(own))
				own = append(own, -1)
				for range k {
					edges = append(edges, -1)
				}
			}
			s = int(edges[s*k+c])
		}
		if own[s] < 0 {
			own[s] = int32(i) // a word given twice ends once
		}
	}
	// Breadth first, so that a state's failure link (a shorter state) is complete before
	// the state: a missing edge goes where the failure link's edge goes, and a state ends
	// what its failure link ends, after its own word.
	next := make([]int32, len(edges))
	fail := make([]int32, len(own))
	a.ends = make([][]int32, len(own))
	queue := []int32{0}
	for len(queue) > 0 {
		s := int(queue[0])
		queue = queue[1:]
		if s != 0 {
			var e []int32
			if own[s] >= 0 {
				e = append(e, own[s])
			}
			a.ends[s] = append(e, a.ends[fail[s]]...)
		}
		for c := 0; c < k; c++ {
			t := edges[s*k+c]
			if t < 0 {
				if s != 0 {
					next[s*k+c] = next[int(fail[s])*k+c]
				}
				continue
			}
			next[s*k+c] = t
			if s != 0 {
				fail[t] = next[int(fail[s])*k+c]
			}
			queue = append(queue, t)
		}
	}
	// Renumbered so that the states where a word ends come last: the walk then tells one
	// by comparing its row with firstFinal, without a load.
	perm := make([]int32, len(own))
	n := int32(0)
	for pass := range 2 {
		for s, e := range a.ends {
			if (len(e) > 0) == (pass == 1) {
				perm[s] = n
				n++
			}
		}
		if pass == 0 {
			a.firstFinal = uint32(int(n) * k)
		}
	}
	ends := make([][]int32, len(own))
	a.next = make([]uint32, len(next))
	for s := range own {
		ends[perm[s]] = a.ends[s]
		for c := 0; c < k; c++ {
			a.next[int(perm[s])*k+c] = uint32(int(perm[next[s*k+c]]) * k)
		}
	}
	a.ends = ends
	return a
}

// words returns the word indexes that end at the state whose row starts at s.
func (a *dense) words(s uint32) []int32 { return a.ends[s/uint32(a.classes)] }

// walk calls hit with the end (exclusive) and index of every occurrence of a word in data,
// in order of their ends, and of one end longest first.
func (a *dense) walk(data []byte, hit func(end int, word int32)) {
	next, class, firstFinal := a.next, &a.class, a.firstFinal
	s := uint32(0)
	for i, b := range data {
		s = next[s+uint32(class[b])]
		if s >= firstFinal {
			for _, w := range a.words(s) {
				hit(i+1, w)
			}
		}
	}
}
