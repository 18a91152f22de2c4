// Command packdeltas measures how much of a repository's blob bytes its packs' deltas insert:
// the part of a history that a scan reading packs directly would have to read line by line
// (the lines a delta copies from its base were read in the base). It reads every pack of
// REPO (a bare repository or a .git folder) in order, inflating each object once with
// go-git's pack scanner, and parses the instructions of each delta whose family is of
// blobs.
//
//	go run ./bench/packdeltas REPO
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// counts are what one or more packs hold.
type counts struct {
	fullBlobs, deltaBlobs, refDeltas    int64
	fullBytes, targetBytes              int64
	copiedBytes, insertedBytes, inserts int64
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: packdeltas REPO")
		os.Exit(2)
	}
	dir := os.Args[1]
	if _, err := os.Stat(filepath.Join(dir, ".git", "objects")); err == nil {
		dir = filepath.Join(dir, ".git")
	}
	packs, err := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
	if err != nil || len(packs) == 0 {
		fmt.Fprintf(os.Stderr, "packdeltas: no packs in %s\n", dir)
		os.Exit(2)
	}
	var total counts
	t0 := time.Now()
	for _, p := range packs {
		if err := readPack(p, &total); err != nil {
			fmt.Fprintf(os.Stderr, "packdeltas: %s: %v\n", p, err)
			os.Exit(2)
		}
	}
	blobBytes := total.fullBytes + total.targetBytes
	fmt.Printf("%d packs read in %.1f s (one thread)\n", len(packs), time.Since(t0).Seconds())
	fmt.Printf("blobs: %d whole (%d bytes), %d deltas (%d bytes when rebuilt: %d copied, %d inserted by %d inserts)\n",
		total.fullBlobs, total.fullBytes, total.deltaBlobs, total.targetBytes, total.copiedBytes, total.insertedBytes, total.inserts)
	if total.refDeltas > 0 {
		fmt.Printf("%d deltas name their base by id (not counted)\n", total.refDeltas)
	}
	if blobBytes > 0 {
		fmt.Printf("to read line by line (whole blobs and inserts): %.1f%% of %d blob bytes\n",
			100*float64(total.fullBytes+total.insertedBytes)/float64(blobBytes), blobBytes)
	}
}

// readPack adds what the pack at path holds to c.
func readPack(path string, c *counts) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := packfile.NewScanner(bufio.NewReaderSize(f, 1<<20))
	_, n, err := sc.Header()
	if err != nil {
		return err
	}
	types := make(map[int64]plumbing.ObjectType, n)
	var buf bytes.Buffer
	for range n {
		h, err := sc.NextObjectHeader()
		if err != nil {
			return err
		}
		buf.Reset()
		if _, _, err := sc.NextObject(&buf); err != nil {
			return err
		}
		t := h.Type
		switch t {
		case plumbing.OFSDeltaObject:
			t = types[h.OffsetReference] // a base comes before its deltas
		case plumbing.REFDeltaObject:
			c.refDeltas++
			t = plumbing.InvalidObject
		}
		types[h.Offset] = t
		switch {
		case t != plumbing.BlobObject:
		case h.Type == plumbing.BlobObject:
			c.fullBlobs++
			c.fullBytes += int64(buf.Len())
		default:
			c.deltaBlobs++
			if err := countDelta(buf.Bytes(), c); err != nil {
				return fmt.Errorf("delta at offset %d: %w", h.Offset, err)
			}
		}
	}
	return nil
}

var errShort = errors.New("delta ends early")

// countDelta adds the target size and the bytes copied and inserted by the delta d (git's
// delta format: the source and target sizes, then copy and insert instructions).
func countDelta(d []byte, c *counts) error {
	_, d, err := varint(d)
	if err != nil {
		return err
	}
	target, d, err := varint(d)
	if err != nil {
		return err
	}
	c.targetBytes += int64(target)
	for len(d) > 0 {
		op := d[0]
		d = d[1:]
		if op&0x80 == 0 {
			if op == 0 || int(op) > len(d) {
				return errShort
			}
			c.insertedBytes += int64(op)
			c.inserts++
			d = d[op:]
			continue
		}
		var size int
		for k := range 4 {
			if op&(1<<k) != 0 {
				if len(d) == 0 {
					return errShort
				}
				d = d[1:] // the offset in the base: not needed for counting
			}
		}
		for k := range 3 {
			if op&(0x10<<k) != 0 {
				if len(d) == 0 {
					return errShort
				}
				size |= int(d[0]) << (8 * k)
				d = d[1:]
			}
		}
		if size == 0 {
			size = 0x10000
		}
		c.copiedBytes += int64(size)
	}
	return nil
}

// varint reads a delta header's size: seven bits a byte, least significant first.
func varint(d []byte) (int, []byte, error) {
	v, shift := 0, 0
	for i, b := range d {
		v |= int(b&0x7f) << shift
		shift += 7
		if b&0x80 == 0 {
			return v, d[i+1:], nil
		}
	}
	return 0, nil, errShort
}
