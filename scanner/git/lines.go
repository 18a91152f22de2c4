package git

import (
	"bytes"
	"hash/maphash"
	"strings"
	"sync"

	"github.com/leakstop/leakstop/rules"
)

// Anchors decides which lines of a blob are worth matching. Most of a history's bytes are
// lines already seen in an earlier version of the same file, and a rule that does not span
// lines can match only on a line that holds one of its keywords; so a blob is handed to the
// engine as its anchor lines alone (a line map keeps their numbers), and an anchor line that
// matched nothing before is left out when it comes again. A blob where a rule that needs more
// than one line (a private key, a key beside its id) finds its keyword goes whole. Findings
// are the same as those of matching every blob in full.
type Anchors struct {
	// An Aho-Corasick automaton over the keywords, as a dense table: from state s, byte b
	// leads to next[s*classes+class[b]]. Bytes that no keyword holds share class 0, and an
	// upper-case letter has the class of its lower case, so that a line is classified
	// without lowering a copy of it. out[s] tells which keywords end at state s.
	class   [256]uint8
	classes int
	next    []uint16
	out     []uint8
}

// Bits of Anchors.out.
const (
	outKeyword uint8 = 1 << iota // a keyword ends here
	outContext                   // a keyword of a rule that needs the whole blob ends here
)

// NewAnchors returns the anchors of a rule set, or nil when line selection cannot be exact
// for it (a rule without keywords runs on every line, so every blob goes whole).
func NewAnchors(set *rules.Set) *Anchors {
	if set == nil {
		return nil
	}
	index := map[string]int{}
	var words []string
	var context []bool
	for _, r := range set.Rules {
		if len(r.Keywords) == 0 {
			return nil
		}
		whole := r.Multiline || r.Companion != nil
		for _, k := range r.Keywords {
			k = strings.ToLower(k)
			if strings.ContainsAny(k, "\r\n") || k == "" {
				return nil
			}
			i, ok := index[k]
			if !ok {
				i = len(words)
				index[k] = i
				words = append(words, k)
				context = append(context, false)
			}
			context[i] = context[i] || whole
		}
	}
	return newAnchors(words, context)
}

// newAnchors builds the automaton of words (lower case); context[i] tells whether word i
// belongs to a rule that needs the whole blob. It returns nil if the automaton would be too
// large for its table.
func newAnchors(words []string, context []bool) *Anchors {
	a := &Anchors{classes: 1}
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
	out := []uint8{0}
	for i, w := range words {
		s := 0
		for j := 0; j < len(w); j++ {
			c := int(a.class[w[j]])
			if edges[s*k+c] < 0 {
				edges[s*k+c] = int32(len(out))
				out = append(out, 0)
				for range k {
					edges = append(edges, -1)
				}
			}
			s = int(edges[s*k+c])
		}
		out[s] |= outKeyword
		if context[i] {
			out[s] |= outContext
		}
	}
	if len(out) > 1<<16 {
		return nil
	}
	// Breadth first, so that a state's failure link (a shorter state) is complete before
	// the state: a missing edge goes where the failure link's edge goes, and a state
	// inherits what ends at its failure link.
	a.next = make([]uint16, len(edges))
	fail := make([]int, len(out))
	queue := []int{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for c := 0; c < k; c++ {
			t := edges[s*k+c]
			if t < 0 {
				if s != 0 {
					a.next[s*k+c] = a.next[fail[s]*k+c]
				}
				continue
			}
			a.next[s*k+c] = uint16(t)
			if s != 0 {
				fail[t] = int(a.next[fail[s]*k+c])
				out[t] |= out[fail[t]]
			}
			queue = append(queue, int(t))
		}
	}
	a.out = out
	return a
}

// Line states in a lineCache.
const (
	linePlain   uint8 = iota + 1 // no keyword: no rule can match on it
	lineContext                  // a keyword of a rule that needs the whole blob
	linePending                  // a keyword; not matched yet, or matched and not yet told
	lineMatched                  // a keyword, and the engine found a secret on it
	lineClean                    // a keyword, and the engine found nothing on it
)

// maxCachedLines bounds a lineCache; past it the cache starts again (slower, still exact).
const maxCachedLines = 4 << 20

// lineCache remembers what each distinct line (by a 64-bit hash) is. One reader owns it;
// the engine's workers tell it, through the chunks' Scanned callbacks, what matched.
type lineCache struct {
	a    *Anchors
	seed maphash.Seed
	mu   sync.Mutex
	// lines holds every line with a keyword, whose state the engine's answers change.
	// Lines without one, most of a history's, are only in recent: one that comes back
	// after leaving it is classified again, which on the benchmark history cost less than
	// keeping them all (0.36 s of selection against 0.53 s, mostly cache misses in a
	// table of a million lines).
	lines lineTable
	// recent holds the lines of the last few blobs. Blobs come in pack order, where the
	// versions of a file sit together, so most lines are found here, in a table small
	// enough to stay in the processor's cache.
	recent recentLines
	// selected and whole count what went to the engine, for the debug log.
	selected, whole int64
}

func newLineCache(a *Anchors) *lineCache {
	c := &lineCache{a: a, seed: maphash.MakeSeed()}
	c.lines.reset()
	return c
}

// lineTable maps line hashes to line states: open addressing over one slice, the state in
// the hash's low 3 bits. It costs about one cache miss a line, a third of a Go map's.
type lineTable struct {
	slots []uint64
	n     int
}

func (t *lineTable) reset() { t.slots, t.n = make([]uint64, 1<<16), 0 }

// recentSlots is the size of a lineCache's table of recent lines (256 KiB).
const recentSlots = 1 << 15

// recentLines is a direct-mapped cache of line states: one slot per hash, a newer line
// taking an older one's slot. A lookup is one load from a table that stays in the
// processor's cache; it never needs emptying.
type recentLines struct {
	slots [recentSlots]uint64
}

func (r *recentLines) get(h uint64) uint8 {
	s := r.slots[(h>>3)&(recentSlots-1)]
	if s&^7 == h&^7 {
		return uint8(s & 7)
	}
	return 0
}

func (r *recentLines) set(h uint64, state uint8) {
	r.slots[(h>>3)&(recentSlots-1)] = h&^7 | uint64(state)
}

// update changes the state of h if the cache holds it.
func (r *recentLines) update(h uint64, state uint8) {
	if r.get(h) != 0 {
		r.set(h, state)
	}
}

func (t *lineTable) get(h uint64) uint8 {
	key := h &^ 7
	mask := uint64(len(t.slots) - 1)
	for i := (h >> 3) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return 0
		}
		if s&^7 == key {
			return uint8(s & 7)
		}
	}
}

func (t *lineTable) put(h uint64, state uint8) {
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		t.slots = make([]uint64, 2*len(old))
		t.n = 0
		for _, s := range old {
			if s != 0 {
				t.put(s, uint8(s&7))
			}
		}
	}
	key := h &^ 7
	mask := uint64(len(t.slots) - 1)
	for i := (h >> 3) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			t.slots[i] = key | uint64(state)
			t.n++
			return
		}
		if s&^7 == key {
			t.slots[i] = key | uint64(state)
			return
		}
	}
}

// classify tells what a line never seen before is.
func (c *lineCache) classify(line []byte) uint8 { return c.a.classify(line) }

func (a *Anchors) classify(line []byte) uint8 {
	state := linePlain
	s, k := 0, a.classes
	for _, b := range line {
		s = int(a.next[s*k+int(a.class[b])])
		if o := a.out[s]; o != 0 {
			if o&outContext != 0 {
				return lineContext
			}
			state = linePending
		}
	}
	return state
}

// selection is the part of a blob worth matching.
type selection struct {
	data    []byte
	lineMap []int32
	hashes  []uint64 // the hash of each selected line, for learn
	whole   bool     // the blob goes whole
}

// sel picks the lines of data to match into s (reusing its buffers).
func (c *lineCache) sel(data []byte, s *selection) {
	s.data, s.lineMap, s.hashes, s.whole = s.data[:0], s.lineMap[:0], s.hashes[:0], false
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lines.n > maxCachedLines {
		c.lines.reset()
	}
	defer func() {
		if s.whole {
			c.whole++
		} else {
			c.selected += int64(len(s.data))
		}
	}()
	lineNo := int32(0)
	for len(data) > 0 {
		lineNo++
		end := bytes.IndexByte(data, '\n')
		var line []byte
		if end < 0 {
			line, data = data, nil
		} else {
			line, data = data[:end], data[end+1:]
		}
		if len(line) == 0 {
			continue
		}
		h := maphash.Bytes(c.seed, line)
		state := c.recent.get(h)
		if state == 0 {
			state = c.lines.get(h)
			if state == 0 {
				state = c.classify(line)
				if state != linePlain {
					c.lines.put(h, state)
				}
			}
			c.recent.set(h, state)
		}
		switch state {
		case lineContext:
			s.whole = true
			return
		case linePending, lineMatched:
			s.data = append(s.data, line...)
			s.data = append(s.data, '\n')
			s.lineMap = append(s.lineMap, lineNo)
			s.hashes = append(s.hashes, h)
		}
	}
}

// learn records which selected lines matched: a line that matched nothing is left out the
// next time it comes.
func (c *lineCache) learn(hashes []uint64, matches []rules.Match) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hit := map[int]bool{}
	for _, m := range matches {
		hit[m.Line] = true
	}
	for i, h := range hashes {
		switch {
		case hit[i+1]:
			c.lines.put(h, lineMatched)
			c.recent.update(h, lineMatched)
		case c.lines.get(h) == linePending:
			c.lines.put(h, lineClean)
			c.recent.update(h, lineClean)
		}
	}
}
