package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/web"
)

// countLines returns how many log lines contain every one of parts.
func countLines(lines []string, parts ...string) int {
	n := 0
	for _, l := range lines {
		all := true
		for _, p := range parts {
			if !strings.Contains(l, p) {
				all = false
				break
			}
		}
		if all {
			n++
		}
	}
	return n
}

// badSite serves one page that points at every kind of bad input, and a second server for
// an off-origin script.
func badSite(t *testing.T, key string) (site, other *httptest.Server) {
	t.Helper()
	other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, "var cdn=%q;\n", key)
	}))
	t.Cleanup(other.Close)
	mux := http.NewServeMux()
	js := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/javascript")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head>
<script src="/app.js"></script>
<script src="/missing.js"></script>
<script src="/loop.js"></script>
<script src="/slow.js"></script>
<script src="/endless.js"></script>
<script src="/html-chunk.js"></script>
<script src="/notjson.js"></script>
<script src="/badmap.js"></script>
<script src="%s/cdn.js"></script>
</head><body><a href="/notes">notes</a> <a href="/old">old</a> <a href="/away">away</a></body></html>`, other.URL)
	})
	mux.HandleFunc("/app.js", js(smallBundle(key)+"\n//# sourceMappingURL=app.js.map\n"))
	mux.HandleFunc("/loop.js", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2.js", http.StatusFound) })
	mux.HandleFunc("/loop2.js", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop.js", http.StatusFound) })
	mux.HandleFunc("/slow.js", func(w http.ResponseWriter, r *http.Request) {
		// Dribbles a byte at a time until the client gives up (or 10 s pass).
		w.Header().Set("Content-Type", "application/javascript")
		for i := 0; i < 200; i++ {
			fmt.Fprint(w, " ")
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
	mux.HandleFunc("/endless.js", func(w http.ResponseWriter, r *http.Request) {
		// The key, then padding that goes on until the client stops reading (or 64 MiB).
		w.Header().Set("Content-Type", "application/javascript")
		fmt.Fprintf(w, "var k=%q;\n", key)
		pad := []byte(strings.Repeat("/* padding */\n", 300))
		for n := 0; n < 64<<20; n += len(pad) {
			if _, err := w.Write(pad); err != nil || r.Context().Err() != nil {
				return
			}
		}
	})
	mux.HandleFunc("/html-chunk.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><html><body>index</body></html>")
	})
	mux.HandleFunc("/notjson.js", js(smallBundle(key)+"\n//# sourceMappingURL=notjson.js.map\n"))
	mux.HandleFunc("/notjson.js.map", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"version":3,"mappings":`)
	})
	mux.HandleFunc("/badmap.js", js(smallBundle(key)+"\n//# sourceMappingURL=badmap.js.map\n"))
	mux.HandleFunc("/badmap.js.map", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, strings.Replace(smallMap(t, key), "AAAA,QAEmB", "AAAA,QA", 1))
	})
	mux.HandleFunc("/notes", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `{"note": "key", "value": %q}`, key)
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><body><script>var newKey=%q</script></body></html>`, key)
	})
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other.URL+"/", http.StatusFound) })
	site = httptest.NewServer(mux)
	t.Cleanup(site.Close)
	return site, other
}

// TestCrawlBadInput points a page at every kind of bad input: each gets one clear log line
// and the scan goes on with the rest.
func TestCrawlBadInput(t *testing.T) {
	key := keyFor(9)
	site, other := badSite(t, key)
	otherHost := strings.TrimPrefix(other.URL, "http://")
	res, logs := scan(t, &web.Source{
		URLs: []string{site.URL + "/"}, Timeout: 300 * time.Millisecond, MaxResponse: 64 << 10,
	})
	u := site.URL
	wantProblems := []string{
		u + "/badmap.js.map: broken mappings at generated line 1: a segment has 2 fields (1, 4 or 5 are allowed); findings in " + u + "/badmap.js are not traced to their sources",
		u + "/html-chunk.js: expected a script, got an HTML page (is the chunk missing, and the site answering with its index page?)",
		u + "/loop.js: redirect loop: " + u + "/loop.js redirects back to itself after 2 redirects",
		u + "/missing.js: HTTP 404 Not Found",
		u + "/notjson.js.map: source map is not valid JSON: unexpected end of JSON input (at line 1, byte 24); findings in " + u + "/notjson.js are not traced to their sources",
		u + "/slow.js: timed out after 300ms",
	}
	if diff := cmp.Diff(wantProblems, problems(res)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	for _, want := range [][]string{
		{`"level":"error"`, "/missing.js", "HTTP 404 Not Found"},
		{`"level":"error"`, "/loop.js", "redirect loop"},
		{`"level":"error"`, "/slow.js", `"hint":"the site is slow"`, "timed out"},
		{`"level":"error"`, "/notjson.js.map", "not valid JSON"},
		{`"level":"error"`, "/badmap.js.map", "broken mappings"},
		{`"level":"error"`, "/html-chunk.js", "expected a script, got an HTML page"},
		{`"level":"info"`, "/endless.js", `"hint":"raise file-size"`, "skipped: response is larger than the 64 KiB limit: the rest is not read"},
		{`"level":"info"`, other.URL + "/cdn.js", `"hint":"allow ` + otherHost + `"`, "skipped: script on another host, not fetched"},
		{`"level":"info"`, "/app.js.map", "skipped: source map not served (HTTP 404 Not Found); findings in " + u + "/app.js are not traced to their sources"},
		// Located at the other host, so that the command can name the host to allow.
		{`"level":"info"`, `"where":"` + other.URL + `/"`, `"hint":"allow ` + otherHost + `"`, "skipped: redirect from " + u + "/away to another host, not followed"},
		{`"level":"warn"`, "/notes", "served as HTML but holds no HTML tags: scanned as text, nothing followed"},
	} {
		if n := countLines(logs, want...); n != 1 {
			t.Errorf("%d log lines with %q, want 1; the log:\n%s", n, want, strings.Join(logs, "\n"))
		}
	}
	// The rest was scanned: the key in every place that could be read, none from the
	// other host.
	wantPlaces := []string{
		"KEY openai-project-key /app.js:1:10 [public-bundle]",
		"KEY openai-project-key /badmap.js.map:1:159 [public-bundle]", // read as text
		"KEY openai-project-key /badmap.js:1:10 [public-bundle]",
		"KEY openai-project-key /endless.js:1:8 [public-bundle]",
		"KEY openai-project-key /new:1:33 [public-bundle]",
		"KEY openai-project-key /notes:1:27 [public-bundle]",
		"KEY openai-project-key /notjson.js:1:10 [public-bundle]",
	}
	got := places(res, map[string]string{key: "KEY"}, map[string]string{u: ""})
	if diff := cmp.Diff(wantPlaces, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, l := range logs {
		if strings.Contains(l, key) {
			t.Errorf("a log line holds the key: %s", l)
		}
	}

	// With the other host allowed, its script is read too.
	res, _ = scan(t, &web.Source{
		URLs: []string{site.URL + "/"}, Timeout: 300 * time.Millisecond, MaxResponse: 64 << 10,
		AllowHosts: []string{otherHost},
	})
	got = places(res, map[string]string{key: "KEY"}, map[string]string{u: "", other.URL: "OTHER"})
	if !slices.Contains(got, "KEY openai-project-key OTHER/cdn.js:1:10 [public-bundle]") {
		t.Errorf("the allowed host's script was not scanned: %v", got)
	}
}

// chain serves pages /p0 → /p1 → … /p{n-1}, each with a key of its own in an inline script.
func chain(t *testing.T, n int) (*httptest.Server, []string) {
	t.Helper()
	var keys []string
	for i := 0; i < n; i++ {
		keys = append(keys, keyFor(uint64(100+i)))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/p%d", &i); err != nil || i >= n {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<html><body><script>var k=%q</script><a href=\"/p%d\">next</a></body></html>", keys[i], i+1)
	}))
	t.Cleanup(srv.Close)
	return srv, keys
}

// found says which of keys a scan found, by index.
func found(res *scanner.Result, keys []string) []int {
	var out []int
	for i, k := range keys {
		for _, f := range res.Findings {
			if f.Secret == k {
				out = append(out, i)
			}
		}
	}
	sort.Ints(out)
	return out
}

func TestCrawlLimits(t *testing.T) {
	srv, keys := chain(t, 4)
	// Pages are about 300 bytes: 400 bytes are one page and a part of the next.
	tests := []struct {
		name  string
		src   web.Source
		found []int
		log   []string
	}{
		{"depth", web.Source{MaxDepth: 1}, []int{0, 1}, []string{"/p2", `"hint":"raise depth"`, "skipped: page is 2 links from the start, beyond the limit of 1"}},
		{"start page only", web.Source{MaxDepth: -1}, []int{0}, []string{"/p1", `"hint":"raise depth"`, "skipped: page is 1 link from the start, beyond the limit of 0"}},
		{"pages", web.Source{MaxPages: 3}, []int{0, 1, 2}, []string{"/p3", `"hint":"raise pages"`, "skipped: the limit of 3 URLs is reached: this and later URLs are not fetched"}},
		{"one page", web.Source{MaxPages: 1}, []int{0}, []string{"/p1", `"hint":"raise pages"`, "skipped: the limit of 1 URL is reached: this and later URLs are not fetched"}},
		{"bytes", web.Source{MaxBytes: 400}, []int{0}, []string{"/p1", `"hint":"raise total-bytes"`, "skipped: the 400 B limit on bytes read is reached: the rest of the response is not read"}},
		{"no limit reached", web.Source{}, []int{0, 1, 2, 3}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			src.URLs = []string{srv.URL + "/p0"}
			res, logs := scan(t, &src)
			if diff := cmp.Diff(tt.found, found(res, keys)); diff != "" {
				t.Errorf("keys found (-want +got):\n%s", diff)
			}
			if tt.log != nil && countLines(logs, tt.log...) != 1 {
				t.Errorf("no one log line with %q; the log:\n%s", tt.log, strings.Join(logs, "\n"))
			}
			if len(res.Problems) > 0 {
				t.Errorf("problems: %v", problems(res))
			}
		})
	}
}

// TestCrawlRequests checks what the crawl sends: the User-Agent, the headers asked for
// (never logged), and nothing off the allowed hosts.
func TestCrawlRequests(t *testing.T) {
	key := keyFor(11)
	dir := build(t, "vite", key)
	var mu sync.Mutex
	var seen []http.Header
	files := http.FileServer(http.Dir(dir + "/dist"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		if r.Header.Get("Cookie") != "session=let-me-in" {
			http.Error(w, "log in first", http.StatusUnauthorized)
			return
		}
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()

	// Without the cookie: one clear line that says what to do, and nothing could be read.
	_, logs, err := scanErr(t, &web.Source{URLs: []string{srv.URL + "/"}})
	if !errors.Is(err, web.ErrNothingRead) {
		t.Errorf("scan returned %v, want ErrNothingRead", err)
	}
	if n := countLines(logs, `"where":"`+srv.URL+`/"`, `"hint":"the site may want a login cookie or token"`, "HTTP 401 Unauthorized"); n != 1 {
		t.Errorf("%d log lines with the hint, want 1; the log:\n%s", n, strings.Join(logs, "\n"))
	}

	res, logs := scan(t, &web.Source{
		URLs:      []string{srv.URL + "/"},
		Header:    http.Header{"Cookie": {"session=let-me-in"}},
		UserAgent: "leakstop/9.9.9 (+https://github.com/leakstop/leakstop)",
		MaxDepth:  1,
	})
	if len(res.Findings) == 0 || len(res.Problems) > 0 {
		t.Fatalf("findings %d, problems %v", len(res.Findings), problems(res))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range seen[1:] {
		if ua := h.Get("User-Agent"); ua != "leakstop/9.9.9 (+https://github.com/leakstop/leakstop)" {
			t.Errorf("User-Agent %q", ua)
		}
	}
	for _, l := range logs {
		if strings.Contains(l, "let-me-in") {
			t.Errorf("a log line holds the cookie: %s", l)
		}
	}
}

// TestCrawlWebpackRuntime follows a Create React App build: the webpack runtime inlined in
// the page, chunk URLs made from its hash map; a chunk id the server does not have is a
// quiet miss, not a problem.
func TestCrawlWebpackRuntime(t *testing.T) {
	key := keyFor(12)
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><script>!function(e){var o={};o.p="/",o.u=function(e){return"static/js/"+e+"."+{12:"ab12cd",34:"ef56ab"}[e]+".chunk.js"}}([])</script>`+
			`<script src="/static/js/main.1a2b.js"></script></head></html>`)
	})
	mux.HandleFunc("/static/js/main.1a2b.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `o.e(12).then(o.bind(o,500));`)
	})
	mux.HandleFunc("/static/js/12.ab12cd.chunk.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, `(self.webpackChunk=self.webpackChunk||[]).push([[12],{500:e=>{e.exports=%q}}]);`, key)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	res, logs := scan(t, &web.Source{URLs: []string{srv.URL + "/"}})
	got := places(res, map[string]string{key: "KEY"}, map[string]string{srv.URL: ""})
	if diff := cmp.Diff([]string{"KEY openai-project-key /static/js/12.ab12cd.chunk.js:1:74 [public-bundle]"}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if len(res.Problems) > 0 {
		t.Errorf("problems: %v\n%s", problems(res), strings.Join(logs, "\n"))
	}
}

// TestCrawlStartURLs checks start URLs that are not http(s).
func TestCrawlStartURLs(t *testing.T) {
	var got []string
	err := (&web.Source{URLs: []string{"example.com", "ftp://example.com/x"}}).Scan(context.Background(), func(c scanner.Chunk) error {
		got = append(got, c.Location.URL+": "+c.Err.Error())
		return nil
	})
	want := []string{
		`example.com: "example.com" is not an http or https URL (write it in full: https://example.com/)`,
		`ftp://example.com/x: "ftp://example.com/x" is not an http or https URL (write it in full: https://example.com/)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	// Nothing could be read: the crawl says so.
	if !errors.Is(err, web.ErrNothingRead) {
		t.Errorf("Scan returned %v, want ErrNothingRead", err)
	}
	if _, err := web.ParseURL("https://example.com/app#top"); err != nil {
		t.Error(err)
	}
}

// skips crawls src and returns the chunks it could not or would not read, by where.
func skips(t *testing.T, src *web.Source) map[string]scanner.Chunk {
	t.Helper()
	out, err := skipsErr(t, src)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// skipsErr is skips for a crawl that may read nothing: it returns the crawl's error too.
func skipsErr(t *testing.T, src *web.Source) (map[string]scanner.Chunk, error) {
	t.Helper()
	testSource(src)
	var mu sync.Mutex
	out := map[string]scanner.Chunk{}
	err := src.Scan(context.Background(), func(c scanner.Chunk) error {
		if c.Err != nil || c.Skipped != "" {
			mu.Lock()
			defer mu.Unlock()
			if _, dup := out[c.Location.URL]; dup {
				t.Errorf("%s reported twice", c.Location.URL)
			}
			out[c.Location.URL] = c
		}
		return nil
	})
	return out, err
}

// TestCrawlFetchErrors checks the errors of failed fetches, one row per status: typed, so
// that the command can say which of its flags helps, with a hint of their own.
func TestCrawlFetchErrors(t *testing.T) {
	statuses := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusTooManyRequests, http.StatusInternalServerError}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("Content-Type", "text/html")
			for _, s := range statuses {
				fmt.Fprintf(w, "<script src=\"/%d.js\"></script>\n", s)
			}
			return
		}
		var code int
		if _, err := fmt.Sscanf(r.URL.Path, "/%d.js", &code); err != nil {
			t.Errorf("unexpected request for %s", r.URL.Path)
			http.NotFound(w, r)
			return
		}
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "30")
		}
		http.Error(w, "no", code)
	}))
	defer srv.Close()
	got := skips(t, &web.Source{URLs: []string{srv.URL + "/"}})
	tests := []struct {
		status int
		text   string
		hint   string
	}{
		{401, "HTTP 401 Unauthorized", "the site may want a login cookie or token"},
		{403, "HTTP 403 Forbidden", "the site may want a login cookie or token"},
		{404, "HTTP 404 Not Found", ""},
		{429, "HTTP 429 Too Many Requests", "the site limits the request rate"},
		{500, "HTTP 500 Internal Server Error", ""},
	}
	for _, tt := range tests {
		where := fmt.Sprintf("%s/%d.js", srv.URL, tt.status)
		c, ok := got[where]
		delete(got, where)
		var he *web.HTTPError
		switch {
		case !ok:
			t.Errorf("%d: not reported", tt.status)
		case !errors.As(c.Err, &he):
			t.Errorf("%d: error %v (%T), want an *HTTPError", tt.status, c.Err, c.Err)
		case he.StatusCode != tt.status || c.Err.Error() != tt.text || he.Hint() != tt.hint:
			t.Errorf("%d: error %q status %d hint %q, want %q %d %q", tt.status, c.Err, he.StatusCode, he.Hint(), tt.text, tt.status, tt.hint)
		}
	}
	for where, c := range got {
		t.Errorf("also reported: %s: %v%s", where, c.Err, c.Skipped)
	}

	// A request that takes longer than its time.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slow.Close()
	got, err := skipsErr(t, &web.Source{URLs: []string{slow.URL + "/"}, Timeout: 100 * time.Millisecond})
	if !errors.Is(err, web.ErrNothingRead) {
		t.Errorf("a slow site: the crawl returned %v, want ErrNothingRead", err)
	}
	var te *web.TimeoutError
	if c := got[slow.URL+"/"]; !errors.As(c.Err, &te) || te.After != 100*time.Millisecond || te.Hint() != "the site is slow" {
		t.Errorf("a slow site: %v (%T), want a *TimeoutError after 100ms", c.Err, c.Err)
	}
}

// TestCrawlSourceMapLimits checks a source map that a bound keeps from being read: on
// another host (named at its own URL), larger than the limit on one response.
func TestCrawlSourceMapLimits(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request for %s on the other host", r.URL.Path)
	}))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<script src="/away.js"></script><script src="/big.js"></script>`)
	})
	mux.HandleFunc("/away.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, "var a=1;\n//# sourceMappingURL=%s/away.js.map\n", other.URL)
	})
	mux.HandleFunc("/big.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, "var b=1;\n//# sourceMappingURL=big.js.map\n")
	})
	mux.HandleFunc("/big.js.map", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"version":3,"sources":["a.js"],"mappings":"AAAA","sourcesContent":[%q]}`, strings.Repeat("x", 2000))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	got := skips(t, &web.Source{URLs: []string{srv.URL + "/"}, MaxResponse: 1000})
	want := map[string]string{
		other.URL + "/away.js.map": "host: source map on another host, not fetched",
		srv.URL + "/big.js.map": "file-size: source map cut short (response is larger than the 1000 B limit: the rest is not read); " +
			"findings in " + srv.URL + "/big.js are not traced to their sources",
	}
	gotText := map[string]string{}
	for where, c := range got {
		msg := c.Skipped
		if c.Err != nil {
			msg = c.Err.Error()
		}
		gotText[where] = string(c.Limit) + ": " + msg
	}
	if diff := cmp.Diff(want, gotText); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}
