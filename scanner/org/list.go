package org

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-github/v62/github"
)

// Client lists repositories through GitHub's REST API.
type Client struct {
	gh    *github.Client
	creds Credentials
	// MaxPages bounds a listing (pages of 100); zero means DefaultMaxPages. A server whose
	// next links never end is stopped there, with an error: a listing cut short must not
	// be taken for the whole (repositories missing from it would be taken as deleted).
	MaxPages int
}

// DefaultMaxPages bounds a listing: a million repositories.
const DefaultMaxPages = 10000

// NewClient returns a client of the REST API at api (empty: DefaultAPIURL) whose calls go
// through hc, where rate limits are waited out (nil: http.DefaultClient), with a token from
// creds (nil: none, the public repositories only).
func NewClient(api string, hc *http.Client, creds Credentials) (*Client, error) {
	gh, err := newGitHub(api, hc, creds)
	if err != nil {
		return nil, err
	}
	return &Client{gh: gh, creds: creds}, nil
}

func (c *Client) maxPages() int {
	if c.MaxPages > 0 {
		return c.MaxPages
	}
	return DefaultMaxPages
}

// List returns every repository of the target, sorted by name. With an App's installation
// token it lists the repositories the installation may read (GET /installation/
// repositories) of the target's account; with another token, an organisation's
// repositories (GET /orgs/ORG/repos, every type), or a user's: their own, private ones too,
// when the token is that user's (GET /user/repos), else the public ones (GET
// /users/USER/repos).
func (c *Client) List(ctx context.Context, target Target) ([]Repo, error) {
	var page func(opt github.ListOptions) ([]*github.Repository, *github.Response, error)
	_, isApp := c.creds.(*Installation)
	switch {
	case isApp:
		page = func(opt github.ListOptions) ([]*github.Repository, *github.Response, error) {
			list, resp, err := c.gh.Apps.ListRepos(ctx, &opt)
			if list == nil {
				return nil, resp, err
			}
			var mine []*github.Repository
			for _, r := range list.Repositories {
				if strings.EqualFold(r.GetOwner().GetLogin(), target.Name()) {
					mine = append(mine, r)
				}
			}
			return mine, resp, err
		}
	case target.Org != "":
		page = func(opt github.ListOptions) ([]*github.Repository, *github.Response, error) {
			return c.gh.Repositories.ListByOrg(ctx, target.Org, &github.RepositoryListByOrgOptions{Type: "all", Sort: "full_name", ListOptions: opt})
		}
	default:
		self := false
		if c.creds != nil {
			if u, _, err := c.gh.Users.Get(ctx, ""); err == nil && strings.EqualFold(u.GetLogin(), target.User) {
				self = true
			}
		}
		if self {
			page = func(opt github.ListOptions) ([]*github.Repository, *github.Response, error) {
				return c.gh.Repositories.ListByAuthenticatedUser(ctx, &github.RepositoryListByAuthenticatedUserOptions{Affiliation: "owner", Sort: "full_name", ListOptions: opt})
			}
		} else {
			page = func(opt github.ListOptions) ([]*github.Repository, *github.Response, error) {
				return c.gh.Repositories.ListByUser(ctx, target.User, &github.RepositoryListByUserOptions{Type: "owner", Sort: "full_name", ListOptions: opt})
			}
		}
	}
	var out []Repo
	seen := map[int64]bool{}
	read := map[int]bool{}
	opt := github.ListOptions{PerPage: 100}
	for n := 1; ; n++ {
		read[max(opt.Page, 1)] = true
		list, resp, err := page(opt)
		if err != nil {
			return nil, listError(target, err)
		}
		for _, r := range list {
			if r.GetID() == 0 || seen[r.GetID()] {
				continue // a repository that moved between pages while they were read
			}
			seen[r.GetID()] = true
			out = append(out, repoOf(r))
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		if read[resp.NextPage] {
			return nil, fmt.Errorf("listing the repositories of %s: page %d links back to page %d, already read", target, max(opt.Page, 1), resp.NextPage)
		}
		if n >= c.maxPages() {
			return nil, fmt.Errorf("listing the repositories of %s: more than %d pages, and the next links go on", target, c.maxPages())
		}
		opt.Page = resp.NextPage
	}
	slices.SortFunc(out, func(a, b Repo) int { return strings.Compare(strings.ToLower(a.FullName), strings.ToLower(b.FullName)) })
	return out, nil
}

func repoOf(r *github.Repository) Repo {
	return Repo{
		ID: r.GetID(), FullName: r.GetFullName(), CloneURL: r.GetCloneURL(), HTMLURL: r.GetHTMLURL(),
		Fork: r.GetFork(), Archived: r.GetArchived(), SizeKB: int64(r.GetSize()),
	}
}

// listError says why a listing failed, with what to check.
func listError(target Target, err error) error {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		e := &appError{msg: fmt.Sprintf("listing the repositories of %s: HTTP %d: %s", target, er.Response.StatusCode, er.Message)}
		switch er.Response.StatusCode {
		case http.StatusUnauthorized:
			e.hint = "the token was refused: check that it is current (a personal access token, or the App's credentials)"
		case http.StatusNotFound:
			e.hint = "check the name of the " + strings.Fields(target.String())[0] + ", and that the token may read it"
		case http.StatusForbidden:
			e.hint = "the token may not list the repositories: a fine-grained token or an App needs metadata: read on them"
		}
		return e
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		return &appError{msg: "listing the repositories of " + target.String() + ": the API's rate limit is spent until " + rl.Rate.Reset.Time.Format("15:04:05 MST"),
			hint: "run again after then, or with a GitHub App, whose limit is higher"}
	}
	return fmt.Errorf("listing the repositories of %s: %w", target, err)
}
