package web

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/leakstop/leakstop/rules"
)

func TestSourceMappingURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"line comment", "a();\n//# sourceMappingURL=app.js.map\n", "app.js.map"},
		{"old style", "a();\n//@ sourceMappingURL=app.js.map", "app.js.map"},
		{"block comment", "a{}\n/*# sourceMappingURL=app.css.map */", "app.css.map"},
		{"the last one wins", "//# sourceMappingURL=a.map\nb();\n//# sourceMappingURL=b.map\n", "b.map"},
		// A runtime that writes the comment itself holds it in a string: not the map.
		{"string in code", `x="//# sourceMappingURL="+u;` + "\n//# sourceMappingURL=real.map", "real.map"},
		{"only a string", `x="\n//# sourceMappingURL="+u;`, ""},
		// terser (as next.js vendors it) writes an inline map's comment with its prefix in a
		// string: no map, and no error about one.
		{"data URL prefix in a string", `s.code+="\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,"+ei(l)`, ""},
		{"data URL prefix in a template", "s.code+=`\n//# sourceMappingURL=data:application/json;base64,${b64(m)}`", ""},
		{"data URL", "a();\n//# sourceMappingURL=data:application/json;base64,e30=", "data:application/json;base64,e30="},
		{"none", "a();", ""},
	}
	for _, tt := range tests {
		if got := sourceMappingURL([]byte(tt.in)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDecodeDataURL(t *testing.T) {
	json := `{"version":3}`
	tests := []struct {
		in, want, err string
	}{
		{"data:application/json;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(json)), json, ""},
		{"data:application/json;base64," + base64.RawURLEncoding.EncodeToString([]byte(json+"??")), json + "??", ""},
		{"data:application/json," + url.PathEscape(json), json, ""},
		{"data:application/json;base64,!!!", "", "data: URL is not valid base64"},
		{"data:application/json", "", "data: URL has no comma before its payload"},
	}
	for _, tt := range tests {
		got, err := decodeDataURL(tt.in)
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("%s: error %v, want %s", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || string(got) != tt.want):
			t.Errorf("%s: got %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestColumns(t *testing.T) {
	// "é" is one UTF-16 unit in two bytes; "😀" two units in four bytes.
	line := "ab é😀 KEY"
	data := []byte("first line\n" + line)
	off := len(data) - len("KEY")
	if got := utf16Column(data, off); got != 7 {
		t.Errorf("utf16Column = %d, want 7", got)
	}
	if got := charColumn("first line\n"+line, 1, 7); got != 6 {
		t.Errorf("charColumn = %d, want 6", got)
	}
	if got := charColumn("short", 3, 4); got != 4 {
		t.Errorf("charColumn past the end = %d, want 4", got)
	}
}

func TestVariables(t *testing.T) {
	before := []struct {
		in, want string
	}{
		{`{BASE_URL:"/",VITE_OPENAI_API_KEY:"KEY`, "VITE_OPENAI_API_KEY"},
		{`{VITE_A:"x",VITE_OPENAI_KEY:"KEY`, "VITE_OPENAI_KEY"},
		{"NEXT_PUBLIC_KEY=KEY", "NEXT_PUBLIC_KEY"},
		{"REACT_APP_KEY\n const k = \"KEY", ""}, // another line
		{`const k="KEY`, ""},
	}
	for _, tt := range before {
		if got := variableBefore([]byte(tt.in), len(tt.in)-3); got != tt.want {
			t.Errorf("variableBefore(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	src := "const other = 1;\nconst key = import.meta.env.VITE_OPENAI_API_KEY;\n\nfetch(url, { headers: { Authorization: 'Bearer ' + key } });\n"
	inSource := []struct {
		content string
		line    int
		want    string
	}{
		{src, 1, "VITE_OPENAI_API_KEY"},
		{src, 3, "VITE_OPENAI_API_KEY"}, // defined a few lines above its use
		{src, 0, "VITE_OPENAI_API_KEY"}, // the file's only public variable
		{"a = process.env.NEXT_PUBLIC_A\nb = process.env.NEXT_PUBLIC_B\n" + "\n\n\n\n\n\nuse(b)", 8, ""},
		{src, 99, ""},
	}
	for _, tt := range inSource {
		if got := variableInSource(tt.content, tt.line); got != tt.want {
			t.Errorf("variableInSource(line %d) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestOrigins(t *testing.T) {
	disk := originOnDisk("dist/assets/index.js.map")
	mapURL, _ := url.Parse("https://site.example/assets/index.js.map")
	web := originOnWeb(mapURL)
	tests := []struct {
		src, disk, web string
	}{
		{"../../src/App.jsx", "src/App.jsx", "src/App.jsx"},
		{"webpack://_N_E/./pages/index.js", "pages/index.js", "pages/index.js"},
		{"webpack:///./src/a.js", "src/a.js", "src/a.js"},
		{"webpack://_N_E/../../src/client/link.tsx", "../../src/client/link.tsx", "../../src/client/link.tsx"},
		{"turbopack://[project]/app/page.tsx", "app/page.tsx", "app/page.tsx"},
		{"file:///home/dev/app/src/a.ts", "/home/dev/app/src/a.ts", "/home/dev/app/src/a.ts"},
		{"https://cdn.example/lib.js", "https://cdn.example/lib.js", "https://cdn.example/lib.js"},
		{"/abs/x.js", "/abs/x.js", "abs/x.js"},
	}
	for _, tt := range tests {
		if got := disk(tt.src); got != tt.disk {
			t.Errorf("on disk %q → %q, want %q", tt.src, got, tt.disk)
		}
		if got := web(tt.src); got != tt.web {
			t.Errorf("on the web %q → %q, want %q", tt.src, got, tt.web)
		}
	}
}

func TestSnippet(t *testing.T) {
	set, err := rules.Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	g := rules.NewGenerator(5)
	key, other := g.OpenAIKey("sk-proj-", 74), g.OpenAIKey("sk-proj-", 74)
	tests := []struct {
		name, data string
	}{
		{"megabyte line", strings.Repeat("a=1;", 250_000) + `fetch(u,{headers:{Authorization:"Bearer ` + key + `"}});` + strings.Repeat("b=2;", 250_000)},
		{"two keys side by side", `{BASE_URL:"/",VITE_A:"` + key + `",VITE_B:"` + other + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := set.Find([]byte(tt.data), "app.js")
			if len(ms) == 0 {
				t.Fatal("no match")
			}
			got := snippet([]byte(tt.data), ms[0])
			if strings.Contains(got, key) || strings.Contains(got, other) || strings.Contains(got, other[8:40]) {
				t.Errorf("the snippet shows a key: %s", got)
			}
			if !strings.Contains(got, ms[0].Rule.Redact(ms[0].Secret)) {
				t.Errorf("the snippet %q lacks the redacted key", got)
			}
			if n := utf8.RuneCountInString(got); n > contextWidth+40 {
				t.Errorf("the snippet is %d characters long: %s", n, got)
			}
			t.Log(got)
		})
	}
}
