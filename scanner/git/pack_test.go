package git

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/scanner"
)

// The pack reader's parsers (packHeader, ofsDistance, applyDelta) are checked against
// encoders written here from gitformat-pack(5), not against git's output alone: a parser
// and an encoder that agree with each other and with the format's text.

// packHeaderBytes encodes an object header: the type in bits 4-6 of the first byte, the
// size's low 4 bits below it, then 7 bits a byte, least significant first, each byte but
// the last with its top bit set.
func packHeaderBytes(typ uint8, size uint64) []byte {
	b := []byte{typ<<4 | byte(size&15)}
	for size >>= 4; size > 0; size >>= 7 {
		b[len(b)-1] |= 0x80
		b = append(b, byte(size&0x7f))
	}
	return b
}

// ofsBytes encodes an offset delta's distance to its base as pack-objects writes it: most
// significant byte first, and one taken off each group above the lowest so that every
// distance has one encoding.
func ofsBytes(d uint64) []byte {
	var buf [16]byte
	pos := len(buf) - 1
	buf[pos] = byte(d & 127)
	for d >>= 7; d != 0; d >>= 7 {
		d--
		pos--
		buf[pos] = 128 | byte(d&127)
	}
	return append([]byte(nil), buf[pos:]...)
}

// deltaVarint encodes one of the two sizes a delta starts with: 7 bits a byte, least
// significant first.
func deltaVarint(n uint64) []byte {
	var b []byte
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

// deltaHeader is a delta's start: the base's size, then the size of what it makes.
func deltaHeader(src, dst int) []byte {
	return append(deltaVarint(uint64(src)), deltaVarint(uint64(dst))...)
}

// copyInstr encodes a copy of n bytes of the base from off as git writes it: the bytes of
// offset and size that are zero are left out (their bits clear in the opcode), and a size
// of 0x10000 is written as none.
func copyInstr(off, n int) []byte {
	op := []byte{0x80}
	for k := range 4 {
		if c := byte(off >> (8 * k)); c != 0 {
			op[0] |= 1 << k
			op = append(op, c)
		}
	}
	if n == 0x10000 {
		n = 0
	}
	for k := range 3 {
		if c := byte(n >> (8 * k)); c != 0 {
			op[0] |= 0x10 << k
			op = append(op, c)
		}
	}
	return op
}

// insertInstr encodes an insert of data (1 to 127 bytes).
func insertInstr(data string) []byte { return append([]byte{byte(len(data))}, data...) }

// join concatenates the parts of a delta.
func deltaOf(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// readDeltaSize reads one of the two sizes a delta starts with, and returns the rest. A size
// takes at most 9 bytes (63 bits), as in applyDelta: the format sets no bound, git writes
// no longer one.
func readDeltaSize(b []byte) (uint64, []byte, bool) {
	var n uint64
	for shift := 0; shift < 63 && len(b) > 0; shift += 7 {
		c := b[0]
		b = b[1:]
		n |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return n, b, true
		}
	}
	return 0, nil, false
}

// refDelta applies delta to base as gitformat-pack says, the plain way: the reference
// applyDelta is compared to.
func refDelta(base, delta []byte) ([]byte, bool) {
	src, delta, ok1 := readDeltaSize(delta)
	dst, delta, ok2 := readDeltaSize(delta)
	if !ok1 || !ok2 || src != uint64(len(base)) {
		return nil, false
	}
	var out []byte
	for len(delta) > 0 {
		c := delta[0]
		delta = delta[1:]
		switch {
		case c&0x80 != 0:
			var off, n uint64
			for k := 0; k < 7; k++ {
				if c&(1<<k) == 0 {
					continue
				}
				if len(delta) == 0 {
					return nil, false
				}
				if k < 4 {
					off |= uint64(delta[0]) << (8 * k)
				} else {
					n |= uint64(delta[0]) << (8 * (k - 4))
				}
				delta = delta[1:]
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(base)) || uint64(len(out))+n > dst {
				return nil, false
			}
			out = append(out, base[off:off+n]...)
		case c != 0:
			if int(c) > len(delta) || uint64(len(out))+uint64(c) > dst {
				return nil, false
			}
			out = append(out, delta[:c]...)
			delta = delta[c:]
		default:
			return nil, false
		}
	}
	return out, uint64(len(out)) == dst
}

// TestPackHeader: headers of every type and of sizes up to 60 bits read back as written,
// and a header cut short or too long for its size is none.
func TestPackHeader(t *testing.T) {
	sizes := []uint64{0, 1, 15, 16, 127, 128, 2047, 2048, 1 << 20, 1<<32 + 5, 1<<53 - 1, 1<<60 - 1}
	for _, typ := range []uint8{objCommit, objTree, objBlob, objTag, objOfsDelta, objRefDelta} {
		for _, size := range sizes {
			h := packHeaderBytes(typ, size)
			// What follows the header is not read as part of it.
			gotTyp, gotSize, n := packHeader(append(h, 0x80, 0xff, 0x01))
			if gotTyp != typ || uint64(gotSize) != size || n != len(h) {
				t.Errorf("header % x (type %d, size %d): got type %d, size %d, length %d", h, typ, size, gotTyp, gotSize, n)
			}
		}
	}
	cases := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"cut after the first byte", []byte{0xb5}},
		{"cut inside the size", []byte{0xb5, 0x80, 0x80}},
		// 2^60 needs a tenth byte; the reader takes 60 bits of size at most.
		{"size of 61 bits", packHeaderBytes(objBlob, 1<<60)},
		{"endless continuation", bytes.Repeat([]byte{0xff}, 40)},
	}
	for _, c := range cases {
		if typ, size, n := packHeader(c.in); n != 0 {
			t.Errorf("%s: % x read as a header (type %d, size %d, length %d)", c.name, c.in, typ, size, n)
		}
	}
}

// TestOfsDistance: distances read back as pack-objects writes them, and a distance cut
// short or too long is none.
func TestOfsDistance(t *testing.T) {
	ds := []uint64{0, 1, 127, 128, 129, 16383, 16384, 16511, 16512, 16513, 1 << 21, 2113663, 2113664, 1<<31 - 1, 1 << 40, 1<<56 - 1}
	for i := uint64(1); i < 1<<56; i = i*3 + 1 {
		ds = append(ds, i)
	}
	for _, d := range ds {
		b := ofsBytes(d)
		got, n := ofsDistance(append(b, 0xff, 0x00))
		if uint64(got) != d || n != len(b) {
			t.Errorf("distance %d as % x: got %d, length %d", d, b, got, n)
		}
	}
	// Larger distances are read exactly or refused, never wrapped.
	for _, d := range []uint64{1 << 56, 1 << 62, 1<<63 - 1} {
		b := ofsBytes(d)
		if got, n := ofsDistance(b); n != 0 && (uint64(got) != d || n != len(b)) {
			t.Errorf("distance %d as % x: got %d, length %d", d, b, got, n)
		}
	}
	for _, in := range [][]byte{nil, {0x80}, {0xff, 0xff}, bytes.Repeat([]byte{0xff}, 12)} {
		if got, n := ofsDistance(in); n != 0 {
			t.Errorf("% x read as distance %d (length %d)", in, got, n)
		}
	}
}

// pseudoBytes returns n bytes that repeat nowhere within a few kilobytes.
func pseudoBytes(n int, seed uint32) []byte {
	b := make([]byte, n)
	x := seed | 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// TestApplyDelta: deltas built by hand, with every way of writing a copy's offset and
// size, make what they say, and applyDelta returns their copies as they are.
func TestApplyDelta(t *testing.T) {
	small := []byte("0123456789abcdefghijklmnopqrstuvwxyz\n")
	big := pseudoBytes(0x30000, 1) // offsets and sizes past 16 bits
	cases := []struct {
		name  string
		base  []byte
		delta []byte
		want  []byte
		ops   []copyOp
	}{
		{
			name:  "empty result",
			base:  small,
			delta: deltaHeader(len(small), 0),
			want:  []byte{},
		},
		{
			name:  "copy of the whole base, no offset bytes",
			base:  small,
			delta: deltaOf(deltaHeader(len(small), len(small)), copyInstr(0, len(small))),
			want:  small,
			ops:   []copyOp{{0, 0, len(small)}},
		},
		{
			name:  "inserts and copies",
			base:  small,
			delta: deltaOf(deltaHeader(len(small), 17), insertInstr("<"), copyInstr(10, 5), insertInstr("-mid-"), copyInstr(0, 3), insertInstr("bc>")),
			want:  []byte("<abcde-mid-012bc>"),
			ops:   []copyOp{{1, 10, 5}, {11, 0, 3}},
		},
		{
			name: "offset and size bytes written though zero",
			base: small,
			// offset byte 0 and byte 1 present (0x0003), size byte 0 present (4)
			delta: deltaOf(deltaHeader(len(small), 4), []byte{0x80 | 0x01 | 0x02 | 0x10, 0x03, 0x00, 0x04}),
			want:  []byte("3456"),
			ops:   []copyOp{{0, 3, 4}},
		},
		{
			name: "offset in the second byte alone",
			base: big,
			// mask 0x02: offset 0x0100; mask 0x20: size 0x0200
			delta: deltaOf(deltaHeader(len(big), 0x200), []byte{0x80 | 0x02 | 0x20, 0x01, 0x02}),
			want:  big[0x100:0x300],
			ops:   []copyOp{{0, 0x100, 0x200}},
		},
		{
			name: "offset in the first and third bytes",
			base: big,
			// mask 0x05: offset 0x020007; mask 0x10: size 9
			delta: deltaOf(deltaHeader(len(big), 9), []byte{0x80 | 0x01 | 0x04 | 0x10, 0x07, 0x02, 0x09}),
			want:  big[0x20007:0x20010],
			ops:   []copyOp{{0, 0x20007, 9}},
		},
		{
			name: "no size bytes: 0x10000",
			base: big,
			// offset 1, no size byte
			delta: deltaOf(deltaHeader(len(big), 0x10000), []byte{0x80 | 0x01, 0x01}),
			want:  big[1 : 1+0x10000],
			ops:   []copyOp{{0, 1, 0x10000}},
		},
		{
			name: "size bytes present and zero: 0x10000",
			base: big,
			delta: deltaOf(deltaHeader(len(big), 0x10000+2), insertInstr("ab"),
				[]byte{0x80 | 0x10 | 0x20, 0x00, 0x00}),
			want: append([]byte("ab"), big[:0x10000]...),
			ops:  []copyOp{{2, 0, 0x10000}},
		},
		{
			name: "size in the third byte",
			base: big,
			// size 0x020001 (bytes 0 and 2), offset 0x00ff
			delta: deltaOf(deltaHeader(len(big), 0x20001), []byte{0x80 | 0x01 | 0x10 | 0x40, 0xff, 0x01, 0x02}),
			want:  big[0xff : 0xff+0x20001],
			ops:   []copyOp{{0, 0xff, 0x20001}},
		},
		{
			name:  "copy of the base's last byte",
			base:  big,
			delta: deltaOf(deltaHeader(len(big), 1), copyInstr(len(big)-1, 1)),
			want:  big[len(big)-1:],
			ops:   []copyOp{{0, len(big) - 1, 1}},
		},
		{
			name:  "the longest insert",
			base:  small,
			delta: deltaOf(deltaHeader(len(small), 127+1), insertInstr(strings.Repeat("x", 127)), copyInstr(36, 1)),
			want:  []byte(strings.Repeat("x", 127) + "\n"),
			ops:   []copyOp{{127, 36, 1}},
		},
		{
			name:  "an empty base",
			base:  []byte{},
			delta: deltaOf(deltaHeader(0, 3), insertInstr("new")),
			want:  []byte("new"),
		},
		{
			name:  "copies that overlap in the base, out of order",
			base:  small,
			delta: deltaOf(deltaHeader(len(small), 12), copyInstr(20, 6), copyInstr(18, 6)),
			want:  []byte("klmnopijklmn"),
			ops:   []copyOp{{0, 20, 6}, {6, 18, 6}},
		},
	}
	for _, c := range cases {
		b, ops, err := applyDelta(c.base, c.delta, nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !bytes.Equal(b.data, c.want) {
			t.Errorf("%s: made %q, want %q", c.name, trimForLog(b.data), trimForLog(c.want))
		}
		if diff := cmp.Diff(c.ops, ops, cmp.AllowUnexported(copyOp{})); diff != "" {
			t.Errorf("%s: copy ops (-want +got):\n%s", c.name, diff)
		}
		if ref, ok := refDelta(c.base, c.delta); !ok || !bytes.Equal(ref, c.want) {
			t.Errorf("%s: the test's delta is not what the reference makes of it", c.name)
		}
		b.release()
	}
	// ops is appended to: the caller's slice is reused.
	prior := []copyOp{{7, 7, 7}}
	b, ops, err := applyDelta(small, deltaOf(deltaHeader(len(small), 2), copyInstr(1, 2)), prior[:1])
	if err != nil || len(ops) != 2 || ops[0] != prior[0] || ops[1] != (copyOp{0, 1, 2}) {
		t.Errorf("ops appended to a slice: got %v, %v", ops, err)
	} else {
		b.release()
	}
}

// trimForLog cuts b to what a test message shows of it.
func trimForLog(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

// TestApplyDeltaMalformed: a delta cut short, one that copies outside its base or past
// what it says it makes, one for another base, and one with the reserved opcode are
// errors.
func TestApplyDeltaMalformed(t *testing.T) {
	base := []byte("0123456789abcdefghijklmnopqrstuvwxyz\n")
	n := len(base)
	cases := []struct {
		name  string
		delta []byte
	}{
		{"empty", nil},
		{"no result size", deltaVarint(uint64(n))},
		{"base size cut", []byte{0x80}},
		{"result size cut", append(deltaVarint(uint64(n)), 0x85)},
		{"wrong base size, smaller", deltaOf(deltaHeader(n-1, 3), copyInstr(0, 3))},
		{"wrong base size, larger", deltaOf(deltaHeader(n+1, 3), copyInstr(0, 3))},
		{"base size of 10 bytes of varint", append(bytes.Repeat([]byte{0xff}, 10), 0x01, 0x01)},
		{"reserved opcode 0", deltaOf(deltaHeader(n, 3), []byte{0x00}, insertInstr("abc"))},
		{"reserved opcode 0 at the end", deltaOf(deltaHeader(n, 3), insertInstr("abc"), []byte{0x00})},
		{"copy cut in its offset", deltaOf(deltaHeader(n, 3), []byte{0x80 | 0x01 | 0x02, 0x05})},
		{"copy cut in its size", deltaOf(deltaHeader(n, 3), []byte{0x80 | 0x01 | 0x10 | 0x20, 0x05, 0x03})},
		{"copy with no bytes after its opcode", deltaOf(deltaHeader(n, 3), []byte{0x80 | 0x10})},
		{"insert cut", deltaOf(deltaHeader(n, 10), []byte{10}, []byte("abcde"))},
		{"copy past the base's end", deltaOf(deltaHeader(n, 5), copyInstr(n-2, 5))},
		{"copy from past the base's end", deltaOf(deltaHeader(n, 1), copyInstr(n, 1))},
		{"copy of 0x10000 from a small base", deltaOf(deltaHeader(n, 0x10000), []byte{0x80})},
		{"copy at a 32-bit offset", deltaOf(deltaHeader(n, 1), []byte{0x80 | 0x0f | 0x10, 0xff, 0xff, 0xff, 0xff, 0x01})},
		{"copy past the result's size", deltaOf(deltaHeader(n, 2), copyInstr(0, 3))},
		{"insert past the result's size", deltaOf(deltaHeader(n, 2), insertInstr("abc"))},
		{"fewer bytes than it says", deltaOf(deltaHeader(n, 10), copyInstr(0, 9))},
		{"nothing made of a result it says has bytes", deltaHeader(n, 1)},
	}
	for _, c := range cases {
		b, _, err := applyDelta(base, c.delta, nil)
		if err == nil {
			t.Errorf("%s: % x applied, made %q", c.name, c.delta, trimForLog(b.data))
			b.release()
		}
		if _, ok := refDelta(base, c.delta); ok {
			t.Errorf("%s: the reference accepts the test's delta", c.name)
		}
	}
}

// TestApplyDeltaDeclaredSize: a delta of a few bytes that says it makes a terabyte is an
// error, like any delta that makes fewer bytes than it says, not an allocation of what it
// says (which no recover catches). It runs in a process of its own: the allocation ends the
// process.
func TestApplyDeltaDeclaredSize(t *testing.T) {
	const env = "LEAKSTOP_TEST_DELTA_SIZE"
	delta := deltaOf(deltaHeader(3, 1<<40-1), insertInstr("abc"))
	if os.Getenv(env) == "1" {
		if b, _, err := applyDelta([]byte("abc"), delta, nil); err == nil {
			b.release()
			t.Fatal("applied")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestApplyDeltaDeclaredSize$")
	cmd.Env = append(os.Environ(), env+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		first, _, _ := strings.Cut(string(out), "\n")
		t.Errorf("applyDelta of a delta declaring %d bytes: the process ended with %v: %s", 1<<40-1, err, first)
	}
}

// FuzzApplyDelta checks applyDelta against refDelta: the same result or both an error,
// never a panic; and the copy ops it returns are the copies of what it made.
func FuzzApplyDelta(f *testing.F) {
	small := []byte("0123456789abcdefghijklmnopqrstuvwxyz\n")
	big := pseudoBytes(0x10100, 2)
	f.Add(small, deltaOf(deltaHeader(len(small), 17), insertInstr("<"), copyInstr(10, 5), insertInstr("-mid-"), copyInstr(0, 3), insertInstr("bc>")))
	f.Add(small, deltaOf(deltaHeader(len(small), 4), []byte{0x80 | 0x01 | 0x02 | 0x10, 0x03, 0x00, 0x04}))
	f.Add(big, deltaOf(deltaHeader(len(big), 0x10000+3), copyInstr(0x100, 0x10000), copyInstr(0x10001, 3)))
	f.Add(big, deltaOf(deltaHeader(len(big), 0x10000), []byte{0x80 | 0x01, 0x01}))
	f.Add(small, deltaOf(deltaHeader(len(small), 3), []byte{0x00}, insertInstr("abc")))
	f.Add(small, deltaOf(deltaHeader(len(small), 5), copyInstr(len(small)-2, 5)))
	f.Add(small, deltaOf(deltaHeader(len(small), 10), []byte{10}, []byte("abcde")))
	f.Add(small, deltaOf(deltaHeader(len(small)+1, 3), copyInstr(0, 3)))
	f.Add([]byte{}, deltaOf(deltaHeader(0, 3), insertInstr("new")))
	f.Add(small, []byte{})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		// applyDelta allocates the size a delta declares before reading it (see
		// TestApplyDeltaDeclaredSize); sizes past what a fuzzed delta can make are left
		// out so that the fuzzer looks for other failures.
		_, d, _ := readDeltaSize(delta)
		declared, _, _ := readDeltaSize(d)
		if declared > 1<<26 {
			t.Skip()
		}
		want, ok := refDelta(base, delta)
		b, ops, err := applyDelta(base, delta, nil)
		if (err == nil) != ok {
			t.Fatalf("applyDelta error %v; the reference applies it: %v", err, ok)
		}
		if err != nil {
			if b != nil {
				t.Fatal("a blob returned with an error")
			}
			return
		}
		defer b.release()
		if uint64(len(b.data)) != declared {
			t.Fatalf("made %d bytes of a delta that says %d", len(b.data), declared)
		}
		if !bytes.Equal(b.data, want) {
			t.Fatalf("made %q, the reference %q", trimForLog(b.data), trimForLog(want))
		}
		dst := 0
		for _, op := range ops {
			if op.dst < dst || op.n <= 0 || op.src < 0 || op.src+op.n > len(base) || op.dst+op.n > len(b.data) {
				t.Fatalf("copy op %+v out of order or out of bounds (base %d, result %d bytes)", op, len(base), len(b.data))
			}
			if !bytes.Equal(b.data[op.dst:op.dst+op.n], base[op.src:op.src+op.n]) {
				t.Fatalf("copy op %+v: the result holds other bytes there", op)
			}
			dst = op.dst + op.n
		}
	})
}

// packEntry is an object of a pack as `git verify-pack -v` lists it.
type packEntry struct {
	oid, typ string
	off, n   int64 // where it starts in the pack, and its bytes there (header and stream)
	depth    int
	base     string // the object its delta is built on ("": stored whole)
}

// verifyPack lists the objects of pack (a .pack path) in the repository at dir, by id.
func verifyPack(t testing.TB, dir, pack string) map[string]packEntry {
	t.Helper()
	out := gitRaw(t, dir, 0, nil, "", "verify-pack", "-v", strings.TrimSuffix(pack, ".pack")+".idx")
	entries := map[string]packEntry{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || !isOID([]byte(f[0])) {
			continue
		}
		e := packEntry{oid: f[0], typ: f[1]}
		e.n, _ = strconv.ParseInt(f[3], 10, 64)
		e.off, _ = strconv.ParseInt(f[4], 10, 64)
		if len(f) == 7 {
			e.depth, _ = strconv.Atoi(f[5])
			e.base = f[6]
		}
		entries[e.oid] = e
	}
	return entries
}

// gitRaw runs git in dir with env added to the fixtures' environment and stdin as its
// input, and returns its standard output as it is.
func gitRaw(t testing.TB, dir string, tick int, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	d := date(tick).Format(time.RFC3339)
	cmd.Env = append(append(gitEnv(), "GIT_AUTHOR_DATE="+d, "GIT_COMMITTER_DATE="+d), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// objectsDir is the object folder of the repository at dir.
func objectsDir(t testing.TB, dir string) string {
	t.Helper()
	return filepath.Join(runGit(t, dir, 0, "rev-parse", "--absolute-git-dir"), "objects")
}

// storeShape is what an object store holds, as openPacks indexed it.
type storeShape struct {
	packs, loose int
	dups         int // ids stored more than once
	ofs, ref     int // offset and reference deltas
	blobDepth    int // the longest delta chain of a blob
}

// kindNames are git's names of the object types.
var kindNames = map[uint8]string{objCommit: "commit", objTree: "tree", objBlob: "blob", objTag: "tag"}

// checkStore opens the object store of the repository at dir as the pack reader does and
// checks its index against git's: every object (once for each pack or loose file that
// holds it, as `git count-objects -v` counts them), of the type `git cat-file` says, at
// the offset and with the length and delta base that `git verify-pack -v` says.
func checkStore(t testing.TB, dir string) storeShape {
	t.Helper()
	store, err := openPacks(objectsDir(t, dir))
	if err != nil {
		t.Fatalf("openPacks: %v", err)
	}
	defer store.close()
	counts := map[string]int{}
	for _, line := range strings.Split(runGit(t, dir, 0, "count-objects", "-v"), "\n") {
		name, n, _ := strings.Cut(line, ": ")
		counts[name], _ = strconv.Atoi(n)
	}
	if len(store.objs) != counts["count"]+counts["in-pack"] || len(store.loose) != counts["count"] || len(store.packs) != counts["packs"] {
		t.Errorf("openPacks indexed %d objects (%d loose, %d packs); git counts %v", len(store.objs), len(store.loose), len(store.packs), counts)
	}
	types := map[string]string{}
	for _, line := range strings.Split(runGit(t, dir, 0, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"), "\n") {
		if oid, typ, ok := strings.Cut(line, " "); ok {
			types[oid] = typ
		}
	}
	var shape storeShape
	shape.packs, shape.loose = len(store.packs), len(store.loose)
	seen := map[[20]byte]int{}
	for _, o := range store.objs {
		oid := hex.EncodeToString(o.oid[:])
		if seen[o.oid]++; seen[o.oid] == 2 {
			shape.dups++
		}
		if kindNames[o.kind] != types[oid] {
			t.Errorf("object %s (pack %d at %d): kind %d, git says %q", oid, o.pack, o.off, o.kind, types[oid])
		}
	}
	if len(seen) != len(types) {
		t.Errorf("openPacks indexed %d distinct objects, git lists %d", len(seen), len(types))
	}
	for pi, pack := range store.packs {
		name := pack.Name()
		entries := verifyPack(t, dir, name)
		r := store.byPack[pi]
		if int(r[1]-r[0]) != len(entries) {
			t.Errorf("%s: %d objects indexed, verify-pack lists %d", name, r[1]-r[0], len(entries))
		}
		for i := r[0]; i < r[1]; i++ {
			o := &store.objs[i]
			oid := hex.EncodeToString(o.oid[:])
			e := entries[oid]
			base := ""
			if o.base >= 0 {
				base = hex.EncodeToString(store.objs[o.base].oid[:])
			}
			if o.off != e.off || o.end-o.off != e.n || base != e.base || (e.base == "") != (o.base == noBase) {
				t.Errorf("%s: object %s at [%d, %d) on %s (base %d); verify-pack: at %d, %d bytes, on %q", name, oid, o.off, o.end, base, o.base, e.off, e.n, e.base)
			}
			switch o.typ {
			case objOfsDelta:
				shape.ofs++
			case objRefDelta:
				shape.ref++
			}
			if o.kind == objBlob {
				shape.blobDepth = max(shape.blobDepth, e.depth)
			}
		}
	}
	return shape
}

// addLooseCommits commits, on the branch HEAD names, new versions of half the files of its
// tip (a line in the middle and one at the end), with git's plumbing so that a bare
// repository or one made by fast-import takes them too: the objects are loose.
func addLooseCommits(t testing.TB, dir string, round int) {
	t.Helper()
	tick := 60 + round
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(t.TempDir(), "index")}
	gitRaw(t, dir, tick, env, "", "read-tree", "HEAD")
	ls := gitRaw(t, dir, tick, nil, "", "ls-tree", "-r", "HEAD")
	for i, line := range strings.Split(strings.TrimSpace(ls), "\n") {
		meta, path, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		if len(f) != 3 || f[1] != "blob" || (i+round)%2 != 0 {
			continue
		}
		lines := strings.SplitAfter(gitRaw(t, dir, tick, nil, "", "cat-file", "blob", f[2]), "\n")
		mid := len(lines) / 2
		content := strings.Join(lines[:mid], "") + fmt.Sprintf("edited in round %d\n", round) + strings.Join(lines[mid:], "") + fmt.Sprintf("end of round %d\n", round)
		oid := strings.TrimSpace(gitRaw(t, dir, tick, nil, content, "hash-object", "-w", "--stdin"))
		gitRaw(t, dir, tick, env, "", "update-index", "--cacheinfo", f[0]+","+oid+","+path)
	}
	tree := strings.TrimSpace(gitRaw(t, dir, tick, env, "", "write-tree"))
	commit := strings.TrimSpace(gitRaw(t, dir, tick, nil, "", "commit-tree", tree, "-p", "HEAD", "-m", fmt.Sprintf("Round %d", round)))
	gitRaw(t, dir, tick, nil, "", "update-ref", "HEAD", commit)
}

// A packing stores a fixture's objects in a way that the pack reader must read.
type packing struct {
	name string
	pack func(t testing.TB, dir string)
	// adds is set when the packing commits more (the fixture's locations are then a part
	// of what is found).
	adds bool
	// check says what the store lacks for the packing to be what it says ("": nothing);
	// deltas is set for a history whose blobs git stores as deltas.
	check func(s storeShape, deltas bool) string
}

// packings are the ways TestPackedHistories stores each history, in turn.
var packings = []packing{
	{
		name: "offset deltas, long chains",
		pack: func(t testing.TB, dir string) {
			runGit(t, dir, 0, "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=250")
		},
		check: func(s storeShape, deltas bool) string {
			if s.packs != 1 || s.ref != 0 || deltas && (s.ofs == 0 || s.blobDepth < 2) {
				return "one pack of offset deltas, chains of blobs two deep or more"
			}
			return ""
		},
	},
	{
		name: "reference deltas",
		pack: func(t testing.TB, dir string) {
			runGit(t, dir, 0, "-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=250")
		},
		check: func(s storeShape, deltas bool) string {
			if s.packs != 1 || s.ofs != 0 || deltas && s.ref == 0 {
				return "one pack of reference deltas"
			}
			return ""
		},
	},
	{
		// An old pack, a new one that holds it all again and the loose objects made in
		// between (repack without -d), and more loose objects made after.
		name: "packs and loose objects, duplicated",
		pack: func(t testing.TB, dir string) {
			runGit(t, dir, 0, "repack", "-a", "-d", "-q")
			addLooseCommits(t, dir, 1)
			runGit(t, dir, 0, "repack", "-a", "-q")
			addLooseCommits(t, dir, 2)
		},
		adds: true,
		check: func(s storeShape, deltas bool) string {
			if s.packs != 2 || s.loose == 0 || s.dups == 0 {
				return "two packs and loose objects, some of them the same"
			}
			return ""
		},
	},
}

// packRules are the built-in rules, compiled once for the scans of this file (a
// compilation costs more than a scan of a fixture).
var packRules = sync.OnceValue(builtin)

// scanned is one scan of a packed history.
type scanned struct {
	config
	label string // what the scan was, when config does not say it all
	res   *scanner.Result
	log   string
}

func (s scanned) String() string {
	if s.label != "" {
		return s.label
	}
	return s.config.String()
}

// scanReaders scans dir with cat-file, then with the pack reader without line selection
// and with it, then as more says; set, when given, changes each source. The cat-file scan
// is the reference the others are compared to (samePackScans); cat-file with line
// selection is the other tests' to check. Each scan of the pack reader must have read the
// packs (its debug log says so), not fallen back to cat-file.
func scanReaders(t *testing.T, dir string, set func(*Source), more ...config) []scanned {
	t.Helper()
	var out []scanned
	for _, c := range append([]config{{readerCatFile, false}, {readerGit, false}, {readerGit, true}}, more...) {
		src := &Source{Dir: dir, Reader: c.reader}
		if c.anchors {
			src.Lines = packRules().LineFilter()
		}
		if set != nil {
			set(src)
		}
		res, log := scanTimed(t, src)
		if c.reader == readerGit && !strings.Contains(log, "blobs listed from the packs") {
			t.Fatalf("reader %s did not read the packs:\n%s", c, log)
		}
		out = append(out, scanned{config: c, res: res, log: log})
	}
	return out
}

// scanTimed is runLogged, failed rather than waited for past a minute.
func scanTimed(t *testing.T, src *Source) (*scanner.Result, string) {
	t.Helper()
	type result struct {
		res *scanner.Result
		log string
		err error
	}
	done := make(chan result, 1)
	go func() {
		log := &logBuffer{}
		logger := zerolog.New(log)
		src.Logger = logger
		eng, err := scanner.New(scanner.Options{Rules: packRules(), Logger: logger})
		if err != nil {
			done <- result{err: err}
			return
		}
		res, err := eng.Run(context.Background(), src)
		done <- result{res, log.String(), err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.res, r.log
	case <-time.After(time.Minute):
		t.Fatalf("reader %s: the scan did not end within a minute", src.Reader)
		return nil, ""
	}
}

// sameCompanion compares findings' companions by whether they have one: the engine keeps
// the companion of the first match of a secret it is told, and an AWS key id found beside
// different secrets in different blobs (as repoWithChurn's edits make it) then has the
// companion of whichever blob was matched first, in any way of reading.
var sameCompanion = cmp.FilterPath(func(p cmp.Path) bool {
	f, ok := p.Last().(cmp.StructField)
	return ok && f.Name() == "Companion"
}, cmp.Comparer(func(a, b string) bool { return (a == "") == (b == "") }))

// samePackScans checks that every scan found, counted and reported what the first did.
func samePackScans(t *testing.T, scans []scanned) {
	t.Helper()
	ref := scans[0]
	for _, s := range scans[1:] {
		if diff := cmp.Diff(ref.res.Findings, s.res.Findings, sameCompanion); diff != "" {
			t.Errorf("findings of %s and %s differ (-%s +%s):\n%s", ref, s, ref, s, diff)
		}
		a, b := ref.res.Stats, s.res.Stats
		a.DurationMS, b.DurationMS = 0, 0
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("stats of %s and %s differ (-%s +%s):\n%s", ref, s, ref, s, diff)
		}
		if len(ref.res.Problems) != len(s.res.Problems) {
			t.Errorf("problems of %s:\n%s\nof %s:\n%s", ref, problemsText(ref.res), s, problemsText(s.res))
		}
	}
}

// TestPackedHistories: fixture histories packed with long chains of offset deltas, with
// reference deltas, and spread over two packs and loose objects that hold some objects
// twice or three times, are indexed as git lists them and read by the pack reader as
// cat-file reads them, with line selection and without.
func TestPackedHistories(t *testing.T) {
	histories := []struct {
		name string
		make func(testing.TB) history
		// deltas: git stores some of its blobs as deltas.
		deltas bool
	}{
		{"deleted secret", repoWithDeletedSecret, false},
		{"merges", repoWithMerges, false},
		{"rename", repoWithRename, false},
		{"moved secret", repoWithMovedSecret, false},
		{"hidden secrets", repoWithHiddenSecrets, true},
		{"long history", func(t testing.TB) history { return history{dir: repoWithLongHistory(t, 60)} }, true},
	}
	for _, hc := range histories {
		t.Run(hc.name, func(t *testing.T) {
			t.Parallel()
			h := hc.make(t)
			// Each packing repacks what the one before it left.
			for _, p := range packings {
				t.Run(p.name, func(t *testing.T) {
					p.pack(t, h.dir)
					shape := checkStore(t, h.dir)
					if lacks := p.check(shape, hc.deltas); lacks != "" {
						t.Fatalf("the store is not %s: %+v", lacks, shape)
					}
					scans := scanReaders(t, h.dir, nil)
					samePackScans(t, scans)
					for _, s := range scans {
						if len(s.res.Problems) > 0 {
							t.Errorf("reader %s: problems:\n%s", s, problemsText(s.res))
						}
						if h.keys == nil {
							if len(s.res.Findings) != 1 {
								t.Errorf("reader %s: %d findings, want 1", s, len(s.res.Findings))
							}
							continue
						}
						g := got(t, h.keys, s.res)
						if p.adds {
							// The new versions of files that hold a key are new locations of it.
							g = slices.DeleteFunc(g, func(w want) bool { return w.tick > 50 })
						}
						if diff := cmp.Diff(sortedWants(h.want), sortedWants(g), cmp.AllowUnexported(want{})); diff != "" {
							t.Errorf("reader %s: locations (-want +got):\n%s", s, diff)
						}
					}
				})
			}
		})
	}
}

// churnFile is a file of repoWithChurn: its lines (one that ends in "\r" is a CRLF line)
// and whether its last line ends with a newline.
type churnFile struct {
	name  string
	lines []string
	eol   bool
}

// content is the file as committed.
func (c *churnFile) content() string {
	s := strings.Join(c.lines, "\n")
	if c.eol {
		s += "\n"
	}
	return s
}

// Character sets of generated values.
const (
	setAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	setBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

// repoWithChurn makes a history of commits commits, each of which edits one or two of a
// few files at random (seeded): lines inserted, deleted, duplicated, moved, changed by a
// few bytes in their middle, turned to CRLF and back, the last newline taken off and put
// back. Among the lines are keys as the rules find them (an OpenAI key, a GitHub token, an
// AWS key id with its secret on the next line, a private key's block), keys split over
// lines that join (a string concatenated with +, a line continued with \, shell variables
// assembled on a later line), keywords with no secret, and lines that join nothing. Its
// versions of each file, packed with long delta chains, make deltas whose copies start
// and end anywhere in a line: what the line selection takes from a delta's base must be
// what it reads in the blob.
func repoWithChurn(t testing.TB, seed uint64, commits int) string {
	f := newFixture(t)
	rnd := rand.New(rand.NewPCG(seed, seed+1))
	cut := func(k string) int { return strings.Index(k, "T3Blbk") + 3 }
	plain := func() string {
		switch rnd.IntN(7) {
		case 0:
			return ""
		case 1:
			return fmt.Sprintf("    total_%d += compute(%d, %q)", rnd.IntN(1000), rnd.IntN(1000), f.gen.Chars(setAlnum, 8))
		case 2:
			return fmt.Sprintf("# note %d: nothing to see here", rnd.IntN(1e6))
		case 3:
			return fmt.Sprintf("NAME_%d=value_%d", rnd.IntN(100), rnd.IntN(100))
		case 4:
			return fmt.Sprintf(`msg = "part %d" +`, rnd.IntN(100))
		case 5:
			return fmt.Sprintf(`  "continued %d";`, rnd.IntN(100))
		default:
			return fmt.Sprintf("line %d of the code, with words in it", rnd.IntN(1e6))
		}
	}
	group := func() []string {
		switch rnd.IntN(12) {
		case 0:
			return []string{"OPENAI_API_KEY=" + f.key()}
		case 1:
			return []string{`token = "` + f.gen.GitHubToken("ghp_") + `"`}
		case 2:
			return []string{"aws_access_key_id = AKIA" + f.gen.Chars(setBase32, 16), "aws_secret_access_key = " + f.gen.Chars(setAlnum+"+/", 40)}
		case 3:
			return []string{"aws_access_key_id = AKIA" + f.gen.Chars(setBase32, 16)}
		case 4:
			k := f.key()
			return []string{`const key = "` + k[:cut(k)] + `" +`, `  "` + k[cut(k):] + `";`}
		case 5:
			k := f.key()
			return []string{`secret = "` + k[:cut(k)] + `" \`, `    "` + k[cut(k):] + `"`}
		case 6:
			k := f.key()
			return []string{"P1=" + k[:cut(k)], "P2=" + k[cut(k):], `export OPENAI_API_KEY="${P1}${P2}"`}
		case 7:
			return strings.Split(f.gen.PrivateKey("RSA", 300), "\n")
		case 8:
			return []string{`password = "` + f.gen.Chars(setAlnum, 16) + `"`}
		case 9:
			return []string{"api_key=" + f.gen.Chars(setAlnum, 32)}
		case 10:
			return []string{`password = "changeme"`, `api_key = os.environ["API_KEY"]`}
		default:
			return []string{plain(), plain()}
		}
	}
	var files []*churnFile
	for i, name := range []string{"app.env", "src/client.js", "settings.py", "deploy/keys.txt", "notes.txt"} {
		c := &churnFile{name: name, eol: i != 4}
		for range 40 + rnd.IntN(80) {
			c.lines = append(c.lines, plain())
		}
		if name == "notes.txt" {
			for j := range c.lines {
				c.lines[j] += "\r"
			}
		}
		files = append(files, c)
	}
	edit := func(c *churnFile) {
		n := len(c.lines)
		at, i := rnd.IntN(n+1), rnd.IntN(n)
		switch rnd.IntN(10) {
		case 0, 1, 2:
			c.lines = slices.Insert(c.lines, at, group()...)
		case 3:
			c.lines = slices.Insert(c.lines, at, plain())
		case 4:
			if n > 5 {
				c.lines = slices.Delete(c.lines, i, min(i+1+rnd.IntN(3), n))
			}
		case 5:
			// A few bytes changed in the middle of a line.
			if line := []byte(c.lines[i]); len(line) > 2 {
				for range 1 + rnd.IntN(3) {
					line[1+rnd.IntN(len(line)-2)] = setAlnum[rnd.IntN(len(setAlnum))]
				}
				c.lines[i] = string(line)
			}
		case 6:
			c.lines = slices.Insert(c.lines, at, c.lines[i])
		case 7:
			if l, ok := strings.CutSuffix(c.lines[i], "\r"); ok {
				c.lines[i] = l
			} else {
				c.lines[i] += "\r"
			}
		case 8:
			c.eol = !c.eol
		case 9:
			// A block moved.
			end := min(i+2+rnd.IntN(9), n)
			block := slices.Clone(c.lines[i:end])
			c.lines = slices.Delete(c.lines, i, end)
			c.lines = slices.Insert(c.lines, rnd.IntN(len(c.lines)+1), block...)
		}
	}
	var b strings.Builder
	b.WriteString("reset refs/heads/main\n")
	for n := 1; n <= commits; n++ {
		fmt.Fprintf(&b, "commit refs/heads/main\nmark :%d\ncommitter A <a@example.com> %d +0000\ndata 6\nchurn\n", n, date(n).Unix())
		if n > 1 {
			fmt.Fprintf(&b, "from :%d\n", n-1)
		}
		edited := map[int]bool{}
		for range 1 + rnd.IntN(2) {
			k := rnd.IntN(len(files))
			edited[k] = true
			for range 1 + rnd.IntN(3) {
				edit(files[k])
			}
		}
		for k, c := range files {
			if edited[k] || n == 1 {
				content := c.content()
				fmt.Fprintf(&b, "M 100644 inline %s\ndata %d\n%s\n", c.name, len(content), content)
			}
		}
	}
	f.fastImport(b.String())
	return f.dir
}

// checkFamilies builds every blob of the store at dir as the pack reader does, each family
// depth first, and checks that each is the blob its id says, and that the line records of
// each delta, taken from its base's where the delta copies whole lines (lineCache.records),
// are the records of its lines read afresh. It returns the deltas it checked, their bytes,
// and the bytes of their lines that records took from their bases.
func checkFamilies(t *testing.T, dir string) (deltas int, size, taken int64) {
	t.Helper()
	store, err := openPacks(objectsDir(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer store.close()
	w := &packWorker{s: &Source{MaxFileSize: -1}, store: store, ctx: context.Background()}
	c := newLineCache(packRules().LineFilter())
	var visit func(i int32, base *packBlob, baseRecs []lineRec)
	visit = func(i int32, base *packBlob, baseRecs []lineRec) {
		o := &store.objs[i]
		oid := hex.EncodeToString(o.oid[:])
		b, _, err := w.build(o, base)
		if err != nil {
			t.Errorf("building blob %s: %v", oid, err)
			return
		}
		defer b.release()
		h := sha1.New()
		fmt.Fprintf(h, "blob %d\x00", len(b.data))
		h.Write(b.data)
		if got := hex.EncodeToString(h.Sum(nil)); got != oid {
			t.Errorf("blob %s built as %s (%d bytes)", oid, got, len(b.data))
			return
		}
		recs := c.fresh(b.data, 0, len(b.data), nil)
		if base != nil {
			deltas++
			size += int64(len(b.data))
			ops := slices.Clone(w.ops)
			before := c.taken
			mapped := c.records(b.data, &baseLines{data: base.data, recs: baseRecs, ops: ops}, nil)
			taken += c.taken - before
			if diff := cmp.Diff(recs, mapped, cmp.AllowUnexported(lineRec{})); diff != "" {
				t.Errorf("blob %s, a delta on %s: records taken from the base differ from those read (-read +taken):\n%s",
					oid, hex.EncodeToString(store.objs[o.base].oid[:]), diff)
			}
		}
		for ch := o.first; ch >= 0; ch = store.objs[ch].next {
			visit(ch, b, recs)
		}
	}
	for i := range store.objs {
		if o := &store.objs[i]; o.kind == objBlob && o.base == noBase {
			visit(int32(i), nil, nil)
		}
	}
	return deltas, size, taken
}

// TestPackLineMapping: on a history of random edits packed with long delta chains, the
// pack reader builds every blob as its id says, the line records it takes from delta bases
// are the blob's own, and the findings are the same with line selection and without, read
// from the packs or with cat-file.
func TestPackLineMapping(t *testing.T) {
	dir := repoWithChurn(t, 1, 150)
	runGit(t, dir, 0, "repack", "-a", "-d", "-f", "-q", "--depth=100", "--window=50")
	if shape := checkStore(t, dir); shape.blobDepth < 20 {
		t.Fatalf("the longest delta chain of a blob is %d deep, want 20 or more", shape.blobDepth)
	}
	deltas, size, taken := checkFamilies(t, dir)
	t.Logf("%d deltas, %d bytes, %d of them in lines taken from their bases", deltas, size, taken)
	if deltas < 100 || taken < size/2 {
		t.Errorf("%d deltas checked (want 100 or more), %d of their %d bytes in lines taken from their bases (want half or more)", deltas, taken, size)
	}
	scans := scanReaders(t, dir, nil, config{readerCatFile, true})
	// One reader: one line cache for every family, which learns what each keyword line
	// held in the blobs before.
	one := &Source{Dir: dir, Reader: readerGit, Lines: packRules().LineFilter(), Readers: 1}
	res, log := scanTimed(t, one)
	if !strings.Contains(log, "blobs listed from the packs") {
		t.Fatalf("one reader did not read the packs:\n%s", log)
	}
	scans = append(scans, scanned{config: config{readerGit, true}, label: "git+anchors, one reader", res: res, log: log})
	samePackScans(t, scans)
	rulesFound := map[string]int{}
	for _, f := range scans[0].res.Findings {
		rulesFound[f.Rule]++
	}
	if len(scans[0].res.Findings) < 20 || len(rulesFound) < 4 {
		t.Errorf("%d findings of rules %v: want 20 or more, of 4 rules or more", len(scans[0].res.Findings), rulesFound)
	}
	for _, s := range scans {
		if len(s.res.Problems) > 0 {
			t.Errorf("reader %s: problems:\n%s", s, problemsText(s.res))
		}
	}
	t.Logf("%d findings of rules %v", len(scans[0].res.Findings), rulesFound)
}

// packOf returns the path of the one pack of the repository at dir, made writable for a
// test to damage it.
func packOf(t testing.TB, dir string) string {
	t.Helper()
	packs, err := filepath.Glob(filepath.Join(objectsDir(t, dir), "pack", "*.pack"))
	if err != nil || len(packs) != 1 {
		t.Fatalf("packs %v, %v: want one", packs, err)
	}
	if err := os.Chmod(packs[0], 0o644); err != nil {
		t.Fatal(err)
	}
	return packs[0]
}

// damagePack applies damage to the bytes of the pack at path.
func damagePack(t testing.TB, path string, damage func([]byte)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	damage(data)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// streamStart returns where the zlib stream of the object at the start of b starts: after
// its header (gitformat-pack: a byte of type and size, then one for each 7 more bits of
// size) and, for a delta, its base's offset (bytes up to one without its top bit) or id.
func streamStart(b []byte) int {
	n := 1
	for b[n-1]&0x80 != 0 {
		n++
	}
	switch b[0] >> 4 & 7 {
	case objOfsDelta:
		for b[n]&0x80 != 0 {
			n++
		}
		n++
	case objRefDelta:
		n += 20
	}
	return n
}

// breakStream damages the zlib stream of the object at off in pack: its first deflate
// block, after the 2 bytes of zlib's header, turned into one of the reserved type.
func breakStream(pack []byte, off int) {
	at := off + streamStart(pack[off:]) + 2
	copy(pack[at:at+4], []byte{0xff, 0xff, 0xff, 0xff})
}

// builtOn returns oid and the objects whose delta chains go through it, as entries say.
func builtOn(entries map[string]packEntry, oid string) map[string]bool {
	out := map[string]bool{oid: true}
	for grew := true; grew; {
		grew = false
		for _, e := range entries {
			if e.base != "" && out[e.base] && !out[e.oid] {
				out[e.oid], grew = true, true
			}
		}
	}
	return out
}

// secretsFound returns the secrets of res's findings, sorted.
func secretsFound(res *scanner.Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, f.Secret)
	}
	slices.Sort(out)
	return out
}

// TestPackCorruptBlob: a pack whose index is sound and one of whose blobs cannot be
// inflated: the blob and every blob built on it are problems that name them, every other
// blob is read, and the scan ends.
func TestPackCorruptBlob(t *testing.T) {
	cases := []struct {
		name string
		// stored: the pack is written without compression (zlib's stored blocks).
		stored bool
		// pick chooses the blob to damage among the pack's entries.
		pick func(entries map[string]packEntry) string
		// damage damages the object [off, off+n) of pack.
		damage func(pack []byte, off, n int)
	}{
		{
			name:   "a base's deflate stream",
			pick:   pickBase,
			damage: func(pack []byte, off, n int) { breakStream(pack, off) },
		},
		{
			// The stream inflates to bytes of the right length; zlib's check of them
			// (Adler-32, its last 4 bytes) fails, which git reports as corruption.
			name: "a base's checksum",
			pick: pickBase,
			damage: func(pack []byte, off, n int) {
				pack[off+n-1] ^= 0xff
			},
		},
		{
			// A byte of the blob's text changed: the stream still inflates, to other
			// bytes of the same length, and only zlib's check tells.
			name:   "a byte of a base stored uncompressed",
			stored: true,
			pick:   pickBase,
			damage: func(pack []byte, off, n int) {
				// After zlib's header and the stored block's 5 bytes: the text.
				pack[off+streamStart(pack[off:])+2+5+10] ^= 0x01
			},
		},
		{
			name: "a delta's stream",
			pick: func(entries map[string]packEntry) string {
				for _, e := range sortedEntries(entries) {
					if e.typ == "blob" && e.base != "" && len(builtOn(entries, e.oid)) == 1 {
						return e.oid
					}
				}
				return ""
			},
			damage: func(pack []byte, off, n int) { breakStream(pack, off) },
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			keys := map[string]string{} // blob → the key it alone holds
			for i, n := range []int{200, 150, 100, 60} {
				k := f.key()
				f.commit(fmt.Sprintf("Version %d", i), map[string]string{"doc.txt": filler(0, n) + "K=" + k + "\n"})
				keys[f.git("rev-parse", "HEAD:doc.txt")] = k
			}
			other := f.key()
			f.commit("Other", map[string]string{"other.txt": "k=" + other + "\n"})
			if c.stored {
				f.git("-c", "pack.compression=0", "repack", "-a", "-d", "-f", "-q")
			} else {
				f.git("repack", "-a", "-d", "-f", "-q")
			}
			pack := packOf(t, f.dir)
			entries := verifyPack(t, f.dir, pack)
			target := c.pick(entries)
			if target == "" {
				t.Fatalf("no blob to damage in the pack:\n%v", entries)
			}
			lost := builtOn(entries, target)
			if c.name != "a delta's stream" && len(lost) < 2 {
				t.Fatalf("blob %s is the base of no other blob: %v", target, entries)
			}
			e := entries[target]
			damagePack(t, pack, func(b []byte) { c.damage(b, int(e.off), int(e.n)) })

			want := []string{other}
			for blob, k := range keys {
				if !lost[blob] {
					want = append(want, k)
				}
			}
			slices.Sort(want)
			for _, s := range scanReaders(t, f.dir, nil) {
				if diff := cmp.Diff(want, secretsFound(s.res)); diff != "" {
					t.Errorf("reader %s: secrets found (-want +got):\n%s", s, diff)
				}
				problems := problemsText(s.res)
				for blob := range lost {
					if !strings.Contains(problems, blob[:12]) {
						t.Errorf("reader %s: blob %s (of %d lost) is not a problem:\n%s", s, blob, len(lost), problems)
					}
				}
				for blob := range keys {
					if !lost[blob] && strings.Contains(problems, blob[:12]) {
						t.Errorf("reader %s: blob %s, which was read, is named by a problem:\n%s", s, blob, problems)
					}
				}
				if len(s.res.Problems) != len(lost) {
					t.Errorf("reader %s: %d problems, want %d (one a blob lost):\n%s", s, len(s.res.Problems), len(lost), problems)
				}
			}
		})
	}
}

// sortedEntries returns entries by offset.
func sortedEntries(entries map[string]packEntry) []packEntry {
	out := slices.Collect(maps.Values(entries))
	slices.SortFunc(out, func(a, b packEntry) int { return int(a.off - b.off) })
	return out
}

// pickBase picks the blob stored whole that most blobs are built on.
func pickBase(entries map[string]packEntry) string {
	best, most := "", 1
	for _, e := range sortedEntries(entries) {
		if n := len(builtOn(entries, e.oid)); e.typ == "blob" && e.base == "" && n > most {
			best, most = e.oid, n
		}
	}
	return best
}

// TestPackLargeBlob: a blob larger than the size limit is skipped, counted as such, and
// its key not found, whether it is a leaf (stored whole or a delta) or the base of smaller
// versions, which are read.
func TestPackLargeBlob(t *testing.T) {
	const limit = 4000
	// noise is text that no other blob resembles: no delta is built on it or of it.
	noise := func(seed uint32) string { return hex.Dump(pseudoBytes(2000, seed)) }
	cases := []struct {
		name string
		// fastImport: the objects stay in fast-import's pack, each blob a delta on the blob
		// imported before it where that is smaller: a small version, then a large one on
		// it, then a small one on the large one. Otherwise `git repack -adf`, which makes
		// the largest version the base of the others.
		fastImport bool
	}{
		{"deltas in import order", true},
		{"repacked", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			found := []string{f.key(), f.key(), f.key()}
			missed := []string{f.key(), f.key(), f.key()}
			small := filler(0, 30) + "A=" + found[0] + "\n"
			versions := []struct{ path, content string }{
				{"a.txt", small},
				{"a.txt", small + filler(100, 150) + "B=" + missed[0] + "\n"},
				{"a.txt", strings.Replace(small, "line 7 ", "line seven ", 1) + "C=" + found[1] + "\n"},
				// stored whole, built on nothing and the base of nothing
				{"noise.txt", noise(1) + "D=" + missed[1] + "\n"},
				// a small version alone, then a large one on it, the last blob
				{"b.txt", filler(500, 20) + "E=" + found[2] + "\n"},
				{"b.txt", filler(500, 20) + "E=" + found[2] + "\n" + filler(1000, 150) + "F=" + missed[2] + "\n"},
			}
			var b strings.Builder
			b.WriteString("reset refs/heads/main\n")
			for n, v := range versions {
				fmt.Fprintf(&b, "commit refs/heads/main\nmark :%d\ncommitter A <a@example.com> %d +0000\ndata 7\nversion\n", n+1, date(n+1).Unix())
				if n > 0 {
					fmt.Fprintf(&b, "from :%d\n", n)
				}
				fmt.Fprintf(&b, "M 100644 inline %s\ndata %d\n%s\n", v.path, len(v.content), v.content)
			}
			// However few the objects, fast-import keeps them in its pack.
			runGitInput(t, f.dir, 0, b.String(), "-c", "fastimport.unpackLimit=0", "fast-import", "--quiet")
			if !c.fastImport {
				f.git("repack", "-a", "-d", "-f", "-q")
			}
			// The pack holds the shapes the test is for.
			entries := verifyPack(t, f.dir, packOf(t, f.dir))
			shapes := map[string]bool{}
			for _, e := range entries {
				if e.typ != "blob" || e.n == 0 {
					continue
				}
				size, _ := strconv.Atoi(strings.TrimSpace(gitRaw(t, f.dir, 0, nil, "", "cat-file", "-s", e.oid)))
				large, children := size > limit, len(builtOn(entries, e.oid)) > 1
				switch {
				case large && children && e.base == "":
					shapes["a large base stored whole"] = true
				case large && children:
					shapes["a large delta, the base of another"] = true
				case large && e.base == "":
					shapes["a large leaf stored whole"] = true
				case large:
					shapes["a large leaf delta"] = true
				}
			}
			wantShapes := []string{"a large leaf stored whole", "a large leaf delta", "a large delta, the base of another"}
			if !c.fastImport {
				wantShapes = []string{"a large leaf stored whole", "a large base stored whole"}
			}
			for _, s := range wantShapes {
				if !shapes[s] {
					t.Fatalf("the pack holds no %s: %v\n%v", s, shapes, entries)
				}
			}
			scans := scanReaders(t, f.dir, func(s *Source) { s.MaxFileSize = limit })
			samePackScans(t, scans)
			want := slices.Sorted(slices.Values(found))
			for _, s := range scans {
				if diff := cmp.Diff(want, secretsFound(s.res)); diff != "" {
					t.Errorf("reader %s: secrets found (-want +got):\n%s", s, diff)
				}
				if s.res.Stats.Skipped != 3 || s.res.Stats.Limits[scanner.LimitFileSize] != 3 {
					t.Errorf("reader %s: stats %+v, want 3 blobs skipped for their size", s, s.res.Stats)
				}
				if len(s.res.Problems) > 0 {
					t.Errorf("reader %s: problems:\n%s", s, problemsText(s.res))
				}
			}
		})
	}
}

// packObjects writes a pack of the objects oids into the repository at dir under the name
// pack-<name> (the order in which the reader takes the packs; git reads a pack whatever
// its name), with offset deltas when ofs is set (as repack and fetch write them) and
// reference deltas otherwise, and returns its path.
func packObjects(t testing.TB, dir, name string, ofs bool, oids ...string) string {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), "pack")
	args := []string{"pack-objects", "-q"}
	if ofs {
		args = append(args, "--delta-base-offset")
	}
	sum := strings.TrimSpace(gitRaw(t, dir, 0, nil, strings.Join(oids, "\n")+"\n", append(args, tmp)...))
	base := filepath.Join(objectsDir(t, dir), "pack", "pack-"+name)
	for _, ext := range []string{".pack", ".idx"} {
		if err := os.Rename(tmp+"-"+sum+ext, base+ext); err != nil {
			t.Fatal(err)
		}
	}
	return base + ".pack"
}

// TestPackDuplicates: a blob stored in two packs, alone in one and with a smaller version
// built on it in the other, is read once; the version built on it is read too, in
// whichever order the packs come, with an offset or a reference delta; a damaged copy of
// the blob is read from the other, as git does.
func TestPackDuplicates(t *testing.T) {
	type dupCase struct {
		name string
		// ofs: the delta is an offset delta (on the copy in its own pack), else a
		// reference delta (on whichever copy the reader finds).
		ofs bool
		// first: the pack of the blob alone comes first.
		first bool
		// damage: the copy in the pack of the blob alone is damaged.
		damage bool
	}
	var cases []dupCase
	for _, ofs := range []bool{true, false} {
		for _, damage := range []bool{false, true} {
			for _, first := range []bool{true, false} {
				name := map[bool]string{true: "offset delta", false: "reference delta"}[ofs] +
					map[bool]string{true: ", a damaged copy", false: ""}[damage] +
					map[bool]string{true: ", the pack of the blob alone first", false: ", the pack of the blob alone last"}[first]
				cases = append(cases, dupCase{name, ofs, first, damage})
			}
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			k0, k1 := f.key(), f.key()
			f.commit("Base", map[string]string{"doc.txt": filler(0, 200) + "A=" + k0 + "\n"})
			base := f.git("rev-parse", "HEAD:doc.txt")
			f.commit("Delta", map[string]string{"doc.txt": filler(0, 150) + "B=" + k1 + "\n"})
			delta := f.git("rev-parse", "HEAD:doc.txt")
			alone, both := strings.Repeat("0", 40), strings.Repeat("f", 40)
			if !c.first {
				alone, both = both, alone
			}
			single := packObjects(t, f.dir, alone, c.ofs, base)
			pair := packObjects(t, f.dir, both, c.ofs, base, delta)
			f.git("prune-packed")
			shape := checkStore(t, f.dir)
			if shape.packs != 2 || shape.loose == 0 || shape.dups != 1 || c.ofs != (shape.ofs == 1) || c.ofs == (shape.ref == 1) {
				t.Fatalf("the store is not two packs that hold one blob twice and a delta on it: %+v", shape)
			}
			if e := verifyPack(t, f.dir, pair)[delta]; e.base != base {
				t.Fatalf("blob %s is not a delta on %s: %+v", delta, base, e)
			}
			if c.damage {
				if err := os.Chmod(single, 0o644); err != nil {
					t.Fatal(err)
				}
				e := verifyPack(t, f.dir, single)[base]
				damagePack(t, single, func(b []byte) { breakStream(b, int(e.off)) })
			}
			want := slices.Sorted(slices.Values([]string{k0, k1}))
			scans := scanReaders(t, f.dir, nil)
			samePackScans(t, scans)
			for _, s := range scans {
				if diff := cmp.Diff(want, secretsFound(s.res)); diff != "" {
					t.Errorf("reader %s: secrets found (-want +got):\n%s", s, diff)
				}
				if s.res.Stats.Blobs != 2 {
					t.Errorf("reader %s: %d blobs read, want 2", s, s.res.Stats.Blobs)
				}
				if len(s.res.Problems) > 0 {
					t.Errorf("reader %s: problems:\n%s", s, problemsText(s.res))
				}
			}
		})
	}
}

// TestPackProgress: the pack reader tells Progress a total of bytes to read, then the
// bytes of each blob read (none of the fixture's blobs is empty), which add up to it,
// whether the blobs are loose, packed, or both.
func TestPackProgress(t *testing.T) {
	cases := []struct {
		name string
		pack func(t testing.TB, dir string)
	}{
		{"loose", func(testing.TB, string) {}},
		{"packed", func(t testing.TB, dir string) { runGit(t, dir, 0, "repack", "-a", "-d", "-q") }},
		{"packed and loose", func(t testing.TB, dir string) {
			runGit(t, dir, 0, "repack", "-a", "-d", "-q")
			addLooseCommits(t, dir, 1)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := repoWithMovedSecret(t)
			c.pack(t, h.dir)
			var mu sync.Mutex
			var total, read int64
			var empty []int64
			src := &Source{Dir: h.dir, Reader: readerGit, Progress: func(n int64, add bool) {
				mu.Lock()
				defer mu.Unlock()
				if add {
					read += n
					if n <= 0 {
						empty = append(empty, n)
					}
				} else {
					total += n
				}
			}}
			if res, log := scanTimed(t, src); len(res.Findings) == 0 || !strings.Contains(log, "blobs listed from the packs") {
				t.Fatalf("%d findings, read from the packs: %v", len(res.Findings), strings.Contains(log, "blobs listed from the packs"))
			}
			if total <= 0 || read != total || len(empty) > 0 {
				t.Errorf("progress: %d bytes read of a total of %d, blobs of %v bytes; want all of a total above 0, no blob of 0 bytes or fewer", read, total, empty)
			}
		})
	}
}

// TestPackDeepChain: when the bases down a chain of deltas hold more than the reader's
// bound, the blobs built on them are left to git cat-file, and the findings and counts are
// those of reading every blob from the packs.
func TestPackDeepChain(t *testing.T) {
	dir := repoWithLongHistory(t, 60)
	var results []*scanner.Result
	for _, bound := range []int64{0, 1, 20 << 10} {
		for _, anchors := range []bool{true, false} {
			src := config{readerGit, anchors}.source(dir)
			src.chainBytes = bound
			var log logBuffer
			src.Logger = zerolog.New(&log).Level(zerolog.DebugLevel)
			res := run(t, src)
			if len(res.Findings) != 1 || len(res.Problems) > 0 {
				t.Fatalf("bound %d, anchors %v: %d findings, problems %v", bound, anchors, len(res.Findings), res.Problems)
			}
			if left := strings.Contains(log.String(), "read with git cat-file"); left != (bound > 0) {
				t.Errorf("bound %d, anchors %v: blobs left to cat-file: %v", bound, anchors, left)
			}
			results = append(results, res)
		}
	}
	for i, res := range results[1:] {
		if diff := cmp.Diff(results[0].Findings, res.Findings); diff != "" {
			t.Errorf("scan %d: findings differ (-unbounded +bounded):\n%s", i+1, diff)
		}
		if a, b := results[0].Stats, res.Stats; a.Blobs != b.Blobs || a.Bytes != b.Bytes || a.Commits != b.Commits {
			t.Errorf("scan %d: stats %+v, want %+v", i+1, b, a)
		}
	}
}

// TestSplitWalk: the history walk in two halves at once finds what one walk finds: the same
// findings at the same places, the same problems (a tree it cannot read makes a half fail,
// and the walk starts again as one) and the same counts, on histories with merges, a
// submodule, a lost tree.
func TestSplitWalk(t *testing.T) {
	cases := map[string]func(t *testing.T) string{
		"merges":       func(t *testing.T) string { return repoWithMerges(t).dir },
		"long history": func(t *testing.T) string { return repoWithLongHistory(t, 60) },
		"submodule":    func(t *testing.T) string { h, _ := repoWithSubmodule(t, true); return h.dir },
		"lost tree": func(t *testing.T) string {
			h, tree := repoWithSecretInSubtree(t)
			deleteObject(t, h.dir, tree)
			return h.dir
		},
	}
	for name, make := range cases {
		t.Run(name, func(t *testing.T) {
			dir := make(t)
			var results []*scanner.Result
			var logs []string
			for _, from := range []int64{0, 1} {
				src := config{readerGit, true}.source(dir)
				src.splitFrom = from
				if from == 0 {
					src.splitFrom = 1 << 40 // never split
				}
				res, log := runLogged(t, src)
				results, logs = append(results, res), append(logs, log)
				if halved, want := src.history.halved, from == 1 && name != "lost tree"; halved != want {
					t.Errorf("split from %d: walked in halves %v, want %v", from, halved, want)
				}
			}
			one, two := results[0], results[1]
			if diff := cmp.Diff(one.Findings, two.Findings); diff != "" {
				t.Errorf("findings differ (-one walk +two halves):\n%s", diff)
			}
			if a, b := problemsText(one), problemsText(two); a != b {
				t.Errorf("problems differ: one walk\n%s\ntwo halves\n%s", a, b)
			}
			if a, b := one.Stats, two.Stats; a.Commits != b.Commits || a.Blobs != b.Blobs || a.Skipped != b.Skipped {
				t.Errorf("stats differ: one walk %+v, two halves %+v", a, b)
			}
			if len(one.Findings) == 0 {
				t.Error("no findings: nothing compared")
			}
			if name == "submodule" && (!strings.Contains(logs[0], "vendor/lib") || !strings.Contains(logs[1], "vendor/lib")) {
				t.Errorf("the submodule is not named by both walks:\n%s\n%s", logs[0], logs[1])
			}
		})
	}
}
