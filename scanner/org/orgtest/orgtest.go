// Package orgtest fakes GitHub for the tests of org scans: a loopback REST API (repository
// listings of organisations, users and App installations, page by page with Link headers;
// App installations found and their tokens minted only with a JWT whose RS256 signature
// checks out against the App's public key; tokens that expire; primary, secondary and 429
// rate-limit answers on the way; the issues of every repository) and a loopback smart-HTTP
// git server (git http-backend behind net/http/cgi) that serves the fake's repositories
// only to a request that carries a token the API issued and that has not expired. Both fail
// the test on a call they do not expect. It is for tests only.
package orgtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// PAT is the personal access token the fake takes, for the user PATUser. Tests check that
// no output holds it.
const PAT = "ghp_orgtestPersonalTokenNeverPrinted000001"

// PATUser is the login the PAT belongs to.
const PATUser = "ada"

// Limit is a rate-limit answer the API gives instead of serving a request.
type Limit string

// The rate-limit answers, as GitHub documents them.
const (
	// Primary is a 403 with x-ratelimit-remaining 0 and x-ratelimit-reset a second ahead.
	Primary Limit = "primary"
	// Secondary is a 403 whose message names the secondary rate limit, with Retry-After.
	Secondary Limit = "secondary"
	// TooMany is a 429 with Retry-After.
	TooMany Limit = "429"
)

// Repo is a repository of the fake.
type Repo struct {
	ID              int64
	Owner, Name     string
	Fork, Archived  bool
	Private         bool
	SizeKB          int
	f               *Fake
	bare, work      string
	tick            int
	noGit           bool
	brokenGit       bool
	listingRequests int
}

// FullName is owner/name.
func (r *Repo) FullName() string { return r.Owner + "/" + r.Name }

// TB is what the fake needs of a test: testing.TB has it, and so can a program that serves
// a fake org outside a test (bench/orgserve).
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	Skip(args ...any)
	TempDir() string
	Cleanup(func())
}

var _ TB = testing.TB(nil)

// Fake is the fake GitHub.
type Fake struct {
	t TB
	// APIURL is the REST API's base URL (GITHUB_API_URL); GitURL the git server's.
	APIURL, GitURL string
	// AppID is the App's id, AppKey its private key, AppKeyFile the key as a PEM file.
	AppID      int64
	AppKey     *rsa.PrivateKey
	AppKeyFile string
	// TokenTTL is how long an installation token lives; default an hour.
	TokenTTL time.Duration
	// PerPage caps the listing's page size (GitHub's is 100).
	PerPage int
	// LimitWait is the wait the rate-limit answers ask for; default a second.
	LimitWait time.Duration

	root string

	mu     sync.Mutex
	repos  []*Repo
	nextID int64
	// installations are the App's, by account login.
	installations map[string]int64
	tokens        map[string]time.Time
	minted        int
	// limits are given to the listing requests, by their number (from 1).
	limits       map[int]Limit
	listRequests int
	limited      int
	issues       map[string][]Issue
	fetches      map[string]int
	gitBytes     map[string]int64
}

// Issue is an issue opened on a repository of the fake.
type Issue struct {
	Number int
	Title  string
	Body   string
	Labels []string
}

// New starts the fake: the API, the git server, and an App (id 4242) installed nowhere yet.
func New(t TB) *Fake {
	t.Helper()
	return NewIn(t, t.TempDir())
}

// NewIn starts the fake with its repositories under root (root/srv/OWNER/NAME.git are the
// ones served), so that repositories made before, by AddExisting, are served again.
func NewIn(t TB, root string) *Fake {
	t.Helper()
	NeedGit(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &Fake{
		t: t, AppID: 4242, AppKey: key, TokenTTL: time.Hour, PerPage: 100, LimitWait: time.Second,
		root: root, nextID: 1000, installations: map[string]int64{}, tokens: map[string]time.Time{},
		limits: map[int]Limit{}, issues: map[string][]Issue{}, fetches: map[string]int{}, gitBytes: map[string]int64{},
	}
	f.AppKeyFile = filepath.Join(t.TempDir(), "app.pem")
	der := x509.MarshalPKCS1PrivateKey(key)
	if err := os.WriteFile(f.AppKeyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(http.HandlerFunc(f.serveAPI))
	t.Cleanup(api.Close)
	f.APIURL = api.URL
	f.GitURL = f.serveGit()
	return f
}

// NeedGit skips the test when git is not installed, and fails it when CI is "true".
func NeedGit(t TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}
}

// gitEnv isolates the fixtures' git from the machine's configuration.
func gitEnv(tick int) []string {
	d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(tick) * time.Hour).Format(time.RFC3339)
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada Author", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada Author", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE="+d, "GIT_COMMITTER_DATE="+d,
		"GIT_TERMINAL_PROMPT=0", "LC_ALL=C",
	)
}

func (f *Fake) git(dir string, tick int, args ...string) string {
	f.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(tick)
	out, err := cmd.CombinedOutput()
	if err != nil {
		f.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// RepoOption shapes a repository of the fake.
type RepoOption func(*Repo)

// Fork marks the repository a fork; Archived archives it; Size sets GitHub's size estimate
// (KiB); Private makes it private; NoGit lists it without a repository behind it (listing
// tests); BrokenGit lists it with a git server that answers 500 for it.
func Fork(r *Repo)      { r.Fork = true }
func Archived(r *Repo)  { r.Archived = true }
func Private(r *Repo)   { r.Private = true }
func NoGit(r *Repo)     { r.noGit = true }
func BrokenGit(r *Repo) { r.brokenGit = true }

// Size sets the repository's size estimate in KiB.
func Size(kb int) RepoOption { return func(r *Repo) { r.SizeKB = kb } }

// AddRepo adds a repository owner/name: an empty bare repository served by the git server
// (whose default branch is main) and a work tree to commit in.
func (f *Fake) AddRepo(owner, name string, opts ...RepoOption) *Repo {
	f.t.Helper()
	f.mu.Lock()
	f.nextID++
	r := &Repo{ID: f.nextID, Owner: owner, Name: name, f: f}
	f.mu.Unlock()
	for _, o := range opts {
		o(r)
	}
	if !r.noGit {
		r.bare = filepath.Join(f.root, "srv", owner, name+".git")
		r.work = filepath.Join(f.root, "work", strconv.FormatInt(r.ID, 10))
		f.git(f.root, 0, "init", "-q", "--bare", "-b", "main", r.bare)
		f.git(f.root, 0, "init", "-q", "-b", "main", r.work)
		f.git(r.work, 0, "remote", "add", "origin", r.bare)
	}
	f.mu.Lock()
	f.repos = append(f.repos, r)
	f.mu.Unlock()
	return r
}

// AddExisting lists the bare repository root/srv/owner/name.git, made before, as
// owner/name. Its id is fixed by the order of the calls.
func (f *Fake) AddExisting(owner, name string) *Repo {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	r := &Repo{ID: f.nextID, Owner: owner, Name: name, f: f, bare: filepath.Join(f.root, "srv", owner, name+".git")}
	f.repos = append(f.repos, r)
	return r
}

// Commit writes files (an empty content deletes one) in the work tree, commits them on its
// current branch and pushes that branch; it returns the commit's id.
func (r *Repo) Commit(msg string, files map[string]string) string {
	t := r.f.t
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(r.work, filepath.FromSlash(name))
		if files[name] == "" {
			os.Remove(p)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r.tick++
	r.f.git(r.work, r.tick, "add", "-A")
	r.f.git(r.work, r.tick, "commit", "-q", "--allow-empty", "-m", msg)
	branch := r.f.git(r.work, r.tick, "rev-parse", "--abbrev-ref", "HEAD")
	r.f.git(r.work, r.tick, "push", "-q", "--force", "origin", "HEAD:refs/heads/"+branch)
	return r.f.git(r.work, r.tick, "rev-parse", "HEAD")
}

// Git runs git in the repository's work tree.
func (r *Repo) Git(args ...string) string {
	r.f.t.Helper()
	return r.f.git(r.work, r.tick, args...)
}

// Rename renames the repository (its id stays, as on GitHub): the listing and the git
// server know it by its new name only.
func (f *Fake) Rename(r *Repo, name string) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.bare != "" {
		nb := filepath.Join(filepath.Dir(r.bare), name+".git")
		if err := os.Rename(r.bare, nb); err != nil {
			f.t.Fatal(err)
		}
		r.bare = nb
		f.git(r.work, r.tick, "remote", "set-url", "origin", nb)
	}
	r.Name = name
}

// Delete deletes the repository.
func (f *Fake) Delete(r *Repo) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.repos {
		if x == r {
			f.repos = append(f.repos[:i], f.repos[i+1:]...)
			break
		}
	}
	if r.bare != "" {
		os.RemoveAll(r.bare)
	}
}

// Install installs the App on the account (an organisation or a user).
func (f *Fake) Install(account string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.installations[strings.ToLower(account)] = int64(7000 + len(f.installations))
}

// LimitListing makes the listing's request number n (from 1, every listing endpoint
// counted) answer with the rate limit l instead, once.
func (f *Fake) LimitListing(n int, l Limit) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits[n] = l
}

// Limited is how many rate-limit answers the API gave.
func (f *Fake) Limited() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.limited
}

// Minted is how many installation tokens the API issued.
func (f *Fake) Minted() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.minted
}

// Tokens returns every installation token the API issued, for tests that check no output
// holds one.
func (f *Fake) Tokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for t := range f.tokens {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Fetches is how many clones and fetches the git server answered for the repository
// owner/name.
func (f *Fake) Fetches(fullName string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches[fullName]
}

// GitBytes is how many bytes of packs the git server sent for owner/name.
func (f *Fake) GitBytes(fullName string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gitBytes[fullName]
}

// Issues returns the issues opened on owner/name.
func (f *Fake) Issues(fullName string) []Issue {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Issue(nil), f.issues[fullName]...)
}

// validToken reports whether tok is the PAT or an installation token not yet expired, and
// which installation's (0 for the PAT).
func (f *Fake) validToken(tok string) (ok bool, installation bool) {
	if tok == PAT {
		return true, false
	}
	exp, known := f.tokens[tok]
	return known && time.Now().Before(exp), known
}

// bearer returns the token of an Authorization header ("Bearer X" or "token X").
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	for _, p := range []string{"Bearer ", "bearer ", "token "} {
		if v, ok := strings.CutPrefix(h, p); ok {
			return v
		}
	}
	return ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func ghErr(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

var (
	orgRepos      = regexp.MustCompile(`^/orgs/([^/]+)/repos$`)
	userRepos     = regexp.MustCompile(`^/users/([^/]+)/repos$`)
	orgInstall    = regexp.MustCompile(`^/(?:orgs|users)/([^/]+)/installation$`)
	repoInstall   = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/installation$`)
	accessTokens  = regexp.MustCompile(`^/app/installations/(\d+)/access_tokens$`)
	issuesRoute   = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues$`)
	listingRoutes = []*regexp.Regexp{orgRepos, userRepos, regexp.MustCompile(`^/user/repos$`), regexp.MustCompile(`^/installation/repositories$`)}
)

func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := r.URL.Path
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", "4999")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	for _, re := range listingRoutes {
		if re.MatchString(p) && r.Method == http.MethodGet {
			f.listRequests++
			if l, ok := f.limits[f.listRequests]; ok {
				delete(f.limits, f.listRequests)
				f.limited++
				f.rateLimit(w, l)
				return
			}
		}
	}
	switch {
	case r.Method == http.MethodGet && orgRepos.MatchString(p):
		if !f.authorized(w, r) {
			return
		}
		owner := orgRepos.FindStringSubmatch(p)[1]
		f.page(w, r, f.owned(owner, true), nil)
	case r.Method == http.MethodGet && userRepos.MatchString(p):
		owner := userRepos.FindStringSubmatch(p)[1]
		f.page(w, r, f.owned(owner, false), nil)
	case r.Method == http.MethodGet && p == "/user":
		if !f.authorized(w, r) {
			return
		}
		if bearer(r) != PAT {
			ghErr(w, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"login": PATUser, "id": 1})
	case r.Method == http.MethodGet && p == "/user/repos":
		if !f.authorized(w, r) {
			return
		}
		f.page(w, r, f.owned(PATUser, true), nil)
	case r.Method == http.MethodGet && p == "/installation/repositories":
		tok := bearer(r)
		if ok, inst := f.validToken(tok); !ok || !inst {
			ghErr(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		var mine []*Repo
		for _, repo := range f.repos {
			if _, ok := f.installations[strings.ToLower(repo.Owner)]; ok {
				mine = append(mine, repo)
			}
		}
		f.page(w, r, mine, func(items []map[string]any) any {
			return map[string]any{"total_count": len(mine), "repositories": items}
		})
	case r.Method == http.MethodGet && orgInstall.MatchString(p):
		if !f.appAuthorized(w, r) {
			return
		}
		account := orgInstall.FindStringSubmatch(p)[1]
		f.installation(w, account)
	case r.Method == http.MethodGet && repoInstall.MatchString(p):
		if !f.appAuthorized(w, r) {
			return
		}
		f.installation(w, repoInstall.FindStringSubmatch(p)[1])
	case r.Method == http.MethodPost && accessTokens.MatchString(p):
		if !f.appAuthorized(w, r) {
			return
		}
		id, _ := strconv.ParseInt(accessTokens.FindStringSubmatch(p)[1], 10, 64)
		known := false
		for _, v := range f.installations {
			known = known || v == id
		}
		if !known {
			ghErr(w, http.StatusNotFound, "Not Found")
			return
		}
		f.minted++
		tok := fmt.Sprintf("ghs_orgtest%04dInstallationToken%010d", f.minted, id)
		exp := time.Now().Add(f.TokenTTL)
		f.tokens[tok] = exp
		writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "expires_at": exp.UTC().Format(time.RFC3339Nano)})
	case issuesRoute.MatchString(p):
		if !f.authorized(w, r) {
			return
		}
		m := issuesRoute.FindStringSubmatch(p)
		f.serveIssues(w, r, m[1]+"/"+m[2])
	default:
		f.t.Errorf("orgtest: unexpected API call %s %s", r.Method, p)
		ghErr(w, http.StatusNotFound, "Not Found")
	}
}

// rateLimit answers as GitHub does when a limit is reached.
func (f *Fake) rateLimit(w http.ResponseWriter, l Limit) {
	wait := strconv.Itoa(int(f.LimitWait / time.Second))
	switch l {
	case Primary:
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(f.LimitWait).Unix(), 10))
		ghErr(w, http.StatusForbidden, "API rate limit exceeded for installation ID 7000.")
	case Secondary:
		w.Header().Set("Retry-After", wait)
		ghErr(w, http.StatusForbidden, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")
	default:
		w.Header().Set("Retry-After", wait)
		ghErr(w, http.StatusTooManyRequests, "Too many requests")
	}
}

// authorized checks that the request carries the PAT or a live installation token.
func (f *Fake) authorized(w http.ResponseWriter, r *http.Request) bool {
	if ok, _ := f.validToken(bearer(r)); !ok {
		ghErr(w, http.StatusUnauthorized, "Bad credentials")
		return false
	}
	return true
}

// appAuthorized checks the App's JWT: RS256, signed by the App's key, issued by its id,
// not expired, living ten minutes at most.
func (f *Fake) appAuthorized(w http.ResponseWriter, r *http.Request) bool {
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(bearer(r), &claims, func(*jwt.Token) (any, error) { return &f.AppKey.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(strconv.FormatInt(f.AppID, 10)), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err == nil && claims.ExpiresAt.Sub(claims.IssuedAt.Time) > 10*time.Minute+time.Second {
		err = fmt.Errorf("the JWT lives longer than ten minutes")
	}
	if err != nil {
		ghErr(w, http.StatusUnauthorized, "A JSON web token could not be decoded")
		return false
	}
	return true
}

func (f *Fake) installation(w http.ResponseWriter, account string) {
	id, ok := f.installations[strings.ToLower(account)]
	if !ok {
		ghErr(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "account": map[string]any{"login": account}, "app_id": f.AppID})
}

// owned are the repositories of owner, the private ones only when withPrivate.
func (f *Fake) owned(owner string, withPrivate bool) []*Repo {
	var out []*Repo
	for _, r := range f.repos {
		if strings.EqualFold(r.Owner, owner) && (withPrivate || !r.Private) {
			out = append(out, r)
		}
	}
	return out
}

func (f *Fake) repoJSON(r *Repo) map[string]any {
	return map[string]any{
		"id": r.ID, "name": r.Name, "full_name": r.FullName(), "owner": map[string]any{"login": r.Owner},
		"private": r.Private, "fork": r.Fork, "archived": r.Archived, "size": r.SizeKB, "default_branch": "main",
		"clone_url": f.GitURL + "/" + r.Owner + "/" + r.Name + ".git",
		"html_url":  "https://github.example/" + r.Owner + "/" + r.Name,
	}
}

// page answers one page of repos, with a Link header to the next and last pages as GitHub
// writes it; wrap, when set, shapes the body (the installation listing's object).
func (f *Fake) page(w http.ResponseWriter, r *http.Request, repos []*Repo, wrap func([]map[string]any) any) {
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 || per > f.PerPage {
		per = min(30, f.PerPage)
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	last := max((len(repos)+per-1)/per, 1)
	items := []map[string]any{}
	for i := (page - 1) * per; i < min(page*per, len(repos)); i++ {
		items = append(items, f.repoJSON(repos[i]))
	}
	link := func(n int, rel string) string {
		u := *r.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(per))
		u.RawQuery = q.Encode()
		return fmt.Sprintf(`<%s%s>; rel="%s"`, f.APIURL, u.RequestURI(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	var body any = items
	if wrap != nil {
		body = wrap(items)
	}
	writeJSON(w, http.StatusOK, body)
}

func (f *Fake) serveIssues(w http.ResponseWriter, r *http.Request, repo string) {
	switch r.Method {
	case http.MethodGet:
		var out []map[string]any
		for _, is := range f.issues[repo] {
			out = append(out, map[string]any{"number": is.Number, "title": is.Title, "body": is.Body, "state": "open",
				"html_url": fmt.Sprintf("https://github.example/%s/issues/%d", repo, is.Number)})
		}
		if out == nil {
			out = []map[string]any{}
		}
		writeJSON(w, http.StatusOK, out)
	case http.MethodPost:
		var req struct {
			Title  string   `json:"title"`
			Body   string   `json:"body"`
			Labels []string `json:"labels"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			ghErr(w, http.StatusBadRequest, "Problems parsing JSON")
			return
		}
		n := len(f.issues[repo]) + 1
		f.issues[repo] = append(f.issues[repo], Issue{Number: n, Title: req.Title, Body: req.Body, Labels: req.Labels})
		writeJSON(w, http.StatusCreated, map[string]any{"number": n, "state": "open",
			"html_url": fmt.Sprintf("https://github.example/%s/issues/%d", repo, n)})
	default:
		f.t.Errorf("orgtest: unexpected issues call %s %s", r.Method, r.URL.Path)
		ghErr(w, http.StatusNotFound, "Not Found")
	}
}

// serveGit serves the repositories over smart HTTP at /git/OWNER/NAME.git, to requests that
// carry a valid token as the password of basic auth (GitHub's way for tokens over git).
func (f *Fake) serveGit() string {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		f.t.Fatalf("git --exec-path: %v", err)
	}
	h := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env: []string{
			"GIT_PROJECT_ROOT=" + filepath.Join(f.root, "srv"), "GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		},
		Stderr: io.Discard,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/git/")
		if !ok {
			f.t.Errorf("orgtest: unexpected git request %s", r.URL.Path)
			http.NotFound(w, r)
			return
		}
		owner, tail, _ := strings.Cut(rest, "/")
		name, _, _ := strings.Cut(tail, ".git/")
		full := owner + "/" + name
		tok := ""
		if user, pass, ok := r.BasicAuth(); ok && user != "" {
			tok = pass
		}
		f.mu.Lock()
		valid, _ := f.validToken(tok)
		var repo *Repo
		for _, x := range f.repos {
			if strings.EqualFold(x.FullName(), full) {
				repo = x
			}
		}
		f.mu.Unlock()
		if !valid {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitHub"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		if repo == nil {
			http.Error(w, "Repository not found.", http.StatusNotFound)
			return
		}
		if repo.brokenGit {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		cw := &countingWriter{ResponseWriter: w}
		http.StripPrefix("/git", h).ServeHTTP(cw, r)
		f.mu.Lock()
		switch {
		case strings.HasSuffix(r.URL.Path, "/info/refs") && r.URL.Query().Get("service") == "git-upload-pack":
			f.fetches[full]++ // each clone or fetch starts so
		case strings.HasSuffix(r.URL.Path, "/git-upload-pack"):
			f.gitBytes[full] += cw.n
		}
		f.mu.Unlock()
	}))
	f.t.Cleanup(srv.Close)
	return srv.URL + "/git"
}

type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

// BasicHeader is the Authorization header git sends for token, for tests that look for it.
func BasicHeader(token string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+token))
}
