package ci_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/scanner/ci"
	"github.com/leakstop/leakstop/scanner/ci/citest"
)

// history is an origin with a main branch and a feature branch off it:
//
//	main:    m1 - m2 - m3 - m4
//	               \
//	feature:        f1 - f2 - f3
type history struct {
	o        *citest.Origin
	main     []string
	feature  []string
	tagged   string
	mergeRef string
}

func newHistory(t *testing.T) *history {
	t.Helper()
	o := citest.NewOrigin(t)
	h := &history{o: o}
	h.main = o.Commits("m", 2)
	o.Git("checkout", "-q", "-b", "feature")
	h.feature = o.Commits("f", 3)
	o.Git("checkout", "-q", "main")
	h.main = append(h.main, o.Commits("m2", 2)...)
	o.Git("tag", "v1", h.main[1])
	h.tagged = h.main[1]
	// The merge commit GitHub makes for a pull request: feature merged into main.
	o.Git("checkout", "-q", "--detach", h.main[3])
	o.Git("merge", "-q", "--no-ff", "-m", "Merge feature into main", h.feature[2])
	h.mergeRef = o.Git("rev-parse", "HEAD")
	o.Git("checkout", "-q", "main")
	o.Push("main", "feature", "refs/tags/v1:refs/tags/v1", h.feature[2]+":refs/pull/7/head", h.mergeRef+":refs/pull/7/merge")
	return h
}

func prepare(t *testing.T, dir string, ev *ci.Event) *ci.Plan {
	t.Helper()
	c := &ci.Checkout{Dir: dir, Logger: zerolog.New(zerologWriter{t})}
	plan, err := c.Prepare(context.Background(), ev)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return plan
}

type zerologWriter struct{ t *testing.T }

func (w zerologWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// scanned is the set of commits the git source reads for the plan: git rev-list of its
// range in the checkout, or of every ref for the whole history.
func scanned(t *testing.T, dir string, p *ci.Plan) []string {
	t.Helper()
	var got []string
	switch p.Want {
	case ci.WantNothing:
		return nil
	case ci.WantHistory:
		got = citest.RevList(t, dir, "--all")
	default:
		a, b, ok := strings.Cut(p.Range(), "..")
		if ok {
			got = citest.RevList(t, dir, b, "^"+a)
		} else {
			got = citest.RevList(t, dir, a)
		}
	}
	slices.Sort(got)
	return got
}

func sorted(ids ...[]string) []string {
	var out []string
	for _, x := range ids {
		out = append(out, x...)
	}
	slices.Sort(out)
	return out
}

func event(t *testing.T, name string, payload any) *ci.Event {
	t.Helper()
	env := citest.GitHubEnv(name, citest.WriteEvent(t, payload), "")
	ev, err := ci.Detect(citest.Getenv(env), "", "")
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestPrepareGitHub runs every GitHub event against one-commit checkouts of a real origin,
// as actions/checkout leaves them, and checks the exact commits the plan scans.
func TestPrepareGitHub(t *testing.T) {
	h := newHistory(t)
	o := h.o
	zero := citest.Zero
	cases := []struct {
		name    string
		event   string
		payload any
		// checkout is the commit and ref actions/checkout fetches.
		sha, ref string
		want     []string
		wantKind ci.Want
		fetched  bool
	}{
		{
			name: "push", event: "push",
			payload: citest.Push("refs/heads/main", h.main[1], h.main[3], 2, nil),
			sha:     h.main[3], ref: "refs/remotes/origin/main",
			want: h.main[2:], fetched: true,
		},
		{
			name: "first push", event: "push",
			payload: citest.Push("refs/heads/main", zero, h.main[3], 4, nil),
			sha:     h.main[3], ref: "refs/remotes/origin/main",
			want: h.main, fetched: true,
		},
		{
			// What main does not hold: the branch's own commits only.
			name: "new branch", event: "push",
			payload: citest.Push("refs/heads/feature", zero, h.feature[2], 3, nil),
			sha:     h.feature[2], ref: "refs/remotes/origin/feature",
			want: h.feature, fetched: true,
		},
		{
			name: "pull request", event: "pull_request",
			payload: citest.PullRequest(7, h.main[3], h.feature[2], 3, "acme/app"),
			sha:     h.mergeRef, ref: "refs/remotes/pull/7/merge",
			want: h.feature, fetched: true,
		},
		{
			name: "pull request from a fork", event: "pull_request",
			payload: citest.PullRequest(7, h.main[3], h.feature[2], 3, "mallory/app"),
			sha:     h.mergeRef, ref: "refs/remotes/pull/7/merge",
			want: h.feature, fetched: true,
		},
		{
			name: "pull_request_target", event: "pull_request_target",
			payload: citest.PullRequest(7, h.main[3], h.feature[2], 3, "acme/app"),
			sha:     h.main[3], ref: "refs/remotes/origin/main",
			want: h.feature, fetched: true,
		},
		{
			// The PR says one commit, but the branch holds three: deepening finds the base.
			name: "pull request with too small a count", event: "pull_request",
			payload: citest.PullRequest(7, h.main[3], h.feature[2], 1, "acme/app"),
			sha:     h.mergeRef, ref: "refs/remotes/pull/7/merge",
			want: h.feature, fetched: true,
		},
		{
			name: "merge group", event: "merge_group",
			payload: map[string]any{
				"merge_group": map[string]any{"head_sha": h.mergeRef, "head_ref": "refs/heads/gh-readonly-queue/main/pr-7", "base_sha": h.main[3], "base_ref": "refs/heads/main"},
				"repository":  citest.Repo("acme/app"),
			},
			sha: h.mergeRef, ref: "refs/remotes/origin/queue",
			want: sorted(h.feature, []string{h.mergeRef}), fetched: true,
		},
		{
			name: "tag push", event: "push",
			payload: citest.Push("refs/tags/v1", zero, h.tagged, 0, nil),
			sha:     h.tagged, ref: "refs/tags/v1",
			wantKind: ci.WantNothing,
		},
		{
			name: "before equals after", event: "push",
			payload: citest.Push("refs/heads/main", h.main[3], h.main[3], 0, nil),
			sha:     h.main[3], ref: "refs/remotes/origin/main",
			wantKind: ci.WantNothing,
		},
		{
			name: "deleted branch", event: "push",
			payload: citest.Push("refs/heads/feature", h.feature[2], zero, 0, map[string]any{"deleted": true}),
			sha:     h.main[3], ref: "refs/remotes/origin/main",
			wantKind: ci.WantNothing,
		},
		{
			name: "schedule", event: "schedule",
			payload: map[string]any{"schedule": "17 3 * * *"},
			sha:     h.main[3], ref: "refs/remotes/origin/main",
			want: sorted(h.main, h.feature, []string{h.mergeRef}), wantKind: ci.WantHistory, fetched: true,
		},
		{
			name: "workflow_dispatch", event: "workflow_dispatch",
			payload: map[string]any{"inputs": map[string]any{}, "ref": "refs/heads/main", "repository": citest.Repo("acme/app")},
			sha:     h.main[3], ref: "refs/remotes/origin/main",
			want: sorted(h.main, h.feature, []string{h.mergeRef}), wantKind: ci.WantHistory, fetched: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := o.Checkout(c.sha, c.ref, 1)
			ev := event(t, c.event, c.payload)
			plan := prepare(t, dir, ev)
			if plan.Want != c.wantKind {
				t.Fatalf("plan %v (%s), want %v", plan.Want, plan.Note, c.wantKind)
			}
			if c.wantKind == ci.WantHistory {
				// Every branch and tag of the origin, whole; refs/pull/* is not fetched.
				c.want = sorted(citest.RevList(t, o.Bare, "--branches", "--tags"))
			}
			if diff := cmp.Diff(sorted(c.want), scanned(t, dir, plan)); diff != "" {
				t.Errorf("commits scanned for %s (-want +got):\n%s", plan.Range(), diff)
			}
			if got := plan.Fetched != ""; got != c.fetched {
				t.Errorf("fetched %q, want a fetch: %v", plan.Fetched, c.fetched)
			}
			if strings.Contains(plan.Fetched, citest.Token) || strings.Contains(plan.Note, citest.Token) {
				t.Errorf("the plan's words hold the token")
			}
		})
	}
}

// TestForcePush: a force push whose before commit the origin no longer serves is scanned as
// a new branch; one whose before is still there scans what it adds to it.
func TestForcePush(t *testing.T) {
	o := citest.NewOrigin(t)
	main := o.Commits("m", 2)
	o.Git("checkout", "-q", "-b", "feature")
	old := o.Commits("old", 2)
	o.Push("main", "feature")
	// The branch is rewritten from main's first commit; the old commits are gone.
	o.Git("reset", "-q", "--hard", main[0])
	rewritten := o.Commits("new", 2)
	o.Push("feature")
	o.Delete()

	t.Run("before gone", func(t *testing.T) {
		dir := o.Checkout(rewritten[1], "refs/remotes/origin/feature", 1)
		ev := event(t, "push", citest.Push("refs/heads/feature", old[1], rewritten[1], 2, map[string]any{"forced": true}))
		plan := prepare(t, dir, ev)
		if diff := cmp.Diff(sorted(rewritten), scanned(t, dir, plan)); diff != "" {
			t.Errorf("commits scanned for %s (-want +got):\n%s", plan.Range(), diff)
		}
		if !strings.Contains(plan.Note, "force push") || plan.Base != main[1] {
			t.Errorf("plan %+v: want a new branch against main", plan)
		}
	})
	t.Run("before kept", func(t *testing.T) {
		// The old tip lives on in another branch: before..after is what the push adds.
		o.Git("branch", "-f", "keep", old[1])
		o.Push("keep")
		dir := o.Checkout(rewritten[1], "refs/remotes/origin/feature", 1)
		ev := event(t, "push", citest.Push("refs/heads/feature", old[1], rewritten[1], 2, map[string]any{"forced": true}))
		plan := prepare(t, dir, ev)
		if diff := cmp.Diff(sorted(rewritten), scanned(t, dir, plan)); diff != "" {
			t.Errorf("commits scanned for %s (-want +got):\n%s", plan.Range(), diff)
		}
		if plan.Base != old[1] {
			t.Errorf("base %s, want the before commit %s", plan.Base, old[1])
		}
	})
}

// TestDeepen: a push of 40 commits whose payload lists none makes the checkout deepen,
// doubling, until the before commit is connected, and past MaxDepth fetches the history
// whole.
func TestDeepen(t *testing.T) {
	o := citest.NewOrigin(t)
	base := o.Commits("a", 3)
	added := o.Commits("b", 40)
	o.Push("main")
	for _, maxDepth := range []int{0, 20} {
		dir := o.Checkout(added[39], "refs/remotes/origin/main", 1)
		ev := event(t, "push", citest.Push("refs/heads/main", base[2], added[39], 0, nil))
		c := &ci.Checkout{Dir: dir, Logger: zerolog.New(zerologWriter{t}), MaxDepth: maxDepth}
		plan, err := c.Prepare(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sorted(added), scanned(t, dir, plan)); diff != "" {
			t.Errorf("max depth %d: commits scanned (-want +got):\n%s", maxDepth, diff)
		}
		wantWord := "deepened to 32 and 64"
		if maxDepth == 20 {
			wantWord = "whole history"
		}
		if !strings.Contains(plan.Fetched, wantWord) {
			t.Errorf("max depth %d: fetched %q, want %q in it", maxDepth, plan.Fetched, wantWord)
		}
	}
}

// TestCompleteCheckout: a checkout with the whole history (fetch-depth: 0) fetches nothing.
func TestCompleteCheckout(t *testing.T) {
	h := newHistory(t)
	dir := h.o.Checkout(h.main[3], "", 0)
	before := h.o.Fetches()
	ev := event(t, "push", citest.Push("refs/heads/main", h.main[1], h.main[3], 2, nil))
	plan := prepare(t, dir, ev)
	if diff := cmp.Diff(sorted(h.main[2:]), scanned(t, dir, plan)); diff != "" {
		t.Errorf("commits scanned (-want +got):\n%s", diff)
	}
	if plan.Fetched != "" || h.o.Fetches() != before {
		t.Errorf("fetched %q (%d fetches) from a complete checkout", plan.Fetched, h.o.Fetches()-before)
	}
	// A pull request from a fork: its head is on the origin only; fetched in full, the
	// checkout stays complete.
	ev = event(t, "pull_request", citest.PullRequest(7, h.main[3], h.feature[2], 3, "mallory/app"))
	Git := citest.Git
	Git(t, dir, "update-ref", "-d", "refs/remotes/origin/feature")
	Git(t, dir, "reflog", "expire", "--expire=now", "--all")
	Git(t, dir, "gc", "-q", "--prune=now")
	plan = prepare(t, dir, ev)
	if diff := cmp.Diff(sorted(h.feature), scanned(t, dir, plan)); diff != "" {
		t.Errorf("fork PR in a complete checkout (-want +got):\n%s", diff)
	}
	if got := Git(t, dir, "rev-parse", "--is-shallow-repository"); got != "false" {
		t.Errorf("the checkout became shallow")
	}
}

// TestPrepareGitLab runs GitLab CI's pipelines: merge request, branch (before, and a new
// branch), scheduled, tag.
func TestPrepareGitLab(t *testing.T) {
	h := newHistory(t)
	o := h.o
	base := func(extra map[string]string) map[string]string {
		env := map[string]string{
			"GITLAB_CI": "true", "CI_DEFAULT_BRANCH": "main", "CI_PROJECT_PATH": "acme/app",
			"CI_SERVER_URL": "https://gitlab.example.com",
		}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	cases := []struct {
		name     string
		env      map[string]string
		sha      string
		want     []string
		wantKind ci.Want
	}{
		{
			name: "merge request",
			env: base(map[string]string{
				"CI_PIPELINE_SOURCE": "merge_request_event", "CI_COMMIT_SHA": h.feature[2],
				"CI_MERGE_REQUEST_DIFF_BASE_SHA": h.main[1], "CI_MERGE_REQUEST_IID": "3",
				"CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "9", "CI_MERGE_REQUEST_PROJECT_ID": "9",
			}),
			sha: h.feature[2], want: h.feature,
		},
		{
			name: "branch",
			env: base(map[string]string{
				"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_SHA": h.main[3], "CI_COMMIT_BEFORE_SHA": h.main[1],
				"CI_COMMIT_BRANCH": "main",
			}),
			sha: h.main[3], want: h.main[2:],
		},
		{
			name: "new branch",
			env: base(map[string]string{
				"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_SHA": h.feature[2], "CI_COMMIT_BEFORE_SHA": citest.Zero,
				"CI_COMMIT_BRANCH": "feature",
			}),
			sha: h.feature[2], want: h.feature,
		},
		{
			name: "schedule",
			env: base(map[string]string{
				"CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_SHA": h.main[3], "CI_COMMIT_BEFORE_SHA": citest.Zero,
				"CI_COMMIT_BRANCH": "main",
			}),
			sha: h.main[3], wantKind: ci.WantHistory,
		},
		{
			name: "tag",
			env: base(map[string]string{
				"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_SHA": h.tagged, "CI_COMMIT_BEFORE_SHA": citest.Zero,
				"CI_COMMIT_TAG": "v1",
			}),
			sha: h.tagged, wantKind: ci.WantNothing,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// GitLab's runner fetches 20 commits deep by default; one is the worst case.
			dir := o.Checkout(c.sha, "refs/remotes/origin/x", 1)
			ev, err := ci.Detect(citest.Getenv(c.env), "", "")
			if err != nil {
				t.Fatal(err)
			}
			plan := prepare(t, dir, ev)
			if plan.Want != c.wantKind {
				t.Fatalf("plan %v, want %v", plan.Want, c.wantKind)
			}
			if c.wantKind == ci.WantHistory {
				c.want = citest.RevList(t, o.Bare, "--branches", "--tags")
			}
			if diff := cmp.Diff(sorted(c.want), scanned(t, dir, plan)); diff != "" {
				t.Errorf("commits scanned for %s (-want +got):\n%s", plan.Range(), diff)
			}
		})
	}
}

// TestManual: --base and --head anywhere, by name or id, override the event.
func TestManual(t *testing.T) {
	h := newHistory(t)
	dir := h.o.Checkout(h.main[3], "", 0)
	for _, c := range []struct {
		base, head string
		env        map[string]string
		want       []string
	}{
		{"origin/main", "origin/feature", nil, h.feature},
		{h.main[1], h.main[3], nil, h.main[2:]},
		{"", h.main[1], nil, h.main[:2]},
		// In GitHub Actions, the flags win over the event.
		{h.main[2], "", citest.GitHubEnv("schedule", citest.WriteEvent(t, map[string]any{}), ""), h.main[3:]},
	} {
		ev, err := ci.Detect(citest.Getenv(c.env), c.base, c.head)
		if err != nil {
			t.Fatal(err)
		}
		plan := prepare(t, dir, ev)
		if diff := cmp.Diff(sorted(c.want), scanned(t, dir, plan)); diff != "" {
			t.Errorf("--base %q --head %q (-want +got):\n%s", c.base, c.head, diff)
		}
	}
	if _, err := ci.Detect(citest.Getenv(nil), "", ""); err != ci.ErrNoCI {
		t.Errorf("outside CI without --base: %v, want ErrNoCI", err)
	}
}

// TestFetchErrors: a base the origin does not have by name is an error that names no
// credential; an origin that refuses the token likewise.
func TestFetchErrors(t *testing.T) {
	h := newHistory(t)
	dir := h.o.Checkout(h.main[3], "refs/remotes/origin/main", 1)
	ev, err := ci.Detect(citest.Getenv(nil), "no-such-branch", h.main[3])
	if err != nil {
		t.Fatal(err)
	}
	c := &ci.Checkout{Dir: dir}
	if _, err := c.Prepare(context.Background(), ev); err == nil || !strings.Contains(err.Error(), "no-such-branch") {
		t.Errorf("Prepare with an unknown base: %v", err)
	}
	// A remote URL with the token in it (as GitLab's runner sets it), and a server that
	// wants another: git's message must not carry the token.
	citest.Git(t, dir, "config", "--local", "--unset-all", "http."+h.o.URL+".extraheader")
	url := strings.Replace(h.o.URL, "://", "://gitlab-ci-token:"+citest.Token+"@", 1)
	citest.Git(t, dir, "remote", "set-url", "origin", url)
	ev = event(t, "push", citest.Push("refs/heads/main", h.main[0], h.main[3], 0, nil))
	_, err = c.Prepare(context.Background(), ev)
	if err == nil {
		t.Fatal("Prepare with a refused token: no error")
	}
	if strings.Contains(err.Error(), citest.Token) {
		t.Errorf("the error holds the token: %v", err)
	}
	t.Log(err)
}
