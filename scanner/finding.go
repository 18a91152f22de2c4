// Package scanner owns the finding model and the engine: it runs a source's chunks through
// the matcher on all cores, keeps one finding per distinct secret with every place it was
// seen (earliest first), and drops what allowlists and the baseline exclude. Sources live in
// sub-packages (scanner/files, scanner/git, scanner/web, scanner/org); report writers in
// scanner/report.
package scanner

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// Finding is one distinct secret with every place it was seen.
type Finding struct {
	Rule     string `json:"rule"`
	Provider string `json:"provider,omitempty"`
	// Secret is the raw secret inside the program; writers redact it unless asked not to.
	Secret string `json:"secret"`
	// Redacted is how the secret is shown when it may not be shown in full.
	Redacted string `json:"-"`
	// Companion is a second value found near the secret that a provider needs to verify and
	// revoke it (an AWS secret access key beside its key id). Only the JSON formats write
	// it, and only when secrets are shown, so that leakstop revoke can act on the finding
	// later; everywhere else it is left out or redacted.
	Companion   string     `json:"companion,omitempty"`
	Fingerprint string     `json:"fingerprint"`
	Locations   []Location `json:"locations"`
	// Confidence is how sure the finding is to be a secret: "high", "medium" or "low"
	// (rules.Confidence), the most that any of its locations gives.
	Confidence   string        `json:"confidence,omitempty"`
	Verification *outcome.Step `json:"verification,omitempty"`
	Revocation   *outcome.Step `json:"revocation,omitempty"`
	Issue        string        `json:"issue,omitempty"`
}

// Location is one place a secret was seen. Optional fields are empty when unknown.
type Location struct {
	Path   string `json:"path,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Commit string `json:"commit,omitempty"`
	Author string `json:"author,omitempty"`
	Email  string `json:"email,omitempty"`
	// Date is RFC 3339.
	Date string `json:"date,omitempty"`
	// Message is the subject line of Commit.
	Message string `json:"message,omitempty"`
	// URL is a permalink, or the fetched URL for a bundle.
	URL string `json:"url,omitempty"`
	// Origin is where a source map traced a bundle location back to.
	Origin *Origin `json:"origin,omitempty"`
	// Exposure marks a location that ships to browsers ("public-bundle").
	Exposure string `json:"exposure,omitempty"`
	// Variable names the environment variable that put the secret there.
	Variable string `json:"variable,omitempty"`
	// Repository is the repository ("owner/name") the place is in, when a scan reads
	// several (an org scan).
	Repository string `json:"repository,omitempty"`
	// Context is a short piece of the line around the secret, with the secret redacted:
	// where it sits in a megabyte-long minified line. Set by the sources that read such
	// lines (scanner/web).
	Context string `json:"context,omitempty"`
	// Blob is the git object id of the content the secret was found in: with no commit or
	// path, the place of a blob that no commit could be found for.
	Blob string `json:"blob,omitempty"`
	// Encoding names how the secret was written there when not plainly: "base64", "url",
	// "escape", "concat", "shell", or a chain of them outermost first ("base64+base64").
	// Line and Column then point at the encoded text (a split value: its first piece).
	Encoding string `json:"encoding,omitempty"`
}

// Origin is a place in an original source file.
type Origin struct {
	Path   string `json:"path"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// Exposure values.
const ExposurePublicBundle = "public-bundle"

// Fingerprint is the stable identity of a secret found by a rule: the first 32 hex
// characters of sha256(rule + ":" + secret). It survives edits and moves, so baselines and
// issues keep finding it.
func Fingerprint(rule, secret string) string {
	sum := sha256.Sum256([]byte(rule + ":" + secret))
	return hex.EncodeToString(sum[:])[:32]
}

// Shown returns the secret as it may be written: in full when show is set, else redacted.
func (f *Finding) Shown(show bool) string {
	switch {
	case show:
		return f.Secret
	case f.Redacted != "":
		return f.Redacted
	}
	return rules.Redact(f.Secret, "")
}

// First returns the earliest location.
func (f *Finding) First() Location {
	if len(f.Locations) == 0 {
		return Location{}
	}
	return f.Locations[0]
}

// SortLocations orders locations earliest first: by date where known, then by place. It also
// drops exact duplicates.
func (f *Finding) SortLocations() {
	sort.SliceStable(f.Locations, func(i, j int) bool { return locationLess(f.Locations[i], f.Locations[j]) })
	out := f.Locations[:0]
	for i, l := range f.Locations {
		if i > 0 && sameLocation(out[len(out)-1], l) {
			continue
		}
		out = append(out, l)
	}
	f.Locations = out
}

func locationLess(a, b Location) bool {
	if a.Date != b.Date {
		if a.Date == "" || b.Date == "" {
			return a.Date != ""
		}
		return a.Date < b.Date
	}
	if c := strings.Compare(a.Repository, b.Repository); c != 0 {
		return c < 0
	}
	if c := strings.Compare(a.URL, b.URL); c != 0 {
		return c < 0
	}
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c < 0
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	return a.Commit < b.Commit
}

func sameLocation(a, b Location) bool {
	return a.Path == b.Path && a.Line == b.Line && a.Column == b.Column && a.Commit == b.Commit && a.URL == b.URL &&
		a.Repository == b.Repository && a.Encoding == b.Encoding
}

// Level returns the finding's confidence as a rules.Confidence (0 when unknown, as in a
// report written before findings carried one).
func (f *Finding) Level() rules.Confidence {
	c, err := rules.ParseConfidence(f.Confidence)
	if err != nil {
		return 0
	}
	return c
}

// SortFindings orders findings by their first location, then by rule and fingerprint, so
// reports are stable from run to run.
func SortFindings(fs []*Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].First(), fs[j].First()
		if !sameLocation(a, b) || a.Date != b.Date {
			return locationLess(a, b)
		}
		if fs[i].Rule != fs[j].Rule {
			return fs[i].Rule < fs[j].Rule
		}
		return fs[i].Fingerprint < fs[j].Fingerprint
	})
}

// Stats counts what a scan read.
type Stats struct {
	Commits int64 `json:"commits"`
	Blobs   int64 `json:"blobs"`
	Files   int64 `json:"files"`
	URLs    int64 `json:"urls,omitempty"` // pages and scripts a crawl read
	Bytes   int64 `json:"bytes"`
	Skipped int64 `json:"skipped,omitempty"`
	// Limits counts, per bound (a scanner.Limit), the places a bound kept from being read
	// in full.
	Limits     map[Limit]int64 `json:"limits,omitempty"`
	Errors     int64           `json:"errors,omitempty"`
	DurationMS int64           `json:"duration_ms"`
	// History is set when the source counts commits (a git scan), so a report says
	// "0 commits" for a range that adds nothing. It is not written: JSON always has commits.
	History bool `json:"-"`

	// Baseline counts the findings the baseline hid: found again, known already.
	Baseline int64 `json:"baseline,omitempty"`

	// Repositories, for a scan of several repositories (an org scan), says what was read
	// of each, in the order of their names.
	Repositories []RepositoryStats `json:"repositories,omitempty"`
	// Shard is the share of an org's repositories the scan read ("2/8": shard 2 of 8),
	// when it read one share.
	Shard string `json:"shard,omitempty"`
}

// RepositoryStats is what a scan of several repositories read of one of them.
type RepositoryStats struct {
	// Repository is "owner/name".
	Repository string `json:"repository"`
	// Scan says what was read: ScanFull, ScanIncremental, ScanUnchanged, ScanEmpty or
	// ScanFailed.
	Scan    string `json:"scan"`
	Commits int64  `json:"commits"`
	Blobs   int64  `json:"blobs"`
	Bytes   int64  `json:"bytes"`
	// Findings counts the distinct secrets found in the repository.
	Findings int   `json:"findings"`
	Errors   int64 `json:"errors,omitempty"`
	// Error says why the repository could not be read, when it could not.
	Error      string `json:"error,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}

// What a scan of several repositories read of one (RepositoryStats.Scan).
const (
	// ScanFull: the whole history, a first scan or one after the rules changed.
	ScanFull = "full"
	// ScanIncremental: only what earlier scans had not read.
	ScanIncremental = "incremental"
	// ScanUnchanged: nothing new since the last scan.
	ScanUnchanged = "unchanged"
	// ScanEmpty: the repository holds no commit.
	ScanEmpty = "empty"
	// ScanFailed: the repository could not be fetched or read.
	ScanFailed = "failed"
)
