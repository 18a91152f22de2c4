package rules

import "strings"

// LineFilter tells which lines of a text can hold a secret of a rule set: a rule that does
// not span lines can match only on a line that holds one of its keywords, and a rule that
// needs more than one line (a private key, a key beside its id) needs the whole text once
// its keyword is there. A source that meets the same lines again and again (a history,
// where most lines of a blob were in the blob before it) hands the matcher only the lines
// that can match, and the findings are the same as those of matching the whole text.
type LineFilter struct {
	// The keywords' automaton (dense.go): byte b leads from the state whose row starts at s
	// to next[s+class[b]] (premultiplied rows made Classify 1.4x faster on a history's
	// lines). out[s] tells which kinds of keyword end at the state whose row starts at s.
	class   [256]uint8
	classes int
	next    []uint32
	// Keywords end only at the states whose rows start at firstFinal or after (dense).
	firstFinal uint32
	out        []uint8
	// reach[s] is the largest Reach of the keywords that end at the state whose row
	// starts at s.
	reach []uint32
}

// Bits of LineFilter.out.
const (
	outKeyword uint8 = 1 << iota // a keyword ends here
	outContext                   // a keyword of a rule that needs the whole blob ends here
)

// newLineFilter returns the line filter of a rule set, or nil when line selection cannot be
// exact for it (a rule without keywords runs on every line, so every text goes whole).
func newLineFilter(set *Set) *LineFilter {
	index := map[string]int{}
	var words []string
	var reach []int
	for _, r := range set.Rules {
		if len(r.Keywords) == 0 {
			return nil
		}
		// How far a rule that needs more than its line reads from a keyword hit: its
		// region reaches the window and the end of a token the window's edge cuts
		// (maxExtend) on each side, the secret lies in it, and a companion is looked for
		// CompanionWindow bytes around the secret; the edges' checks read a byte beyond.
		ruleReach := 0
		if r.Multiline || r.Companion != nil {
			ruleReach = r.window() + maxExtend + r.CompanionWindow + 2
		}
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
				reach = append(reach, 0)
			}
			reach[i] = max(reach[i], ruleReach)
		}
	}
	return buildLineFilter(words, reach)
}

// Reach is how far, in bytes before the start and after the end of line, the rules that
// need more than their line (LineWhole) and whose keywords line holds can read: their
// findings on a text are the same when line is matched with every line that lies within
// Reach of it, whole, and without the rest of the text. It is 0 for a line without such a
// keyword.
//
// A line that Classify calls LineWhole for what it says decoded or joined reaches the whole
// text: the reach of a rule in decoded bytes says nothing of the text's bytes. (A table
// whose header names secrets needs the whole text too: see TableHeader.)
func (a *LineFilter) Reach(line []byte) int {
	r := a.PlainReach(line)
	if r == 0 && a.Classify(line) == LineWhole {
		return WholeReach
	}
	return r
}

// PlainReach is Reach for the keywords line holds as written, leaving out what it says
// decoded or joined: the same as Reach unless it is 0 and Classify says LineWhole, which
// a caller that knows the line's kind already need not ask again.
func (a *LineFilter) PlainReach(line []byte) int {
	r := uint32(0)
	s := uint32(0)
	for _, b := range line {
		s = a.next[s+uint32(a.class[b])]
		if s >= a.firstFinal {
			r = max(r, a.reach[s])
		}
	}
	return int(r)
}

// WholeReach is the Reach of a line that needs the whole text.
const WholeReach = 1 << 40

// buildLineFilter builds the automaton of words (lower case); reach[i] > 0 tells that word i
// belongs to a rule that needs the whole text. It returns nil if the automaton would be too
// large for its table.
func buildLineFilter(words []string, reach []int) *LineFilter {
	d := newDense(words)
	if d == nil {
		return nil
	}
	a := &LineFilter{class: d.class, classes: d.classes, next: d.next, firstFinal: d.firstFinal}
	a.out = make([]uint8, len(d.next))
	a.reach = make([]uint32, len(d.next))
	for s, ends := range d.ends {
		row := s * d.classes
		for _, w := range ends {
			a.out[row] |= outKeyword
			if reach[w] > 0 {
				a.out[row] |= outContext
				a.reach[row] = max(a.reach[row], uint32(reach[w]))
			}
		}
	}
	return a
}

// LineKind is what a line can hold, as a LineFilter tells it.
type LineKind uint8

// Line kinds. They start at 1, so that a zero can mean "not known yet" to a caller's table.
const (
	// LinePlain holds no keyword: no rule can match on it.
	LinePlain LineKind = iota + 1
	// LineWhole holds a keyword of a rule that needs the whole text.
	LineWhole
	// LineKeyword holds a keyword: a rule may match on it alone.
	LineKeyword
)

// Classify tells what line can hold: its keywords, and those of what it says decoded or
// joined (decode.go), which the matcher matches too. A line without a candidate for
// decoding or joining costs one table lookup a byte, and no copy. The text may be several
// lines (the lines of one value split over them, see Joined); then it is classified as one.
func (a *LineFilter) Classify(line []byte) LineKind {
	kind := a.classifyPlain(line)
	if kind == LineWhole || !mayDerive(line) {
		return kind
	}
	var b budget
	text, within := line, []spanRange(nil)
	for depth := 1; depth <= maxDepth; depth++ {
		dv := derive(text, within, &b)
		if dv == nil {
			break
		}
		switch a.classifyPlain(dv.text) {
		case LineWhole:
			return LineWhole
		case LineKeyword:
			kind = LineKeyword
		}
		text, within = dv.text, dv.transformed()
	}
	return kind
}

// mayDerive reports, in one pass, whether text holds what the decoding stage can decode or
// join (decode.go, join.go): an escape of a printable character, a base64 run long enough to
// be tried that can be base64 of text, four quotes (two literals, which a join needs), or a
// $ with an = (a shell assignment that reads a variable). A line without any needs no
// derivation, and most lines of code have none: a string or two, a \n, a %s.
func mayDerive(text []byte) bool {
	quotes := 0
	dollar, assign := false, false
	for i, c := range text {
		switch deriveClass[c] {
		case 0:
			continue
		case dQuote:
			if quotes++; quotes >= 4 {
				return true
			}
		case dEscape:
			if escapeAt(text, i, len(text)) {
				return true
			}
		case dDollar:
			dollar = true
		case dAssign:
			assign = true
		}
	}
	if dollar && assign {
		return true
	}
	for from := 0; ; {
		lo, hi := nextLongRun(text, from, len(text), 0, len(text))
		if lo < 0 {
			return false
		}
		if maybeBase64Text(b64Kinds(text[lo:hi])) {
			return true
		}
		from = hi
	}
}

// Classes of deriveClass, the bytes mayDerive looks at.
const (
	dQuote = iota + 1
	dEscape
	dDollar
	dAssign
)

var deriveClass = func() (t [256]uint8) {
	t['"'], t['\''], t['`'] = dQuote, dQuote, dQuote
	t['%'], t['\\'] = dEscape, dEscape
	t['$'], t['='] = dDollar, dAssign
	return t
}()

// Continues reports whether a string literal at the start of the next line may be joined
// to line: it ends with a literal, then maybe an operator (+, .) or a line continuation.
// Continued reports whether line may continue such a line: it starts with a literal, maybe
// after an operator. A history scan that matches selected lines gives the lines of such a
// value to the matcher together (or the whole text): the matcher joins them.
func Continues(line []byte) bool {
	i := len(line)
	for i > 0 && (line[i-1] == ' ' || line[i-1] == '\t' || line[i-1] == '\r') {
		i--
	}
	if i > 0 && line[i-1] == '\\' {
		i--
	}
	for i > 0 && (line[i-1] == ' ' || line[i-1] == '\t') {
		i--
	}
	if i > 0 && (line[i-1] == '+' || line[i-1] == '.') {
		i--
		for i > 0 && (line[i-1] == ' ' || line[i-1] == '\t') {
			i--
		}
	}
	return i > 0 && isQuote(line[i-1])
}

// Continued: see Continues.
func Continued(line []byte) bool {
	i := skipSpaces(line, 0, len(line))
	if i < len(line) && (line[i] == '+' || line[i] == '.') {
		i = skipSpaces(line, i+1, len(line))
	}
	return i < len(line) && isQuote(line[i])
}

// ShellAssignment reports whether line sets a shell variable (NAME=…, export NAME=…): the
// matcher looks up the variables a line reads among those set on the lines of assignments
// right before it, up to ShellLines of them.
func ShellAssignment(line []byte) bool { return shellAssignment(line) }

// ShellLines is how many lines of assignments before a line the matcher looks its shell
// variables up in.
const ShellLines = maxShellLines

// classifyPlain tells what line can hold as written. It costs one table lookup a byte.
func (a *LineFilter) classifyPlain(line []byte) LineKind {
	state := LinePlain
	s := uint32(0)
	next, out, class, firstFinal := a.next, a.out, &a.class, a.firstFinal
	for _, b := range line {
		s = next[s+uint32(class[b])]
		if s >= firstFinal {
			if out[s]&outContext != 0 {
				return LineWhole
			}
			state = LineKeyword
		}
	}
	return state
}
