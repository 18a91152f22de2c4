package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Digest is a stable hash of what the set finds and what it silences: every rule's matching
// fields (id, provider, keywords, regexes, checks, window, companion), every allowlist's
// criteria and the ignore list, in an order that does not depend on how the configuration
// was written. Descriptions, severities, remediations, tags and examples are left out: they
// change what a report says, not what a scan finds. An incremental scan (leakstop org)
// records it beside what it read, and reads everything again when it changes: history
// already read may hold secrets that the new rules find, or that an allowlist no longer
// hides. It is the first 32 hex digits of a SHA-256.
func (s *Set) Digest() string {
	h := sha256.New()
	field := func(name string, v ...string) {
		// Lengths keep one field's text from running into the next one's.
		fmt.Fprintf(h, "%s %d", name, len(v))
		for _, x := range v {
			fmt.Fprintf(h, " %d:%s", len(x), x)
		}
		h.Write([]byte{'\n'})
	}
	rs := slices.Clone(s.Rules)
	slices.SortStableFunc(rs, func(a, b *Rule) int { return strings.Compare(a.ID, b.ID) })
	for _, r := range rs {
		field("rule", r.ID, r.Provider)
		field("keywords", sortedLower(r.Keywords)...)
		field("regex", regexText(r.Regex), strconv.Itoa(r.SecretGroup))
		field("entropy", strconv.FormatFloat(r.Entropy, 'g', -1, 64))
		field("checks", sorted(r.Checks)...)
		field("path", regexText(r.Path))
		field("window", strconv.Itoa(r.window()), strconv.FormatBool(r.Multiline),
			strconv.FormatBool(r.Anchored), r.Prefilter, strconv.FormatBool(r.Generic))
		field("companion", regexText(r.Companion), strconv.Itoa(r.CompanionWindow), strconv.FormatBool(r.RequireCompanion))
		field("companion-checks", sorted(r.CompanionChecks)...)
		for _, a := range r.Allowlists {
			digestAllowlist(field, "rule-allowlist", a)
		}
	}
	for _, a := range s.Allowlists {
		digestAllowlist(field, "allowlist", a)
	}
	if ig := s.Ignore; ig != nil {
		var entries []string
		for k, commits := range ig.entries {
			for _, c := range commits {
				entries = append(entries, fmt.Sprintf("%s\x00%s\x00%d\x00%s", k.path, k.rule, k.line, c))
			}
		}
		slices.Sort(entries)
		field("ignore", append([]string{ig.Prefix}, entries...)...)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// digestAllowlist adds an allowlist's criteria to a digest (its description is left out).
func digestAllowlist(field func(string, ...string), kind string, a Allowlist) {
	field(kind, a.Condition, a.RegexTarget)
	field("paths", sorted(a.Paths)...)
	var res []string
	for _, re := range a.PathRegexes {
		res = append(res, regexText(re))
	}
	field("path-regexes", sorted(res)...)
	res = res[:0]
	for _, re := range a.Regexes {
		res = append(res, regexText(re))
	}
	field("regexes", sorted(res)...)
	field("stopwords", sortedLower(a.Stopwords)...)
	field("commits", sortedLower(a.Commits)...)
}

func regexText(re *regexp.Regexp) string {
	if re == nil {
		return ""
	}
	return re.String()
}

func sorted(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	return out
}

func sortedLower(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = strings.ToLower(s)
	}
	slices.Sort(out)
	return out
}
