package rules

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// found is what a test compares of a match.
type found struct {
	Rule         string
	Secret       string
	Line, Column int
}

// position returns the 1-based line and character column of offset in data, counted
// afresh: the oracle for the line and column the matcher gives.
func position(data []byte, offset int) (line, column int) {
	line = bytes.Count(data[:offset], []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(data[:offset], '\n') + 1
	return line, utf8.RuneCount(data[lineStart:offset]) + 1
}

func foundOf(ms []Match) []found {
	var out []found
	for _, m := range ms {
		out = append(out, found{m.Rule.ID, m.Secret, m.Line, m.Column})
	}
	return out
}

func ruleIDs(ms []Match) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.Rule.ID)
	}
	return ids
}

// findCase is a text found in at path, and the matches wanted of it.
type findCase struct {
	name, text, path string
	want             []found
}

// testFind runs set.Find over the cases.
func testFind(t *testing.T, set *Set, cases []findCase) {
	t.Helper()
	for _, c := range cases {
		if diff := cmp.Diff(c.want, foundOf(set.Find([]byte(c.text), c.path))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}

// TestFindLongMinifiedLine puts keys at known offsets of a 2 MB single line, after
// multi-byte characters, and checks that line and column (in characters) are right.
func TestFindLongMinifiedLine(t *testing.T) {
	set := builtinSet(t)
	g := NewGenerator(21)
	key1 := g.OpenAIKey("sk-proj-", 74)
	key2 := g.GitHubToken("ghp_")
	var b strings.Builder
	b.WriteString("!function(){var s=\"")    // 19 bytes
	b.WriteString(strings.Repeat("é", 1000)) // 2000 bytes, 1000 characters
	b.WriteString("\";")
	for b.Len() < 1<<20 {
		b.WriteString("var a=function(t,e){return t.token+e.key};")
	}
	off1 := b.Len()
	b.WriteString("var k={apiKey:\"" + key1 + "\"};")
	for b.Len() < 2<<20 {
		b.WriteString("n.auth=r(o[i],\"secret\");")
	}
	off2 := b.Len()
	b.WriteString("fetch(u,{headers:{Authorization:\"token " + key2 + "\"}});}();")
	data := []byte(b.String())
	if strings.Contains(string(data), "\n") {
		t.Fatal("the bundle must be one line")
	}
	col := func(byteOff int) int { return utf8.RuneCount(data[:byteOff]) + 1 }
	start1 := off1 + len("var k={apiKey:\"")
	start2 := off2 + len("fetch(u,{headers:{Authorization:\"token ")
	want := []found{
		{"openai-project-key", key1, 1, col(start1)},
		{"github-pat", key2, 1, col(start2)},
	}
	got := set.Find(data, "dist/app.min.js")
	if diff := cmp.Diff(want, foundOf(got)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	if got[0].Start != start1 || got[1].Start != start2 {
		t.Errorf("offsets %d, %d; want %d, %d", got[0].Start, got[1].Start, start1, start2)
	}
	if col(start1) != start1-1000+1 {
		t.Errorf("the column must count characters, not bytes")
	}
	if l, c := position(data, start2); l != 1 || c != col(start2) {
		t.Errorf("position = %d:%d, want 1:%d", l, c, col(start2))
	}
	if s := TrimmedLine(data, got[0].Start, got[0].End, 200); !strings.Contains(s, key1) || len(s) > 250 {
		t.Errorf("TrimmedLine gives %d bytes", len(s))
	}
}

// TestFindCRLF checks positions and secrets in a file with CRLF line ends: no secret ends
// in a carriage return, and the column counts from the line's start.
func TestFindCRLF(t *testing.T) {
	set := builtinSet(t)
	g := NewGenerator(22)
	gh := g.GitHubToken("ghp_")
	pw := g.Chars(setAlnum, 20) + "7"
	slack := "xoxb-" + g.Chars("0123456789", 12) + "-" + g.Chars("0123456789", 13) + "-" + g.Chars(setAlnum, 24)
	text := "# settings\r\n" +
		"GITHUB_TOKEN=" + gh + "\r\n" +
		"DB_PASSWORD=" + pw + "\r\n" +
		"  slack: '" + slack + "'\r\n"
	want := []found{
		{"github-pat", gh, 2, 14},
		{"generic-api-key", pw, 3, 13},
		{"slack-bot-token", slack, 4, 11},
	}
	if diff := cmp.Diff(want, foundOf(set.Find([]byte(text), ".env"))); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	// The same with LF only gives the same findings.
	lf := strings.ReplaceAll(text, "\r\n", "\n")
	if diff := cmp.Diff(want, foundOf(set.Find([]byte(lf), ".env"))); diff != "" {
		t.Errorf("LF findings (-want +got):\n%s", diff)
	}
}

func TestFindInlineAllow(t *testing.T) {
	set := builtinSet(t)
	g := NewGenerator(23)
	key := g.OpenAIKey("sk-proj-", 74)
	tests := []struct {
		name string
		text string
		want int
	}{
		{"leakstop marker", `key = "` + key + `" // leakstop:allow`, 0},
		{"gitleaks marker", `key = "` + key + `"  # gitleaks:allow`, 0},
		{"marker on CRLF line", "a = 1\r\nkey = \"" + key + "\" # leakstop:allow\r\nb = 2\r\n", 0},
		{"marker on another line", "# leakstop:allow\nkey = \"" + key + "\"\n", 1},
		{"no marker", `key = "` + key + `"`, 1},
		{"marker on the BEGIN line of a private key", strings.Replace(g.PrivateKey("RSA", 300), "-----\n", "----- leakstop:allow\n", 1), 0},
	}
	for _, tt := range tests {
		if got := len(set.Find([]byte(tt.text), "")); got != tt.want {
			t.Errorf("%s: %d findings, want %d", tt.name, got, tt.want)
		}
	}
}

// TestFindSpecificBeatsGeneric checks that a generic match overlapping a specific one (or
// the specific one's companion) gives way, while the generic rule alone would report it.
func TestFindSpecificBeatsGeneric(t *testing.T) {
	full := builtinSet(t)
	var genericRules []*Rule
	for _, r := range Builtin() {
		if r.ID == "generic-api-key" {
			genericRules = append(genericRules, r)
		}
	}
	genericOnly, err := NewSet(genericRules, Allowlist{})
	if err != nil {
		t.Fatal(err)
	}
	g := NewGenerator(24)
	discord := g.DiscordBotToken()
	awsID, awsSecret := "AKIA"+g.Chars(setBase32, 16), g.Chars(setB64, 40)
	cf := g.Chars(setAlnum, 38) + "Zz"
	tests := []struct {
		name string
		text string
		want []string // rule ids of the full set's findings
	}{
		{"discord token in a token variable", `DISCORD_BOT_TOKEN = "` + discord + `"`, []string{"discord-bot-token"}},
		{"aws secret beside its key id", "aws_access_key_id = " + awsID + "\naws_secret_access_key = " + awsSecret + "\n", []string{"aws-access-key-id"}},
		{"context rule of a provider over generic", `CLOUDFLARE_API_TOKEN="` + cf + `"`, []string{"cloudflare-api-token-unprefixed"}},
	}
	for _, tt := range tests {
		if len(genericOnly.Find([]byte(tt.text), "")) == 0 {
			t.Errorf("%s: the generic rule alone finds nothing, so the case tests nothing", tt.name)
		}
		if diff := cmp.Diff(tt.want, ruleIDs(full.Find([]byte(tt.text), ""))); diff != "" {
			t.Errorf("%s: rules (-want +got):\n%s", tt.name, diff)
		}
	}
	ms := full.Find([]byte(tests[1].text), "")
	if len(ms) == 1 && ms[0].Companion != awsSecret {
		t.Errorf("aws companion = %q, want the secret access key", ms[0].Companion)
	}
	// A value that starts with a specific rule's prefix belongs to that rule, even when the
	// specific rule turned it down (bad checksum): the generic rule does not report it.
	bad := "export GITHUB_TOKEN=ghp_" + g.Chars(setAlnum, 30) + "000000"
	if ms := full.Find([]byte(bad), ""); len(ms) != 0 {
		t.Errorf("a token with a wrong checksum is reported:%s", describe(ms))
	}
}

// TestFindWindowClipping checks that a window edge inside a token never yields a piece of
// it: the edge moves out to the token's end, and a token too long for that is dropped.
func TestFindWindowClipping(t *testing.T) {
	rule := &Rule{
		ID: "demo-token", Description: "demo", Keywords: []string{"demo_"},
		Regex:  regexp.MustCompile(`\b(demo_[A-Za-z0-9]+)`),
		Window: 16,
	}
	set, err := NewSet([]*Rule{rule}, Allowlist{})
	if err != nil {
		t.Fatal(err)
	}
	g := NewGenerator(25)
	short := "demo_" + g.Chars(setAlnum, 2000) // longer than the window, shorter than its reach
	long := "demo_" + g.Chars(setAlnum, 20000)
	if diff := cmp.Diff([]found{{"demo-token", short, 1, 6}}, foundOf(set.Find([]byte(`k = "`+short+`"`), ""))); diff != "" {
		t.Errorf("a token longer than the window (-want +got):\n%s", diff)
	}
	if ms := set.Find([]byte(`k = "`+long+`"`), ""); len(ms) != 0 {
		t.Errorf("a token longer than the window's reach gives %q…", ms[0].Secret[:20])
	}

	// The built-in OpenAI rules take the whole run after the prefix: a key inside a longer
	// base64 run is not a key, and is not reported in part.
	builtin := builtinSet(t)
	key := g.OpenAIKey("sk-proj-", 74)
	for _, text := range []string{
		"data:application/octet-stream;base64," + g.Chars(setAlnum, 3000) + key + g.Chars(setAlnum, 3000),
		"x=" + key + g.Chars(setAlnum, 3000),
		"x=" + key + "_" + g.Chars(setAlnum, 10),
	} {
		if ms := builtin.Find([]byte(text), ""); len(ms) != 0 {
			t.Errorf("a key inside a longer run is reported:%s", describe(ms))
		}
	}
}

// TestFindKeysInContext puts keys next to punctuation, quotes, JSON and inside URLs.
func TestFindKeysInContext(t *testing.T) {
	set := builtinSet(t)
	g := NewGenerator(26)
	keys := []struct {
		rule string
		key  string
	}{
		{"openai-project-key", g.OpenAIKey("sk-proj-", 74)},
		{"openai-legacy-key", g.OpenAIKey("sk-", 20)},
		{"github-pat", g.GitHubToken("ghp_")},
		{"anthropic-api-key", "sk-ant-api03-" + g.Chars(setB64URL, 93) + "AA"},
		{"google-api-key", "AIza" + g.Chars(setB64URL, 35)},
		{"npm-access-token", g.NPMToken()},
		{"gitlab-pat-routable", g.GitLabToken(32, true)},
		{"stripe-secret-key", "sk_live_" + g.Chars(setAlnum, 40)},
	}
	wrappers := []struct {
		name          string
		before, after string
	}{
		{"double quotes", `k = "`, `"`},
		{"single quotes", `k = '`, `'`},
		{"backquotes", "k = `", "`"},
		{"parentheses", "f(", ")"},
		{"brackets", "[", "]"},
		{"braces", "{", "}"},
		{"comma", "a,", ",b"},
		{"semicolon", "k=", ";"},
		{"end of sentence", "my key is ", ". Thanks"},
		{"JSON", `{"key":"`, `","n":1}`},
		{"escaped JSON", `"{\"key\":\"`, `\"}"`},
		{"YAML", "key: ", "\nnext: 1"},
		{"XML", "<key>", "</key>"},
		{"query string", "https://api.example.com/v1?key=", "&format=json"},
		{"URL path", "https://api.example.com/keys/", "/rotate"},
		{"URL user info", "https://x-access-token:", "@git.example.com/repo.git"},
		{"bearer header", "Authorization: Bearer ", "\r\n"},
		{"tab", "\t", "\t"},
	}
	for _, k := range keys {
		for _, w := range wrappers {
			text := w.before + k.key + w.after
			ms := set.Find([]byte(text), "")
			if len(ms) != 1 || ms[0].Rule.ID != k.rule || ms[0].Secret != k.key {
				t.Errorf("%s in %s: want %s, got:%s", k.rule, w.name, k.rule, describe(ms))
			}
		}
	}
	// Provider URLs that carry the key.
	bot := g.Chars("0123456789", 10) + ":AA" + g.Chars(setB64URL, 33)
	urls := []struct{ rule, text, secret string }{
		{"telegram-bot-token", "GET https://api.telegram.org/bot" + bot + "/sendMessage?chat_id=1", bot},
		{"google-api-key", `<img src="https://maps.googleapis.com/maps/api/staticmap?key=AIza` + "X" + g.Chars(setAlnum, 34) + `&size=1x1">`, ""},
		{"slack-webhook-url", "post to https://hooks.slack.com/services/T" + g.Chars(setBase32, 8) + "/B" + g.Chars(setBase32, 10) + "/" + g.Chars(setAlnum, 24) + " now", ""},
	}
	for _, u := range urls {
		ms := set.Find([]byte(u.text), "")
		if len(ms) != 1 || ms[0].Rule.ID != u.rule || u.secret != "" && ms[0].Secret != u.secret {
			t.Errorf("%s in a URL: got:%s", u.rule, describe(ms))
		}
	}
}

// TestFindSeveralOnOneLine checks order and columns of several findings on a line.
func TestFindSeveralOnOneLine(t *testing.T) {
	set := builtinSet(t)
	g := NewGenerator(27)
	a, b := g.GitHubToken("ghp_"), g.GitHubToken("gho_")
	c := g.NPMToken()
	text := "x " + a + " " + b + " ünïcödé " + c + "\n" + a
	want := []found{
		{"github-pat", a, 1, 3},
		{"github-oauth-token", b, 1, 44},
		{"npm-access-token", c, 1, 93},
		{"github-pat", a, 2, 1},
	}
	if diff := cmp.Diff(want, foundOf(set.Find([]byte(text), ""))); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestFindPathsAndAllowlists(t *testing.T) {
	g := NewGenerator(28)
	key := g.GitHubToken("ghp_")
	text := []byte("GITHUB_TOKEN=" + key + "\nDB_PASSWORD=" + g.Chars(setAlnum, 18) + "4\n")
	rules := Builtin()
	set, err := NewSet(rules, Allowlist{
		Regexes:   []*regexp.Regexp{regexp.MustCompile(`^ghp_` + key[4:10])},
		Stopwords: []string{"NEVER"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := foundOf(set.Find(text, "app/.env"))
	if len(got) != 1 || got[0].Rule != "generic-api-key" {
		t.Errorf("the global regex allowlist does not silence the token: %v", got)
	}
	// The generic rule's own path allowlist: lockfiles hold only checksums.
	if ms := set.Find(text, "web/package-lock.json"); len(ms) != 0 && ms[0].Rule.ID == "generic-api-key" {
		t.Errorf("generic finding in a lockfile")
	}
	// A rule limited by path runs only there.
	limited := &Rule{ID: "only-tf", Description: "d", Keywords: []string{"ghp_"}, Regex: regexp.MustCompile(`\b(ghp_[A-Za-z0-9]{36})\b`), Path: regexp.MustCompile(`\.tf$`)}
	ls, err := NewSet([]*Rule{limited}, Allowlist{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.Find(text, "main.go")) != 0 || len(ls.Find(text, "infra/main.tf")) != 1 {
		t.Errorf("the rule's path limit is not applied")
	}
}

func TestNewSetRefuses(t *testing.T) {
	re := regexp.MustCompile(`x(y)`)
	tests := []struct {
		name  string
		rules []*Rule
		want  string
	}{
		{"duplicate", []*Rule{{ID: "a", Regex: re}, {ID: "a", Regex: re}}, "rule a is defined twice"},
		{"no id", []*Rule{{Regex: re}}, "no id"},
		{"no regex", []*Rule{{ID: "a"}}, "rule a: no regex"},
		{"bad group", []*Rule{{ID: "a", Regex: re, SecretGroup: 3}}, "secretGroup 3"},
		{"unknown check", []*Rule{{ID: "a", Regex: re, Checks: []string{"crc64"}}}, `unknown check "crc64"`},
		{"unknown companion check", []*Rule{{ID: "a", Regex: re, Companion: re, CompanionChecks: []string{"nope"}}}, `unknown check "nope"`},
		{"companion checks alone", []*Rule{{ID: "a", Regex: re, CompanionChecks: []string{"random"}}}, "companionChecks without a companion"},
		{"severity", []*Rule{{ID: "a", Regex: re, Severity: "urgent"}}, `severity "urgent"`},
	}
	for _, tt := range tests {
		_, err := NewSet(tt.rules, Allowlist{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestAnchoredMatchesWindowed runs the anchored rules (with their prefilters) and the same
// rules searched the plain way, over windows, on varied text: both find the same secrets.
func TestAnchoredMatchesWindowed(t *testing.T) {
	g := NewGenerator(31)
	var texts [][]byte
	texts = append(texts, sourceLike(1<<19), minifiedLike(1<<19, 1<<17))
	for _, r := range Builtin() {
		for _, tmpl := range append(append([]string(nil), r.Examples.True...), r.Examples.False...) {
			texts = append(texts, []byte(expand(t, g, tmpl)))
		}
	}
	for _, r := range Builtin() {
		if !r.Anchored {
			continue
		}
		plain := *r
		plain.Anchored, plain.Prefilter = false, ""
		anchoredSet, err := NewSet([]*Rule{r}, Allowlist{})
		if err != nil {
			t.Fatal(err)
		}
		plainSet, err := NewSet([]*Rule{&plain}, Allowlist{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, data := range texts {
			a, p := foundOf(anchoredSet.Find(data, "")), foundOf(plainSet.Find(data, ""))
			n += len(a)
			if diff := cmp.Diff(p, a); diff != "" {
				t.Errorf("rule %s (-windowed +anchored):\n%s", r.ID, diff)
			}
		}
		if n == 0 {
			t.Errorf("rule %s found nothing; the comparison tests nothing", r.ID)
		}
	}
}

// TestFindConcurrent runs one Set from several goroutines, as the engine's workers do (run
// it with -race).
func TestFindConcurrent(t *testing.T) {
	set := builtinSet(t)
	g := NewGenerator(32)
	texts := make([][]byte, 8)
	for i := range texts {
		texts[i] = []byte(strings.Repeat("token := get(key)\n", 200) + "k = \"" + g.GitHubToken("ghp_") + "\"\n")
	}
	done := make(chan int)
	for _, text := range texts {
		go func() {
			n := 0
			for range 20 {
				n += len(set.Find(text, "a.go"))
			}
			done <- n
		}()
	}
	for range texts {
		if n := <-done; n != 20 {
			t.Errorf("%d findings, want 20", n)
		}
	}
}

// FuzzFind runs the built-in rules on arbitrary bytes and paths. Every match lies inside the
// data and is the text it says, at the line and column counted afresh, in order of offset;
// it passes its rule's checks and is no placeholder; the same data gives the same matches;
// and matching only the lines the line filter keeps, as the history scan does, gives the
// same findings as matching the whole text.
func FuzzFind(f *testing.F) {
	set := builtinSet(f)
	g := NewGenerator(1)
	for _, r := range set.Rules {
		for _, tmpl := range append(append([]string(nil), r.Examples.True...), r.Examples.False...) {
			f.Add([]byte(expand(f, g, tmpl)), "src/app.js")
		}
	}
	f.Add(sourceLike(4<<10), "src/main.go")
	f.Add(minifiedLike(4<<10, 1<<10), "dist/app.min.js")
	f.Add([]byte("a = 1\r\nb = 2\r\n"), "web/package-lock.json")
	f.Add([]byte("\xff\xfe token = \xc3("), "testdata/x")
	// Secrets written encoded and split, and the corpus of files that hide them.
	for _, c := range derivedCases(g) {
		f.Add([]byte(c.text), "deploy/values.yaml")
	}
	for _, c := range hiddenCorpus(g) {
		f.Add([]byte(c.text), c.path)
	}
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		ms := set.Find(data, path)
		checkMatches(t, data, ms)
		if diff := cmp.Diff(viewOf(ms), viewOf(set.Find(data, path))); diff != "" {
			t.Errorf("the same data gives other matches (-first +second):\n%s", diff)
		}
		if sel, lineMap, ok := selectLines(set.LineFilter(), data); ok {
			got := set.Find(sel, path)
			checkMatches(t, sel, got)
			for i := range got {
				got[i].Line = lineMap[got[i].Line-1]
			}
			if diff := cmp.Diff(foundOf(ms), foundOf(got)); diff != "" {
				t.Errorf("the lines the filter keeps give other findings (-whole +lines):\n%s", diff)
			}
		}
	})
}

// checkMatches checks what Find promises of its matches in data.
func checkMatches(t *testing.T, data []byte, ms []Match) {
	t.Helper()
	for i, m := range ms {
		if m.Rule == nil || m.Start < 0 || m.Start >= m.End || m.End > len(data) {
			t.Fatalf("match %d: [%d,%d) of %d bytes (rule %v)", i, m.Start, m.End, len(data), m.Rule)
		}
		if m.Encoding != "" {
			// Found decoded or joined: [Start,End) is the encoded text, which holds no
			// secret as written; the chain names known encodings and caps the confidence.
			for _, e := range strings.Split(m.Encoding, "+") {
				if !slices.Contains([]string{EncodingBase64, EncodingURL, EncodingEscape, EncodingJoined, EncodingShell}, e) {
					t.Errorf("match %d: encoding %q", i, m.Encoding)
				}
			}
			if m.Confidence > ConfidenceMedium || m.depth < 1 || m.depth > maxDepth {
				t.Errorf("match %d: %s found %s at depth %d with confidence %s", i, m.Rule.ID, m.Encoding, m.depth, m.Confidence)
			}
		} else if string(data[m.Start:m.End]) != m.Secret {
			t.Errorf("match %d: secret %q, but the data holds %q there", i, m.Secret, data[m.Start:m.End])
		}
		if l, c := position(data, m.Start); l != m.Line || c != m.Column {
			t.Errorf("match %d at %d: %d:%d, want %d:%d", i, m.Start, m.Line, m.Column, l, c)
		}
		if i > 0 && ms[i-1].Start > m.Start {
			t.Errorf("match %d at %d comes after one at %d", i, m.Start, ms[i-1].Start)
		}
		if m.Companion != "" && (m.cStart < 0 || m.cEnd > len(data) || m.cStart > m.cEnd || m.Encoding == "" && string(data[m.cStart:m.cEnd]) != m.Companion) {
			t.Errorf("match %d: companion %q is not at [%d,%d)", i, m.Companion, m.cStart, m.cEnd)
		}
		if isPlaceholder(m.Secret) || m.Rule.Entropy > 0 && entropy(m.Secret) < m.Rule.Entropy {
			t.Errorf("match %d: %s secret %q is a placeholder or too plain", i, m.Rule.ID, m.Secret)
		}
		for _, c := range m.Rule.Checks {
			if !checks[c](m.Secret) {
				t.Errorf("match %d: %s secret %q fails its check %s", i, m.Rule.ID, m.Secret, c)
			}
		}
		// The line shown around a secret (of one line, not starting or ending in blanks) holds
		// it whole, and cuts no character in two.
		if m.Encoding == "" && !strings.ContainsAny(m.Secret, "\r\n") && strings.TrimSpace(m.Secret) == m.Secret {
			shown := TrimmedLine(data, m.Start, m.End, 80)
			if !strings.Contains(shown, m.Secret) || utf8.Valid(lineAt(data, m.Start)) && !utf8.ValidString(shown) {
				t.Errorf("match %d: the line shown around %q is %q", i, m.Secret, shown)
			}
		}
	}
}

// matchView is what two runs of Find are compared by.
type matchView struct {
	Rule, Secret, Companion      string
	Start, End, Line, Column     int
	CompanionStart, CompanionEnd int
}

func viewOf(ms []Match) []matchView {
	var out []matchView
	for _, m := range ms {
		out = append(out, matchView{m.Rule.ID, m.Secret, m.Companion, m.Start, m.End, m.Line, m.Column, m.cStart, m.cEnd})
	}
	return out
}

// selectLines keeps the lines of data that the filter says can match, each followed by a
// line end, as the history scan hands them to the matcher, and tells the line each came
// from. ok is false when the text must go whole (no filter, or a line the filter sends
// whole).
func selectLines(lf *LineFilter, data []byte) (sel []byte, lineMap []int, ok bool) {
	if lf == nil || TableHeader(data) {
		return nil, nil, false
	}
	// As the history scan selects (scanner/git): a group of lines that the matcher joins
	// (a string split over lines, shell variables assembled from the lines before) sends
	// the text whole when it can hold a secret; between lines that are not consecutive the
	// selection holds an empty line.
	lines := bytes.Split(data, []byte("\n"))
	offs := make([]int, len(lines)+1)
	for i, l := range lines {
		offs[i+1] = offs[i] + len(l) + 1
	}
	group := func(from, to int) bool { return lf.Classify(data[offs[from]:offs[to]-1]) != LinePlain }
	joinFrom, cont, last := -1, false, -1
	var shell []int
	for i, line := range lines {
		if cont && len(line) > 0 && Continued(line) {
			if joinFrom < 0 {
				joinFrom = i - 1
			}
		} else if joinFrom >= 0 {
			if group(joinFrom, i) {
				return nil, nil, false
			}
			joinFrom = -1
		}
		cont = len(line) > 0 && Continues(line)
		if ShellAssignment(line) {
			shell = append(shell, i)
			if len(shell) > ShellLines+1 {
				shell = shell[1:]
			}
			if len(shell) > 1 && bytes.IndexByte(line, '$') >= 0 && group(shell[0], i+1) {
				return nil, nil, false
			}
		} else {
			shell = shell[:0]
		}
		if len(line) == 0 {
			continue
		}
		switch lf.Classify(line) {
		case LineWhole:
			return nil, nil, false
		case LineKeyword:
			if last >= 0 && last != i-1 {
				sel = append(sel, '\n')
				lineMap = append(lineMap, 0)
			}
			sel = append(append(sel, line...), '\n')
			lineMap = append(lineMap, i+1)
			last = i
		}
	}
	if joinFrom >= 0 && group(joinFrom, len(lines)) {
		return nil, nil, false
	}
	return sel, lineMap, true
}

// TestFindLinesNoTable: lines selected from a text (a history scan's line mode) whose first
// happens to read like a table's header are not read as a table: that line is not the
// text's first, and a text that starts with a header is matched whole (TableHeader).
func TestFindLinesNoTable(t *testing.T) {
	set := builtinSet(t)
	g := NewGenerator(5)
	cell := g.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4) + g.Chars("0123456789", 4) + g.Chars("abcdefghijklmnopqrstuvwxyz", 4) + g.Chars(setAlnum, 20)
	text := []byte("service,token\nauth-service," + cell + "\n")
	if ms := set.Find(text, ""); len(ms) != 1 || ms[0].Secret != cell {
		t.Fatalf("a table of tokens: want its cell found, got:%s", describe(ms))
	}
	if ms := set.FindLines(text, ""); len(ms) != 0 {
		t.Errorf("selected lines read as a table:%s", describe(ms))
	}
}
