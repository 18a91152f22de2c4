package files_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
	"github.com/leakstop/leakstop/scanner/report"
	"github.com/leakstop/leakstop/scanner/web"
)

var (
	builtinOnce sync.Once
	builtinSet  *rules.Set
	builtinErr  error
)

// builtin compiles the built-in rules once for all the fuzzer's inputs.
func builtin(t testing.TB) *rules.Set {
	builtinOnce.Do(func() { builtinSet, builtinErr = rules.Compile(nil) })
	if builtinErr != nil {
		t.Fatal(builtinErr)
	}
	return builtinSet
}

// pipelineNames are the names the fuzzed content is written under, picked by a byte of
// the input: a bundle with a map beside it, a bundle alone, a map alone, a plain file.
var pipelineNames = []struct{ file, beside string }{
	{"app.js", "app.js.map"},
	{"app.js", ""},
	{"app.js.map", ""},
	{".env", ""},
}

// FuzzDirPipeline runs what leakstop dir runs — the files source with the bundle and map
// expander, the engine with the built-in rules, the JSON report — on fuzzed file content
// (and a fuzzed map beside it), and checks that it ends in bounded time without an error,
// that every finding is placed inside the file it names (a line the file has, a column
// inside that line) or at a source map's origin, and that no secret found appears in the
// redacted report.
func FuzzDirPipeline(f *testing.F) {
	g := rules.NewGenerator(5)
	key := g.OpenAIKey("sk-proj-", 74)
	gh := g.GitHubToken("ghp_")
	m := `{"version":3,"sources":["../src/config.js"],"sourcesContent":["export const key = \"` + key + `\";\n"],"mappings":"AAAA,QAAmB"}`
	f.Add(uint8(0), []byte(`const k="`+key+`";console.log(k);`+"\n//# sourceMappingURL=app.js.map\n"), []byte(m))
	f.Add(uint8(1), []byte(`const k="`+key+`";`+"\n//# sourceMappingURL=data:application/json;base64,"+base64.StdEncoding.EncodeToString([]byte(m))+"\n"), []byte(nil))
	f.Add(uint8(2), []byte(m), []byte(nil))
	f.Add(uint8(3), []byte("OPENAI_API_KEY="+key+"\nGITHUB_TOKEN="+gh+"\r\npostgres://app:"+g.Chars("abcdefghijklmnop", 16)+"@db:5432/app\n"), []byte(nil))
	f.Add(uint8(0), []byte("var a={VITE_KEY:\""+key+"\",b:\""+gh+"\"};\n"), []byte(`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"mappings":"AAAA,MAAM"}}]}`))
	f.Add(uint8(1), []byte("\xff\xfe"+key+"\n\x00"), []byte(nil))
	f.Fuzz(func(t *testing.T, pick uint8, content, mapData []byte) {
		if len(content) > 1<<20 || len(mapData) > 1<<20 {
			return
		}
		names := pipelineNames[int(pick)%len(pipelineNames)]
		dir := t.TempDir()
		texts := map[string][]byte{names.file: content}
		if names.beside != "" {
			texts[names.beside] = mapData
		}
		for name, data := range texts {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		set := builtin(t)
		eng, err := scanner.New(scanner.Options{Rules: set, Jobs: 1, Logger: zerolog.Nop()})
		if err != nil {
			t.Fatal(err)
		}
		src := &files.Source{Paths: []string{dir}, MaxFileSize: 2 << 20, Expand: (&web.Expander{Roots: []string{dir}, MaxFileSize: 2 << 20}).Expand}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		start := time.Now()
		res, err := eng.Run(ctx, src)
		if time.Since(start) > 20*time.Second {
			t.Fatalf("a scan of %d bytes took %s", len(content)+len(mapData), time.Since(start))
		}
		if err != nil {
			t.Fatalf("the scan failed: %v", err)
		}
		prefix := filepath.ToSlash(dir) + "/"
		for _, fd := range res.Findings {
			for _, l := range fd.Locations {
				name := strings.TrimPrefix(l.Path, prefix)
				data, ok := texts[name]
				if !ok {
					t.Fatalf("a finding at %s, which is none of the files written", l.Path)
				}
				if l.Line == 0 {
					// A map's embedded source: placed at its origin.
					if l.Origin == nil || l.Origin.Line < 1 {
						t.Fatalf("a finding at %s with no line and no origin line: %+v", l.Path, l)
					}
					continue
				}
				checkPlace(t, data, l)
			}
		}
		var out bytes.Buffer
		if err := report.Write(&out, "json", res, report.Options{Rules: set, ToolVersion: "test"}); err != nil {
			t.Fatal(err)
		}
		for _, fd := range res.Findings {
			if len(fd.Secret) >= 12 && bytes.Contains(out.Bytes(), []byte(fd.Secret)) {
				t.Fatalf("the redacted report holds the secret of %s:\n%s", fd.Rule, out.String())
			}
		}
	})
}

// checkPlace checks that a location is inside data: a line it has, a column (1-based, in
// characters) no further than one past the line's end.
func checkPlace(t *testing.T, data []byte, l scanner.Location) {
	t.Helper()
	lines := bytes.Split(data, []byte("\n"))
	if l.Line < 1 || l.Line > len(lines) {
		t.Fatalf("a finding at %s:%d, and the file has %d lines", l.Path, l.Line, len(lines))
	}
	if n := utf8.RuneCount(lines[l.Line-1]); l.Column < 1 || l.Column > n+1 {
		t.Fatalf("a finding at %s:%d:%d, and the line has %d characters", l.Path, l.Line, l.Column, n)
	}
}
