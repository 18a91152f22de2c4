package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/org/orgtest"
	"github.com/leakstop/leakstop/scanner/report"
)

// orgWorld is a fake GitHub with the organisation acme and what a run of leakstop against
// it needs: a work folder, the environment, the keys planted.
type orgWorld struct {
	t     *testing.T
	fake  *orgtest.Fake
	dir   string
	env   map[string]string
	gen   *rules.Generator
	repos []*orgtest.Repo
	keys  []string
}

// newOrgWorld makes acme with n repositories, each with a key of its own in its second
// commit, and the environment of a run with the PAT.
func newOrgWorld(t *testing.T, n int) *orgWorld {
	t.Helper()
	w := &orgWorld{t: t, fake: orgtest.New(t), dir: t.TempDir(), gen: rules.NewGenerator(21)}
	w.env = map[string]string{
		"GITHUB_TOKEN": orgtest.PAT, "GITHUB_API_URL": w.fake.APIURL, "HOME": w.dir,
		"XDG_STATE_HOME": filepath.Join(w.dir, "state-home"), "XDG_CACHE_HOME": filepath.Join(w.dir, "cache-home"),
		"NO_COLOR": "1",
	}
	for i := range n {
		r := w.fake.AddRepo("acme", "app-"+strconv.Itoa(i))
		r.Commit("Start", map[string]string{"README.md": "# app\n"})
		k := w.gen.OpenAIKey("sk-proj-", 74)
		r.Commit("Configure", map[string]string{"app.env": "OPENAI_API_KEY=" + k + "\n"})
		w.repos = append(w.repos, r)
		w.keys = append(w.keys, k)
	}
	return w
}

type orgRun struct {
	code           int
	stdout, stderr string
}

func (w *orgWorld) run(args ...string) orgRun {
	w.t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(args, strings.NewReader(""), &stdout, &stderr, func(k string) string { return w.env[k] })
	r := orgRun{code: code, stdout: stdout.String(), stderr: stderr.String()}
	w.noToken(r.stdout, r.stderr)
	return r
}

// noToken fails the test when any text holds the PAT or a token the fake minted.
func (w *orgWorld) noToken(texts ...string) {
	w.t.Helper()
	for _, s := range texts {
		for _, tok := range append(w.fake.Tokens(), orgtest.PAT) {
			if strings.Contains(s, tok) {
				w.t.Errorf("a token is in the output:\n%s", s)
			}
		}
	}
}

func (w *orgWorld) path(name string) string { return filepath.Join(w.dir, name) }

func (w *orgWorld) report(name string) *report.Report {
	w.t.Helper()
	data, err := os.ReadFile(w.path(name))
	if err != nil {
		w.t.Fatal(err)
	}
	w.noToken(string(data))
	rep, err := report.Read(bytes.NewReader(data))
	if err != nil {
		w.t.Fatal(err)
	}
	return rep
}

// secretsByRepo maps each secret of a report to the repositories of its places.
func secretsByRepo(rep *report.Report) map[string][]string {
	out := map[string][]string{}
	for _, f := range rep.Findings {
		for _, l := range f.Locations {
			if !slices.Contains(out[f.Secret], l.Repository) {
				out[f.Secret] = append(out[f.Secret], l.Repository)
			}
		}
		sort.Strings(out[f.Secret])
	}
	return out
}

func (w *orgWorld) wantSecrets() map[string][]string {
	out := map[string][]string{}
	for i, k := range w.keys {
		out[k] = []string{w.repos[i].FullName()}
	}
	return out
}

// TestOrgCommand: a first run reports every key (exit 1), with the repositories in the
// text and JSON reports; a second one with nothing new reports nothing (exit 0); a key
// pushed after is the one finding of the third. No output holds the token.
func TestOrgCommand(t *testing.T) {
	w := newOrgWorld(t, 6)
	args := []string{"org", "acme", "--state", w.path("acme.state"), "--cache", w.path("cache"), "--repo-jobs", "3"}
	r := w.run(append(args, "--format", "json", "--show-secrets", "-o", w.path("r1.json"))...)
	if r.code != exitLeaks {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitLeaks, r.stderr)
	}
	rep := w.report("r1.json")
	if diff := cmp.Diff(w.wantSecrets(), secretsByRepo(rep)); diff != "" {
		t.Errorf("first run (-want +got):\n%s", diff)
	}
	if n := len(rep.Stats.Repositories); n != 6 {
		t.Errorf("stats list %d repositories, want 6", n)
	}
	if fi, err := os.Stat(w.path("acme.state")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, %v", fi, err)
	}
	if data, _ := os.ReadFile(w.path("acme.state")); bytes.Contains(data, []byte("sk-proj-")) {
		t.Errorf("the state still holds findings after the report said them")
	}

	r = w.run(args...)
	if r.code != exitClean {
		t.Fatalf("second run: exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "no leaks found in 6 repositories, 0 commits") || !strings.Contains(r.stdout, "6 repositories with nothing new") {
		t.Errorf("second run's text report:\n%s", r.stdout)
	}

	k := w.gen.OpenAIKey("sk-proj-", 74)
	w.repos[4].Commit("More", map[string]string{"more.env": "OPENAI_API_KEY=" + k + "\n"})
	r = w.run(args...)
	if r.code != exitLeaks {
		t.Fatalf("third run: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"acme/app-4: more.env:1:16", "acme/app-4  incremental        1        1        1", "1 leak (1 distinct secret) in 6 repositories, 1 commit, 1 blob"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("third run's text report lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, k) {
		t.Errorf("the text report shows the secret in full")
	}
}

// TestOrgUnreachable: a repository that cannot be cloned is said, the others are
// scanned and reported, and the exit status is 2.
func TestOrgUnreachable(t *testing.T) {
	w := newOrgWorld(t, 3)
	w.fake.AddRepo("acme", "gone", orgtest.BrokenGit)
	r := w.run("org", "acme", "--cache", w.path("cache"), "--format", "json", "--show-secrets", "-o", w.path("r.json"))
	if r.code != exitError {
		t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "1 repository could not be fetched or read") || !strings.Contains(r.stderr, "acme/gone") {
		t.Errorf("stderr does not say which repository failed:\n%s", r.stderr)
	}
	if diff := cmp.Diff(w.wantSecrets(), secretsByRepo(w.report("r.json"))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestOrgShardsMerge: shards 0..3 partition the repositories; merging their reports gives
// the unsharded run's report (findings, places, repositories, counts); a missing shard is
// said, with exit status 2.
func TestOrgShardsMerge(t *testing.T) {
	w := newOrgWorld(t, 10)
	// One key in two repositories: one finding with both places once merged.
	shared := w.gen.OpenAIKey("sk-proj-", 74)
	w.repos[0].Commit("Share", map[string]string{"shared.env": "KEY=" + shared + "\n"})
	w.repos[7].Commit("Share", map[string]string{"shared.env": "KEY=" + shared + "\n"})
	r := w.run("org", "acme", "--cache", w.path("cache-all"), "--format", "json", "--show-secrets", "-o", w.path("all.json"))
	if r.code != exitLeaks {
		t.Fatalf("unsharded: exit %d\n%s", r.code, r.stderr)
	}
	var shards []string
	seen := map[string]int{}
	for k := range 4 {
		name := "shard-" + strconv.Itoa(k) + ".json"
		r := w.run("org", "acme", "--shard", strconv.Itoa(k)+"/4", "--cache", w.path("cache-"+strconv.Itoa(k)),
			"--state", w.path("state-"+strconv.Itoa(k)), "--format", "json", "--show-secrets", "-o", w.path(name))
		if r.code != exitLeaks && r.code != exitClean {
			t.Fatalf("shard %d: exit %d\n%s", k, r.code, r.stderr)
		}
		for _, rs := range w.report(name).Stats.Repositories {
			seen[rs.Repository]++
		}
		shards = append(shards, w.path(name))
	}
	for _, repo := range w.repos {
		if seen[repo.FullName()] != 1 {
			t.Errorf("%s is in %d shards", repo.FullName(), seen[repo.FullName()])
		}
	}
	r = w.run(append([]string{"merge", "--format", "json", "--show-secrets", "-o", w.path("merged.json")}, shards...)...)
	if r.code != exitLeaks {
		t.Fatalf("merge: exit %d\n%s", r.code, r.stderr)
	}
	all, merged := w.report("all.json"), w.report("merged.json")
	norm := func(rep *report.Report) *report.Report {
		for i := range rep.Stats.Repositories {
			rep.Stats.Repositories[i].DurationMS = 0
		}
		rep.Stats.DurationMS = 0
		rep.Stats.Shard = ""
		return rep
	}
	if diff := cmp.Diff(norm(all), norm(merged)); diff != "" {
		t.Errorf("merged shards against the unsharded run (-all +merged):\n%s", diff)
	}
	for _, f := range merged.Findings {
		if f.Secret == shared && len(f.Locations) != 2 {
			t.Errorf("the shared key has %d places, want 2", len(f.Locations))
		}
	}

	r = w.run(append([]string{"merge", "--format", "json", "-o", w.path("partial.json")}, shards[:3]...)...)
	if r.code != exitError || !strings.Contains(r.stderr, "no report of shard 3 of 4") {
		t.Errorf("a missing shard: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(w.path("partial.json")); err != nil {
		t.Errorf("the merged report of the shards there is not written: %v", err)
	}
}

// TestOrgApp: with a GitHub App's credentials, the installation is found with the App's
// JWT, its tokens list and clone the repositories, and --issues-per-repo opens each issue
// in the repository that leaked it; no token is printed.
func TestOrgApp(t *testing.T) {
	w := newOrgWorld(t, 3)
	w.fake.Install("acme")
	delete(w.env, "GITHUB_TOKEN")
	w.env[appIDEnv] = strconv.FormatInt(w.fake.AppID, 10)
	w.env[appKeyEnv] = w.fake.AppKeyFile
	r := w.run("org", "acme", "--cache", w.path("cache"), "--issues-per-repo", "--audit", w.path("audit.jsonl"))
	if r.code != exitLeaks {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if w.fake.Minted() == 0 {
		t.Fatal("no installation token was minted")
	}
	for i, repo := range w.repos {
		is := w.fake.Issues(repo.FullName())
		if len(is) != 1 {
			t.Errorf("%s has %d issues, want 1", repo.FullName(), len(is))
			continue
		}
		if strings.Contains(is[0].Body, w.keys[i]) || !strings.Contains(is[0].Body, "github.example/"+repo.FullName()+"/blob/") {
			t.Errorf("issue of %s: the secret in full, or no permalink to the repository:\n%s", repo.FullName(), is[0].Body)
		}
	}
	if !strings.Contains(r.stdout, "issue     https://github.example/acme/app-0/issues/1") {
		t.Errorf("the report does not link the issues:\n%s", r.stdout)
	}
	data, _ := os.ReadFile(w.path("audit.jsonl"))
	w.noToken(string(data))

	// The App is not installed on another organisation.
	r = w.run("org", "elsewhere", "--cache", w.path("cache"))
	if r.code != exitError || !strings.Contains(r.stderr, "not installed on organisation elsewhere") || !strings.Contains(r.stderr, "hint:") {
		t.Errorf("an organisation without the App: exit %d\n%s", r.code, r.stderr)
	}
}

// TestOrgGitSeesNoTokenInArgv: a fake git on PATH records the command line and the
// environment of every git leakstop runs. No command line holds a token; the token
// reaches git only as the http.<url>.extraHeader setting in its environment
// (GIT_CONFIG_VALUE_n, base64 inside a Basic header, which is how git takes credentials
// from its environment), and no other variable holds it.
func TestOrgGitSeesNoTokenInArgv(t *testing.T) {
	w := newOrgWorld(t, 2)
	w.fake.Install("acme")
	real, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	bin := t.TempDir()
	logs := t.TempDir()
	script := "#!/bin/sh\n" +
		"n=$$-$(date +%s%N)\n" +
		"for a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + logs + "/argv-$n\n" +
		"env > " + logs + "/env-$n\n" +
		"exec " + real + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	for _, creds := range []string{"pat", "app"} {
		t.Run(creds, func(t *testing.T) {
			if creds == "app" {
				delete(w.env, "GITHUB_TOKEN")
				w.env[appIDEnv] = strconv.FormatInt(w.fake.AppID, 10)
				w.env[appKeyEnv] = w.fake.AppKeyFile
			}
			r := w.run("org", "acme", "--cache", w.path("cache-"+creds), "--state", w.path("state-"+creds))
			if r.code != exitLeaks {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
		})
	}
	tokens := append(w.fake.Tokens(), orgtest.PAT)
	entries, _ := os.ReadDir(logs)
	argvs, headers := 0, 0
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(logs, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, tok := range tokens {
			if strings.Contains(text, tok) {
				t.Errorf("%s holds a token in the clear:\n%s", e.Name(), text)
			}
			if strings.HasPrefix(e.Name(), "argv-") && strings.Contains(text, orgtest.BasicHeader(tok)[len("Basic "):]) {
				t.Errorf("a command line holds a token's header:\n%s", text)
			}
		}
		if strings.HasPrefix(e.Name(), "argv-") {
			argvs++
			continue
		}
		for _, line := range strings.Split(text, "\n") {
			for _, tok := range tokens {
				if strings.Contains(line, orgtest.BasicHeader(tok)[len("Basic "):]) {
					headers++
					if !strings.HasPrefix(line, "GIT_CONFIG_VALUE_") {
						t.Errorf("the header is in %q, not in a GIT_CONFIG_VALUE_n", line)
					}
				}
			}
		}
	}
	if argvs < 4 || headers < 4 {
		t.Errorf("the fake git saw %d commands and %d headers, want a clone of each repository with each credential", argvs, headers)
	}
}

// TestOrgUsage: flags that cannot go together, and missing names, are said before any
// work.
func TestOrgUsage(t *testing.T) {
	w := &orgWorld{t: t, fake: nil, dir: t.TempDir(), env: map[string]string{}}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"org"}, "name the organisation"},
		{[]string{"org", "acme", "--user", "ada"}, "not both"},
		{[]string{"org", "acme/app"}, "is not an organisation or user name"},
		{[]string{"org", "acme", "--shard", "4/4"}, "--shard"},
		{[]string{"org", "acme", "--issues", "acme/sec", "--issues-per-repo"}, "do not go together"},
		{[]string{"org", "acme", "--include", "acme/[x"}, "not a valid glob"},
		{[]string{"org", "acme", "--repo-jobs", "0"}, "--repo-jobs must be at least 1"},
		{[]string{"org", "acme", "--issues-per-repo"}, "needs GITHUB_TOKEN or a GitHub App"},
		{[]string{"merge", "nothing.json"}, "reading report"},
	} {
		r := w.runNoFake(c.args...)
		if r.code != exitError || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, want 2 and %q\n%s", c.args, r.code, c.want, r.stderr)
		}
	}
}

func (w *orgWorld) runNoFake(args ...string) orgRun {
	var stdout, stderr bytes.Buffer
	code := Main(args, strings.NewReader(""), &stdout, &stderr, func(k string) string { return w.env[k] })
	return orgRun{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// TestRepoBar: the bar counts repositories done of the total and the findings so far.
func TestRepoBar(t *testing.T) {
	var buf bytes.Buffer
	b := &repoBar{con: &console{out: &buf}, begun: time.Now()}
	b.start(12)
	b.progress(3, 2)
	time.Sleep(150 * time.Millisecond) // past the bar's throttle
	b.progress(4, 2)
	b.finish()
	out := buf.String()
	if !strings.Contains(out, "3/12") || !strings.Contains(out, "repositories, 2 findings") {
		t.Errorf("the bar shows %q", out)
	}
}
