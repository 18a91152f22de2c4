package rules

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
)

// Set is a compiled group of rules with the global allowlists: the matcher. It is safe for
// concurrent use.
type Set struct {
	Rules []*Rule
	// Allowlists silence candidates of every rule; any one of them is enough.
	Allowlists []Allowlist
	// Ignore lists findings to drop by their place (a .gitleaksignore); it may be nil.
	Ignore *Ignore

	byID map[string]*Rule
	// kw is the keyword automaton; trie takes its place for a set whose table would be too
	// large (newDense).
	kw       *dense
	trie     *ahocorasick.Trie
	keywords []string
	kwRules  [][]int // keyword index → indexes into Rules
	always   []int   // rules without keywords: they run on every chunk
	maxKw    int
	lowers   sync.Pool
	// owned are the literal prefixes of specific rules ("ghp_", "sk-proj-"): a value that
	// starts with one belongs to that rule, so generic rules leave it alone even when the
	// specific rule's checks turned it down (a token with a wrong checksum).
	// They are kept by their first three bytes, since a generic candidate asks for them.
	owned map[string][]string

	lineFilter     *LineFilter
	lineFilterOnce sync.Once
}

// LineFilter returns the set's line filter, built once: which lines of a text can hold a
// secret of these rules. It is nil when line selection cannot be exact for the set (a rule
// without keywords), and a caller then matches whole texts.
func (s *Set) LineFilter() *LineFilter {
	s.lineFilterOnce.Do(func() { s.lineFilter = newLineFilter(s) })
	return s.lineFilter
}

// Match is one candidate secret that passed every check and allowlist.
type Match struct {
	Rule *Rule
	// Secret is the raw secret; Companion a second value found near it (an AWS secret key).
	Secret    string
	Companion string
	// Redacted is the secret as output shows it when it may not be shown in full
	// (Rule.Redact, or the URL around a password with the password left out).
	Redacted string
	// Start and End are byte offsets of the secret in the scanned data.
	Start, End int
	// Line and Column (1-based; the column counts characters) locate Start.
	Line, Column int
	// Encoding names how the secret was written when it was not plain text: "base64",
	// "url", "escape", "concat", "shell", or a chain of them outermost first
	// ("base64+base64"). Start and End then cover the encoded text in the data.
	Encoding string
	// Confidence is how sure the match is to be a secret (confidence.go).
	Confidence Confidence

	cStart, cEnd int // the companion's offsets, when there is one
	depth        int // how many derivations deep it was found (0: in the data itself)
}

// NewSet compiles rules and global allowlists into a matcher. Rule ids must be unique.
func NewSet(rules []*Rule, allow ...Allowlist) (*Set, error) {
	s := &Set{Rules: rules, byID: make(map[string]*Rule, len(rules))}
	for _, a := range allow {
		if a.empty() {
			continue
		}
		if err := a.compile(); err != nil {
			return nil, fmt.Errorf("global allowlist: %w", err)
		}
		s.Allowlists = append(s.Allowlists, a)
	}
	kwIndex := map[string]int{}
	for i, r := range rules {
		if err := r.compile(); err != nil {
			return nil, err
		}
		r.order = i
		r.issued = !GenericProvider(r.Provider)
		if _, dup := s.byID[r.ID]; dup {
			return nil, fmt.Errorf("rule %s is defined twice", r.ID)
		}
		s.byID[r.ID] = r
		if !r.Generic {
			for _, p := range r.prefixes {
				// "http…" starts the webhook URLs of specific rules, and every other URL;
				// three letters or digits alone ("00D" of Salesforce's org ids) start one
				// value in some hundreds of thousands of any alphabet.
				if len(p) >= 3 && !strings.HasPrefix(p, "http") && (len(p) >= 4 || strings.ContainsAny(p, "_-.:/!")) {
					if s.owned == nil {
						s.owned = map[string][]string{}
					}
					s.owned[p[:3]] = append(s.owned[p[:3]], p)
				}
			}
		}
		if len(r.Keywords) == 0 {
			s.always = append(s.always, i)
			continue
		}
		for _, k := range r.Keywords {
			j, ok := kwIndex[k]
			if !ok {
				j = len(s.keywords)
				kwIndex[k] = j
				s.keywords = append(s.keywords, k)
				s.kwRules = append(s.kwRules, nil)
				if len(k) > s.maxKw {
					s.maxKw = len(k)
				}
			}
			s.kwRules[j] = appendUnique(s.kwRules[j], i)
		}
	}
	if s.kw = newDense(s.keywords); s.kw == nil {
		s.trie = ahocorasick.NewTrieBuilder().AddStrings(s.keywords).Build()
	}
	return s, nil
}

// Rule returns the rule with the given id, or nil.
func (s *Set) Rule(id string) *Rule { return s.byID[id] }

// AllowsPath reports whether a global allowlist silences everything found at path, so that
// a source's chunk from there need not be matched at all.
func (s *Set) AllowsPath(path string) bool { return allowlists(s.Allowlists).allowsPath(path) }

// AllowsCommit reports whether a global allowlist silences everything found in commit.
func (s *Set) AllowsCommit(commit string) bool {
	return allowlists(s.Allowlists).allowsCommit(commit)
}

// Place is where a finding was seen, as far as the rules look at it.
type Place struct {
	Path   string
	Commit string
	Line   int
	// Unplaced marks a place whose path could not be learnt (a git blob no commit could be
	// found for): a rule limited to paths keeps it rather than lose a finding.
	Unplaced bool
}

// Excludes reports whether the finding of secret by rule at p is dropped once its place is
// known: a history scan learns paths and commits only after matching. It applies the
// global and the rule's allowlists by path, commit and secret, the rule's path (a place
// without a path, such as a page, is outside it), and the ignore list.
func (s *Set) Excludes(rule, secret string, p Place) bool {
	if allowlists(s.Allowlists).allowsAt(secret, p.Path, p.Commit) {
		return true
	}
	if r := s.byID[rule]; r != nil {
		if r.Path != nil && !p.Unplaced && !r.Path.MatchString(p.Path) {
			return true // also a place with no path (a page): the rule is for files
		}
		if allowlists(r.Allowlists).allowsAt(secret, p.Path, p.Commit) {
			return true
		}
	}
	return s.Ignore.Has(rule, p)
}

// region is a part of the data one rule's regex runs on. clippedLo/Hi tell that the window,
// not a line end or the data's edge, cut it there: a match touching such an edge may be a
// piece of a longer token and is dropped.
type region struct {
	lo, hi               int
	clippedLo, clippedHi bool
}

// Find returns the secrets in data, ordered by offset: those written plainly, and those
// written encoded or split (decode.go, join.go). path is where data came from (for rules
// and allowlists limited by path); it may be empty.
func (s *Set) Find(data []byte, path string) []Match { return s.findAll(data, path, true, true) }

// FindLines is Find for a text made of lines selected from a larger one (the lines of a
// blob that a history scan matches, rather than the whole blob): its first line is not
// taken for the header of a table (findCSV), since it is not the first line of the text it
// comes from. A source sends a text whose own first line is such a header whole
// (TableHeader).
func (s *Set) FindLines(data []byte, path string) []Match {
	return s.findAll(data, path, false, true)
}

// findAll is Find, with table whether the first line may be a table's header and derived
// whether the decoding stage runs (always, but in the benchmark that measures its cost).
func (s *Set) findAll(data []byte, path string, table, derived bool) []Match {
	if len(data) == 0 {
		return nil
	}
	out := s.find(data, path)
	if table {
		out = s.findCSV(out, data, path)
	}
	if derived {
		out = s.findDerived(out, data, path)
	}
	if len(out) == 0 {
		return nil
	}
	out = dropShadowed(out)
	out = dropInlineAllowed(out, data)
	positions(out, data)
	for i := range out {
		out[i].Confidence = matchConfidence(out[i].Rule, out[i].Encoding)
	}
	return out
}

// findDerived adds to out what the derived texts of data hold (decode.go), placed on data.
func (s *Set) findDerived(out []Match, data []byte, path string) []Match {
	var b budget
	text, dv := data, (*derivation)(nil)
	var within []spanRange
	found := false
	for depth := 1; depth <= maxDepth; depth++ {
		next := derive(text, within, &b)
		if next == nil {
			break
		}
		next.parent = dv
		for _, m := range s.find(next.text, path) {
			enc := next.encodingAt(m.Start, m.End)
			if enc == "" {
				continue // in the copied context: found in the level before
			}
			m.Encoding, m.depth = enc, depth
			m.Start, m.End = next.toRoot(m.Start, false), next.toRoot(m.End, true)
			if m.End <= m.Start {
				m.End = min(m.Start+1, len(data))
			}
			if m.Companion != "" {
				m.cStart, m.cEnd = next.toRoot(m.cStart, false), next.toRoot(m.cEnd, true)
			}
			out = append(out, m)
			found = true
		}
		text, dv, within = next.text, next, next.transformed()
	}
	if !found {
		return out
	}
	return preferPlain(out)
}

// find runs the keyword pass and the rules over one text: the matches before overlaps are
// settled.
func (s *Set) find(data []byte, path string) []Match {
	// Per rule: the windows its regex runs on, or for anchored rules the keyword hits
	// where it is tried. Allocated at the first hit: most chunks have none.
	var regions [][]region
	var anchors [][]int
	hit := false
	visit := func(end int, pattern int32) {
		if !hit {
			hit = true
			regions, anchors = make([][]region, len(s.Rules)), make([][]int, len(s.Rules))
		}
		start := end - len(s.keywords[pattern])
		for _, ri := range s.kwRules[pattern] {
			r := s.Rules[ri]
			if r.whole {
				if len(regions[ri]) == 0 {
					regions[ri] = []region{{lo: 0, hi: len(data)}}
				}
				continue
			}
			if r.Anchored {
				if as := anchors[ri]; len(as) > 0 && as[len(as)-1] == start {
					continue
				}
				if r.Prefilter != "" && !prefilters[r.Prefilter](data, start, end) {
					continue
				}
				anchors[ri] = append(anchors[ri], start)
				continue
			}
			if r.lead > 0 && r.groupStart != nil && tightWindows && !r.groupStart.Match(data[start:min(len(data), end+r.window()+maxTokenExtend)]) {
				continue
			}
			regions[ri] = addRegion(regions[ri], data, start, end, r)
		}
	}
	switch {
	case s.kw != nil:
		s.kw.walk(data, visit)
	case s.trie != nil:
		lower := s.lower(data)
		s.trie.Walk(*lower, func(end, _, pattern int64) bool {
			visit(int(end+1), int32(pattern))
			return true
		})
		s.lowers.Put(lower)
	}
	if len(s.always) > 0 && !hit {
		hit = true
		regions, anchors = make([][]region, len(s.Rules)), make([][]int, len(s.Rules))
	}
	for _, ri := range s.always {
		regions[ri] = []region{{lo: 0, hi: len(data)}}
	}
	if !hit {
		return nil
	}
	var out []Match
	for ri, r := range s.Rules {
		if len(regions[ri]) == 0 && len(anchors[ri]) == 0 || !s.runsOn(r, path) {
			continue
		}
		for _, rg := range regions[ri] {
			if r.lead == 0 && r.groupStart != nil && tightWindows && !r.mayStartIn(data, rg.lo, rg.hi) {
				// No literal the secret starts with, where the secret could start: a
				// name that is also a common word (vault, zoom) puts windows on most
				// lines of some texts.
				continue
			}
			out = s.matchRegion(out, r, data, rg, path)
		}
		for _, a := range anchors[ri] {
			if n := len(out); n > 0 && out[n-1].Rule == r && a < out[n-1].End {
				// A keyword inside the secret the rule just found ("auth" of
				// oauth:…) starts no second match, as a search over the window would not.
				continue
			}
			out = s.matchAnchored(out, r, data, a, path)
		}
	}
	return out
}

// preferPlain settles what a derived match and a match found less deep say of the same
// place. The same secret by the same rule is kept as found plainly. Otherwise the more
// specific rule keeps the place (MoreSpecific). Of two alike, a rule with a format of its
// own keeps what it found plainly (a kubeconfig's client-key-data, whose decoded private
// key is the same secret); generic rules keep the deeper match, which decoded what the
// other took for an opaque value (the base64 of a password, found both ways).
func preferPlain(ms []Match) []Match {
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Start < ms[j].Start })
	drop := make([]bool, len(ms))
	for i := range ms {
		for j := i + 1; j < len(ms) && ms[j].Start < ms[i].End; j++ {
			a, b := &ms[i], &ms[j]
			if a.depth == b.depth || drop[i] || drop[j] {
				continue
			}
			shallow, deep, si, di := a, b, i, j
			if a.depth > b.depth {
				shallow, deep, si, di = b, a, j, i
			}
			switch {
			case shallow.Rule == deep.Rule && shallow.Secret == deep.Secret:
				drop[di] = true
			case shallow.Rule.specificity() > deep.Rule.specificity():
				drop[di] = true
			case shallow.Rule.specificity() == deep.Rule.specificity() && !shallow.Rule.Generic:
				drop[di] = true
			default:
				drop[si] = true
			}
		}
	}
	out := ms[:0]
	for i, m := range ms {
		if !drop[i] {
			out = append(out, m)
		}
	}
	return out
}

func (s *Set) lower(data []byte) *[]byte {
	p, _ := s.lowers.Get().(*[]byte)
	if p == nil {
		b := make([]byte, 0, len(data))
		p = &b
	}
	b := (*p)[:0]
	if cap(b) < len(data) {
		b = make([]byte, 0, len(data))
	}
	b = b[:len(data)]
	for i, c := range data {
		b[i] = lowerByte[c]
	}
	*p = b
	return p
}

// lowerByte maps ASCII upper-case letters to lower case and every other byte to itself.
var lowerByte = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// tightWindows lets rules whose matches start at a keyword hit search from just before the
// hit (Rule.lead); a test turns it off to compare.
var tightWindows = true

// maxExtend is how far a window's edge moves outwards to reach the end of the token it
// cuts, so that a key is never seen in part.
const maxExtend = 256

// maxTokenExtend is how far a window's edge moves out when the token it cuts is longer than
// maxExtend: a signed JWT with a large payload runs to several kilobytes.
const maxTokenExtend = 16 << 10

// tokenByte marks the bytes keys are made of; a window's edge never stops among them.
var tokenByte = func() (t [256]bool) {
	for _, c := range []byte(setAlnum + "_-+/=.") {
		t[c] = true
	}
	return t
}()

// addRegion extends the rule's regions with the window around a keyword hit at [start,stop),
// merging it into the previous region when they overlap (hits arrive in order of their
// end). A window edge that falls inside a token moves out to the token's end (up to
// maxTokenExtend bytes); only when the token is longer than that does the edge stay clipped.
func addRegion(rs []region, data []byte, start, stop int, r *Rule) []region {
	w := r.window()
	if n := len(rs); n > 0 && start >= rs[n-1].lo && start <= rs[n-1].hi {
		// The hit lies in the last window (and so on its line): only the end can move.
		last := &rs[n-1]
		if stop+w > last.hi {
			if hi, clipped := windowEnd(data, stop, w, r.Multiline); hi > last.hi {
				last.hi, last.clippedHi = hi, clipped
			}
		}
		return rs
	}
	lo, clippedLo := start-w, false
	switch {
	case r.lead > 0 && tightWindows:
		// Every match starts within lead bytes before a hit: no match lies further left
		// that this hit's window would have to see, and none starts at lo itself, so lo
		// may cut a token.
		lo = max(start-r.lead, 0)
	case lo <= 0:
		lo = 0
	default:
		limit := max(lo-maxTokenExtend, 0)
		for lo > limit && tokenByte[data[lo-1]] {
			lo--
		}
		clippedLo = lo > 0 && tokenByte[data[lo-1]]
	}
	if !r.Multiline {
		if i := bytes.LastIndexByte(data[lo:start], '\n'); i >= 0 {
			lo, clippedLo = lo+i+1, false
		}
	}
	hi, clippedHi := windowEnd(data, stop, w, r.Multiline)
	if n := len(rs); n > 0 && lo <= rs[n-1].hi {
		last := &rs[n-1]
		if lo < last.lo {
			last.lo, last.clippedLo = lo, clippedLo
		}
		if hi > last.hi {
			last.hi, last.clippedHi = hi, clippedHi
		}
		return rs
	}
	return append(rs, region{lo: lo, hi: hi, clippedLo: clippedLo, clippedHi: clippedHi})
}

// windowEnd returns where a window of w bytes after stop ends: at the end of the token it
// would cut (up to maxTokenExtend bytes further; clipped tells that it still cuts one), and, for
// rules that are not multiline, no later than the line's end.
func windowEnd(data []byte, stop, w int, multiline bool) (hi int, clipped bool) {
	hi = stop + w
	if hi >= len(data) {
		hi = len(data)
	} else {
		limit := min(hi+maxTokenExtend, len(data))
		for hi < limit && tokenByte[data[hi]] {
			hi++
		}
		clipped = hi < len(data) && tokenByte[data[hi]]
	}
	if !multiline {
		if i := bytes.IndexByte(data[stop:hi], '\n'); i >= 0 {
			hi, clipped = stop+i, false
		}
	}
	return hi, clipped
}

// runsOn reports whether rule r applies to path. An empty path is not known yet (a git
// blob): the rule runs, and Excludes judges each place it is found at.
func (s *Set) runsOn(r *Rule, path string) bool {
	if path == "" {
		return true
	}
	if r.Path != nil && !r.Path.MatchString(path) {
		return false
	}
	return !allowlists(r.Allowlists).allowsPath(path)
}

func (s *Set) matchRegion(out []Match, r *Rule, data []byte, rg region, path string) []Match {
	part := data[rg.lo:rg.hi]
	for _, loc := range r.Regex.FindAllSubmatchIndex(part, -1) {
		if (rg.clippedLo && loc[0] == 0) || (rg.clippedHi && loc[1] == len(part)) {
			continue
		}
		out = s.candidate(out, r, data, rg.lo, loc, path)
	}
	return out
}

// matchAnchored tries an anchored rule's regex at one keyword hit, over the rule's window
// (cut at the line end unless the rule is multiline; moved out to the end of a token it
// would cut, as for regions).
func (s *Set) matchAnchored(out []Match, r *Rule, data []byte, at int, path string) []Match {
	if r.Generic && !r.issued && quietName(data, at) {
		return out // csrf_token, next_page_token: a name that says it is no credential
	}
	hi, clipped := windowEnd(data, at, r.window(), r.Multiline)
	loc := r.anchored.FindSubmatchIndex(data[at:hi])
	if loc == nil || clipped && loc[1] == hi-at {
		return out
	}
	if r.Generic && !genericShape(data, at, loc) {
		return out // {"aws documented secret", "…"}: a table of strings, not define('KEY', '…')
	}
	return s.candidate(out, r, data, at, loc, path)
}

// candidate turns one regex match (loc, relative to base) into a Match if it passes the
// rule's checks and the allowlists.
func (s *Set) candidate(out []Match, r *Rule, data []byte, base int, loc []int, path string) []Match {
	group := r.SecretGroup
	if group == 0 && len(loc) > 2 {
		// As gitleaks: the first group that matched something holds the secret unless told
		// otherwise (a regex of alternatives has a group in each), and the whole match
		// when none did (a group that only tells variants apart: "( BLOCK)?").
		group = 0
		for g := 1; 2*g+1 < len(loc); g++ {
			if loc[2*g] >= 0 && loc[2*g+1] > loc[2*g] {
				group = g
				break
			}
		}
	}
	a, b := loc[2*group], loc[2*group+1]
	if a < 0 {
		return out
	}
	start, end := base+a, base+b
	secret := string(data[start:end])
	if !s.accept(r, secret, data, base+loc[0], base+loc[1], path) {
		return out
	}
	m := Match{Rule: r, Secret: secret, Start: start, End: end, Redacted: r.Redact(secret)}
	if slices.Contains(r.Checks, "url-password") {
		// The password alone tells nothing apart; the URL around it shows whose it is.
		if u := urlAround(data, start, end); u != "" {
			if red, ok := redactURL(u); ok {
				m.Redacted = red
			}
		}
	}
	if r.Companion != nil {
		m.Companion, m.cStart, m.cEnd = findCompanion(r, data, start, end)
		if m.Companion == "" && r.RequireCompanion {
			return out
		}
	}
	return append(out, m)
}

// accept runs the offline checks and allowlists on one candidate, cheapest and most
// selective first.
func (s *Set) accept(r *Rule, secret string, data []byte, mStart, mEnd int, path string) bool {
	if secret == "" {
		return false
	}
	if r.Entropy > 0 && entropy(secret) < r.Entropy {
		return false
	}
	if r.Generic && madeOfWords(secret) {
		return false // GetIsCNAMEToPagesDotGithubDotCom: a name that happens to be as long as a key
	}
	for _, c := range r.Checks {
		if !checks[c](secret) {
			return false
		}
	}
	if r.Generic {
		for _, p := range s.owned[secret[:min(3, len(secret))]] {
			if strings.HasPrefix(secret, p) {
				return false
			}
		}
	}
	if isPlaceholder(secret) {
		return false
	}
	rl, gl := allowlists(r.Allowlists), allowlists(s.Allowlists)
	if len(rl) == 0 && len(gl) == 0 {
		return true
	}
	// The match and the line are copied only for allowlists that look at them: a line of a
	// minified bundle can be megabytes long.
	var match, line string
	if rl.targets("match") || gl.targets("match") {
		match = string(data[mStart:mEnd])
	}
	if rl.targets("line") || gl.targets("line") {
		line = string(lineAt(data, mStart))
	}
	return !rl.allowsCandidate(secret, match, line, path) && !gl.allowsCandidate(secret, match, line, path)
}

// findCompanion returns the companion value nearest to the secret at [start,end), and
// where it is.
func findCompanion(r *Rule, data []byte, start, end int) (string, int, int) {
	lo, hi := max(start-r.CompanionWindow, 0), min(end+r.CompanionWindow, len(data))
	best, bestA, bestB, bestDist := "", 0, 0, -1
next:
	for _, loc := range r.Companion.FindAllSubmatchIndex(data[lo:hi], -1) {
		a, b := loc[0], loc[1]
		if len(loc) > 2 && loc[2] >= 0 {
			a, b = loc[2], loc[3]
		}
		a, b = a+lo, b+lo
		if a < end && b > start { // the secret itself
			continue
		}
		cand := string(data[a:b])
		if isPlaceholder(cand) {
			continue
		}
		for _, c := range r.CompanionChecks {
			if !checks[c](cand) {
				continue next
			}
		}
		dist := a - end
		if b <= start {
			dist = start - b
		}
		if bestDist < 0 || dist < bestDist {
			best, bestA, bestB, bestDist = cand, a, b, dist
		}
	}
	return best, bestA, bestB
}

// spans answers whether a byte range overlaps any of a set of ranges.
type spans struct {
	lo, hi []int // sorted by lo; hi[i] is the largest end among the first i+1 ranges
}

func (sp *spans) add(lo, hi int) {
	sp.lo = append(sp.lo, lo)
	sp.hi = append(sp.hi, hi)
}

func (sp *spans) seal() {
	idx := make([]int, len(sp.lo))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return sp.lo[idx[a]] < sp.lo[idx[b]] })
	lo, hi := make([]int, len(idx)), make([]int, len(idx))
	for i, j := range idx {
		lo[i], hi[i] = sp.lo[j], sp.hi[j]
		if i > 0 && hi[i-1] > hi[i] {
			hi[i] = hi[i-1]
		}
	}
	sp.lo, sp.hi = lo, hi
}

func (sp *spans) overlaps(lo, hi int) bool {
	n := sort.SearchInts(sp.lo, hi) // ranges starting before hi
	return n > 0 && sp.hi[n-1] > lo
}

// levels is how many values Rule.specificity takes.
const levels = 8

// dropShadowed keeps one match per secret. Matches that overlap are one secret found by
// several rules (a built-in rule and a configuration's, a provider's rule and the generic
// one), and the most specific rule keeps it (MoreSpecific); a generic match that overlaps
// the companion of a more specific match (the AWS secret beside its key id) goes too. Of two
// matches of rules alike in specificity, the longer stays, then the rule listed first.
func dropShadowed(ms []Match) []Match {
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Start != ms[j].Start {
			return ms[i].Start < ms[j].Start
		}
		if MoreSpecific(ms[i].Rule, ms[j].Rule) != MoreSpecific(ms[j].Rule, ms[i].Rule) {
			return MoreSpecific(ms[i].Rule, ms[j].Rule)
		}
		return ms[i].End > ms[j].End
	})
	// above[k]: the matches of specificity k and higher, needed only when the matches are
	// not all alike (the usual case: one rule, or specific rules only).
	// beside[k]: the companions of matches of specificity k and higher, which only generic
	// matches give way to (a key of its own format that a companion regex took for a
	// secret access key is still that key).
	var above, beside [levels]spans
	check := false
	for _, m := range ms {
		check = check || m.Companion != "" || m.Rule.specificity() != ms[0].Rule.specificity()
	}
	if check {
		for _, m := range ms {
			for j := 0; j <= m.Rule.specificity(); j++ {
				above[j].add(m.Start, m.End)
				if m.Companion != "" {
					beside[j].add(m.cStart, m.cEnd)
				}
			}
		}
		for j := range above {
			above[j].seal()
			beside[j].seal()
		}
	}
	out := ms[:0]
	// last[k]: the index in out of the kept match of specificity k that ends last.
	var last [levels]int
	for k := range last {
		last[k] = -1
	}
	for _, m := range ms {
		k := m.Rule.specificity()
		if check && k+1 < levels && (above[k+1].overlaps(m.Start, m.End) || m.Rule.Generic && beside[k+1].overlaps(m.Start, m.End)) {
			continue
		}
		if i := last[k]; i >= 0 && out[i].End > m.Start {
			// m overlaps a match kept at its level, which starts no later.
			prev := &out[i]
			if prev.Rule == m.Rule && prev.Start == m.Start && prev.End == m.End {
				continue // the same match found twice (overlapping windows)
			}
			if prev.Rule != m.Rule || prev.Start == m.Start {
				if longer(m, *prev) {
					*prev = m
				}
				continue
			}
		}
		out = append(out, m)
		if i := last[k]; i < 0 || m.End >= out[i].End {
			last[k] = len(out) - 1
		}
	}
	return out
}

// longer reports whether m should replace prev, a match of the same secret by a rule alike
// in specificity: it holds more of the secret, or as much by a rule listed first.
func longer(m, prev Match) bool {
	if lm, lp := m.End-m.Start, prev.End-prev.Start; lm != lp {
		return lm > lp
	}
	return m.Rule.order < prev.Rule.order
}

// inlineAllowMarkers silence every match on a line that contains one of them. Each ends
// in ":allow" (holdsInlineAllow looks for that first).
var inlineAllowMarkers = []string{"leakstop:allow", "gitleaks:allow"}

func dropInlineAllowed(ms []Match, data []byte) []Match {
	if !holdsInlineAllow(data) {
		return ms // the usual case, found without reading megabyte-long lines
	}
	out := ms[:0]
	for _, m := range ms {
		if !holdsInlineAllow(lineAt(data, m.Start)) {
			out = append(out, m)
		}
	}
	return out
}

// holdsInlineAllow reports whether text holds one of inlineAllowMarkers. Each marker ends
// in ":allow", so the search goes from colon to colon (bytes.IndexByte): a colon is rarer
// than a marker's first letter in most text.
func holdsInlineAllow(text []byte) bool {
	const tail = ":allow"
	for at := 0; ; {
		k := bytes.IndexByte(text[at:], ':')
		if k < 0 {
			return false
		}
		k += at
		at = k + 1
		if !bytes.HasPrefix(text[k:], []byte(tail)) {
			continue
		}
		for _, marker := range inlineAllowMarkers {
			head := len(marker) - len(tail)
			if k >= head && string(text[k-head:k+len(tail)]) == marker {
				return true
			}
		}
	}
}

// lineAt returns the line holding offset, without its line end.
func lineAt(data []byte, offset int) []byte {
	lo := bytes.LastIndexByte(data[:offset], '\n') + 1
	hi := bytes.IndexByte(data[offset:], '\n')
	if hi < 0 {
		hi = len(data)
	} else {
		hi += offset
	}
	return bytes.TrimSuffix(data[lo:hi], []byte("\r"))
}

// positions fills Line and Column of matches sorted by Start, counting lines and
// characters once however long the lines are.
func positions(ms []Match, data []byte) {
	line, at, col := 1, 0, 1 // at: an offset whose line and column are known
	for i := range ms {
		target := ms[i].Start
		if n := bytes.Count(data[at:target], []byte("\n")); n > 0 {
			line += n
			at = bytes.LastIndexByte(data[:target], '\n') + 1
			col = 1
		}
		col += utf8.RuneCount(data[at:target])
		at = target
		ms[i].Line, ms[i].Column = line, col
	}
}

func appendUnique(xs []int, x int) []int {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// TrimmedLine returns up to max characters of the line around [start,end), for showing
// where a secret sits in a megabyte-long minified line.
func TrimmedLine(data []byte, start, end, max int) string {
	line := lineAt(data, start)
	lo := bytes.LastIndexByte(data[:start], '\n') + 1
	a, b := start-lo, end-lo
	if b > len(line) {
		b = len(line)
	}
	pad := (max - (b - a)) / 2
	if pad < 0 {
		pad = 0
	}
	from, to := a-pad, b+pad
	prefix, suffix := "", ""
	if from <= 0 {
		from = 0
	} else {
		prefix = "…"
	}
	if to >= len(line) {
		to = len(line)
	} else {
		suffix = "…"
	}
	for from > 0 && !utf8.RuneStart(line[from]) {
		from--
	}
	for to < len(line) && !utf8.RuneStart(line[to]) {
		to++
	}
	return prefix + strings.TrimSpace(string(line[from:to])) + suffix
}
