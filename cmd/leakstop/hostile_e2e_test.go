//go:build !windows

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/report"
	"github.com/leakstop/leakstop/scanner/web/webtest"
)

// hostileOctal is hostileName in the octal escapes of git fast-import's quoted paths.
func hostileOctal(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			fmt.Fprintf(&b, `\%03o`, c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// TestHostileNamesEndToEnd scans a history whose file name, author and commit subject, and a
// bundle whose file name, source map sources and neighbouring binary file, are built to drive
// a terminal and render as HTML or markdown; and a site whose answers carry the same. Every
// output (console and JSON logs, the text, JSON and SARIF reports) shows them escaped.
func TestHostileNamesEndToEnd(t *testing.T) {
	needTool(t, "git")
	key := rules.NewGenerator(71).OpenAIKey("sk-proj-", 74)
	const (
		author  = "Eve \x1b[2J\x1b]0;pwned\x07\u202e"
		subject = "**bold** [link](javascript:alert(1)) <img src=x onerror=alert(1)> \x1b]0;title\x07\rleakstop: no leaks found\nsecond line"
	)
	repo := t.TempDir()
	gitIn(t, repo, nil, "init", "-q", "-b", "main")
	content := "OPENAI_API_KEY=" + key + "\n"
	stream := fmt.Sprintf("commit refs/heads/main\nauthor %s <eve@example.com> 1700000000 +0000\ncommitter %s <eve@example.com> 1700000000 +0000\ndata %d\n%s\nM 644 inline \"%s\"\ndata %d\n%s\n",
		author, author, len(subject), subject, hostileOctal(hostileName), len(content), content)
	gitIn(t, repo, strings.NewReader(stream), "fast-import", "--quiet")

	dist := t.TempDir()
	bundle := "app\x1b]0;pwned\x07\u202esj.js"
	sources, _ := json.Marshal([]string{"webpack://app/src/\x1b[2J<img src=x onerror=alert(1)>\u202e.ts"})
	files := map[string]string{
		bundle:                "const k=\"" + key + "\";console.log(k);\n//# sourceMappingURL=" + bundle + ".map\n",
		bundle + ".map":       `{"version":3,"sources":` + string(sources) + `,"sourcesContent":["export const key = import.meta.env.VITE_KEY;\n"],"mappings":"AAAA,QAAmB"}`,
		"logo\x1b[2J\r\n.png": "\x89PNG\r\n\x1a\n\x00\x00\x00",
		"index.html":          `<!doctype html><html><head><script src="/` + url.PathEscape(bundle) + `"></script><script src="/missing` + "%1B%5B2J" + `.js"></script></head></html>`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dist, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(webtest.Handler(dist))
	defer srv.Close()

	env := map[string]string{"HOME": t.TempDir(), "NO_COLOR": ""}
	getenv := func(k string) string { return env[k] }
	for _, scan := range [][]string{{"git", repo}, {"dir", dist}, {"url", srv.URL + "/", "--max-depth", "0", "--allow-private"}} {
		for _, log := range []string{"console", "json"} {
			for _, format := range append(report.Formats(), "text-to-file") {
				args := append(append([]string{}, scan...), "--log-level", "debug", "--log-format", log)
				outFile := ""
				if format == "text-to-file" {
					outFile = filepath.Join(t.TempDir(), "report.txt")
					args = append(args, "-o", outFile)
				} else {
					args = append(args, "-f", format)
				}
				var stdout, stderr bytes.Buffer
				code := Main(args, strings.NewReader(""), &stdout, &stderr, getenv)
				what := strings.Join(args[:len(scan)], " ") + " " + log + " log, " + format
				if code != exitLeaks && code != exitError {
					t.Fatalf("%s: exit %d\n%s", what, code, stderr.String())
				}
				out := stdout.Bytes()
				if outFile != "" {
					out, _ = os.ReadFile(outFile)
				}
				if !bytes.Contains(out, []byte("openai-project-key")) {
					t.Errorf("%s: the key was not found:\n%s", what, out)
				}
				noRawControl(t, what+": the report", out)
				noRawControl(t, what+": stderr", stderr.Bytes())
				if bytes.Contains(out, []byte(key)) || bytes.Contains(stderr.Bytes(), []byte(key)) {
					t.Errorf("%s: the key is shown", what)
				}
				if format == "text" && scan[0] == "git" && !bytes.Contains(out, []byte(`evil\u202esj.txt\r\nleakstop: no leaks found:1:16`)) {
					t.Errorf("%s: the file name is not shown escaped:\n%s", what, out)
				}
				if log == "console" && scan[0] == "dir" && !strings.Contains(stderr.String(), `logo\\x1b[2J\\r\\n.png"`) {
					t.Errorf("%s: the binary file's skip line is not escaped:\n%s", what, stderr.String())
				}
			}
		}
	}
}
