package rules

import (
	"bytes"
	"encoding/base64"
	"sort"
	"unicode/utf8"
)

// The decoding stage of the matcher. Secrets are committed encoded (base64 in Kubernetes
// Secret manifests, .dockerconfigjson and Authorization: Basic headers; percent-encoding in
// query strings and logs; JSON and JavaScript escapes such as \u002f and \/) and split (see
// join.go). After the keyword pass over the data, one cheap scan finds the parts that could
// be such text; each is decoded (or joined), and every line holding one is written again
// with the part replaced: a derived text, which gets its own keyword pass and is matched by
// every rule. A match in a derived text counts only where it touches a replaced part (the
// rest was matched already), and is placed back on the encoded text of the original. The
// derived text is derived again, to a small depth, for what was encoded twice (a base64
// .dockerconfigjson holding a base64 "auth").
//
// Work is bounded per chunk: runs that cannot be text are turned down after their first
// few bytes (a base64 image, a lockfile's integrity hash), and a budget caps how many runs
// are tried and how many bytes are decoded.

// Encodings a location can name (Match.Encoding joins them with "+", outermost first).
const (
	EncodingBase64  = "base64" // standard or URL-safe base64
	EncodingURL     = "url"    // percent-encoding (%2F)
	EncodingEscape  = "escape" // JSON and JavaScript string escapes (\u002f, \x2f, \/)
	EncodingJoined  = "concat" // string literals joined by concatenation ("a" + "b")
	EncodingShell   = "shell"  // shell variables assembled from others (B="${A}b")
	encodingJoinSep = "+"
)

const (
	// maxDepth is how many times a text is derived: enough for base64 inside base64 inside
	// an escaped string.
	maxDepth = 3
	// minBase64 is the shortest base64 run tried (without padding): 12 bytes decoded, as
	// short as a password in a Kubernetes Secret gets.
	minBase64 = 16
	// maxRun is the longest run tried; a longer one is an image or an archive.
	maxRun = 64 << 10
	// maxDerivedBytes bounds the bytes decoded or joined per chunk, maxRuns the runs tried.
	maxDerivedBytes = 1 << 20
	maxRuns         = 8192
	// deriveContext is how much of a line, either side of a replaced part, the derived text
	// keeps: the name before a value ("password: …"), a companion beside a key.
	deriveContext = 1024
	// probeBytes is how much of a base64 run is decoded first: random bytes are not text,
	// and that shows within a few bytes.
	probeBytes = 48
)

// piece is a part of a derived text: a copy of its parent text (enc empty) or a decoded or
// joined part that stands for parent[o0:o1).
type piece struct {
	d0, d1 int // where it is in the derived text
	o0, o1 int // what it stands for in the parent
	enc    string
	b64    bool    // base64: derived byte k comes from parent byte o0 + 4k/3
	offs   []int32 // otherwise, for a transformed piece: the parent offset of each byte
}

// derivation is one level of derived text.
type derivation struct {
	text   []byte
	pieces []piece // in order, covering text
	parent *derivation
}

// budget bounds the work of deriving one chunk.
type budget struct {
	runs, bytes int
}

func (b *budget) spend(n int) bool {
	if b.runs >= maxRuns || b.bytes+n > maxDerivedBytes {
		return false
	}
	b.runs++
	b.bytes += n
	return true
}

// edit replaces text[o0:o1] with out in a derived text.
type edit struct {
	o0, o1 int
	out    []byte
	enc    string
	b64    bool
	offs   []int32 // absolute offsets in the parent, one per byte of out
}

// spanRange is a range of a text that the next derivation looks at.
type spanRange struct{ lo, hi int }

// derive returns the next level of text, or nil when nothing in text decodes or joins.
// within limits candidates to the given ranges (the parts the level before transformed);
// nil means the whole text.
func derive(text []byte, within []spanRange, b *budget) *derivation {
	if within == nil {
		within = []spanRange{{0, len(text)}}
	}
	var edits []edit
	for _, r := range within {
		edits = findJoins(text, r.lo, r.hi, b, edits)
		edits = findEncoded(text, r.lo, r.hi, b, edits)
	}
	if len(edits) == 0 {
		return nil
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].o0 < edits[j].o0 })
	// Joins come first at each place; a run inside a joined expression is left to the
	// next level, which sees it joined.
	kept := edits[:0]
	for _, e := range edits {
		if n := len(kept); n > 0 && e.o0 < kept[n-1].o1 {
			continue
		}
		kept = append(kept, e)
	}
	return render(text, kept)
}

// render writes the lines around edits with each edit applied.
func render(text []byte, edits []edit) *derivation {
	dv := &derivation{}
	var out []byte
	copyPart := func(lo, hi int) {
		if hi <= lo {
			return
		}
		dv.pieces = append(dv.pieces, piece{d0: len(out), d1: len(out) + hi - lo, o0: lo, o1: hi})
		out = append(out, text[lo:hi]...)
	}
	for i := 0; i < len(edits); {
		e := edits[i]
		lo := contextStart(text, e.o0)
		// The edits whose context windows touch go on one derived line.
		j := i
		hi := contextEnd(text, edits[j].o1)
		for j+1 < len(edits) && edits[j+1].o0 <= hi {
			j++
			hi = contextEnd(text, edits[j].o1)
		}
		at := lo
		for k := i; k <= j; k++ {
			ek := edits[k]
			copyPart(at, ek.o0)
			dv.pieces = append(dv.pieces, piece{d0: len(out), d1: len(out) + len(ek.out), o0: ek.o0, o1: ek.o1, enc: ek.enc, b64: ek.b64, offs: ek.offs})
			out = append(out, ek.out...)
			at = ek.o1
		}
		copyPart(at, hi)
		// A line end between derived lines, standing for the end of the context.
		dv.pieces = append(dv.pieces, piece{d0: len(out), d1: len(out) + 1, o0: hi, o1: hi})
		out = append(out, '\n')
		i = j + 1
	}
	dv.text = out
	return dv
}

// contextStart and contextEnd bound the part of the line around an edit that a derived
// line keeps: up to deriveContext bytes, moved out to the end of a token they would cut.
func contextStart(text []byte, at int) int {
	lo := at
	limit := max(at-deriveContext, 0)
	for lo > limit && text[lo-1] != '\n' {
		lo--
	}
	for stop := max(lo-maxExtend, 0); lo > stop && text[lo-1] != '\n' && tokenByte[text[lo-1]]; lo-- {
	}
	return lo
}

func contextEnd(text []byte, at int) int {
	hi := at
	limit := min(at+deriveContext, len(text))
	for hi < limit && text[hi] != '\n' {
		hi++
	}
	for stop := min(hi+maxExtend, len(text)); hi < stop && text[hi] != '\n' && tokenByte[text[hi]]; hi++ {
	}
	return hi
}

// transformed lists the ranges of the derived text that an edit made, for the next level.
func (dv *derivation) transformed() []spanRange {
	var rs []spanRange
	for _, p := range dv.pieces {
		if p.enc != "" && p.d1 > p.d0 {
			rs = append(rs, spanRange{p.d0, p.d1})
		}
	}
	return rs
}

// pieceAt returns the index of the piece holding derived offset d (the last piece for the
// end of the text).
func (dv *derivation) pieceAt(d int) int {
	i := sort.Search(len(dv.pieces), func(i int) bool { return dv.pieces[i].d1 > d })
	if i == len(dv.pieces) {
		i--
	}
	return i
}

// toParent maps a derived offset to its parent text: where the byte at d comes from, or for
// end, where the bytes before d end.
func (dv *derivation) toParent(d int, end bool) int {
	if end && d > 0 {
		p := dv.pieces[dv.pieceAt(d-1)]
		k := d - p.d0
		switch {
		case p.enc == "":
			return p.o0 + k
		case p.b64:
			return min(p.o0+(4*k+2)/3, p.o1)
		case k < len(p.offs):
			return max(int(p.offs[k]), int(p.offs[k-1])+1)
		}
		return p.o1
	}
	p := dv.pieces[dv.pieceAt(d)]
	k := d - p.d0
	switch {
	case p.enc == "":
		return min(p.o0+k, p.o1)
	case p.b64:
		return min(p.o0+4*k/3, p.o1)
	case k < len(p.offs):
		return int(p.offs[k])
	}
	return p.o1
}

// toRoot maps a derived offset through every level to the scanned data.
func (dv *derivation) toRoot(d int, end bool) int {
	for l := dv; l != nil; l = l.parent {
		d = l.toParent(d, end)
	}
	return d
}

// encodingAt names the encodings of the derived range [a,b): those of the first
// transformed piece it touches and of the parts that piece lies in, outermost first. It
// is empty when the range touches no transformed piece.
func (dv *derivation) encodingAt(a, b int) string {
	for i := dv.pieceAt(a); i < len(dv.pieces) && dv.pieces[i].d0 < max(b, a+1); i++ {
		p := dv.pieces[i]
		if p.enc == "" {
			continue
		}
		enc := p.enc
		if dv.parent != nil {
			if outer := dv.parent.encodingAt(p.o0, p.o1); outer != "" {
				enc = outer + encodingJoinSep + enc
			}
		}
		return enc
	}
	return ""
}

// findEncoded appends an edit for each part of text[lo:hi] that decodes to text: a word
// (a run of bytes that are not blanks, quotes or angle brackets) with percent-escapes or
// backslash escapes, or a base64 run.
//
// Most text holds neither, and the scan finds the words that may without looking at every
// byte: a base64 run long enough to be tried (minBase64) is found by probing one byte in
// 16, most probes settled by a test of the eight bytes on each side at once (nextLongRun);
// the % and \ that may start an escape are found by bytes.IndexByte. Each word found so is
// then read whole (encodedWord).
func findEncoded(text []byte, lo, hi int, b *budget, edits []edit) []edit {
	pct, bs := nextByte(text, lo, hi, '%'), nextByte(text, lo, hi, '\\')
	done := lo // words before done were read
	from := lo // base64 runs holding a word that starts before from were looked for
	for {
		// The next place that may be in a word worth reading: a run of minBase64 or more,
		// or an escape, whichever comes first.
		limit := hi
		if pct >= 0 {
			limit = min(limit, pct)
		}
		if bs >= 0 {
			limit = min(limit, bs)
		}
		at := -1
		if rl, rh := nextLongRun(text, max(from, done), limit, done, hi); rl >= 0 {
			at, from = rl, rh
		} else {
			from = max(from, limit)
			switch {
			case pct >= 0 && (bs < 0 || pct < bs):
				at, pct = pct, nextByte(text, pct+1, hi, '%')
			case bs >= 0:
				at, bs = bs, nextByte(text, bs+1, hi, '\\')
			default:
				return edits
			}
			if at < done || !escapeAt(text, at, hi) {
				continue
			}
		}
		ws := at
		for ws > done && scanClass[text[ws-1]]&sDelim == 0 {
			ws--
		}
		edits, done = encodedWord(text, ws, hi, b, edits)
		if pct >= 0 && pct < done {
			pct = nextByte(text, done, hi, '%')
		}
		if bs >= 0 && bs < done {
			bs = nextByte(text, done, hi, '\\')
		}
	}
}

// b64RunAround returns the run of base64 bytes in text[lo:hi] around text[p], which is one.
func b64RunAround(text []byte, p, lo, hi int) (int, int) {
	rl, rh := p, p+1
	for rl > lo && scanClass[text[rl-1]]&sB64 != 0 {
		rl--
	}
	for rh < hi && scanClass[text[rh]]&sB64 != 0 {
		rh++
	}
	return rl, rh
}

// nextByte returns the offset of the first c in text[i:hi], or -1.
func nextByte(text []byte, i, hi int, c byte) int {
	if i >= hi {
		return -1
	}
	if k := bytes.IndexByte(text[i:hi], c); k >= 0 {
		return i + k
	}
	return -1
}

// encodedWord appends the edits of the word that starts at text[start] (see findEncoded)
// and returns where the word ends.
func encodedWord(text []byte, start, hi int, b *budget, edits []edit) ([]edit, int) {
	var runsBuf [16]b64Run
	i := start
	// A data: URL's payload is an image, a font, or a script or source map that the
	// sources that read pages expand themselves, with the origin of each: the word counts
	// up to it (end).
	escapes, end := false, -1
	runs := runsBuf[:0]
	run, kinds := -1, uint8(0)
	for ; i < hi; i++ {
		c := scanClass[text[i]]
		if c&sB64 != 0 {
			if run < 0 {
				run, kinds = i, 0
			}
			kinds |= c
			continue
		}
		if run >= 0 {
			runEnd := i
			if c&sColon != 0 && i-run >= 4 && foldsData(text[i-4:i]) {
				runEnd, end = i-4, i-4
				kinds = b64Kinds(text[run:runEnd])
			}
			if runEnd-run >= minBase64 {
				runs = append(runs, b64Run{lo: run, hi: runEnd, kinds: kinds})
			}
			run = -1
			if end >= 0 {
				break
			}
		}
		if c&sDelim != 0 {
			break
		}
		if c&sSpecial != 0 && !escapes {
			escapes = escapeAt(text, i, hi)
		}
	}
	if run >= 0 && i-run >= minBase64 {
		runs = append(runs, b64Run{lo: run, hi: i, kinds: kinds})
	}
	if end < 0 {
		end = i
	} else {
		for i < hi && scanClass[text[i]]&sDelim == 0 {
			i++ // the rest of the word, from data: on
		}
		escapes = escapes && hasEscape(text, start, end)
	}
	switch {
	case escapes && end-start <= maxRun:
		if e, ok := decodeEscapes(text, start, end, b); ok {
			edits = append(edits, e)
		}
	case end-start >= minBase64:
		edits = decodeRuns(text, runs, end, b, edits)
	}
	return edits, i
}

// b64Run is a run of base64 bytes in a word, with the kinds of byte it holds (scanClass).
type b64Run struct {
	lo, hi int
	kinds  uint8
}

// decodeRuns appends an edit for each run of a word ending at end that decodes to text. A
// run is followed by up to two = of padding, unless a base64 byte comes after them
// ("name=value": the = was an assignment).
func decodeRuns(text []byte, runs []b64Run, end int, b *budget, edits []edit) []edit {
	for _, r := range runs {
		if r.hi-r.lo > maxRun || !maybeBase64Text(r.kinds) {
			continue
		}
		pad := 0
		for r.hi+pad < end && text[r.hi+pad] == '=' && pad < 2 {
			pad++
		}
		if r.hi+pad < end && b64Byte[text[r.hi+pad]] {
			pad = 0
		}
		if e, ok := decodeBase64(text, r.lo, r.hi, pad); ok {
			if !b.spend(e.o1 - e.o0) {
				return edits
			}
			edits = append(edits, e)
		}
	}
	return edits
}

// foldsData reports whether the four bytes of b are "data" in any case.
func foldsData(b []byte) bool {
	return lowerByte[b[0]] == 'd' && lowerByte[b[1]] == 'a' && lowerByte[b[2]] == 't' && lowerByte[b[3]] == 'a'
}

// Byte classes of the encoded-text scan (scanClass): what ends a word, what may start an
// escape, the colon of a data: URL, and the kinds of base64 byte.
const (
	sDelim   uint8 = 1 << iota // a blank, a quote or an angle bracket: it ends a word
	sSpecial                   // % or \, which may start an escape
	sColon                     // :, which a data: URL holds
	sB64                       // a byte of either base64 alphabet
	sStd                       // + or /: of the standard alphabet only
	sURL                       // - or _: of the URL-safe alphabet only
	sUpper                     // an upper-case letter
	sLower                     // a lower-case letter
)

var scanClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\r\n\v\f\"'`<>") {
		t[c] = sDelim
	}
	t['%'], t['\\'] = sSpecial, sSpecial
	t[':'] = sColon
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'A' && c <= 'Z':
			t[c] = sB64 | sUpper
		case c >= 'a' && c <= 'z':
			t[c] = sB64 | sLower
		case c >= '0' && c <= '9':
			t[c] = sB64
		case c == '+' || c == '/':
			t[c] = sB64 | sStd
		case c == '-' || c == '_':
			t[c] = sB64 | sURL
		}
	}
	return t
}()

// b64Kinds returns the kinds of base64 byte that run holds (scanClass).
func b64Kinds(run []byte) uint8 {
	k := uint8(0)
	for _, c := range run {
		k |= scanClass[c]
	}
	return k
}

// maybeBase64Text reports whether a run holding kinds of byte can be base64 of text: of one
// alphabet only (not both + or / and - or _), holding letters of both cases (which base64
// of text always does, and hex and words do not).
func maybeBase64Text(kinds uint8) bool {
	return kinds&(sStd|sURL) != sStd|sURL && kinds&(sUpper|sLower) == sUpper|sLower
}

// escapeAt reports whether an escape of a printable ASCII character starts at text[i]:
// %XX, \uXXXX, \xXX or \/. Escapes of other characters are left alone: secrets are
// ASCII, and minified bundles are full of \u00e9.
func escapeAt(text []byte, i, hi int) bool {
	switch text[i] {
	case '%':
		return i+2 < hi && isHexDigit(text[i+1]) && isHexDigit(text[i+2]) && printableHex(text[i+1], text[i+2])
	case '\\':
		if i+1 >= hi {
			return false
		}
		switch text[i+1] {
		case '/':
			return true
		case 'x':
			return i+3 < hi && isHexDigit(text[i+2]) && isHexDigit(text[i+3]) && printableHex(text[i+2], text[i+3])
		case 'u':
			return i+5 < hi && text[i+2] == '0' && text[i+3] == '0' && isHexDigit(text[i+4]) && isHexDigit(text[i+5]) && printableHex(text[i+4], text[i+5])
		}
	}
	return false
}

// printableHex reports whether the hex digits hi and lo write a printable ASCII byte.
func printableHex(hi, lo byte) bool {
	v := hexVal(hi)<<4 | hexVal(lo)
	return v >= 0x20 && v < 0x7f
}

// indexFold returns where the lower-case ASCII word first occurs in b, in any case, or -1.
func indexFold(b []byte, word string) int {
	for i := 0; i+len(word) <= len(b); i++ {
		if lowerByte[b[i]] != word[0] {
			continue
		}
		j := 1
		for j < len(word) && lowerByte[b[i+j]] == word[j] {
			j++
		}
		if j == len(word) {
			return i
		}
	}
	return -1
}

// hasEscape reports whether an escape starts in text[lo:hi].
func hasEscape(text []byte, lo, hi int) bool {
	for i := lo; i < hi; i++ {
		if scanClass[text[i]]&sSpecial != 0 && escapeAt(text, i, hi) {
			return true
		}
	}
	return false
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

// decodeEscapes decodes the percent-escapes or, when the word has any, the backslash
// escapes of text[lo:hi] (the other kind is left to the next level). It keeps \n, \t and
// the like as they are: the rules read them so.
func decodeEscapes(text []byte, lo, hi int, b *budget) (edit, bool) {
	backslash := false
	for i := lo; i < hi; i++ {
		if text[i] == '\\' && escapeAt(text, i, hi) {
			backslash = true
			break
		}
	}
	if !b.spend(hi - lo) {
		return edit{}, false
	}
	out := make([]byte, 0, hi-lo)
	offs := make([]int32, 0, hi-lo)
	emit := func(at int, bs ...byte) {
		for _, c := range bs {
			out = append(out, c)
			offs = append(offs, int32(at))
		}
	}
	for i := lo; i < hi; {
		c := text[i]
		switch {
		case !backslash && c == '%' && escapeAt(text, i, hi):
			emit(i, byte(hexVal(text[i+1])<<4|hexVal(text[i+2])))
			i += 3
		case backslash && c == '\\' && i+1 < hi:
			switch n := text[i+1]; {
			case n == 'u' && escapeAt(text, i, hi):
				emit(i, byte(hexVal(text[i+4])<<4|hexVal(text[i+5])))
				i += 6
			case n == 'x' && escapeAt(text, i, hi):
				emit(i, byte(hexVal(text[i+2])<<4|hexVal(text[i+3])))
				i += 4
			case n == '/' || n == '\\' || n == '"' || n == '\'':
				emit(i, n)
				i += 2
			default:
				emit(i, c, n) // \n, \t, …: as the rules read them
				i += 2
			}
		default:
			emit(i, c)
			i++
		}
	}
	if !isText(out) {
		return edit{}, false
	}
	enc := EncodingURL
	if backslash {
		enc = EncodingEscape
	}
	return edit{o0: lo, o1: hi, out: out, enc: enc, offs: offs}, true
}

// b64Byte marks the bytes of both base64 alphabets.
var b64Byte = func() (t [256]bool) {
	for _, c := range []byte(setAlnum + "+/-_") {
		t[c] = true
	}
	return t
}()

// decodeBase64 decodes the run text[lo:hi] followed by pad = signs, if it is base64 of
// text. A run of one alphabet only (not both + or / and - or _), with the padding its
// length needs, holding letters of both cases (which base64 of text always does, and hex
// and words do not), that is not the first part of a JWT (eyJ… before a dot: the JWT rule
// has it whole).
func decodeBase64(text []byte, lo, hi, pad int) (edit, bool) {
	run := text[lo:hi]
	kinds := b64Kinds(run)
	url := kinds&sURL != 0
	n := len(run)
	switch {
	case !maybeBase64Text(kinds):
		return edit{}, false
	case pad > 0 && (n+pad)%4 != 0, n%4 == 1:
		return edit{}, false
	case hi < len(text) && text[hi] == '.' && len(run) > 3 && string(run[:3]) == "eyJ":
		return edit{}, false
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	// The first few bytes tell random bytes from text, before the whole run is decoded.
	probe := min(n, probeBytes) &^ 3
	head := make([]byte, enc.DecodedLen(probe))
	if _, err := enc.Decode(head, run[:probe]); err != nil || !isText(head) {
		return edit{}, false
	}
	out := make([]byte, enc.DecodedLen(n))
	m, err := enc.Decode(out, run)
	if err != nil {
		return edit{}, false
	}
	out = out[:m]
	if !isText(out) {
		return edit{}, false
	}
	return edit{o0: lo, o1: hi + pad, out: out, enc: EncodingBase64, b64: true}, true
}

// isText reports whether b is UTF-8 text without control characters other than tabs and
// line ends: what a person wrote or a program printed, not random bytes.
func isText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return utf8.Valid(b)
}
