package issues

import (
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (go test ./revoke/issues -update writes it): %v", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s differs (-want +got; go test ./revoke/issues -update rewrites it):\n%s", path, d)
	}
}

// hostile is a finding whose every field a repository or a provider controls carries
// terminal escapes, line breaks, markdown, HTML and mentions.
func hostile(t *testing.T) *scanner.Finding {
	fi := finding(t, 21, "openai", `{{openai "sk-proj-" 74}}`, "src/\x1b]0;pwned\x07\x1b[2Jevil`b``.js\n# Heading\r\n<img src=x onerror=alert(1)> [x](javascript:alert(1)) @admin #12")
	fi.Locations[0].Author = "Mallory \x1b[31m<script>alert(1)</script>\n- [ ] @everyone **bold** _x_"
	fi.Locations[0].Message = "fix\x1b[1A\x1b[2K ![img](https://evil.example/x.png) <details open>\n\nsecond line @org/team"
	fi.Locations[0].Date = "2026-01-02T03:04:05Z"
	fi.Locations[0].Variable = "VITE_<b>KEY</b>"
	fi.Locations = append(fi.Locations,
		scanner.Location{URL: "javascript:alert(document.cookie)//https://shop.example.com/app.js"},
		scanner.Location{URL: "https://cdn.example.com/app.js?a=(b)<c>&d=\"e\"`f` [g]", Exposure: "public-bundle\n## injected", Origin: &scanner.Origin{Path: "../../<svg onload=alert(1)>.ts", Line: 3}},
	)
	fi.Verification = &outcome.Step{Status: outcome.Live, Detail: "HTTP 200: <script>alert(1)</script> **bold** @team #1 \x1b[2J\n\n---\n| a | b |", At: mustTime("2026-01-02T04:00:00Z")}
	fi.Revocation = &outcome.Step{Status: outcome.NeedsCredential, Detail: "set OPENAI_ADMIN_KEY (an admin key of the same organization) and run leakstop revoke REPORT; or by hand: delete the key at https://platform.openai.com/api-keys", At: mustTime("2026-01-02T04:00:01Z")}
	return fi
}

// TestHostileGolden: what a hostile repository and provider put in a finding reaches the
// issue title, body and update comment neutralised: no escape sequence, no line break that
// starts a block, no HTML, no markdown that renders, no mention, no link but http(s).
func TestHostileGolden(t *testing.T) {
	gh := fake.NewGitHub(t, "operator-"+strings.Repeat("h", 10))
	red := &rules.Redactor{}
	fi := hostile(t)
	red.Add(fi.Secret, fi.Redacted)
	var waits []time.Duration
	f := newFiler(t, gh, red, &waits)
	f.opts.Now = func() time.Time { return mustTime("2026-01-03T00:00:00Z") }
	if err := f.File(context.Background(), []*scanner.Finding{fi}); err != nil {
		t.Fatal(err)
	}
	// A second run learns that a revocation failed: the issue is updated and commented.
	fi.Revocation = &outcome.Step{Status: outcome.Failed, Detail: "HTTP 500: </details><script>x</script>\n# boom @admin", At: mustTime("2026-01-03T00:00:00Z")}
	if err := f.File(context.Background(), []*scanner.Finding{fi}); err != nil {
		t.Fatal(err)
	}
	if len(gh.Issues) != 1 || len(gh.Issues[0].Comments) != 1 {
		t.Fatalf("%d issues, want 1 with 1 comment", len(gh.Issues))
	}
	is := gh.Issues[0]
	out := "title: " + is.Title + "\n\n" + is.Body + "\n---- comment ----\n" + is.Comments[0]
	golden(t, "hostile.md", strings.ReplaceAll(out, gh.URL, "https://github.example"))
	// Titles are plain text on GitHub: no markup renders there, but mentions must not.
	if strings.ContainsAny(is.Title, "\x1b\x07\r\n") || strings.Contains(is.Title, "@admin") {
		t.Errorf("title: %q", is.Title)
	}
	for _, text := range []string{is.Body, is.Comments[0]} {
		if strings.ContainsAny(text, "\x1b\x07\r") {
			t.Errorf("a control character reached the issue: %q", text)
		}
		if strings.Contains(text, fi.Secret) {
			t.Error("the raw secret reached the issue")
		}
		rest := stripCode(text)
		for _, bad := range []string{"<script", "<img", "<svg", "<details", "</details", "<b>", "](javascript:", "@admin", "@everyone", "@team", "@org", "**bold**", "\n# ", "\n## ", "\n---", "\n| ", "- [ ]", "![img]"} {
			if strings.Contains(rest, bad) {
				t.Errorf("%q is live markup outside code spans:\n%s", bad, rest)
			}
		}
	}
}

// TestListIsBounded: issue listing follows next links at most maxListPages times, and
// never back to a page it read; a list that never ends files nothing rather than twice.
func TestListIsBounded(t *testing.T) {
	red := &rules.Redactor{}
	fi := finding(t, 31, "openai", `{{openai "sk-proj-" 74}}`, "a.js")
	red.Add(fi.Secret, fi.Redacted)
	t.Run("endless", func(t *testing.T) {
		gh := fake.NewGitHub(t, "operator-"+strings.Repeat("e", 10))
		gh.EndlessNext = true
		var waits []time.Duration
		err := newFiler(t, gh, red, &waits).File(context.Background(), []*scanner.Finding{fi})
		if err == nil || !strings.Contains(err.Error(), "more than 100 pages") {
			t.Errorf("err = %v, want the bound named", err)
		}
		if n := gh.Count(http.MethodGet, "/repos/o/r/issues"); n != maxListPages {
			t.Errorf("%d list requests, want %d", n, maxListPages)
		}
		if len(gh.Issues) != 0 {
			t.Error("an issue was filed from a list that was not read to its end")
		}
	})
	t.Run("loop", func(t *testing.T) {
		gh := fake.NewGitHub(t, "operator-"+strings.Repeat("l", 10))
		gh.PerPage = 1
		gh.LoopNext = true
		other := finding(t, 32, "openai", `{{openai "sk-proj-" 74}}`, "b.js")
		red.Add(other.Secret, other.Redacted)
		var waits []time.Duration
		f := newFiler(t, gh, red, &waits)
		if err := f.File(context.Background(), []*scanner.Finding{fi, other}); err != nil {
			t.Fatal(err)
		}
		// Two issues, listed one a page, the last linking back to the first.
		if err := f.File(context.Background(), []*scanner.Finding{fi, other}); err != nil {
			t.Fatal(err)
		}
		if len(gh.Issues) != 2 {
			t.Errorf("%d issues, want 2 (none filed twice)", len(gh.Issues))
		}
		if n := gh.Count(http.MethodGet, "/repos/o/r/issues"); n != 1+2 {
			t.Errorf("%d list requests, want 3 (one, then two pages)", n)
		}
	})
}
