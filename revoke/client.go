package revoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/dustin/go-humanize/english"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
)

// Client is the HTTP client every provider, and the issue filer, shares. It bounds each
// attempt in time (connection, answer and body) and the body in size, retries rate limits
// (429, and GitHub's primary and secondary limits; every method, as a limited call was not
// served) and 5xx and network errors (read-only methods only: a changing call that may have
// landed is verified before it is tried again) with backoff that honours Retry-After and the
// providers' reset headers, never waiting past the caller's deadline, limits how many calls
// run at once per provider, and writes every attempt and its answer to the audit log,
// redacted. Before every changing call (a revocation, an issue) it writes and syncs an
// intent line, and sends nothing once the log cannot be written. It is the one retry loop
// of leakstop's calls.
type Client struct {
	// HTTP sends the requests. Nil means http.DefaultTransport's.
	HTTP *http.Client
	// Timeout bounds each attempt: connecting, the answer and reading its body. Zero means
	// HTTP's own Timeout when it has one, else 30 seconds.
	Timeout time.Duration
	// MaxRetries is how many times a call is tried again after the first attempt; zero
	// means 3, a negative number none.
	MaxRetries int
	// Backoff is the first wait between attempts when the provider names none; it doubles
	// with each attempt. Zero means 500ms.
	Backoff time.Duration
	// MaxWait is the longest wait leakstop accepts; a provider asking for longer ends the
	// retries and the answer stays unknown (or failed), to be tried again later. Zero means
	// two minutes.
	MaxWait time.Duration
	// Sleep waits d or until ctx ends. Tests replace it to record waits without sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
	// Limit is how many calls may run at once per provider; zero means 4.
	Limit int
	// Audit receives every attempt. Nil logs nothing.
	Audit *Audit
	// Redactor hides every secret the run knows (leaked ones and operator credentials) in
	// audit entries, log lines and errors.
	Redactor *rules.Redactor
	// Log receives retries and waits.
	Log zerolog.Logger

	mu   sync.Mutex
	sems map[string]chan struct{}
}

// What a Client uses where its fields are zero.
const (
	// DefaultTimeout is how long one attempt of a call may take when Client.Timeout is zero.
	DefaultTimeout    = 30 * time.Second
	defaultMaxRetries = 3
	defaultBackoff    = 500 * time.Millisecond
	defaultMaxWait    = 2 * time.Minute
	defaultLimit      = 4
	// MaxBody is the largest answer leakstop reads; a larger one proves nothing and is
	// read as no answer.
	MaxBody      = 4 << 20
	auditSnippet = 512
	// secondaryLimitWait is the wait after a GitHub secondary rate limit that names none:
	// GitHub asks for at least a minute.
	secondaryLimitWait = time.Minute
)

// request is one call to a provider.
type request struct {
	// Provider names the provider, for the concurrency limit and the audit log.
	Provider string
	// Action says why the call is made: "verify", "lookup", "revoke", "issue".
	Action string
	// Secret is the secret the call is about (its fingerprint goes to the audit log).
	Secret *Secret
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Idempotent marks a changing POST that sets a state, so that sending it twice does
	// what sending it once does (deactivate this key): after a crash that lost its answer it
	// may be sent again once the secret verifies live. DELETE, PUT and PATCH are idempotent
	// by definition (RFC 9110, 9.2.2) and need not say so.
	Idempotent bool
}

// reply is a provider's answer, read in full.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends call and returns the answer of the last attempt. An error means no answer came
// (network, timeout, ctx); its message holds no secret.
func (c *Client) do(ctx context.Context, call request) (*reply, error) {
	var body io.Reader
	if call.Body != nil {
		body = bytes.NewReader(call.Body)
	}
	req, err := http.NewRequestWithContext(ctx, call.Method, call.URL, body)
	if err != nil {
		return nil, c.safeError("building the request", err)
	}
	for k, vs := range call.Header {
		req.Header[k] = vs
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "leakstop")
	}
	resp, data, err := c.send(ctx, meta{provider: call.Provider, action: call.Action, secret: call.Secret, idempotent: call.Idempotent}, req, true)
	if err != nil {
		return nil, err
	}
	return &reply{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// meta says what a request is for, for the limit and the audit log.
type meta struct {
	provider, action string
	secret           *Secret
	// batch is every secret of a call about many (GitHub's POST /credentials/revoke);
	// secret is then the first.
	batch []Secret
	// idempotent: see request.Idempotent.
	idempotent bool
}

// changing reports whether a request with method changes something at the provider: a
// revocation or an issue, by any method but GET and HEAD. Those get an intent line first.
func (m meta) changing(method string) bool {
	return (m.action == "revoke" || m.action == "issue") && !readOnly(method)
}

// idempotentFor reports whether sending a request with method twice does what sending it
// once does.
func (m meta) idempotentFor(method string) bool {
	switch method {
	case http.MethodDelete, http.MethodPut, http.MethodPatch:
		return true
	}
	return m.idempotent
}

func readOnly(method string) bool { return method == http.MethodGet || method == http.MethodHead }

// fingerprints lists the secrets a request is about, for the audit log.
func (m meta) fingerprints() []string {
	var fps []string
	for _, s := range m.batch {
		fps = append(fps, s.Fingerprint)
	}
	if len(fps) == 0 && m.secret != nil && m.secret.Fingerprint != "" {
		fps = append(fps, m.secret.Fingerprint)
	}
	return fps
}

type fingerprintKey struct{}

// WithFingerprint returns ctx marked as being about the secret with fingerprint fp, so that
// the audit lines of calls made with it through an HTTPClient name that secret (the issue
// filer makes every finding's calls so).
func WithFingerprint(ctx context.Context, fp string) context.Context {
	return context.WithValue(ctx, fingerprintKey{}, fp)
}

// HTTPClient returns an *http.Client that sends requests through c, for SDKs that bring
// their own request building (go-github, the AWS SDK). retry turns c's retries on; leave it
// off for SDKs that retry themselves. It has no timeout of its own: c bounds each attempt,
// and a bound on the whole would cut the waits between attempts short.
func (c *Client) HTTPClient(provider, action string, s *Secret, retry bool) *http.Client {
	return c.sdkClient(meta{provider: provider, action: action, secret: s}, retry)
}

func (c *Client) sdkClient(m meta, retry bool) *http.Client {
	return &http.Client{Transport: &transport{c: c, m: m, retry: retry}}
}

type transport struct {
	c     *Client
	m     meta
	retry bool
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	m := t.m
	if fp, ok := req.Context().Value(fingerprintKey{}).(string); ok && m.secret == nil && len(m.batch) == 0 {
		m.secret = &Secret{Fingerprint: fp}
	}
	resp, data, err := t.c.send(req.Context(), m, req, t.retry)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp, nil
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// timeout is how long one attempt may take.
func (c *Client) timeout() time.Duration {
	switch {
	case c.Timeout > 0:
		return c.Timeout
	case c.HTTP != nil && c.HTTP.Timeout > 0:
		return c.HTTP.Timeout
	}
	return DefaultTimeout
}

// maxRetries is how many times a call may be tried again.
func (c *Client) maxRetries() int {
	switch {
	case c.MaxRetries == 0:
		return defaultMaxRetries
	case c.MaxRetries < 0:
		return 0
	}
	return c.MaxRetries
}

// maxWait is the longest wait between attempts leakstop accepts.
func (c *Client) maxWait() time.Duration {
	if c.MaxWait <= 0 {
		return defaultMaxWait
	}
	return c.MaxWait
}

func (c *Client) sem(provider string) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sems == nil {
		c.sems = map[string]chan struct{}{}
	}
	s, ok := c.sems[provider]
	if !ok {
		n := c.Limit
		if n <= 0 {
			n = defaultLimit
		}
		s = make(chan struct{}, n)
		c.sems[provider] = s
	}
	return s
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// send runs the attempts of one request.
func (c *Client) send(ctx context.Context, m meta, req *http.Request, retry bool) (*http.Response, []byte, error) {
	sem := c.sem(m.provider)
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	defer func() { <-sem }()

	maxRetries := c.maxRetries()
	if !retry {
		maxRetries = 0
	}
	ro := readOnly(req.Method)
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.GetBody != nil {
			b, err := req.GetBody()
			if err != nil {
				return nil, nil, c.safeError("replaying the request", err)
			}
			req.Body = b
		}
		// A changing call is written down, and synced, before it is sent: if the log cannot
		// say what leakstop is about to do, leakstop does not do it.
		call := ""
		if m.changing(req.Method) {
			id, err := c.Audit.intent(c.entry(m, req, attempt))
			if err != nil {
				return nil, nil, err
			}
			call = id
		}
		start := time.Now()
		resp, data, err := c.attempt(ctx, req)
		c.audit(m, req, resp, data, err, attempt, time.Since(start), call)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, c.safeError(req.Method+" "+c.redactURL(req)+", "+english.Plural(attempt+1, "attempt", ""), ctx.Err())
			}
			var big *tooLargeError
			if ro && attempt < maxRetries && !errors.As(err, &big) {
				if werr := c.wait(ctx, m, c.backoff(attempt), "network error"); werr != nil {
					return nil, nil, c.safeError(req.Method+" "+c.redactURL(req), err)
				}
				continue
			}
			return nil, nil, c.safeError(req.Method+" "+c.redactURL(req), err)
		}
		lim := rateLimited(resp.StatusCode, resp.Header, data)
		retryable := lim != notLimited || (ro && resp.StatusCode >= 500)
		if !retryable || attempt >= maxRetries {
			return resp, data, nil
		}
		d := c.delay(resp.Header, lim, attempt)
		if d > c.maxWait() {
			c.Log.Warn().Str("provider", m.provider).Str("wait", waitText(d)).Msg("provider asks to wait longer than leakstop waits; giving up for now")
			return resp, data, nil
		}
		if werr := c.wait(ctx, m, d, fmt.Sprintf("HTTP %d", resp.StatusCode)); werr != nil {
			return resp, data, nil
		}
	}
}

// attempt sends req once, bounded by the timeout, and reads at most MaxBody of the answer.
func (c *Client) attempt(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	timeout := c.timeout()
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := c.httpClient().Do(req.WithContext(actx))
	if err != nil {
		return nil, nil, c.inTime(ctx, actx, timeout, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return resp, nil, fmt.Errorf("reading the answer: %w", c.inTime(ctx, actx, timeout, err))
	}
	if len(data) > MaxBody {
		return resp, nil, &tooLargeError{}
	}
	return resp, data, nil
}

// inTime says that an attempt ran out of its time, when it did (and not the caller's).
func (c *Client) inTime(ctx, actx context.Context, timeout time.Duration, err error) error {
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s: %w", timeout, context.DeadlineExceeded)
	}
	return err
}

// tooLargeError is an answer larger than MaxBody: it is not read, and proves nothing.
type tooLargeError struct{}

func (*tooLargeError) Error() string {
	return "the answer is larger than " + humanize.IBytes(MaxBody) + ": not read"
}

// waitText writes a wait for the log; absurd ones (a year) as what they are.
func waitText(d time.Duration) string {
	if d >= 24*time.Hour {
		return humanize.Comma(int64(d/time.Hour)) + "h"
	}
	return d.String()
}

// wait sleeps d before the next attempt, unless that would run past ctx's deadline: then it
// returns at once with an error, and the last answer stands.
func (c *Client) wait(ctx context.Context, m meta, d time.Duration, why string) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		c.Log.Info().Str("provider", m.provider).Str("action", m.action).Str("wait", waitText(d)).Msg("no time left to retry after " + why)
		return context.DeadlineExceeded
	}
	c.Log.Info().Str("provider", m.provider).Str("action", m.action).Dur("wait", d).Msg("retrying after " + why)
	return c.sleep(ctx, d)
}

// delay is the wait before attempt+1 after an answer worth retrying: what the provider names,
// a minute after a GitHub secondary limit that names nothing (GitHub's x-ratelimit-reset
// then speaks of the primary limit, which is not spent), or backoff.
func (c *Client) delay(h http.Header, lim limit, attempt int) time.Duration {
	if lim == secondaryLimit && h.Get("Retry-After") == "" && h.Get("X-Ratelimit-Remaining") != "0" {
		return secondaryLimitWait
	}
	if d, named := retryDelay(h, time.Now()); named {
		return d
	}
	return c.backoff(attempt)
}

// backoff is the wait before attempt+1 when the provider names none: Backoff doubled per
// attempt, with up to a quarter of jitter.
func (c *Client) backoff(attempt int) time.Duration {
	b := c.Backoff
	if b <= 0 {
		b = defaultBackoff
	}
	d := b << attempt
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}

// limit is what kind of rate limit an answer reports.
type limit int

const (
	notLimited limit = iota
	// limited: a 429, or GitHub's primary rate limit (a 403 with x-ratelimit-remaining 0)
	// or a 403 with Retry-After; the headers name the wait, or backoff decides it.
	limited
	// secondaryLimit: GitHub's secondary rate limit, a 403 or 429 whose body says so;
	// when no header names the wait, it is secondaryLimitWait.
	secondaryLimit
)

// rateLimited reads an answer as GitHub documents its rate limits (and every provider its
// 429), telling a rate-limit 403 from a permission 403. GitHub's secondary limit is known by
// its message or its documentation link, as go-github knows it.
func rateLimited(status int, h http.Header, body []byte) limit {
	if status != http.StatusTooManyRequests && status != http.StatusForbidden {
		return notLimited
	}
	if bytes.Contains(body, []byte("secondary rate limit")) ||
		bytes.Contains(body, []byte("secondary-rate-limits")) || bytes.Contains(body, []byte("#abuse-rate-limits")) {
		return secondaryLimit
	}
	if status == http.StatusTooManyRequests || h.Get("X-Ratelimit-Remaining") == "0" || h.Get("Retry-After") != "" {
		return limited
	}
	return notLimited
}

// retryDelay reads how long a provider asks to wait: Retry-After (seconds or an HTTP date),
// OpenAI's x-ratelimit-reset-requests (a duration such as "6m0s"), Anthropic's
// anthropic-ratelimit-requests-reset (RFC 3339), GitHub's x-ratelimit-reset and GitLab's
// RateLimit-Reset (Unix seconds). named is false when none is there.
func retryDelay(h http.Header, now time.Time) (d time.Duration, named bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		// Seconds, as RFC 9110 has them; a negative number, NaN or garbage names nothing,
		// and more than 30 years is for ever (time.Duration would overflow).
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
			if n > 1e9 {
				return forever, true
			}
			return time.Duration(n * float64(time.Second)), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return clampPositive(t.Sub(now)), true
		}
	}
	if v := h.Get("X-Ratelimit-Reset-Requests"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return clampPositive(d), true
		}
	}
	if v := h.Get("Anthropic-Ratelimit-Requests-Reset"); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return clampPositive(t.Sub(now)), true
		}
	}
	for _, k := range []string{"X-Ratelimit-Reset", "Ratelimit-Reset"} {
		if v := h.Get(k); v != "" {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				if n > 1e9 { // an epoch time
					return clampPositive(time.Unix(n, 0).Sub(now)), true
				}
				return clampPositive(time.Duration(n) * time.Second), true
			}
		}
	}
	return 0, false
}

// forever is a wait no one waits for.
const forever = time.Duration(math.MaxInt64)

func clampPositive(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

func (c *Client) redact(s string) string { return c.Redactor.Redact(s) }

func (c *Client) redactURL(req *http.Request) string {
	u := *req.URL
	u.User = nil
	return c.redact(u.String())
}

// safeError returns an error whose message is redacted; it still unwraps to err so callers
// can test for context errors.
func (c *Client) safeError(doing string, err error) error {
	return &redactedError{msg: c.redact(doing + ": " + err.Error()), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// entry is the audit line of an attempt of req, before its answer.
func (c *Client) entry(m meta, req *http.Request, attempt int) entry {
	e := entry{
		Event:    "call",
		Provider: m.provider,
		Action:   m.action,
		Method:   req.Method,
		URL:      c.redactURL(req),
		Attempt:  attempt + 1,
	}
	if m.secret != nil {
		e.Fingerprint = m.secret.Fingerprint
		e.Rule = m.secret.Rule
		e.Secret = m.secret.Redacted
	}
	if len(m.batch) > 1 {
		e.Fingerprints = m.fingerprints()
	}
	if m.changing(req.Method) {
		e.Idempotent = m.idempotentFor(req.Method)
	}
	return e
}

// audit writes one attempt and its answer to the audit log; call is the id of its intent
// line, for a changing call, whose answer is synced at once.
func (c *Client) audit(m meta, req *http.Request, resp *http.Response, body []byte, err error, attempt int, took time.Duration, call string) {
	if c.Audit == nil {
		return
	}
	e := c.entry(m, req, attempt)
	e.Call = call
	e.MS = took.Milliseconds()
	if err != nil {
		e.Error = c.redact(err.Error())
	}
	if resp != nil {
		e.Status = resp.StatusCode
		for _, k := range []string{"X-Request-Id", "Request-Id", "X-Github-Request-Id", "X-Amzn-Requestid"} {
			if v := resp.Header.Get(k); v != "" {
				e.RequestID = snippet(c.redact(v))
				break
			}
		}
		c.learnIssued(body)
		e.Answer = snippet(c.redact(string(body)))
	}
	_ = c.Audit.write(e, call != "")
}

// issuedFields are the fields in which a token endpoint hands out new credentials (RFC
// 6749, 5.1; OpenID Connect's id_token): a verification that exchanges a leaked refresh
// token or signs a service account's assertion gets one back.
var issuedFields = []string{"access_token", "refresh_token", "id_token"}

// learnIssued teaches the redactor the credentials an answer hands out, so that the audit
// log and every later line hide them as they hide the leaked ones.
func (c *Client) learnIssued(body []byte) {
	if c.Redactor == nil || !bytes.Contains(body, []byte("_token")) {
		return
	}
	var fields map[string]any
	if json.Unmarshal(body, &fields) != nil {
		return
	}
	for _, k := range issuedFields {
		if v, ok := fields[k].(string); ok {
			c.Redactor.Add(v, "[token issued to leakstop: "+k+"]")
		}
	}
}

// snippet returns the start of a body as text, for the audit log.
func snippet(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.TrimSpace(s)
	if len(s) > auditSnippet {
		s = s[:auditSnippet] + "…"
	}
	return strings.ToValidUTF8(s, "")
}
