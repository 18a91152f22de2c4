package git

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dustin/go-humanize"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

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
}

func openGoGit(dir string, repo *repository) error {
	r, err := gogit.PlainOpenWithOptions(dir, &gogit.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		r, err = gogit.PlainOpen(dir) // a bare repository
	}
	if err != nil {
		return notRepository(dir)
	}
	g := &goGitRepo{r: r}
	var tips []plumbing.Hash
	if repo.all {
		refs, err := r.References()
		if err != nil {
			return fmt.Errorf("listing refs: %w", err)
		}
		err = refs.ForEach(func(ref *plumbing.Reference) error {
			if ref.Type() != plumbing.HashReference {
				return nil
			}
			tips = append(tips, ref.Hash())
			return nil
		})
		if err != nil {
			return fmt.Errorf("listing refs: %w", err)
		}
		if head, err := r.Head(); err == nil {
			tips = append(tips, head.Hash())
		}
	}
	resolve := func(revs []string) ([]plumbing.Hash, error) {
		var out []plumbing.Hash
		for _, rev := range revs {
			h, err := r.ResolveRevision(plumbing.Revision(rev))
			if err != nil {
				return nil, &RevisionError{rev: rev, dir: dir}
			}
			out = append(out, *h)
		}
		return out, nil
	}
	included, err := resolve(repo.include)
	if err != nil {
		return err
	}
	tips = append(tips, included...)
	excluded, err := resolve(repo.exclude)
	if err != nil {
		return err
	}

	// Commits reachable from the excluded revisions are left out.
	out := map[plumbing.Hash]bool{}
	var stack []plumbing.Hash
	for _, h := range excluded {
		c, err := r.CommitObject(h)
		if err != nil {
			return fmt.Errorf("reading commit %s: %w", h, err)
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
		out[h] = true
		c, err := r.CommitObject(h)
		if err != nil {
			return fmt.Errorf("reading commit %s: %w", h, err)
		}
		stack = append(stack, c.ParentHashes...)
	}

	seen := map[plumbing.Hash]bool{}
	edgeSeen := map[plumbing.Hash]bool{}
	for _, h := range tips {
		obj, err := peel(r, h)
		if err != nil {
			return err
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
		c, err := r.CommitObject(h)
		if err != nil {
			return fmt.Errorf("reading commit %s: %w", h, err)
		}
		g.include = append(g.include, h)
		for _, p := range c.ParentHashes {
			if out[p] {
				if !edgeSeen[p] {
					edgeSeen[p] = true
					pc, err := r.CommitObject(p)
					if err != nil {
						return fmt.Errorf("reading commit %s: %w", p, err)
					}
					g.edge = append(g.edge, pc.TreeHash)
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

// treeBlobs adds the blobs under a tree to blobs, skipping trees already in seen.
func treeBlobs(r *gogit.Repository, h plumbing.Hash, seen map[plumbing.Hash]bool, blobs map[plumbing.Hash]bool, order *[]plumbing.Hash) error {
	if seen[h] {
		return nil
	}
	seen[h] = true
	t, err := r.TreeObject(h)
	if err != nil {
		return fmt.Errorf("reading tree %s: %w", h, err)
	}
	for _, e := range t.Entries {
		switch {
		case e.Mode == filemode.Dir:
			if err := treeBlobs(r, e.Hash, seen, blobs, order); err != nil {
				return err
			}
		case e.Mode == filemode.Submodule:
		default:
			if !blobs[e.Hash] {
				blobs[e.Hash] = true
				if order != nil {
					*order = append(*order, e.Hash)
				}
			}
		}
	}
	return nil
}

// scanGoGit reads the blobs of the scan with go-git, one at a time.
func (s *Source) scanGoGit(ctx context.Context, repo *repository, emit func(scanner.Chunk) error) error {
	g := repo.gogit
	r := g.r
	// Blobs under the edge trees are left out, as git rev-list leaves them out.
	excluded := map[plumbing.Hash]bool{}
	edgeSeen := map[plumbing.Hash]bool{}
	for _, h := range g.edge {
		if err := treeBlobs(r, h, edgeSeen, excluded, nil); err != nil {
			return err
		}
	}
	var order []plumbing.Hash
	blobs := map[plumbing.Hash]bool{}
	for h := range excluded {
		blobs[h] = true // marks them as done
	}
	seen := edgeSeen
	for _, h := range g.blobs {
		if !blobs[h] {
			blobs[h] = true
			order = append(order, h)
		}
	}
	for _, h := range g.trees {
		if err := treeBlobs(r, h, seen, blobs, &order); err != nil {
			// Reported; the commits are read all the same.
			if err := emit(scanner.Chunk{Location: scanner.Location{Blob: h.String()}, Err: err}); err != nil {
				return err
			}
		}
	}
	for _, ch := range g.include {
		if err := ctx.Err(); err != nil {
			return err
		}
		c, err := r.CommitObject(ch)
		if err != nil {
			if err := emit(scanner.Chunk{Location: scanner.Location{Commit: ch.String()}, Err: fmt.Errorf("reading commit %s: %w", ch, err)}); err != nil {
				return err
			}
			continue
		}
		if err := treeBlobs(r, c.TreeHash, seen, blobs, &order); err != nil {
			if err := emit(scanner.Chunk{Location: scanner.Location{Commit: ch.String()}, Err: err}); err != nil {
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
		b, err := r.BlobObject(h)
		if err != nil {
			if err := emit(scanner.Chunk{Location: loc, Err: fmt.Errorf("reading blob %s: %w (the object may be corrupt or missing; run git fsck)", h, err)}); err != nil {
				return err
			}
			continue
		}
		if b.Size > limit {
			if err := emit(scanner.Chunk{Location: loc, Skipped: fmt.Sprintf("blob of %s is larger than the %s limit", humanize.IBytes(uint64(b.Size)), humanize.IBytes(uint64(limit))), Limit: scanner.LimitFileSize}); err != nil {
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

// walkGoGit calls visit for each path whose blob a commit of the scan introduced: one that
// none of the commit's parents has at that path.
func walkGoGit(ctx context.Context, repo *repository, visit func(c *commitInfo, path, blob string)) error {
	g := repo.gogit
	r := g.r
	for _, ch := range g.include {
		if err := ctx.Err(); err != nil {
			return err
		}
		c, err := r.CommitObject(ch)
		if err != nil {
			continue // reported by the scan
		}
		info := &commitInfo{
			sha: c.Hash.String(), author: c.Author.Name, email: c.Author.Email,
			date: utcDate(c.Author.When), subject: subject(c.Message),
		}
		var parents []plumbing.Hash
		for _, p := range c.ParentHashes {
			pc, err := r.CommitObject(p)
			if err != nil {
				continue
			}
			parents = append(parents, pc.TreeHash)
		}
		// A tree that cannot be read is reported by the scan; the walk goes on without it.
		_ = introduced(r, "", c.TreeHash, parents, func(path, blob string) { visit(info, path, blob) })
	}
	return nil
}

func subject(msg string) string {
	msg = strings.TrimLeft(msg, "\n")
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}

// introduced calls visit for each blob under tree h that differs from every parent tree at
// the same path. A subtree equal to a parent's is skipped whole.
func introduced(r *gogit.Repository, prefix string, h plumbing.Hash, parents []plumbing.Hash, visit func(path, blob string)) error {
	for _, p := range parents {
		if p == h {
			return nil
		}
	}
	t, err := r.TreeObject(h)
	if err != nil {
		return err
	}
	var ptrees []map[string]object.TreeEntry
	for _, p := range parents {
		if p.IsZero() {
			ptrees = append(ptrees, nil)
			continue
		}
		pt, err := r.TreeObject(p)
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
			if err := introduced(r, path+"/", e.Hash, sub, visit); err != nil {
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
