package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/dustin/go-humanize/english"
	"golang.org/x/net/publicsuffix"

	"github.com/leakstop/leakstop/scanner"
)

// HTTPError is an answer other than 2xx. A guessed chunk or source map that answers 404 or
// 410 is no news; any other is reported.
type HTTPError struct {
	// StatusCode is the HTTP status code: 401, 404, 429….
	StatusCode int
	// Status is the status line as the server sent it: "404 Not Found".
	Status string
}

func (e *HTTPError) Error() string { return "HTTP " + e.Status }

// Hint says what an answer usually means, for the statuses that mean something a person can
// act on.
func (e *HTTPError) Hint() string {
	switch e.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "the site may want a login cookie or token"
	case http.StatusTooManyRequests:
		return "the site limits the request rate"
	}
	return ""
}

// TimeoutError is a request that did not end, body included, within the crawl's time for
// one request.
type TimeoutError struct {
	// After is the time the request was given.
	After time.Duration
}

func (e *TimeoutError) Error() string { return "timed out after " + e.After.String() }

// Hint says why a request may time out.
func (e *TimeoutError) Hint() string { return "the site is slow" }

// offHostError is a redirect to a host the crawl may not fetch from.
type offHostError struct{ to *url.URL }

func (e *offHostError) Error() string {
	return "redirected to " + e.to.Host + ", another host, not followed"
}

// StartRedirectError is a start URL that redirects to another site: the crawl does not
// follow it there (a redirect to another host of the same site, apex to www, is followed).
type StartRedirectError struct {
	// From is the start URL and To where it redirects, as shown (query values redacted).
	From, To string
}

func (e *StartRedirectError) Error() string {
	return "the start URL redirects to " + e.To + ", on another site: not followed, nothing of it scanned"
}

// Hint says what to do.
func (e *StartRedirectError) Hint() string {
	return "start from the URL it redirects to, if that site is the one to scan"
}

// errBytesSpent is a fetch not sent because the crawl has read all the bytes it may.
var errBytesSpent = errors.New("bytes spent")

// notFound reports whether err is a 404 or 410, which a guess may meet without it being a
// problem.
func notFound(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && (he.StatusCode == http.StatusNotFound || he.StatusCode == http.StatusGone)
}

// response is a fetched body.
type response struct {
	u           *url.URL // after redirects
	data        []byte
	contentType string
	header      http.Header
	// truncated says why the body was cut short, or ""; limit names the bound.
	truncated string
	limit     scanner.Limit
}

// newClient makes the crawl's HTTP client, whose every connection goes through g. It sets
// no timeout on the request of its own (neither on the client nor on the response headers):
// each request has its deadline, body included, so that a request that takes too long is
// always a TimeoutError.
func newClient(lim limits, g *guard, check func(*http.Request, []*http.Request) error) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               g.proxy,
			DialContext:         g.DialContext,
			ForceAttemptHTTP2:   true,
			MaxIdleConnsPerHost: lim.concurrency,
			TLSHandshakeTimeout: 10 * time.Second,
		},
		CheckRedirect: check,
	}
}

// checkRedirect follows a redirect within the allowed hosts, http and https only. A start
// URL that redirects to another host of its own site (example.com to www.example.com) is
// followed, and that host is then crawled as a start origin; to another site, it is an
// error. The user's headers go along only where they may be sent.
func (c *crawl) checkRedirect(req *http.Request, via []*http.Request) error {
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			return fmt.Errorf("redirect loop: %s redirects back to itself after %s", shown(via[0].URL), english.Plural(len(via), "redirect", ""))
		}
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("more than %d redirects, given up (a redirect loop?)", maxRedirects)
	}
	if !c.allowed(req.URL) {
		c.mu.Lock()
		start := c.starts[via[0].URL.String()]
		c.mu.Unlock()
		switch {
		case !start:
			return &offHostError{to: req.URL}
		case !sameSite(via[0].URL, req.URL):
			return &StartRedirectError{From: shown(via[0].URL), To: shown(req.URL)}
		}
		c.mu.Lock()
		c.origins[origin(req.URL)] = true
		c.mu.Unlock()
		c.log.Info().Str("url", shown(via[0].URL)).Str("to", shown(req.URL)).Msg("the start URL redirects to another host of the same site: followed, and that host crawled too")
	}
	for k := range c.s.Header {
		req.Header.Del(k)
	}
	// net/http sets the URL redirected from as the Referer: it may carry a token in its
	// query, and the crawl sends no Referer with its other requests either.
	req.Header.Del("Referer")
	c.addHeader(req)
	return nil
}

// addHeader adds the user's headers to req when they may go to its URL.
func (c *crawl) addHeader(req *http.Request) {
	if !c.sendsHeader(req.URL) {
		return
	}
	for k, vs := range c.s.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
}

// sameSite reports whether a and b are hosts of one site: the same registrable domain
// (example.com and www.example.com; not example.co.uk and other.co.uk), by the public
// suffix list. An address is a site of its own.
func sameSite(a, b *url.URL) bool {
	ha, hb := strings.ToLower(a.Hostname()), strings.ToLower(b.Hostname())
	if ha == hb {
		return true
	}
	if _, err := netip.ParseAddr(ha); err == nil {
		return false
	}
	if _, err := netip.ParseAddr(hb); err == nil {
		return false
	}
	da, err := publicsuffix.EffectiveTLDPlusOne(ha)
	if err != nil {
		return false
	}
	db, err := publicsuffix.EffectiveTLDPlusOne(hb)
	return err == nil && da == db
}

// shown is u as the crawl shows it, in locations and log lines: every query value and any
// password replaced by "…", since a URL read from a page may carry a key (a maps script's
// ?key=) that must not reach the log before the page's findings are known.
func shown(u *url.URL) string {
	v := *u
	user := ""
	if v.User != nil {
		if _, ok := v.User.Password(); ok {
			user = url.User(v.User.Username()).String() + ":…@"
			v.User = nil
		}
	}
	if v.RawQuery != "" {
		parts := strings.Split(v.RawQuery, "&")
		for i, p := range parts {
			if k, val, ok := strings.Cut(p, "="); ok && val != "" {
				parts[i] = k + "=…"
			}
		}
		v.RawQuery = strings.Join(parts, "&")
	}
	v.ForceQuery = false
	out := v.String()
	if user != "" {
		if i := strings.Index(out, "://"); i >= 0 {
			out = out[:i+3] + user + out[i+3:]
		}
	}
	return out
}

// parseError is what url.Parse found wrong, without the text it was given (which may hold
// a key in its query).
func parseError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redactRef is a reference that is not a URL, shown as shown shows URLs: the query's
// values hidden.
func redactRef(ref string) string {
	if i := strings.IndexByte(ref, '?'); i >= 0 {
		return ref[:i] + "?…"
	}
	return ref
}

// fetch GETs a URL within the crawl's limits.
func (c *crawl) fetch(u *url.URL, accept string) (*response, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.lim.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("building the request: %w", err)
	}
	c.addHeader(req)
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
		return nil, &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status}
	}
	limit, bound := c.lim.response, scanner.LimitFileSize
	why := fmt.Sprintf("response is larger than the %s limit: the rest is not read", humanize.IBytes(uint64(limit)))
	c.mu.Lock()
	left := c.lim.bytes - c.bytes
	c.mu.Unlock()
	if left < limit {
		limit, bound = left, scanner.LimitTotalBytes
		why = c.bytesSpent("the rest of the response is not read")
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
		data, r.truncated, r.limit = data[:limit], why, bound
	}
	r.data = data
	c.mu.Lock()
	c.read++
	c.mu.Unlock()
	return r, nil
}

// bytesSpent words the limit on bytes read, reached, with what it leaves unread.
func (c *crawl) bytesSpent(what string) string {
	return fmt.Sprintf("the %s limit on bytes read is reached: %s", humanize.IBytes(uint64(c.lim.bytes)), what)
}

// requestError words a failed request for people.
func (c *crawl) requestError(ctx context.Context, err error) error {
	var off *offHostError
	if errors.As(err, &off) {
		return off
	}
	var sr *StartRedirectError
	if errors.As(err, &sr) {
		return sr
	}
	var fa *ForbiddenAddressError
	if errors.As(err, &fa) {
		return fa
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && c.ctx.Err() == nil {
		return &TimeoutError{After: c.lim.timeout}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err
}

// fetchFailed reports a fetch of u that failed: nothing once the crawl is over, the limit on
// bytes once, a redirect off the allowed hosts as a skip located at the URL it points to (so
// that the host to allow can be named), anything else as a problem.
func (c *crawl) fetchFailed(u *url.URL, err error) {
	var off *offHostError
	switch {
	case c.ctx.Err() != nil:
	case errors.Is(err, errBytesSpent):
		c.note(scanner.LimitTotalBytes, "bytes", u, c.bytesSpent("this and later URLs are not fetched"))
	case errors.As(err, &off):
		c.skip(off.to, scanner.LimitHost, "redirect from "+shown(u)+" to another host, not followed")
	default:
		_ = c.put(scanner.Chunk{Location: scanner.Location{URL: shown(u)}, Err: err})
	}
}
