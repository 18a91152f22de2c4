package rules

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
)

// BenchmarkFind measures the matcher with the built-in rules on text shaped like what it
// scans: source files full of identifiers such as token, key, secret and auth (the generic
// rule's keywords) and minified bundles (megabyte-long lines). Besides MB/s it reports
// MB/cpu-s, the rate per second of CPU time of the benchmark's thread, which other work on
// a shared machine does not skew. Run it alone:
//
//	go test ./rules/ -run '^$' -bench BenchmarkFind -benchtime 20x -count 1
func BenchmarkFind(b *testing.B) {
	set := builtinSet(b)
	cases := benchCorpora(4 << 20)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { benchFind(b, c.data, func() int { return len(set.Find(c.data, "src/app.js")) }) })
	}
	// The same without the decoding stage (the text matched as written alone): the
	// difference is what decoding costs on each kind of text.
	for _, c := range cases {
		b.Run(c.name+"/plain", func(b *testing.B) {
			benchFind(b, c.data, func() int { return len(set.findAll(c.data, "src/app.js", true, false)) })
		})
	}
}

// benchCorpus is a text the benchmarks match, by the name they report it under.
type benchCorpus struct {
	name string
	data []byte
}

// benchCorpora returns the benchmarks' corpora, each about n bytes.
func benchCorpora(n int) []benchCorpus {
	return []benchCorpus{
		{"source", sourceLike(n)},
		{"minified", minifiedLike(n, n/4)},
		{"base64", base64Heavy(n)},
		{"prose", proseLike(n)},
	}
}

// benchFind runs find b.N times over data and reports MB/s, MB/cpu-s and its findings.
func benchFind(b *testing.B, data []byte, find func() int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu, unlock := threadCPU()
	defer unlock()
	n := 0
	b.ResetTimer()
	t0 := cpu()
	for i := 0; i < b.N; i++ {
		n = find()
	}
	if used := cpu() - t0; used > 0 {
		b.ReportMetric(float64(len(data))*float64(b.N)/1e6/used.Seconds(), "MB/cpu-s")
	}
	b.ReportMetric(float64(n), "findings")
}

// TestBenchmarkCorpora checks that the benchmark text finds exactly the keys planted in it,
// so that the benchmark measures the real path (keyword hits, regexes, checks) and not an
// early exit.
func TestBenchmarkCorpora(t *testing.T) {
	set := builtinSet(t)
	for _, c := range benchCorpora(1 << 20) {
		ms := set.Find(c.data, "src/app.js")
		planted := strings.Count(string(c.data), "planted")
		if len(ms) != planted {
			t.Errorf("%s: %d findings, want the %d planted keys:%s", c.name, len(ms), planted, describe(ms))
		}
	}
}

var (
	benchNames = []string{"user", "session", "client", "request", "config", "cache", "store", "item", "order", "account", "ctx", "res", "req", "opts", "payload", "handler"}
	benchWords = []string{"token", "key", "secret", "auth", "password", "apiKey", "accessToken", "refreshToken", "authHeader", "secretName", "tokenURL", "keyID", "credentials", "passwordHash", "authorization"}
)

// sourceLike returns about n bytes of Go-, JavaScript- and Python-like code, in which the
// generic rule's keywords occur on most lines the way they do in real code (names, calls,
// references, hashes), with a planted key every 512 KiB.
func sourceLike(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	g := NewGenerator(3)
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	hex := func(k int) string { return g.Chars(setHex, k) }
	lines := []func() string{
		func() string {
			return fmt.Sprintf("func (c *%s) refresh%s(ctx context.Context, key string) (*Token, error) {", title(pick(benchNames)), title(pick(benchWords)))
		},
		func() string {
			return fmt.Sprintf("\t%s, err := c.store.Get(ctx, \"%s:\"+key)", pick(benchWords), pick(benchNames))
		},
		func() string { return "\tif err != nil {" },
		func() string {
			return fmt.Sprintf("\t\treturn nil, fmt.Errorf(\"reading %s %%s: %%w\", key, err)", pick(benchWords))
		},
		func() string { return "\t}" },
		func() string {
			return fmt.Sprintf("\treq.Header.Set(\"Authorization\", \"Bearer \"+%s.%s)", pick(benchNames), title(pick(benchWords)))
		},
		func() string {
			return fmt.Sprintf("\t%s := os.Getenv(\"%s\")", pick(benchWords), strings.ToUpper(pick(benchNames))+"_TOKEN")
		},
		func() string {
			return fmt.Sprintf("const %s = await get%s(%s.id);", pick(benchWords), title(pick(benchWords)), pick(benchNames))
		},
		func() string {
			return fmt.Sprintf("export function %sMiddleware(req, res, next) { const auth = req.headers.authorization; if (!auth) return next(); }", pick(benchNames))
		},
		func() string {
			return fmt.Sprintf("this.apiKey = options.apiKey || process.env.%s_API_KEY;", strings.ToUpper(pick(benchNames)))
		},
		func() string {
			return fmt.Sprintf("def get_%s(name: str) -> str:\n    %s = request.headers.get(\"X-Auth-Token\")", pick(benchWords), pick(benchNames))
		},
		func() string {
			return fmt.Sprintf("    password = config[\"%s\"][\"password\"]  # never log the secret", pick(benchNames))
		},
		func() string {
			return fmt.Sprintf("    self.api_key = os.environ.get(\"%s_KEY\")", strings.ToUpper(pick(benchNames)))
		},
		func() string { return fmt.Sprintf("    commit = \"%s\"  # token rotation landed here", hex(40)) },
		func() string { return fmt.Sprintf("  \"integrity\": \"sha512-%s==\",", g.Chars(setB64, 86)) },
		func() string {
			return fmt.Sprintf("  %q: %q,", pick(benchWords)+"_id", hex(8)+"-"+hex(4)+"-"+hex(4)+"-"+hex(4)+"-"+hex(12))
		},
		func() string {
			return "\tfor i := 0; i < len(items); i++ {\n\t\ttotal += items[i].Price * items[i].Qty\n\t}"
		},
		func() string {
			return "// The cache keeps one entry per key; entries expire after the token's lifetime."
		},
		func() string {
			return fmt.Sprintf("\treturn &%s{Name: name, Size: %d, Mode: 0o644}, nil", title(pick(benchNames)), r.IntN(1<<16))
		},
	}
	var b strings.Builder
	next := 512 << 10
	for b.Len() < n {
		b.WriteString(lines[r.IntN(len(lines))]())
		b.WriteByte('\n')
		if b.Len() >= next {
			next += 512 << 10
			b.WriteString("GITHUB_TOKEN = \"" + g.GitHubToken("ghp_") + "\" # planted\n")
		}
	}
	return []byte(b.String())
}

// minifiedLike returns about n bytes of minified JavaScript in lines of lineLen bytes,
// with a planted key in each line.
func minifiedLike(n, lineLen int) []byte {
	r := rand.New(rand.NewPCG(4, 5))
	g := NewGenerator(6)
	id := func() string { return string(rune('a'+r.IntN(26))) + string(rune('a'+r.IntN(26))) }
	frags := []func() string{
		func() string {
			return "function " + id() + "(e,t){var n=e.token||t.auth;return n&&n.secret?n.key:null}"
		},
		func() string { return "var " + id() + "=" + id() + ".headers.authorization;" },
		func() string { return id() + ".apiKey=" + id() + ".config.apiKey," },
		func() string { return "if(!" + id() + ".accessToken)throw new Error(\"missing token\");" },
		func() string { return "return " + id() + "(" + id() + ",\"" + g.Chars(setAlnum, 12) + "\")};" },
		func() string { return "for(var i=0;i<e.length;i++)t[e[i].key]=e[i].value;" },
		func() string {
			return "e.exports={name:\"" + id() + "\",version:\"4.17." + fmt.Sprint(r.IntN(30)) + "\"};"
		},
		func() string { return "url:\"https://cdn.example.com/assets/" + g.Chars(setHex, 8) + ".js\"," },
		func() string { return "sprite:\"data:image/png;base64," + g.Chars(setB64, 200) + "\"," },
	}
	var b strings.Builder
	for b.Len() < n {
		lineStart := b.Len()
		for b.Len()-lineStart < lineLen {
			b.WriteString(frags[r.IntN(len(frags))]())
		}
		b.WriteString("var planted={k:\"" + g.OpenAIKey("sk-proj-", 74) + "\"};\n")
	}
	return []byte(b.String())
}

// proseLike returns about n bytes of documentation: sentences about tokens, secrets and
// passwords, without quotes, escapes or long runs of letters and digits (the text the
// decoding stage has nothing to do on), with a planted key every 512 KiB.
func proseLike(n int) []byte {
	r := rand.New(rand.NewPCG(10, 11))
	g := NewGenerator(12)
	words := []string{"the", "token", "is", "sent", "with", "each", "request", "and", "a", "secret", "never", "leaves",
		"server", "rotate", "password", "when", "someone", "leaves", "team", "see", "auth", "section", "below", "for",
		"details", "keys", "are", "stored", "in", "vault", "api", "credentials", "expire", "after", "days", "of", "use"}
	var b strings.Builder
	next := 512 << 10
	for b.Len() < n {
		for range 8 + r.IntN(12) {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteByte(' ')
		}
		b.WriteString(".\n")
		if b.Len() >= next {
			next += 512 << 10
			b.WriteString("The key we used in testing is " + g.OpenAIKey("sk-proj-", 74) + " and it is planted.\n")
		}
	}
	return []byte(b.String())
}

// base64Heavy returns about n bytes of what fills repositories with base64: images inlined
// in CSS, lockfile integrity fields, Kubernetes manifests whose data is the base64 of
// ordinary settings, and long certificate-like bundles, with a planted key every 256 KiB,
// base64-encoded in a Secret manifest, so that the decoding stage is measured finding it.
func base64Heavy(n int) []byte {
	r := rand.New(rand.NewPCG(7, 8))
	g := NewGenerator(9)
	bin := func(k int) string { return g.Chars(setAlnum+"\x00\x01\x7f\x80\xfe\xff", k) }
	frags := []func() string{
		func() string {
			return ".icon-" + g.Chars("abcdefghijklmnopqrstuvwxyz", 6) + `{background:url("data:image/png;base64,` + b64("\x89PNG\r\n\x1a\n"+bin(900)) + `")}` + "\n"
		},
		func() string {
			return `    "node_modules/` + g.Chars("abcdefghijklmnopqrstuvwxyz", 8) + `": {"version": "1.` + fmt.Sprint(r.IntN(20)) + `.0", "integrity": "sha512-` + b64(bin(64)) + `"},` + "\n"
		},
		func() string {
			return "  app.properties: " + b64("server.port=8080\nlog.level=info\nfeature."+g.Chars("abcdefghij", 6)+"=true\n") + "\n"
		},
		func() string { return "  ca.crt: " + b64(bin(1200)) + "\n" },
	}
	var b strings.Builder
	next := 256 << 10
	for b.Len() < n {
		b.WriteString(frags[r.IntN(len(frags))]())
		if b.Len() >= next {
			next += 256 << 10
			b.WriteString("  GITHUB_TOKEN: " + b64(g.GitHubToken("ghp_")) + " # planted\n")
		}
	}
	return []byte(b.String())
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// BenchmarkKeywords measures the keyword pass alone over minified JavaScript with the
// built-in rules' keywords: the dense table the matcher walks, and the library's trie over
// a lowered copy, which takes its place for sets too large for the table.
//
//	go test ./rules/ -run '^$' -bench BenchmarkKeywords -count 1
func BenchmarkKeywords(b *testing.B) {
	set := builtinSet(b)
	data := minifiedLike(4<<20, 1<<20)
	hits := 0
	b.Run("dense", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			hits = 0
			set.kw.walk(data, func(int, int32) { hits++ })
		}
		b.ReportMetric(float64(hits), "hits")
	})
	trie := ahocorasick.NewTrieBuilder().AddStrings(set.keywords).Build()
	b.Run("trie", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			hits = 0
			lower := set.lower(data)
			trie.Walk(*lower, func(_, _, _ int64) bool { hits++; return true })
			set.lowers.Put(lower)
		}
		b.ReportMetric(float64(hits), "hits")
	})
	b.Logf("%d keywords, %d states, %d classes", len(set.keywords), len(set.kw.ends), set.kw.classes)
}

// BenchmarkDerive measures the decoding stage's scans alone (the joins and the encoded
// runs found, before anything derived is matched) on the corpora of BenchmarkFind: on text
// without encoded runs or literals to join it is what decoding costs the matcher.
//
//	go test ./rules/ -run '^$' -bench BenchmarkDerive -count 1
func BenchmarkDerive(b *testing.B) {
	cases := benchCorpora(4 << 20)
	for _, c := range cases {
		for _, stage := range []struct {
			name string
			scan func(text []byte, lo, hi int, b *budget, edits []edit) []edit
		}{{"joins", findJoins}, {"encoded", findEncoded}} {
			b.Run(c.name+"/"+stage.name, func(b *testing.B) {
				b.SetBytes(int64(len(c.data)))
				n := 0
				for i := 0; i < b.N; i++ {
					var bud budget
					n = len(stage.scan(c.data, 0, len(c.data), &bud, nil))
				}
				b.ReportMetric(float64(n), "edits")
			})
		}
	}
}
