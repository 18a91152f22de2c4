package web_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/scanner/web"
)

// appsWant are the findings in the two fixture apps, crawled or read on disk: every place a
// key ships, each traced to the line and column of the app's own source that put it there.
// The Vite app's chat panel is a lazy chunk (React.lazy, a dynamic import); the Next.js
// app's Usage component is a chunk only webpack's runtime knows the URL of (next/dynamic).
var appsWant = []string{
	"NEXT openai-project-key out/_next/static/chunks/149.b9dbb0182a519dc1.js:1:297 -> components/Usage.js:9:43 [public-bundle NEXT_PUBLIC_OPENAI_API_KEY]",
	"NEXT openai-project-key out/_next/static/chunks/pages/index-b43741ba3e75976b.js:1:5822 -> lib/openai.js:5:11 [public-bundle NEXT_PUBLIC_OPENAI_API_KEY]",
	"VITE openai-project-key dist/assets/Chat-dBUzM6BB.js:1:249 -> src/Chat.jsx:6:20 [public-bundle VITE_OPENAI_API_KEY]",
	"VITE openai-project-key dist/assets/index-CjjJI6Ja.js:9:52708 -> src/openai.js:8:22 [public-bundle VITE_OPENAI_API_KEY]",
}

// TestCrawlFixtures crawls both built apps over loopback: both keys found, the lazy chunks
// followed, each location traced to its source file and line.
func TestCrawlFixtures(t *testing.T) {
	viteKey, nextKey := keyFor(41), keyFor(42)
	vite := build(t, "vite", viteKey)
	next := build(t, "next", nextKey)
	vsrv, vlog := serve(t, vite+"/dist")
	nsrv, nlog := serve(t, next+"/out")

	res := run(t, &web.Source{URLs: []string{vsrv.URL + "/", nsrv.URL + "/"}})
	names := map[string]string{viteKey: "VITE", nextKey: "NEXT"}
	bases := map[string]string{vsrv.URL + "/": "dist/", nsrv.URL + "/": "out/"}
	if diff := cmp.Diff(appsWant, places(res, names, bases)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if p := problems(res); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
	// The lazy chunks and their maps were fetched; Next.js's other pages were found from
	// the links and the build manifest.
	for _, want := range []struct {
		log  *requestLog
		path string
	}{
		{vlog, "/assets/Chat-dBUzM6BB.js"},
		{vlog, "/assets/Chat-dBUzM6BB.js.map"},
		{nlog, "/_next/static/chunks/149.b9dbb0182a519dc1.js"},
		{nlog, "/_next/static/chunks/149.b9dbb0182a519dc1.js.map"},
		{nlog, "/_next/static/leakstop-fixture/_buildManifest.js"},
		{nlog, "/_next/static/chunks/pages/_error-fb94b26f584cd6d0.js"},
		{nlog, "/about"},
	} {
		if !slices.Contains(want.log.Paths(), want.path) {
			t.Errorf("%s was not fetched; fetched: %v", want.path, want.log.Paths())
		}
	}
}

// TestDirFixtures reads the same builds on disk, as leakstop dir dist/ does: the same
// findings, with the same origins.
func TestDirFixtures(t *testing.T) {
	viteKey, nextKey := keyFor(41), keyFor(42)
	dir := t.TempDir()
	buildInto(t, dir, "vite", viteKey)
	buildInto(t, dir, "next", nextKey)
	t.Chdir(dir)
	res := scanDir(t, "dist", "out")
	names := map[string]string{viteKey: "VITE", nextKey: "NEXT"}
	if diff := cmp.Diff(appsWant, places(res, names, nil)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if p := problems(res); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
}
