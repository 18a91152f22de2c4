package scanner

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
)

// Kind says what a chunk is, for the stats.
type Kind int

// Chunk kinds.
const (
	KindFile  Kind = iota // a file on disk or stdin
	KindBlob              // a git blob
	KindPage              // something fetched over HTTP
	KindOther             // counted in bytes only
)

// Chunk is bytes plus where they came from. A source sets Data and Location, or Err (a place
// it could not read) or Skipped (a place it chose not to read, with the reason).
type Chunk struct {
	Data     []byte
	Kind     Kind
	Location Location
	// LineOffset is added to the line of every match: Data starts that many lines into the
	// file it is part of.
	LineOffset int
	// Annotate, when set, refines the location of each match: a source map's origin, the
	// environment variable that put the secret there.
	Annotate func(data []byte, m rules.Match, loc *Location)
	// Err is a problem reading Location; Data is empty. The scan goes on and ends with
	// exit status 2.
	Err error
	// Skipped says why Location was not read (binary, too large); Data is empty.
	Skipped string
	// Quiet marks a skip worth only a debug line (it is counted all the same): a history
	// holds many binary and large blobs, and naming each at info level buries the log.
	Quiet bool
	// Limit names the bound that made the source skip Location, when a bound did: the
	// command says which of its settings raises it.
	Limit Limit
	// Done, when set, is called once the engine no longer needs Data.
	Done func()
	// Size, when set, is the number of bytes the chunk stands for, for the stats: a source
	// that hands over only part of what it read (the lines worth matching) sets it.
	Size int64
	// LineMap, when set, gives for each line of Data (LineMap[0] for line 1) its line
	// number in the content the chunk came from: Data holds selected lines only.
	LineMap []int32
	// Scanned, when set, is called with the chunk's matches once they are known, before
	// Done; a source may learn from it which lines are worth matching again.
	Scanned func(matches []rules.Match)
}

// Limit names a bound a source keeps on what it reads, so that a chunk skipped because of it
// can say which one; sources describe the bound in their own words and the command, which
// knows its flags, adds how to raise it (Options.Hint).
type Limit string

// The bounds sources keep.
const (
	// LimitFileSize bounds one file, blob, staged file or response.
	LimitFileSize Limit = "file-size"
	// LimitTotalBytes bounds everything a crawl reads.
	LimitTotalBytes Limit = "total-bytes"
	// LimitPages bounds how many URLs a crawl fetches.
	LimitPages Limit = "pages"
	// LimitDepth bounds how many links a crawl follows from its start pages.
	LimitDepth Limit = "depth"
	// LimitHost keeps a crawl on the hosts it was allowed.
	LimitHost Limit = "host"
)

// Source turns something into chunks. It only reads; it never matches. Scan calls emit for
// every chunk and returns a fatal error only (nothing could be read at all); problems with
// single places are reported as chunks with Err set.
type Source interface {
	Scan(ctx context.Context, emit func(Chunk) error) error
}

// Resolver is implemented by sources whose chunks need a second pass to place findings: a
// git source scans each blob once and then finds the commits and paths that hold the
// blobs with findings. Resolve replaces or completes the findings' locations.
type Resolver interface {
	Resolve(ctx context.Context, findings []*Finding) error
}

// Counter is implemented by sources that count commits.
type Counter interface {
	Commits() int64
}

// Problem is a place the scan could not read.
type Problem struct {
	Where string
	Err   error
}

// Result is what a scan found and read.
type Result struct {
	Findings []*Finding
	Stats    Stats
	Problems []Problem
}

// Options configure an Engine.
type Options struct {
	// Rules is the matcher with its global allowlist. Required.
	Rules *rules.Set
	// Jobs is how many chunks are matched at once; 0 means all cores.
	Jobs int
	// Baseline hides findings whose fingerprint it holds.
	Baseline Baseline
	// Redactor learns every secret found, so later log lines and errors can be redacted.
	Redactor *rules.Redactor
	// Logger receives skip and problem lines.
	Logger zerolog.Logger
	// Progress, when set, is told the bytes of each chunk as it is scanned.
	Progress func(bytes int64)
	// Hint, when set, says what a person can do about a chunk that was skipped or could not
	// be read (which setting raises the limit it hit, say); it is logged beside the line.
	// Without it, or when it says nothing, an error's own Hint method is used.
	Hint func(Chunk) string
}

// Engine runs sources through the matcher.
type Engine struct {
	opts Options
}

// New returns an engine.
func New(opts Options) (*Engine, error) {
	if opts.Rules == nil {
		return nil, errors.New("scanner: no rules")
	}
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.GOMAXPROCS(0)
	}
	if opts.Redactor == nil {
		opts.Redactor = &rules.Redactor{}
	}
	return &Engine{opts: opts}, nil
}

type collector struct {
	mu       sync.Mutex
	findings map[string]*Finding
	problems []Problem
	stats    Stats
}

// Run scans everything src yields and returns the findings, one per distinct secret. The
// error is fatal (the source could not be read at all, or ctx ended); problems with single
// places are in Result.Problems.
func (e *Engine) Run(ctx context.Context, src Source) (*Result, error) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	col := &collector{findings: map[string]*Finding{}}
	chunks := make(chan Chunk, e.opts.Jobs*2)
	var wg sync.WaitGroup
	for i := 0; i < e.opts.Jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				e.scanChunk(c, col)
			}
		}()
	}
	srcErr := src.Scan(ctx, func(c Chunk) error {
		if c.Err != nil || c.Skipped != "" {
			e.note(c, col)
			if c.Done != nil {
				c.Done()
			}
			return nil
		}
		if e.opts.Rules.AllowsPath(c.Location.Path) || e.opts.Rules.AllowsCommit(c.Location.Commit) {
			e.opts.Logger.Debug().Str("path", c.Location.Path).Msg("allowlisted, not scanned")
			if c.Done != nil {
				c.Done()
			}
			return nil
		}
		select {
		case chunks <- c:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(chunks)
	wg.Wait()
	if srcErr != nil {
		return nil, srcErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	findings := make([]*Finding, 0, len(col.findings))
	for _, f := range col.findings {
		findings = append(findings, f)
	}
	if r, ok := src.(Resolver); ok && len(findings) > 0 {
		if err := r.Resolve(ctx, findings); err != nil {
			return nil, fmt.Errorf("placing findings: %w", err)
		}
	}
	findings, col.stats.Baseline = e.filter(findings)
	for _, f := range findings {
		f.SortLocations()
	}
	SortFindings(findings)
	if c, ok := src.(Counter); ok {
		col.stats.Commits = c.Commits()
		col.stats.History = true
	}
	col.stats.DurationMS = time.Since(start).Milliseconds()
	return &Result{Findings: findings, Stats: col.stats, Problems: col.problems}, nil
}

// note records a chunk the source could not or would not read.
func (e *Engine) note(c Chunk, col *collector) {
	where := c.Location.Where()
	hint := e.hint(c)
	col.mu.Lock()
	defer col.mu.Unlock()
	if c.Limit != "" {
		if col.stats.Limits == nil {
			col.stats.Limits = map[Limit]int64{}
		}
		col.stats.Limits[c.Limit]++
	}
	if c.Err != nil {
		col.stats.Errors++
		msg := e.opts.Redactor.Redact(c.Err.Error())
		col.problems = append(col.problems, Problem{Where: where, Err: errors.New(msg)})
		ev := e.opts.Logger.Error().Str("where", where)
		if hint != "" {
			ev = ev.Str("hint", hint)
		}
		ev.Msg(msg)
		return
	}
	col.stats.Skipped++
	ev := e.opts.Logger.Info()
	if c.Quiet {
		ev = e.opts.Logger.Debug()
	}
	ev = ev.Str("where", where)
	if hint != "" {
		ev = ev.Str("hint", hint)
	}
	ev.Msg("skipped: " + c.Skipped)
}

// hint says what to do about a skipped or unreadable chunk: the command's word first, then
// the error's own.
func (e *Engine) hint(c Chunk) string {
	if e.opts.Hint != nil {
		if h := e.opts.Hint(c); h != "" {
			return e.opts.Redactor.Redact(h)
		}
	}
	var h interface{ Hint() string }
	if c.Err != nil && errors.As(c.Err, &h) {
		return e.opts.Redactor.Redact(h.Hint())
	}
	return ""
}

// find matches one chunk. A failure of the matcher (a bug, on input it was not written for)
// is kept to its chunk: the chunk is reported as a problem, which the exit status tells,
// and the other chunks are scanned, so that one file never costs the findings of all.
func (e *Engine) find(c Chunk) (ms []rules.Match, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the matcher failed on this input and did not scan it (%v); please report it", p)
			e.opts.Logger.Debug().Str("where", c.Location.Where()).Bytes("stack", debug.Stack()).Msg("matcher failure")
		}
	}()
	if c.LineMap != nil {
		// Lines selected from a blob: the first is not the blob's first line.
		return findLines(e.opts.Rules, c.Data, c.Location.Path), nil
	}
	return findChunk(e.opts.Rules, c.Data, c.Location.Path), nil
}

// findChunk and findLines are the matcher's entries; a test makes them fail.
var findChunk, findLines = (*rules.Set).Find, (*rules.Set).FindLines

func (e *Engine) scanChunk(c Chunk, col *collector) {
	if c.Done != nil {
		defer c.Done()
	}
	n := int64(len(c.Data))
	if c.Size > 0 {
		n = c.Size
	}
	matches, err := e.find(c)
	if err != nil {
		if e.opts.Progress != nil {
			e.opts.Progress(n)
		}
		c.Err = err
		e.note(c, col)
		return
	}
	if c.Scanned != nil {
		c.Scanned(matches)
	}
	if e.opts.Progress != nil {
		e.opts.Progress(n)
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	switch c.Kind {
	case KindFile:
		col.stats.Files++
	case KindBlob:
		col.stats.Blobs++
	case KindPage:
		col.stats.URLs++
	}
	col.stats.Bytes += n
	for _, m := range matches {
		loc := c.Location
		loc.Line = m.Line + c.LineOffset
		if c.LineMap != nil && m.Line >= 1 && m.Line <= len(c.LineMap) {
			loc.Line = int(c.LineMap[m.Line-1])
		}
		loc.Column = m.Column
		loc.Encoding = m.Encoding
		if c.Annotate != nil {
			c.Annotate(c.Data, m, &loc)
		}
		fp := Fingerprint(m.Rule.ID, m.Secret)
		f, ok := col.findings[fp]
		redacted := m.Redacted
		if redacted == "" {
			redacted = m.Rule.Redact(m.Secret)
		}
		if !ok {
			f = &Finding{
				Rule: m.Rule.ID, Provider: m.Rule.Provider, Secret: m.Secret,
				Redacted: redacted, Fingerprint: fp,
			}
			col.findings[fp] = f
			// Logs get the secret's own redacted form: a password's URL would garble them.
			e.opts.Redactor.Add(m.Secret, m.Rule.Redact(m.Secret))
		} else if redacted < f.Redacted {
			f.Redacted = redacted // the same, whichever chunk came first
		}
		if m.Confidence > f.Level() {
			f.Confidence = m.Confidence.String()
		}
		if f.Companion == "" && m.Companion != "" {
			f.Companion = m.Companion
			e.opts.Redactor.Add(m.Companion, rules.Redact(m.Companion, ""))
		}
		f.Locations = append(f.Locations, loc)
	}
}

// filter drops locations that the rules exclude once places are known (allowlists by path
// and commit, a rule's path, the ignore list: sources that learn paths only when resolving
// need it) and findings the baseline holds or that have no location left; then it merges
// the findings of one secret by several rules into that of the most specific rule. known
// counts the findings the baseline hid.
func (e *Engine) filter(fs []*Finding) (out []*Finding, known int64) {
	set := e.opts.Rules
	out = fs[:0]
	for _, f := range fs {
		if e.opts.Baseline.Has(f.Fingerprint) {
			known++
			continue
		}
		locs := f.Locations[:0]
		for _, l := range f.Locations {
			if set.Excludes(f.Rule, f.Secret, rules.Place{Path: l.Path, Commit: l.Commit, Line: l.Line, Unplaced: l.Path == "" && l.Blob != ""}) {
				continue
			}
			locs = append(locs, l)
		}
		f.Locations = locs
		if len(locs) > 0 {
			out = append(out, f)
		}
	}
	return mergeBySecret(set, out), known
}

// mergeBySecret folds findings of one secret by several rules into one, that of the most
// specific rule (rules.MoreSpecific), with every location. The matcher does so within a
// chunk; a secret that two rules each found only in different chunks meets here.
func mergeBySecret(set *rules.Set, fs []*Finding) []*Finding {
	bySecret := make(map[string]*Finding, len(fs))
	dup := false
	for _, f := range fs {
		g, ok := bySecret[f.Secret]
		if !ok {
			bySecret[f.Secret] = f
			continue
		}
		dup = true
		if moreSpecific(set, f.Rule, g.Rule) {
			bySecret[f.Secret] = f
		}
	}
	if !dup {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if w := bySecret[f.Secret]; w != f {
			w.Locations = append(w.Locations, f.Locations...)
			if w.Companion == "" {
				w.Companion = f.Companion
			}
			continue
		}
		out = append(out, f)
	}
	return out
}

// moreSpecific reports whether rule a keeps a secret that rule b found too; ids the set
// does not know (it always knows them) fall back to their order.
func moreSpecific(set *rules.Set, a, b string) bool {
	ra, rb := set.Rule(a), set.Rule(b)
	if ra == nil || rb == nil {
		return a < b
	}
	return rules.MoreSpecific(ra, rb)
}

// Where names a location for people: a URL, or a commit and path, or a path.
func (l Location) Where() string {
	switch {
	case l.URL != "" && l.Commit == "":
		return l.URL
	case l.Commit != "" && l.Path != "":
		return ShortSHA(l.Commit) + ":" + l.Path
	case l.Commit != "":
		return ShortSHA(l.Commit)
	case l.Blob != "" && l.Path == "":
		return "blob " + ShortSHA(l.Blob)
	}
	return l.Path
}

// ShortSHA abbreviates a git object id for people, as git's own 12-character form does.
func ShortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
