package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize/english"
	"github.com/rs/zerolog"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/issues"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	gitsrc "github.com/leakstop/leakstop/scanner/git"
	"github.com/leakstop/leakstop/scanner/org"
)

// The variables that name a GitHub App's credentials (GITHUB_TOKEN, a token, is the other
// way). The key is a file: its path is no secret, and the file stays where it is.
const (
	appIDEnv  = "LEAKSTOP_GITHUB_APP_ID"
	appKeyEnv = "LEAKSTOP_GITHUB_APP_KEY"
)

// orgOptions are the flags and argument of `leakstop org`.
type orgOptions struct {
	app *app
	scanOptions
	// Org is the organisation (the argument); User, with --user, a user instead.
	Org, User        string
	Include, Exclude []string
	Forks, Archived  bool
	MaxRepoSize      string
	Cache            string
	State            string
	Shard            string
	RepoJobs         int
	IssuesPerRepo    bool

	maxRepoKB int64
	shard     org.Shard
}

func (a *app) orgCommand() *cobra.Command {
	o := &orgOptions{app: a}
	cmd := &cobra.Command{
		Use:   "org ORG",
		Short: "Scan every repository of a GitHub organisation (or, with --user, a user), incrementally",
		Long: `Scan every repository of a GitHub organisation, or of a user with --user USER: each is
kept as a bare mirror in the cache folder (cloned whole the first time, fetched afterwards),
and with --state only what earlier runs had not read is scanned (everything again for a
repository when the rules change). One report for the whole organisation: a secret found in
several repositories is one finding with its places in each, and the stats have a line per
repository.

Credentials: GITHUB_TOKEN (a personal access token that may read the repositories), or a
GitHub App: LEAKSTOP_GITHUB_APP_ID and LEAKSTOP_GITHUB_APP_KEY (the path of its private
key); the App's installation on the organisation is found, and its tokens are minted and
renewed as the run goes. GITHUB_API_URL points at GitHub Enterprise Server. Tokens reach git
through its environment, never on its command line.

--shard K/N takes a stable share of the repositories (by a hash of each name), for N
workers each with its own --state and --cache; leakstop merge joins their reports.

Exit status as for git; 2 also when a repository could not be fetched (the others are
scanned and reported).`,
		Example: `  GITHUB_TOKEN=... leakstop org acme --state acme.state
  leakstop org acme --exclude 'acme/*-archive' --max-repo-size 2GiB --repo-jobs 8
  leakstop org acme --shard 3/8 --state state/3.jsonl --cache cache/3 --format json --show-secrets -o shard-3.json
  leakstop org --user ada --verify --issues-per-repo`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Org = args[0]
			}
			return runOrg(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	o.bind(f)
	f.StringVar(&o.User, "user", "", "scan the repositories of `USER` instead of an organisation's")
	f.StringArrayVar(&o.Include, "include", nil, "only the repositories whose OWNER/NAME matches `GLOB` (doublestar; repeatable)")
	f.StringArrayVar(&o.Exclude, "exclude", nil, "leave out the repositories whose OWNER/NAME matches `GLOB` (repeatable)")
	f.BoolVar(&o.Forks, "forks", false, "scan forks too")
	f.BoolVar(&o.Archived, "archived", false, "scan archived repositories too")
	f.StringVar(&o.MaxRepoSize, "max-repo-size", "", "leave out repositories GitHub says are larger than `SIZE` (such as 2GiB)")
	f.StringVar(&o.Cache, "cache", "", "keep the mirrors in `DIR` (default: leakstop/mirrors in the user's cache directory)")
	f.StringVar(&o.State, "state", "", "what earlier runs scanned, in `FILE`, so that a run reads only what is new (kept up to date as each repository is done)")
	f.StringVar(&o.Shard, "shard", "", "scan only share `K/N` of the repositories (0 ≤ K < N), stable by name")
	f.IntVar(&o.RepoJobs, "repo-jobs", 4, "repositories fetched and scanned at once (--jobs is shared between them)")
	f.BoolVar(&o.IssuesPerRepo, "issues-per-repo", false, "open or update each leak's issue in the repository that leaked it")
	return cmd
}

func (o *orgOptions) validate() error {
	if err := o.scanOptions.validate(); err != nil {
		return err
	}
	switch {
	case o.Org == "" && o.User == "":
		return usageError("name the organisation (leakstop org ORG) or the user (--user USER)")
	case o.Org != "" && o.User != "":
		return usageError("give an organisation or --user, not both")
	}
	for _, name := range []string{o.Org, o.User} {
		if strings.ContainsAny(name, "/ ") {
			return usageError("%q is not an organisation or user name (OWNER, without a repository)", name)
		}
	}
	if o.IssuesPerRepo && o.act.Issues != "" {
		return usageError("--issues and --issues-per-repo do not go together: one puts every issue in one repository, the other each in its own")
	}
	if o.RepoJobs < 1 {
		return usageError("--repo-jobs must be at least 1")
	}
	if err := o.filter().Validate(); err != nil {
		return usageError("--include/--exclude: %v", err)
	}
	if o.MaxRepoSize != "" {
		n, err := parseSize("--max-repo-size", o.MaxRepoSize)
		if err != nil {
			return err
		}
		o.maxRepoKB = max(n/1024, 1)
	}
	if o.Shard != "" {
		s, err := org.ParseShard(o.Shard)
		if err != nil {
			return usageError("--shard: %v", err)
		}
		o.shard = s
	}
	return nil
}

func (o *orgOptions) filter() org.Filter {
	return org.Filter{Include: o.Include, Exclude: o.Exclude, Forks: o.Forks, Archived: o.Archived, MaxSizeKB: o.maxRepoKB}
}

func (o *orgOptions) target() org.Target { return org.Target{Org: o.Org, User: o.User} }

func runOrg(ctx context.Context, o *orgOptions, stdout, stderr io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	a := o.app
	loaded, log, err := a.start(&o.scanOptions, stderr, workRoot())
	if err != nil {
		return err
	}
	loaded.logTo(log)
	target := o.target()
	acts := o.act.acts() || o.IssuesPerRepo
	if o.act.acts() {
		// Issues are filed below, with the credentials of the org scan: act() only verifies
		// and revokes.
		if err := a.checkAct(verifyOnly(&o.act)); err != nil {
			return err
		}
	}
	var baseline scanner.Baseline
	if o.scan.Baseline != "" {
		if baseline, err = scanner.LoadBaseline(o.scan.Baseline); err != nil {
			return failure(err, "give a JSON report that leakstop wrote (--format json) to --baseline")
		}
	}
	client := a.githubClient(log)
	gh, err := a.readGitHubAuth(client.HTTPClient("github", "lookup", nil, true))
	if err != nil {
		return err
	}
	if o.IssuesPerRepo || o.act.Issues != "" {
		if err := gh.needIssueAuth(); err != nil {
			return err
		}
	}
	if err := gh.install(ctx, target); err != nil {
		return err
	}
	if gh.creds == nil {
		log.Warn().Msg("neither GITHUB_TOKEN nor a GitHub App (" + appIDEnv + ", " + appKeyEnv + ") is set: only public repositories can be listed and cloned")
	}
	api, err := org.NewClient(a.getenv("GITHUB_API_URL"), client.HTTPClient("github", "list", nil, true), gh.creds)
	if err != nil {
		return failure(err, "check GITHUB_API_URL")
	}
	cache := o.Cache
	if cache == "" {
		if cache, err = defaultCache(a.getenv); err != nil {
			return failure(err, "name the mirrors' folder with --cache DIR")
		}
	}
	var state *org.State
	if o.State != "" {
		if state, err = org.OpenState(o.State, target.String()); err != nil {
			return failure(err)
		}
		defer state.Close()
	}

	share := max(o.scan.Jobs/o.RepoJobs, 1)
	set := loaded.set
	scan := func(ctx context.Context, dir string, since []string, log zerolog.Logger) (*scanner.Result, error) {
		eng, err := scanner.New(scanner.Options{
			Rules: set, Jobs: share, Baseline: baseline, Redactor: &a.redactor, Logger: log, Hint: chunkHint,
		})
		if err != nil {
			return nil, err
		}
		return eng.Run(ctx, &gitsrc.Source{
			Dir: dir, Since: since, MaxFileSize: o.scan.maxFileSize, Readers: share,
			Logger: log, Lines: set.LineFilter(),
		})
	}
	opts := org.Options{
		Target: target, API: api, Credentials: gh.creds, Filter: o.filter(), Shard: o.shard,
		Cache: cache, State: state, Digest: scanDigest(set, o.scan.maxFileSize), RepoJobs: o.RepoJobs,
		Scan: scan, Log: log,
	}
	if bar := a.repoBar(&o.log, stderr); bar != nil {
		opts.Listed, opts.Progress = bar.start, bar.progress
		defer bar.finish()
	}
	res, err := org.Run(ctx, opts)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return failure(err)
	}
	var actErr error
	if acts {
		actErr = a.actOrg(ctx, &o.act, o.IssuesPerRepo, o.scan.Jobs, set, res.Findings, log, gh)
	}
	if err := a.writeReport(&o.out, res, set, "", stdout); err != nil {
		return err
	}
	if state != nil {
		if err := state.Reported(); err != nil {
			return failure(err)
		}
	}
	return orgOutcome(o.scan.ExitCode, res, actErr)
}

// verifyOnly is a copy of the act flags without the issues, which an org scan files itself.
func verifyOnly(o *actFlags) *actFlags {
	c := *o
	c.Issues = ""
	return &c
}

// scanDigest names what changes the findings of a scan of history: the rules, and the size
// above which blobs are skipped.
func scanDigest(set *rules.Set, maxFileSize int64) string {
	return set.Digest() + "/max-file-size=" + strconv.FormatInt(maxFileSize, 10)
}

// defaultCache is leakstop/mirrors in the user's cache directory ($XDG_CACHE_HOME, else
// ~/.cache).
func defaultCache(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CACHE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "leakstop", "mirrors"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "leakstop", "mirrors"), nil
	}
	return "", errors.New("finding the cache folder: neither XDG_CACHE_HOME nor HOME is set")
}

// githubClient is the client the GitHub calls of an org scan go through: it waits out the
// primary and secondary rate limits and 429s for as long as GitHub asks, up to an hour (or
// LEAKSTOP_MAX_WAIT), and keeps every known secret out of what it logs.
func (a *app) githubClient(log zerolog.Logger) *revoke.Client {
	c := &revoke.Client{Redactor: &a.redactor, Log: log, MaxRetries: 10, MaxWait: time.Hour}
	if d, err := time.ParseDuration(a.getenv("LEAKSTOP_MAX_WAIT")); err == nil && d > 0 {
		c.MaxWait = d
	}
	if d, err := time.ParseDuration(a.getenv("LEAKSTOP_BACKOFF")); err == nil && d > 0 {
		c.Backoff = d
	}
	return c
}

// githubAuth is how an org scan speaks to GitHub: a token, or an App.
type githubAuth struct {
	// creds gives the token of every call of the scan (nil: none).
	creds org.Credentials
	// app is set for a GitHub App, whose installation on another account (the repository
	// of --issues) is found when needed.
	app *org.App
}

// readGitHubAuth reads the GitHub credentials from the environment: a GitHub App when
// LEAKSTOP_GITHUB_APP_ID is set (its private key read now; its installations are found when
// needed), else GITHUB_TOKEN, else none. Every token is taught to the redactor before it is
// used. hc carries the App's calls.
func (a *app) readGitHubAuth(hc *http.Client) (*githubAuth, error) {
	idText := strings.TrimSpace(a.getenv(appIDEnv))
	if idText == "" {
		tok := strings.TrimSpace(a.getenv("GITHUB_TOKEN"))
		if tok == "" {
			return &githubAuth{}, nil
		}
		a.redactor.Add(tok, rules.Redact(tok, tokenPrefix(tok)))
		return &githubAuth{creds: org.StaticToken(tok)}, nil
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return nil, usageError("%s=%q is not an App id (a number, on the App's settings page)", appIDEnv, idText)
	}
	keyPath := a.getenv(appKeyEnv)
	if keyPath == "" {
		return nil, usageError("%s is set but %s is not", appIDEnv, appKeyEnv).
			withHint("set %s to the path of the App's private key (.pem)", appKeyEnv)
	}
	key, err := org.LoadAppKey(keyPath)
	if err != nil {
		return nil, failure(err)
	}
	return &githubAuth{app: &org.App{
		ID: id, Key: key, APIURL: a.getenv("GITHUB_API_URL"), HTTP: hc,
		OnToken: func(tok string) { a.redactor.Add(tok, rules.Redact(tok, tokenPrefix(tok))) },
	}}, nil
}

// install finds the App's installation on the target's account, whose tokens the scan then
// uses; a token needs nothing found.
func (g *githubAuth) install(ctx context.Context, target org.Target) error {
	if g.app == nil {
		return nil
	}
	inst, err := g.app.Installation(ctx, target)
	if err != nil {
		return failure(err)
	}
	g.creds = inst
	return nil
}

// needIssueAuth is the error of issues asked for without credentials to open them with.
func (g *githubAuth) needIssueAuth() error {
	if g.creds != nil || g.app != nil {
		return nil
	}
	return usageError("opening issues needs GITHUB_TOKEN or a GitHub App (%s, %s), and neither is set", appIDEnv, appKeyEnv).
		withHint("give a token (or an App) that may write issues: issues: write")
}

// tokenPrefix is the kind prefix of a GitHub token ("ghp_", "ghs_", "github_pat_"), kept
// when it is redacted.
func tokenPrefix(tok string) string {
	if strings.HasPrefix(tok, "github_pat_") {
		return "github_pat_"
	}
	if len(tok) > 4 && tok[3] == '_' && strings.HasPrefix(tok, "gh") {
		return tok[:4]
	}
	return ""
}

// issueToken returns the token to open issues in owner/repo with: GITHUB_TOKEN, or the
// token of the App's installation that holds the repository (the org's own, mostly).
func (g *githubAuth) issueToken(ctx context.Context, owner, repo string, cache map[string]org.Credentials) (string, error) {
	if g.app == nil {
		if g.creds == nil {
			return "", errors.New("no credentials to open issues with")
		}
		return g.creds.Token(ctx)
	}
	key := strings.ToLower(owner)
	if c, ok := cache[key]; ok {
		return c.Token(ctx)
	}
	if inst, ok := g.creds.(*org.Installation); ok && strings.EqualFold(inst.Account, owner) {
		cache[key] = inst
		return inst.Token(ctx)
	}
	inst, err := g.app.RepoInstallation(ctx, owner, repo)
	if err != nil {
		return "", err
	}
	cache[key] = inst
	return inst.Token(ctx)
}

// actOrg verifies and revokes as the flags ask (act), then opens the issues: every one in
// the repository of --issues, or with --issues-per-repo each in the repository that leaked
// it, with that repository's places only. A secret leaked in several repositories has an
// issue in each; its Issue in the report is the first.
func (a *app) actOrg(ctx context.Context, o *actFlags, perRepo bool, jobs int, set *rules.Set, findings []*scanner.Finding, log zerolog.Logger, gh *githubAuth) error {
	var errs []error
	if o.Verify {
		if err := a.act(ctx, verifyOnly(o), jobs, set, findings, log); err != nil {
			errs = append(errs, err)
		}
	}
	if (o.Issues != "" || perRepo) && ctx.Err() == nil {
		if err := a.fileIssues(ctx, o, perRepo, findings, log, gh); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	var msgs, hints []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
		hints = append(hints, hintsOf(e)...)
	}
	return &statusError{code: exitError, msg: strings.Join(msgs, "; "), hints: dedupe(hints)}
}

// fileIssues opens or updates the issues of findings: in the repository of --issues, or in
// each leaking repository. Every call goes through the audited, rate-limit-aware client.
func (a *app) fileIssues(ctx context.Context, o *actFlags, perRepo bool, findings []*scanner.Finding, log zerolog.Logger, gh *githubAuth) error {
	if len(findings) == 0 {
		return nil
	}
	for _, f := range findings {
		if f.Secret != "" {
			a.redactor.Add(f.Secret, f.Shown(false))
		}
	}
	auditPath := o.Audit
	if auditPath == "" {
		p, err := revoke.DefaultAuditPath(a.getenv)
		if err != nil {
			return failure(err, "choose where to write the audit log with --audit FILE")
		}
		auditPath = p
	}
	audit, err := revoke.OpenAudit(auditPath)
	if err != nil {
		return failure(err, "or choose another audit log with --audit FILE")
	}
	client := a.githubClient(log)
	client.MaxWait = 2 * time.Minute
	client.Audit = audit
	type group struct {
		owner, repo string
		findings    []*scanner.Finding
		// orig maps each finding of the group to the report's, to carry the issue back.
		orig []*scanner.Finding
	}
	var groups []*group
	if perRepo {
		byRepo := map[string]*group{}
		for _, f := range findings {
			for _, name := range repositoriesOf(f) {
				g, ok := byRepo[name]
				if !ok {
					owner, repo, _ := strings.Cut(name, "/")
					g = &group{owner: owner, repo: repo}
					byRepo[name] = g
					groups = append(groups, g)
				}
				c := *f
				c.Locations = nil
				for _, l := range f.Locations {
					if l.Repository == name {
						c.Locations = append(c.Locations, l)
					}
				}
				g.findings, g.orig = append(g.findings, &c), append(g.orig, f)
			}
		}
	} else {
		groups = []*group{{owner: o.owner, repo: o.repo, findings: findings, orig: findings}}
	}
	tokens := map[string]org.Credentials{}
	var errs []string
	var hints []string
	for _, g := range groups {
		if g.owner == "" || g.repo == "" {
			log.Warn().Int("findings", len(g.findings)).Msg("findings with no repository: no issue opened for them (give --issues OWNER/REPO)")
			continue
		}
		tok, err := gh.issueToken(ctx, g.owner, g.repo, tokens)
		if err == nil {
			var filer *issues.Filer
			filer, err = issues.New(issues.Options{
				Owner: g.owner, Repo: g.repo, Token: tok, APIURL: a.getenv("GITHUB_API_URL"),
				Client: client, Log: log, DisplayName: revoke.DisplayName, Notes: revoke.Notes,
			})
			if err == nil {
				err = filer.File(ctx, g.findings)
			}
		}
		for i, f := range g.findings {
			if g.orig[i].Issue == "" {
				g.orig[i].Issue = f.Issue
			}
		}
		if err != nil {
			errs = append(errs, g.owner+"/"+g.repo+": "+a.redact(err.Error()))
			hints = append(hints, hintsOf(err)...)
		}
	}
	if err := audit.Close(); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return &statusError{code: exitError, msg: "opening issues: " + strings.Join(errs, "; "), hints: dedupe(append(hints, "check that the token may write issues there (issues: write)"))}
	}
	return nil
}

// repositoriesOf lists the repositories of a finding's places, in order.
func repositoriesOf(f *scanner.Finding) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range f.Locations {
		if !seen[l.Repository] {
			seen[l.Repository] = true
			out = append(out, l.Repository)
		}
	}
	return out
}

// orgOutcome is the exit status of an org scan or a merge: the repositories that could not
// be fetched or read first (2), then what scanOutcome says of the rest.
func orgOutcome(exitCode int, res *scanner.Result, actErr error) error {
	if actErr != nil {
		return failure(actErr)
	}
	failed := 0
	for _, r := range res.Stats.Repositories {
		if r.Scan == scanner.ScanFailed {
			failed++
		}
	}
	if failed > 0 {
		return &statusError{code: exitError,
			msg:   fmt.Sprintf("%s could not be fetched or read (see the log above); the others were scanned", english.Plural(failed, "repository", "repositories")),
			hints: []string{"the next run tries them again; with --state, what was scanned is not read twice"}}
	}
	return scanOutcome(exitCode, res, nil)
}

// repoBar is the progress bar of an org scan: repositories done of the total, and the
// distinct secrets found so far.
type repoBar struct {
	mu    sync.Mutex
	con   *console
	delay time.Duration
	begun time.Time
	shown bool
	bar   *progressbar.ProgressBar
}

// repoBar returns the bar, or nil when none is to be shown (see progressBar).
func (a *app) repoBar(l *logFlags, stderr io.Writer) *repoBar {
	lazy := a.progressBar(l, stderr, "")
	if lazy == nil {
		return nil
	}
	return &repoBar{con: lazy.con, delay: lazy.delay, begun: lazy.start}
}

func (b *repoBar) start(total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(barWriter{c: b.con}),
		progressbar.OptionSetDescription("repositories, 0 findings"),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	b.bar.StartWithoutRender()
}

func (b *repoBar) progress(done, findings int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bar == nil {
		return
	}
	if !b.shown && time.Since(b.begun) >= b.delay {
		b.shown = true
		b.con.showBar(true)
	}
	b.bar.Describe(fmt.Sprintf("repositories, %s", english.Plural(findings, "finding", "")))
	b.bar.Set(done)
}

func (b *repoBar) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bar != nil {
		b.bar.Finish()
	}
	b.con.showBar(false)
}
