package web

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
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
	// Header is sent with the requests to the start URLs' origins (a cookie or token for a
	// site behind a login), to the origins a start URL redirects to on the same site, and to
	// HeaderHosts; never to other hosts, and never logged.
	Header http.Header
	// HeaderHosts are further hosts (a name, any port, or host:port) that Header is sent
	// to: an API host of the site's own, say. Each must be one the crawl may fetch from.
	HeaderHosts []string
	// AllowPrivate lets the crawl connect to loopback, link-local, private, shared and
	// unique-local addresses. Without it, such an address is refused on every connection,
	// whatever name or redirect led there (ForbiddenAddressError).
	AllowPrivate bool
	// Resolve, when set, looks up the addresses of a host in place of the system's
	// resolver; Dial, when set, connects to an address the crawl checked ("ip:port") in
	// place of a plain dialer. With either, the environment's proxy is not used: the
	// caller routes every name. Tests route names to their servers with them.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	Dial    func(ctx context.Context, network, addr string) (net.Conn, error)
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

	maps *mapCache

	mu sync.Mutex
	// starts are the start URLs; origins their origins and those they redirect to on the
	// same site, where pages are followed and the headers sent.
	starts  map[string]bool
	origins map[string]bool
	seen    map[string]bool
	fetches int
	// read counts the URLs read: a crawl that read none has nothing to show.
	read    int
	bytes   int64
	guesses int
	noted   map[string]bool // limits already reported
	webpack map[string]*webpackState
	err     error

	wg  sync.WaitGroup
	sem chan struct{}
}

// webpackState is what a site's scripts have told of its webpack chunks so far: the
// chunk-URL functions with their base URL (each once, however many scripts hold it), and
// the chunk ids seen loaded. Every pair of the first triedRuntimes runtimes and the first
// triedIDs ids has been tried.
type webpackState struct {
	runtimes      []runtime
	runtimeKeys   map[string]bool
	ids           []string
	idSet         map[string]bool
	triedRuntimes int
	triedIDs      int
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
		starts: map[string]bool{}, seen: map[string]bool{}, origins: map[string]bool{}, noted: map[string]bool{},
		webpack: map[string]*webpackState{}, maps: newMapCache(mapCacheBudget),
		sem: make(chan struct{}, lim.concurrency),
	}
	c.client = newClient(lim, newGuard(s), c.checkRedirect)
	defer c.client.CloseIdleConnections()
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
		c.starts[u.String()] = true
		start = append(start, u)
	}
	for _, u := range start {
		c.enqueue(item{u: u, kind: kindPage})
	}
	c.wg.Wait()
	if c.err != nil {
		return c.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.read == 0 {
		return ErrNothingRead
	}
	return nil
}

// ErrNothingRead is the end of a crawl that could read no URL at all: each start URL failed,
// was refused or led nowhere it may go, as the log says.
var ErrNothingRead = errors.New("no URL could be read: the crawl has nothing to scan (see the log above)")

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
	return c.onStartOrigin(u) || hostIn(u, c.s.AllowHosts)
}

// hostIn reports whether u's host is one of hosts: a name (any port) or host:port.
func hostIn(u *url.URL, hosts []string) bool {
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == strings.ToLower(u.Hostname()) || h == hostPort(u) || h == strings.ToLower(u.Host) {
			return true
		}
	}
	return false
}

// onStartOrigin reports whether u is on a start URL's origin (or the same host over https),
// where pages are followed and the headers sent.
func (c *crawl) onStartOrigin(u *url.URL) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.origins[origin(u)] {
		return true
	}
	if u.Scheme == "https" && (u.Port() == "" || u.Port() == "443") {
		// http://site → https://site is the same site.
		v := *u
		v.Scheme, v.Host = "http", u.Hostname()
		return c.origins[origin(&v)]
	}
	return false
}

// sendsHeader reports whether the user's headers go to u: a start origin, or a host they
// were named for.
func (c *crawl) sendsHeader(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && (c.onStartOrigin(u) || hostIn(u, c.s.HeaderHosts))
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
	_ = c.put(scanner.Chunk{Location: scanner.Location{URL: shown(u)}, Skipped: msg, Limit: limit})
}

// note reports a URL left out because of a limit that stops the crawl going further, once
// per limit (what names it, when one limit has several ways to be reached); later ones go
// to the debug log.
func (c *crawl) note(limit scanner.Limit, what string, u *url.URL, msg string) {
	key := string(limit) + "/" + what
	c.mu.Lock()
	first := !c.noted[key]
	c.noted[key] = true
	c.mu.Unlock()
	if first {
		c.skip(u, limit, msg)
		return
	}
	c.log.Debug().Str("url", shown(u)).Msg("not fetched: " + msg)
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
	if allowed && c.fetches >= c.lim.pages {
		// Not kept as seen: the URLs a crawl turns down past its limit cost no memory.
		return false, scanner.LimitPages
	}
	c.seen[key] = true
	if !allowed {
		return false, scanner.LimitHost
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
		c.note(bound, "urls", u, fmt.Sprintf("the limit of %s is reached: this and later URLs are not fetched", english.Plural(c.lim.pages, "URL", "")))
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
				c.note(scanner.LimitDepth, "depth", it.u, fmt.Sprintf("page is %s from the start, beyond the limit of %d", english.Plural(it.depth, "link", ""), c.lim.depth))
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
	c.log.Debug().Str("url", shown(it.u)).Msg("fetching")
	r, err := c.fetch(it.u, accept)
	if err != nil {
		if it.guessed && notFound(err) {
			c.log.Debug().Str("url", shown(it.u)).Msg("no chunk there")
			return
		}
		c.fetchFailed(it.u, err)
		return
	}
	loc := scanner.Location{URL: shown(it.u)}
	if r.u.String() != it.u.String() {
		c.mu.Lock()
		dup := c.seen[r.u.String()]
		c.seen[r.u.String()] = true
		c.mu.Unlock()
		if dup {
			return
		}
		loc.URL = shown(r.u)
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

// visitPage scans an HTML page and follows its scripts and links. A page that names more
// scripts or links than the crawl may fetch in all has the rest passed over: they could not
// be fetched anyway.
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
	data := 0
	for _, s := range c.upTo(p.scripts, loc, "scripts") {
		if len(s) > 5 && strings.EqualFold(s[:5], "data:") {
			data++
			c.visitDataScript(base, s, loc, data, it.depth)
			continue
		}
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
	for _, l := range c.upTo(p.links, loc, "links") {
		c.follow(base, l, kindPage, it.depth+1, false)
	}
}

// upTo returns the first refs of a page or script, up to itemFactor for each URL the crawl
// may fetch, and reports once that the rest are passed over: most could not be fetched
// anyway, and a page made to name millions costs no more than that.
func (c *crawl) upTo(refs []string, loc scanner.Location, what string) []string {
	n := itemFactor * c.lim.pages
	if len(refs) <= n {
		return refs
	}
	if u, err := url.Parse(loc.URL); err == nil {
		c.note(scanner.LimitPages, what, u, fmt.Sprintf("names %d %s, more than the limit (%d for each of the %s the crawl may fetch): the rest are not followed",
			len(refs), what, itemFactor, english.Plural(c.lim.pages, "URL", "")))
	}
	return refs[:n]
}

// visitDataScript scans a script given in full by a data: URL (<script src="data:…">),
// the nth of its page: located at the page, marked with which one it is.
func (c *crawl) visitDataScript(base *url.URL, ref string, page scanner.Location, n, depth int) {
	loc := page
	loc.URL = strings.SplitN(page.URL, "#", 2)[0] + fmt.Sprintf("#data-script-%d", n)
	data, err := decodeDataURL(ref)
	if err != nil {
		_ = c.put(scanner.Chunk{Location: loc, Err: fmt.Errorf("data: script: %w", err)})
		return
	}
	if files.IsBinary(data) {
		_ = c.put(scanner.Chunk{Location: loc, Skipped: "data: script holds binary content, not a script"})
		return
	}
	s := parseScript(data)
	c.followScript(base, s, depth)
	b := &bundle{}
	if ref := sourceMappingURL(data); strings.HasPrefix(ref, "data:") {
		m, err := inlineMap(ref)
		if err == nil {
			err = m.decode()
		}
		if err != nil {
			_ = c.put(scanner.Chunk{Location: loc, Err: fmt.Errorf("inline source map: %w; findings in the script are not traced to their sources", err)})
		} else {
			b = &bundle{m: m, origin: originOnWeb(base)}
			_ = emitSources(m, loc, b.origin, c.put)
		}
	}
	_ = c.put(scanner.Chunk{Data: data, Kind: scanner.KindOther, Location: loc, Annotate: b.annotate})
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
		c.log.Debug().Str("ref", redactRef(ref)).Err(parseError(err)).Msg("not a URL, not followed")
		return
	}
	c.enqueue(item{u: u, kind: k, depth: depth, guessed: guessed})
}

// itemFactor is how many chunk URLs a crawl may make up from webpack runtimes, and how many
// references one page or script may have followed, for each URL the crawl may fetch: most
// guesses name chunks seen before, or none at all, and many references are to other hosts,
// so they cost no fetch; but each costs work, so they are bounded with the URLs fetched.
const itemFactor = 4

// followScript enqueues what a script points at; base is the script's URL (or its page's,
// for an inline script).
func (c *crawl) followScript(base *url.URL, s *script, depth int) {
	for _, imp := range c.upTo(s.imports, scanner.Location{URL: base.String()}, "imports") {
		c.follow(base, imp, kindScript, depth, false)
	}
	for _, ch := range c.upTo(s.chunks, scanner.Location{URL: base.String()}, "chunk paths") {
		c.follow(base, resolveChunkPath(base, ch), kindScript, depth, false)
	}
	if len(s.runtimes) == 0 && len(s.chunkIDs) == 0 {
		return
	}
	guesses, spent := c.guessChunks(base, s)
	if spent != "" {
		c.skip(base, scanner.LimitPages, spent)
	}
	for _, g := range guesses {
		c.follow(g.base, g.path, kindScript, depth, true)
	}
}

// guess is a chunk URL made up from a webpack runtime: a path against a base.
type guess struct {
	base *url.URL
	path string
}

// guessChunks adds what a script tells of its site's webpack chunks (runtimes, chunk ids)
// and returns the chunk URLs that makes: every runtime with every chunk id, each pair once
// per crawl, within the crawl's budget of guesses (itemFactor for each URL it may fetch).
// The budget spent, no more are made, and spent says so the first time.
func (c *crawl) guessChunks(base *url.URL, s *script) (out []guess, spent string) {
	key := origin(base)
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.webpack[key]
	if st == nil {
		st = &webpackState{runtimeKeys: map[string]bool{}, idSet: map[string]bool{}}
		c.webpack[key] = st
	}
	pub := base
	if s.publicPath != "" && s.publicPath != "auto" {
		if p, err := base.Parse(s.publicPath); err == nil {
			pub = p
		}
	}
	addID := func(id string) {
		if !st.idSet[id] {
			st.idSet[id] = true
			st.ids = append(st.ids, id)
		}
	}
	for _, f := range s.runtimes {
		if k := f.text + "\x00" + pub.String(); !st.runtimeKeys[k] {
			st.runtimeKeys[k] = true
			st.runtimes = append(st.runtimes, runtime{f: f, base: pub})
		}
		for _, id := range f.ids {
			addID(id)
		}
	}
	for _, id := range s.chunkIDs {
		addID(id)
	}
	budget := itemFactor * c.lim.pages
	try := func(rt runtime, id string) bool {
		if c.guesses >= budget {
			return false
		}
		c.guesses++
		if p := rt.f.URL(id); p != "" {
			out = append(out, guess{rt.base, p})
		}
		return true
	}
	// New runtimes with every id, then the runtimes tried before with the new ids.
	ok := true
	for r := st.triedRuntimes; r < len(st.runtimes) && ok; r++ {
		for i := 0; i < len(st.ids) && ok; i++ {
			ok = try(st.runtimes[r], st.ids[i])
		}
	}
	for r := 0; r < st.triedRuntimes && ok; r++ {
		for i := st.triedIDs; i < len(st.ids) && ok; i++ {
			ok = try(st.runtimes[r], st.ids[i])
		}
	}
	if ok {
		st.triedRuntimes, st.triedIDs = len(st.runtimes), len(st.ids)
	} else if key := string(scanner.LimitPages) + "/guesses"; !c.noted[key] {
		c.noted[key] = true
		spent = fmt.Sprintf("%s made up from the site's webpack runtimes, the limit (%d for each of the %s the crawl may fetch): no more are tried",
			english.Plural(budget, "chunk URL", ""), itemFactor, english.Plural(c.lim.pages, "URL", ""))
	}
	return out, spent
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
	m, mapURL := c.readMap(r, loc)
	b := &bundle{m: m}
	if m != nil {
		b.origin = originOnWeb(mapURL)
	}
	_ = c.put(scanner.Chunk{Data: r.data, Kind: scanner.KindPage, Location: loc, Annotate: b.annotate})
}

// readMap returns the map of a script with the URL its sources are relative to: named by a
// SourceMap header or a sourceMappingURL comment (a data: URL is decoded in place, its
// sources scanned as the script's), else tried quietly at SCRIPT.map. A map file is
// fetched and parsed once however many scripts name it, and its sources scanned then
// (loadMap). It reports what it could not read and returns nil then.
func (c *crawl) readMap(r *response, loc scanner.Location) (m *sourceMap, base *url.URL) {
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
			return nil, nil
		}
		// An inline map's sources are located at the script that holds them.
		_ = emitSources(m, loc, originOnWeb(r.u), c.put)
		return m, r.u
	}
	guessed := ref == ""
	if guessed {
		ref = r.u.Path + ".map"
	}
	mu, err := r.u.Parse(ref)
	if err != nil {
		_ = c.put(scanner.Chunk{Location: loc, Err: fmt.Errorf("source map URL %q: %w", redactRef(ref), parseError(err))})
		return nil, nil
	}
	mu.Fragment = ""
	m, base, _ = c.maps.get(mu.String(), func() (*sourceMap, *url.URL, int64) {
		return c.loadMap(mu, guessed, loc)
	})
	return m, base
}

// loadMap fetches, parses and decodes the source map at mu that the script at script
// names (or, guessed, might have), and scans its sources. It returns the map, the URL it
// was read from and its size, or nil after reporting what went wrong (a guess that missed
// is no news).
func (c *crawl) loadMap(mu *url.URL, guessed bool, script scanner.Location) (*sourceMap, *url.URL, int64) {
	if ok, bound := c.claim(mu); !ok {
		// A map tried on the chance it is there is no news when it is not fetched.
		if !guessed {
			c.refuse(mu, bound, "source map")
		}
		return nil, nil, 0
	}
	mr, err := c.fetch(mu, "application/json,*/*;q=0.8")
	if err != nil {
		switch {
		case guessed:
			c.log.Debug().Str("url", shown(mu)).Err(err).Msg("no source map there")
		case notFound(err):
			c.skip(mu, "", "source map not served ("+err.Error()+"); findings in "+script.URL+" are not traced to their sources")
		default:
			c.fetchFailed(mu, fmt.Errorf("fetching the source map: %w", err))
		}
		return nil, nil, 0
	}
	mloc := scanner.Location{URL: shown(mr.u)}
	if guessed && !looksLikeMap(mr.data) {
		c.log.Debug().Str("url", mloc.URL).Msg("no source map there")
		return nil, nil, 0
	}
	if mr.truncated != "" {
		_ = c.put(scanner.Chunk{Location: mloc, Limit: mr.limit,
			Err: fmt.Errorf("source map cut short (%s); findings in %s are not traced to their sources", mr.truncated, script.URL)})
		return nil, nil, 0
	}
	m, err := parseMap(mr.data)
	if errors.Is(err, errNotSourceMap) {
		err = errors.New("JSON that is not a source map")
	}
	if err == nil {
		err = m.decode()
	}
	if err != nil {
		_ = c.put(scanner.Chunk{Location: mloc, Err: fmt.Errorf("%w; findings in %s are not traced to their sources", err, script.URL)})
		if !guessed {
			// Nothing in it is lost: scanned as text.
			_ = c.putPage(mr.data, mloc)
		}
		return nil, nil, 0
	}
	_ = emitSources(m, mloc, originOnWeb(mr.u), c.put)
	return m, mr.u, int64(len(mr.data))
}
