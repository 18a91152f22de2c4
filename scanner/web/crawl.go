package web

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize/english"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
)

// Defaults of the crawl's limits.
const (
	DefaultMaxDepth    = 3
	DefaultMaxPages    = 1000
	DefaultMaxBytes    = 256 << 20
	DefaultTimeout     = 30 * time.Second
	DefaultConcurrency = 4

	defaultMaxResponse = files.DefaultMaxFileSize
	maxRedirects       = 10
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
	// Logger receives what the crawl does, at debug level, and what it passes over.
	Logger zerolog.Logger
}

// limits are a Source's limits with the defaults filled in.
type limits struct {
	depth, pages, concurrency int
	bytes, response           int64
	timeout                   time.Duration
}

func (s *Source) limits() limits {
	l := limits{
		depth:       orDefault(s.MaxDepth, DefaultMaxDepth),
		pages:       orDefault(s.MaxPages, DefaultMaxPages),
		concurrency: orDefault(s.Concurrency, DefaultConcurrency),
		bytes:       orDefault(s.MaxBytes, DefaultMaxBytes),
		response:    orDefault(s.MaxResponse, defaultMaxResponse),
		timeout:     orDefault(s.Timeout, DefaultTimeout),
	}
	if s.MaxDepth < 0 {
		l.depth = 0
	}
	return l
}

// orDefault returns v, or def when v is 0 or less.
func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
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
	// pattern): a miss (404, 410) is logged at debug level, not reported as a problem, and
	// one off the allowed hosts is not reported at all.
	guessed bool
}

// crawl is one run of a Source.
type crawl struct {
	s      *Source
	lim    limits
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
	noted   map[scanner.Limit]bool // limits already reported
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
	lim := s.limits()
	c := &crawl{
		s: s, lim: lim, ctx: ctx, cancel: cancel, emit: emit, log: s.Logger,
		seen: map[string]bool{}, origins: map[string]bool{}, noted: map[scanner.Limit]bool{},
		webpack: map[string]*webpackState{},
		sem:     make(chan struct{}, lim.concurrency),
	}
	c.client = newClient(lim, c.checkRedirect)
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

// putPage hands over something fetched to be scanned as it is.
func (c *crawl) putPage(data []byte, loc scanner.Location) error {
	return c.put(scanner.Chunk{Data: data, Kind: scanner.KindPage, Location: loc, Annotate: annotatePage})
}

func (c *crawl) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	c.cancel()
}

// skip reports u as left out, because of limit (or of no bound, for "").
func (c *crawl) skip(u *url.URL, limit scanner.Limit, msg string) {
	_ = c.put(scanner.Chunk{Location: scanner.Location{URL: u.String()}, Skipped: msg, Limit: limit})
}

// note reports a URL left out because of a limit that stops the crawl going further, once
// per limit; later ones go to the debug log.
func (c *crawl) note(limit scanner.Limit, u *url.URL, msg string) {
	c.mu.Lock()
	first := !c.noted[limit]
	c.noted[limit] = true
	c.mu.Unlock()
	if first {
		c.skip(u, limit, msg)
		return
	}
	c.log.Debug().Str("url", u.String()).Msg("not fetched: " + msg)
}

// claim marks u seen and says whether it is to be fetched: met for the first time, on an
// allowed host, and within the limit on URLs, which it then counts. A URL turned down for a
// bound comes back with the bound, for the caller to report or not (refuse); one seen before
// with none.
func (c *crawl) claim(u *url.URL) (ok bool, bound scanner.Limit) {
	key := u.String()
	allowed := c.allowed(u)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[key] {
		return false, ""
	}
	c.seen[key] = true
	switch {
	case !allowed:
		return false, scanner.LimitHost
	case c.fetches >= c.lim.pages:
		return false, scanner.LimitPages
	}
	c.fetches++
	return true, ""
}

// refuse reports a URL that claim turned down for bound; what names what the URL is
// ("script", "source map").
func (c *crawl) refuse(u *url.URL, bound scanner.Limit, what string) {
	switch bound {
	case scanner.LimitHost:
		c.skip(u, bound, what+" on another host, not fetched")
	case scanner.LimitPages:
		c.note(bound, u, fmt.Sprintf("the limit of %s is reached: this and later URLs are not fetched", english.Plural(c.lim.pages, "URL", "")))
	}
}

// enqueue schedules a URL unless it was seen, is off the allowed hosts, or a limit says no.
// Pages are followed on the start origins only, to the limit on depth.
func (c *crawl) enqueue(it item) {
	it.u.Fragment = ""
	if it.kind == kindPage {
		if !c.onStartOrigin(it.u) {
			return
		}
		if it.depth > c.lim.depth {
			c.mu.Lock()
			dup := c.seen[it.u.String()]
			c.mu.Unlock()
			if !dup {
				c.note(scanner.LimitDepth, it.u, fmt.Sprintf("page is %s from the start, beyond the limit of %d", english.Plural(it.depth, "link", ""), c.lim.depth))
			}
			return
		}
	}
	if ok, bound := c.claim(it.u); !ok {
		// A page is on a start origin, so it is never off the allowed hosts; a chunk made
		// up from a runtime's pattern that is off them is no news.
		if !(it.guessed && bound == scanner.LimitHost) {
			c.refuse(it.u, bound, "script")
		}
		return
	}
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

// visit fetches one URL and scans and follows what it holds.
func (c *crawl) visit(it item) {
	accept := "*/*"
	if it.kind == kindPage {
		accept = "text/html,application/xhtml+xml,*/*;q=0.8"
	}
	c.log.Debug().Str("url", it.u.String()).Msg("fetching")
	r, err := c.fetch(it.u, accept)
	if err != nil {
		if it.guessed && notFound(err) {
			c.log.Debug().Str("url", it.u.String()).Msg("no chunk there")
			return
		}
		c.fetchFailed(it.u, err)
		return
	}
	loc := scanner.Location{URL: it.u.String()}
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
		_ = c.put(scanner.Chunk{Location: loc, Skipped: r.truncated, Limit: r.limit})
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
	case "application/json", "application/manifest+json", "text/css":
		_ = c.putPage(r.data, loc)
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
		_ = c.putPage(r.data, loc)
		return
	}
	if err := c.putPage(r.data, loc); err != nil {
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
	m, mapURL, inline := c.readMap(r, loc)
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

// readMap fetches and parses the map of a script: named by a SourceMap header or a
// sourceMappingURL comment (a data: URL is decoded in place), else tried quietly at
// SCRIPT.map. It returns the map with the URL its sources are relative to, and whether it
// was inline; it reports what it could not read and returns nil then.
func (c *crawl) readMap(r *response, loc scanner.Location) (m *sourceMap, base *url.URL, inline bool) {
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
			err = m.decode()
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
	if ok, bound := c.claim(mu); !ok {
		// A map tried on the chance it is there is no news when it is not fetched.
		if !guessed {
			c.refuse(mu, bound, "source map")
		}
		return nil, nil, false
	}
	key := mu.String()
	mr, err := c.fetch(mu, "application/json,*/*;q=0.8")
	if err != nil {
		switch {
		case guessed:
			c.log.Debug().Str("url", key).Err(err).Msg("no source map there")
		case notFound(err):
			c.skip(mu, "", "source map not served ("+err.Error()+"); findings in "+loc.URL+" are not traced to their sources")
		default:
			c.fetchFailed(mu, fmt.Errorf("fetching the source map: %w", err))
		}
		return nil, nil, false
	}
	mloc := scanner.Location{URL: key}
	if mr.truncated != "" {
		_ = c.put(scanner.Chunk{Location: mloc, Limit: mr.limit,
			Err: fmt.Errorf("source map cut short (%s); findings in %s are not traced to their sources", mr.truncated, loc.URL)})
		return nil, nil, false
	}
	if guessed && !looksLikeMap(mr.data) {
		c.log.Debug().Str("url", key).Msg("no source map there")
		return nil, nil, false
	}
	m, err = parseMap(mr.data)
	if errors.Is(err, errNotSourceMap) {
		err = errors.New("JSON that is not a source map")
	}
	if err == nil {
		err = m.decode()
	}
	if err != nil {
		_ = c.put(scanner.Chunk{Location: mloc, Err: fmt.Errorf("%w; findings in %s are not traced to their sources", err, loc.URL)})
		if !guessed {
			// Nothing in it is lost: scanned as text.
			_ = c.putPage(mr.data, mloc)
		}
		return nil, nil, false
	}
	return m, mr.u, false
}
