package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
