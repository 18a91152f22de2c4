package files_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
)

// sourceTree writes a tree of source-like files (about 40 MB) with a few secrets in it.
func sourceTree(b *testing.B) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	g := rules.NewGenerator(1)
	var line strings.Builder
	var total int64
	for i := 0; i < 2000; i++ {
		line.Reset()
		for j := 0; j < 400; j++ {
			fmt.Fprintf(&line, "func handle%d(ctx context.Context, token string, key []byte) error { return cfg.Secret(%q) }\n", j, g.Chars("abcdefghij", 12))
		}
		if i%500 == 0 {
			fmt.Fprintf(&line, "const apiKey = %q\n", g.OpenAIKey("sk-proj-", 74))
		}
		p := filepath.Join(dir, fmt.Sprintf("pkg%02d", i%40), fmt.Sprintf("file%d.go", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(line.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(line.Len())
	}
	return dir, total
}

// BenchmarkDir measures `leakstop dir` on a large tree: reading, matching on all cores,
// and dedupe. Compare MB/s with BenchmarkFind in rules to see what reading costs.
func BenchmarkDir(b *testing.B) {
	dir, total := sourceTree(b)
	set, err := rules.Compile(nil)
	if err != nil {
		b.Fatal(err)
	}
	eng, err := scanner.New(scanner.Options{Rules: set, Logger: zerolog.New(io.Discard)})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := eng.Run(context.Background(), &files.Source{Paths: []string{dir}})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) != 4 {
			b.Fatalf("%d findings, want 4", len(res.Findings))
		}
	}
}
