package git

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/scanner"
)

// benchRepo is the repository the benchmarks read: $LEAKSTOP_BENCH_REPO (for example one
// built by bench/make-history.sh), or a small history built here.
func benchRepo(b *testing.B) string {
	if dir := os.Getenv("LEAKSTOP_BENCH_REPO"); dir != "" {
		return dir
	}
	return repoWithLongHistory(b, 400)
}

// BenchmarkRead reads every blob with each reader, without matching.
func BenchmarkRead(b *testing.B) {
	dir := benchRepo(b)
	for _, reader := range []Reader{readerGit, readerGoGit} {
		b.Run(string(reader), func(b *testing.B) {
			var bytes atomic.Int64
			for i := 0; i < b.N; i++ {
				bytes.Store(0)
				src := &Source{Dir: dir, Reader: reader}
				err := src.Scan(context.Background(), func(c scanner.Chunk) error {
					bytes.Add(int64(len(c.Data)))
					if c.Done != nil {
						c.Done()
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(bytes.Load())
		})
	}
}

// BenchmarkScan runs the engine with the built-in rules over the history, placing findings.
func BenchmarkScan(b *testing.B) {
	dir := benchRepo(b)
	set := builtin()
	for _, c := range readers {
		b.Run(c.String(), func(b *testing.B) {
			var n int64
			for i := 0; i < b.N; i++ {
				eng, err := scanner.New(scanner.Options{Rules: set, Logger: zerolog.Nop()})
				if err != nil {
					b.Fatal(err)
				}
				res, err := eng.Run(context.Background(), c.source(dir))
				if err != nil {
					b.Fatal(err)
				}
				n = res.Stats.Bytes
			}
			b.SetBytes(n)
		})
	}
}

// BenchmarkStaged100k times --staged in a repository of 100,000 files with one staged
// change.
func BenchmarkStaged100k(b *testing.B) {
	f := newFixture(b)
	var s strings.Builder
	s.WriteString("blob\nmark :1\ndata 6\nhello\n")
	s.WriteString("commit refs/heads/main\ncommitter A <a@example.com> 1700000000 +0000\ndata 4\nmany\n")
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&s, "M 100644 :1 d%03d/f%05d.txt\n", i%1000, i)
	}
	f.fastImport(s.String())
	f.git("read-tree", "HEAD")
	f.write(map[string]string{"d001/new.txt": "k=" + f.key() + "\n"})
	f.git("add", "d001/new.txt")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := run(b, &Staged{Dir: f.dir})
		if len(res.Findings) != 1 {
			b.Fatalf("%d findings, want 1", len(res.Findings))
		}
	}
}

// BenchmarkSelect times the line selection alone (hashing, the line tables, the line
// filter) over the first 256 MiB of the benchmark repository's blobs in pack order, as the
// reader hands them over: the Go side of a history scan, apart from git's.
func BenchmarkSelect(b *testing.B) {
	dir := benchRepo(b)
	var blobs [][]byte
	var total int64
	src := &Source{Dir: dir, Reader: readerGit}
	err := src.Scan(context.Background(), func(c scanner.Chunk) error {
		if total < 256<<20 && len(c.Data) > 0 && c.LineMap == nil {
			blobs = append(blobs, append([]byte(nil), c.Data...))
			total += int64(len(c.Data))
		}
		if c.Done != nil {
			c.Done()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	set := builtin()
	b.SetBytes(total)
	for b.Loop() {
		cache := newLineCache(set.LineFilter())
		var s selection
		for _, blob := range blobs {
			cache.sel(blob, &s)
		}
	}
}
