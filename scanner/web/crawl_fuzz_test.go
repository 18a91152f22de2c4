package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/report"
	"github.com/leakstop/leakstop/scanner/web"
)

// fuzzSite serves the fuzzer's current bodies: the page at /, and at every other path a
// script (.js and paths without an extension) or a source map (.map). One server serves a
// whole fuzzing run; each input swaps the bodies.
type fuzzSite struct {
	mu             sync.Mutex
	page, js, smap []byte
	srv            *httptest.Server
	compiled       *rules.Set
	compileOnce    sync.Once
	compileErr     error
}

func (s *fuzzSite) set(page, js, smap []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.page, s.js, s.smap = page, js, smap
}

// body is what the site serves at p, and its content type.
func (s *fuzzSite) body(p string) ([]byte, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ext := path.Ext(p); {
	case p == "/":
		return s.page, "text/html; charset=utf-8", true
	case ext == ".map":
		return s.smap, "application/json", true
	case ext == ".js" || ext == "":
		return s.js, "text/javascript", true
	}
	return nil, "", false
}

func (s *fuzzSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, ct, ok := s.body(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(data)
}

func (s *fuzzSite) rules(t testing.TB) *rules.Set {
	s.compileOnce.Do(func() { s.compiled, s.compileErr = rules.Compile(nil) })
	if s.compileErr != nil {
		t.Fatal(s.compileErr)
	}
	return s.compiled
}

// FuzzCrawl crawls a loopback site whose page, scripts and source maps are the fuzzer's: it
// must end in bounded time, read the page, place every finding at a URL of the site (a line
// the body has, a column inside it) or at a map's origin, and write a redacted report that
// holds none of the secrets found.
func FuzzCrawl(f *testing.F) {
	g := rules.NewGenerator(6)
	key := g.OpenAIKey("sk-proj-", 74)
	m := `{"version":3,"sources":["../src/config.js"],"sourcesContent":["export const key = \"` + key + `\";\n"],"mappings":"AAAA,QAAmB"}`
	f.Add([]byte(`<html><script src="/app.js"></script><script>var k="`+key+`"</script><a href="/about">a</a></html>`),
		[]byte(`const k="`+key+`";import("./chunk.js");`+"\n//# sourceMappingURL=app.js.map\n"), []byte(m))
	f.Add([]byte(`<script src="data:text/javascript;base64,`+base64.StdEncoding.EncodeToString([]byte(`var k="`+key+`"`))+`"></script>`), []byte(nil), []byte(nil))
	f.Add([]byte(`<script>!function(e){var o={};o.p="/",o.u=function(e){return"static/js/"+e+"."+{12:"ab12cd"}[e]+".chunk.js"}}([])</script><script src="/main.js"></script>`),
		[]byte(`o.e(12).then(o.bind(o,500));var cfg={VITE_KEY:"`+key+`"};`), []byte(`{"version":3,"sections":[]}`))
	f.Add([]byte(`<script id="__NEXT_DATA__" type="application/json">{"buildId":"b1","assetPrefix":""}</script>`), []byte(`self.__BUILD_MANIFEST={"/":["static/chunks/pages/index.js"]};`), []byte(`{"version":3,"sources":["a.js"],"mappings":"AAAA;AC!A"}`))
	f.Add([]byte(`<base href="/sub/"><link rel="modulepreload" href="x.js"><iframe src="/f"></iframe>`), []byte(`//# sourceMappingURL=data:application/json,{"version":3}`), []byte(`not json`))
	site := &fuzzSite{}
	site.srv = httptest.NewServer(site)
	f.Cleanup(site.srv.Close)
	f.Fuzz(func(t *testing.T, page, js, smap []byte) {
		if len(page) > 256<<10 || len(js) > 256<<10 || len(smap) > 256<<10 {
			return
		}
		site.set(page, js, smap)
		set := site.rules(t)
		eng, err := scanner.New(scanner.Options{Rules: set, Jobs: 1, Logger: zerolog.Nop()})
		if err != nil {
			t.Fatal(err)
		}
		src := &web.Source{
			URLs: []string{site.srv.URL + "/"}, AllowPrivate: true, UserAgent: "leakstop-fuzz",
			MaxPages: 20, MaxBytes: 4 << 20, MaxResponse: 1 << 20, Timeout: 5 * time.Second, Concurrency: 2,
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		res, err := eng.Run(ctx, src)
		if took := time.Since(start); took > 30*time.Second {
			t.Fatalf("the crawl took %s", took)
		}
		if err != nil {
			// The page is always served: something is always read.
			if errors.Is(err, web.ErrNothingRead) {
				t.Fatal("the crawl read nothing, and the page is served")
			}
			t.Fatalf("the crawl failed: %v", err)
		}
		for _, fd := range res.Findings {
			for _, l := range fd.Locations {
				u, err := url.Parse(l.URL)
				if err != nil || !strings.HasPrefix(l.URL, site.srv.URL+"/") {
					t.Fatalf("a finding at %q, not a URL of the site", l.URL)
				}
				if l.Line == 0 {
					if l.Origin == nil || l.Origin.Line < 1 {
						t.Fatalf("a finding at %s with no line and no origin line: %+v", l.URL, l)
					}
					continue
				}
				body, _, _ := site.body(u.Path)
				if u.Fragment != "" {
					// A data: script of the page: its text is not the page's.
					continue
				}
				lines := bytes.Split(body, []byte("\n"))
				if l.Line > len(lines) {
					t.Fatalf("a finding at %s:%d, and the body has %d lines", l.URL, l.Line, len(lines))
				}
				if n := utf8.RuneCount(lines[l.Line-1]); l.Column < 1 || l.Column > n+1 {
					t.Fatalf("a finding at %s:%d:%d, and the line has %d characters", l.URL, l.Line, l.Column, n)
				}
			}
		}
		var out bytes.Buffer
		if err := report.Write(&out, "json", res, report.Options{Rules: set, ToolVersion: "test"}); err != nil {
			t.Fatal(err)
		}
		for _, fd := range res.Findings {
			if len(fd.Secret) >= 12 && bytes.Contains(out.Bytes(), []byte(fd.Secret)) {
				t.Fatalf("the redacted report holds the secret of %s:\n%s", fd.Rule, out.String())
			}
		}
	})
}
