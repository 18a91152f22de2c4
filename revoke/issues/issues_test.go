package issues

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

func finding(t *testing.T, seed uint64, provider, tmpl, path string) *scanner.Finding {
	t.Helper()
	v, err := rules.NewGenerator(seed).Expand(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	rule := provider + "-key"
	return &scanner.Finding{
		Rule: rule, Provider: provider, Secret: v, Redacted: rules.Redact(v, v[:3]), Fingerprint: scanner.Fingerprint(rule, v),
		Locations: []scanner.Location{{Path: path, Line: 3, Commit: strings.Repeat("ab", 20), Date: "2026-01-02T03:04:05Z"}},
	}
}

func newFiler(t *testing.T, gh *fake.GitHub, red *rules.Redactor, waits *[]time.Duration) *Filer {
	t.Helper()
	c := &revoke.Client{Redactor: red, Log: zerolog.Nop(), Backoff: time.Millisecond, Sleep: func(_ context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return nil
	}}
	f, err := New(Options{Owner: "o", Repo: "r", Token: gh.Token, APIURL: gh.URL, Client: c, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFileOpensOnceAndUpdates(t *testing.T) {
	gh := fake.NewGitHub(t, "operator-"+strings.Repeat("x", 10))
	gh.PerPage = 1 // list page by page
	red := &rules.Redactor{}
	fs := []*scanner.Finding{
		finding(t, 1, "openai", `{{openai "sk-proj-" 74}}`, "src/api.js"),
		finding(t, 2, "openai", `{{openai "sk-svcacct-" 74}}`, "config/.env"),
		finding(t, 3, "github", `{{ghtoken "ghp_"}}`, "deploy.sh"),
	}
	for _, f := range fs {
		red.Add(f.Secret, f.Redacted)
	}
	fs[0].Verification = &outcome.Step{Status: outcome.Live, At: mustTime("2026-01-02T00:00:00Z")}
	var waits []time.Duration
	// A 429 (which go-github v62 does not treat as a rate limit) and a secondary limit.
	gh.Inject("POST /repos/o/r/issues", 1, fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "3"}})
	gh.Inject("GET /repos/o/r/issues", 1, fake.Reply{Status: 403, Header: map[string]string{"Retry-After": "2"}, Body: `{"message":"You have exceeded a secondary rate limit","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`})
	f := newFiler(t, gh, red, &waits)
	if err := f.File(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	if len(gh.Issues) != 3 {
		t.Fatalf("%d issues, want 3", len(gh.Issues))
	}
	if len(waits) != 2 {
		t.Errorf("waits %v, want the 429 and the secondary limit waited out", waits)
	}
	is := gh.Issues[0]
	if is.Title != "Leaked OpenAI secret in src/api.js" {
		t.Errorf("title %q", is.Title)
	}
	if d := cmp.Diff([]string{"leaked-secret", "openai"}, is.Labels); d != "" {
		t.Errorf("labels (-want +got):\n%s", d)
	}
	for _, want := range []string{"<!-- leakstop:fingerprint=" + fs[0].Fingerprint + " -->", "/o/r/blob/" + strings.Repeat("ab", 20) + "/src/api.js#L3", "**live**", "git filter-repo", "usage logs"} {
		if !strings.Contains(is.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, is.Body)
		}
	}
	if b := gh.Issues[2].Body; !strings.Contains(b, "GitHub notifies the token") || !strings.Contains(gh.Issues[2].Title, "Leaked GitHub secret") {
		t.Errorf("the GitHub issue lacks the provider's name or note:\n%s", b)
	}
	if fs[0].Issue == "" || !strings.HasSuffix(fs[0].Issue, "/issues/1") {
		t.Errorf("Finding.Issue = %q", fs[0].Issue)
	}

	// Same state: nothing opened, nothing edited, nothing commented.
	before := len(gh.Calls())
	if err := f.File(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	for _, c := range gh.Calls()[before:] {
		if c.Method != http.MethodGet {
			t.Errorf("second run sent %s %s", c.Method, c.Path)
		}
	}
	// A revocation: the issue is updated and commented, not duplicated.
	fs[0].Verification = &outcome.Step{Status: outcome.Invalid}
	fs[0].Revocation = &outcome.Step{Status: outcome.Revoked, Detail: "deleted project key key_1"}
	if err := f.File(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	if len(gh.Issues) != 3 || len(gh.Issues[0].Comments) != 1 || len(gh.Issues[1].Comments) != 0 {
		t.Fatalf("%d issues, comments %d/%d", len(gh.Issues), len(gh.Issues[0].Comments), len(gh.Issues[1].Comments))
	}
	if c := gh.Issues[0].Comments[0]; !strings.Contains(c, "revocation: none → **revoked**") {
		t.Errorf("comment: %s", c)
	}
	for _, i := range gh.Issues {
		for _, f := range fs {
			for _, text := range append([]string{i.Title, i.Body}, i.Comments...) {
				if strings.Contains(text, f.Secret) {
					t.Errorf("issue %d holds a raw secret", i.Number)
				}
			}
		}
	}
}

// TestFileWaitsOutRateLimits: GitHub's rate-limit answers to issue calls are waited out by
// the shared client, as long as each asks, and the issue is filed once.
func TestFileWaitsOutRateLimits(t *testing.T) {
	const secondary = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
	reset := time.Now().Add(20 * time.Second)
	tests := []struct {
		name  string
		route string
		reply fake.Reply
		// wait is the one wait before the call is tried again; the reset of a primary
		// limit is a time in whole seconds, read a moment later, so the wait may be a few
		// seconds shorter.
		wait time.Duration
	}{
		{"429 with Retry-After", "POST /repos/o/r/issues", fake.Reply{Status: 429, Header: map[string]string{"Retry-After": "3"}}, 3 * time.Second},
		{"primary limit", "GET /repos/o/r/issues", fake.Reply{Status: 403, Header: map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": strconv.FormatInt(reset.Unix(), 10)}, Body: `{"message":"API rate limit exceeded for user ID 1."}`}, 20 * time.Second},
		{"secondary limit with Retry-After", "POST /repos/o/r/issues", fake.Reply{Status: 403, Header: map[string]string{"Retry-After": "2"}, Body: secondary}, 2 * time.Second},
		// GitHub asks for at least a minute when the answer names no wait.
		{"secondary limit naming no wait", "POST /repos/o/r/issues", fake.Reply{Status: 403, Header: map[string]string{"X-Ratelimit-Remaining": "4999", "X-Ratelimit-Reset": strconv.FormatInt(reset.Add(time.Hour).Unix(), 10)}, Body: secondary}, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := fake.NewGitHub(t, "operator-"+strings.Repeat("z", 10))
			red := &rules.Redactor{}
			fi := finding(t, 5, "openai", `{{openai "sk-proj-" 74}}`, "src/api.js")
			red.Add(fi.Secret, fi.Redacted)
			gh.Inject(tt.route, 1, tt.reply)
			var waits []time.Duration
			if err := newFiler(t, gh, red, &waits).File(context.Background(), []*scanner.Finding{fi}); err != nil {
				t.Fatal(err)
			}
			if len(gh.Issues) != 1 {
				t.Errorf("%d issues, want 1", len(gh.Issues))
			}
			if len(waits) != 1 || waits[0] > tt.wait || waits[0] < tt.wait-5*time.Second {
				t.Errorf("waits %v, want one of %v", waits, tt.wait)
			}
		})
	}
}

// TestEscaping: file names, provider messages and URLs cannot inject markdown, HTML or
// mentions into an issue.
func TestEscaping(t *testing.T) {
	gh := fake.NewGitHub(t, "operator-"+strings.Repeat("y", 10))
	red := &rules.Redactor{}
	fi := finding(t, 9, "openai", `{{openai "sk-proj-" 74}}`, "a`b``<img src=x onerror=alert(1)>\n# Heading @admin [x](javascript:alert(1)).js")
	fi.Locations = append(fi.Locations, scanner.Location{URL: "javascript:alert(1)", Path: ""}, scanner.Location{URL: "https://cdn.example.com/app.js?a=(b)<c>", Exposure: "public-bundle"})
	fi.Verification = &outcome.Step{Status: outcome.Unknown, Detail: "HTTP 500: <script>alert(1)</script> **bold** @team #1"}
	red.Add(fi.Secret, fi.Redacted)
	var waits []time.Duration
	if err := newFiler(t, gh, red, &waits).File(context.Background(), []*scanner.Finding{fi}); err != nil {
		t.Fatal(err)
	}
	// Code spans show their content literally; what is left must hold no live markup.
	body := stripCode(gh.Issues[0].Body)
	for _, bad := range []string{"<img", "<script", "\n# Heading", "](javascript:", "@admin", "@team", "**bold**", "<c>"} {
		if strings.Contains(body, bad) {
			t.Errorf("body holds %q:\n%s", bad, body)
		}
	}
	if strings.Contains(gh.Issues[0].Title, "\n") {
		t.Errorf("title has a line break: %q", gh.Issues[0].Title)
	}
}

func TestCode(t *testing.T) {
	tests := map[string]string{
		"a.js":    "` a.js `",
		"a`b":     "`` a`b ``",
		"x``y\nz": "``` x``y z ```",
	}
	for in, want := range tests {
		if got := code(in); got != want {
			t.Errorf("code(%q) = %q, want %q", in, got, want)
		}
	}
}

// stripCode removes inline code spans (as CommonMark closes them: a run of the same number
// of backticks) and link targets' text stays.
func stripCode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '`' {
			b.WriteByte(s[i])
			i++
			continue
		}
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		j := i + n
		closed := -1
		for k := j; k < len(s); {
			if s[k] != '`' {
				k++
				continue
			}
			m := 0
			for k+m < len(s) && s[k+m] == '`' {
				m++
			}
			if m == n {
				closed = k + m
				break
			}
			k += m
		}
		if closed < 0 {
			b.WriteString(s[i:j])
			i = j
			continue
		}
		b.WriteString("CODE")
		i = closed
	}
	return b.String()
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
