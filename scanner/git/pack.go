package git

import (
	"bytes"
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/klauspost/compress/zlib"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"golang.org/x/sync/errgroup"

	"github.com/leakstop/leakstop/scanner"
)

// A full scan reads the object store itself when it can (packStore): each pack's index,
// then the header of each object, then every blob family (a blob stored whole and the
// deltas built on it, and on those) depth first, so that each object is inflated once and
// a delta is applied to its base while that base is in memory. `git cat-file` rebuilds a
// delta from its chain for every blob, through a cache of bases that misses; and it hands
// every blob over a pipe. A delta's lines are mostly its base's: the lines it copies whole
// take the base's line records (lineCache.selFrom), and only the lines around its inserts
// are hashed and looked up. On git/git (262,343 blobs, 8.1 GB), the whole scan with this
// reader took 0.92-1.16x the wall time of `git cat-file --batch-all-objects --batch`
// reading every object once, against 2x with cat-file readers; on redis 0.64-0.75x against
// 1.8x (bench/history.sh, CATFILE=1).
//
// The pack format is gitformat-pack(5): a 12-byte header, then objects, each a header
// (type and size in a varint; for an offset delta the distance back to its base, for a
// reference delta its base's id) and a zlib stream; then a checksum.

// Object types in a pack.
const (
	objCommit   = 1
	objTree     = 2
	objBlob     = 3
	objTag      = 4
	objOfsDelta = 6
	objRefDelta = 7
)

// Bases of a packObject that are not an object.
const (
	noBase      = -1 // stored whole
	missingBase = -2 // a reference delta whose base the store lacks
	badBase     = -3 // the header cannot be read, or its base offset names no object
)

// packObject is one object of the store, as its pack's index and header say.
type packObject struct {
	oid  [20]byte
	off  int64 // where its header starts in its pack (loose: its index in packStore.loose)
	end  int64 // where the next object starts: its header and stream lie in [off, end) (loose: the file's size)
	pack int32 // its pack in packStore.packs; -1 for a loose object
	base int32 // the object its delta is built on, or noBase, missingBase, badBase
	// first and next link the delta tree: the first object built on this one, and the
	// next built on the same base (-1: none).
	first, next int32
	typ         uint8 // its type in the pack (a delta type for a delta)
	kind        uint8 // the type of what it holds, once resolved (0: unknown)
}

// packStore is the object store of a repository, indexed for reading.
type packStore struct {
	dir   string // the objects folder
	packs []*os.File
	objs  []packObject
	loose []string // paths of the loose objects
	// byPack holds, for each pack, the range of objs that are its objects, by offset.
	byPack [][2]int32
	// byID holds the index of every object in objs, sorted by id (then by index): find's
	// table, made when first needed (reference deltas, or a store with more than one pack).
	byID []int32
}

// errNoPacks says a store cannot be read directly (cat-file reads it).
var errNoPacks = errors.New("object store not readable directly")

// openPacks indexes the object folder dir (of a SHA-1 repository) for a full scan, or says
// why it cannot be read directly (errNoPacks wrapped): alternates, a pack without a
// version 2 index, a loose object whose header cannot be read. The caller then reads
// with cat-file.
func openPacks(dir string) (*packStore, error) {
	if os.Getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES") != "" {
		return nil, fmt.Errorf("%w: the environment names alternates", errNoPacks)
	}
	if fi, err := os.Stat(filepath.Join(dir, "info", "alternates")); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("%w: it has alternates", errNoPacks)
	}
	p := &packStore{dir: dir}
	ok := false
	defer func() {
		if !ok {
			p.close()
		}
	}()
	paths, err := filepath.Glob(filepath.Join(dir, "pack", "*.pack"))
	if err != nil {
		return nil, err
	}
	for _, path := range paths {
		if err := p.addPack(path); err != nil {
			return nil, err
		}
	}
	if err := p.addLoose(); err != nil {
		return nil, err
	}
	if err := p.readHeaders(); err != nil {
		return nil, err
	}
	p.resolve()
	ok = true
	return p, nil
}

func (p *packStore) close() {
	for _, f := range p.packs {
		f.Close()
	}
}

// addPack indexes one pack by its .idx.
func (p *packStore) addPack(path string) error {
	idxPath := strings.TrimSuffix(path, ".pack") + ".idx"
	f, err := os.Open(idxPath)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoPacks, err)
	}
	idx := idxfile.NewMemoryIndex()
	err = idxfile.NewDecoder(f).Decode(idx)
	f.Close()
	if err != nil || idx.Version != 2 {
		return fmt.Errorf("%w: %s is not a version 2 pack index (%v)", errNoPacks, idxPath, err)
	}
	pack, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoPacks, err)
	}
	fi, err := pack.Stat()
	if err != nil {
		pack.Close()
		return fmt.Errorf("%w: %v", errNoPacks, err)
	}
	var head [12]byte
	count, _ := idx.Count()
	if _, err := pack.ReadAt(head[:], 0); err != nil || string(head[:4]) != "PACK" ||
		(head[7] != 2 && head[7] != 3) || int64(beUint32(head[8:])) != count {
		pack.Close()
		return fmt.Errorf("%w: %s does not start as its index says", errNoPacks, path)
	}
	n := int32(len(p.packs))
	p.objs = slices.Grow(p.objs, int(count))
	p.packs = append(p.packs, pack)
	from := int32(len(p.objs))
	entries, err := idx.Entries()
	if err != nil {
		return fmt.Errorf("%w: %v", errNoPacks, err)
	}
	for {
		e, err := entries.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v", errNoPacks, idxPath, err)
		}
		if e.Offset < 12 || int64(e.Offset) >= fi.Size()-20 {
			return fmt.Errorf("%w: %s names an offset outside its pack", errNoPacks, idxPath)
		}
		p.objs = append(p.objs, packObject{oid: e.Hash, off: int64(e.Offset), pack: n, first: -1, next: -1})
	}
	objs := p.objs[from:]
	slices.SortFunc(objs, func(a, b packObject) int { return int(a.off - b.off) })
	for i := range objs {
		if i+1 < len(objs) {
			objs[i].end = objs[i+1].off
		} else {
			objs[i].end = fi.Size() - 20
		}
	}
	p.byPack = append(p.byPack, [2]int32{from, int32(len(p.objs))})
	return nil
}

// stored is the bytes object o takes in the store.
func (o *packObject) stored() int64 {
	if o.pack < 0 {
		return o.end
	}
	return o.end - o.off
}

func beUint32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// addLoose indexes the loose objects: their type, from the header their stream starts with.
func (p *packStore) addLoose() error {
	subdirs, err := os.ReadDir(p.dir)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoPacks, err)
	}
	for _, sub := range subdirs {
		name := sub.Name()
		if len(name) != 2 || !sub.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(p.dir, name))
		if err != nil {
			return fmt.Errorf("%w: %v", errNoPacks, err)
		}
		for _, file := range files {
			var oid [20]byte
			id := []byte(name + file.Name())
			if len(id) != 40 || !isOID(id) {
				continue
			}
			hex.Decode(oid[:], id)
			path := filepath.Join(p.dir, name, file.Name())
			typ, _, err := looseHeader(path)
			if err != nil {
				// cat-file says what is wrong with it.
				return fmt.Errorf("%w: %s: %v", errNoPacks, path, err)
			}
			var size int64
			if fi, err := file.Info(); err == nil {
				size = fi.Size()
			}
			p.objs = append(p.objs, packObject{oid: oid, off: int64(len(p.loose)), end: size, pack: -1, base: noBase, first: -1, next: -1, typ: typ, kind: typ})
			p.loose = append(p.loose, path)
		}
	}
	return nil
}

var looseTypes = map[string]uint8{"commit": objCommit, "tree": objTree, "blob": objBlob, "tag": objTag}

// looseHeader reads the type and size a loose object's stream starts with ("blob 12\x00").
func looseHeader(path string) (uint8, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	z, err := zlib.NewReader(f)
	if err != nil {
		return 0, 0, err
	}
	var head [32]byte
	n, err := io.ReadFull(z, head[:])
	if err != nil && err != io.ErrUnexpectedEOF {
		return 0, 0, err
	}
	return parseLooseHeader(head[:n])
}

func parseLooseHeader(b []byte) (uint8, int64, error) {
	end := bytes.IndexByte(b, 0)
	typ, size, ok := strings.Cut(string(b[:max(end, 0)]), " ")
	kind := looseTypes[typ]
	n, err := strconv.ParseInt(size, 10, 64)
	if end < 0 || !ok || kind == 0 || err != nil || n < 0 {
		return 0, 0, fmt.Errorf("bad loose object header")
	}
	return kind, n, nil
}

// readHeaders reads each packed object's header: its type and, for a delta, its base.
func (p *packStore) readHeaders() error {
	buf := make([]byte, 1<<20)
	for pi, r := range p.byPack {
		f := p.packs[pi]
		winOff, winLen := int64(-1), 0
		for i := r[0]; i < r[1]; i++ {
			o := &p.objs[i]
			// A header is at most 10 bytes of type and size, then 20 of base id or 10 of
			// offset: read ahead in windows of buf, in offset order.
			if winOff < 0 || o.off < winOff || o.off+32 > winOff+int64(winLen) {
				n, err := f.ReadAt(buf, o.off)
				if err != nil && err != io.EOF {
					return fmt.Errorf("%w: %v", errNoPacks, err)
				}
				winOff, winLen = o.off, n
			}
			h := buf[o.off-winOff : min(o.end-winOff, int64(winLen))]
			typ, _, n := packHeader(h)
			o.typ, o.base = typ, noBase
			switch {
			case n <= 0:
				o.base = badBase
			case typ == objOfsDelta:
				dist, m := ofsDistance(h[n:])
				base := o.off - dist
				if m <= 0 || dist <= 0 {
					o.base = badBase
					break
				}
				objs := p.objs[r[0]:i]
				j, found := slices.BinarySearchFunc(objs, base, func(x packObject, off int64) int { return int(x.off - off) })
				if !found {
					o.base = badBase
					break
				}
				o.base = r[0] + int32(j)
			case typ == objRefDelta:
				if len(h) < n+20 {
					o.base = badBase
					break
				}
				o.base = p.find([20]byte(h[n : n+20]))
			case typ == objCommit || typ == objTree || typ == objBlob || typ == objTag:
				o.kind = typ
			default:
				o.base = badBase
			}
		}
	}
	return nil
}

// find returns the object of id oid, or missingBase.
// find returns the first object (in store order) of id oid, or missingBase.
func (p *packStore) find(oid [20]byte) int32 {
	if p.byID == nil {
		p.byID = make([]int32, len(p.objs))
		for i := range p.byID {
			p.byID[i] = int32(i)
		}
		slices.SortFunc(p.byID, func(a, b int32) int {
			if c := bytes.Compare(p.objs[a].oid[:], p.objs[b].oid[:]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
	}
	j, found := slices.BinarySearchFunc(p.byID, oid, func(i int32, oid [20]byte) int { return bytes.Compare(p.objs[i].oid[:], oid[:]) })
	if !found {
		return missingBase
	}
	return p.byID[j]
}

// packHeader reads an object header: its type, its size and the header's length (0: not
// a header).
func packHeader(b []byte) (typ uint8, size int64, n int) {
	if len(b) == 0 {
		return 0, 0, 0
	}
	c := b[0]
	typ, size = (c>>4)&7, int64(c&15)
	shift := 4
	for n = 1; c&0x80 != 0; n++ {
		if n >= len(b) || shift > 56 {
			return 0, 0, 0
		}
		c = b[n]
		size |= int64(c&0x7f) << shift
		shift += 7
	}
	return typ, size, n
}

// ofsDistance reads an offset delta's distance back to its base (gitformat-pack: each byte
// after the first adds one before shifting, so that every distance has one encoding).
func ofsDistance(b []byte) (int64, int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	d := int64(c & 0x7f)
	n := 1
	for c&0x80 != 0 {
		if n >= len(b) || d > 1<<55 {
			return 0, 0
		}
		c = b[n]
		n++
		d = (d+1)<<7 | int64(c&0x7f)
	}
	return d, n
}

// resolve gives each delta the type of the object at the root of its chain and links the
// delta trees of blobs. A chain that ends on a missing object, on a header that cannot be
// read, or on itself leaves its deltas' kind unknown.
func (p *packStore) resolve() {
	var chain []int32
	for i := range p.objs {
		if p.objs[i].kind != 0 || p.objs[i].base < 0 {
			continue
		}
		chain = chain[:0]
		j, kind, end := int32(i), uint8(0), int32(missingBase)
		for {
			o := &p.objs[j]
			if o.kind != 0 {
				kind = o.kind
				break
			}
			if o.base < 0 || len(chain) > maxChain {
				end = min(o.base, missingBase)
				break
			}
			chain = append(chain, j)
			j = o.base
		}
		for _, c := range chain {
			if kind == 0 {
				// Left unknown, and marked so that no other chain walks through it again.
				p.objs[c].base = end
				continue
			}
			p.objs[c].kind = kind
		}
	}
	for i := len(p.objs) - 1; i >= 0; i-- {
		o := &p.objs[i]
		if o.kind == objBlob && o.base >= 0 {
			b := &p.objs[o.base]
			o.next, b.first = b.first, int32(i)
		}
	}
}

// maxChain bounds a delta chain; git makes none deeper than 4095, and a longer one is a
// loop of reference deltas in a damaged store.
const maxChain = 1 << 16

// scanPacks reads a full scan's blobs from store: workers (one per reader) take families
// in pack order, each with its own line cache.
func (s *Source) scanPacks(ctx context.Context, repo *repository, store *packStore, emit func(scanner.Chunk) error) error {
	defer store.close()
	s.history = newHistWalk(repo)
	context.AfterFunc(ctx, s.history.stop)
	listed := &listedSet{}
	s.listed = listed
	roots, total, blobs, commits := []int32{}, int64(0), 0, int64(0)
	first := store.firsts()
	for i := range store.objs {
		o := &store.objs[i]
		if o.kind == objCommit && (first == nil || first[i]) {
			commits++
		}
		if o.kind == objBlob && o.base == noBase {
			// Every copy of a blob stored twice starts a family: deltas may be built on
			// either.
			roots = append(roots, int32(i))
		}
		if first != nil && !first[i] {
			continue
		}
		switch {
		case o.kind == objBlob:
			listed.add(hex.EncodeToString(o.oid[:]))
			blobs++
			total += o.stored()
		case o.kind == 0:
			oid := hex.EncodeToString(o.oid[:])
			listed.add(oid)
			c := missingChunk(oid)
			if o.base == badBase {
				c.Err = fmt.Errorf("reading object %s: its pack entry cannot be read (the object may be corrupt; run git fsck)", oid)
			}
			if err := emit(c); err != nil {
				return err
			}
		}
	}
	listed.complete = true
	if commits >= cmp.Or(s.splitFrom, minSplit) {
		// The store holds about as many commits as the walk will: it goes in two parts,
		// the newer a little smaller, as newer commits have larger trees to diff (on
		// git/git, at 50% the newer half took 7.7 s and the older 6.0; at 45%, 6.3 and 6.9).
		s.history.split = max(commits*9/20, 1)
	}
	if s.Progress != nil {
		s.Progress(total, false)
	}
	s.Logger.Debug().Int("blobs", blobs).Int("packs", len(store.packs)).Int("loose", len(store.loose)).Msg("blobs listed from the packs")
	next := atomic.Int64{}
	var (
		mu   sync.Mutex
		lost []blobRef
	)
	g, gctx := errgroup.WithContext(ctx)
	for range s.readers() {
		g.Go(func() error {
			w := &packWorker{s: s, store: store, emit: emit, ctx: gctx, firsts: first}
			if s.Lines != nil {
				w.cache = newLineCache(s.Lines)
				defer w.cache.logCounts(s.Logger)
			}
			defer func() {
				mu.Lock()
				lost = append(lost, w.lost...)
				mu.Unlock()
			}()
			for gctx.Err() == nil {
				k := next.Add(1) - 1
				if k >= int64(len(roots)) {
					return nil
				}
				if err := w.family(roots[k]); err != nil {
					return err
				}
			}
			return gctx.Err()
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if len(lost) == 0 {
		return nil
	}
	// What could not be read from the packs, git reads: it knows other copies of an
	// object, and says what is wrong with one it cannot read.
	s.Logger.Debug().Int("blobs", len(lost)).Msg("blobs not read from the packs, read with git cat-file")
	runs := make(chan []blobRef, 1)
	runs <- lost
	close(runs)
	return s.readRuns(ctx, repo.gitDir, runs, emit)
}

// firsts says, for a store with more than one pack or loose objects, which objects are
// the copy of their id that is read: the first in the store's order whose type is known
// (a copy whose delta base is missing is read only when no other copy can be). It is nil
// when every object is (a single pack holds each object once).
func (p *packStore) firsts() []bool {
	if len(p.packs) <= 1 && len(p.loose) == 0 {
		return nil
	}
	p.find([20]byte{}) // sorts byID
	first := make([]bool, len(p.objs))
	for k := 0; k < len(p.byID); {
		// The copies of one id, in store order.
		end := k + 1
		for end < len(p.byID) && p.objs[p.byID[end]].oid == p.objs[p.byID[k]].oid {
			end++
		}
		pick := p.byID[k]
		for _, i := range p.byID[k:end] {
			if p.objs[i].kind != 0 {
				pick = i
				break
			}
		}
		first[pick] = true
		k = end
	}
	return first
}

// packWorker reads blob families.
type packWorker struct {
	s     *Source
	store *packStore
	cache *lineCache
	emit  func(scanner.Chunk) error
	ctx   context.Context
	// firsts says which objects are the copy of their id that is read (nil: all).
	firsts []bool
	// lost are the blobs left to git cat-file: those that could not be read from the
	// packs, and those built on a chain of bases that held too much.
	lost []blobRef
	// held is the bytes of the blobs down the chain being walked.
	held  int64
	z     io.ReadCloser
	comp  []byte   // the object being read, as stored
	delta []byte   // a delta's instructions
	ops   []copyOp // the copies of the delta built last
	base  baseLines
}

// packBlob is a blob built from the store, shared by the walk of its family (which
// builds the deltas on it) and the chunk that holds it.
type packBlob struct {
	buf  *[]byte
	data []byte
	refs atomic.Int32
	// recs are its line records (nil: none kept), for the blobs built on it; the walk
	// alone uses them.
	recs *[]lineRec
	// told is closed once the engine is done with its chunk (nil: no chunk to wait for).
	told chan struct{}
}

func (b *packBlob) release() {
	if b.refs.Add(-1) == 0 {
		bufPool.Put(b.buf)
	}
}

// recPool holds line records between blobs.
var recPool = sync.Pool{New: func() any { r := make([]lineRec, 0, 1024); return &r }}

// dropRecs gives b's records back (the walk is done with b).
func (b *packBlob) dropRecs() {
	if b.recs != nil {
		*b.recs = (*b.recs)[:0]
		recPool.Put(b.recs)
		b.recs = nil
	}
}

// family reads the blob root and every blob built on it, depth first.
func (w *packWorker) family(root int32) error {
	return w.visit(root, nil)
}

func (w *packWorker) visit(i int32, base *packBlob) error {
	o := &w.store.objs[i]
	oid := hex.EncodeToString(o.oid[:])
	b, size, err := w.build(o, base)
	if err != nil {
		// Neither it nor what is built on it can be read here.
		w.lose(i, oid, err)
		return nil
	}
	if b == nil {
		return w.tooLarge(i, oid, size)
	}
	defer b.release()
	defer b.dropRecs()
	if err := w.send(i, oid, b, base); err != nil {
		return err
	}
	w.held += int64(len(b.data))
	defer func() { w.held -= int64(len(b.data)) }()
	if o.first >= 0 && w.held > w.s.chainLimit() {
		// The chain of bases above holds too much (a deep chain of large blobs): what is
		// built on this blob is left to git, whose cache of bases is bounded.
		for c := o.first; c >= 0; c = w.store.objs[c].next {
			w.leave(c)
		}
		return nil
	}
	for c := o.first; c >= 0; c = w.store.objs[c].next {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if err := w.visit(c, b); err != nil {
			return err
		}
	}
	return nil
}

// lose records blob i, unreadable from the packs for err, and the blobs built on it, to
// be read by git cat-file.
func (w *packWorker) lose(i int32, oid string, err error) {
	w.s.Logger.Debug().Str("blob", oid).Err(err).Msg("blob not read from the packs")
	w.leave(i)
}

// leave leaves blob i and the blobs built on it to git cat-file.
func (w *packWorker) leave(i int32) {
	if w.first(i) {
		w.lost = append(w.lost, blobRef{oid: hex.EncodeToString(w.store.objs[i].oid[:])})
	}
	for c := w.store.objs[i].first; c >= 0; c = w.store.objs[c].next {
		w.leave(c)
	}
}

// maxChainBytes bounds the bytes of the bases a worker holds down one chain of deltas (git
// makes chains of up to 4,095 deltas).
const maxChainBytes = 512 << 20

// chainLimit is maxChainBytes, or the tests' lower bound.
func (s *Source) chainLimit() int64 {
	if s.chainBytes > 0 {
		return s.chainBytes
	}
	return maxChainBytes
}

// first says whether object i is the copy of its blob that is read: the same blob in
// another pack, or loose too, is read once, the first in the store's order.
func (w *packWorker) first(i int32) bool {
	return w.firsts == nil || w.firsts[i]
}

// tooLarge reports blob i, of size bytes, as skipped for the size limit.
func (w *packWorker) tooLarge(i int32, oid string, size int64) error {
	if !w.first(i) {
		return nil
	}
	return w.emit(tooLargeChunk(scanner.Location{Blob: oid}, size, w.s.limit()))
}

// send hands blob i, built from base (nil: stored whole), to the engine.
func (w *packWorker) send(i int32, oid string, b *packBlob, base *packBlob) error {
	s := w.s
	if !w.first(i) {
		return nil
	}
	if size := int64(len(b.data)); size > s.limit() {
		return w.tooLarge(i, oid, size)
	}
	if s.Progress != nil {
		o := &w.store.objs[i]
		s.Progress(o.stored(), true)
	}
	b.refs.Add(1)
	if w.cache == nil {
		return w.emit(s.blobChunk(w.cache, oid, b.data, b.release))
	}
	if base != nil && base.told != nil {
		// What the engine says of the base's lines tells which of them this blob need
		// not send again: a line that matched nothing is left out. Without the wait, a
		// new keyword line went again in each of the next few versions, sent before the
		// engine had answered for the first (on git/git, 30% more bytes matched).
		select {
		case <-base.told:
		case <-w.ctx.Done():
			return w.ctx.Err()
		}
	}
	var from *baseLines
	if base != nil && base.recs != nil {
		w.base = baseLines{data: base.data, recs: *base.recs, ops: w.ops}
		from = &w.base
	}
	recs := recPool.Get().(*[]lineRec)
	c, kept := s.blobChunkFrom(w.cache, oid, b.data, b.release, from, (*recs)[:0])
	if kept != nil && w.store.objs[i].first >= 0 {
		// Kept for the blobs built on it.
		*recs = kept
		b.recs = recs
	} else {
		*recs = (*recs)[:0]
		recPool.Put(recs)
	}
	if c.Scanned != nil && w.store.objs[i].first >= 0 {
		told, done := make(chan struct{}), c.Done
		b.told = told
		c.Done = func() {
			if done != nil {
				done()
			}
			close(told)
		}
	}
	return w.emit(c)
}

// build reads object o, a delta applied to base when it is one. A blob stored whole that
// is larger than the size limit and is no delta's base is not read: build returns its
// size alone.
func (w *packWorker) build(o *packObject, base *packBlob) (*packBlob, int64, error) {
	if o.pack < 0 {
		b, err := w.buildLoose(o)
		if err == nil && int64(len(b.data)) > w.s.limit() && o.first < 0 {
			b.release()
			return nil, int64(len(b.data)), nil
		}
		return b, 0, err
	}
	f := w.store.packs[o.pack]
	n := int(o.end - o.off)
	if cap(w.comp) < n {
		w.comp = make([]byte, n)
	}
	comp := w.comp[:n]
	if _, err := f.ReadAt(comp, o.off); err != nil {
		return nil, 0, err
	}
	typ, size, h := packHeader(comp)
	if h == 0 {
		return nil, 0, errors.New("bad object header")
	}
	if size > int64(n)*maxInflation+64 {
		// More than a stream of n bytes can inflate to.
		return nil, 0, fmt.Errorf("its header says %d bytes, more than its %d bytes of stream can hold", size, n)
	}
	switch typ {
	case objOfsDelta:
		_, m := ofsDistance(comp[h:])
		h += m
	case objRefDelta:
		h += 20
	default:
		if size > w.s.limit() && o.first < 0 {
			return nil, size, nil
		}
		b := newPackBlob(int(size))
		if err := w.inflate(comp[h:], b.data); err != nil {
			b.release()
			return nil, 0, err
		}
		return b, 0, nil
	}
	if base == nil {
		return nil, 0, errors.New("a delta without its base")
	}
	if cap(w.delta) < int(size) {
		w.delta = make([]byte, size)
	}
	delta := w.delta[:size]
	if err := w.inflate(comp[h:], delta); err != nil {
		return nil, 0, err
	}
	if _, made, _, ok := deltaSizes(delta); ok && made > w.s.limit() && o.first < 0 {
		return nil, made, nil
	}
	b, ops, err := applyDelta(base.data, delta, w.ops[:0])
	w.ops = ops
	return b, 0, err
}

func newPackBlob(size int) *packBlob {
	p := bufPool.Get().(*[]byte)
	if cap(*p) < size {
		*p = make([]byte, size)
	}
	b := &packBlob{buf: p, data: (*p)[:size]}
	b.refs.Store(1)
	return b
}

// maxInflation is the most deflate inflates a byte of stream to.
const maxInflation = 1032

// inflate inflates the zlib stream at the start of comp into out, which it fills exactly:
// the stream must end there, with its checksum right.
func (w *packWorker) inflate(comp []byte, out []byte) error {
	r := bytes.NewReader(comp)
	if w.z == nil {
		z, err := zlib.NewReader(r)
		if err != nil {
			return err
		}
		w.z = z
	} else if err := w.z.(zlib.Resetter).Reset(r, nil); err != nil {
		return err
	}
	if _, err := io.ReadFull(w.z, out); err != nil {
		return fmt.Errorf("inflating: %w", err)
	}
	var more [1]byte
	switch n, err := w.z.Read(more[:]); {
	case n > 0:
		return errors.New("inflating: the stream holds more than its header says")
	case err != io.EOF:
		return fmt.Errorf("inflating: %w", err)
	}
	return nil
}

func (w *packWorker) buildLoose(o *packObject) (*packBlob, error) {
	data, err := os.ReadFile(w.store.loose[o.off])
	if err != nil {
		return nil, err
	}
	z, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	all, err := io.ReadAll(z)
	if err != nil {
		return nil, fmt.Errorf("inflating: %w", err)
	}
	_, size, err := parseLooseHeader(all)
	if err != nil {
		return nil, err
	}
	body := all[bytes.IndexByte(all, 0)+1:]
	if int64(len(body)) != size {
		return nil, fmt.Errorf("loose object of %d bytes says %d", len(body), size)
	}
	b := newPackBlob(len(body))
	copy(b.data, body)
	return b, nil
}

// deltaSize reads one of the two sizes a delta starts with.
func deltaSize(d []byte) (int64, []byte, bool) {
	var n int64
	for shift := 0; shift < 63; shift += 7 {
		if len(d) == 0 {
			return 0, nil, false
		}
		c := d[0]
		d = d[1:]
		n |= int64(c&0x7f) << shift
		if c&0x80 == 0 {
			return n, d, true
		}
	}
	return 0, nil, false
}

// applyDelta builds the object that delta (gitformat-pack's instructions: copies of
// ranges of the base, and inserts of bytes the delta holds) makes of base, and appends its
// copies to ops. The instructions are checked before the object is allocated: a delta that
// says it makes more than its instructions do is an error, not an allocation of what it says.
func applyDelta(base, delta []byte, ops []copyOp) (*packBlob, []copyOp, error) {
	srcSize, dstSize, d, ok := deltaSizes(delta)
	if !ok || srcSize != int64(len(base)) {
		return nil, ops, errors.New("delta does not fit its base")
	}
	// First the sizes alone: every instruction within the delta and the base.
	made := int64(0)
	for in := d; len(in) > 0; {
		c := in[0]
		in = in[1:]
		switch {
		case c&0x80 != 0:
			off, n, rest, ok := readCopy(c, in)
			if !ok {
				return nil, ops, errors.New("truncated delta")
			}
			if off+n > len(base) {
				return nil, ops, errors.New("delta copies outside its base")
			}
			in, made = rest, made+int64(n)
		case c != 0:
			if int(c) > len(in) {
				return nil, ops, errors.New("truncated delta")
			}
			in, made = in[c:], made+int64(c)
		default:
			return nil, ops, errors.New("reserved delta instruction")
		}
	}
	if made != dstSize {
		return nil, ops, fmt.Errorf("delta makes %d bytes and says %d", made, dstSize)
	}
	b := newPackBlob(int(dstSize))
	out := b.data[:0]
	for len(d) > 0 {
		c := d[0]
		d = d[1:]
		if c&0x80 != 0 {
			var off, n int
			off, n, d, _ = readCopy(c, d)
			ops = append(ops, copyOp{dst: len(out), src: off, n: n})
			out = append(out, base[off:off+n]...)
			continue
		}
		out = append(out, d[:c]...)
		d = d[c:]
	}
	return b, ops, nil
}

// deltaSizes reads the base's size and the result's that a delta starts with, and returns
// its instructions.
func deltaSizes(delta []byte) (src, dst int64, d []byte, ok bool) {
	src, d, ok = deltaSize(delta)
	if !ok {
		return 0, 0, nil, false
	}
	dst, d, ok = deltaSize(d)
	return src, dst, d, ok
}

// readCopy reads a copy instruction (its first byte c, with the bits that say which
// offset and size bytes follow in d): the base's range it copies and the rest of d.
func readCopy(c byte, d []byte) (off, n int, rest []byte, ok bool) {
	// Bits 0-3 say which of the offset's 4 bytes follow, bits 4-6 which of the size's 3,
	// least significant first.
	var v [2]int // the offset, the size
	for k := range 7 {
		if c&(1<<k) == 0 {
			continue
		}
		if len(d) == 0 {
			return 0, 0, nil, false
		}
		v[k/4] |= int(d[0]) << (8 * (k % 4))
		d = d[1:]
	}
	if v[1] == 0 {
		v[1] = 0x10000
	}
	return v[0], v[1], d, true
}
