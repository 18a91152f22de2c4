// Package fake holds loopback fakes of the providers leakstop verifies and revokes with, one
// httptest.Server each, following providers.md: the same paths, auth headers, pagination,
// error bodies and status codes. Each keeps state (a revoked key then verifies invalid),
// can be told to answer a route with a given status (401, 403, 404, 429 with Retry-After,
// 500) or slowly, and fails the test on any call it did not expect: an unknown route, a
// revocation of a key nobody verified first, a second revocation, an authenticated
// POST /credentials/revoke.
package fake

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
}

type injection struct {
	route string // "METHOD /path-prefix"
	times int    // -1: forever
	reply Reply
}

// Server is what every fake shares: the server, the test, the calls seen, injected
// replies, and the credentials the fake knows.
type Server struct {
	*httptest.Server
	t      testing.TB
	mu     sync.Mutex
	calls  []Call
	inject []*injection
	authOf func(*http.Request) string
	handle func(w http.ResponseWriter, r *http.Request, body string)
	keys   keyring
}

func newServer(t testing.TB, authOf func(*http.Request) string, handle func(w http.ResponseWriter, r *http.Request, body string)) *Server {
	s := &Server{t: t, authOf: authOf, handle: handle}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
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
	var inj *injection
	for _, in := range s.inject {
		m, p, _ := strings.Cut(in.route, " ")
		if in.times != 0 && r.Method == m && strings.HasPrefix(r.URL.Path, p) {
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
		if rep.Delay > 0 {
			select {
			case <-time.After(rep.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if rep.Status != 0 {
			for k, v := range rep.Header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(rep.Status)
			fmt.Fprint(w, rep.Body)
			return
		}
	}
	s.handle(w, r, body)
}

// Inject makes the next times requests whose method and path start match route
// ("DELETE /v1/organization/") get reply instead (times -1: every one). A reply with
// Status 0 only adds its Delay.
func (s *Server) Inject(route string, times int, reply Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inject = append(s.inject, &injection{route: route, times: times, reply: reply})
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
