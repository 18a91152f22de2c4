// Package citest builds what the tests of CI runs need: a real origin repository served over
// git's smart HTTP protocol (git http-backend behind net/http/cgi), behind a token as GitHub's
// is, that answers fetches by commit id as GitHub and GitLab do; checkouts of it made the way
// actions/checkout makes them (one commit deep, the token in an http.extraheader); and the
// event payloads and variables of GitHub Actions and GitLab CI. It is for tests only.
package citest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Env isolates git from the machine's configuration and fixes authors, for every git command
// the tests run.
func Env() []string {
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada Author", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada Author", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_TERMINAL_PROMPT=0", "LC_ALL=C",
	)
}

// NeedGit skips the test when git is not installed, and fails it when CI is "true".
func NeedGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}
}

// Git runs git in dir and returns its trimmed output; a failure fails the test.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := git(dir, 0, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func git(dir string, tick int, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(tick) * time.Hour).Format(time.RFC3339)
	cmd.Env = append(Env(), "GIT_AUTHOR_DATE="+d, "GIT_COMMITTER_DATE="+d)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// Token is the token the origin wants, as actions/checkout's GITHUB_TOKEN. Tests check that
// no output holds it.
const Token = "ghs_citestTokenThatMustNeverBePrinted0000"

// Origin is a repository to push to and fetch from: commits are made in Work and pushed to
// the bare repository that the smart-HTTP server serves at URL.
type Origin struct {
	t    testing.TB
	Work string
	Bare string
	URL  string
	tick int
	// fetches counts the fetches the server answered (upload-pack requests).
	fetches *atomic.Int64
}

// NewOrigin makes an empty origin whose default branch is main. The server wants the
// Token in a basic Authorization header, as GitHub does for actions/checkout, and serves any
// commit reachable from its refs by id (uploadpack.allowReachableSHA1InWant, as GitHub).
func NewOrigin(t testing.TB) *Origin {
	t.Helper()
	NeedGit(t)
	root := t.TempDir()
	o := &Origin{t: t, Work: filepath.Join(root, "work"), Bare: filepath.Join(root, "srv", "app.git"), fetches: &atomic.Int64{}}
	Git(t, root, "init", "-q", "-b", "main", o.Work)
	Git(t, root, "init", "-q", "--bare", "-b", "main", o.Bare)
	Git(t, o.Bare, "config", "uploadpack.allowReachableSHA1InWant", "true")
	Git(t, o.Bare, "config", "http.receivepack", "false")
	Git(t, o.Work, "remote", "add", "origin", o.Bare)
	o.URL = serve(t, filepath.Dir(o.Bare), o.fetches) + "/app.git"
	return o
}

// serve serves the repositories under root over smart HTTP, wanting the Token.
func serve(t testing.TB, root string, fetches *atomic.Int64) string {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	h := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env: []string{
			"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		},
		// upload-pack's refusals ("not our ref") are what some tests ask for.
		Stderr: io.Discard,
	}
	want := "basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+Token))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Authorization"), want) {
			w.Header().Set("WWW-Authenticate", `Basic realm="citest"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
			fetches.Add(1)
		}
		http.StripPrefix("/git", h).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/git"
}

// Fetches is the number of fetches the server has answered.
func (o *Origin) Fetches() int { return int(o.fetches.Load()) }

// Git runs git in the work repository.
func (o *Origin) Git(args ...string) string {
	o.t.Helper()
	out, err := git(o.Work, o.tick, args...)
	if err != nil {
		o.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Commit writes files (an empty content deletes the file), commits everything on the work
// repository's current branch, and returns the commit's id. Each commit is an hour after the
// one before.
func (o *Origin) Commit(msg string, files map[string]string) string {
	o.t.Helper()
	for name, content := range files {
		p := filepath.Join(o.Work, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				o.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			o.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			o.t.Fatal(err)
		}
	}
	o.tick++
	o.Git("add", "-A")
	o.Git("commit", "-q", "--allow-empty", "-m", msg)
	return o.Git("rev-parse", "HEAD")
}

// Commits makes n commits, each adding a file, and returns their ids, oldest first.
func (o *Origin) Commits(prefix string, n int) []string {
	o.t.Helper()
	ids := make([]string, n)
	for i := range ids {
		name := prefix + "-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		ids[i] = o.Commit(name, map[string]string{prefix + "/" + name + ".txt": name + "\n"})
	}
	return ids
}

// Push force-pushes refspecs ("main", "feature", "sha:refs/pull/7/head") to the origin.
func (o *Origin) Push(refspecs ...string) {
	o.t.Helper()
	specs := make([]string, len(refspecs))
	for i, s := range refspecs {
		if !strings.Contains(s, ":") {
			s = "refs/heads/" + s + ":refs/heads/" + s
		}
		specs[i] = "+" + s
	}
	o.Git(append([]string{"push", "-q", "origin"}, specs...)...)
}

// Delete removes refs from the origin and prunes what they alone held, so that the server
// no longer serves those commits (the before of a force push).
func (o *Origin) Delete(refs ...string) {
	o.t.Helper()
	for _, r := range refs {
		Git(o.t, o.Bare, "update-ref", "-d", r)
	}
	Git(o.t, o.Bare, "reflog", "expire", "--expire=now", "--all")
	Git(o.t, o.Bare, "gc", "-q", "--prune=now")
}

// Checkout makes a checkout of sha the way actions/checkout does by default: a new
// repository with origin set to the server, the token in an http.extraheader, one commit
// fetched into ref (refs/remotes/origin/BRANCH, or refs/remotes/pull/N/merge), checked out.
// depth 0 fetches the whole history of every branch and tag (fetch-depth: 0).
func (o *Origin) Checkout(sha, ref string, depth int) string {
	o.t.Helper()
	dir := filepath.Join(o.t.TempDir(), "checkout")
	Git(o.t, filepath.Dir(dir), "init", "-q", dir)
	Git(o.t, dir, "remote", "add", "origin", o.URL)
	header := "AUTHORIZATION: basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+Token))
	Git(o.t, dir, "config", "--local", "http."+o.URL+".extraheader", header)
	if depth == 0 {
		Git(o.t, dir, "fetch", "-q", "--prune", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*")
	} else {
		Git(o.t, dir, "fetch", "-q", "--no-tags", "--prune", "--no-recurse-submodules", "--depth=1", "origin", "+"+sha+":"+ref)
	}
	Git(o.t, dir, "checkout", "-q", "--force", sha)
	return dir
}

// Clone makes a `git clone --depth 1` of the origin's branch over smart HTTP, with the
// token in an http.extraheader as actions/checkout keeps it.
func (o *Origin) Clone(branch string) string {
	o.t.Helper()
	dir := filepath.Join(o.t.TempDir(), "clone")
	header := "http." + o.URL + ".extraheader=AUTHORIZATION: basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+Token))
	Git(o.t, filepath.Dir(dir), "clone", "-q", "--depth", "1", "--branch", branch, "--config", header, o.URL, dir)
	return dir
}

// RevList returns the commit ids git rev-list gives for args in dir, sorted as git sorts.
func RevList(t testing.TB, dir string, args ...string) []string {
	t.Helper()
	out := Git(t, dir, append([]string{"rev-list"}, args...)...)
	return strings.Fields(out)
}

// Zero is the all-zeros commit id of a first push.
const Zero = "0000000000000000000000000000000000000000"

// WriteEvent writes an event payload as the runner writes GITHUB_EVENT_PATH, and returns the
// file's path.
func WriteEvent(t testing.TB, payload any) string {
	t.Helper()
	data, err := json.MarshalIndent(payload, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Repo is a payload's repository object.
func Repo(fullName string) map[string]any {
	return map[string]any{
		"full_name": fullName, "default_branch": "main",
		"html_url": "https://github.com/" + fullName,
	}
}

// Push is a push event's payload.
func Push(ref, before, after string, commits int, extra map[string]any) map[string]any {
	p := map[string]any{
		"ref": ref, "before": before, "after": after,
		"created": before == Zero, "deleted": after == Zero, "forced": false,
		"commits": make([]map[string]any, commits), "repository": Repo("acme/app"),
	}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

// PullRequest is a pull_request event's payload; headRepo other than "acme/app" is a fork.
func PullRequest(number int, base, head string, commits int, headRepo string) map[string]any {
	return map[string]any{
		"action": "synchronize", "number": number,
		"pull_request": map[string]any{
			"number": number, "commits": commits,
			"head": map[string]any{"sha": head, "ref": "feature", "repo": map[string]any{"full_name": headRepo}},
			"base": map[string]any{"sha": base, "ref": "main", "repo": map[string]any{"full_name": "acme/app"}},
		},
		"repository": Repo("acme/app"),
	}
}

// Getenv returns a getenv that reads vars, then nothing.
func Getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// GitHubEnv is the environment of a GitHub Actions step for event name with its payload
// file.
func GitHubEnv(name, eventPath, sha string) map[string]string {
	return map[string]string{
		"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": eventPath,
		"GITHUB_SHA": sha, "GITHUB_REPOSITORY": "acme/app", "GITHUB_SERVER_URL": "https://github.com",
	}
}
