package rules

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// derivedCase is a text in which a secret hides (encoded or split): want is the rule that
// must find it, encoding the chain it reports, and at the text the finding starts at (its
// first occurrence in text).
type derivedCase struct {
	name, text, rule, encoding, at string
}

func b64(s string) string    { return base64.StdEncoding.EncodeToString([]byte(s)) }
func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func derivedCases(g *Generator) []derivedCase {
	gh := g.GitHubToken("ghp_")
	aws := "AKIA" + g.Chars(setBase32, 16)
	awsSecret := g.Chars(setB64, 40)
	slack := "https://hooks.slack.com/services/T" + g.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8) + "/B" + g.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8) + "/" + g.Chars(setAlnum, 24)
	oai := g.OpenAIKey("sk-proj-", 74)
	generic := g.Chars(setAlnum, 28) + "9"
	esc := func(s string) string { return strings.ReplaceAll(s, "/", `\/`) }
	uesc := func(s string) string { return strings.ReplaceAll(s, "_", `\u005f`) }
	docker := `{"auths":{"ghcr.io":{"auth":"` + b64("octocat:"+gh) + `"}}}`
	return []derivedCase{
		{"k8s secret data", "apiVersion: v1\nkind: Secret\ndata:\n  GITHUB_TOKEN: " + b64(gh) + "\n", "github-pat", "base64", b64(gh)},
		{"basic auth header", `curl -H "Authorization: Basic ` + b64("x-access-token:"+gh) + `" https://api.github.com`, "github-pat", "base64", b64("x-access-token:" + gh)[20:40]}, // 15 bytes in: 20 characters
		{"dockerconfigjson", "data:\n  .dockerconfigjson: " + b64(docker) + "\n", "github-pat", "base64+base64", ""},
		{"base64url", "TOKEN_B64=" + b64url(gh) + "\n", "github-pat", "base64", b64url(gh)},
		{"aws pair in base64", "data:\n  AWS_ACCESS_KEY_ID: " + b64(aws) + "\n  AWS_SECRET_ACCESS_KEY: " + b64(awsSecret) + "\n", "aws-access-key-id", "base64", b64(aws)},
		{"percent-encoded", "GET /hook?url=" + url.QueryEscape(slack) + "&x=1", "slack-webhook-url", "url", ""},
		{"json escapes", `{"webhook":"` + esc(slack) + `"}`, "slack-webhook-url", "escape", ""},
		{"unicode escapes", `const t = "` + uesc(gh) + `";`, "github-pat", "escape", "ghp"},
		{"js concatenation", `const key = "` + oai[:12] + `" + "` + oai[12:] + `";`, "openai-project-key", "concat", oai[:12]},
		{"go concatenation across lines", "const key = \"" + oai[:20] + "\" +\n\t\"" + oai[20:] + "\"\n", "openai-project-key", "concat", oai[:20]},
		{"leading plus", "String key = \"" + oai[:20] + "\"\n    + \"" + oai[20:] + "\";\n", "openai-project-key", "concat", oai[:20]},
		{"python implicit", `KEY = ("` + oai[:30] + `"` + "\n       \"" + oai[30:] + `")`, "openai-project-key", "concat", oai[:30]},
		{"python same line", `KEY = "` + oai[:30] + `" "` + oai[30:] + `"`, "openai-project-key", "concat", oai[:30]},
		{"php dot", `$key = '` + oai[:10] + `' . '` + oai[10:] + `';`, "openai-project-key", "concat", oai[:10]},
		{"array join", `const k = ["` + oai[:10] + `", "` + oai[10:40] + `", "` + oai[40:] + `"].join("");`, "openai-project-key", "concat", oai[:10]},
		{"python join", `k = "".join(["` + oai[:10] + `", "` + oai[10:] + `"])`, "openai-project-key", "concat", oai[:10]},
		{"rust concat", `const K: &str = concat!("` + oai[:10] + `", "` + oai[10:] + `");`, "openai-project-key", "concat", oai[:10]},
		{"shell pieces", `A="` + oai[:15] + `"; B="${A}` + oai[15:] + `"`, "openai-project-key", "shell", oai[:15]},
		{"shell lines", "P1=" + oai[:15] + "\nP2=" + oai[15:40] + "\nexport OPENAI_API_KEY=\"${P1}${P2}" + oai[40:] + "\"\n", "openai-project-key", "shell", oai[:15]},
		{"split base64", `const b = "` + b64(gh)[:20] + `" + "` + b64(gh)[20:] + `";`, "github-pat", "concat+base64", b64(gh)[:20]},
		{"generic in base64", "data:\n  config.json: " + b64(`{"api_key": "`+generic+`"}`) + "\n", "generic-api-key", "base64", ""},
	}
}

func TestDerivedFindings(t *testing.T) {
	set := builtinSet(t)
	for _, seed := range exampleSeeds {
		for _, c := range derivedCases(NewGenerator(seed)) {
			ms := set.Find([]byte(c.text), "")
			if len(ms) != 1 || ms[0].Rule.ID != c.rule || ms[0].Encoding != c.encoding {
				t.Errorf("seed %d, %s: want one %s finding (%s), got:%s\n\ttext: %q", seed, c.name, c.rule, c.encoding, describe(ms), c.text)
				continue
			}
			m := ms[0]
			if c.at != "" && m.Start != strings.Index(c.text, c.at) {
				t.Errorf("seed %d, %s: finding at %d, want %d (%q)", seed, c.name, m.Start, strings.Index(c.text, c.at), c.at)
			}
			if m.Confidence != matchConfidence(m.Rule, m.Encoding) || m.Confidence > ConfidenceMedium {
				t.Errorf("seed %d, %s: confidence %s", seed, c.name, m.Confidence)
			}
		}
	}
}

// TestDerivedDecoys: encoded and joined text that holds no secret gives no finding.
func TestDerivedDecoys(t *testing.T) {
	set := builtinSet(t)
	for _, seed := range exampleSeeds {
		g := NewGenerator(seed)
		png := "\x89PNG\r\n\x1a\n" + g.Chars(setAlnum+"\x00\x01\xff\xfe", 300)
		cases := map[string]string{
			"image data URL":    `<img src="data:image/png;base64,` + b64(png) + `">`,
			"integrity":         `"integrity": "sha512-` + b64(g.Chars("\x00\x10\x80\xff"+setAlnum, 64)) + `",`,
			"random base64":     "blob: " + b64(g.Chars("\x00\x01\x02\x90\xa0\xff"+setAlnum, 120)),
			"prose in base64":   "note: " + b64("this is only a sentence about tokens and secrets"),
			"config in base64":  "config.json: " + b64(`{"name":"app","version":"1.2.3","token_url":"https://auth.example.com/token"}`),
			"weak k8s password": "data:\n  password: " + b64("changeme-please-123") + "\n",
			"aws sample":        "data:\n  id: " + b64("AKIA"+"IOSFODNN7EXAMPLE") + "\n",
			"percent URL":       "redirect_uri=https%3A%2F%2Fexample.com%2Foauth%2Fcallback%3Fstate%3Dabc",
			"minified escapes":  `var s="caf\u00e9 \u002f men\u00fa",t="a\/b\/c";function f(e){return"/api/"+"v1/"+e}`,
			"string building":   `msg := "Hello, " + name + "!" + "\n"` + "\nlog.Println(\"token \" +\n\t\"refreshed\")\n",
			"placeholder split": `key := "sk-proj-" + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"`,
			"hex joined":        `id = "` + g.Chars(setHex, 20) + `" "` + g.Chars(setHex, 20) + `"`,
			"docstring":         "def f():\n    \"\"\"Return the token for the user.\"\"\"\n    return \"tok\" \"en\"\n",
			"shell path":        "PREFIX=/usr/local\nBIN=\"${PREFIX}/bin\"\nexport PATH=\"$BIN:$PATH\"\n",
			"identifiers":       "getElementsByClassName querySelectorAll addEventListenerOptions",
			"jwt header":        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 is a header",
		}
		for name, text := range cases {
			if ms := set.Find([]byte(text), ""); len(ms) != 0 {
				t.Errorf("seed %d, %s: unwanted findings:%s\n\ttext: %q", seed, name, describe(ms), text)
			}
		}
	}
}

// TestDeriveBounded: a file full of base64 (images, archives) costs a bounded number of
// decodings, and runs that cannot be text are turned down.
func TestDeriveBounded(t *testing.T) {
	g := NewGenerator(9)
	var b strings.Builder
	for b.Len() < 8<<20 {
		b.WriteString(`url("data:image/png;base64,` + b64("\x89PNG"+g.Chars(setAlnum+"\x00\xff", 600)) + `");` + "\n")
		b.WriteString(`"integrity": "sha512-` + b64(g.Chars("\x00\xff"+setAlnum, 64)) + `",` + "\n")
		b.WriteString(`k = "` + b64(g.Chars(setAlnum, 30)) + `"` + "\n") // text: decoded
	}
	var bud budget
	dv := derive([]byte(b.String()), nil, &bud)
	if bud.runs > maxRuns || bud.bytes > maxDerivedBytes {
		t.Errorf("budget overspent: %+v", bud)
	}
	if dv == nil || len(dv.text) > 4*maxDerivedBytes {
		t.Errorf("derived text: %v bytes", dv != nil)
	}
}

// encodedByWords is findEncoded read plainly: every word, one after the other.
func encodedByWords(text []byte, lo, hi int, b *budget) []edit {
	var edits []edit
	for i := lo; i < hi; {
		if scanClass[text[i]]&sDelim != 0 {
			i++
			continue
		}
		edits, i = encodedWord(text, i, hi, b, edits)
	}
	return edits
}

// FuzzEncodedScan checks that findEncoded, which looks at one byte in minBase64 to find the
// words worth reading, finds the edits of reading every word.
func FuzzEncodedScan(f *testing.F) {
	f.Add([]byte("token: c2VjcmV0LXBhc3N3b3JkLTEyMw== url=%2Fa%2Fb x\\u0041y data:image/png;base64,QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"))
	f.Add(sourceLike(1 << 12))
	f.Add(base64Heavy(1 << 12))
	f.Add([]byte("aaaaaaaaaaaaaaa%41 bbbbbbbbbbbbbbbbb\\x41QUJDREVGR0hJSktMTU5PUFFS=\"QUJDREVGR0hJSktMTU5PUFFS"))
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, lo := range []int{0, len(text) / 3} {
			var b1, b2 budget
			got := findEncoded(text, lo, len(text), &b1, nil)
			want := encodedByWords(text, lo, len(text), &b2)
			if len(got) != len(want) {
				t.Fatalf("from %d: %d edits, reading every word %d", lo, len(got), len(want))
			}
			for i := range got {
				if got[i].o0 != want[i].o0 || got[i].o1 != want[i].o1 || string(got[i].out) != string(want[i].out) || got[i].enc != want[i].enc {
					t.Fatalf("from %d: edit %d is [%d,%d) %q, reading every word [%d,%d) %q", lo, i, got[i].o0, got[i].o1, got[i].out, want[i].o0, want[i].o1, want[i].out)
				}
			}
		}
	})
}

// TestJoinAtTextEnd: a text that ends where a join's separator should start, or whose
// separator is not a literal, is no join and no crash (a file ending in "].join(" once
// read past its end).
func TestJoinAtTextEnd(t *testing.T) {
	set := builtinSet(t)
	for _, text := range []string{
		`k = ["a", "b"].join(`,
		`k = ["a", "b"].join(  `,
		`k = ["a", "b"].join(sep)`,
		`k = "".join(`,
		`k = concat!(`,
		`k = ["sk-proj-", "x"].join(x) + "x"`,
	} {
		var b budget
		if edits := findJoins([]byte(text), 0, len(text), &b, nil); len(edits) != 0 {
			t.Errorf("%q: joined %q", text, edits[0].out)
		}
		set.Find([]byte(text), "")
	}
}
