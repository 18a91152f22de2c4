package rules

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Ignore is a list of findings to drop by their place, as gitleaks' .gitleaksignore writes
// them: "commit:path:rule:line" for a finding in one commit, "path:rule:line" for one
// wherever it is, and # comments. A path is relative to the root the file was read from.
type Ignore struct {
	// Prefix is the root of the ignore file's paths as the scan names paths (the folder a
	// `leakstop dir` was pointed at); empty when they agree (a repository's paths).
	Prefix  string
	entries map[ignoreKey][]string // place → the commits it is ignored in ("" for all)
	// Rules are the rule ids the entries name, for telling those no rule has.
	Rules []string
}

type ignoreKey struct {
	path, rule string
	line       int
}

// ParseIgnore reads a .gitleaksignore. name is for messages. A line that is not an entry
// is an error naming it: a typo would otherwise silence nothing without a word.
func ParseIgnore(data []byte, name string) (*Ignore, error) {
	ig := &Ignore{entries: map[ignoreKey][]string{}}
	seenRule := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		commit, p, rule, at, ok := parseIgnoreLine(line)
		if !ok {
			return nil, fmt.Errorf("%s:%d: %q is not commit:path:rule:line or path:rule:line", name, n, line)
		}
		k := ignoreKey{path: p, rule: rule, line: at}
		ig.entries[k] = append(ig.entries[k], commit)
		if !seenRule[rule] {
			seenRule[rule] = true
			ig.Rules = append(ig.Rules, rule)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return ig, nil
}

// parseIgnoreLine splits an entry from the right, so that a path may hold colons: the line
// number, then the rule id, then the path, and a commit id before it when the first field
// is one.
func parseIgnoreLine(s string) (commit, p, rule string, line int, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", "", "", 0, false
	}
	line, err := strconv.Atoi(s[i+1:])
	if err != nil || line < 1 {
		return "", "", "", 0, false
	}
	s = s[:i]
	j := strings.LastIndexByte(s, ':')
	if j < 0 {
		return "", "", "", 0, false
	}
	rule, s = s[j+1:], s[:j]
	if c, rest, found := strings.Cut(s, ":"); found && isCommitID(c) {
		commit, s = strings.ToLower(c), rest
	}
	p = cleanSlash(s)
	if p == "." || p == "/" || rule == "" {
		return "", "", "", 0, false
	}
	return commit, p, rule, line, true
}

// cleanSlash writes a path as the entries and the places are compared: slashes, no "."
// or ".." parts, no trailing slash.
func cleanSlash(p string) string { return path.Clean(strings.ReplaceAll(p, `\`, "/")) }

// isCommitID reports whether s is a full or abbreviated git object id.
func isCommitID(s string) bool {
	if len(s) < 7 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(setHex+"ABCDEF", rune(s[i])) {
			return false
		}
	}
	return true
}

// Len returns how many entries the list holds.
func (ig *Ignore) Len() int {
	if ig == nil {
		return 0
	}
	n := 0
	for _, cs := range ig.entries {
		n += len(cs)
	}
	return n
}

// Has reports whether the finding of rule at p is on the list.
func (ig *Ignore) Has(rule string, p Place) bool {
	if ig == nil || len(ig.entries) == 0 || p.Path == "" {
		return false
	}
	rel := cleanSlash(p.Path)
	if ig.Prefix != "" {
		prefix := path.Clean(strings.ReplaceAll(ig.Prefix, `\`, "/"))
		if prefix != "." {
			var ok bool
			if rel, ok = strings.CutPrefix(rel, prefix+"/"); !ok {
				return false
			}
		}
	}
	for _, c := range ig.entries[ignoreKey{path: rel, rule: rule, line: p.Line}] {
		if c == "" || p.Commit != "" && strings.HasPrefix(strings.ToLower(p.Commit), c) {
			return true
		}
	}
	return false
}
