package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/ci/citest"
	"github.com/leakstop/leakstop/scanner/report"
)

// ciHistory is an origin whose branches hold a key each:
//
//	main:     m1 - m2 (key 0 in config.env) - m3
//	feature:                                   \ f1 (key 1 in app.env) - f2 (app.env deleted) - f3
//	rewrite:                                   \ g1 (key 2), force-pushed over r1, which is gone
//	queue:    the merge of feature into main, as a merge queue makes it
//
// and the pull request refs of feature (#7).
type ciHistory struct {
	o                *citest.Origin
	keys             []string
	m, f, g          []string
	gone, merge, tag string
}

func newCIHistory(t *testing.T) *ciHistory {
	t.Helper()
	o := citest.NewOrigin(t)
	gen := rules.NewGenerator(11)
	h := &ciHistory{o: o}
	for range 3 {
		h.keys = append(h.keys, gen.OpenAIKey("sk-proj-", 74))
	}
	h.m = append(h.m, o.Commit("Start", map[string]string{"README.md": "# app\n"}))
	h.m = append(h.m, o.Commit("Configure", map[string]string{"config.env": "MODE=prod\nOPENAI_API_KEY=" + h.keys[0] + "\n"}))
	h.m = append(h.m, o.Commit("Document", map[string]string{"README.md": "# app\n\nIt runs.\n"}))
	o.Git("tag", "v1", h.m[2])
	h.tag = h.m[2]
	o.Git("checkout", "-q", "-b", "feature")
	h.f = append(h.f, o.Commit("Call the API", map[string]string{"app.env": "OPENAI_API_KEY=" + h.keys[1] + "\n"}))
	h.f = append(h.f, o.Commit("Take the key out", map[string]string{"app.env": ""}))
	h.f = append(h.f, o.Commit("More docs", map[string]string{"docs/use.md": "Use it.\n"}))
	o.Git("checkout", "-q", "-b", "rewrite", h.m[2])
	h.gone = o.Commit("To be rewritten", map[string]string{"tmp.txt": "x\n"})
	o.Push("rewrite")
	o.Git("reset", "-q", "--hard", h.m[2])
	h.g = append(h.g, o.Commit("Rewritten", map[string]string{"new.env": "OPENAI_API_KEY=" + h.keys[2] + "\n"}))
	o.Git("checkout", "-q", "--detach", h.m[2])
	o.Git("merge", "-q", "--no-ff", "-m", "Merge pull request #7", h.f[2])
	h.merge = o.Git("rev-parse", "HEAD")
	o.Git("checkout", "-q", "main")
	o.Push("main", "feature", "rewrite", "refs/tags/v1:refs/tags/v1", h.f[2]+":refs/pull/7/head",
		h.merge+":refs/pull/7/merge", h.merge+":refs/heads/gh-readonly-queue/main/pr-7")
	o.Delete() // h.gone is unreachable now, and pruned
	return h
}

// ciResult is what one run of leakstop ci left.
type ciResult struct {
	code           int
	stdout, stderr string
	report         *report.Report
	outputs        map[string]string
	summary        string
	sarif          []byte
}

// runCIMain runs `leakstop ci` in dir as a CI step with env, writing the report, SARIF,
// summary and outputs to temporary files.
func runCIMain(t *testing.T, dir string, env map[string]string, args ...string) ciResult {
	t.Helper()
	tmp := t.TempDir()
	vars := map[string]string{
		"HOME": tmp, "XDG_STATE_HOME": filepath.Join(tmp, "state"), "NO_COLOR": "1", "RUNNER_TEMP": tmp,
		"GITHUB_OUTPUT": filepath.Join(tmp, "output"), "GITHUB_STEP_SUMMARY": filepath.Join(tmp, "summary"),
	}
	for k, v := range env {
		vars[k] = v
	}
	reportPath, sarifPath := filepath.Join(tmp, "report.json"), filepath.Join(tmp, "leakstop.sarif")
	var stdout, stderr bytes.Buffer
	argv := append([]string{"ci", "--report", reportPath, "--sarif", sarifPath}, args...)
	argv = append(argv, dir)
	code := Main(argv, strings.NewReader(""), &stdout, &stderr, func(k string) string { return vars[k] })
	r := ciResult{code: code, stdout: stdout.String(), stderr: stderr.String(), outputs: map[string]string{}}
	if f, err := os.Open(reportPath); err == nil {
		r.report, err = report.Read(f)
		f.Close()
		if err != nil {
			t.Fatalf("reading the report: %v", err)
		}
	}
	r.sarif, _ = os.ReadFile(sarifPath)
	summary, _ := os.ReadFile(vars["GITHUB_STEP_SUMMARY"])
	r.summary = string(summary)
	out, _ := os.ReadFile(vars["GITHUB_OUTPUT"])
	r.outputs = parseOutputs(t, string(out))
	for _, s := range []string{r.stdout, r.stderr, r.summary, string(out), string(r.sarif)} {
		if strings.Contains(s, citest.Token) {
			t.Errorf("an output holds the checkout's token")
		}
	}
	return r
}

// parseOutputs reads $GITHUB_OUTPUT as the runner does: name<<DELIM … DELIM, or name=value.
func parseOutputs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("output %s has no closing delimiter", name)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("output line %q", line)
		}
		out[name] = val
	}
	return out
}

// foundKeys are the indexes of the keys the report holds, and the commit each came in.
func (h *ciHistory) foundKeys(t *testing.T, rep *report.Report) map[int]string {
	t.Helper()
	got := map[int]string{}
	for _, f := range rep.Findings {
		i := slices.IndexFunc(h.keys, func(k string) bool { return scanner.Fingerprint(f.Rule, k) == f.Fingerprint })
		if i < 0 {
			t.Errorf("finding %s of no key of the history", f.Fingerprint)
			continue
		}
		got[i] = f.First().Commit
	}
	return got
}

// TestCI runs `leakstop ci` on every event of GitHub Actions and GitLab CI, each in a
// checkout one commit deep: the commits scanned are exactly the event's, a key that came in
// an earlier commit of a pull request and was deleted since is found, and the outputs say so.
func TestCI(t *testing.T) {
	h := newCIHistory(t)
	o := h.o
	zero := citest.Zero
	// --verify asks the OpenAI fake, where no key is live.
	openai := fake.NewOpenAI(t, rules.NewGenerator(3).OpenAIKey("sk-admin-", 58))
	gh := func(name string, payload any, sha string) map[string]string {
		env := citest.GitHubEnv(name, citest.WriteEvent(t, payload), sha)
		env["LEAKSTOP_OPENAI_URL"] = openai.URL
		return env
	}
	gl := func(extra map[string]string) map[string]string {
		env := map[string]string{
			"GITLAB_CI": "true", "CI": "true", "CI_DEFAULT_BRANCH": "main", "CI_PROJECT_PATH": "acme/app",
			"LEAKSTOP_OPENAI_URL": openai.URL,
		}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	// all is what the whole history holds: every branch and tag of the origin.
	all := len(citest.RevList(t, o.Bare, "--branches", "--tags"))
	cases := []struct {
		name     string
		env      map[string]string
		sha, ref string
		// commits is the range whose commits must be scanned, as git rev-list reads it in
		// the origin; nil for nothing, {"all"} for the whole history.
		commits []string
		keys    map[int]string
		code    int
	}{
		{
			name: "push", env: gh("push", citest.Push("refs/heads/main", h.m[0], h.m[2], 2, nil), h.m[2]),
			sha: h.m[2], ref: "refs/remotes/origin/main",
			commits: []string{h.m[2], "^" + h.m[0]}, keys: map[int]string{0: h.m[1]}, code: 1,
		},
		{
			name: "first push", env: gh("push", citest.Push("refs/heads/main", zero, h.m[2], 3, nil), h.m[2]),
			sha: h.m[2], ref: "refs/remotes/origin/main",
			commits: []string{h.m[2]}, keys: map[int]string{0: h.m[1]}, code: 1,
		},
		{
			name: "new branch", env: gh("push", citest.Push("refs/heads/feature", zero, h.f[2], 3, nil), h.f[2]),
			sha: h.f[2], ref: "refs/remotes/origin/feature",
			commits: []string{h.f[2], "^" + h.m[2]}, keys: map[int]string{1: h.f[0]}, code: 1,
		},
		{
			name: "force push", env: gh("push", citest.Push("refs/heads/rewrite", h.gone, h.g[0], 1, map[string]any{"forced": true}), h.g[0]),
			sha: h.g[0], ref: "refs/remotes/origin/rewrite",
			commits: []string{h.g[0], "^" + h.m[2]}, keys: map[int]string{2: h.g[0]}, code: 1,
		},
		{
			name: "pull request", env: gh("pull_request", citest.PullRequest(7, h.m[2], h.f[2], 3, "acme/app"), h.merge),
			sha: h.merge, ref: "refs/remotes/pull/7/merge",
			commits: []string{h.f[2], "^" + h.m[2]}, keys: map[int]string{1: h.f[0]}, code: 1,
		},
		{
			name: "fork pull request", env: gh("pull_request", citest.PullRequest(7, h.m[2], h.f[2], 3, "mallory/app"), h.merge),
			sha: h.merge, ref: "refs/remotes/pull/7/merge",
			commits: []string{h.f[2], "^" + h.m[2]}, keys: map[int]string{1: h.f[0]}, code: 1,
		},
		{
			name: "merge group", env: gh("merge_group", map[string]any{
				"merge_group": map[string]any{"head_sha": h.merge, "head_ref": "refs/heads/gh-readonly-queue/main/pr-7", "base_sha": h.m[2], "base_ref": "refs/heads/main"},
				"repository":  citest.Repo("acme/app"),
			}, h.merge),
			sha: h.merge, ref: "refs/remotes/origin/gh-readonly-queue/main/pr-7",
			commits: []string{h.merge, "^" + h.m[2]}, keys: map[int]string{1: h.f[0]}, code: 1,
		},
		{
			name: "tag push", env: gh("push", citest.Push("refs/tags/v1", zero, h.tag, 0, nil), h.tag),
			sha: h.tag, ref: "refs/tags/v1",
		},
		{
			name: "before equals after", env: gh("push", citest.Push("refs/heads/main", h.m[2], h.m[2], 0, nil), h.m[2]),
			sha: h.m[2], ref: "refs/remotes/origin/main",
		},
		{
			name: "schedule", env: gh("schedule", map[string]any{"schedule": "17 3 * * *"}, h.m[2]),
			sha: h.m[2], ref: "refs/remotes/origin/main",
			commits: []string{"all"}, keys: map[int]string{0: h.m[1], 1: h.f[0], 2: h.g[0]}, code: 1,
		},
		{
			name: "workflow dispatch", env: gh("workflow_dispatch", map[string]any{"ref": "refs/heads/main", "repository": citest.Repo("acme/app")}, h.m[2]),
			sha: h.m[2], ref: "refs/remotes/origin/main",
			commits: []string{"all"}, keys: map[int]string{0: h.m[1], 1: h.f[0], 2: h.g[0]}, code: 1,
		},
		{
			name: "gitlab merge request", env: gl(map[string]string{
				"CI_PIPELINE_SOURCE": "merge_request_event", "CI_COMMIT_SHA": h.f[2], "CI_MERGE_REQUEST_DIFF_BASE_SHA": h.m[2],
				"CI_MERGE_REQUEST_IID": "7",
			}),
			sha: h.f[2], ref: "refs/remotes/origin/feature",
			commits: []string{h.f[2], "^" + h.m[2]}, keys: map[int]string{1: h.f[0]}, code: 1,
		},
		{
			name: "gitlab branch", env: gl(map[string]string{
				"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_SHA": h.m[2], "CI_COMMIT_BEFORE_SHA": h.m[0], "CI_COMMIT_BRANCH": "main",
			}),
			sha: h.m[2], ref: "refs/remotes/origin/main",
			commits: []string{h.m[2], "^" + h.m[0]}, keys: map[int]string{0: h.m[1]}, code: 1,
		},
		{
			name: "gitlab new branch", env: gl(map[string]string{
				"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_SHA": h.g[0], "CI_COMMIT_BEFORE_SHA": zero, "CI_COMMIT_BRANCH": "rewrite",
			}),
			sha: h.g[0], ref: "refs/remotes/origin/rewrite",
			commits: []string{h.g[0], "^" + h.m[2]}, keys: map[int]string{2: h.g[0]}, code: 1,
		},
		{
			name: "gitlab schedule", env: gl(map[string]string{
				"CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_SHA": h.m[2], "CI_COMMIT_BEFORE_SHA": zero, "CI_COMMIT_BRANCH": "main",
			}),
			sha: h.m[2], ref: "refs/remotes/origin/main",
			commits: []string{"all"}, keys: map[int]string{0: h.m[1], 1: h.f[0], 2: h.g[0]}, code: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := o.Checkout(c.sha, c.ref, 1)
			r := runCIMain(t, dir, c.env, "--verify")
			if os.Getenv("CI_TEST_SHOW") == c.name {
				t.Logf("stdout:\n%s\nstderr:\n%s\nsummary:\n%s\noutputs: %v", r.stdout, r.stderr, r.summary, r.outputs)
			}
			if r.code != c.code {
				t.Fatalf("exit status %d, want %d\nstderr:\n%s", r.code, c.code, r.stderr)
			}
			want := 0
			switch {
			case len(c.commits) == 1 && c.commits[0] == "all":
				want = all
			case c.commits != nil:
				want = len(citest.RevList(t, o.Bare, c.commits...))
			}
			if r.report == nil {
				t.Fatalf("no JSON report; stderr:\n%s", r.stderr)
			}
			if got := int(r.report.Stats.Commits); got != want {
				t.Errorf("%d commits scanned, want %d (%v)\nstderr:\n%s", got, want, c.commits, r.stderr)
			}
			if c.keys == nil {
				c.keys = map[int]string{}
			}
			if diff := cmp.Diff(c.keys, h.foundKeys(t, r.report)); diff != "" {
				t.Errorf("keys found, and the commit each came in (-want +got):\n%s", diff)
			}
			if len(r.sarif) == 0 {
				t.Errorf("no SARIF file written")
			}
			github := c.env["GITHUB_ACTIONS"] == "true"
			if !github {
				if r.summary != "" || len(r.outputs) > 0 || strings.Contains(r.stdout, "::") {
					t.Errorf("GitHub outputs outside GitHub Actions")
				}
				return
			}
			if got, want := r.outputs["findings"], len(c.keys); got != strconv.Itoa(want) {
				t.Errorf("output findings=%s, want %d", got, want)
			}
			if !strings.Contains(r.summary, "### What was scanned") {
				t.Errorf("no job summary:\n%s", r.summary)
			}
			checkMasks(t, r.stdout, h.keys)
			if strings.Contains(c.name, "fork") {
				if !strings.Contains(r.stderr, "a fork's pull request: --verify, --revoke and --issues are skipped") {
					t.Errorf("no line on the skipped actions:\n%s", r.stderr)
				}
				for _, f := range r.report.Findings {
					if f.Verification != nil {
						t.Errorf("a fork's finding was verified: %+v", f.Verification)
					}
				}
			}
		})
	}
}

// checkMasks: every key on stdout is in an ::add-mask:: line, which comes before any other
// line that names the finding.
func checkMasks(t *testing.T, stdout string, keys []string) {
	t.Helper()
	lines := strings.Split(stdout, "\n")
	firstOther := slices.IndexFunc(lines, func(l string) bool { return l != "" && !strings.HasPrefix(l, "::add-mask::") })
	for i, l := range lines {
		for _, k := range keys {
			if !strings.Contains(l, k) {
				continue
			}
			if !strings.HasPrefix(l, "::add-mask::") {
				t.Errorf("line %d holds a key in clear: %q", i, l)
			} else if firstOther >= 0 && i > firstOther {
				t.Errorf("the mask of a key comes after other output (line %d)", i)
			}
		}
	}
}

// TestCIFailOn: --fail-on any fails on every leak, live on live secrets only, never on none;
// the outputs count what was found and verified.
func TestCIFailOn(t *testing.T) {
	h := newCIHistory(t)
	admin := rules.NewGenerator(3).OpenAIKey("sk-admin-", 58)
	openai := fake.NewOpenAI(t, admin)
	env := func() map[string]string {
		e := citest.GitHubEnv("pull_request", citest.WriteEvent(t, citest.PullRequest(7, h.m[2], h.f[2], 3, "acme/app")), h.merge)
		e["LEAKSTOP_OPENAI_URL"] = openai.URL
		e["LEAKSTOP_BACKOFF"] = "1ms"
		return e
	}
	dir := h.o.Checkout(h.merge, "refs/remotes/pull/7/merge", 1)
	for _, c := range []struct {
		failOn string
		live   bool
		code   int
	}{
		{"any", false, 1}, {"live", false, 0}, {"never", false, 0},
		{"live", true, exitLive}, {"never", true, 0}, {"any", true, 1},
	} {
		if c.live {
			openai.AddKey("proj_default", "", h.keys[1])
		}
		r := runCIMain(t, dir, env(), "--fail-on", c.failOn)
		if r.code != c.code {
			t.Errorf("--fail-on %s, key live %v: exit status %d, want %d\n%s", c.failOn, c.live, r.code, c.code, r.stderr)
		}
		wantLive := "0"
		if c.live && c.failOn == "live" {
			wantLive = "1"
		}
		if c.failOn == "live" && r.outputs["live"] != wantLive {
			t.Errorf("--fail-on %s: output live=%s, want %s", c.failOn, r.outputs["live"], wantLive)
		}
		if r.outputs["findings"] != "1" || r.outputs["range"] != h.m[2]+".."+h.f[2] {
			t.Errorf("--fail-on %s: outputs %v", c.failOn, r.outputs)
		}
	}
}

// TestCIManual: outside CI, --base and --head are needed, and then scan what they say.
func TestCIManual(t *testing.T) {
	h := newCIHistory(t)
	dir := h.o.Checkout(h.m[2], "", 0)
	r := runCIMain(t, dir, nil)
	if r.code != 2 || !strings.Contains(r.stderr, "no CI event") || !strings.Contains(r.stderr, "hint: elsewhere, give the commits to scan: leakstop ci --base REV --head REV") {
		t.Errorf("leakstop ci outside CI: exit %d\n%s", r.code, r.stderr)
	}
	r = runCIMain(t, dir, nil, "--base", "origin/main", "--head", "origin/feature")
	if r.code != 1 || r.report == nil || len(r.report.Findings) != 1 || r.report.Stats.Commits != 3 {
		t.Errorf("--base origin/main --head origin/feature: exit %d, report %+v\n%s", r.code, r.report, r.stderr)
	}
	if r.summary != "" || strings.Contains(r.stdout, "::add-mask::") {
		t.Errorf("GitHub outputs outside GitHub Actions")
	}
	r = runCIMain(t, dir, nil, "--fail-on", "sometimes")
	if r.code != 2 || !strings.Contains(r.stderr, `--fail-on "sometimes" is not any, live or never`) {
		t.Errorf("--fail-on sometimes: exit %d\n%s", r.code, r.stderr)
	}
}

// TestCIShallowClone: in a `git clone --depth 1` of a pull request's branch, the key that
// came in the first of its three commits, and was deleted in the second, is found.
func TestCIShallowClone(t *testing.T) {
	h := newCIHistory(t)
	dir := h.o.Clone("feature")
	if got := citest.Git(t, dir, "rev-parse", "--is-shallow-repository"); got != "true" {
		t.Fatalf("the clone is not shallow")
	}
	env := citest.GitHubEnv("pull_request", citest.WriteEvent(t, citest.PullRequest(7, h.m[2], h.f[2], 3, "acme/app")), h.f[2])
	r := runCIMain(t, dir, env)
	if r.code != 1 || r.report == nil {
		t.Fatalf("exit status %d\n%s", r.code, r.stderr)
	}
	if diff := cmp.Diff(map[int]string{1: h.f[0]}, h.foundKeys(t, r.report)); diff != "" {
		t.Errorf("keys found (-want +got):\n%s", diff)
	}
	if r.report.Stats.Commits != 3 || !strings.Contains(r.stderr, "fetched from origin: the base commit") {
		t.Errorf("%d commits scanned, want 3; log:\n%s", r.report.Stats.Commits, r.stderr)
	}
}
