package rules

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Allowlist silences candidates: by the path they were found in, by a regex over the secret
// (or the whole match, or the line), by a stopword inside the secret, or by commit.
type Allowlist struct {
	// Description says why the allowlist exists.
	Description string
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
	for i, w := range a.Stopwords {
		a.Stopwords[i] = strings.ToLower(w)
	}
	return nil
}

// empty reports whether the allowlist silences nothing.
func (a *Allowlist) empty() bool {
	return len(a.Paths) == 0 && len(a.PathRegexes) == 0 && len(a.Regexes) == 0 &&
		len(a.Stopwords) == 0 && len(a.Commits) == 0
}

// AllowsPath reports whether everything found at path is silenced.
func (a *Allowlist) AllowsPath(path string) bool {
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

// AllowsCommit reports whether candidates in commit are silenced.
func (a *Allowlist) AllowsCommit(commit string) bool {
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

// allowsCandidate reports whether a candidate is silenced by its secret, match or line.
func (a *Allowlist) allowsCandidate(secret, match, line string) bool {
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
	if len(a.Stopwords) > 0 {
		lower := strings.ToLower(secret)
		for _, w := range a.Stopwords {
			if strings.Contains(lower, w) {
				return true
			}
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
