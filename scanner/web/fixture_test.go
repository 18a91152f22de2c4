package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
	"github.com/leakstop/leakstop/scanner/web"
	"github.com/leakstop/leakstop/scanner/web/webtest"
)

// keyFor makes a project key for a test, as long as the fixtures' placeholder.
func keyFor(seed uint64) string {
	return rules.NewGenerator(seed).OpenAIKey("sk-proj-", 74)
}

// build copies a fixture app's build output, with key in the placeholder's place, into
// DIR/dist (Vite) or DIR/out (Next.js) of a new folder DIR, and returns DIR.
func build(t *testing.T, app, key string) string {
	t.Helper()
	dir := t.TempDir()
	buildInto(t, dir, app, key)
	return dir
}

// buildInto copies a fixture app's build output into dir/dist or dir/out.
func buildInto(t *testing.T, dir, app, key string) {
	t.Helper()
	if err := webtest.CopyBuild(app, filepath.Join(dir, webtest.Apps[app]), key); err != nil {
		t.Fatal(err)
	}
}

// serve serves a folder over loopback as a static host would, and logs every request.
func serve(t *testing.T, dir string) (*httptest.Server, *requestLog) {
	t.Helper()
	log := &requestLog{}
	srv := httptest.NewServer(log.wrap(webtest.Handler(dir)))
	t.Cleanup(srv.Close)
	return srv, log
}

// requestLog records the paths a server was asked for.
type requestLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.paths = append(l.paths, r.URL.Path)
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) Paths() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := append([]string(nil), l.paths...)
	sort.Strings(out)
	return out
}

// scan scans a source with the built-in rules and returns what it found with the log lines
// (messages with where they are about), as a user would read them. A crawl gets a test
// User-Agent unless it names one, and logs to the same lines.
func scan(t *testing.T, src scanner.Source) (*scanner.Result, []string) {
	t.Helper()
	res, logs, err := scanErr(t, src)
	if err != nil {
		t.Fatal(err)
	}
	return res, logs
}

// scanErr is scan for a source that may fail as a whole: it returns the error too (and no
// result then).
func scanErr(t *testing.T, src scanner.Source) (*scanner.Result, []string, error) {
	t.Helper()
	buf := &syncBuffer{}
	log := zerolog.New(buf).Level(zerolog.InfoLevel)
	if s, ok := src.(*web.Source); ok {
		s.Logger = log
		testSource(s)
	}
	set, err := rules.Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := scanner.New(scanner.Options{Rules: set, Jobs: 2, Logger: log, Hint: limitHint})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), src)
	return res, buf.Lines(), err
}

// testSource readies a crawl for a test: a test User-Agent unless it names one, and
// loopback allowed (the tests' servers are there) unless the test routes names itself
// (Resolve), to see what is refused.
func testSource(s *web.Source) {
	if s.UserAgent == "" {
		s.UserAgent = "leakstop-test"
	}
	if s.Resolve == nil {
		s.AllowPrivate = true
	}
}

// run scans a source with the built-in rules.
func run(t *testing.T, src scanner.Source) *scanner.Result {
	t.Helper()
	res, _ := scan(t, src)
	return res
}

// limitHint stands in for the command's hints, so that the log shows the bound a skipped
// chunk names: "raise pages", or for a host the one to allow, read from the chunk's URL.
func limitHint(c scanner.Chunk) string {
	switch c.Limit {
	case "":
		return ""
	case scanner.LimitHost:
		u, err := url.Parse(c.Location.URL)
		if err != nil {
			return "allow " + err.Error()
		}
		return "allow " + u.Host
	}
	return "raise " + string(c.Limit)
}

// syncBuffer collects log lines from several goroutines.
type syncBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, strings.TrimSpace(string(p)))
	return len(p), nil
}

func (b *syncBuffer) Lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.lines...)
}

// scanDir scans paths on disk as leakstop dir does, source maps and bundles included.
func scanDir(t *testing.T, paths ...string) *scanner.Result {
	t.Helper()
	return run(t, &files.Source{Paths: paths, Expand: (&web.Expander{Roots: paths}).Expand})
}

// place is one location of a finding, written for comparison: where, the origin, the
// exposure and the variable.
func place(secretIndex map[string]string, f *scanner.Finding, l scanner.Location, bases map[string]string) string {
	where := l.Path
	if l.URL != "" {
		where = l.URL
		for from, to := range bases {
			if strings.HasPrefix(where, from) {
				where = to + strings.TrimPrefix(where, from)
			}
		}
	}
	if l.Line != 0 {
		where += fmt.Sprintf(":%d:%d", l.Line, l.Column)
	}
	s := secretIndex[f.Secret] + " " + f.Rule + " " + where
	if o := l.Origin; o != nil {
		s += fmt.Sprintf(" -> %s:%d:%d", o.Path, o.Line, o.Column)
	}
	if l.Exposure != "" {
		s += " [" + l.Exposure
		if l.Variable != "" {
			s += " " + l.Variable
		}
		s += "]"
	}
	return s
}

// places lists every location of the findings of the secrets that names names, and URLs
// starting with a key of bases rewritten to start with its value. Other findings (the
// generic rules' guesses in framework code) are left out: the tests are about the keys
// they planted.
func places(res *scanner.Result, names, bases map[string]string) []string {
	var out []string
	for _, f := range res.Findings {
		if _, ok := names[f.Secret]; !ok {
			continue
		}
		for _, l := range f.Locations {
			out = append(out, place(names, f, l, bases))
			if l.Exposure != "" && (l.Context == "" || strings.Contains(l.Context, f.Secret) || len(l.Context) > 200) {
				out = append(out, "BAD CONTEXT "+strings.ReplaceAll(l.Context, f.Secret, "KEY"))
			}
		}
	}
	sort.Strings(out)
	return out
}

func problems(res *scanner.Result) []string {
	var out []string
	for _, p := range res.Problems {
		out = append(out, p.Where+": "+p.Err.Error())
	}
	sort.Strings(out)
	return out
}
