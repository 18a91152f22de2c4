// Package rules owns what a secret looks like: the rule model, the built-in rules (embedded
// data that carries its own examples), the loading of user and gitleaks configurations, the
// matcher (an Aho-Corasick keyword pass, then regexes near the hits, then each rule's checks),
// the line filter that tells a source which lines can match, allowlists and redaction. Its
// only I/O is LoadConfig reading the file it is named.
//
// The checks a candidate passes live by kind: checks.go holds their registry and the
// character statistics they share, formats.go the providers' token formats (checksums,
// markers, structure), placeholder.go the stand-ins every rule ignores, generic.go the
// heuristic for values of "password = …", and prefilter.go the cheap tests run at a keyword
// hit before an anchored rule's regex.
package rules

import (
	"bytes"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// Rule describes one kind of secret.
type Rule struct {
	// ID names the rule in reports, allowlists and fingerprints ("openai-project-key").
	ID string
	// Description is one sentence for people; SARIF shows it as the rule's short description.
	Description string
	// Provider is the service that issued the secret ("openai"), or for a kind of
	// credential no one issued, a generic provider ("private-key", "generic"; see
	// Provider.Generic). A configuration's own rules may have none.
	Provider string
	// Keywords are literals, one of which must occur (case-insensitively) near a secret
	// before the rule's regex runs. A rule with no keywords runs on every chunk.
	Keywords []string
	// Regex finds candidates. SecretGroup picks the capture group that holds the secret
	// (0: the whole match; when unset and the regex has groups, the first group).
	Regex       *regexp.Regexp
	SecretGroup int
	// Entropy is the minimum Shannon entropy (bits per character) of the secret; 0 disables.
	Entropy float64
	// Checks name offline checks that a candidate must pass (the registry is in checks.go;
	// an unknown name is an error that lists the known ones).
	Checks []string
	// Path, when set, limits the rule to paths it matches (gitleaks' rule.path).
	Path *regexp.Regexp
	// Window is how many bytes either side of a keyword hit the regex sees; 0 means
	// 512 bytes. Multiline rules see across line ends, others stop at them.
	Window    int
	Multiline bool
	// Anchored rules have a regex that can only match where one of their keywords starts
	// (the generic rule: "password = …"). The matcher then tries the regex once at each
	// keyword hit, over Window bytes, rather than searching the windows around hits: with
	// keywords as common in code as "token", that is many times faster. Prefilter names a
	// cheap test (the registry is in prefilter.go) run at the hit before the regex.
	Anchored  bool
	Prefilter string
	// Generic rules (password = "...") give way to a specific rule matching the same bytes.
	Generic bool
	// Companion, when set, is a second value looked for near each match (an AWS secret
	// access key beside its key id); its first group, if any, holds the value, and
	// CompanionChecks name checks it must pass. RequireCompanion drops matches without one.
	Companion        *regexp.Regexp
	CompanionWindow  int
	CompanionChecks  []string
	RequireCompanion bool
	// Severity is "critical", "high", "medium" or "low".
	Severity string
	// Confidence, when set, is how sure a match of this rule is to be a secret; unset, it
	// follows from the rule's kind (Confidence, confidence.go).
	Confidence Confidence
	// Remediation tells what to do with a leaked secret of this kind (a URL or a sentence).
	Remediation string
	// Allowlists silence candidates of this rule only; any one of them is enough.
	Allowlists []Allowlist
	// Tags are labels a configuration gives the rule (gitleaks' tags).
	Tags []string
	// Examples are text templates (see Generator) that must and must not produce a
	// finding. Built-in rules carry at least two of each; go test checks them.
	Examples Examples

	prefixes []string       // the literals a secret of this rule can start with, for redaction
	anchored *regexp.Regexp // Regex anchored at its start, for Anchored rules
	// lead, when not 0, is how far before a keyword hit the matcher searches (leadOf):
	// every match of the rule starts within lead bytes before a hit.
	lead int
	// starts are the literals every match's secret starts with, when every match holds
	// the secret's group, and groupStart the group's regex anchored at its start (looser:
	// loosenRepeats): a place where it does not match starts no match of the rule.
	starts     []string
	rare       []int // the offset of each start's rarest byte (rareByte)
	groupStart *regexp.Regexp
	// literals are the literal prefixes of the secret's group (literalPrefixes), and
	// leadWidth the most bytes the regex matches before the group (-1: not bounded);
	// startsOf and startsGroup are the regex and group all these were computed for.
	literals    []string
	leadWidth   int
	startsOf    *regexp.Regexp
	startsGroup int
	// whole rules run over the whole chunk once one of their keywords is in it: their regex
	// can span lines (a rule from a configuration, with [\s\S] or (?s) in it).
	whole bool
	order int // the rule's place in its set, to break ties between rules
	// issued tells that Provider names an issuer (not a generic provider): set by NewSet.
	issued bool
	// severityGiven tells that a configuration set Severity (else a built-in rule the rule
	// replaces gives its own).
	severityGiven bool
}

// Examples holds a rule's own true and false examples, as templates.
type Examples struct {
	True  []string `toml:"true"`
	False []string `toml:"false"`
}

// defaultWindow is how far either side of a keyword hit a rule's regex looks by default.
// It is larger than the longest single-line token the built-in rules know.
const defaultWindow = 512

// maxWindow bounds a rule's window and companionWindow: far beyond any token, and far from
// the integer overflow that a larger one would bring to the offsets around a hit.
const maxWindow = 1 << 20

// Severity levels and their SARIF security-severity scores.
var severityScore = map[string]string{"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}

// SecurityScore returns the SARIF security-severity of the rule's severity.
func (r *Rule) SecurityScore() string {
	if s, ok := severityScore[r.Severity]; ok {
		return s
	}
	return severityScore["high"]
}

// prefixOf returns the literal prefix of the rule's regex that secret starts with
// ("sk-proj-"), or "". Redaction keeps it.
func (r *Rule) prefixOf(secret string) string {
	best := ""
	for _, p := range r.prefixes {
		if len(p) > len(best) && strings.HasPrefix(secret, p) {
			best = p
		}
	}
	return best
}

// Redact returns secret redacted for output with this rule's prefix kept.
func (r *Rule) Redact(secret string) string { return Redact(secret, r.prefixOf(secret)) }

func (r *Rule) window() int {
	if r.Window > 0 {
		return r.Window
	}
	return defaultWindow
}

// compile validates a rule and fills in what derives from its fields.
func (r *Rule) compile() error {
	if r.ID == "" {
		return fmt.Errorf("a rule has no id")
	}
	if r.Regex == nil {
		return fmt.Errorf("rule %s: no regex", r.ID)
	}
	if r.SecretGroup < 0 || r.SecretGroup > r.Regex.NumSubexp() {
		return fmt.Errorf("rule %s: secretGroup %d but the regex has %d groups", r.ID, r.SecretGroup, r.Regex.NumSubexp())
	}
	for i, k := range r.Keywords {
		if k == "" {
			return fmt.Errorf("rule %s: keyword %d is empty", r.ID, i+1)
		}
		r.Keywords[i] = strings.ToLower(k)
	}
	for _, c := range append(append([]string(nil), r.Checks...), r.CompanionChecks...) {
		if _, ok := checks[c]; !ok {
			return fmt.Errorf("rule %s: unknown check %q (known: %s)", r.ID, c, strings.Join(checkNames(), ", "))
		}
	}
	for _, w := range []struct {
		name string
		n    int
	}{{"window", r.Window}, {"companionWindow", r.CompanionWindow}} {
		if w.n < 0 || w.n > maxWindow {
			return fmt.Errorf("rule %s: %s %d is not between 0 and %d bytes", r.ID, w.name, w.n, maxWindow)
		}
	}
	if len(r.CompanionChecks) > 0 && r.Companion == nil {
		return fmt.Errorf("rule %s: companionChecks without a companion regex", r.ID)
	}
	if r.Severity == "" {
		r.Severity = "high"
	}
	if _, ok := severityScore[r.Severity]; !ok {
		return fmt.Errorf("rule %s: severity %q is not critical, high, medium or low", r.ID, r.Severity)
	}
	if r.Anchored {
		if len(r.Keywords) == 0 {
			return fmt.Errorf("rule %s: an anchored rule needs keywords, where its regex is tried", r.ID)
		}
		re, err := regexp.Compile(`^(?:` + r.Regex.String() + `)`)
		if err != nil {
			return fmt.Errorf("rule %s: anchoring the regex: %w", r.ID, err)
		}
		r.anchored = re
	}
	if r.Prefilter != "" {
		if !r.Anchored {
			return fmt.Errorf("rule %s: a prefilter needs anchored = true", r.ID)
		}
		if _, ok := prefilters[r.Prefilter]; !ok {
			return fmt.Errorf("rule %s: unknown prefilter %q (known: %s)", r.ID, r.Prefilter, strings.Join(prefilterNames(), ", "))
		}
	}
	if r.Companion != nil && r.CompanionWindow == 0 {
		r.CompanionWindow = 1024
	}
	if !r.Multiline && !r.Anchored && spansLines(r.Regex) {
		// A window cut at line ends would miss what the regex was written to find.
		r.Multiline, r.whole = true, true
	}
	group := r.SecretGroup
	if group == 0 && r.Regex.NumSubexp() > 0 {
		group = 1
	}
	if r.startsOf != r.Regex || r.startsGroup != group {
		// Once per regex and group: a rule is compiled again in every set it joins.
		r.literals = literalPrefixes(r.Regex, group)
		r.compileStarts(group)
		r.startsOf, r.startsGroup = r.Regex, group
	}
	r.prefixes = appendUniqueStrings(r.prefixes, r.literals...)
	r.lead = 0
	if r.leadWidth >= 0 {
		r.lead = leadOf(r, r.leadWidth)
	}
	for i := range r.Allowlists {
		if err := r.Allowlists[i].compile(); err != nil {
			return fmt.Errorf("rule %s: %w", r.ID, err)
		}
	}
	return nil
}

// specificity orders rules that find the same secret: a rule with a format of its own beats
// a generic one; then a rule of a provider that issued the secret (which can verify and
// revoke) beats one of none or of a generic provider; then a rule with offline checks (a
// checksum, a companion) beats one without.
func (r *Rule) specificity() int {
	s := 0
	if !r.Generic {
		s += 4
	}
	if r.issued {
		s += 2
	}
	if len(r.Checks) > 0 || r.Companion != nil {
		s++
	}
	return s
}

// MoreSpecific reports whether a secret found by both a and b belongs to a: the more
// specific rule (a format of its own, a provider, checks), and of two alike, the one listed
// first (built-in rules come before a configuration's).
func MoreSpecific(a, b *Rule) bool {
	if sa, sb := a.specificity(), b.specificity(); sa != sb {
		return sa > sb
	}
	return a.order < b.order
}

// spansLines reports whether re can match text in which a line end is followed by more of
// the match: it holds (?s). or [\s\S], a line end written out (\n, [\r\n]), or a class of
// letters or digits that takes line ends too. Whitespace and punctuation classes (\s,
// [\s'"=]) do not count: every gitleaks rule has them around its value, where crossing a
// line end is not what the rule is for.
func spansLines(re *regexp.Regexp) bool {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return false
	}
	return innerLineEnd(tree)
}

// takesLineEnd reports whether re can match a string holding a line end that counts.
func takesLineEnd(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpAnyChar:
		return true
	case syntax.OpLiteral:
		return slices.Contains(re.Rune, '\n')
	case syntax.OpCharClass:
		return classHas(re.Rune, '\n') && (classHas(re.Rune, 'a') || classHas(re.Rune, 'A') ||
			classHas(re.Rune, '0') || onlyLineEnds(re.Rune))
	}
	for _, sub := range re.Sub {
		if takesLineEnd(sub) {
			return true
		}
	}
	return false
}

// innerLineEnd reports whether re can match a line end with more of the match after it.
func innerLineEnd(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		i := slices.Index(re.Rune, '\n')
		return i >= 0 && i < len(re.Rune)-1
	case syntax.OpConcat:
		seen := false
		for _, sub := range re.Sub {
			if innerLineEnd(sub) || seen && consumes(sub) {
				return true
			}
			seen = seen || takesLineEnd(sub)
		}
		return false
	case syntax.OpStar, syntax.OpPlus:
		return innerLineEnd(re.Sub[0]) || takesLineEnd(re.Sub[0]) && consumes(re.Sub[0])
	case syntax.OpRepeat:
		return innerLineEnd(re.Sub[0]) || (re.Max < 0 || re.Max > 1) && takesLineEnd(re.Sub[0]) && consumes(re.Sub[0])
	}
	for _, sub := range re.Sub {
		if innerLineEnd(sub) {
			return true
		}
	}
	return false
}

// consumes reports whether re can match a non-empty string.
func consumes(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral, syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return true
	case syntax.OpRepeat:
		if re.Max == 0 {
			return false
		}
	}
	for _, sub := range re.Sub {
		if consumes(sub) {
			return true
		}
	}
	return false
}

func classHas(ranges []rune, c rune) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i] <= c && c <= ranges[i+1] {
			return true
		}
	}
	return false
}

func onlyLineEnds(ranges []rune) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		for c := ranges[i]; c <= ranges[i+1]; c++ {
			if c != '\n' && c != '\r' {
				return false
			}
		}
	}
	return true
}

func appendUniqueStrings(xs []string, ys ...string) []string {
	for _, y := range ys {
		if !slices.Contains(xs, y) {
			xs = append(xs, y)
		}
	}
	return xs
}

// literalPrefixes lists the literals a regex's secret (capture group; 0 for the whole
// match) can start with, such as "sk-proj-" and "sk-svcacct-" for `\b(sk-(?:proj|svcacct)-…)`.
// Redaction keeps the one a secret starts with: it tells the reader what the secret is
// without revealing any of its random part.
func literalPrefixes(re *regexp.Regexp, group int) []string {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	tree = tree.Simplify()
	if group > 0 {
		if tree = findCapture(tree, group); tree == nil {
			return nil
		}
	}
	out, _ := prefixesOf(tree, []string{""})
	if len(out) == 1 && out[0] == "" {
		return nil
	}
	return out
}

// findCapture returns the sub-expression of capture group n.
func findCapture(re *syntax.Regexp, n int) *syntax.Regexp {
	if re.Op == syntax.OpCapture && re.Cap == n {
		return re
	}
	for _, sub := range re.Sub {
		if found := findCapture(sub, n); found != nil {
			return found
		}
	}
	return nil
}

// prefixesOf extends every prefix in acc by what re must match first. It reports whether
// re was consumed whole as literals, so that a concatenation may go on after it.
func prefixesOf(re *syntax.Regexp, acc []string) ([]string, bool) {
	const maxPrefixes = 16
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return acc, false
		}
		for i := range acc {
			acc[i] += string(re.Rune)
		}
		return acc, true
	case syntax.OpCapture:
		return prefixesOf(re.Sub[0], acc)
	case syntax.OpWordBoundary, syntax.OpBeginText, syntax.OpBeginLine, syntax.OpEmptyMatch:
		return acc, true
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			var whole bool
			if acc, whole = prefixesOf(sub, acc); !whole {
				return acc, false
			}
		}
		return acc, true
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			got, whole := prefixesOf(sub, append([]string(nil), acc...))
			if !whole || len(out)+len(got) > maxPrefixes {
				return acc, false
			}
			out = append(out, got...)
		}
		return out, true
	case syntax.OpCharClass:
		// A class of a few characters ([us], [por]) is an alternation of literals.
		var chars []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for c := re.Rune[i]; c <= re.Rune[i+1] && len(chars) <= 4; c++ {
				chars = append(chars, c)
			}
		}
		if len(chars) == 0 || len(chars) > 4 || len(acc)*len(chars) > maxPrefixes {
			return acc, false
		}
		out := make([]string, 0, len(acc)*len(chars))
		for _, a := range acc {
			for _, c := range chars {
				out = append(out, a+string(c))
			}
		}
		return out, true
	}
	return acc, false
}

// maxLead bounds how many bytes a rule's regex may match before its secret for the matcher
// to search only from just before a keyword hit (Rule.lead).
const maxLead = 16

// compileStarts fills in what the matcher knows of where r's matches start (Rule.starts,
// rare, groupStart, and leadWidth for leadOf), when every match of r holds its secret's
// group: the group (or the whole regex, when the whole match is the secret) is a part of
// the regex's top concatenation, not inside an alternative or a repeat.
func (r *Rule) compileStarts(group int) {
	r.starts, r.rare, r.groupStart, r.leadWidth = nil, nil, nil, -1
	// Parsed, not simplified: simplifying spells counted repeats out.
	tree, err := syntax.Parse(r.Regex.String(), syntax.Perl)
	if err != nil {
		return
	}
	subs := []*syntax.Regexp{tree}
	if tree.Op == syntax.OpConcat && group > 0 {
		subs = tree.Sub
	}
	width, bounded := 0, true
	for _, sub := range subs {
		if group > 0 && (sub.Op != syntax.OpCapture || sub.Cap != group) {
			w, ok := maxWidth(sub)
			width += w
			bounded = bounded && ok
			continue
		}
		if group > 0 {
			sub = sub.Sub[0]
		}
		for _, p := range r.literals {
			if p == "" {
				r.starts, r.rare = nil, nil
				return
			}
			r.starts = append(r.starts, p)
			r.rare = append(r.rare, rareByte(p))
		}
		if len(r.starts) == 0 {
			return
		}
		// What the group must match from where it starts: a place where it cannot starts
		// no match. (An assertion in it would be judged without the bytes before that
		// place, so a group with one gets no such test.)
		if !hasAssertion(sub) {
			loosenRepeats(sub)
			r.groupStart, _ = regexp.Compile(`^(?:` + sub.String() + `)`)
		}
		if bounded && width <= maxLead {
			r.leadWidth = width
		}
		return
	}
}

// leadOf returns how far before its keyword hit a match of r can start, when every match
// of r's secret group starts at a hit of one of r's keywords (each literal the group starts
// with, r.starts, starts with a keyword) and what the regex matches before the group (a
// boundary: ^, \b, one character that is not part of a token, an escaped line end) is at
// most width bytes long. Then a window to the left of a hit can hold no match that the
// hit's own window does not: the matcher searches from width+2 bytes before the hit
// (addRegion), not a whole window before it. It returns 0 for any other rule.
func leadOf(r *Rule, width int) int {
	if len(r.Keywords) == 0 || r.Multiline || r.whole {
		return 0
	}
	for _, p := range r.starts {
		p = strings.ToLower(p)
		if !slices.ContainsFunc(r.Keywords, func(k string) bool { return strings.HasPrefix(p, k) }) {
			return 0
		}
	}
	return width + 2
}

// mayStartIn reports whether a match of r can lie in data[lo:hi]: one of the literals its
// secret starts with occurs there, and the group can match from it (Rule.groupStart). Each
// literal is looked for by its rarest byte (rareByte), which bytes.IndexByte finds fast:
// the s of "s." stops a search in prose every few bytes, its dot once a sentence.
func (r *Rule) mayStartIn(data []byte, lo, hi int) bool {
	for i, p := range r.starts {
		j := r.rare[i]
		for at := lo + j; at < hi; {
			k := bytes.IndexByte(data[at:hi], p[j])
			if k < 0 {
				break
			}
			at += k
			if start := at - j; start >= lo && start+len(p) <= hi && string(data[start:start+len(p)]) == p && r.groupStart.Match(data[start:hi]) {
				return true
			}
			at++
		}
	}
	return false
}

// rareByte returns the offset in p of the byte least likely in text: punctuation before
// digits, digits before upper-case letters, and those before lower-case ones.
func rareByte(p string) int {
	rank := func(c byte) int {
		switch {
		case c >= 'a' && c <= 'z':
			return 3
		case c >= 'A' && c <= 'Z':
			return 2
		case c >= '0' && c <= '9':
			return 1
		}
		return 0
	}
	best := 0
	for i := 1; i < len(p); i++ {
		if rank(p[i]) < rank(p[best]) {
			best = i
		}
	}
	return best
}

// maxRepeat bounds the counted repeats of a loosened regex (loosenRepeats).
const maxRepeat = 32

// loosenRepeats turns each counted repeat x{n,m} of re into x{min(n,maxRepeat),}: the
// regex then matches at least what it matched (a test that it must match stays true), and
// compiles to some dozens of instructions where a window of 1000 counted characters takes
// thousands. A match found, a test for one stops there, so the open end costs nothing.
func loosenRepeats(re *syntax.Regexp) {
	if re.Op == syntax.OpRepeat && (re.Min > maxRepeat || re.Max > maxRepeat) {
		re.Min, re.Max = min(re.Min, maxRepeat), -1
	}
	for _, sub := range re.Sub {
		loosenRepeats(sub)
	}
}

// hasAssertion reports whether re holds an empty-width assertion (^, $, \b, \B).
func hasAssertion(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	return slices.ContainsFunc(re.Sub, hasAssertion)
}

// maxWidth returns the most bytes re can match, and false when that is not bounded (a
// character stands for up to utf8.UTFMax bytes).
func maxWidth(re *syntax.Regexp) (int, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, true
	case syntax.OpLiteral:
		n := 0
		for _, c := range re.Rune {
			n += utf8.RuneLen(c)
			if re.Flags&syntax.FoldCase != 0 {
				n = n - utf8.RuneLen(c) + utf8.UTFMax
			}
		}
		return n, true
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax, true
	case syntax.OpCapture, syntax.OpQuest:
		return maxWidth(re.Sub[0])
	case syntax.OpConcat, syntax.OpAlternate:
		total := 0
		for _, sub := range re.Sub {
			w, ok := maxWidth(sub)
			if !ok {
				return 0, false
			}
			if re.Op == syntax.OpConcat {
				total += w
			} else {
				total = max(total, w)
			}
		}
		return total, true
	case syntax.OpRepeat:
		if re.Max < 0 {
			return 0, false
		}
		w, ok := maxWidth(re.Sub[0])
		return w * re.Max, ok
	}
	return 0, false
}
