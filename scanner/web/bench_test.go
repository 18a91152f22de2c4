package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
)

// minifiedBundle makes a bundle of about size bytes as a minifier writes one (lines of
// 500 KB, short names, a segment every few bytes), its source map with the originals
// embedded, and one key near the end.
func minifiedBundle(tb testing.TB, size int, key string) (bundle, sourceMap []byte) {
	tb.Helper()
	var js, mappings strings.Builder
	const nsrc = 20
	var origs [nsrc]strings.Builder
	var origLines [nsrc]int
	prevSrc, prevLine, prevCol := 0, 0, 0
	genCol := 0
	lineLen := 0
	i := 0
	emit := func(text string, src int, origText string) {
		if mappings.Len() > 0 && lineLen > 0 {
			mappings.WriteByte(',')
		}
		mappings.WriteString(encodeVLQ(genCol))
		mappings.WriteString(encodeVLQ(src - prevSrc))
		mappings.WriteString(encodeVLQ(origLines[src] - prevLine))
		mappings.WriteString(encodeVLQ(2 - prevCol))
		prevSrc, prevLine, prevCol = src, origLines[src], 2
		js.WriteString(text)
		lineLen += len(text)
		genCol = len(text)
		origs[src].WriteString("  " + origText + "\n")
		origLines[src]++
	}
	for js.Len() < size {
		src := i % nsrc
		if i == size/60 {
			emit(`const k="`+key+`";`, src, `const apiKey = import.meta.env.VITE_OPENAI_API_KEY ?? "`+key+`";`)
		}
		emit(fmt.Sprintf("function a%d(b,c){return b+c*%d}var x%d=\"s%d\";", i, i%97, i, i), src,
			fmt.Sprintf("export function add%d(first, second) { return first + second * %d; }\nexport const label%d = \"s%d\";", i, i%97, i, i))
		origLines[src]++ // the original took two lines
		if lineLen > 500_000 {
			js.WriteByte('\n')
			mappings.WriteByte(';')
			lineLen, genCol = 0, 0
		}
		// Relative generated columns restart on each line.
		if lineLen == 0 {
			genCol = 0
		}
		i++
	}
	sources := make([]string, nsrc)
	contents := make([]string, nsrc)
	for s := range origs {
		sources[s] = fmt.Sprintf("../../src/module%d.js", s)
		contents[s] = origs[s].String()
	}
	js.WriteString("\n//# sourceMappingURL=app.js.map\n")
	m, err := json.Marshal(map[string]any{
		"version": 3, "file": "app.js", "sources": sources, "sourcesContent": contents,
		"names": []string{}, "mappings": mappings.String(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return []byte(js.String()), m
}

// BenchmarkBundleWithMap scans a 5 MB minified bundle and its source map from disk, as
// leakstop dir dist/ does: the map parsed, its mappings decoded, its sources scanned, the
// key traced. MB/s counts the bundle's bytes.
//
//	go test -run '^$' -bench BundleWithMap -benchtime 20x ./scanner/web/
func BenchmarkBundleWithMap(b *testing.B) {
	key := rules.NewGenerator(3).OpenAIKey("sk-proj-", 74)
	js, m := minifiedBundle(b, 5<<20, key)
	dir := b.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "dist/assets"), 0o755); err != nil {
		b.Fatal(err)
	}
	jsPath := filepath.Join(dir, "dist/assets/app.js")
	if err := os.WriteFile(jsPath, js, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(jsPath+".map", m, 0o644); err != nil {
		b.Fatal(err)
	}
	set, err := rules.Compile(nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		expand bool
	}{
		{"traced", true},
		{"plain", false}, // the same two files read as text: the floor
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(js)))
			b.ReportMetric(float64(len(m))/1e6, "map-MB")
			for i := 0; i < b.N; i++ {
				eng, err := scanner.New(scanner.Options{Rules: set, Logger: zerolog.Nop()})
				if err != nil {
					b.Fatal(err)
				}
				src := &files.Source{Paths: []string{jsPath, jsPath + ".map"}, MaxFileSize: -1}
				if bc.expand {
					src.Expand = (&Expander{Roots: src.Paths, MaxFileSize: -1}).Expand
				}
				res, err := eng.Run(context.Background(), src)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Findings) == 0 || len(res.Problems) > 0 {
					b.Fatalf("findings %d, problems %v", len(res.Findings), res.Problems)
				}
				if bc.expand {
					traced := false
					for _, f := range res.Findings {
						for _, l := range f.Locations {
							traced = traced || (l.Origin != nil && l.Path == filepath.ToSlash(jsPath) && l.Variable == "VITE_OPENAI_API_KEY")
						}
					}
					if !traced {
						b.Fatalf("the key in the bundle was not traced: %+v", res.Findings[0].Locations)
					}
				}
			}
		})
	}
}
