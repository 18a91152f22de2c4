package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
	"github.com/leakstop/leakstop/scanner/web"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// smallMap is the map of smallBundle: the bundle's string literal (generated column 8)
// comes from line 3, column 19 of src/config.js, whose text the map embeds.
func smallMap(t *testing.T, key string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"version": 3, "file": "app.js", "sources": []string{"../src/config.js"},
		"sourcesContent": []string{"// settings\nexport const other = 1;\nexport const key = \"" + key + "\";\n"},
		"names":          []string{},
		"mappings":       "AAAA,QAEmB",
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func smallBundle(key string) string { return `const k="` + key + `";console.log(k);` }

func inline(m string) string {
	return "//# sourceMappingURL=data:application/json;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(m))
}

// TestExpandInlineMaps checks inline data: maps on disk: the fixture's lazy chunk with its
// map inlined, and a map whose embedded source holds the key itself.
func TestExpandInlineMaps(t *testing.T) {
	key := keyFor(7)
	dir := t.TempDir()
	buildInto(t, dir, "vite", key)
	chunk := filepath.Join(dir, "dist/assets/Chat-dBUzM6BB.js")
	js, err := os.ReadFile(chunk)
	if err != nil {
		t.Fatal(err)
	}
	m, err := os.ReadFile(chunk + ".map")
	if err != nil {
		t.Fatal(err)
	}
	js = bytes.Replace(js, []byte("//# sourceMappingURL=Chat-dBUzM6BB.js.map"), []byte(inline(string(m))), 1)
	write(t, chunk, string(js))
	if err := os.Remove(chunk + ".map"); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "dist/app.js"), smallBundle(key)+"\n"+inline(smallMap(t, key))+"\n")

	t.Chdir(dir)
	res := scanDir(t, "dist/assets/Chat-dBUzM6BB.js", "dist/app.js")
	want := []string{
		"KEY openai-project-key dist/app.js -> src/config.js:3:21 [public-bundle]",
		"KEY openai-project-key dist/app.js:1:10 -> src/config.js:3:20 [public-bundle]",
		"KEY openai-project-key dist/assets/Chat-dBUzM6BB.js:1:249 -> src/Chat.jsx:6:20 [public-bundle VITE_OPENAI_API_KEY]",
	}
	if diff := cmp.Diff(want, places(res, map[string]string{key: "KEY"}, nil)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if p := problems(res); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
}

// TestExpandBadMaps checks that each broken map on disk gets one clear problem, and that its
// bundle is still scanned (not traced).
func TestExpandBadMaps(t *testing.T) {
	key := keyFor(8)
	dir := t.TempDir()
	good := smallMap(t, key)
	// Not JSON: reported where the map is, and read as text.
	write(t, filepath.Join(dir, "notjson.js"), smallBundle(key)+"\n//# sourceMappingURL=notjson.js.map\n")
	write(t, filepath.Join(dir, "notjson.js.map"), `{"version":3,"mappings":"AAAA`)
	// Broken mappings: reported for the bundle that needed them.
	write(t, filepath.Join(dir, "badmappings.js"), smallBundle(key)+"\n//# sourceMappingURL=badmappings.js.map\n")
	write(t, filepath.Join(dir, "badmappings.js.map"), strings.Replace(good, "AAAA,QAEmB", "AAAA,QA!EmB", 1))
	// An inline map that is not base64.
	write(t, filepath.Join(dir, "badinline.js"), smallBundle(key)+"\n//# sourceMappingURL=data:application/json;base64,@@@\n")
	// A .map that is no source map at all: plain text, no problem.
	write(t, filepath.Join(dir, "level.map"), "tiles: 1 2 3\nsecret_word = "+key+"\n")
	// A script with no map: a plain file, not a bundle.
	write(t, filepath.Join(dir, "server.js"), smallBundle(key)+"\n")

	t.Chdir(dir)
	res := scanDir(t, ".")
	wantProblems := []string{
		"badinline.js: inline source map: data: URL is not valid base64; findings in the script are not traced to their sources",
		"badmappings.js: source map badmappings.js.map: broken mappings at generated line 1: '!' is not a base64 VLQ digit; findings in the script are not traced to their sources",
		"notjson.js.map: source map is not valid JSON: unexpected end of JSON input (at line 1, byte 29); scanned as plain text",
	}
	if diff := cmp.Diff(wantProblems, problems(res)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	want := []string{
		"KEY openai-project-key badinline.js:1:10 [public-bundle]",
		// badmappings.js.map parses, so its embedded source is read; its bundle is not traced.
		"KEY openai-project-key badmappings.js.map -> ../src/config.js:3:21 [public-bundle]",
		"KEY openai-project-key badmappings.js:1:10 [public-bundle]",
		"KEY openai-project-key level.map:2:15",
		"KEY openai-project-key notjson.js:1:10 [public-bundle]",
		"KEY openai-project-key server.js:1:10",
	}
	if diff := cmp.Diff(want, places(res, map[string]string{key: "KEY"}, nil)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestExpandMapsStayInsideRoots points bundles at maps outside the folder scanned: by
// ../, through a symlinked map, through a symlinked folder. None is read (their embedded
// keys are not found), each is said once, and the bundles are scanned untraced.
func TestExpandMapsStayInsideRoots(t *testing.T) {
	key, outsideKey := keyFor(40), keyFor(41)
	dir := t.TempDir()
	outside := smallMap(t, outsideKey)
	write(t, filepath.Join(dir, "outside/secret.map"), outside)
	write(t, filepath.Join(dir, "site/dotdot.js"), smallBundle(key)+"\n//# sourceMappingURL=../outside/secret.map\n")
	write(t, filepath.Join(dir, "site/linked.js"), smallBundle(key)+"\n//# sourceMappingURL=linked.js.map\n")
	write(t, filepath.Join(dir, "site/beside.js"), smallBundle(key)+"\n")
	write(t, filepath.Join(dir, "site/viadir.js"), smallBundle(key)+"\n//# sourceMappingURL=maps/secret.map\n")
	for link, target := range map[string]string{
		"site/linked.js.map": "../outside/secret.map",
		"site/beside.js.map": "../outside/secret.map",
		"site/maps":          "../outside",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	res, logs := scan(t, &files.Source{Paths: []string{"site"}, Expand: (&web.Expander{Roots: []string{"site"}}).Expand})
	if found(res, []string{outsideKey}) != nil {
		t.Error("a key from a map outside the folder scanned was found: the map was read")
	}
	want := []string{
		"KEY openai-project-key site/beside.js:1:10",
		"KEY openai-project-key site/dotdot.js:1:10 [public-bundle]",
		"KEY openai-project-key site/linked.js:1:10 [public-bundle]",
		"KEY openai-project-key site/viadir.js:1:10 [public-bundle]",
	}
	if diff := cmp.Diff(want, places(res, map[string]string{key: "KEY"}, nil)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ script, mp string }{
		{"site/dotdot.js", "outside/secret.map"},
		{"site/linked.js", "site/linked.js.map"},
		{"site/viadir.js", "site/maps/secret.map"},
	} {
		if n := countLines(logs, `"where":"`+tt.script+`"`, "skipped: source map "+tt.mp+" is outside the paths scanned, or reached through a symbolic link: not read"); n != 1 {
			t.Errorf("%d lines say %s was not read, want 1; the log:\n%s", n, tt.mp, strings.Join(logs, "\n"))
		}
	}
	if len(res.Problems) > 0 {
		t.Errorf("problems %v", problems(res))
	}
}

// TestExpandMapReadOnce has forty bundles that name one map: it is parsed once, its
// sources scanned once, every bundle traced through it.
func TestExpandMapReadOnce(t *testing.T) {
	key := keyFor(42)
	dir := t.TempDir()
	// A map of some size: a source of 2 MiB beside the one with the key.
	var m map[string]any
	if err := json.Unmarshal([]byte(smallMap(t, key)), &m); err != nil {
		t.Fatal(err)
	}
	m["sources"] = append(m["sources"].([]any), "../src/big.js")
	m["sourcesContent"] = append(m["sourcesContent"].([]any), strings.Repeat("var padding = 1;\n", 2<<20/17))
	big, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "dist/maps/shared.map"), string(big))
	const bundles = 40
	for i := 0; i < bundles; i++ {
		write(t, filepath.Join(dir, fmt.Sprintf("dist/b%02d.js", i)), smallBundle(key)+"\n//# sourceMappingURL=maps/shared.map\n")
	}
	t.Chdir(dir)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := scanDir(t, "dist")
	runtime.ReadMemStats(&after)
	traced, sources := 0, 0
	for _, p := range places(res, map[string]string{key: "KEY"}, nil) {
		switch {
		case strings.HasSuffix(p, ":1:10 -> dist/src/config.js:3:20 [public-bundle]"):
			traced++
		case p == "KEY openai-project-key dist/maps/shared.map -> dist/src/config.js:3:21 [public-bundle]":
			sources++
		default:
			t.Errorf("unexpected place %s", p)
		}
	}
	if traced != bundles || sources != 1 {
		t.Errorf("%d bundles traced (want %d), the map's sources scanned %d times (want once)", traced, bundles, sources)
	}
	// Read and parsed forty times, the map alone is 40 × 3 × 2 MiB.
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 && !raceEnabled {
		t.Errorf("the scan allocated %d MiB: the map was read more than once", n>>20)
	}
}

// TestExpandMapSizeLimit names a map larger than the size limit: not read, said once
// where the walk does not meet it, and by the walk where it does.
func TestExpandMapSizeLimit(t *testing.T) {
	key := keyFor(43)
	dir := t.TempDir()
	big := strings.Replace(smallMap(t, key), `"names"`, `"x_padding":"`+strings.Repeat("p", 4096)+`","names"`, 1)
	write(t, filepath.Join(dir, "dist/app.js"), smallBundle(key)+"\n//# sourceMappingURL=app.js.map\n")
	write(t, filepath.Join(dir, "dist/app.js.map"), big)
	t.Chdir(dir)
	for _, tt := range []struct {
		path, where, msg string
	}{
		// The walk meets the map: it says so itself.
		{"dist", "dist/app.js.map", "skipped: 4.4 KiB is larger than the 2.0 KiB limit"},
		// The bundle alone: the map is said where it is.
		{"dist/app.js", "dist/app.js.map", "skipped: source map is larger than the 2.0 KiB limit: not read; findings in dist/app.js are not traced to their sources"},
	} {
		res, logs := scan(t, &files.Source{Paths: []string{tt.path}, MaxFileSize: 2048,
			Expand: (&web.Expander{Roots: []string{tt.path}, MaxFileSize: 2048}).Expand})
		if n := countLines(logs, `"where":"`+tt.where+`"`, `"hint":"raise file-size"`, tt.msg); n != 1 {
			t.Errorf("%s: %d lines with %q, want 1; the log:\n%s", tt.path, n, tt.msg, strings.Join(logs, "\n"))
		}
		if res.Stats.Limits[scanner.LimitFileSize] != 1 {
			t.Errorf("%s: stats.limits %v, want one file-size", tt.path, res.Stats.Limits)
		}
		if got := places(res, map[string]string{key: "KEY"}, nil); !slices.Equal(got, []string{"KEY openai-project-key dist/app.js:1:10 [public-bundle]"}) {
			t.Errorf("%s: findings %v", tt.path, got)
		}
	}
}
