package org

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	gitsrc "github.com/leakstop/leakstop/scanner/git"
	"github.com/leakstop/leakstop/scanner/org/orgtest"
)

// world is a fake GitHub with an organisation of repositories, each with a planted key.
type world struct {
	t     *testing.T
	fake  *orgtest.Fake
	gen   *rules.Generator
	repos []*orgtest.Repo
	// keys maps each planted key to the repositories it was planted in.
	keys map[string][]string
	set  *rules.Set
}

// newWorld makes an organisation "acme" of n repositories, each with a commit that plants
// a key and one that does not; the last repository shares the first one's key.
func newWorld(t *testing.T, n int) *world {
	t.Helper()
	set, err := rules.Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, fake: orgtest.New(t), gen: rules.NewGenerator(13), keys: map[string][]string{}, set: set}
	var first string
	for i := range n {
		r := w.fake.AddRepo("acme", "svc-"+string(rune('a'+i)))
		r.Commit("Start", map[string]string{"README.md": "# " + r.Name + "\n"})
		k := w.gen.OpenAIKey("sk-proj-", 74)
		if i == 0 {
			first = k
		}
		if i == n-1 && n > 1 {
			k = first // the same secret leaked in two repositories
		}
		w.plant(r, k, "config/app.env")
		w.repos = append(w.repos, r)
	}
	return w
}

// plant commits key in r at path.
func (w *world) plant(r *orgtest.Repo, key, path string) string {
	w.t.Helper()
	c := r.Commit("Configure "+path, map[string]string{path: "DEBUG=1\nOPENAI_API_KEY=" + key + "\n"})
	w.keys[key] = append(w.keys[key], r.FullName())
	return c
}

// scan is a ScanFunc over the world's rules.
func (w *world) scan(ctx context.Context, dir string, since []string, log zerolog.Logger) (*scanner.Result, error) {
	eng, err := scanner.New(scanner.Options{Rules: w.set, Jobs: 2, Logger: log})
	if err != nil {
		return nil, err
	}
	return eng.Run(ctx, &gitsrc.Source{Dir: dir, Since: since, Readers: 1, Logger: log, Lines: w.set.LineFilter()})
}

// client is an API client that waits out rate limits, recording the waits.
func (w *world) client(creds Credentials, waits *[]time.Duration) *Client {
	w.t.Helper()
	var mu sync.Mutex
	rc := &revoke.Client{MaxRetries: 10, MaxWait: time.Minute, Sleep: func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		if waits != nil {
			*waits = append(*waits, d)
		}
		mu.Unlock()
		return nil
	}}
	c, err := NewClient(w.fake.APIURL, rc.HTTPClient("github", "list", nil, true), creds)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// options are Run's options for the world with a PAT, the cache and the state in dir.
func (w *world) options(dir string, st *State) Options {
	return Options{
		Target: Target{Org: "acme"}, API: w.client(StaticToken(orgtest.PAT), nil), Credentials: StaticToken(orgtest.PAT),
		Cache: filepath.Join(dir, "cache"), State: st, Digest: w.set.Digest(), RepoJobs: 3, Scan: w.scan,
		Log: zerolog.New(zerolog.NewTestWriter(w.t)).Level(zerolog.InfoLevel),
	}
}

// scanned runs o once and marks its findings reported, as a run that wrote its report.
func scanned(t *testing.T, o Options) {
	t.Helper()
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if err := o.State.Reported(); err != nil {
		t.Fatal(err)
	}
}

func openState(t *testing.T, path string) *State {
	t.Helper()
	st, err := OpenState(path, Target{Org: "acme"}.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// found maps each secret of res to the sorted repositories of its locations.
func found(res *scanner.Result) map[string][]string {
	out := map[string][]string{}
	for _, f := range res.Findings {
		var repos []string
		for _, l := range f.Locations {
			if !slices.Contains(repos, l.Repository) {
				repos = append(repos, l.Repository)
			}
		}
		sort.Strings(repos)
		out[f.Secret] = repos
	}
	return out
}

func (w *world) want() map[string][]string {
	out := map[string][]string{}
	for k, repos := range w.keys {
		r := slices.Clone(repos)
		sort.Strings(r)
		out[k] = slices.Compact(r)
	}
	return out
}

func repoStats(res *scanner.Result) map[string]scanner.RepositoryStats {
	out := map[string]scanner.RepositoryStats{}
	for _, r := range res.Stats.Repositories {
		out[r.Repository] = r
	}
	return out
}

// TestRunIncremental: a first run clones every repository and finds every planted key,
// one finding for the key leaked in two repositories with a location in each; after new
// commits are pushed to two repositories, the second run fetches (the server sends far
// less), reads only the new commits and blobs, and finds only the new key.
func TestRunIncremental(t *testing.T) {
	w := newWorld(t, 12)
	dir := t.TempDir()
	st := openState(t, filepath.Join(dir, "state.jsonl"))
	res, err := Run(context.Background(), w.options(dir, st))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w.want(), found(res)); diff != "" {
		t.Errorf("first run's findings (-want +got):\n%s", diff)
	}
	if len(res.Problems) > 0 {
		t.Errorf("problems: %v", res.Problems)
	}
	if got := len(res.Stats.Repositories); got != 12 {
		t.Errorf("%d repositories in the stats, want 12", got)
	}
	for _, r := range res.Stats.Repositories {
		if r.Scan != scanner.ScanFull || r.Commits != 2 || r.Findings != 1 {
			t.Errorf("first run, %s: %+v, want a full scan of 2 commits with 1 finding", r.Repository, r)
		}
	}
	if res.Stats.Commits != 24 {
		t.Errorf("first run read %d commits, want 24", res.Stats.Commits)
	}
	for _, f := range res.Findings {
		for _, l := range f.Locations {
			if !strings.HasPrefix(l.URL, "https://github.example/"+l.Repository+"/blob/"+l.Commit+"/config/app.env#L2") {
				t.Errorf("location %+v has no permalink to its repository", l)
			}
		}
	}
	if err := st.Reported(); err != nil {
		t.Fatal(err)
	}
	firstBytes := w.fake.GitBytes("acme/svc-b")

	// New commits in two repositories: a key in one, a harmless file in the other.
	newKey := w.gen.OpenAIKey("sk-proj-", 74)
	w.plant(w.repos[1], newKey, "deploy/prod.env")
	w.repos[2].Commit("Docs", map[string]string{"docs/a.md": "hello\n"})
	res, err = Run(context.Background(), w.options(dir, st))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]string{newKey: {"acme/svc-b"}}, found(res)); diff != "" {
		t.Errorf("second run's findings (-want +got):\n%s", diff)
	}
	rs := repoStats(res)
	if r := rs["acme/svc-b"]; r.Scan != scanner.ScanIncremental || r.Commits != 1 || r.Blobs != 1 || r.Findings != 1 {
		t.Errorf("second run, svc-b: %+v, want 1 commit and 1 blob read incrementally, 1 finding", r)
	}
	if r := rs["acme/svc-c"]; r.Scan != scanner.ScanIncremental || r.Commits != 1 || r.Blobs != 1 || r.Findings != 0 {
		t.Errorf("second run, svc-c: %+v, want 1 commit and 1 blob read incrementally", r)
	}
	if r := rs["acme/svc-a"]; r.Scan != scanner.ScanUnchanged || r.Commits != 0 {
		t.Errorf("second run, svc-a: %+v, want unchanged", r)
	}
	if res.Stats.Commits != 2 || res.Stats.Blobs != 2 {
		t.Errorf("second run read %d commits and %d blobs, want 2 and 2", res.Stats.Commits, res.Stats.Blobs)
	}
	if n := w.fake.Fetches("acme/svc-a"); n != 2 {
		t.Errorf("svc-a was fetched %d times, want 2 (a clone, then a fetch)", n)
	}
	if second := w.fake.GitBytes("acme/svc-b") - firstBytes; second >= firstBytes {
		t.Errorf("the fetch of svc-b took %d bytes, the clone %d: the fetch sent everything again", second, firstBytes)
	}
}

// TestRunCancelled: a run cancelled midway keeps the repositories it finished; the next run
// reports their findings (kept in the state until a report said them) and scans the rest,
// so that no repository and no finding is lost.
func TestRunCancelled(t *testing.T) {
	w := newWorld(t, 12)
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.jsonl")
	st := openState(t, statePath)
	ctx, cancel := context.WithCancel(context.Background())
	o := w.options(dir, st)
	o.RepoJobs = 2
	o.Progress = func(done, _ int) {
		if done == 5 {
			cancel()
		}
	}
	if _, err := Run(ctx, o); err == nil {
		t.Fatal("a cancelled run returned no error")
	}
	st.Close()
	st = openState(t, statePath)
	done := len(st.IDs())
	if done < 5 || done >= 12 {
		t.Fatalf("the state holds %d repositories after a cancel at 5 of 12", done)
	}
	res, err := Run(context.Background(), w.options(dir, st))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w.want(), found(res)); diff != "" {
		t.Errorf("findings after the rerun (-want +got):\n%s", diff)
	}
	unchanged := 0
	for _, r := range res.Stats.Repositories {
		if r.Scan == scanner.ScanUnchanged {
			unchanged++
		}
	}
	if unchanged != done {
		t.Errorf("the rerun found %d repositories unchanged, want the %d the cancelled run finished", unchanged, done)
	}
}

// TestRunShards: shards 0..3 partition the repositories, and their findings together are
// the unsharded run's.
func TestRunShards(t *testing.T) {
	w := newWorld(t, 12)
	all, err := Run(context.Background(), w.options(t.TempDir(), nil))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	union := map[string][]string{}
	for k := range 4 {
		o := w.options(t.TempDir(), nil)
		o.Shard = Shard{K: k, N: 4}
		res, err := Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Stats.Shard != o.Shard.String() {
			t.Errorf("stats say shard %q, want %q", res.Stats.Shard, o.Shard)
		}
		for _, r := range res.Stats.Repositories {
			seen[r.Repository]++
		}
		for secret, repos := range found(res) {
			union[secret] = slices.Compact(slices.Sorted(slices.Values(append(union[secret], repos...))))
		}
	}
	for _, r := range w.repos {
		if seen[r.FullName()] != 1 {
			t.Errorf("%s is in %d shards, want 1", r.FullName(), seen[r.FullName()])
		}
	}
	if diff := cmp.Diff(found(all), union); diff != "" {
		t.Errorf("shards' findings against the unsharded run's (-all +shards):\n%s", diff)
	}
}

// TestRunUnreachable: a repository that cannot be cloned is a problem of the result, with
// its line in the stats; every other one is scanned.
func TestRunUnreachable(t *testing.T) {
	w := newWorld(t, 4)
	w.fake.AddRepo("acme", "broken", orgtest.BrokenGit)
	res, err := Run(context.Background(), w.options(t.TempDir(), nil))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w.want(), found(res)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if len(res.Problems) != 1 || res.Problems[0].Where != "acme/broken" {
		t.Fatalf("problems %v, want one for acme/broken", res.Problems)
	}
	if r := repoStats(res)["acme/broken"]; r.Scan != scanner.ScanFailed || !strings.Contains(r.Error, "500") {
		t.Errorf("acme/broken: %+v, want a failure that says the server's 500", r)
	}
	if strings.Contains(res.Problems[0].Err.Error(), orgtest.PAT) {
		t.Errorf("the problem holds the token: %v", res.Problems[0].Err)
	}
}

// TestRunRenamedDeleted: a renamed repository keeps its mirror (fetched, not cloned again)
// and its state, and is scanned only for what is new; a deleted one is forgotten, its
// mirror removed.
func TestRunRenamedDeleted(t *testing.T) {
	w := newWorld(t, 3)
	dir := t.TempDir()
	st := openState(t, filepath.Join(dir, "state.jsonl"))
	o := w.options(dir, st)
	scanned(t, o)
	renamed, deleted := w.repos[0], w.repos[2]
	w.fake.Rename(renamed, "svc-renamed")
	w.fake.Delete(deleted)
	k := w.gen.OpenAIKey("sk-proj-", 74)
	w.plant(renamed, k, "new.env")
	mirror := filepath.Join(dir, "cache")
	var deletedMirror string
	filepath.Walk(mirror, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.IsDir() && filepath.Base(p) == formatID(deleted.ID)+".git" {
			deletedMirror = p
		}
		return nil
	})
	if deletedMirror == "" {
		t.Fatal("no mirror of the repository to delete")
	}
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]string{k: {"acme/svc-renamed"}}, found(res)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if r := repoStats(res)["acme/svc-renamed"]; r.Scan != scanner.ScanIncremental || r.Commits != 1 {
		t.Errorf("the renamed repository: %+v, want its one new commit read", r)
	}
	if n := w.fake.Fetches("acme/svc-renamed"); n != 1 {
		t.Errorf("the renamed repository was fetched %d times under its new name, want 1 (a fetch, not a clone)", n)
	}
	if _, err := os.Stat(deletedMirror); !os.IsNotExist(err) {
		t.Errorf("the deleted repository's mirror is still there (%v)", err)
	}
	if rec, _ := st.Get(deleted.ID); rec != nil {
		t.Errorf("the state still holds the deleted repository: %+v", rec)
	}
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

// TestRunRulesChanged: a repository scanned with other rules is scanned in full again.
func TestRunRulesChanged(t *testing.T) {
	w := newWorld(t, 2)
	dir := t.TempDir()
	st := openState(t, filepath.Join(dir, "state.jsonl"))
	o := w.options(dir, st)
	scanned(t, o)
	o.Digest = "another digest"
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Stats.Repositories {
		if r.Scan != scanner.ScanFull || r.Commits != 2 {
			t.Errorf("%s: %+v, want a full scan again", r.Repository, r)
		}
	}
	if diff := cmp.Diff(w.want(), found(res)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestRunForcePush: a branch force-pushed to a new history is scanned for its new commits
// only, and the key that the rewrite dropped is not reported again.
func TestRunForcePush(t *testing.T) {
	w := newWorld(t, 1)
	dir := t.TempDir()
	st := openState(t, filepath.Join(dir, "state.jsonl"))
	o := w.options(dir, st)
	scanned(t, o)
	r := w.repos[0]
	r.Git("reset", "-q", "--hard", "HEAD~1")
	k := w.gen.OpenAIKey("sk-proj-", 74)
	r.Commit("Rewrite", map[string]string{"other.env": "OPENAI_API_KEY=" + k + "\n"})
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]string{k: {r.FullName()}}, found(res)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if rs := res.Stats.Repositories[0]; rs.Scan != scanner.ScanIncremental || rs.Commits != 1 {
		t.Errorf("%+v, want the one new commit read", rs)
	}
}

// TestApp: the App finds its installation with a JWT the fake checks against its public
// key, lists the installation's repositories, clones them with its installation token, and
// mints a new token when the one it has nears its end.
func TestApp(t *testing.T) {
	w := newWorld(t, 3)
	w.fake.Install("acme")
	w.fake.TokenTTL = 3 * time.Second
	key, err := LoadAppKey(w.fake.AppKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	app := &App{ID: w.fake.AppID, Key: key, APIURL: w.fake.APIURL, OnToken: func(s string) { seen = append(seen, s) }}
	inst, err := app.Installation(context.Background(), Target{Org: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	o := w.options(t.TempDir(), nil)
	o.API, o.Credentials = w.client(inst, nil), inst
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w.want(), found(res)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	time.Sleep(1600 * time.Millisecond) // past half of the token's life
	if _, err := inst.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if inst.Renewals() < 1 || w.fake.Minted() < 2 {
		t.Errorf("%d renewals, %d tokens minted: the token was not renewed before it expired", inst.Renewals(), w.fake.Minted())
	}
	if diff := cmp.Diff(w.fake.Tokens(), slices.Sorted(slices.Values(seen))); diff != "" {
		t.Errorf("OnToken was not told every token minted (-minted +told):\n%s", diff)
	}

	// Another App's key: the fake refuses the JWT.
	other := *app
	other.Key, _ = LoadAppKey(writeOtherKey(t))
	if _, err := other.Installation(context.Background(), Target{Org: "acme"}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a JWT signed with another key: %v, want GitHub's 401", err)
	}
	if _, err := app.Installation(context.Background(), Target{Org: "elsewhere"}); err == nil || !strings.Contains(err.Error(), "not installed") {
		t.Errorf("an organisation without the App: %v", err)
	}
}

// TestListing: 1,000 repositories over ten pages, with a primary, a secondary and a 429
// rate-limit answer on the way, each waited out as GitHub asks; forks, archived and large
// repositories and the globs filter the listing.
func TestListing(t *testing.T) {
	f := orgtest.New(t)
	for i := range 1000 {
		var opts []orgtest.RepoOption
		switch {
		case i%100 == 1:
			opts = append(opts, orgtest.Fork)
		case i%100 == 2:
			opts = append(opts, orgtest.Archived)
		case i%100 == 3:
			opts = append(opts, orgtest.Size(900_000))
		}
		f.AddRepo("acme", "r"+formatID(int64(1000+i)), append(opts, orgtest.NoGit)...)
	}
	f.LimitListing(2, orgtest.Primary)
	f.LimitListing(5, orgtest.Secondary)
	f.LimitListing(8, orgtest.TooMany)
	w := &world{t: t, fake: f}
	var waits []time.Duration
	c := w.client(StaticToken(orgtest.PAT), &waits)
	repos, err := c.List(context.Background(), Target{Org: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if len(repos) != 1000 {
		t.Fatalf("listed %d repositories, want 1000", len(repos))
	}
	if f.Limited() != 3 || len(waits) != 3 {
		t.Errorf("%d rate-limit answers, %d waits (%v), want 3 and 3", f.Limited(), len(waits), waits)
	}
	for _, d := range waits {
		if d > 3*time.Second {
			t.Errorf("waited %v, more than the fake asked", d)
		}
	}
	kept := 0
	flt := Filter{MaxSizeKB: 500_000, Exclude: []string{"acme/r19*"}}
	for _, r := range repos {
		if ok, _ := flt.Keep(r); ok {
			kept++
		}
	}
	// 30 forks, archived or large; r1900-r1999 excluded, of which 3 already left out.
	if want := 1000 - 30 - 97; kept != want {
		t.Errorf("the filter kept %d, want %d", kept, want)
	}

	// No token: 401 for an organisation's listing, said with a hint.
	anon := w.client(nil, nil)
	if _, err := anon.List(context.Background(), Target{Org: "acme"}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("listing without a token: %v", err)
	}
}

// TestUserListing: a PAT's own user's repositories, private ones too.
func TestUserListing(t *testing.T) {
	f := orgtest.New(t)
	f.AddRepo(orgtest.PATUser, "public", orgtest.NoGit)
	f.AddRepo(orgtest.PATUser, "secret", orgtest.NoGit, orgtest.Private)
	f.AddRepo("bob", "other", orgtest.NoGit)
	w := &world{t: t, fake: f}
	repos, err := w.client(StaticToken(orgtest.PAT), nil).List(context.Background(), Target{User: orgtest.PATUser})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range repos {
		names = append(names, r.FullName)
	}
	if diff := cmp.Diff([]string{"ada/public", "ada/secret"}, names); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	repos, err = w.client(StaticToken(orgtest.PAT), nil).List(context.Background(), Target{User: "bob"})
	if err != nil || len(repos) != 1 {
		t.Errorf("another user's public repositories: %v, %v", repos, err)
	}
}

// TestShard: shards partition any set of names, and a name's shard does not depend on the
// others.
func TestShard(t *testing.T) {
	for _, s := range []string{"0/1", "3/4", "15/16"} {
		if _, err := ParseShard(s); err != nil {
			t.Errorf("ParseShard(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "1", "4/4", "-1/4", "a/b", "1/0"} {
		if _, err := ParseShard(s); err == nil {
			t.Errorf("ParseShard(%q) took it", s)
		}
	}
	counts := make([]int, 8)
	for i := range 4000 {
		name := "acme/repo-" + formatID(int64(i+1))
		n := 0
		for k := range 8 {
			if (Shard{K: k, N: 8}).Holds(name) {
				n++
				counts[k]++
			}
		}
		if n != 1 {
			t.Fatalf("%s is in %d shards", name, n)
		}
	}
	for k, c := range counts {
		if c < 350 || c > 650 {
			t.Errorf("shard %d holds %d of 4000 names: the hash spreads them badly", k, c)
		}
	}
	if (Shard{N: 8}).Of("Acme/Repo") != (Shard{N: 8}).Of("acme/repo") {
		t.Errorf("a name's shard depends on its case")
	}
}

// TestState: lines are appended and read back; a line cut short is not read (that
// repository is scanned again); the file is private; another target's state is refused.
func TestState(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.jsonl")
	st, err := OpenState(path, "organisation acme")
	if err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 3; id++ {
		if err := st.Put(&Record{ID: id, FullName: "acme/r" + formatID(id), Digest: "d", Refs: map[string]string{"refs/heads/main": "c" + formatID(id)}}); err != nil {
			t.Fatal(err)
		}
	}
	st.Put(&Record{ID: 2, FullName: "acme/r2", Digest: "d2"})
	if _, err := OpenState(path, "organisation acme"); err == nil || !strings.Contains(err.Error(), "another leakstop run") {
		t.Errorf("a second open of a state in use: %v", err)
	}
	// Kill the run as it writes: the file ends in half a line.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"id":4,"full_name":"acme/r4","refs":{"refs/heads/ma`)
	f.Close()
	st.unlock() // the process that held it is gone
	st.f.Close()

	st, err = OpenState(path, "organisation acme")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if diff := cmp.Diff([]int64{1, 2, 3}, st.IDs()); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if r, _ := st.Get(2); r == nil || r.Digest != "d2" {
		t.Errorf("the later line of repository 2 does not win: %+v", r)
	}
	if r, _ := st.Get(3); r == nil || r.Refs["refs/heads/main"] != "c3" {
		t.Errorf("repository 3: %+v", r)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("the state file is %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "\n"); n != 4 {
		t.Errorf("the compacted state has %d lines, want 4 (a header and 3 repositories):\n%s", n, data)
	}
	other := filepath.Join(dir, "other.jsonl")
	if st2, err := OpenState(other, "organisation acme"); err != nil {
		t.Fatal(err)
	} else {
		st2.Close()
	}
	if _, err := OpenState(other, "organisation other"); err == nil || !strings.Contains(err.Error(), "not of organisation other") {
		t.Errorf("another target's state: %v", err)
	}
}

// TestGitEnv: the token goes in the header setting of git's environment only, after the
// settings the environment had, for the repository's server only.
func TestGitEnv(t *testing.T) {
	env := gitEnv([]string{"PATH=/bin", "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=core.x", "GIT_CONFIG_VALUE_0=y"}, "https://ghe.example:8443/acme/app.git", "tok123")
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	if m["GIT_CONFIG_KEY_0"] != "core.x" || m["GIT_TERMINAL_PROMPT"] != "0" {
		t.Errorf("the environment's own settings are lost: %v", env)
	}
	found := false
	for k, v := range m {
		if strings.HasPrefix(k, "GIT_CONFIG_KEY_") && v == "http.https://ghe.example:8443/.extraHeader" {
			found = m["GIT_CONFIG_VALUE_"+strings.TrimPrefix(k, "GIT_CONFIG_KEY_")] == "Authorization: "+orgtest.BasicHeader("tok123")
		}
	}
	if !found {
		t.Errorf("no extraHeader setting for the server: %v", env)
	}
	for _, kv := range env {
		if strings.Contains(kv, "tok123") {
			t.Errorf("the token is in the clear in %q", kv)
		}
	}
}

// writeOtherKey writes a private key that is not the App's.
func writeOtherKey(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "other.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
