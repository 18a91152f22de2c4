package rules

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Allowlist silences candidates: by the path they were found in, by a regex over the secret
// (or the whole match, or the line), by a stopword inside the secret, or by commit. With the
// condition OR (the default) one criterion that holds is enough; with AND, every criterion
// the allowlist sets must hold, as in gitleaks.
type Allowlist struct {
	// Description says why the allowlist exists.
	Description string
	// Condition is "OR" (or empty) or "AND".
	Condition string
	// Paths are doublestar globs ("testdata/**", "**/*.lock") matched against slash paths.
	Paths []string
	// PathRegexes are regexes over the path, as gitleaks configurations write them.
	PathRegexes []*regexp.Regexp
	// Regexes silence a candidate when one matches RegexTarget: "secret" (default),
	// "match" or "line".
	Regexes     []*regexp.Regexp
	RegexTarget string
	// Stopwords silence a candidate whose secret contains one of them (case-insensitively).
	Stopwords []string
	// Commits silence candidates found in these commits (full or abbreviated ids).
	Commits []string
}

func (a *Allowlist) compile() error {
	for _, p := range a.Paths {
		if !doublestar.ValidatePattern(p) {
			return fmt.Errorf("allowlist path %q is not a valid glob", p)
		}
	}
	switch a.RegexTarget {
	case "", "secret", "match", "line":
	default:
		return fmt.Errorf("allowlist regexTarget %q is not secret, match or line", a.RegexTarget)
	}
	switch strings.ToUpper(a.Condition) {
	case "", "OR", "||":
		a.Condition = ""
	case "AND", "&&":
		a.Condition = "AND"
	default:
		return fmt.Errorf("allowlist condition %q is not AND or OR", a.Condition)
	}
	for i, w := range a.Stopwords {
		a.Stopwords[i] = strings.ToLower(w)
	}
	return nil
}

// and reports whether every criterion must hold.
func (a *Allowlist) and() bool { return a.Condition == "AND" }

// empty reports whether the allowlist silences nothing.
func (a *Allowlist) empty() bool {
	return !a.hasPaths() && len(a.Regexes) == 0 && len(a.Stopwords) == 0 && len(a.Commits) == 0
}

func (a *Allowlist) hasPaths() bool   { return len(a.Paths) > 0 || len(a.PathRegexes) > 0 }
func (a *Allowlist) hasContent() bool { return len(a.Regexes) > 0 || len(a.Stopwords) > 0 }

// AllowsPath reports whether everything found at path is silenced: a path criterion holds,
// and, for an AND allowlist, it is the only criterion.
func (a *Allowlist) AllowsPath(path string) bool {
	if a.and() && (a.hasContent() || len(a.Commits) > 0) {
		return false
	}
	return a.pathMatches(path)
}

func (a *Allowlist) pathMatches(path string) bool {
	if path == "" {
		return false
	}
	slash := filepath.ToSlash(path)
	slash = strings.TrimPrefix(slash, "./")
	for _, p := range a.Paths {
		if ok, _ := doublestar.Match(p, slash); ok {
			return true
		}
		// A pattern without a slash matches a base name anywhere, as .gitignore does.
		if !strings.Contains(p, "/") {
			if ok, _ := doublestar.Match(p, pathBase(slash)); ok {
				return true
			}
		}
	}
	for _, re := range a.PathRegexes {
		if re.MatchString(slash) {
			return true
		}
	}
	return false
}

// AllowsCommit reports whether everything found in commit is silenced: a commit criterion
// holds, and, for an AND allowlist, it is the only criterion.
func (a *Allowlist) AllowsCommit(commit string) bool {
	if a.and() && (a.hasContent() || a.hasPaths()) {
		return false
	}
	return a.commitMatches(commit)
}

func (a *Allowlist) commitMatches(commit string) bool {
	if commit == "" {
		return false
	}
	for _, c := range a.Commits {
		if c != "" && strings.HasPrefix(commit, c) {
			return true
		}
	}
	return false
}

// regexMatches reports whether a regex matches the allowlist's target.
func (a *Allowlist) regexMatches(secret, match, line string) bool {
	target := secret
	switch a.RegexTarget {
	case "match":
		target = match
	case "line":
		target = line
	}
	for _, re := range a.Regexes {
		if re.MatchString(target) {
			return true
		}
	}
	return false
}

func (a *Allowlist) stopwordIn(secret string) bool {
	if len(a.Stopwords) == 0 {
		return false
	}
	lower := strings.ToLower(secret)
	for _, w := range a.Stopwords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// allowsCandidate reports whether a candidate is silenced, as far as the matcher can tell:
// by its secret, match and line, and by path when path is known. Commits are not known
// yet; an AND allowlist that names commits, or paths the matcher does not know, is left to
// allowsAt.
func (a *Allowlist) allowsCandidate(secret, match, line, path string) bool {
	if !a.and() {
		return a.regexMatches(secret, match, line) || a.stopwordIn(secret) ||
			(path != "" && a.pathMatches(path))
	}
	if len(a.Commits) > 0 || a.hasPaths() && (path == "" || !a.pathMatches(path)) {
		return false
	}
	return a.contentHolds(secret, match, line)
}

// contentHolds reports whether the content criteria of an AND allowlist hold (true when it
// sets none).
func (a *Allowlist) contentHolds(secret, match, line string) bool {
	if len(a.Regexes) > 0 && !a.regexMatches(secret, match, line) {
		return false
	}
	return len(a.Stopwords) == 0 || a.stopwordIn(secret)
}

// allowsAt reports whether a finding of secret at path and commit is silenced, once its
// place is known (a history scan learns paths and commits only after matching). Regexes
// over the match or the line cannot be told here; an AND allowlist that needs them was
// decided by the matcher when it knew the path, and otherwise does not silence.
func (a *Allowlist) allowsAt(secret, path, commit string) bool {
	if !a.and() {
		return a.pathMatches(path) || a.commitMatches(commit) ||
			(a.RegexTarget == "" || a.RegexTarget == "secret") && a.regexMatches(secret, "", "") ||
			a.stopwordIn(secret)
	}
	if len(a.Regexes) > 0 && a.RegexTarget != "" && a.RegexTarget != "secret" {
		return false
	}
	if a.hasPaths() && !a.pathMatches(path) || len(a.Commits) > 0 && !a.commitMatches(commit) {
		return false
	}
	return a.contentHolds(secret, "", "")
}

// placeBound reports whether the allowlist is an AND over a place (paths or commits) and
// the match or the line: one a history scan cannot apply, since it matches a blob before it
// knows where the blob is.
func (a *Allowlist) placeBound() bool {
	return a.and() && (a.hasPaths() || len(a.Commits) > 0) && len(a.Regexes) > 0 &&
		a.RegexTarget != "" && a.RegexTarget != "secret"
}

// allowlists is a group of allowlists, any of which silences.
type allowlists []Allowlist

func (as allowlists) allowsPath(path string) bool {
	for i := range as {
		if as[i].AllowsPath(path) {
			return true
		}
	}
	return false
}

func (as allowlists) allowsCommit(commit string) bool {
	for i := range as {
		if as[i].AllowsCommit(commit) {
			return true
		}
	}
	return false
}

func (as allowlists) allowsCandidate(secret, match, line, path string) bool {
	for i := range as {
		if as[i].allowsCandidate(secret, match, line, path) {
			return true
		}
	}
	return false
}

func (as allowlists) allowsAt(secret, path, commit string) bool {
	for i := range as {
		if as[i].allowsAt(secret, path, commit) {
			return true
		}
	}
	return false
}

// targets reports whether an allowlist of the group has regexes over target ("match" or
// "line"), which the matcher then copies out of the data.
func (as allowlists) targets(target string) bool {
	for i := range as {
		if len(as[i].Regexes) > 0 && as[i].RegexTarget == target {
			return true
		}
	}
	return false
}

func pathBase(slash string) string {
	if i := strings.LastIndexByte(slash, '/'); i >= 0 {
		return slash[i+1:]
	}
	return slash
}
