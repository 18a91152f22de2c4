package git

import (
	"bytes"
	"cmp"
	"hash/maphash"
	"slices"
	"sync"

	"github.com/rs/zerolog"

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
	// groups remembers what groups of joined lines are (groupKind).
	groups [groupSlots]uint64
	// blocks holds the hashes of blocks (selBlocks) that were matched and held nothing.
	blocks [blockSlots]uint64
	// selected, whole and wholeBytes count what went to the engine, for the debug log.
	selected, whole, wholeBytes int64
	// scratch holds sel's line records.
	scratch []lineRec
	// read and taken count the bytes of lines hashed and looked up, and of lines whose
	// records were taken from a delta's base, for the debug log.
	read, taken int64
}

// logCounts writes what the cache selected to l's debug log: the bytes of lines that went to
// the engine, the blobs that went whole, and the bytes of lines read and taken from a
// delta's base.
func (c *lineCache) logCounts(l zerolog.Logger) {
	l.Debug().Int64("bytes", c.selected).Int64("whole_blobs", c.whole).Int64("whole_bytes", c.wholeBytes).Int64("lines_read", c.read).Int64("lines_taken", c.taken).Msg("lines selected for matching")
}

func newLineCache(f *rules.LineFilter) *lineCache {
	c := &lineCache{f: f, seed: maphash.MakeSeed()}
	c.lines.reset()
	c.recent.grow(firstRecentSlots)
	return c
}

// lineTable maps line hashes to line states: open addressing over one slice, the state in
// the hash's low 3 bits. It costs about one cache miss a line, a third of a Go map's.
type lineTable struct {
	slots []uint64
	n     int
}

func (t *lineTable) reset() { t.slots, t.n = make([]uint64, 1<<16), 0 }

// recentSlots is the size of a lineCache's table of recent lines (8 MiB). On redis' blobs in
// pack order 2^20 slots miss 0.7 million of 6.9 million lines where 2^15 missed 2.4 million;
// a miss costs a classification of the line (which decodes and joins what it holds), far
// more than a lookup in the larger table, whose latency the batches hide. 2^21 slots were
// no faster on redis and cost 16 MiB more a reader.
const recentSlots = 1 << 20

// firstRecentSlots is the size the table starts at (256 KiB): it grows, up to recentSlots,
// each time it has taken in four times as many lines as it has slots, so that a small
// history (an org scan's thousands of small repositories) keeps a small table.
const firstRecentSlots = 1 << 15

// groupSlots is the size of a lineCache's table of groups of joined lines (512 KiB).
const groupSlots = 1 << 16

// blockSlots is the size of a lineCache's table of blocks that held nothing (512 KiB).
const blockSlots = 1 << 16

// recentLines is a direct-mapped cache of line states: one slot per hash, a newer line
// taking an older one's slot. A lookup is one load from a table that stays in the
// processor's cache; it never needs emptying. A slot holds the hash's upper 56 bits, and in
// its low byte the line's state (3 bits) and its shape (lineShape: how it joins the lines
// around it), so that a line met again costs neither a classification nor a look at its
// shape.
type recentLines struct {
	slots []uint64
	mask  uint64
	taken int // lines set since the table last grew
}

// Bits of a line's shape, above its state in a recent slot.
const (
	shapeContinues = 1 << (3 + iota) // rules.Continues: the next line may join it
	shapeContinued                   // rules.Continued: it may join the line before
	shapeShell                       // rules.ShellAssignment
	shapeDollar                      // it holds a $ (a shell reference)
)

// lineShape tells how line joins the lines around it (the shape bits).
func lineShape(line []byte) uint8 {
	var m uint8
	if rules.Continues(line) {
		m |= shapeContinues
	}
	if rules.Continued(line) {
		m |= shapeContinued
	}
	if rules.ShellAssignment(line) {
		m |= shapeShell
	}
	if bytes.IndexByte(line, '$') >= 0 {
		m |= shapeDollar
	}
	return m
}

const recentMeta = 0xff

// get returns the state and shape of h (state in the low 3 bits), or 0.
func (r *recentLines) get(h uint64) uint8 {
	s := r.slots[(h>>8)&r.mask]
	if s&^recentMeta == h&^recentMeta {
		return uint8(s & recentMeta)
	}
	return 0
}

func (r *recentLines) set(h uint64, meta uint8) {
	if r.taken++; r.taken > 4*len(r.slots) && len(r.slots) < recentSlots {
		r.grow(2 * len(r.slots))
	}
	r.slots[(h>>8)&r.mask] = h&^recentMeta | uint64(meta)
}

// grow starts the table again with n slots (a cache: what it held is found again in the
// tables behind it).
func (r *recentLines) grow(n int) {
	r.slots, r.mask, r.taken = make([]uint64, n), uint64(n-1), 0
}

// update changes the state of h, keeping its shape, if the cache holds it.
func (r *recentLines) update(h uint64, state uint8) {
	if m := r.get(h); m != 0 {
		r.set(h, m&^7|state)
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
	hashes  []uint64 // the hash of each selected line, for learn (0: not to learn)
	whole   bool     // the blob goes whole
	context []span   // the lines with a keyword of a rule that needs more than its line
	blocks  []span
	keyword []keywordLine // the keyword lines to match
	sent    []sentBlock   // the blocks in data, for learn
}

// sentBlock is a block of a selection: its lines (indexes into lineMap, [from, to)) and
// the hash of its text.
type sentBlock struct {
	from, to int
	hash     uint64
}

// keywordLine is a keyword line sel selects, where it is in the blob.
type keywordLine struct {
	span
	lineNo int32
	hash   uint64
}

// span is a part of a blob, as byte offsets.
type span struct{ lo, hi int }

// lineRec is a line of a blob that sel reads: one with a keyword, or one that may join the
// lines around it (its shape). A line with neither is not kept: for the selection it is no
// different from an empty line, which ends what the lines before it joined.
type lineRec struct {
	start, end int32 // where it is in the blob: [start, end), end at its newline
	hash       uint64
	meta       uint8 // its state and shape, as in recentLines
}

// baseLines is what the lines of a blob built from another (a delta) are known from: the
// base's content, its lineRecs, and the ranges the delta copies from it.
type baseLines struct {
	data []byte
	recs []lineRec
	ops  []copyOp
}

// copyOp is a copy of a delta: n bytes of the base from src, at dst in the blob built.
type copyOp struct{ dst, src, n int }

// sel picks the lines of data to match into s (reusing its buffers). It is selFrom with
// no base and records kept in the cache's own buffer.
func (c *lineCache) sel(data []byte, s *selection) {
	c.scratch = c.selFrom(data, nil, s, c.scratch[:0])
}

// selFrom picks the lines of data to match into s and returns the blob's line records,
// appended to recs (nil when sel kept none: the blob goes whole). With base, the lines
// that the delta copies whole from the base are the base's lines: their records are
// taken from it, and only the others are hashed and looked up.
//
// A line with a keyword of a rule that reads more than its line (a private key's block, a
// key beside its id, a value on the line after its name) goes with every line within the
// filter's Reach for it, as they are in data, whatever was seen of them before: a block of
// data on which that rule finds what it finds on the whole blob (rules.LineFilter.Reach).
// The blob goes whole only when its blocks would be all of it.
//
// The matcher also reads some values across lines (rules.Continues): a string split over
// consecutive lines, shell variables assembled from those set on the lines before. A group
// of such lines in which a keyword occurs, as written or joined, goes as a block of its
// own (with the reach of the keywords it holds): matched on their own, the lines would give
// other findings than together, and the lines before and after it join none of it. Between lines
// that are not consecutive in data, the selection holds an empty line, so that the matcher
// never joins what data keeps apart.
func (c *lineCache) selFrom(data []byte, base *baseLines, s *selection, recs []lineRec) []lineRec {
	s.data, s.lineMap, s.hashes, s.whole = s.data[:0], s.lineMap[:0], s.hashes[:0], false
	s.context, s.blocks, s.keyword, s.sent = s.context[:0], s.blocks[:0], s.keyword[:0], s.sent[:0]
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lines.n > maxCachedLines {
		c.lines.reset()
	}
	defer func() {
		if s.whole {
			c.whole++
			c.wholeBytes += int64(len(data))
		} else {
			c.selected += int64(len(s.data))
		}
	}()
	if rules.TableHeader(data) || len(data) > maxRecBlob {
		// A table of secrets: its cells are secrets by the name at the top (rules/csv.go).
		// (Or a blob too large for lineRecs' offsets, matched whole.)
		s.whole = true
		return nil
	}
	recs = c.records(data, base, recs)
	// The lines a split value may span: joinFrom is where the group of joined lines that
	// ends with the previous line starts (-1: none), cont whether the previous line ends
	// so that the next may join it; shell holds where the last lines of assignments start.
	// A line not kept in recs (neither keyword nor shape) ends them all, as an empty line
	// does: lines are consecutive when one starts just after the other's newline.
	joinFrom, prevStart, prevEnd, cont := -1, 0, -1, false
	var shell []int
	group := func(from, to int) bool { return c.groupKind(data[from:to]) != linePlain }
	for _, r := range recs {
		start, end, meta := int(r.start), int(r.end), r.meta
		state := meta & 7
		if start != prevEnd+1 {
			// A line between this one and the last ends what the lines before it joined.
			if joinFrom >= 0 && group(joinFrom, prevEnd) {
				s.context = append(s.context, span{joinFrom, prevEnd})
			}
			joinFrom, cont, shell = -1, false, shell[:0]
		}
		if cont && meta&shapeContinued != 0 {
			if joinFrom < 0 {
				joinFrom = prevStart
			}
		} else if joinFrom >= 0 {
			if group(joinFrom, prevEnd) {
				s.context = append(s.context, span{joinFrom, prevEnd})
			}
			joinFrom = -1
		}
		cont = meta&shapeContinues != 0
		prevStart, prevEnd = start, end
		if meta&shapeShell != 0 {
			shell = append(shell, start)
			if len(shell) > rules.ShellLines+1 {
				shell = shell[1:]
			}
			if len(shell) > 1 && meta&shapeDollar != 0 && group(shell[0], end) {
				s.context = append(s.context, span{shell[0], end})
			}
		} else {
			shell = shell[:0]
		}
		switch state {
		case lineContext:
			s.context = append(s.context, span{start, end})
		case linePending, lineMatched:
			s.keyword = append(s.keyword, keywordLine{span{start, end}, 0, r.hash})
		}
	}
	if joinFrom >= 0 && group(joinFrom, prevEnd) {
		s.context = append(s.context, span{joinFrom, prevEnd})
	}
	// The keyword lines' numbers, counted up to the last of them.
	lineNo, off := int32(1), 0
	for i := range s.keyword {
		k := &s.keyword[i]
		lineNo += int32(bytes.Count(data[off:k.lo], []byte{'\n'}))
		k.lineNo, off = lineNo, k.lo
	}
	if len(s.context) > 0 {
		c.selBlocks(data, s)
		return recs
	}
	lastSelected := int32(0)
	for _, k := range s.keyword {
		s.addLine(data[k.lo:k.hi], k.lineNo, k.hash, &lastSelected)
	}
	return recs
}

// maxRecBlob is the largest blob whose lines lineRec can hold.
const maxRecBlob = 1<<31 - 1

// records appends to recs the line records of data: with base, those of the lines the
// delta copies whole taken from the base's, moved to where the copy puts them; the rest
// read (fresh).
func (c *lineCache) records(data []byte, base *baseLines, recs []lineRec) []lineRec {
	if base == nil {
		return c.fresh(data, 0, len(data), recs)
	}
	pos, next := 0, 0
	for _, op := range base.ops {
		// The base's whole lines inside the copy, [a, b): from after its first newline (or
		// from the start, for a copy of the base's start to the blob's) to after its last.
		src := base.data[op.src : op.src+op.n]
		a := 0
		if op.src != 0 || op.dst != 0 {
			a = bytes.IndexByte(src, '\n') + 1
			if a == 0 {
				continue
			}
		}
		b := bytes.LastIndexByte(src, '\n') + 1
		if b <= a {
			continue
		}
		a, b = a+op.src, b+op.src
		shift := op.dst - op.src
		if a+shift < pos {
			continue // a delta whose copies overlap: read, not taken
		}
		recs = c.fresh(data, pos, a+shift, recs)
		c.taken += int64(b - a)
		// The first record at a: copies mostly go forward through the base, so the search
		// starts where the last copy's records ended.
		i := next
		if i > len(base.recs) || i > 0 && int(base.recs[i-1].start) >= a {
			i = 0
		}
		if i+8 < len(base.recs) && int(base.recs[i+8].start) < a {
			j, _ := slices.BinarySearchFunc(base.recs[i:], int32(a), func(r lineRec, at int32) int { return cmp.Compare(r.start, at) })
			i += j
		}
		for i < len(base.recs) && int(base.recs[i].start) < a {
			i++
		}
		for ; i < len(base.recs); i++ {
			r := base.recs[i]
			if int(r.start) >= b {
				break
			}
			r.start += int32(shift)
			r.end += int32(shift)
			if r.meta&7 >= linePending {
				// A keyword line: what the matcher has said of it since.
				known := c.lines.get(r.hash)
				if known == 0 {
					known = linePending
					c.lines.put(r.hash, known)
				}
				r.meta = r.meta&^7 | known
			}
			recs = append(recs, r)
		}
		pos, next = b+shift, i
	}
	return c.fresh(data, pos, len(data), recs)
}

// fresh appends to recs the records of the lines of data[from:to) (from at a line's
// start, to after a newline or at the end of data), each hashed and looked up.
//
// Lines go in batches: their hashes first, then their slots in the table of recent lines,
// loads that do not wait for one another (most lines' states are there, and a history's
// distinct lines are too many for the table to stay in the processor's cache: one at a
// time, the misses cost more than the rest of the work together).
func (c *lineCache) fresh(data []byte, from, to int, recs []lineRec) []lineRec {
	c.read += int64(to - from)
	var b batch
	for off := from; off < to; {
		b.n = 0
		for b.n < batchLines && off < to {
			start, end := off, bytes.IndexByte(data[off:], '\n')
			if end < 0 {
				end = len(data)
			} else {
				end += off
			}
			off = end + 1
			if end == start {
				continue
			}
			b.start[b.n], b.end[b.n] = int32(start), int32(end)
			b.hash[b.n] = maphash.Bytes(c.seed, data[start:end])
			b.n++
		}
		for i := range b.n {
			b.state[i] = c.recent.get(b.hash[i])
		}
		for i := range b.n {
			meta := b.state[i]
			if meta == 0 {
				meta = c.lookup(data[b.start[i]:b.end[i]], b.hash[i])
			}
			if meta != linePlain {
				recs = append(recs, lineRec{b.start[i], b.end[i], b.hash[i], meta})
			}
		}
	}
	return recs
}

// batchLines is how many lines fresh looks up at a time.
const batchLines = 32

// batch is a batch of fresh's lines: where each is in the blob, its hash and what the
// table of recent lines says of it.
type batch struct {
	n          int
	start, end [batchLines]int32
	hash       [batchLines]uint64
	state      [batchLines]uint8
}

// groupKind classifies a group of lines the matcher joins (the span of data they take),
// remembered by the span's hash: a group comes back in every version of its file, and
// classifying it decodes and joins its values.
func (c *lineCache) groupKind(text []byte) uint8 {
	h := maphash.Bytes(c.seed, text)
	slot := &c.groups[(h>>3)&(groupSlots-1)]
	if *slot&^7 == h&^7 && *slot&7 != 0 {
		return uint8(*slot & 7)
	}
	kind := c.classify(text)
	*slot = h&^7 | uint64(kind)
	return kind
}

// lookup tells what line (of hash h), not among the recent lines, is, with its shape (as
// recentLines.get): the filter says whether it holds a keyword, and for a line that does
// (few do), the table of keyword lines says what the matcher found on it before. The
// filter goes first because it costs less than a miss in that table, which most lines
// would be. The line is recent after.
func (c *lineCache) lookup(line []byte, h uint64) uint8 {
	state := c.classify(line)
	if state == linePending {
		if known := c.lines.get(h); known != 0 {
			state = known
		} else {
			c.lines.put(h, state)
		}
	}
	meta := state | lineShape(line)
	c.recent.set(h, meta)
	return meta
}

// selBlocks selects, for a blob with lines of s.context, the blocks of whole lines around
// them (merged where they meet) and, outside the blocks, the keyword lines as sel does.
func (c *lineCache) selBlocks(data []byte, s *selection) {
	// Groups of joined lines come when they end, after the lines inside them.
	slices.SortFunc(s.context, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	for _, l := range s.context {
		// Reach, with the kind of a span whose keywords are all derived from the table of
		// groups: it is a line or group classified before, and classifying decodes and joins.
		reach := c.f.PlainReach(data[l.lo:l.hi])
		if reach == 0 && c.groupKind(data[l.lo:l.hi]) == lineContext {
			reach = rules.WholeReach
		}
		lo, hi := max(l.lo-reach, 0), min(l.hi+reach, len(data))
		lo = bytes.LastIndexByte(data[:lo], '\n') + 1
		if i := bytes.IndexByte(data[hi:], '\n'); i >= 0 {
			hi += i + 1
		} else {
			hi = len(data)
		}
		s.blocks = append(s.blocks, span{lo, hi})
	}
	// Merged where they meet. The blocks are sorted by where they start, not by their
	// lines: a line further on whose rule reads further back (a private key's block)
	// starts its block before the blocks of the lines before it.
	slices.SortFunc(s.blocks, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	merged, covered := s.blocks[:0], 0
	for _, b := range s.blocks {
		if n := len(merged); n > 0 && b.lo <= merged[n-1].hi {
			merged[n-1].hi = max(merged[n-1].hi, b.hi)
			continue
		}
		merged = append(merged, b)
	}
	s.blocks = merged
	for _, b := range s.blocks {
		covered += b.hi - b.lo
	}
	// Blocks, not the whole blob, even when they cover most of it: a block matched clean
	// is left out when it comes again, a whole blob never is. On git/git, whose docs say
	// "variable" and "machine" (keywords of rules that read around them) every few lines,
	// the matcher then reads 289 MB, not 184 MB of lines and 376 MB of whole blobs.
	if covered >= len(data) {
		s.whole = true
		return
	}
	// The blocks as they are in data, each of their lines in lineMap, and between them the
	// keyword lines the first pass found, without reading the rest again. Block lines learn
	// nothing: what the matcher finds on a line among others (a piece of a joined value) is
	// not what it finds on the line alone.
	kw := s.keyword
	lineNo, off, lastSelected := int32(0), 0, int32(0)
	for _, b := range s.blocks {
		for len(kw) > 0 && kw[0].lo < b.lo {
			s.addLine(data[kw[0].lo:kw[0].hi], kw[0].lineNo, kw[0].hash, &lastSelected)
			kw = kw[1:]
		}
		lineNo += int32(bytes.Count(data[off:b.lo], []byte{'\n'}))
		text := data[b.lo:b.hi]
		h := maphash.Bytes(c.seed, text)
		if slot := c.blocks[(h>>1)&(blockSlots-1)]; slot == h|1 {
			// The same block was matched before and held nothing: neither does this one.
			lineNo += int32(bytes.Count(text, []byte{'\n'}))
			if len(text) > 0 && text[len(text)-1] != '\n' {
				lineNo++
			}
			off = b.hi
		} else {
			s.separate(lineNo+1, &lastSelected)
			s.data = append(s.data, text...)
			from := len(s.lineMap)
			for at := b.lo; at < b.hi; {
				lineNo++
				end := bytes.IndexByte(data[at:b.hi], '\n')
				if end < 0 {
					end = b.hi - at
				}
				s.lineMap = append(s.lineMap, lineNo)
				s.hashes = append(s.hashes, 0)
				at += end + 1
			}
			s.sent = append(s.sent, sentBlock{from, len(s.lineMap), h})
			lastSelected, off = lineNo, b.hi
		}
		for len(kw) > 0 && kw[0].lo < b.hi {
			kw = kw[1:]
		}
	}
	for _, k := range kw {
		s.addLine(data[k.lo:k.hi], k.lineNo, k.hash, &lastSelected)
	}
}

// addLine adds line (number lineNo, hash h) to the selection, after an empty line when the
// line selected last (*last) is not the one before it.
func (s *selection) addLine(line []byte, lineNo int32, h uint64, last *int32) {
	s.separate(lineNo, last)
	s.data = append(s.data, line...)
	s.data = append(s.data, '\n')
	s.lineMap = append(s.lineMap, lineNo)
	s.hashes = append(s.hashes, h)
	*last = lineNo
}

// separate adds an empty line to the selection when line lineNo does not follow the line
// selected last (*last): the matcher joins no value across it (a string continued on the
// next line), as it joins none across the lines data holds between them.
func (s *selection) separate(lineNo int32, last *int32) {
	if *last > 0 && *last != lineNo-1 {
		s.data = append(s.data, '\n')
		s.lineMap = append(s.lineMap, 0)
		s.hashes = append(s.hashes, 0)
	}
}

// learn records which selected lines matched: a line that matched nothing is left out the
// next time it comes.
func (c *lineCache) learn(sel *selection, matches []rules.Match) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hashes := sel.hashes
	hit := map[int]bool{}
	for _, m := range matches {
		hit[m.Line] = true
	}
	// A block on which nothing matched is left out when it comes again, whole and alike.
next:
	for _, b := range sel.sent {
		for _, m := range matches {
			if m.Line > b.from && m.Line <= b.to {
				continue next
			}
		}
		c.blocks[(b.hash>>1)&(blockSlots-1)] = b.hash | 1
	}
	for i, h := range hashes {
		switch {
		case h == 0:
			// a line of a block that is not a keyword line, or the empty line between lines
			// that are not consecutive: nothing to learn
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
	c, _ := s.blobChunkFrom(cache, oid, data, release, nil, nil)
	return c
}

// blobChunkFrom is blobChunk for a blob built from base (nil: none). It also returns the
// blob's line records, appended to recs, for the blobs built on it: nil when none were kept
// (no line cache, a binary blob, one that goes whole).
func (s *Source) blobChunkFrom(cache *lineCache, oid string, data []byte, release func(), base *baseLines, recs []lineRec) (scanner.Chunk, []lineRec) {
	loc := scanner.Location{Blob: oid}
	if files.IsBinary(data) {
		release()
		return scanner.Chunk{Location: loc, Quiet: true, Skipped: "binary blob"}, nil
	}
	matched := func(ms []rules.Match) { s.matched(oid, ms) }
	if cache == nil {
		return scanner.Chunk{Data: data, Kind: scanner.KindBlob, Location: loc, Done: release, Scanned: matched}, nil
	}
	sel := selPool.Get().(*selection)
	if recs != nil {
		recs = cache.selFrom(data, base, sel, recs)
	} else {
		cache.sel(data, sel)
	}
	if sel.whole {
		selPool.Put(sel)
		return scanner.Chunk{Data: data, Kind: scanner.KindBlob, Location: loc, Done: release, Scanned: matched}, recs
	}
	size := int64(len(data))
	release()
	return scanner.Chunk{
		Data: sel.data, LineMap: sel.lineMap, Size: size, Kind: scanner.KindBlob, Location: loc,
		Scanned: func(ms []rules.Match) { cache.learn(sel, ms); matched(ms) },
		Done:    func() { selPool.Put(sel) },
	}, recs
}
