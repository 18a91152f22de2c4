package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/dustin/go-humanize/english"

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

// newClient makes the crawl's HTTP client. It sets no timeout on the request of its own
// (neither on the client nor on the response headers): each request has its deadline, body
// included, so that a request that takes too long is always a TimeoutError.
func newClient(lim limits, check func(*http.Request, []*http.Request) error) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:   true,
			MaxIdleConnsPerHost: lim.concurrency,
			TLSHandshakeTimeout: 10 * time.Second,
		},
		CheckRedirect: check,
	}
}

func (c *crawl) checkRedirect(req *http.Request, via []*http.Request) error {
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			return fmt.Errorf("redirect loop: %s redirects back to itself after %s", via[0].URL, english.Plural(len(via), "redirect", ""))
		}
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("more than %d redirects, given up (a redirect loop?)", maxRedirects)
	}
	if !c.allowed(req.URL) {
		return &offHostError{to: req.URL}
	}
	return nil
}

// fetch GETs a URL within the crawl's limits.
func (c *crawl) fetch(u *url.URL, accept string) (*response, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.lim.timeout)
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
		c.note(scanner.LimitTotalBytes, u, c.bytesSpent("this and later URLs are not fetched"))
	case errors.As(err, &off):
		c.skip(off.to, scanner.LimitHost, "redirect from "+u.String()+" to another host, not followed")
	default:
		_ = c.put(scanner.Chunk{Location: scanner.Location{URL: u.String()}, Err: err})
	}
}
