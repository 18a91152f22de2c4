package git

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/dustin/go-humanize"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/leakstop/leakstop/scanner"
)

// goGitRepo is what the go-git reader keeps of an opened repository.
type goGitRepo struct {
	r *gogit.Repository
	// include are the commits of the scan; edge the trees whose blobs are left out (those
	// of the excluded tips and of excluded parents of included commits, as rev-list does).
	include []plumbing.Hash
	trees   []plumbing.Hash // trees and blobs that refs point at directly
	blobs   []plumbing.Hash
	edge    []plumbing.Hash
	// problems are the commits the opening could not read: reported by the scan, which
	// goes on without them.
	problems []scanner.Chunk
}

// Bounds on what the go-git reader reads of objects that are not blobs: go-git holds an
// object whole in memory, so a hostile commit or tree of gigabytes is refused before it is
// read. A real commit is a few kilobytes (a long merge message, a signature: tens); a tree
// of a million files is about 40 MiB.
const (
	maxCommitSize = 4 << 20
	maxTreeSize   = 64 << 20
)

// objectSize returns the size of object h without reading it, when the storage can tell.
func objectSize(r *gogit.Repository, h plumbing.Hash) (int64, bool) {
	sizer, ok := r.Storer.(interface {
		EncodedObjectSize(plumbing.Hash) (int64, error)
	})
	if !ok {
		return 0, false
	}
	n, err := sizer.EncodedObjectSize(h)
	return n, err == nil
}

// tooLarge is the error for an object larger than its bound.
func tooLarge(kind string, h plumbing.Hash, n, limit int64) error {
	return fmt.Errorf("%s %s is %s, larger than the %s a %s may be: not read", kind, h, humanize.IBytes(uint64(n)), humanize.IBytes(uint64(limit)), kind)
}

// readCommit reads commit h, refusing one larger than maxCommitSize, with its author's name
// and email cut at maxField bytes.
func readCommit(r *gogit.Repository, h plumbing.Hash) (*object.Commit, error) {
	if n, ok := objectSize(r, h); ok && n > maxCommitSize {
		return nil, tooLarge("commit", h, n, maxCommitSize)
	}
	c, err := r.CommitObject(h)
	if err != nil {
		return nil, fmt.Errorf("reading commit %s: %w", h, err)
	}
	c.Author.Name, c.Author.Email = clip(c.Author.Name, maxField), clip(c.Author.Email, maxField)
	return c, nil
}

// readTree reads tree h, refusing one larger than maxTreeSize.
func readTree(r *gogit.Repository, h plumbing.Hash) (*object.Tree, error) {
	if n, ok := objectSize(r, h); ok && n > maxTreeSize {
		return nil, tooLarge("tree", h, n, maxTreeSize)
	}
	t, err := r.TreeObject(h)
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", h, err)
	}
	return t, nil
}

// clip cuts s at n bytes, dropping a character cut in two.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for i := 0; i < utf8.UTFMax && len(s) > 0; i++ {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size != 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

func openGoGit(dir string, repo *repository, maxRefs int) error {
	r, err := gogit.PlainOpenWithOptions(dir, &gogit.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		r, err = gogit.PlainOpen(dir) // a bare repository
	}
	if err != nil {
		return notRepository(dir)
	}
	if fs, ok := r.Storer.(*filesystem.Storage); ok {
		if repo.shallow, err = readShallow(filepath.Join(fs.Filesystem().Root(), "shallow")); err != nil {
			return err
		}
	}
	g := &goGitRepo{r: r}
	var tips []plumbing.Hash
	tipSeen := map[plumbing.Hash]bool{}
	addTip := func(h plumbing.Hash) {
		if !tipSeen[h] {
			tipSeen[h] = true
			tips = append(tips, h)
		}
	}
	if repo.all {
		refs, err := r.References()
		if err != nil {
			return fmt.Errorf("listing refs: %w", err)
		}
		n := 0
		err = refs.ForEach(func(ref *plumbing.Reference) error {
			if ref.Type() != plumbing.HashReference {
				return nil
			}
			if n++; n > maxRefs {
				repo.refsCut = maxRefs
				return storer.ErrStop
			}
			addTip(ref.Hash())
			return nil
		})
		if err != nil {
			return fmt.Errorf("listing refs: %w", err)
		}
		if head, err := r.Head(); err == nil {
			addTip(head.Hash())
		}
	}
	shallowErr := func(rev string) error {
		return &RevisionError{rev: rev, dir: dir, shallow: repo.shallow != nil}
	}
	resolve := func(revs []string) ([]plumbing.Hash, error) {
		var out []plumbing.Hash
		for _, rev := range revs {
			h, err := r.ResolveRevision(plumbing.Revision(rev))
			if err != nil {
				return nil, shallowErr(rev)
			}
			if _, err := readCommit(r, *h); err != nil {
				return nil, shallowErr(rev)
			}
			out = append(out, *h)
		}
		return out, nil
	}
	included, err := resolve(repo.include)
	if err != nil {
		return err
	}
	for _, h := range included {
		addTip(h)
	}
	excluded, err := resolve(repo.exclude)
	if err != nil {
		return err
	}
	// parents are the parents of c that the clone holds: none at a shallow boundary.
	parents := func(c *object.Commit) []plumbing.Hash {
		if repo.shallow[c.Hash.String()] {
			return nil
		}
		return c.ParentHashes
	}

	// Commits reachable from the excluded revisions are left out. One that cannot be read
	// ends that line: its history is taken as not excluded, and is scanned.
	out := map[plumbing.Hash]bool{}
	var stack []plumbing.Hash
	for _, h := range excluded {
		c, err := readCommit(r, h)
		if err != nil {
			return err
		}
		g.edge = append(g.edge, c.TreeHash)
		stack = append(stack, h)
	}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if out[h] {
			continue
		}
		c, err := readCommit(r, h)
		if err != nil {
			continue
		}
		out[h] = true
		stack = append(stack, parents(c)...)
	}

	seen := map[plumbing.Hash]bool{}
	edgeSeen := map[plumbing.Hash]bool{}
	for _, h := range tips {
		obj, err := peel(r, h)
		if err != nil {
			g.problems = append(g.problems, scanner.Chunk{Location: scanner.Location{Commit: h.String()}, Err: err})
			continue
		}
		switch o := obj.(type) {
		case *object.Commit:
			stack = append(stack, o.Hash)
		case *object.Tree:
			g.trees = append(g.trees, o.Hash)
		case *object.Blob:
			g.blobs = append(g.blobs, o.Hash)
		}
	}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[h] || out[h] {
			continue
		}
		seen[h] = true
		c, err := readCommit(r, h)
		if err != nil {
			// Reported; the history behind it is not reached.
			g.problems = append(g.problems, scanner.Chunk{Location: scanner.Location{Commit: h.String()}, Err: fmt.Errorf("%w (the repository may be corrupt: run git fsck); the history behind it was not scanned", err)})
			continue
		}
		g.include = append(g.include, h)
		for _, p := range parents(c) {
			if out[p] {
				if !edgeSeen[p] {
					edgeSeen[p] = true
					if pc, err := readCommit(r, p); err == nil {
						g.edge = append(g.edge, pc.TreeHash)
					}
				}
				continue
			}
			stack = append(stack, p)
		}
	}
	repo.gogit = g
	return nil
}

// peel follows annotated tags to the object they name.
func peel(r *gogit.Repository, h plumbing.Hash) (object.Object, error) {
	for i := 0; i < 16; i++ {
		if n, ok := objectSize(r, h); ok && n > maxCommitSize {
			// No tag or commit is this large, and go-git would read it whole to say what
			// it is: a blob that a ref names, which the scan skips or reads by its size.
			return &object.Blob{Hash: h, Size: n}, nil
		}
		obj, err := r.Object(plumbing.AnyObject, h)
		if err != nil {
			return nil, fmt.Errorf("reading object %s: %w", h, err)
		}
		t, ok := obj.(*object.Tag)
		if !ok {
			return obj, nil
		}
		h = t.Target
	}
	return nil, fmt.Errorf("reading object %s: tags nested too deep", h)
}

// treeWalk gathers the blobs under trees, each tree read once, and the submodules on the
// way.
type treeWalk struct {
	r     *gogit.Repository
	seen  map[plumbing.Hash]bool
	blobs map[plumbing.Hash]bool
	// order, when set, receives each new blob in the order found.
	order *[]plumbing.Hash
	// links, when set, receives each submodule path with the commit it was seen in.
	links map[string]*commitInfo
}

// add adds the blobs under tree h, at prefix, of commit c (nil for a tree a ref names).
func (w *treeWalk) add(h plumbing.Hash, prefix string, c *commitInfo) error {
	return w.addAt(h, prefix, c, 0)
}

func (w *treeWalk) addAt(h plumbing.Hash, prefix string, c *commitInfo, depth int) error {
	if w.seen[h] {
		return nil
	}
	if depth > maxTreeDepth {
		return fmt.Errorf("tree %s: folders nested deeper than %d", h, maxTreeDepth)
	}
	w.seen[h] = true
	t, err := readTree(w.r, h)
	if err != nil {
		return err
	}
	for _, e := range t.Entries {
		switch {
		case e.Mode == filemode.Dir:
			if err := w.addAt(e.Hash, prefix+e.Name+"/", c, depth+1); err != nil {
				return err
			}
		case e.Mode == filemode.Submodule:
			if w.links != nil && len(w.links) < maxLinks {
				if _, ok := w.links[prefix+e.Name]; !ok {
					w.links[prefix+e.Name] = c
				}
			}
		default:
			if !w.blobs[e.Hash] {
				w.blobs[e.Hash] = true
				if w.order != nil {
					*w.order = append(*w.order, e.Hash)
				}
			}
		}
	}
	return nil
}

// goGitTreeFiles tells visit each file under tree, with its path.
func goGitTreeFiles(g *goGitRepo, tree string, visit func(path, blob string)) error {
	var walk func(h plumbing.Hash, prefix string, depth int) error
	walk = func(h plumbing.Hash, prefix string, depth int) error {
		if depth > maxTreeDepth {
			return fmt.Errorf("tree %s: folders nested deeper than %d", h, maxTreeDepth)
		}
		t, err := readTree(g.r, h)
		if err != nil {
			return err
		}
		for _, e := range t.Entries {
			switch e.Mode {
			case filemode.Dir:
				if err := walk(e.Hash, prefix+e.Name+"/", depth+1); err != nil {
					return err
				}
			case filemode.Submodule:
			default:
				visit(prefix+e.Name, e.Hash.String())
			}
		}
		return nil
	}
	return walk(plumbing.NewHash(tree), "", 0)
}

// maxTreeDepth bounds how deep folders nest in a tree the go-git reader walks: git itself
// refuses more than 4096 (core.maxTreeDepth), and a hostile tree could nest itself without
// end in a repository whose objects were written by hand.
const maxTreeDepth = 4096

// scanGoGit reads the blobs of the scan with go-git, one at a time.
func (s *Source) scanGoGit(ctx context.Context, repo *repository, emit func(scanner.Chunk) error) error {
	g := repo.gogit
	r := g.r
	for _, c := range g.problems {
		s.readErrs++
		if err := emit(c); err != nil {
			return err
		}
	}
	// Blobs under the edge trees are left out, as git rev-list leaves them out.
	excluded := map[plumbing.Hash]bool{}
	edge := &treeWalk{r: r, seen: map[plumbing.Hash]bool{}, blobs: excluded}
	for _, h := range g.edge {
		// A tree of the excluded history that cannot be read leaves its blobs in: they
		// are scanned again, which costs time, not findings.
		_ = edge.add(h, "", nil)
	}
	var order []plumbing.Hash
	blobs := map[plumbing.Hash]bool{}
	for h := range excluded {
		blobs[h] = true // marks them as done
	}
	s.links = map[string]*commitInfo{}
	w := &treeWalk{r: r, seen: edge.seen, blobs: blobs, order: &order, links: s.links}
	for _, h := range g.blobs {
		if !blobs[h] {
			blobs[h] = true
			order = append(order, h)
		}
	}
	for _, h := range g.trees {
		if err := w.add(h, "", nil); err != nil {
			// Reported; the commits are read all the same.
			s.readErrs++
			if err := emit(scanner.Chunk{Location: scanner.Location{Path: repo.dir}, Err: err}); err != nil {
				return err
			}
		}
	}
	for _, ch := range g.include {
		if err := ctx.Err(); err != nil {
			return err
		}
		c, err := readCommit(r, ch)
		if err != nil {
			s.readErrs++
			if err := emit(scanner.Chunk{Location: scanner.Location{Commit: ch.String()}, Err: err}); err != nil {
				return err
			}
			continue
		}
		if err := w.add(c.TreeHash, "", &commitInfo{sha: ch.String()}); err != nil {
			s.readErrs++
			if err := emit(scanner.Chunk{Location: scanner.Location{Commit: ch.String()}, Err: fmt.Errorf("%w (the repository may be corrupt: run git fsck)", err)}); err != nil {
				return err
			}
		}
	}
	s.commits = int64(len(g.include))
	limit := s.limit()
	var cache *lineCache
	if s.Lines != nil {
		cache = newLineCache(s.Lines)
	}
	for _, h := range order {
		if err := ctx.Err(); err != nil {
			return err
		}
		loc := scanner.Location{Blob: h.String()}
		skip := func(n int64) error {
			return emit(tooLargeChunk(loc, n, limit))
		}
		// The size first: go-git reads a loose object whole to open it.
		if n, ok := objectSize(r, h); ok && n > limit {
			if err := skip(n); err != nil {
				return err
			}
			continue
		}
		b, err := r.BlobObject(h)
		if err != nil {
			if err := emit(scanner.Chunk{Location: loc, Err: fmt.Errorf("reading blob %s: %w (the object may be corrupt or missing; run git fsck)", h, err)}); err != nil {
				return err
			}
			continue
		}
		if b.Size > limit {
			if err := skip(b.Size); err != nil {
				return err
			}
			continue
		}
		data, err := readBlob(b)
		if err != nil {
			if err := emit(scanner.Chunk{Location: loc, Err: fmt.Errorf("reading blob %s: %w (the object may be corrupt; run git fsck)", h, err)}); err != nil {
				return err
			}
			continue
		}
		if s.Progress != nil {
			s.Progress(int64(len(data)), true)
		}
		c := s.blobChunk(cache, loc.Blob, data, func() {})
		if err := emit(c); err != nil {
			return err
		}
	}
	return nil
}

// finishGoGit places the blobs of p for the go-git reader, and names the submodules its
// reading of the trees saw. The walk is complete when every commit and tree was read.
func (s *Source) finishGoGit(ctx context.Context, repo *repository, p *placement, emit func(scanner.Chunk) error) error {
	if len(p.intros) > 0 {
		if err := walkGoGit(ctx, repo, p.visitor()); err != nil {
			return err
		}
	}
	p.complete = s.readErrs == 0 && repo.refsCut == 0
	return emitLinks(s.links, emit)
}

func readBlob(b *object.Blob) ([]byte, error) {
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	data := make([]byte, 0, b.Size)
	buf := make([]byte, 32<<10)
	for {
		n, err := rd.Read(buf)
		data = append(data, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// walkGoGit tells v each path whose blob a commit of the scan introduced: one that none of
// the commit's parents has at that path (a commit at a shallow boundary has none).
func walkGoGit(ctx context.Context, repo *repository, v visitor) error {
	g := repo.gogit
	r := g.r
	for _, ch := range g.include {
		if err := ctx.Err(); err != nil {
			return err
		}
		c, err := readCommit(r, ch)
		if err != nil {
			continue // reported by the scan
		}
		info := &commitInfo{
			sha: c.Hash.String(), author: c.Author.Name, email: c.Author.Email,
			date: utcDate(c.Author.When), subject: subject(c.Message),
		}
		var parents []plumbing.Hash
		if !repo.shallow[info.sha] {
			for _, p := range c.ParentHashes {
				pc, err := readCommit(r, p)
				if err != nil {
					continue
				}
				parents = append(parents, pc.TreeHash)
			}
		}
		// A tree that cannot be read is reported by the scan; the walk goes on without it.
		_ = introduced(r, "", c.TreeHash, parents, 0, func(path, blob string) { v.blob(info, path, blob) })
	}
	return nil
}

// subject is a commit message's first line, cut at maxField bytes.
func subject(msg string) string {
	msg = strings.TrimLeft(msg, "\n")
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return clip(strings.TrimSpace(msg), maxField)
}

// introduced calls visit for each blob under tree h that differs from every parent tree at
// the same path. A subtree equal to a parent's is skipped whole.
func introduced(r *gogit.Repository, prefix string, h plumbing.Hash, parents []plumbing.Hash, depth int, visit func(path, blob string)) error {
	for _, p := range parents {
		if p == h {
			return nil
		}
	}
	if depth > maxTreeDepth {
		return fmt.Errorf("tree %s: folders nested deeper than %d", h, maxTreeDepth)
	}
	t, err := readTree(r, h)
	if err != nil {
		return err
	}
	var ptrees []map[string]object.TreeEntry
	for _, p := range parents {
		if p.IsZero() {
			ptrees = append(ptrees, nil)
			continue
		}
		pt, err := readTree(r, p)
		if err != nil {
			ptrees = append(ptrees, nil)
			continue
		}
		m := make(map[string]object.TreeEntry, len(pt.Entries))
		for _, e := range pt.Entries {
			m[e.Name] = e
		}
		ptrees = append(ptrees, m)
	}
	for _, e := range t.Entries {
		path := prefix + e.Name
		switch e.Mode {
		case filemode.Submodule:
			continue
		case filemode.Dir:
			var sub []plumbing.Hash
			for _, m := range ptrees {
				if pe, ok := m[e.Name]; ok && pe.Mode == filemode.Dir {
					sub = append(sub, pe.Hash)
				} else {
					sub = append(sub, plumbing.ZeroHash)
				}
			}
			if err := introduced(r, path+"/", e.Hash, sub, depth+1, visit); err != nil {
				return err
			}
		default:
			same := false
			for _, m := range ptrees {
				if pe, ok := m[e.Name]; ok && pe.Hash == e.Hash && pe.Mode != filemode.Dir {
					same = true
					break
				}
			}
			if !same {
				visit(path, e.Hash.String())
			}
		}
	}
	return nil
}
