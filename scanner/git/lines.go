package git

import (
	"bytes"
	"hash/maphash"
	"sync"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
)

// Line states in a lineCache: the three kinds the line filter tells apart, then what the
// engine said of a keyword line. A state fits in 3 bits (lineTable keeps it in a hash's low
// bits).
const (
	linePlain   = uint8(rules.LinePlain)   // no keyword: no rule can match on it
	lineContext = uint8(rules.LineWhole)   // a keyword of a rule that needs the whole blob
	linePending = uint8(rules.LineKeyword) // a keyword; not matched yet, or matched and not yet told
	lineMatched = linePending + 1          // a keyword, and the engine found a secret on it
	lineClean   = linePending + 2          // a keyword, and the engine found nothing on it
)

// maxCachedLines bounds a lineCache; past it the cache starts again (slower, still exact).
const maxCachedLines = 4 << 20

// lineCache remembers what each distinct line (by a 64-bit hash) is. One reader owns it;
// the engine's workers tell it, through the chunks' Scanned callbacks, what matched.
type lineCache struct {
	f    *rules.LineFilter
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

func newLineCache(f *rules.LineFilter) *lineCache {
	c := &lineCache{f: f, seed: maphash.MakeSeed()}
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

// recentSlots is the size of a lineCache's table of recent lines (2 MiB, a core's L2 cache
// here). On redis' blobs in pack order it misses 1.1 million of 6.9 million lines where
// 2^15 slots missed 2.4 million; a miss costs a classification of the line (about 3 ns a
// byte), far more than the lookup in the larger table costs.
const recentSlots = 1 << 18

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
func (c *lineCache) classify(line []byte) uint8 { return uint8(c.f.Classify(line)) }

// selection is the part of a blob worth matching.
type selection struct {
	data    []byte
	lineMap []int32
	hashes  []uint64 // the hash of each selected line, for learn
	whole   bool     // the blob goes whole
}

// sel picks the lines of data to match into s (reusing its buffers).
//
// The matcher reads some values across lines (rules.Continues): a string split over
// consecutive lines, shell variables assembled from those set on the lines before. A group
// of such lines in which a keyword occurs, as written or joined, sends the blob whole:
// matched on their own, the lines would give other findings than together. Between lines
// that are not consecutive in data, the selection holds an empty line, so that the matcher
// never joins what data keeps apart.
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
	lineNo, lastSelected := int32(0), int32(0)
	// The lines a split value may span: joinFrom is where the group of joined lines that
	// ends with the previous line starts (-1: none), cont whether the previous line ends
	// so that the next may join it; shell holds where the last lines of assignments start.
	joinFrom, prevStart, prevEnd, cont := -1, 0, 0, false
	var shell []int
	group := func(from, to int) bool { return c.f.Classify(data[from:to]) != rules.LinePlain }
	for off := 0; off < len(data); {
		lineNo++
		start := off
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += off
		}
		off = end + 1
		line := data[start:end]
		if cont && len(line) > 0 && rules.Continued(line) {
			if joinFrom < 0 {
				joinFrom = prevStart
			}
		} else if joinFrom >= 0 {
			if group(joinFrom, prevEnd) {
				s.whole = true
				return
			}
			joinFrom = -1
		}
		cont = len(line) > 0 && rules.Continues(line)
		prevStart, prevEnd = start, end
		if rules.ShellAssignment(line) {
			shell = append(shell, start)
			if len(shell) > rules.ShellLines+1 {
				shell = shell[1:]
			}
			if len(shell) > 1 && bytes.IndexByte(line, '$') >= 0 && group(shell[0], end) {
				s.whole = true
				return
			}
		} else {
			shell = shell[:0]
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
			if lastSelected > 0 && lastSelected != lineNo-1 {
				s.data = append(s.data, '\n')
				s.lineMap = append(s.lineMap, 0)
				s.hashes = append(s.hashes, 0)
			}
			s.data = append(s.data, line...)
			s.data = append(s.data, '\n')
			s.lineMap = append(s.lineMap, lineNo)
			s.hashes = append(s.hashes, h)
			lastSelected = lineNo
		}
	}
	if joinFrom >= 0 && group(joinFrom, prevEnd) {
		s.whole = true
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
		case h == 0:
			// the empty line between lines that are not consecutive
		case hit[i+1]:
			c.lines.put(h, lineMatched)
			c.recent.update(h, lineMatched)
		case c.lines.get(h) == linePending:
			c.lines.put(h, lineClean)
			c.recent.update(h, lineClean)
		}
	}
}

// selPool holds line selections between chunks.
var selPool = sync.Pool{New: func() any { return &selection{} }}

// blobChunk makes the chunk for a blob's content, for either reader. With a line cache
// (Source.Lines set), only the lines worth matching go to the engine and data is released at
// once, unless a line needs the whole blob; otherwise data goes whole and release is called
// when the engine is done with it.
func (s *Source) blobChunk(cache *lineCache, oid string, data []byte, release func()) scanner.Chunk {
	loc := scanner.Location{Blob: oid}
	if files.IsBinary(data) {
		release()
		return scanner.Chunk{Location: loc, Quiet: true, Skipped: "binary blob"}
	}
	matched := func(ms []rules.Match) { s.matched(oid, ms) }
	if cache == nil {
		return scanner.Chunk{Data: data, Kind: scanner.KindBlob, Location: loc, Done: release, Scanned: matched}
	}
	sel := selPool.Get().(*selection)
	cache.sel(data, sel)
	if sel.whole {
		selPool.Put(sel)
		return scanner.Chunk{Data: data, Kind: scanner.KindBlob, Location: loc, Done: release, Scanned: matched}
	}
	size := int64(len(data))
	release()
	return scanner.Chunk{
		Data: sel.data, LineMap: sel.lineMap, Size: size, Kind: scanner.KindBlob, Location: loc,
		Scanned: func(ms []rules.Match) { cache.learn(sel.hashes, ms); matched(ms) },
		Done:    func() { selPool.Put(sel) },
	}
}
