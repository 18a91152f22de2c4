package git

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize/english"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
)

// Placing. A blob is read once, by its object id, before anything says where it sits; the
// places of the blobs that need them (those that matched, those skipped or unreadable) come
// from a walk of the history at the end of the scan. The walk runs inside Scan, once the
// engine has matched every chunk, so that what it cannot read is still reported as a
// problem (a chunk with Err), and what it finds out on the way (submodules, blobs the trees
// name that the object store lacks, a shallow history) is said once, in the log and the
// stats. Resolve then only rewrites the findings' locations.

// placement is where the blobs of a scan sit.
type placement struct {
	intros map[string][]intro
	// complete is set when the walk covered every commit of the scan: a blob it did not
	// place is reachable from no ref (garbage in the object store), and its findings go.
	// Otherwise such a blob keeps a location that names it, so that nothing is lost.
	complete bool
	// failed is what the walk reported it could not read: an object the listing found
	// unreadable too is one problem, the walk's.
	failed string
	// named are blobs that a ref names directly, not through a commit: they keep their
	// blob location.
	named map[string]bool
}

// maxHeld bounds the skipped or unreadable blobs held back to be named by path; past it,
// they are reported by object id at once, so that a history of a million images does not
// hold a million chunks.
const maxHeld = 100_000

// track wraps emit: it holds back the chunks of blobs that could not be read, and of those
// skipped when the log shows debug lines (where skips are named), to name them by path once
// the scan has placed them; and it counts the chunks the engine still holds, so that Scan
// can wait until every match is known. Skips are named only when the log shows them: a
// name costs a walk of the history.
func (s *Source) track(emit func(scanner.Chunk) error) func(scanner.Chunk) error {
	nameSkips := s.Logger.GetLevel() <= zerolog.DebugLevel && zerolog.GlobalLevel() <= zerolog.DebugLevel
	return func(c scanner.Chunk) error {
		if c.Err != nil || c.Skipped != "" {
			if c.Location.Blob != "" && c.Location.Path == "" && (c.Err != nil || nameSkips) && s.hold(c) {
				return nil
			}
			return emit(c)
		}
		s.inflight.Add(1)
		done := c.Done
		c.Done = func() {
			if done != nil {
				done()
			}
			s.inflight.Done()
		}
		return emit(c)
	}
}

// hold keeps c, a blob's skip or problem, to be placed; false when too many are held.
func (s *Source) hold(c scanner.Chunk) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.held) >= maxHeld {
		return false
	}
	s.held = append(s.held, c)
	if s.history != nil {
		s.history.start()
	}
	return true
}

// matched records the blob of a chunk that matched, and starts the git reader's history
// walk at the first match.
func (s *Source) matched(oid string, ms []rules.Match) {
	if len(ms) == 0 {
		return
	}
	s.mu.Lock()
	if s.targets == nil {
		s.targets = map[string]bool{}
	}
	s.targets[oid] = true
	s.mu.Unlock()
	if s.history != nil {
		s.history.start()
	}
}

// waitChunks waits until the engine is done with every chunk emitted (the engine tells
// each chunk's matches before its Done), so that the blobs that matched are all known.
func (s *Source) waitChunks(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// placeTargets returns the blobs to place: those that matched and those held back.
func (s *Source) placeTargets() map[string][]intro {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := make(map[string][]intro, len(s.targets)+len(s.held))
	for oid := range s.targets {
		t[oid] = nil
	}
	for _, c := range s.held {
		t[c.Location.Blob] = nil
	}
	return t
}

// finish ends a scan: it places the blobs that need places, and emits what the walk found
// out and the chunks held back, now named by path and commit.
func (s *Source) finish(ctx context.Context, repo *repository, emit func(scanner.Chunk) error) error {
	targets := s.placeTargets()
	var (
		p   = &placement{intros: targets, complete: true}
		err error
	)
	if s.reader() == readerGoGit {
		err = s.finishGoGit(ctx, repo, p, emit)
	} else {
		err = s.finishGit(ctx, repo, p, emit)
	}
	if err != nil {
		return err
	}
	if repo.all && p.complete && unplaced(p) {
		if err := s.placeRefTrees(ctx, repo, p); err != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := emit(scanner.Chunk{Location: scanner.Location{Path: repo.dir}, Err: fmt.Errorf("placing blobs that refs name through trees: %w", err)}); err != nil {
				return err
			}
			p.complete = false
		}
	}
	s.placed = p

	// What was held back, named by the first commit and path that brought it in.
	s.mu.Lock()
	held := s.held
	s.held = nil
	s.mu.Unlock()
	for _, c := range held {
		list := p.intros[c.Location.Blob]
		if len(list) == 0 && c.Err != nil && p.failed != "" && strings.Contains(p.failed, c.Location.Blob) {
			continue // the tree the walk could not read, reported by it
		}
		if len(list) > 0 {
			first := earliest(list)
			c.Location = first.location(c.Location)
			if more := len(list) - 1; more > 0 && c.Skipped != "" {
				c.Skipped += fmt.Sprintf(" (the same blob is at %s more)", english.Plural(more, "place", ""))
			}
		}
		if err := emit(c); err != nil {
			return err
		}
	}
	s.warnShallow(ctx, repo)
	return nil
}

// finishGit places targets for the git reader: from the walk that the first match (or
// skip) started, with the details of the commits found. It reports what the walk could not
// read, blobs the trees name that the object store lacks, and submodules.
func (s *Source) finishGit(ctx context.Context, repo *repository, p *placement, emit func(scanner.Chunk) error) error {
	h := s.history
	started, walkErr := h.wait(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	var links map[string]*commitInfo
	switch {
	case started:
		for blob := range p.intros {
			p.intros[blob] = h.intros[blob]
		}
		links = h.links
		s.commits = h.commits
	case len(p.intros) > 0:
		// No walk was started though something needs a place (cannot happen while every
		// match and skip starts it; kept so that placing never depends on it).
		walkErr = walkGit(ctx, repo, p.visitor(), &s.commits)
		started = true
	default:
		s.commits = h.count(ctx)
		var err error
		if links, err = tipLinks(ctx, repo); err != nil {
			if err := emit(scanner.Chunk{Location: scanner.Location{Path: repo.gitDir}, Err: fmt.Errorf("looking for submodules: %w", err)}); err != nil {
				return err
			}
		}
	}
	if repo.refsCut > 0 {
		p.complete = false // the refs left out may reach the blobs not placed
	}
	if walkErr != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		p.complete, p.failed = false, walkErr.Error()
		if err := emitWalkError(repo.gitDir, walkErr, emit); err != nil {
			return err
		}
	}
	if started {
		if err := describe(ctx, repo.gitDir, p.intros); err != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := emit(scanner.Chunk{Location: scanner.Location{Path: repo.gitDir}, Err: fmt.Errorf("reading the authors and dates of commits: %w (run git fsck)", err)}); err != nil {
				return err
			}
		}
		if err := s.missingBlobs(ctx, repo, h, walkErr == nil, emit); err != nil {
			return err
		}
	}
	h.intros = nil // the places of every blob are no longer needed
	return emitLinks(links, emit)
}

// emitWalkError reports a walk that did not end cleanly: one problem for each thing git
// said (a missing tree that many commits share is one), or one for the whole walk.
func emitWalkError(gitDir string, err error, emit func(scanner.Chunk) error) error {
	we, ok := err.(*walkError)
	if !ok {
		return emit(scanner.Chunk{Location: scanner.Location{Path: gitDir}, Err: fmt.Errorf("walking history: %w; findings the walk did not place keep the blob they were found in", err)})
	}
	for _, f := range we.failures {
		err := fmt.Errorf("walking history: %s (the repository may be corrupt: run git fsck); findings the walk did not place keep the blob they were found in", f.text())
		if err := emit(scanner.Chunk{Location: scanner.Location{Commit: f.commits[0]}, Err: err}); err != nil {
			return err
		}
	}
	if we.stopped != nil {
		return emit(scanner.Chunk{Location: scanner.Location{Path: gitDir}, Err: fmt.Errorf("walking history: %w", we.stopped)})
	}
	return nil
}

// missingBlobs reports the blobs the walk saw in trees that a full scan's listing of the
// object store did not hold: a blob deleted from the store leaves no trace in the listing,
// and its content was not scanned. It needs the whole walk and the whole listing.
func (s *Source) missingBlobs(ctx context.Context, repo *repository, h *histWalk, walked bool, emit func(scanner.Chunk) error) error {
	if !walked || !repo.full() || s.listed == nil || !s.listed.complete {
		return nil
	}
	s.listed.sort()
	var missing []string
	for blob := range h.intros {
		if !s.listed.has(blob) {
			missing = append(missing, blob)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	found := map[string][]intro{}
	for _, blob := range missing {
		found[blob] = h.intros[blob]
	}
	if err := describe(ctx, repo.gitDir, found); err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	for i, blob := range missing {
		if i == maxMissingNamed {
			err := fmt.Errorf("%s more that the trees name are missing from the object store (run git fsck)", english.Plural(len(missing)-i, "blob", ""))
			return emit(scanner.Chunk{Location: scanner.Location{Path: repo.gitDir}, Err: err})
		}
		loc := earliest(found[blob]).location(scanner.Location{Blob: blob})
		err := fmt.Errorf("blob %s is missing from the repository: its content was not scanned (run git fsck)", blob)
		if err := emit(scanner.Chunk{Location: loc, Err: err}); err != nil {
			return err
		}
	}
	return nil
}

// maxMissingNamed bounds the missing blobs named one by one; the rest are counted.
const maxMissingNamed = 100

// emitLinks says once per submodule path that it is not scanned: a submodule is a
// repository of its own, which the scan does not fetch.
func emitLinks(links map[string]*commitInfo, emit func(scanner.Chunk) error) error {
	for _, path := range slices.Sorted(maps.Keys(links)) {
		loc := scanner.Location{Path: path}
		if c := links[path]; c != nil {
			loc.Commit = c.sha
		}
		c := scanner.Chunk{Location: loc, Skipped: "submodule: a repository of its own, not scanned here; scan its repository on its own (its URL is in .gitmodules)"}
		if err := emit(c); err != nil {
			return err
		}
	}
	return nil
}

// tipLinks finds the submodules of the scan's tip (HEAD, or the end of the range) when no
// walk ran: a clean history is not walked, so only the submodules of its tip are named.
func tipLinks(ctx context.Context, repo *repository) (map[string]*commitInfo, error) {
	rev := "HEAD"
	if !repo.all && len(repo.include) > 0 {
		rev = repo.include[0]
	}
	sha, err := gitOutput(ctx, repo.gitDir, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return nil, nil // an empty repository: no tip, no submodule
	}
	sha = strings.TrimSpace(sha)
	links := map[string]*commitInfo{}
	tip := &commitInfo{sha: sha}
	err = lsTree(ctx, repo.gitDir, sha, func(mode, _, _, path string) {
		if mode == "160000" && len(links) < maxLinks {
			links[path] = tip
		}
	})
	return links, err
}

// lsTree tells visit each entry under tree, as `git ls-tree -r` lists them: the mode, type,
// object id and path (cut at maxToken bytes).
func lsTree(ctx context.Context, gitDir, tree string, visit func(mode, typ, oid, path string)) error {
	cmd := gitCmd(ctx, gitDir, "ls-tree", "-r", "-z", "--full-tree", tree)
	pipe, stderr, err := startReading(cmd)
	if err != nil {
		return err
	}
	defer pipe.Close()
	l := logReader{r: bufio.NewReaderSize(pipe, 64<<10), max: maxToken}
	for {
		tok, err := l.next()
		if err != nil {
			break
		}
		// "MODE TYPE OID\tPATH"
		head, path, ok := strings.Cut(string(tok), "\t")
		if f := strings.Fields(head); ok && len(f) == 3 && path != "" {
			visit(f[0], f[1], f[2], path)
		}
	}
	if err := cmd.Wait(); err != nil {
		return gitError("ls-tree", stderr, err)
	}
	return nil
}

// maxLinks bounds the submodule paths a scan names.
const maxLinks = 10_000

// earliest returns the introduction with the earliest date (then the smallest path and
// commit): the commit that brought a blob in first.
func earliest(list []intro) intro {
	best := list[0]
	for _, in := range list[1:] {
		if introLess(in, best) {
			best = in
		}
	}
	return best
}

func introLess(a, b intro) bool {
	ad, bd := a.commit.date, b.commit.date
	if ad != bd {
		if ad == "" || bd == "" {
			return ad != ""
		}
		return ad < bd
	}
	if a.path != b.path {
		return a.path < b.path
	}
	return a.commit.sha < b.commit.sha
}

// location is l placed at in: its path, commit, author, date and subject.
func (in intro) location(l scanner.Location) scanner.Location {
	l.Path = in.path
	if c := in.commit; c != nil {
		l.Commit = c.sha
		l.Author = c.author
		l.Email = c.email
		l.Date = c.date
		l.Message = c.subject
	}
	return l
}

// Resolve implements scanner.Resolver: it replaces each location that names a blob by one
// location per commit that introduced that blob at a path, with the commit's author, date
// and subject, and its permalink when the repository's origin is a known forge. A blob the
// scan could not place keeps its location, naming the blob, unless the walk was complete
// (then it is reachable from no ref scanned).
func (s *Source) Resolve(ctx context.Context, findings []*scanner.Finding) error {
	repo, err := s.open(ctx)
	if err != nil {
		return err
	}
	p := s.placed
	if p == nil {
		// Resolve without a scan before it (the engine always scans first).
		if p, err = s.placeNow(ctx, repo, findings); err != nil {
			return err
		}
	}
	links := s.linker(ctx, repo)
	for _, f := range findings {
		var locs []scanner.Location
		for _, l := range f.Locations {
			if l.Blob == "" {
				locs = append(locs, l)
				continue
			}
			list := p.intros[l.Blob]
			if len(list) == 0 && (!p.complete || p.named[l.Blob]) {
				locs = append(locs, l)
				continue
			}
			for _, in := range list {
				nl := in.location(l)
				if links != nil && nl.URL == "" {
					nl.URL = links.permalink(nl.Commit, nl.Path, nl.Line)
				}
				locs = append(locs, nl)
			}
		}
		f.Locations = locs
	}
	return nil
}

// placeNow places the blobs of findings with a walk of its own, for a Resolve that no scan
// came before. What the walk cannot read is an error here: there is no scan to report it in.
func (s *Source) placeNow(ctx context.Context, repo *repository, findings []*scanner.Finding) (*placement, error) {
	p := &placement{intros: map[string][]intro{}, complete: true}
	for _, f := range findings {
		for _, l := range f.Locations {
			if l.Blob != "" {
				p.intros[l.Blob] = nil
			}
		}
	}
	if len(p.intros) == 0 {
		return p, nil
	}
	if s.reader() == readerGoGit {
		return p, walkGoGit(ctx, repo, p.visitor())
	}
	var n int64
	if err := walkGit(ctx, repo, p.visitor(), &n); err != nil {
		return nil, err
	}
	return p, describe(ctx, repo.gitDir, p.intros)
}

// visitor records in p the introductions of the blobs p asks for.
func (p *placement) visitor() visitor {
	return visitor{blob: func(c *commitInfo, path, blob string) {
		if list, ok := p.intros[blob]; ok {
			p.intros[blob] = append(list, intro{commit: c, path: path})
		}
	}}
}

// listedSet is the object ids a full scan's listing held, by their first 64 bits: enough to
// tell a blob the trees name that the store lacks, in 8 bytes a blob.
type listedSet struct {
	ids      []uint64
	sorted   bool
	complete bool // the listing ended cleanly
}

func oidKey(oid string) (uint64, bool) {
	if len(oid) < 16 {
		return 0, false
	}
	k, err := strconv.ParseUint(oid[:16], 16, 64)
	return k, err == nil
}

func (l *listedSet) add(oid string) {
	if k, ok := oidKey(oid); ok {
		l.ids = append(l.ids, k)
	}
}

func (l *listedSet) sort() {
	if !l.sorted {
		slices.Sort(l.ids)
		l.sorted = true
	}
}

func (l *listedSet) has(oid string) bool {
	k, ok := oidKey(oid)
	if !ok {
		return true
	}
	_, found := slices.BinarySearch(l.ids, k)
	return found
}

// warnShallow says, once, that a shallow clone's history is cut: a full scan did not see
// what came before the boundary; a range or --since that reaches the boundary counted every
// file of the boundary commit as brought in by it.
func (s *Source) warnShallow(ctx context.Context, repo *repository) {
	if repo.shallow == nil {
		return
	}
	if repo.full() {
		s.Logger.Warn().Str("hint", "git fetch --unshallow fetches the rest of the history").
			Msgf("the repository is a shallow clone: its history is cut at %s, and what came before was not scanned", english.Plural(int(s.commits), "commit", ""))
		return
	}
	var boundary string
	if g := repo.gogit; g != nil {
		for _, h := range g.include {
			if repo.shallow[h.String()] {
				boundary = h.String()
				break
			}
		}
	} else {
		ids, _ := revList(ctx, repo)
		for _, id := range ids {
			if repo.shallow[id] {
				boundary = id
				break
			}
		}
	}
	if boundary != "" {
		s.Logger.Warn().Str("commit", scanner.ShortSHA(boundary)).Str("hint", fetchMoreHint).
			Msg("the scan reaches the boundary of a shallow clone: the history before that commit is not in the clone, so every file it holds counts as brought in by it")
	}
}

// unplaced tells whether some blob of p has no place.
func unplaced(p *placement) bool {
	for _, list := range p.intros {
		if len(list) == 0 {
			return true
		}
	}
	return false
}

// placeRefTrees places the blobs of p that no commit brought in but that a ref reaches
// without one: through a tree it names (as Linux's v2.6.11-tree tag does), at their path in
// that tree and with no commit; a blob that a ref names keeps its blob location.
func (s *Source) placeRefTrees(ctx context.Context, repo *repository, p *placement) error {
	trees, blobs, err := refObjects(ctx, repo)
	if err != nil {
		return err
	}
	p.named = map[string]bool{}
	for _, b := range blobs {
		if _, ok := p.intros[b]; ok {
			p.named[b] = true
		}
	}
	noCommit := &commitInfo{}
	for _, tree := range trees {
		err := treeFiles(ctx, repo, tree, func(path, blob string) {
			if list, ok := p.intros[blob]; ok && !p.named[blob] {
				p.intros[blob] = append(list, intro{commit: noCommit, path: path})
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// refObjects lists the trees and blobs that refs name directly (or through annotated
// tags), as object ids.
func refObjects(ctx context.Context, repo *repository) (trees, blobs []string, err error) {
	if g := repo.gogit; g != nil {
		for _, h := range g.trees {
			trees = append(trees, h.String())
		}
		for _, h := range g.blobs {
			blobs = append(blobs, h.String())
		}
		return trees, blobs, nil
	}
	cmd := gitCmd(ctx, repo.gitDir, "for-each-ref", "--count="+strconv.Itoa(DefaultMaxRefs), "--format=%(objecttype) %(objectname) %(*objecttype) %(*objectname)")
	pipe, stderr, err := startReading(cmd)
	if err != nil {
		return nil, nil, err
	}
	defer pipe.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "tag" {
			f = f[2:]
		}
		if len(f) < 2 || seen[f[1]] || len(trees)+len(blobs) >= maxLinks {
			continue
		}
		seen[f[1]] = true
		switch f[0] {
		case "tree":
			trees = append(trees, f[1])
		case "blob":
			blobs = append(blobs, f[1])
		}
	}
	if err := cmd.Wait(); err != nil {
		return trees, blobs, gitError("for-each-ref", stderr, err)
	}
	return trees, blobs, nil
}

// treeFiles tells visit each file of tree (its path and blob).
func treeFiles(ctx context.Context, repo *repository, tree string, visit func(path, blob string)) error {
	if g := repo.gogit; g != nil {
		return goGitTreeFiles(g, tree, visit)
	}
	return lsTree(ctx, repo.gitDir, tree, func(_, typ, oid, path string) {
		if typ == "blob" {
			visit(path, oid)
		}
	})
}
