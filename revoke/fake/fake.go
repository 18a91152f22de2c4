// Package fake holds loopback fakes of the providers leakstop verifies and revokes with, one
// httptest.Server each, following providers.md: the same paths, auth headers, pagination,
// error bodies and status codes. Each keeps state (a revoked key then verifies invalid),
// can be told to answer a route with a given status (401, 403, 404, 429 with Retry-After,
// 500), slowly, never (a hang), with a connection reset halfway through the body, with a
// body of gigabytes streamed, or with anything else, and fails the test on any call it did
// not expect: an unknown route, a revocation of a key nobody verified first, a second
// revocation, an authenticated POST /credentials/revoke.
package fake

import (
	"bufio"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one request a fake received.
type Call struct {
	Method string
	Path   string
	Query  string
	Auth   string // the credential the request carried (Authorization, x-api-key, PRIVATE-TOKEN)
	Body   string
}

// Reply is an injected answer.
type Reply struct {
	Status int
	Body   string
	Header map[string]string
	// Delay makes the answer slow; a client with a shorter timeout gets no answer.
	Delay time.Duration
	// Hang holds the request until the client goes away or the fake closes: the request
	// is not handled at all.
	Hang bool
	// Reset sends the status line, the headers (a Content-Length twice the body) and Body,
	// then drops the connection: the client sees its answer cut mid-body.
	Reset bool
	// Size streams a body of Size bytes after Body, as fast as the client reads it.
	Size int64
}

type injection struct {
	route string // "METHOD /path-prefix"
	skip  int    // matching requests left alone before this one applies
	times int    // -1: forever
	reply Reply
}

// Server is what every fake shares: the server, the test, the calls seen, injected
// replies, and the credentials the fake knows.
type Server struct {
	*httptest.Server
	t      testing.TB
	mu     sync.Mutex
	quit   chan struct{}
	seen   chan struct{} // closed and replaced at every call, for Await
	calls  []Call
	inject []*injection
	authOf func(*http.Request) string
	handle func(w http.ResponseWriter, r *http.Request, body string)
	keys   keyring
}

func newServer(t testing.TB, authOf func(*http.Request) string, handle func(w http.ResponseWriter, r *http.Request, body string)) *Server {
	s := &Server{t: t, authOf: authOf, handle: handle, quit: make(chan struct{}), seen: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.quit) // hung requests end, so that Close does not wait for them
		s.Close()
	})
	return s
}

func bearerOf(r *http.Request) string {
	a := r.Header.Get("Authorization")
	if v, ok := strings.CutPrefix(a, "Bearer "); ok {
		return v
	}
	if v, ok := strings.CutPrefix(a, "token "); ok {
		return v
	}
	return ""
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	b := make([]byte, 0, 512)
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			break
		}
	}
	body := string(b)
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: s.authOf(r), Body: body})
	close(s.seen)
	s.seen = make(chan struct{})
	var inj *injection
	for _, in := range s.inject {
		m, p, _ := strings.Cut(in.route, " ")
		if in.times != 0 && r.Method == m && strings.HasPrefix(r.URL.Path, p) {
			if in.skip > 0 {
				in.skip--
				continue
			}
			inj = in
			if in.times > 0 {
				in.times--
			}
			break
		}
	}
	s.mu.Unlock()
	if inj != nil {
		rep := inj.reply
		if rep.Hang {
			select {
			case <-r.Context().Done():
			case <-s.quit:
			}
			return
		}
		if rep.Delay > 0 {
			select {
			case <-time.After(rep.Delay):
			case <-r.Context().Done():
				return
			case <-s.quit:
				return
			}
		}
		switch {
		case rep.Reset:
			s.reset(w, rep)
			return
		case rep.Status != 0:
			for k, v := range rep.Header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(rep.Status)
			fmt.Fprint(w, rep.Body)
			stream(w, rep.Size)
			return
		}
	}
	s.handle(w, r, body)
}

// reset answers with half a body and drops the connection.
func (s *Server) reset(w http.ResponseWriter, rep Reply) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		s.t.Errorf("fake %s: hijacking the connection: %v", s.URL, err)
		return
	}
	defer conn.Close()
	status := rep.Status
	if status == 0 {
		status = http.StatusOK
	}
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", status, http.StatusText(status), 2*len(rep.Body)+2)
	for k, v := range rep.Header {
		fmt.Fprintf(buf, "%s: %s\r\n", k, v)
	}
	fmt.Fprintf(buf, "\r\n%s", rep.Body)
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // a reset, not a clean close
	}
}

// stream writes n bytes of filler, until the client stops reading.
func stream(w http.ResponseWriter, n int64) {
	chunk := []byte(strings.Repeat(`{"data":[`, 32<<10/9))
	for n > 0 {
		k := min(int64(len(chunk)), n)
		if _, err := w.Write(chunk[:k]); err != nil {
			return
		}
		n -= k
	}
}

// Inject makes the next times requests whose method and path start match route
// ("DELETE /v1/organization/") get reply instead (times -1: every one). A reply with
// Status 0 only adds its Delay (or its Hang).
func (s *Server) Inject(route string, times int, reply Reply) { s.InjectAfter(route, 0, times, reply) }

// InjectAfter is Inject for the requests that come after the first skip that match route:
// to hang the verification after a revocation, say, and not the one before.
func (s *Server) InjectAfter(route string, skip, times int, reply Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inject = append(s.inject, &injection{route: route, skip: skip, times: times, reply: reply})
}

// Heal drops every injected answer: the provider behaves again.
func (s *Server) Heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inject = nil
}

// Await waits until n requests had method and a path starting with prefix, or ctx ends.
func (s *Server) Await(ctx context.Context, method, prefix string, n int) error {
	for {
		s.mu.Lock()
		seen := s.seen
		s.mu.Unlock()
		if s.Count(method, prefix) >= n {
			return nil
		}
		select {
		case <-seen:
		case <-ctx.Done():
			return fmt.Errorf("fake %s: %d %s %s requests, waited for %d: %w", s.URL, s.Count(method, prefix), method, prefix, n, ctx.Err())
		}
	}
}

// Calls returns the requests seen so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Count returns how many requests had method and a path starting with prefix.
func (s *Server) Count(method, prefix string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Method == method && strings.HasPrefix(c.Path, prefix) {
			n++
		}
	}
	return n
}

// unexpected fails the test: the client sent a call the provider's documented flow has no
// place for.
func (s *Server) unexpected(w http.ResponseWriter, r *http.Request, why string) {
	s.t.Errorf("fake %s: unexpected %s %s: %s", s.URL, r.Method, r.URL.Path, why)
	http.Error(w, "unexpected call: "+why, http.StatusTeapot)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeList answers one page of a cursor-paginated list, as OpenAI and Anthropic shape
// it: data, first_id, last_id, has_more, and the fields of envelope.
func writeList[T any](w http.ResponseWriter, envelope map[string]any, items []T, more bool, conv func(T) map[string]any) {
	data := []map[string]any{}
	for _, it := range items {
		data = append(data, conv(it))
	}
	var first, last any
	if len(data) > 0 {
		first, last = data[0]["id"], data[len(data)-1]["id"]
	}
	out := map[string]any{"data": data, "first_id": first, "last_id": last, "has_more": more}
	for k, v := range envelope {
		out[k] = v
	}
	writeJSON(w, http.StatusOK, out)
}

// key is a credential a fake knows.
type key struct {
	value    string
	id       string
	live     bool
	verified bool
	revoked  int
}

// keyring is a fake's credentials by value, with the checks every revocation gets.
type keyring struct {
	mu   sync.Mutex
	byV  map[string]*key
	list []*key
}

func (k *keyring) add(value, id string) *key {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.byV == nil {
		k.byV = map[string]*key{}
	}
	x := &key{value: value, id: id, live: true}
	k.byV[value] = x
	k.list = append(k.list, x)
	return x
}

// verify looks value up as a verify call does, marking it verified.
func (k *keyring) verify(value string) *key {
	k.mu.Lock()
	defer k.mu.Unlock()
	x := k.byV[value]
	if x == nil {
		return nil
	}
	x.verified = true
	if !x.live {
		return nil
	}
	return x
}

func (k *keyring) get(value string) *key {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.byV[value]
}

// revoke kills x, and fails the test if nobody verified it or it was revoked before.
func (s *Server) revoke(x *key, r *http.Request) {
	k := &s.keys
	k.mu.Lock()
	defer k.mu.Unlock()
	if !x.verified {
		s.t.Errorf("fake %s: %s %s revokes %s, which was never verified first", s.URL, r.Method, r.URL.Path, x.id)
	}
	x.revoked++
	if x.revoked > 1 {
		s.t.Errorf("fake %s: %s %s revokes %s a second time", s.URL, r.Method, r.URL.Path, x.id)
	}
	x.live = false
}

// Live reports whether the fake still accepts value.
func (s *Server) Live(value string) bool {
	x := s.keys.get(value)
	return x != nil && x.live
}

// page cuts a list for cursor pagination: at most limit items after the one with id after.
func page[T any](items []T, id func(T) string, limitStr, after string, def, max int) (out []T, hasMore bool) {
	limit := def
	if n, err := strconv.Atoi(limitStr); err == nil {
		limit = n
	}
	if limit < 1 || limit > max {
		limit = max
	}
	start := 0
	if after != "" {
		start = len(items)
		for i, it := range items {
			if id(it) == after {
				start = i + 1
				break
			}
		}
	}
	end := min(start+limit, len(items))
	return items[start:end], end < len(items)
}

func sha512hex(v string) string {
	s := sha512.Sum512([]byte(v))
	return hex.EncodeToString(s[:])
}

// AuditLines reads the audit log at path, a JSON object a line, failing the test on a line
// that is not one.
func AuditLines(t testing.TB, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
