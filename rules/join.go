package rules

import "bytes"

// The joining half of the derivation stage (decode.go has the framework): a value split
// into string literals that the language joins is written again whole, so that rules see
// "sk-proj-" + "…" as one key. It is bounded to what a statement can say plainly:
//
//   - literals joined by +, by PHP's ., or by nothing (Python, C, shell: "a" "b"), on one
//     line or on consecutive lines where a line ends in a literal (and an operator) and the
//     next starts with one (an operator, then a literal);
//   - a list of literals joined at run time: ["a", "b"].join(""), "".join(["a", "b"]),
//     Rust's concat!("a", "b"), on one line;
//   - shell variables assembled from variables set on the same line or on the lines of
//     assignments right before (A="x"; B="${A}y").
//
// A finding in a joined value points at the literal where the secret starts.

const (
	maxJoinPieces = 32
	maxJoinBytes  = 4096
	maxJoinLines  = 16
	// maxShellLines is how many lines of assignments before a line its shell references
	// are looked up in.
	maxShellLines = 8
)

// literal is a string literal: text[open] is its quote, text[close] the closing one.
type literal struct{ open, close int }

// parseLiteral parses the literal whose opening quote is at text[i], on its line; there is
// none when text[i] is no quote (or lies at hi or beyond: a text that ends in ".join(").
func parseLiteral(text []byte, i, hi int) (literal, bool) {
	if i >= hi || !isQuote(text[i]) {
		return literal{}, false
	}
	q := text[i]
	for j := i + 1; j < hi; j++ {
		switch text[j] {
		case '\\':
			j++
		case '\n':
			return literal{}, false
		case q:
			return literal{i, j}, true
		}
	}
	return literal{}, false
}

func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }

func skipSpaces(text []byte, i, hi int) int {
	for i < hi && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return i
}

// nextLiteral looks after the literal that closes at text[end-1] for the next literal of a
// concatenation; it returns where that literal opens and how many line ends lie between.
func nextLiteral(text []byte, end, hi int) (int, int, bool) {
	i := skipSpaces(text, end, hi)
	op := false
	if i < hi && (text[i] == '+' || text[i] == '.') {
		op = true
		i = skipSpaces(text, i+1, hi)
	}
	lines := 0
	if i+1 < hi && text[i] == '\\' && text[i+1] == '\n' {
		i += 2 // a line continuation
		lines++
	} else if i < hi && (text[i] == '\n' || text[i] == '\r' && i+1 < hi && text[i+1] == '\n') {
		if text[i] == '\r' {
			i++
		}
		i++
		lines++
	}
	if lines > 0 {
		i = skipSpaces(text, i, hi)
		if !op && i < hi && (text[i] == '+' || text[i] == '.') {
			i = skipSpaces(text, i+1, hi)
		}
	}
	if i < hi && isQuote(text[i]) {
		return i, lines, true
	}
	return 0, 0, false
}

// findJoins appends an edit for each joined value in text[lo:hi].
func findJoins(text []byte, lo, hi int, b *budget, edits []edit) []edit {
	edits = findListJoins(text, lo, hi, b, edits)
	listed := len(edits)
	var shell shellVars
	// Shell variables join only where a value reads one ($NAME): without a $, the lines
	// need no reading as assignments, and the scan stops at quotes alone.
	shellOn := bytes.IndexByte(text[lo:hi], '$') >= 0
	atLine := func(at int) {
		if shellOn && at < hi {
			if e, ok := shell.line(text, at, hi, b); ok {
				edits = append(edits, e)
			}
		}
	}
	atLine(lo)
	stopAt := []byte("\"'`\n")
	if !shellOn {
		stopAt = stopAt[:3] // quotes alone
	}
	stops := newByteStops(text, hi, stopAt...)
	for i := lo; i < hi; i++ {
		if i = stops.from(i); i >= hi {
			break
		}
		c := text[i]
		if c == '\n' {
			atLine(i + 1)
			continue
		}
		if i+2 < hi && text[i+1] == c && text[i+2] == c {
			i += 2 // a triple quote opens or closes a Python docstring: not a join
			continue
		}
		first, ok := parseLiteral(text, i, hi)
		if !ok {
			continue
		}
		lits := []literal{first}
		size, lines := first.close-first.open-1, 0
		for len(lits) < maxJoinPieces && size <= maxJoinBytes && lines <= maxJoinLines {
			at, n, ok := nextLiteral(text, lits[len(lits)-1].close+1, hi)
			if !ok {
				break
			}
			l, ok := parseLiteral(text, at, hi)
			if !ok {
				break
			}
			lits = append(lits, l)
			size += l.close - l.open - 1
			lines += n
		}
		last := lits[len(lits)-1]
		if len(lits) >= 2 && !insideEdit(edits[:listed], first.open) && b.spend(size) {
			edits = append(edits, joinLiterals(text, lits, first.open, last.close+1))
		}
		i = last.close
	}
	return edits
}

// byteStops finds, from an offset on, the first of a few bytes in a text: each by
// bytes.IndexByte, which reads many bytes an instruction, and each found once, its offset
// kept until the scan passes it. Where the bytes are rare (prose, data) that is a few fast
// scans of the text; where they are common (the quotes of code), a call per byte found.
type byteStops struct {
	text []byte
	hi   int
	c    [4]byte
	next [4]int // the offset of each byte from where it was last looked for, or hi
	n    int
}

func newByteStops(text []byte, hi int, cs ...byte) byteStops {
	s := byteStops{text: text, hi: hi, n: len(cs)}
	for k, c := range cs {
		s.c[k], s.next[k] = c, -1
	}
	return s
}

// from returns the offset of the first of the bytes in text[i:hi], or hi.
func (s *byteStops) from(i int) int {
	first := s.hi
	for k := range s.n {
		if s.next[k] < i {
			if s.next[k] = nextByte(s.text, i, s.hi, s.c[k]); s.next[k] < 0 {
				s.next[k] = s.hi
			}
		}
		first = min(first, s.next[k])
	}
	return first
}

func insideEdit(es []edit, at int) bool {
	for _, e := range es {
		if at >= e.o0 && at < e.o1 {
			return true
		}
	}
	return false
}

// joinLiterals makes the edit that replaces text[o0:o1] with one literal holding the
// contents of lits, quoted as the first one is.
func joinLiterals(text []byte, lits []literal, o0, o1 int) edit {
	n := 2
	for _, l := range lits {
		n += l.close - l.open - 1
	}
	q := text[lits[0].open]
	out := make([]byte, 0, n)
	offs := make([]int32, 0, n)
	out = append(out, q)
	offs = append(offs, int32(lits[0].open))
	for _, l := range lits {
		out = append(out, text[l.open+1:l.close]...)
		for j := l.open + 1; j < l.close; j++ {
			offs = append(offs, int32(j))
		}
	}
	out = append(out, q)
	offs = append(offs, int32(lits[len(lits)-1].close))
	return edit{o0: o0, o1: o1, out: out, enc: EncodingJoined, offs: offs}
}

// findListJoins appends an edit for each list of literals joined at run time on one line:
// [..].join(sep), sep.join([..]) and concat!(..).
func findListJoins(text []byte, lo, hi int, b *budget, edits []edit) []edit {
	// Each is looked for by its rarest byte ('!', 'j'), which bytes.IndexByte finds fast:
	// a '.' or a 'c' starts a false lead every few bytes of code.
	for at := lo; ; {
		k := nextByte(text, at, hi, '!')
		if k < 0 {
			break
		}
		at = k + 1
		start := k - len("concat")
		if start < lo || k+1 >= hi || text[k+1] != '(' || string(text[start:k]) != "concat" {
			continue
		}
		if lits, end, ok := literalList(text, k+2, hi, ')'); ok && b.spend(end-start) {
			edits = append(edits, joinLiterals(text, lits, start, end))
		}
	}
	for at := lo; ; {
		k := nextByte(text, at, hi, 'j')
		if k < 0 {
			break
		}
		at = k + 1
		dot := k - 1
		if dot < lo || k+len("join(") > hi || text[dot] != '.' || string(text[k:k+len("join(")]) != "join(" {
			continue
		}
		if e, ok := joinCall(text, lo, hi, dot); ok && b.spend(e.o1-e.o0) {
			edits = append(edits, e)
		}
	}
	return edits
}

// joinCall reads the join around ".join(" at text[dot]: a list of literals before it
// (JavaScript) or after it (Python), joined by a literal separator.
func joinCall(text []byte, lo, hi, dot int) (edit, bool) {
	args := dot + len(".join(")
	// JavaScript: ["a", "b"].join("") — the list ends just before the dot.
	if dot > lo && text[dot-1] == ']' {
		open := bytes.LastIndexByte(text[lo:dot-1], '[')
		if open < 0 || bytes.IndexByte(text[lo+open:dot], '\n') >= 0 {
			return edit{}, false
		}
		open += lo
		lits, end, ok := literalList(text, open+1, dot, ']')
		if !ok || end != dot {
			return edit{}, false
		}
		sep, ok := parseLiteral(text, skipSpaces(text, args, hi), hi)
		if !ok {
			return edit{}, false
		}
		close := skipSpaces(text, sep.close+1, hi)
		if close >= hi || text[close] != ')' {
			return edit{}, false
		}
		return joinWithSeparator(text, lits, sep, open, close+1), true
	}
	// Python: "".join(["a", "b"]) — the separator is the literal before the dot.
	if dot > lo && isQuote(text[dot-1]) {
		q := text[dot-1]
		open := bytes.LastIndexByte(text[lo:dot-1], q)
		if open < 0 {
			return edit{}, false
		}
		sep, ok := parseLiteral(text, lo+open, hi)
		if !ok || sep.close != dot-1 {
			return edit{}, false
		}
		i := skipSpaces(text, args, hi)
		if i >= hi || text[i] != '[' && text[i] != '(' {
			return edit{}, false
		}
		closer := byte(']')
		if text[i] == '(' {
			closer = ')'
		}
		lits, end, ok := literalList(text, i+1, hi, closer)
		if !ok {
			return edit{}, false
		}
		end = skipSpaces(text, end, hi)
		if end >= hi || text[end] != ')' {
			return edit{}, false
		}
		return joinWithSeparator(text, lits, sep, sep.open, end+1), true
	}
	return edit{}, false
}

// joinWithSeparator is joinLiterals with sep's contents between the pieces.
func joinWithSeparator(text []byte, lits []literal, sep literal, o0, o1 int) edit {
	if sep.close == sep.open+1 {
		return joinLiterals(text, lits, o0, o1)
	}
	var with []literal
	for i, l := range lits {
		if i > 0 {
			with = append(with, sep)
		}
		with = append(with, l)
	}
	e := joinLiterals(text, with, o0, o1)
	e.offs[0] = int32(lits[0].open)
	return e
}

// literalList parses literals separated by commas from text[i] to the closer, on one line;
// it returns them and the offset after the closer.
func literalList(text []byte, i, hi int, closer byte) ([]literal, int, bool) {
	var lits []literal
	for len(lits) <= maxJoinPieces {
		i = skipSpaces(text, i, hi)
		if i >= hi {
			return nil, 0, false
		}
		if text[i] == closer && len(lits) >= 2 {
			return lits, i + 1, true
		}
		if !isQuote(text[i]) {
			return nil, 0, false
		}
		l, ok := parseLiteral(text, i, hi)
		if !ok {
			return nil, 0, false
		}
		lits = append(lits, l)
		i = skipSpaces(text, l.close+1, hi)
		if i < hi && text[i] == ',' {
			i++
		} else if i >= hi || text[i] != closer {
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// shellVars remembers the shell variables set on the lines of assignments before the
// current line.
type shellVars struct {
	names, values [][]byte
	offs          [][]int32 // where each byte of each value comes from
	lines         []int     // the line (count) each was set on
	count         int       // lines of assignments read
	lastEnd       int       // where the last line of assignments ended, to tell runs of them
}

// line reads the assignments of the line at text[at] (NAME=value, export NAME=value,
// several joined by ; or &&) and returns an edit for the first value that uses variables
// set before it.
func (s *shellVars) line(text []byte, at, hi int, b *budget) (edit, bool) {
	if !shellAssignmentAt(text, at, hi) {
		s.reset()
		return edit{}, false
	}
	end := at + bytes.IndexByte(text[at:hi], '\n')
	if end < at {
		end = hi
	}
	if at != s.lastEnd+1 {
		s.reset()
	}
	s.lastEnd = end
	s.count++
	// Forget what was set too long ago.
	for len(s.lines) > 0 && s.lines[0] <= s.count-maxShellLines-1 {
		s.names, s.values, s.offs, s.lines = s.names[1:], s.values[1:], s.offs[1:], s.lines[1:]
	}
	var found edit
	ok := false
	for i := skipSpaces(text, at, end); i < end; {
		if bytes.HasPrefix(text[i:end], []byte("export ")) {
			i = skipSpaces(text, i+len("export "), end)
		}
		n := i
		for n < end && shellName(text[n], n == i) {
			n++
		}
		if n == i || n >= end || text[n] != '=' {
			return found, ok
		}
		name := text[i:n]
		vlo, vhi, next := shellValue(text, n+1, end)
		value, offs, used := s.expand(text, vlo, vhi)
		if used && !ok && b.spend(len(value)) {
			q := byte('"')
			out := append([]byte{q}, value...)
			out = append(out, q)
			o := append([]int32{int32(n + 1)}, offs...)
			o = append(o, int32(max(vhi-1, n+1)))
			found, ok = edit{o0: n + 1, o1: next, out: out, enc: EncodingShell, offs: o}, true
		}
		s.names = append(s.names, name)
		s.values = append(s.values, value)
		s.offs = append(s.offs, offs)
		s.lines = append(s.lines, s.count)
		i = skipSpaces(text, next, end)
		for i < end && (text[i] == ';' || text[i] == '&') {
			i++
		}
		i = skipSpaces(text, i, end)
	}
	return found, ok
}

func (s *shellVars) reset() {
	s.names, s.values, s.offs, s.lines = s.names[:0], s.values[:0], s.offs[:0], s.lines[:0]
}

// shellAssignment reports whether line starts with NAME= (after blanks and export).
func shellAssignment(line []byte) bool { return shellAssignmentAt(line, 0, len(line)) }

// shellAssignmentAt reports whether the line at text[at] starts with NAME= (after blanks
// and export), looking no further than that.
func shellAssignmentAt(text []byte, at, hi int) bool {
	i := skipSpaces(text, at, hi)
	if bytes.HasPrefix(text[i:hi], []byte("export ")) {
		i = skipSpaces(text, i+len("export "), hi)
	}
	n := i
	for n < hi && shellName(text[n], n == i) {
		n++
	}
	return n > i && n < hi && text[n] == '='
}

func shellName(c byte, first bool) bool {
	return c == '_' || isLetter(c) || !first && c >= '0' && c <= '9'
}

// shellValue returns the contents of the value at text[i] (quoted or bare) and where the
// value ends.
func shellValue(text []byte, i, end int) (lo, hi, next int) {
	if i < end && (text[i] == '"' || text[i] == '\'') {
		if l, ok := parseLiteral(text, i, end); ok {
			return i + 1, l.close, l.close + 1
		}
	}
	j := i
	for j < end && text[j] != ' ' && text[j] != '\t' && text[j] != ';' && text[j] != '&' {
		j++
	}
	return i, j, j
}

// expand replaces $NAME and ${NAME} in text[lo:hi] with the values set before, and tells
// whether it replaced any. offs gives where each byte of the result comes from: a
// variable's value points at the assignment that set it.
func (s *shellVars) expand(text []byte, lo, hi int) ([]byte, []int32, bool) {
	var out []byte
	var offs []int32
	used := false
	for i := lo; i < hi; {
		if text[i] == '$' && i+1 < hi {
			j, name := i+1, []byte(nil)
			if text[j] == '{' {
				k := bytes.IndexByte(text[j:hi], '}')
				if k > 0 {
					name, j = text[j+1:j+k], j+k+1
				}
			} else {
				for j < hi && shellName(text[j], j == i+1) {
					j++
				}
				name = text[i+1 : j]
			}
			if v := s.lookup(name); v >= 0 {
				out = append(out, s.values[v]...)
				offs = append(offs, s.offs[v]...)
				used = true
				i = j
				continue
			}
		}
		out = append(out, text[i])
		offs = append(offs, int32(i))
		i++
	}
	return out, offs, used
}

func (s *shellVars) lookup(name []byte) int {
	if len(name) == 0 {
		return -1
	}
	for i := len(s.names) - 1; i >= 0; i-- {
		if bytes.Equal(s.names[i], name) {
			return i
		}
	}
	return -1
}
