// Package org is the source for every repository of a GitHub organisation or user: it lists
// them through the REST API (go-github, page by page, filtered by name, fork, archive and
// size, and shared out between workers by a stable hash of the name), keeps each as a bare
// mirror in a cache folder (cloned whole the first time, fetched afterwards), and scans each
// with the git source, only what earlier runs had not read, as a state file records it.
// Repositories are scanned a few at a time, their findings merged into one result as each
// finishes (one finding per secret, with every repository it was seen in), so a run's memory
// does not grow with the number of repositories.
//
// Credentials are a token (a personal access token) or a GitHub App's installation token,
// minted with the App's JWT and renewed before it expires. A token reaches GitHub in the
// Authorization header of the API calls and reaches git through its environment as an
// http.<url>.extraHeader setting (GIT_CONFIG_COUNT, GIT_CONFIG_KEY_n, GIT_CONFIG_VALUE_n),
// never on a command line, in a URL, a file on disk, a log line or an error.
package org

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Repo is one repository of a listing, as much of it as a scan needs.
type Repo struct {
	// ID is GitHub's id of the repository: it stays when the repository is renamed or
	// moved to another owner, so mirrors and the state are kept by it.
	ID int64 `json:"id"`
	// FullName is "owner/name".
	FullName string `json:"full_name"`
	// CloneURL is the https URL git clones from; it holds no credentials.
	CloneURL string `json:"clone_url"`
	// HTMLURL is the repository's page, for permalinks.
	HTMLURL string `json:"html_url,omitempty"`
	Fork    bool   `json:"fork,omitempty"`
	// Archived repositories are read-only on GitHub.
	Archived bool `json:"archived,omitempty"`
	// SizeKB is GitHub's estimate of the repository's size, in KiB.
	SizeKB int64 `json:"size,omitempty"`
}

// Target is whose repositories are listed: an organisation's or a user's.
type Target struct {
	Org, User string
}

// Name is the organisation or the user.
func (t Target) Name() string {
	if t.Org != "" {
		return t.Org
	}
	return t.User
}

func (t Target) String() string {
	if t.Org != "" {
		return "organisation " + t.Org
	}
	return "user " + t.User
}

// Filter says which repositories of a listing are scanned.
type Filter struct {
	// Include, when set, keeps only the repositories whose "owner/name" matches one of
	// these doublestar globs (case-insensitively); Exclude then leaves out those that match
	// one of its own.
	Include, Exclude []string
	// Forks and Archived keep forks and archived repositories, which are left out
	// otherwise.
	Forks, Archived bool
	// MaxSizeKB leaves out repositories GitHub says are larger (KiB); 0 means no limit.
	MaxSizeKB int64
}

// Reasons a filter leaves a repository out.
const (
	OutExcluded = "excluded"
	OutFork     = "fork"
	OutArchived = "archived"
	OutTooLarge = "too large"
)

// Validate checks the globs.
func (f Filter) Validate() error {
	for _, g := range append(append([]string(nil), f.Include...), f.Exclude...) {
		if !doublestar.ValidatePattern(strings.ToLower(g)) {
			return fmt.Errorf("%q is not a valid glob (such as acme/* or acme/**-archive)", g)
		}
	}
	return nil
}

// Keep reports whether r is scanned, and if not, why (one of the Out reasons).
func (f Filter) Keep(r Repo) (bool, string) {
	name := strings.ToLower(r.FullName)
	match := func(globs []string) bool {
		for _, g := range globs {
			if ok, _ := doublestar.Match(strings.ToLower(g), name); ok {
				return true
			}
		}
		return false
	}
	switch {
	case len(f.Include) > 0 && !match(f.Include), match(f.Exclude):
		return false, OutExcluded
	case r.Fork && !f.Forks:
		return false, OutFork
	case r.Archived && !f.Archived:
		return false, OutArchived
	case f.MaxSizeKB > 0 && r.SizeKB > f.MaxSizeKB:
		return false, OutTooLarge
	}
	return true, ""
}

// Shard is one worker's share of the repositories: shard K of N takes the repositories
// whose name hashes to K modulo N. The hash is of the lower-cased "owner/name" alone, so
// adding or removing a repository moves no other between shards; renaming one may move it.
type Shard struct {
	K, N int
}

// ParseShard reads "K/N", 0 ≤ K < N.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 0 || ki >= ni {
		return Shard{}, fmt.Errorf("shard %q is not K/N with 0 ≤ K < N (such as 0/4)", s)
	}
	return Shard{K: ki, N: ni}, nil
}

// All reports whether the shard is every repository (no sharding).
func (s Shard) All() bool { return s.N <= 1 }

func (s Shard) String() string {
	if s.All() {
		return ""
	}
	return strconv.Itoa(s.K) + "/" + strconv.Itoa(s.N)
}

// Of returns the shard, out of s.N, that holds the repository named fullName.
func (s Shard) Of(fullName string) int {
	if s.All() {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(fullName)))
	return int(h.Sum64() % uint64(s.N))
}

// Holds reports whether the repository named fullName is in the shard.
func (s Shard) Holds(fullName string) bool { return s.All() || s.Of(fullName) == s.K }
