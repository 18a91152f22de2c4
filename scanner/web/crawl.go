package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
)

// Defaults of the crawl's limits.
const (
	DefaultMaxDepth     = 3
	DefaultMaxPages     = 1000
	DefaultMaxBytes     = 256 << 20
	DefaultMaxResponse  = files.DefaultMaxFileSize
	DefaultTimeout      = 30 * time.Second
	DefaultConcurrency  = 4
	DefaultMaxRedirects = 10
)

// Source crawls deployed sites. The zero value of each limit means its default.
type Source struct {
	// URLs are the pages (or scripts) to start from: http or https.
	URLs []string
	// AllowHosts are further hosts that scripts and maps may be fetched from (a CDN): a
	// host name (any port) or host:port. Pages are followed on the start URLs' origins only.
	AllowHosts []string
	// Header is sent with every request (a cookie or token for a site behind a login). It
	// is never logged.
	Header http.Header
	// MaxDepth is how many links away from a start URL pages are followed; a page's
	// scripts, chunks and maps are fetched whatever its depth. Negative means start pages
	// only.
	MaxDepth int
	// MaxPages caps the URLs fetched in all: pages, scripts and source maps.
	MaxPages int
	// MaxBytes caps the bytes read in all; MaxResponse the bytes read from one response
	// (the rest of a longer one is not read, and the user is told).
	MaxBytes, MaxResponse int64
	// Timeout bounds each request, from connecting to the last byte of the body.
	Timeout time.Duration
	// Concurrency is how many requests are in flight at once.
	Concurrency int
	// UserAgent names leakstop and its version.
	UserAgent string
	// Client sends the requests; nil means a client made for the crawl. Its
	// CheckRedirect is replaced by the crawl's own.
	Client *http.Client
	// Logger receives what the crawl does, at debug level, and what it passes over.
	Logger zerolog.Logger
}

// kind is what a URL is expected to be.
type kind int

const (
	kindPage kind = iota
	kindScript
)

// item is one URL to fetch.
type item struct {
	u     *url.URL
	kind  kind
	depth int
	// guessed marks a URL made up rather than read (a webpack chunk from its runtime's
	// pattern): a miss is logged at debug level, not reported as a problem.
	guessed bool
}

// crawl is one run of a Source.
type crawl struct {
	s      *Source
	ctx    context.Context
	cancel context.CancelFunc
	client *http.Client
	log    zerolog.Logger

	emitMu sync.Mutex
	emit   func(scanner.Chunk) error

	mu      sync.Mutex
	seen    map[string]bool
	origins map[string]bool
	fetches int
	bytes   int64
	noted   map[string]bool // limits already reported
	webpack map[string]*webpackState
	err     error

	wg  sync.WaitGroup
	sem chan struct{}
}

// webpackState is what a site's scripts have told of its webpack chunks so far: the
// chunk-URL functions with their base URL, and the chunk ids seen loaded.
type webpackState struct {
	runtimes []runtime
	ids      map[string]bool
}

type runtime struct {
	f    *chunkFunc
	base *url.URL
}

// Scan implements scanner.Source.
func (s *Source) Scan(ctx context.Context, emit func(scanner.Chunk) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &crawl{
		s: s, ctx: ctx, cancel: cancel, emit: emit, log: s.Logger,
		seen: map[string]bool{}, origins: map[string]bool{}, noted: map[string]bool{},
		webpack: map[string]*webpackState{},
		sem:     make(chan struct{}, s.concurrency()),
	}
	c.client = s.client(c.checkRedirect)
	var start []*url.URL
	for _, raw := range s.URLs {
		u, err := ParseURL(raw)
		if err != nil {
			if err := c.put(scanner.Chunk{Location: scanner.Location{URL: raw}, Err: err}); err != nil {
				return err
			}
			continue
		}
		c.origins[origin(u)] = true
		start = append(start, u)
	}
	for _, u := range start {
		c.enqueue(item{u: u, kind: kindPage})
	}
	c.wg.Wait()
	if c.err != nil {
		return c.err
	}
	return ctx.Err()
}

// ParseURL checks a start URL: absolute, http or https.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http or https URL (write it in full: https://example.com/)", raw)
	}
	u.Fragment = ""
	return u, nil
}

func (s *Source) concurrency() int {
	if s.Concurrency > 0 {
		return s.Concurrency
	}
	return DefaultConcurrency
}

func (s *Source) client(check func(*http.Request, []*http.Request) error) *http.Client {
	var c http.Client
	if s.Client != nil {
		c = *s.Client
	} else {
		c.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   s.concurrency(),
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: s.timeout(),
		}
	}
	c.CheckRedirect = check
	c.Timeout = 0 // each request has its own deadline
	return &c
}

func (s *Source) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

func (s *Source) maxPages() int {
	if s.MaxPages > 0 {
		return s.MaxPages
	}
	return DefaultMaxPages
}

func (s *Source) maxBytes() int64 {
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return DefaultMaxBytes
}

func (s *Source) maxResponse() int64 {
	if s.MaxResponse > 0 {
		return s.MaxResponse
	}
	return DefaultMaxResponse
}

func (s *Source) maxDepth() int {
	switch {
	case s.MaxDepth < 0:
		return 0
	case s.MaxDepth == 0:
		return DefaultMaxDepth
	}
	return s.MaxDepth
}

// origin is scheme://host:port.
func origin(u *url.URL) string {
	return u.Scheme + "://" + hostPort(u)
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return strings.ToLower(u.Host)
	}
	switch u.Scheme {
	case "https":
		return strings.ToLower(u.Hostname()) + ":443"
	case "http":
		return strings.ToLower(u.Hostname()) + ":80"
	}
	return strings.ToLower(u.Host)
}

// allowed reports whether resources may be fetched from u: a start URL's origin (or the
// same host over https), or a host of AllowHosts.
func (c *crawl) allowed(u *url.URL) bool {
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	if c.origins[origin(u)] {
		return true
	}
	if u.Scheme == "https" {
		// http://site → https://site is the same site.
		v := *u
		v.Scheme, v.Host = "http", u.Hostname()
		if c.origins[origin(&v)] && (u.Port() == "" || u.Port() == "443") {
			return true
		}
	}
	for _, h := range c.s.AllowHosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == strings.ToLower(u.Hostname()) || h == hostPort(u) || h == strings.ToLower(u.Host) {
			return true
		}
	}
	return false
}

// onStartOrigin reports whether u is on a start URL's origin, where pages are followed.
func (c *crawl) onStartOrigin(u *url.URL) bool {
	return c.origins[origin(u)]
}

// put hands a chunk to the engine, one at a time.
func (c *crawl) put(ch scanner.Chunk) error {
	c.emitMu.Lock()
	defer c.emitMu.Unlock()
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if err := c.emit(ch); err != nil {
		c.fail(err)
		return err
	}
	return nil
}

func (c *crawl) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	c.cancel()
}

// note reports a place left out once per reason; later ones go to the debug log.
func (c *crawl) note(reason string, u *url.URL, msg string) {
	c.mu.Lock()
	first := !c.noted[reason]
	c.noted[reason] = true
	c.mu.Unlock()
	if first {
		_ = c.put(scanner.Chunk{Location: scanner.Location{URL: u.String()}, Skipped: msg})
		return
	}
	c.log.Debug().Str("url", u.String()).Msg("not fetched: " + msg)
}

// enqueue schedules a URL unless it was seen, is off the allowed hosts, or a limit says no.
func (c *crawl) enqueue(it item) {
	it.u.Fragment = ""
	key := it.u.String()
	if !c.allowed(it.u) {
		c.mu.Lock()
		dup := c.seen[key]
		c.seen[key] = true
		c.mu.Unlock()
		if !dup && it.kind == kindScript && !it.guessed {
			host := it.u.Host
			_ = c.put(scanner.Chunk{Location: scanner.Location{URL: key},
				Skipped: fmt.Sprintf("script on another host, not fetched (add --allow-host %s to scan it)", host)})
		}
		return
	}
	if it.kind == kindPage && !c.onStartOrigin(it.u) {
		return
	}
	if it.kind == kindPage && it.depth > c.s.maxDepth() {
		c.mu.Lock()
		dup := c.seen[key]
		c.mu.Unlock()
		if !dup {
			c.note("depth", it.u, fmt.Sprintf("page is %d links from the start, beyond --max-depth %d (raise it to crawl further)", it.depth, c.s.maxDepth()))
		}
		return
	}
	c.mu.Lock()
	if c.seen[key] {
		c.mu.Unlock()
		return
	}
	c.seen[key] = true
	if c.fetches >= c.s.maxPages() {
		c.mu.Unlock()
		c.note("pages", it.u, fmt.Sprintf("--max-pages %d reached: this and later URLs are not fetched (raise it to crawl further)", c.s.maxPages()))
		return
	}
	c.fetches++
	c.mu.Unlock()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		select {
		case c.sem <- struct{}{}:
		case <-c.ctx.Done():
			return
		}
		c.visit(it)
		<-c.sem
	}()
}

// response is a fetched body.
type response struct {
	u           *url.URL // after redirects
	data        []byte
	contentType string
	header      http.Header
	// truncated says why the body was cut short, or "".
	truncated string
}

// httpError is an answer other than 2xx.
type httpError struct {
	status string
	code   int
	hint   string
}

func (e *httpError) Error() string { return "HTTP " + e.status + e.hint }

// notFound reports whether err is a 404 or 410, which a guess may meet without it being a
// problem.
func notFound(err error) bool {
	var he *httpError
	return errors.As(err, &he) && (he.code == http.StatusNotFound || he.code == http.StatusGone)
}

// offHostError is a redirect to a host the crawl may not fetch from.
type offHostError struct{ host string }

func (e *offHostError) Error() string {
	return fmt.Sprintf("redirected to %s, which is not an allowed host (add --allow-host %s to follow)", e.host, e.host)
}

func (c *crawl) checkRedirect(req *http.Request, via []*http.Request) error {
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			return fmt.Errorf("redirect loop: %s redirects back to itself after %d %s", via[0].URL, len(via), plural(len(via), "redirect", "redirects"))
		}
	}
	if len(via) >= DefaultMaxRedirects {
		return fmt.Errorf("more than %d redirects, given up (a redirect loop?)", DefaultMaxRedirects)
	}
	if !c.allowed(req.URL) {
		return &offHostError{host: req.URL.Host}
	}
	return nil
}

// fetch GETs a URL within the crawl's limits.
func (c *crawl) fetch(u *url.URL, accept string) (*response, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.s.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("building the request: %w", err)
	}
	for k, vs := range c.s.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("User-Agent", c.s.UserAgent)
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, c.requestError(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		he := &httpError{status: resp.Status, code: resp.StatusCode}
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			he.hint = " (a site behind a login: pass its cookie or token with --header)"
		case http.StatusTooManyRequests:
			he.hint = " (the site limits the request rate: lower --concurrency)"
		}
		return nil, he
	}
	limit := c.s.maxResponse()
	c.mu.Lock()
	left := c.s.maxBytes() - c.bytes
	c.mu.Unlock()
	why := fmt.Sprintf("response is larger than %s: the rest is not read (raise --max-file-size)", humanize.IBytes(uint64(limit)))
	if left < limit {
		limit = left
		why = fmt.Sprintf("--max-bytes %s reached: the rest of the response is not read", humanize.IBytes(uint64(c.s.maxBytes())))
	}
	if limit <= 0 {
		return nil, errBytesSpent
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	c.mu.Lock()
	c.bytes += int64(min(len(data), int(limit)))
	c.mu.Unlock()
	if err != nil {
		return nil, c.requestError(ctx, fmt.Errorf("reading the body: %w", err))
	}
	r := &response{u: resp.Request.URL, contentType: resp.Header.Get("Content-Type"), header: resp.Header}
	if int64(len(data)) > limit {
		data, r.truncated = data[:limit], why
	}
	r.data = data
	return r, nil
}

var errBytesSpent = errors.New("bytes spent")

// requestError words a failed request for people.
func (c *crawl) requestError(ctx context.Context, err error) error {
	var off *offHostError
	if errors.As(err, &off) {
		return off
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && c.ctx.Err() == nil {
		return fmt.Errorf("timed out after %s (raise --timeout for a slow site)", c.s.timeout())
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err
}

// visit fetches one URL and scans and follows what it holds.
func (c *crawl) visit(it item) {
	accept := "*/*"
	if it.kind == kindPage {
		accept = "text/html,application/xhtml+xml,*/*;q=0.8"
	}
	c.log.Debug().Str("url", it.u.String()).Msg("fetching")
	r, err := c.fetch(it.u, accept)
	loc := scanner.Location{URL: it.u.String()}
	var off *offHostError
	switch {
	case err == nil:
	case c.ctx.Err() != nil:
		return
	case errors.Is(err, errBytesSpent):
		c.note("bytes", it.u, fmt.Sprintf("--max-bytes %s reached: this and later URLs are not fetched (raise it to crawl further)", humanize.IBytes(uint64(c.s.maxBytes()))))
		return
	case it.guessed && notFound(err):
		c.log.Debug().Str("url", loc.URL).Msg("no chunk there")
		return
	case errors.As(err, &off):
		_ = c.put(scanner.Chunk{Location: loc, Skipped: err.Error()})
		return
	default:
		_ = c.put(scanner.Chunk{Location: loc, Err: err})
		return
	}
	if r.u.String() != it.u.String() {
		c.mu.Lock()
		dup := c.seen[r.u.String()]
		c.seen[r.u.String()] = true
		c.mu.Unlock()
		if dup {
			return
		}
		loc.URL = r.u.String()
	}
	if r.truncated != "" {
		_ = c.put(scanner.Chunk{Location: loc, Skipped: r.truncated})
	}
	if files.IsBinary(r.data) {
		_ = c.put(scanner.Chunk{Location: loc, Skipped: "binary content, not a page or a script"})
		return
	}
	switch mediaType(r.contentType) {
	case "text/html", "application/xhtml+xml":
		if it.kind == kindScript {
			_ = c.put(scanner.Chunk{Location: loc, Err: errors.New("expected a script, got an HTML page (is the chunk missing, and the site answering with its index page?)")})
			return
		}
		c.visitPage(it, r, loc)
	case "application/json", "application/manifest+json":
		_ = c.put(scanner.Chunk{Data: r.data, Kind: scanner.KindPage, Location: loc, Annotate: annotatePage})
	case "text/css":
		_ = c.put(scanner.Chunk{Data: r.data, Kind: scanner.KindPage, Location: loc, Annotate: annotatePage})
	case "", "text/plain", "application/octet-stream":
		// Servers that do not say: a page if it reads as one.
		if it.kind == kindPage && parseHTML(r.data).tags > 0 {
			c.visitPage(it, r, loc)
			return
		}
		c.visitScript(it, r, loc)
	default:
		c.visitScript(it, r, loc)
	}
}

func mediaType(ct string) string {
	t, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return t
}

// visitPage scans an HTML page and follows its scripts and links.
func (c *crawl) visitPage(it item, r *response, loc scanner.Location) {
	p := parseHTML(r.data)
	if p.tags == 0 {
		c.log.Warn().Str("url", loc.URL).Msg("served as HTML but holds no HTML tags: scanned as text, nothing followed")
		_ = c.put(scanner.Chunk{Data: r.data, Kind: scanner.KindPage, Location: loc, Annotate: annotatePage})
		return
	}
	if err := c.put(scanner.Chunk{Data: r.data, Kind: scanner.KindPage, Location: loc, Annotate: annotatePage}); err != nil {
		return
	}
	base := r.u
	if p.base != "" {
		if b, err := r.u.Parse(p.base); err == nil {
			base = b
		}
	}
	for _, s := range p.scripts {
		c.follow(base, s, kindScript, it.depth, false)
	}
	if p.next != nil {
		prefix := strings.TrimSuffix(p.next.AssetPrefix, "/")
		for _, m := range []string{"_buildManifest.js", "_ssgManifest.js"} {
			c.follow(base, prefix+"/_next/static/"+url.PathEscape(p.next.BuildID)+"/"+m, kindScript, it.depth, false)
		}
	}
	for _, js := range p.inline {
		c.followScript(base, parseScript(js), it.depth)
	}
	for _, l := range p.links {
		c.follow(base, l, kindPage, it.depth+1, false)
	}
}

// follow resolves a reference against base and enqueues it.
func (c *crawl) follow(base *url.URL, ref string, k kind, depth int, guessed bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") {
		return
	}
	lower := strings.ToLower(ref)
	for _, p := range []string{"javascript:", "mailto:", "tel:", "data:", "blob:", "about:"} {
		if strings.HasPrefix(lower, p) {
			return
		}
	}
	u, err := base.Parse(ref)
	if err != nil {
		c.log.Debug().Str("ref", ref).Err(err).Msg("not a URL, not followed")
		return
	}
	c.enqueue(item{u: u, kind: k, depth: depth, guessed: guessed})
}

// followScript enqueues what a script points at; base is the script's URL (or its page's,
// for an inline script).
func (c *crawl) followScript(base *url.URL, s *script, depth int) {
	for _, imp := range s.imports {
		c.follow(base, imp, kindScript, depth, false)
	}
	for _, ch := range s.chunks {
		c.follow(base, resolveChunkPath(base, ch), kindScript, depth, false)
	}
	if len(s.runtimes) == 0 && len(s.chunkIDs) == 0 {
		return
	}
	// Webpack chunks: every runtime pattern with every chunk id the site's scripts load.
	key := origin(base)
	c.mu.Lock()
	st := c.webpack[key]
	if st == nil {
		st = &webpackState{ids: map[string]bool{}}
		c.webpack[key] = st
	}
	pub := base
	if s.publicPath != "" && s.publicPath != "auto" {
		if p, err := base.Parse(s.publicPath); err == nil {
			pub = p
		}
	}
	for _, f := range s.runtimes {
		st.runtimes = append(st.runtimes, runtime{f: f, base: pub})
		for _, id := range f.ids {
			st.ids[id] = true
		}
	}
	for _, id := range s.chunkIDs {
		st.ids[id] = true
	}
	type guess struct {
		base *url.URL
		path string
	}
	var guesses []guess
	for _, rt := range st.runtimes {
		for id := range st.ids {
			if p := rt.f.URL(id); p != "" {
				guesses = append(guesses, guess{rt.base, p})
			}
		}
	}
	c.mu.Unlock()
	for _, g := range guesses {
		c.follow(g.base, g.path, kindScript, depth, true)
	}
}

// resolveChunkPath turns a chunk path written out in full into a reference: Next.js writes
// them relative to its /_next/ folder ("static/chunks/x.js"), wherever the page is.
func resolveChunkPath(base *url.URL, p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	if i := strings.Index(base.Path, "/_next/"); i >= 0 {
		return base.Path[:i+len("/_next/")] + p
	}
	if strings.HasPrefix(p, "static/chunks/") {
		return "/_next/" + p
	}
	return "/" + p
}

// visitScript scans a script with its source map and follows its chunks.
func (c *crawl) visitScript(it item, r *response, loc scanner.Location) {
	s := parseScript(r.data)
	c.followScript(r.u, s, it.depth)
	m, mapURL, inline := c.sourceMap(r, loc)
	b := &bundle{m: m}
	if m != nil {
		b.origin = originOnWeb(mapURL)
	}
	if err := c.put(scanner.Chunk{Data: r.data, Kind: scanner.KindPage, Location: loc, Annotate: b.annotate}); err != nil {
		return
	}
	if m != nil {
		// An inline map's sources are located at the script that holds them.
		mloc := scanner.Location{URL: mapURL.String()}
		if inline {
			mloc = loc
		}
		_ = emitSources(m, mloc, b.origin, c.put)
	}
}

// sourceMap fetches and parses the map of a script: named by a SourceMap header or a
// sourceMappingURL comment (a data: URL is decoded in place), else tried quietly at
// SCRIPT.map. It returns the map with the URL its sources are relative to, and whether it
// was inline; it reports what it could not read and returns nil then.
func (c *crawl) sourceMap(r *response, loc scanner.Location) (m *Map, base *url.URL, inline bool) {
	ref := r.header.Get("SourceMap")
	if ref == "" {
		ref = r.header.Get("X-SourceMap")
	}
	if ref == "" {
		ref = sourceMappingURL(r.data)
	}
	if strings.HasPrefix(ref, "data:") {
		var err error
		m, err = inlineMap(ref)
		if err == nil {
			err = m.Decode()
		}
		if err != nil {
			_ = c.put(scanner.Chunk{Location: loc, Err: fmt.Errorf("inline source map: %w; findings in the script are not traced to their sources", err)})
			return nil, nil, false
		}
		return m, r.u, true
	}
	guessed := ref == ""
	if guessed {
		ref = r.u.Path + ".map"
	}
	mu, err := r.u.Parse(ref)
	if err != nil {
		_ = c.put(scanner.Chunk{Location: loc, Err: fmt.Errorf("source map URL %q: %w", ref, err)})
		return nil, nil, false
	}
	mu.Fragment = ""
	key := mu.String()
	c.mu.Lock()
	dup := c.seen[key]
	c.seen[key] = true
	over := c.fetches >= c.s.maxPages()
	if !dup && !over {
		c.fetches++
	}
	c.mu.Unlock()
	switch {
	case dup:
		return nil, nil, false
	case !c.allowed(mu):
		if !guessed {
			_ = c.put(scanner.Chunk{Location: scanner.Location{URL: key}, Skipped: fmt.Sprintf("source map on another host, not fetched (add --allow-host %s to read it)", mu.Host)})
		}
		return nil, nil, false
	case over:
		if !guessed {
			c.note("pages", mu, fmt.Sprintf("--max-pages %d reached: this and later URLs are not fetched (raise it to crawl further)", c.s.maxPages()))
		}
		return nil, nil, false
	}
	mr, err := c.fetch(mu, "application/json,*/*;q=0.8")
	mloc := scanner.Location{URL: key}
	var off *offHostError
	switch {
	case err == nil:
	case c.ctx.Err() != nil:
		return nil, nil, false
	case guessed:
		c.log.Debug().Str("url", key).Err(err).Msg("no source map there")
		return nil, nil, false
	case notFound(err):
		_ = c.put(scanner.Chunk{Location: mloc, Skipped: "source map not served (" + err.Error() + "); findings in " + loc.URL + " are not traced to their sources"})
		return nil, nil, false
	case errors.Is(err, errBytesSpent):
		c.note("bytes", mu, fmt.Sprintf("--max-bytes %s reached: this and later URLs are not fetched (raise it to crawl further)", humanize.IBytes(uint64(c.s.maxBytes()))))
		return nil, nil, false
	case errors.As(err, &off):
		_ = c.put(scanner.Chunk{Location: mloc, Skipped: err.Error()})
		return nil, nil, false
	default:
		_ = c.put(scanner.Chunk{Location: mloc, Err: fmt.Errorf("fetching the source map: %w", err)})
		return nil, nil, false
	}
	if mr.truncated != "" {
		_ = c.put(scanner.Chunk{Location: mloc, Err: errors.New("source map " + mr.truncated + "; findings in " + loc.URL + " are not traced to their sources")})
		return nil, nil, false
	}
	if guessed && !looksLikeMap(mr.data) {
		c.log.Debug().Str("url", key).Msg("no source map there")
		return nil, nil, false
	}
	m, err = ParseMap(mr.data)
	if errors.Is(err, ErrNotSourceMap) {
		err = errors.New("JSON that is not a source map")
	}
	if err == nil {
		err = m.Decode()
	}
	if err != nil {
		_ = c.put(scanner.Chunk{Location: mloc, Err: fmt.Errorf("%w; findings in %s are not traced to their sources", err, loc.URL)})
		if !guessed {
			// Nothing in it is lost: scanned as text.
			_ = c.put(scanner.Chunk{Data: mr.data, Kind: scanner.KindPage, Location: mloc, Annotate: annotatePage})
		}
		return nil, nil, false
	}
	return m, mr.u, false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
