package org

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize/english"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/leakstop/leakstop/scanner"
)

// ScanFunc scans the history of the bare repository at dir, leaving out what is reachable
// from the commits of since (none: everything), and logs to log. The command builds the
// engine and the git source for it.
type ScanFunc func(ctx context.Context, dir string, since []string, log zerolog.Logger) (*scanner.Result, error)

// Options configure Run.
type Options struct {
	// Target is whose repositories are scanned.
	Target Target
	// API lists them.
	API *Client
	// Credentials give git its token; nil means none (public repositories).
	Credentials Credentials
	// Filter and Shard pick the repositories of the listing that this run scans.
	Filter Filter
	Shard  Shard
	// Cache is the folder of the mirrors. Required.
	Cache string
	// State, when set, is what earlier runs scanned: each repository is read only as far
	// as they had not, and recorded as soon as it is done.
	State *State
	// Digest names the rules and the settings that change what a scan finds; a repository
	// scanned with another digest is scanned in full again.
	Digest string
	// RepoJobs is how many repositories are fetched and scanned at once; 0 means 1.
	RepoJobs int
	// Scan scans one mirror. Required.
	Scan ScanFunc
	// Log receives a line per repository and what was done about renamed, deleted and
	// force-pushed ones.
	Log zerolog.Logger
	// Listed, when set, is told how many repositories the run will scan, once it knows.
	Listed func(total int)
	// Progress, when set, is told after each repository how many are done and how many
	// distinct secrets are known so far.
	Progress func(done, findings int)
	// Env is the environment git runs in; nil means the process's own.
	Env []string
}

// maxSinceTips bounds the commits a scan is told to leave out: a repository with many more
// refs than that (a ref per pull request) is scanned from the tips of its branches and tags
// first, then of its other refs up to the bound; what the others alone held is read again,
// never missed.
const maxSinceTips = 4096

// run is one Run's shared state.
type run struct {
	o       Options
	mirrors *mirrors

	mu       sync.Mutex
	findings map[string]*scanner.Finding
	stats    scanner.Stats
	problems []scanner.Problem
	done     int
}

// Run lists the target's repositories, keeps those of the filter and the shard, brings
// each one's mirror up to date and scans what is new in it, RepoJobs at a time, and returns
// one result: a finding per distinct secret with its places in every repository
// (Location.Repository), the stats summed with a line per repository
// (Stats.Repositories), and a problem per repository that could not be fetched or read.
// The error is fatal: the listing failed, the state could not be written, or ctx ended;
// the state then holds every repository that was done.
func Run(ctx context.Context, o Options) (*scanner.Result, error) {
	start := time.Now()
	if o.Scan == nil || o.API == nil || o.Cache == "" {
		return nil, errors.New("org: Scan, API and Cache are required")
	}
	r := &run{o: o, findings: map[string]*scanner.Finding{}}
	r.mirrors = &mirrors{dir: o.Cache, env: o.Env}
	if o.Credentials != nil {
		r.mirrors.token = o.Credentials.Token
	}
	listed, err := o.API.List(ctx, o.Target)
	if err != nil {
		return nil, err
	}
	repos, all := r.choose(listed)
	if err := r.forget(all); err != nil {
		return nil, err
	}
	if o.Listed != nil {
		o.Listed(len(repos))
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(o.RepoJobs, 1))
	for _, repo := range repos {
		g.Go(func() error { return r.one(gctx, repo) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r.result(start), nil
}

// choose keeps the repositories of the listing that the filter and the shard take, and
// says how many were left out and why. all is every repository listed, by id.
func (r *run) choose(listed []Repo) (repos []Repo, all map[int64]Repo) {
	all = make(map[int64]Repo, len(listed))
	out := map[string]int{}
	others := 0
	for _, repo := range listed {
		all[repo.ID] = repo
		if ok, why := r.o.Filter.Keep(repo); !ok {
			out[why]++
			r.o.Log.Debug().Str("repository", repo.FullName).Msg("left out: " + why)
			continue
		}
		if !r.o.Shard.Holds(repo.FullName) {
			others++
			continue
		}
		repos = append(repos, repo)
	}
	ev := r.o.Log.Info().Int("listed", len(listed)).Int("scanning", len(repos))
	if !r.o.Shard.All() {
		ev = ev.Str("shard", r.o.Shard.String()).Int("other_shards", others)
	}
	for _, why := range []string{OutExcluded, OutFork, OutArchived, OutTooLarge} {
		if out[why] > 0 {
			ev = ev.Int(strings.ReplaceAll(why, " ", "_"), out[why])
		}
	}
	ev.Msg(fmt.Sprintf("%s of %s", english.Plural(len(repos), "repository", "repositories"), r.o.Target))
	return repos, all
}

// forget drops from the state, and from the cache, the repositories the listing no longer
// holds (deleted, or no longer readable with these credentials) and those now in another
// shard (renamed); and it takes into the result the findings that an earlier run scanned
// but did not report (it was killed first).
func (r *run) forget(all map[int64]Repo) error {
	st := r.o.State
	if st == nil {
		return nil
	}
	for _, id := range st.IDs() {
		rec, err := st.Get(id)
		if err != nil || rec == nil {
			if err != nil {
				return err
			}
			continue
		}
		if len(rec.Pending) > 0 {
			r.o.Log.Info().Str("repository", rec.FullName).Int("findings", len(rec.Pending)).
				Msg("findings of an earlier run that ended before its report: reported now")
			for _, p := range rec.Pending {
				if p.Finding != nil {
					r.merge([]*scanner.Finding{p.Finding})
				}
			}
		}
		repo, listed := all[id]
		switch {
		case !listed:
			r.o.Log.Warn().Str("repository", rec.FullName).
				Msg("no longer listed (deleted, or not readable with these credentials): its state and mirror are dropped")
		case !r.o.Shard.Holds(repo.FullName):
			r.o.Log.Info().Str("repository", repo.FullName).Str("was", rec.FullName).Int("shard", r.o.Shard.Of(repo.FullName)).
				Msg("now in another shard (renamed): its state and mirror are dropped here")
		default:
			continue
		}
		if err := st.Forget(id, rec.FullName); err != nil {
			return err
		}
		for _, host := range r.hosts(rec, repo) {
			dir := r.mirrors.path(host, id)
			if err := os.RemoveAll(dir); err != nil {
				r.o.Log.Warn().Str("mirror", dir).Err(err).Msg("could not remove the mirror")
			}
		}
	}
	return nil
}

// hosts are the hosts whose cache folders may hold the mirror of a forgotten repository.
func (r *run) hosts(rec *Record, repo Repo) []string {
	var hs []string
	if repo.CloneURL != "" {
		if u, err := url.Parse(repo.CloneURL); err == nil {
			hs = append(hs, u.Host)
		}
	}
	entries, _ := os.ReadDir(r.o.Cache)
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(r.o.Cache, e.Name(), strconv.FormatInt(rec.ID, 10)+".git")); err == nil {
				hs = append(hs, e.Name())
			}
		}
	}
	return hs
}

// cloneURL checks the URL the API gave for a repository: https (or http, for a server on
// loopback or a GitHub Enterprise without TLS), a host, no credentials, nothing git would
// run or read from disk.
func cloneURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("the API gives no http(s) clone URL for it (%q)", raw)
	}
	return u, nil
}

// one brings the mirror of repo up to date, scans what is new, records it in the state and
// merges its findings. A repository that cannot be fetched or scanned is a problem of the
// result; only a state that cannot be written (or ctx) ends the run.
func (r *run) one(ctx context.Context, repo Repo) error {
	start := time.Now()
	log := r.o.Log.With().Str("repository", repo.FullName).Logger()
	rs := scanner.RepositoryStats{Repository: repo.FullName}
	fail := func(err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rs.Scan, rs.Error = scanner.ScanFailed, err.Error()
		rs.DurationMS = time.Since(start).Milliseconds()
		ev := log.Error().Err(err)
		var h interface{ Hint() string }
		if errors.As(err, &h) {
			ev = ev.Str("hint", h.Hint())
		}
		ev.Msg("repository not scanned")
		r.add(rs, nil, []scanner.Problem{{Where: repo.FullName, Err: err}})
		return nil
	}
	u, err := cloneURL(repo.CloneURL)
	if err != nil {
		return fail(err)
	}
	dir := r.mirrors.path(u.Host, repo.ID)
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fail(fmt.Errorf("making the mirror folder: %w", err))
	}
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		return fail(fmt.Errorf("mirror %s: %w", dir, err))
	}
	defer unlock()

	var old *Record
	if r.o.State != nil {
		if old, err = r.o.State.Get(repo.ID); err != nil {
			return err
		}
	}
	if old != nil && old.FullName != repo.FullName {
		log.Info().Str("was", old.FullName).Msg("renamed (the same repository): its mirror and state are kept")
	}
	cloned, err := r.mirrors.sync(ctx, repo.CloneURL, dir)
	if err != nil {
		return fail(err)
	}
	refs, err := tips(ctx, dir)
	if err != nil {
		return fail(err)
	}
	rs.Scan = scanner.ScanFull
	since, err := r.since(ctx, log, dir, old, refs)
	if err != nil {
		return fail(err)
	}
	if since != nil {
		rs.Scan = scanner.ScanIncremental
	}
	var res *scanner.Result
	switch {
	case len(refs) == 0:
		rs.Scan = scanner.ScanEmpty
	case since != nil && unchanged(old, refs):
		rs.Scan = scanner.ScanUnchanged
	default:
		if res, err = r.o.Scan(ctx, dir, since, log); err != nil {
			return fail(err)
		}
	}
	var found []*scanner.Finding
	var problems []scanner.Problem
	if res != nil {
		found = res.Findings
		annotate(found, repo)
		for _, p := range res.Problems {
			problems = append(problems, scanner.Problem{Where: repo.FullName + ": " + p.Where, Err: p.Err})
		}
		rs.Commits, rs.Blobs, rs.Bytes, rs.Errors = res.Stats.Commits, res.Stats.Blobs, res.Stats.Bytes, res.Stats.Errors
		r.addStats(res.Stats)
	}
	rs.Findings = len(found)
	rs.DurationMS = time.Since(start).Milliseconds()
	if r.o.State != nil {
		rec := &Record{ID: repo.ID, FullName: repo.FullName, Digest: r.o.Digest, ScannedAt: time.Now().UTC(), Refs: refs}
		if old != nil {
			rec.Pending = old.Pending
			if len(problems) > 0 {
				// What could not be read is read again next time: the tips stay as they were.
				rec.Digest, rec.Refs, rec.ScannedAt = old.Digest, old.Refs, old.ScannedAt
			}
		} else if len(problems) > 0 {
			rec.Refs = nil
		}
		for _, f := range found {
			rec.Pending = append(rec.Pending, PendingFinding{Finding: f})
		}
		if err := r.o.State.Put(rec); err != nil {
			return err
		}
	}
	ev := log.Info().Str("scan", rs.Scan).Int64("commits", rs.Commits).Int64("blobs", rs.Blobs).Int("findings", rs.Findings).Dur("took", time.Since(start))
	if cloned {
		ev = ev.Bool("cloned", true)
	}
	ev.Msg("repository scanned")
	r.add(rs, found, problems)
	return nil
}

// since returns the commits an incremental scan of the mirror at dir leaves out: the tips
// its last scan read from that the mirror still holds. It is nil for a scan of everything:
// a repository never scanned, scanned with other rules, or none of whose scanned commits is
// left. It says what became of refs that were force-pushed.
func (r *run) since(ctx context.Context, log zerolog.Logger, dir string, old *Record, refs map[string]string) ([]string, error) {
	if old == nil || old.Refs == nil {
		return nil, nil
	}
	if old.Digest != r.o.Digest {
		log.Info().Msg("the rules changed since its last scan: all of it is scanned again")
		return nil, nil
	}
	var tipList []string
	seen := map[string]bool{}
	for _, c := range old.Refs {
		if !seen[c] {
			seen[c] = true
			tipList = append(tipList, c)
		}
	}
	have, err := present(ctx, dir, tipList)
	if err != nil {
		return nil, err
	}
	if len(have) < len(tipList) {
		log.Info().Int("gone", len(tipList)-len(have)).Msg("some commits scanned before are gone from the repository (force-pushed away, or the refs deleted)")
	}
	for _, ref := range slices.Sorted(maps.Keys(refs)) {
		was, now := old.Refs[ref], refs[ref]
		if was == "" || was == now || !(strings.HasPrefix(ref, "refs/heads/") || strings.HasPrefix(ref, "refs/tags/")) {
			continue
		}
		if !have[was] || !ancestor(ctx, dir, was, now) {
			log.Info().Str("ref", ref).Str("was", scanner.ShortSHA(was)).Str("now", scanner.ShortSHA(now)).
				Msg("force-pushed: the commits it holds now that were not scanned are scanned")
		}
	}
	if len(have) == 0 {
		log.Info().Msg("none of the commits scanned before is left: all of it is scanned again")
		return nil, nil
	}
	// Branches and tags first, then the other refs, up to the bound.
	keep := make([]string, 0, min(len(have), maxSinceTips))
	kept := map[string]bool{}
	for pass := 0; pass < 2; pass++ {
		for _, ref := range slices.Sorted(maps.Keys(old.Refs)) {
			c := old.Refs[ref]
			main := strings.HasPrefix(ref, "refs/heads/") || strings.HasPrefix(ref, "refs/tags/")
			if main != (pass == 0) || !have[c] || kept[c] || len(keep) >= maxSinceTips {
				continue
			}
			kept[c] = true
			keep = append(keep, c)
		}
	}
	return keep, nil
}

// unchanged reports whether every ref points at a commit the last scan read from: there is
// nothing new to read.
func unchanged(old *Record, refs map[string]string) bool {
	tipSet := map[string]bool{}
	for _, c := range old.Refs {
		tipSet[c] = true
	}
	for _, c := range refs {
		if !tipSet[c] {
			return false
		}
	}
	return true
}

// annotate names the repository on each location, and gives a place in a commit its
// permalink on GitHub.
func annotate(fs []*scanner.Finding, repo Repo) {
	for _, f := range fs {
		for i := range f.Locations {
			l := &f.Locations[i]
			l.Repository = repo.FullName
			if l.URL == "" && l.Commit != "" && l.Path != "" && repo.HTMLURL != "" {
				l.URL = permalink(repo.HTMLURL, l.Commit, l.Path, l.Line)
			}
		}
	}
}

// permalink is the link to a line of a file at a commit on GitHub.
func permalink(htmlURL, commit, path string, line int) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := strings.TrimRight(htmlURL, "/") + "/blob/" + url.PathEscape(commit) + "/" + strings.Join(segs, "/")
	if line > 0 {
		u += "#L" + strconv.Itoa(line)
	}
	return u
}

// merge folds findings into the run's: one per fingerprint, with every location.
func (r *run) merge(fs []*scanner.Finding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mergeLocked(fs)
}

func (r *run) mergeLocked(fs []*scanner.Finding) {
	for _, f := range fs {
		g, ok := r.findings[f.Fingerprint]
		if !ok {
			c := *f
			c.Locations = slices.Clone(f.Locations)
			r.findings[f.Fingerprint] = &c
			continue
		}
		g.Locations = append(g.Locations, f.Locations...)
		if g.Companion == "" {
			g.Companion = f.Companion
		}
		if g.Redacted == "" || (f.Redacted != "" && f.Redacted < g.Redacted) {
			g.Redacted = f.Redacted
		}
	}
}

// addStats adds what one repository's scan read to the run's stats.
func (r *run) addStats(s scanner.Stats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	AddStats(&r.stats, s)
}

// AddStats adds the counts of s to sum: what was read, skipped, limited, and the findings
// the baseline hid. Durations and the lists of repositories are left to the caller.
func AddStats(sum *scanner.Stats, s scanner.Stats) {
	sum.Commits += s.Commits
	sum.Blobs += s.Blobs
	sum.Files += s.Files
	sum.URLs += s.URLs
	sum.Bytes += s.Bytes
	sum.Skipped += s.Skipped
	sum.Errors += s.Errors
	sum.Baseline += s.Baseline
	sum.History = sum.History || s.History
	for k, v := range s.Limits {
		if sum.Limits == nil {
			sum.Limits = map[scanner.Limit]int64{}
		}
		sum.Limits[k] += v
	}
}

// add records one repository done.
func (r *run) add(rs scanner.RepositoryStats, found []*scanner.Finding, problems []scanner.Problem) {
	r.mu.Lock()
	r.mergeLocked(found)
	r.stats.Repositories = append(r.stats.Repositories, rs)
	r.problems = append(r.problems, problems...)
	r.done++
	done, n := r.done, len(r.findings)
	r.mu.Unlock()
	if r.o.Progress != nil {
		r.o.Progress(done, n)
	}
}

// result is the run's merged result.
func (r *run) result(start time.Time) *scanner.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	fs := make([]*scanner.Finding, 0, len(r.findings))
	for _, f := range r.findings {
		f.SortLocations()
		fs = append(fs, f)
	}
	scanner.SortFindings(fs)
	st := r.stats
	st.History = true
	st.Shard = r.o.Shard.String()
	slices.SortFunc(st.Repositories, func(a, b scanner.RepositoryStats) int {
		return strings.Compare(strings.ToLower(a.Repository), strings.ToLower(b.Repository))
	})
	st.DurationMS = time.Since(start).Milliseconds()
	slices.SortStableFunc(r.problems, func(a, b scanner.Problem) int { return strings.Compare(a.Where, b.Where) })
	return &scanner.Result{Findings: fs, Stats: st, Problems: r.problems}
}
