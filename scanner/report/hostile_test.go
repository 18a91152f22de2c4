package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// Text a scanned repository or site controls, meant to drive a terminal (set its title,
// clear it, return the cursor and print a fake line, reverse the text) or to render as
// HTML and markdown where GitHub shows it.
const (
	setTitle    = "\x1b]0;pwned\x07"
	clearScreen = "\x1b[2J\x1b[H"
	fakeLine    = "\r\nleakstop: no leaks found\n"
	reverse     = "\u202e"
	c1CSI       = "\u009b31m"
	img         = `<img src=x onerror=alert(1)>`
	jsLink      = `[link](javascript:alert(1))`
	bold        = `**bold**`
)

// hostileFixture is a finding whose every field from elsewhere is hostile: a file name, a
// commit's author, address and subject, a bundle's URL, source-map origin and variable, a
// provider's message, an unreadable place; and a rule from a configuration file of the
// scanned repository, whose description, provider and remediation are hostile too.
func hostileFixture(t *testing.T) (*rules.Set, *scanner.Result, string) {
	t.Helper()
	set, err := rules.NewSet([]*rules.Rule{{
		ID: "acme-token", Provider: "acme" + reverse + img,
		Description: "Acme token " + img + " " + bold + " " + jsLink + setTitle,
		Keywords:    []string{"acme_"},
		Regex:       regexp.MustCompile(`acme_[a-z0-9]{32}`),
		Remediation: "Rotate it at https://acme.example.com/tokens. Then " + jsLink + " " + img + "\n# Heading\n@everyone " + bold + clearScreen,
	}}, rules.Allowlist{})
	if err != nil {
		t.Fatal(err)
	}
	secret := "acme_" + rules.NewGenerator(5).Chars("abcdefghijklmnopqrstuvwxyz0123456789", 32)
	r := set.Rule("acme-token")
	f := &scanner.Finding{
		Rule: r.ID, Provider: r.Provider, Secret: secret, Redacted: r.Redact(secret),
		Fingerprint: scanner.Fingerprint(r.ID, secret),
		Locations: []scanner.Location{
			{
				Path: "src/" + setTitle + "evil" + reverse + "sj.txt" + fakeLine, Line: 4, Column: 9, Commit: commitA,
				Author: "Eve " + clearScreen + img, Email: "eve@example.com" + fakeLine,
				Date:    "2024-05-01T10:20:30Z",
				Message: bold + " " + jsLink + " " + setTitle + "subject" + c1CSI + "\rfake\nsecond line",
			},
			{
				URL: "https://shop.example.com/assets/app.js?x=" + clearScreen, Line: 1, Column: 120,
				Origin:   &scanner.Origin{Path: "webpack://app/src/" + reverse + img + ".ts", Line: 3},
				Exposure: scanner.ExposurePublicBundle, Variable: "VITE_" + setTitle + "KEY" + c1CSI,
			},
		},
		Verification: &outcome.Step{Status: outcome.Invalid, Detail: "401 Unauthorized" + setTitle + fakeLine + c1CSI + jsLink},
	}
	res := &scanner.Result{
		Findings: []*scanner.Finding{f},
		Stats:    scanner.Stats{Commits: 3, Blobs: 3, Bytes: 1200, Baseline: 2, DurationMS: 12},
		Problems: []scanner.Problem{{Where: "dir/" + clearScreen + "file" + reverse, Err: errorString("open: permission denied" + setTitle + fakeLine)}},
	}
	return set, res, secret
}

type errorString string

func (e errorString) Error() string { return string(e) }

// TestHostileGolden writes the hostile finding in every format: the golden files show each
// escape, and no output holds a raw escape sequence, a bidirectional override, a line break
// inside a field, or markdown and HTML that GitHub would render.
func TestHostileGolden(t *testing.T) {
	set, res, _ := hostileFixture(t)
	opts := Options{Rules: set, ToolVersion: testVersion, Root: testRoot}
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			out := write(t, format, res, opts)
			if format != formatGitLab { // the GitLab writer keeps its own goldens
				golden(t, "hostile."+extensions[format], out)
			}
			for _, bad := range []string{"\x1b", "\x07", "\r", reverse, "\u009b"} {
				if bytes.Contains(out, []byte(bad)) {
					t.Errorf("%s holds %q raw", format, bad)
				}
			}
			if format == formatText {
				// Each line is one of the report's: no field broke a line.
				for _, l := range strings.Split(string(out), "\n") {
					if strings.HasPrefix(l, "leakstop:") || strings.HasPrefix(l, "second line") || strings.HasPrefix(l, "fake") {
						t.Errorf("a field started a line of its own: %q", l)
					}
				}
			}
		})
	}
	t.Run("sarif markdown", func(t *testing.T) {
		var log sarifLog
		if err := json.Unmarshal(write(t, formatSARIF, res, opts), &log); err != nil {
			t.Fatal(err)
		}
		md := log.Runs[0].Tool.Driver.Rules[0].Help.Markdown
		for _, bad := range []string{"<img", "](javascript:", "**bold**", "\n# Heading", "@everyone", "[link]"} {
			if strings.Contains(md, bad) {
				t.Errorf("the help markdown holds %q as markdown or HTML:\n%s", bad, md)
			}
		}
		if !strings.Contains(md, "](https://acme.example.com/tokens)") {
			t.Errorf("the remediation's URL is not a link:\n%s", md)
		}
		for _, r := range log.Runs[0].Results {
			if strings.Contains(r.Message.Text, "[link]") || strings.ContainsAny(r.Message.Text, "\x1b\r\n"+reverse) {
				t.Errorf("result message %q holds a link or a control character", r.Message.Text)
			}
		}
	})
	t.Run("json round trip", func(t *testing.T) {
		// Escaping is lossless: the report read back holds the same hostile text.
		rep, err := Read(bytes.NewReader(write(t, formatJSON, res, Options{ShowSecrets: true, ToolVersion: testVersion})))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := rep.Findings[0].Locations[0].Path, res.Findings[0].Locations[0].Path; got != want {
			t.Errorf("path read back %q, want %q", got, want)
		}
	})
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, ünïcode ✓":        "plain text, ünïcode ✓",
		setTitle + "x":                 `\x1b]0;pwned\ax`,
		clearScreen:                    `\x1b[2J\x1b[H`,
		"a\r\nb\tc":                    `a\r\nb\tc`,
		"abc" + reverse + "fed":        `abc\u202efed`,
		"\u2066isolate\u2069":          `\u2066isolate\u2069`,
		"zero\u200bwidth\ufeff":        `zero\u200bwidth\ufeff`,
		c1CSI:                          `\u009b31m`,
		"del\x7f":                      `del\x7f`,
		"line\u2028sep":                `line\u2028sep`,
		"bad \xff\xfe utf-8":           `bad \xff\xfe utf-8`,
		"tag \U000E0041":               `tag \U000e0041`,
		string([]byte{0xe2, 0x80}):     `\xe2\x80`,
		"\x1b\x1b":                     `\x1b\x1b`,
		`already \x1b escaped looking`: `already \x1b escaped looking`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapeInvisible(t *testing.T) {
	in, err := json.Marshal(map[string]string{"k": "a" + reverse + "b" + c1CSI + "\x1b\u2028\U000E0041 ✓"})
	if err != nil {
		t.Fatal(err)
	}
	out := EscapeInvisible(in)
	if want := `{"k":"a\u202eb\u009b31m\u001b\u2028\udb40\udc41 ✓"}`; string(out) != want {
		t.Errorf("EscapeInvisible = %s, want %s", out, want)
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || back["k"] != "a"+reverse+"b"+c1CSI+"\x1b\u2028\U000E0041 ✓" {
		t.Errorf("escaped JSON reads back as %q (%v)", back["k"], err)
	}
	if plain := []byte(`{"k":"ok ✓ ü"}`); !bytes.Equal(EscapeInvisible(plain), plain) {
		t.Errorf("plain JSON changed: %s", EscapeInvisible(plain))
	}
}

func TestEscapeURI(t *testing.T) {
	for in, want := range map[string]string{
		"https://shop.example.com/a.js?v=1&x=2":  "https://shop.example.com/a.js?v=1&x=2",
		"http://[::1]:8080/app.js?q=[1]":         "http://[::1]:8080/app.js?q=%5B1%5D",
		"webpack://app/src/my file.ts":           "webpack://app/src/my%20file.ts",
		"webpack://app/src/café.ts":              "webpack://app/src/caf%C3%A9.ts",
		"https://x.test/\x1b[2J\u202e\xff<b>\"|": "https://x.test/_%5B2J__%3Cb%3E%22%7C",
	} {
		if got := escapeURI(in); got != want {
			t.Errorf("escapeURI(%q) = %q, want %q", in, got, want)
		}
	}
}
