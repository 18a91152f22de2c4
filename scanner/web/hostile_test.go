package web_test

import (
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/web"
)

// network is a resolver and dialer the test controls: names resolve to the addresses the
// test gives them (each lookup the next answer, the last one repeated: DNS rebinding), and
// a connection to a made-up public address goes to the loopback server the test routed it
// to. A connection to anything else fails the test: the crawl dialled what it should not.
type network struct {
	t       *testing.T
	mu      sync.Mutex
	names   map[string][]string
	lookups map[string]int
	routes  map[string]string
}

func newNetwork(t *testing.T) *network {
	return &network{t: t, names: map[string][]string{}, lookups: map[string]int{}, routes: map[string]string{}}
}

// host makes name resolve to addrs, one answer per lookup.
func (n *network) host(name string, addrs ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.names[name] = addrs
}

// route makes connections to addr:80 go to srv.
func (n *network) route(addr string, srv *httptest.Server) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.routes[net.JoinHostPort(addr, "80")] = strings.TrimPrefix(srv.URL, "http://")
}

// serve routes name to a new server with handler at a made-up public address.
func (n *network) serve(name, addr string, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	n.t.Cleanup(srv.Close)
	n.host(name, addr)
	n.route(addr, srv)
	return srv
}

func (n *network) resolve(_ context.Context, host string) ([]netip.Addr, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	answers, ok := n.names[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	i := min(n.lookups[host], len(answers)-1)
	n.lookups[host]++
	return []netip.Addr{netip.MustParseAddr(answers[i])}, nil
}

func (n *network) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	target, ok := n.routes[addr]
	n.mu.Unlock()
	if !ok {
		n.t.Errorf("the crawl connected to %s, which it should have refused", addr)
		return nil, errors.New("not routed")
	}
	return (&net.Dialer{}).DialContext(ctx, network, target)
}

func (n *network) source(s *web.Source) *web.Source {
	s.Resolve, s.Dial = n.resolve, n.dial
	return s
}

// TestCrawlRefusesPrivateAddresses points a page at loopback, cloud metadata, private and
// unique-local addresses, by name, by address, through redirects and by a name that
// resolves to a public address first and to loopback next (DNS rebinding): each is refused
// on the address the connection would go to, with one clear line, and the crawl goes on.
func TestCrawlRefusesPrivateAddresses(t *testing.T) {
	key := keyFor(30)
	n := newNetwork(t)
	n.serve("public.test", "203.0.113.10", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><head>
<script src="http://loop.test/a.js"></script>
<script src="http://meta.test/latest/meta-data/"></script>
<script src="http://meta6.test/x.js"></script>
<script src="http://10.0.0.7/x.js"></script>
<script src="/to-meta.js"></script>
<script src="/to-ip.js"></script>
<script src="http://rebind.test/one.js"></script>
<script>var k=%q</script></head></html>`, key)
		case "/to-meta.js":
			http.Redirect(w, r, "http://meta.test/latest/api/token", http.StatusFound)
		case "/to-ip.js":
			http.Redirect(w, r, "http://127.0.0.1/x.js", http.StatusFound)
		default:
			t.Errorf("unexpected request for %s", r.URL.Path)
			http.NotFound(w, r)
		}
	}))
	// rebind.test answers a public address first, loopback after; each response closes
	// its connection, so the second script needs a new one.
	rebind := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.Header().Set("Content-Type", "text/javascript")
		if r.URL.Path != "/one.js" {
			t.Errorf("rebind.test was asked for %s", r.URL.Path)
		}
		fmt.Fprint(w, `import "./two.js";`)
	}))
	defer rebind.Close()
	n.host("rebind.test", "203.0.113.11", "127.0.0.1")
	n.route("203.0.113.11", rebind)
	n.host("loop.test", "127.0.0.1")
	n.host("meta.test", "169.254.169.254")
	n.host("meta6.test", "fd00:ec2::254")

	res, logs := scan(t, n.source(&web.Source{
		URLs:       []string{"http://public.test/"},
		AllowHosts: []string{"loop.test", "meta.test", "meta6.test", "10.0.0.7", "127.0.0.1", "rebind.test"},
	}))
	want := []string{
		"http://10.0.0.7/x.js: 10.0.0.7 is a private address: not fetched",
		"http://loop.test/a.js: loop.test resolves to 127.0.0.1, a loopback address: not fetched",
		"http://meta.test/latest/meta-data/: meta.test resolves to 169.254.169.254, a cloud metadata address: not fetched",
		"http://meta6.test/x.js: meta6.test resolves to fd00:ec2::254, a cloud metadata address: not fetched",
		"http://public.test/to-ip.js: 127.0.0.1 is a loopback address: not fetched",
		"http://public.test/to-meta.js: meta.test resolves to 169.254.169.254, a cloud metadata address: not fetched",
		"http://rebind.test/two.js: rebind.test resolves to 127.0.0.1, a loopback address: not fetched",
	}
	if diff := cmp.Diff(want, problems(res)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got := countLines(logs, `"level":"error"`, `"hint":"leakstop does not fetch loopback, private or link-local addresses unless told to: allow private addresses to scan a site on your own network"`); got != len(want) {
		t.Errorf("%d error lines with the hint, want %d; the log:\n%s", got, len(want), strings.Join(logs, "\n"))
	}
	if got := places(res, map[string]string{key: "KEY"}, nil); !slices.Equal(got, []string{"KEY openai-project-key http://public.test/:9:16 [public-bundle]"}) {
		t.Errorf("findings %v: the page's key should still be found", got)
	}

	// A name that resolves to a public address is fetched.
	n.serve("loop.test", "203.0.113.12", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, "var a=1;")
	}))
	res, _ = scan(t, n.source(&web.Source{URLs: []string{"http://loop.test/"}}))
	if len(res.Problems) > 0 || res.Stats.URLs != 1 {
		t.Errorf("problems %v, %d URLs read: want the page read", problems(res), res.Stats.URLs)
	}
}

// sites serves a site on example.test that redirects to www.example.test, with a CDN and an
// API host of its own and a site elsewhere, and records the headers each host was sent.
type sites struct {
	t       *testing.T
	mu      sync.Mutex
	headers map[string][]string // host → "path Cookie Authorization" per request
	keys    []string
}

func (s *sites) record(host string, r *http.Request) {
	if ref := r.Header.Get("Referer"); ref != "" {
		// net/http sets one on redirects, and the URL may carry a token.
		s.t.Errorf("%s%s was sent the Referer %s", host, r.URL.Path, ref)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.headers[host] = append(s.headers[host], r.URL.Path+" cookie="+r.Header.Get("Cookie")+" auth="+r.Header.Get("Authorization"))
}

func newSites(t *testing.T, n *network) *sites {
	s := &sites{t: t, headers: map[string][]string{}, keys: []string{keyFor(31), keyFor(32), keyFor(33)}}
	html := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, body)
	}
	js := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, body)
	}
	n.serve("example.test", "203.0.113.20", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.record("example.test", r)
		switch r.URL.Path {
		case "/":
			http.Redirect(w, r, "http://www.example.test/", http.StatusMovedPermanently)
		case "/away":
			http.Redirect(w, r, "http://other.test/", http.StatusFound)
		case "/lib-redirect.js":
			// To a subdomain of the first host: net/http would forward the cookie.
			http.Redirect(w, r, "http://cdn.example.test/moved.js", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	n.serve("www.example.test", "203.0.113.21", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.record("www.example.test", r)
		switch r.URL.Path {
		case "/":
			html(w, fmt.Sprintf(`<html><script>var k=%q</script><a href="/about">about</a>
<script src="http://cdn.example.test/lib.js"></script>
<script src="http://example.test/lib-redirect.js"></script>
<script src="http://api.example.test/config.js"></script></html>`, s.keys[0]))
		case "/about":
			html(w, fmt.Sprintf(`<html><script>var k=%q</script></html>`, s.keys[1]))
		default:
			http.NotFound(w, r)
		}
	}))
	n.serve("cdn.example.test", "203.0.113.22", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.record("cdn.example.test", r)
		js(w, "var lib=1;")
	}))
	n.serve("api.example.test", "203.0.113.23", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.record("api.example.test", r)
		js(w, fmt.Sprintf("var cfg=%q;", s.keys[2]))
	}))
	n.serve("other.test", "203.0.113.24", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("other.test was asked for %s", r.URL.Path)
	}))
	return s
}

// TestStartRedirectAndHeaders starts at a site's apex, which redirects to www: followed,
// and www crawled as a start origin. The cookie and token given go to the site's own hosts
// and to the host named for them, never to the CDN, even through a redirect that net/http
// would forward them on. A start URL that redirects to another site is an error, and a
// crawl that read nothing says so.
func TestStartRedirectAndHeaders(t *testing.T) {
	n := newNetwork(t)
	s := newSites(t, n)
	res, logs := scan(t, n.source(&web.Source{
		URLs:        []string{"http://example.test/"},
		AllowHosts:  []string{"cdn.example.test", "api.example.test"},
		HeaderHosts: []string{"api.example.test"},
		Header:      http.Header{"Cookie": {"session=s3cret"}, "Authorization": {"Bearer t0ken"}},
	}))
	if len(res.Problems) > 0 {
		t.Errorf("problems %v", problems(res))
	}
	if diff := cmp.Diff([]int{0, 1, 2}, found(res, s.keys)); diff != "" {
		t.Errorf("keys found (-want +got):\n%s", diff)
	}
	if n := countLines(logs, `"level":"info"`, `"url":"http://example.test/"`, `"to":"http://www.example.test/"`, "the start URL redirects to another host of the same site: followed"); n != 1 {
		t.Errorf("%d lines say the redirect was followed, want 1; the log:\n%s", n, strings.Join(logs, "\n"))
	}
	const sent = " cookie=session=s3cret auth=Bearer t0ken"
	want := map[string][]string{
		"example.test":     {"/" + sent, "/lib-redirect.js" + sent},
		"www.example.test": {"/" + sent, "/about" + sent},
		// The maps tried beside each script.
		"api.example.test": {"/config.js" + sent, "/config.js.map" + sent},
		"cdn.example.test": {"/lib.js cookie= auth=", "/lib.js.map cookie= auth=", "/moved.js cookie= auth=", "/moved.js.map cookie= auth="},
	}
	s.mu.Lock()
	for _, v := range s.headers {
		slices.Sort(v)
	}
	if diff := cmp.Diff(want, s.headers); diff != "" {
		t.Errorf("headers sent (-want +got):\n%s", diff)
	}
	s.mu.Unlock()
	for _, l := range logs {
		if strings.Contains(l, "s3cret") || strings.Contains(l, "t0ken") {
			t.Errorf("a log line holds a header value: %s", l)
		}
	}

	// To another site: an error, and nothing was read.
	_, logs, err := scanErr(t, n.source(&web.Source{URLs: []string{"http://example.test/away"}}))
	if !errors.Is(err, web.ErrNothingRead) {
		t.Errorf("the crawl returned %v, want ErrNothingRead", err)
	}
	if n := countLines(logs, `"level":"error"`, `"where":"http://example.test/away"`,
		`"hint":"start from the URL it redirects to, if that site is the one to scan"`,
		"the start URL redirects to http://other.test/, on another site: not followed, nothing of it scanned"); n != 1 {
		t.Errorf("%d lines say the redirect was not followed, want 1; the log:\n%s", n, strings.Join(logs, "\n"))
	}
}

// TestQueryValuesNeverLogged puts a Google API key in the query of a script on another host,
// the way the Maps script is loaded: the line that says the script is not fetched, which is
// written before the page's findings are known, shows the URL with the key hidden; fetched,
// the script's location hides it too.
func TestQueryValuesNeverLogged(t *testing.T) {
	gkey, err := rules.NewGenerator(34).Expand("AIza{{b64url 35}}")
	if err != nil {
		t.Fatal(err)
	}
	maps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, "window.google={maps:{}};")
	}))
	defer maps.Close()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/app.js" {
			// A map URL that does not parse, with the key in its query.
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprintf(w, "var a=1;\n//# sourceMappingURL=%%zz.map?key=%s\n", gkey)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><script src="%s/maps/api/js?key=%s&callback=init"></script><script src="/app.js"></script></html>`, maps.URL, gkey)
	}))
	defer site.Close()
	mapsHost := strings.TrimPrefix(maps.URL, "http://")
	shownURL := maps.URL + "/maps/api/js?key=…&callback=…"

	for _, allow := range [][]string{nil, {mapsHost}} {
		res, logs := scan(t, &web.Source{URLs: []string{site.URL + "/"}, AllowHosts: allow})
		for _, l := range logs {
			if strings.Contains(l, gkey) {
				t.Errorf("a log line holds the key: %s", l)
			}
		}
		if found(res, []string{gkey}) == nil {
			t.Errorf("the key in the page was not found")
		}
		if n := countLines(logs, `"where":"`+site.URL+`/app.js"`, `source map URL \"%zz.map?…\": invalid URL escape`); n != 1 {
			t.Errorf("%d lines say the map URL does not parse, want 1; the log:\n%s", n, strings.Join(logs, "\n"))
		}
		if allow == nil {
			if n := countLines(logs, `"where":"`+shownURL+`"`, "skipped: script on another host, not fetched"); n != 1 {
				t.Errorf("%d lines skip the script at %s, want 1; the log:\n%s", n, shownURL, strings.Join(logs, "\n"))
			}
			continue
		}
		for _, f := range res.Findings {
			for _, l := range f.Locations {
				if strings.Contains(l.URL, gkey) {
					t.Errorf("a location holds the key: %s", l.URL)
				}
			}
		}
	}
}

// TestDataScripts scans scripts given in full by data: URLs, base64 and percent-encoded,
// one with an inline source map: each located at its page, marked with which one it is.
func TestDataScripts(t *testing.T) {
	key := keyFor(35)
	m := `{"version":3,"sources":["src/config.js"],"sourcesContent":["export const k = 1;\n"],"mappings":"AAAA,QAAQ"}`
	b64 := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("var k=%q;\n//# sourceMappingURL=data:application/json;base64,%s\n", key, base64.StdEncoding.EncodeToString([]byte(m)))))
	pct := url.PathEscape(fmt.Sprintf("var other = %q;", key))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><script src="data:text/javascript;base64,%s"></script>`+
			`<script src="data:text/javascript,%s"></script>`+
			`<script src="data:text/javascript;base64,@@@"></script></html>`, b64, pct)
	}))
	defer srv.Close()
	res, _ := scan(t, &web.Source{URLs: []string{srv.URL + "/"}})
	want := []string{
		"KEY openai-project-key /#data-script-1:1:8 -> src/config.js:1:1 [public-bundle]",
		"KEY openai-project-key /#data-script-2:1:14 [public-bundle]",
	}
	if diff := cmp.Diff(want, places(res, map[string]string{key: "KEY"}, map[string]string{srv.URL: ""})); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{srv.URL + "/#data-script-3: data: script: data: URL is not valid base64"}, problems(res)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// scriptsPage writes a page of n scripts, /s0.js to /s{n-1}.js.
func scriptsPage(w http.ResponseWriter, n int) {
	w.Header().Set("Content-Type", "text/html")
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, `<script src="/s%d.js"></script>`, i)
	}
}

// hostileRuntimeScript is a script made to make a crawl guess without end: runtimes webpack
// chunk-URL functions, each a pattern of its own, and ids chunk loads. Every runtime with
// every id is runtimes × ids URLs.
func hostileRuntimeScript(prefix string, runtimes, ids int) string {
	var b strings.Builder
	for i := 0; i < runtimes; i++ {
		fmt.Fprintf(&b, "r%d.u=e=>\"%s%d/\"+e+\".js\";", i, prefix, i)
	}
	for i := 0; i < ids; i++ {
		fmt.Fprintf(&b, "n.e(%d);", i)
	}
	return b.String()
}

// TestWebpackGuessesAreBounded serves ten scripts of 300 KB, each with webpack runtimes and
// thousands of chunk loads: the chunk URLs made up from them are bounded by the limit on
// URLs (a budget of guesses, one line when it is spent), the URLs fetched stay within the
// limit, and so does memory.
func TestWebpackGuessesAreBounded(t *testing.T) {
	const scripts = 10
	var mu sync.Mutex
	chunkRequests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			scriptsPage(w, scripts)
		case strings.HasPrefix(r.URL.Path, "/s") && strings.Count(r.URL.Path, "/") == 1:
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, hostileRuntimeScript(strings.TrimSuffix(r.URL.Path[1:], ".js")+"c", 200, 30000))
		default:
			mu.Lock()
			chunkRequests++
			mu.Unlock()
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	if n := len(hostileRuntimeScript("s0c", 200, 30000)); n < 300<<10 {
		t.Fatalf("the script is %d bytes, want over 300 KiB", n)
	}
	const pages = 100
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, logs := scan(t, &web.Source{URLs: []string{srv.URL + "/"}, MaxPages: pages})
	runtime.ReadMemStats(&after)
	// Unbounded, this is 10 × 64 × 30000 URLs: gigabytes.
	if n := after.TotalAlloc - before.TotalAlloc; n > 384<<20 && !raceEnabled {
		t.Errorf("the crawl allocated %d MiB", n>>20)
	}
	if chunkRequests > pages {
		t.Errorf("%d chunk URLs fetched, more than the limit of %d", chunkRequests, pages)
	}
	if n := countLines(logs, `"hint":"raise pages"`, "skipped: 400 chunk URLs made up from the site's webpack runtimes, the limit (4 for each of the 100 URLs the crawl may fetch): no more are tried"); n != 1 {
		t.Errorf("%d lines say the guesses were spent, want 1; the log:\n%s", n, strings.Join(logs, "\n"))
	}
	if res.Stats.Limits[scanner.LimitPages] < 1 {
		t.Errorf("stats.limits %v: the pages bound is not counted", res.Stats.Limits)
	}
}

// TestMapFetchedOnce serves forty scripts that name one source map: it is fetched and
// parsed once, its sources scanned once, and every script's finding is traced through it.
func TestMapFetchedOnce(t *testing.T) {
	key := keyFor(36)
	const scripts = 40
	var mu sync.Mutex
	mapRequests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			scriptsPage(w, scripts)
		case r.URL.Path == "/shared.js.map":
			mu.Lock()
			mapRequests++
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, smallMap(t, key))
		default:
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, smallBundle(key)+"\n//# sourceMappingURL=shared.js.map\n")
		}
	}))
	defer srv.Close()
	res, _ := scan(t, &web.Source{URLs: []string{srv.URL + "/"}})
	if mapRequests != 1 {
		t.Errorf("the map was fetched %d times, want once", mapRequests)
	}
	got := places(res, map[string]string{key: "KEY"}, map[string]string{srv.URL: ""})
	traced, sources := 0, 0
	for _, p := range got {
		switch {
		case strings.HasPrefix(p, "KEY openai-project-key /s") && strings.HasSuffix(p, ":1:10 -> src/config.js:3:20 [public-bundle]"):
			traced++
		case p == "KEY openai-project-key /shared.js.map -> src/config.js:3:21 [public-bundle]":
			sources++
		default:
			t.Errorf("unexpected place %s", p)
		}
	}
	if traced != scripts || sources != 1 {
		t.Errorf("%d scripts traced (want %d), the map's source scanned %d times (want once)", traced, scripts, sources)
	}
}

// TestGzipBomb serves a response of 256 MiB that travels as 256 KiB of gzip: the decoded
// body is read to the limit on one response and no further, with one line and the bound
// counted, and memory stays bounded by the limit.
func TestGzipBomb(t *testing.T) {
	key := keyFor(37)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/bomb.js" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/javascript")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprintf(zw, "var k=%q;\n", key)
		pad := []byte(strings.Repeat(" ", 1<<20))
		for i := 0; i < 256; i++ {
			if _, err := zw.Write(pad); err != nil || r.Context().Err() != nil {
				return
			}
		}
		zw.Close()
	}))
	defer srv.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, logs := scan(t, &web.Source{URLs: []string{srv.URL + "/bomb.js"}, MaxResponse: 1 << 20})
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 && !raceEnabled {
		t.Errorf("the crawl allocated %d MiB for a response limited to 1 MiB", n>>20)
	}
	if n := countLines(logs, `"hint":"raise file-size"`, "skipped: response is larger than the 1.0 MiB limit: the rest is not read"); n != 1 {
		t.Errorf("%d lines say the response was cut, want 1; the log:\n%s", n, strings.Join(logs, "\n"))
	}
	if res.Stats.Limits[scanner.LimitFileSize] != 1 {
		t.Errorf("stats.limits %v, want one file-size", res.Stats.Limits)
	}
	if found(res, []string{key}) == nil {
		t.Error("the key at the start of the response was not found")
	}
}

// TestPageWithTooManyScripts serves a page that names far more scripts than the crawl may
// fetch: the rest are passed over with one line.
func TestPageWithTooManyScripts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, "var a=1;")
			return
		}
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < 10000; i++ {
			fmt.Fprintf(w, `<script src="https://cdn%d.example/x.js"></script>`, i)
		}
	}))
	defer srv.Close()
	res, logs := scan(t, &web.Source{URLs: []string{srv.URL + "/"}, MaxPages: 5})
	if n := countLines(logs, "skipped: names 10000 scripts, more than the limit (4 for each of the 5 URLs the crawl may fetch): the rest are not followed"); n != 1 {
		t.Errorf("%d lines say the scripts were cut, want 1; the log:\n%s", n, strings.Join(logs, "\n"))
	}
	if n := res.Stats.Limits[scanner.LimitHost]; n != 20 {
		t.Errorf("%d scripts skipped for their host, want the 20 followed", n)
	}
}
