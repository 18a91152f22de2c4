package org

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-github/v62/github"
)

// Credentials give the token of each call to GitHub, API and git alike.
type Credentials interface {
	// Token returns a token that stays valid for a while yet: an App's installation token
	// is renewed before it expires.
	Token(ctx context.Context) (string, error)
}

// StaticToken is a token that does not expire during a run: a personal access token, or
// the token of a workflow run.
type StaticToken string

// Token implements Credentials.
func (t StaticToken) Token(context.Context) (string, error) { return string(t), nil }

// DefaultAPIURL is GitHub's REST API; GitHub Enterprise Server has its own
// (https://HOST/api/v3), as GITHUB_API_URL names it.
const DefaultAPIURL = "https://api.github.com"

// apiBase reads a REST API's base URL: DefaultAPIURL when empty.
func apiBase(api string) (*url.URL, error) {
	if api == "" {
		api = DefaultAPIURL
	}
	u, err := url.Parse(strings.TrimRight(api, "/") + "/")
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("the GitHub API URL %q is not an http(s) URL", api)
	}
	u.User = nil
	return u, nil
}

// newGitHub returns a go-github client for the API at api whose requests go through hc
// (nil: http.DefaultClient), each with a token from creds (none when creds is nil).
func newGitHub(api string, hc *http.Client, creds Credentials) (*github.Client, error) {
	base, err := apiBase(api)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	gh := github.NewClient(&http.Client{Transport: &authTransport{creds: creds, next: next}, Timeout: hc.Timeout})
	gh.BaseURL = base
	gh.UserAgent = "leakstop"
	return gh, nil
}

// authTransport sets each request's Authorization from the credentials as it is sent, so
// that a renewed token is used from the next call on.
type authTransport struct {
	creds Credentials
	next  http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.creds == nil {
		return t.next.RoundTrip(req)
	}
	tok, err := t.creds.Token(req.Context())
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return t.next.RoundTrip(r)
}

// App is a GitHub App: its id and private key sign the short-lived JWTs (RS256) with which
// it finds its installation on an organisation, a user or a repository and mints that
// installation's tokens.
type App struct {
	// ID is the App's id (its settings page shows it as "App ID").
	ID int64
	// Key is the App's private key.
	Key *rsa.PrivateKey
	// APIURL is the REST API; empty means DefaultAPIURL.
	APIURL string
	// HTTP carries the calls (nil: http.DefaultClient); it is where rate limits are
	// waited out.
	HTTP *http.Client
	// OnToken, when set, is told each installation token minted, before it is used, so
	// that the caller can keep it out of everything it prints.
	OnToken func(token string)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// LoadAppKey reads an App's private key: the PEM file GitHub gives (PKCS #1), or PKCS #8.
// The error never quotes the file.
func LoadAppKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the GitHub App's private key: %w", err)
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(data)
	if err != nil {
		return nil, &keyError{path: path}
	}
	return key, nil
}

// keyError is a private key file that holds no RSA private key.
type keyError struct{ path string }

func (e *keyError) Error() string {
	return "reading the GitHub App's private key " + e.path + ": it is not a PEM RSA private key"
}

// Hint says where the key comes from.
func (e *keyError) Hint() string {
	return "give the .pem file that the App's settings page generates (Private keys → Generate a private key)"
}

func (a *App) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// jwtToken is the App's JWT, as GitHub wants it: issued a minute in the past (for clocks
// that drift), valid for nine minutes (GitHub allows ten), issued by the App's id.
func (a *App) jwtToken() (string, error) {
	now := a.now()
	claims := jwt.RegisteredClaims{
		IssuedAt:  jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(now.Add(9 * time.Minute)),
		Issuer:    strconv.FormatInt(a.ID, 10),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(a.Key)
	if err != nil {
		return "", fmt.Errorf("signing the GitHub App's JWT: %w", err)
	}
	return s, nil
}

// Token implements Credentials for the calls the App makes as itself (finding an
// installation, minting its token): a new JWT each time.
func (a *App) Token(context.Context) (string, error) { return a.jwtToken() }

// Installation finds the App's installation on the target's account and returns its token
// source. Nothing is minted until a token is asked for.
func (a *App) Installation(ctx context.Context, target Target) (*Installation, error) {
	gh, err := newGitHub(a.APIURL, a.HTTP, a)
	if err != nil {
		return nil, err
	}
	var in *github.Installation
	if target.Org != "" {
		in, _, err = gh.Apps.FindOrganizationInstallation(ctx, target.Org)
	} else {
		in, _, err = gh.Apps.FindUserInstallation(ctx, target.User)
	}
	if err != nil {
		return nil, installationError(target.String(), err)
	}
	return &Installation{app: a, gh: gh, ID: in.GetID(), Account: in.GetAccount().GetLogin()}, nil
}

// RepoInstallation finds the App's installation that holds the repository owner/repo (the
// one to open its issues with).
func (a *App) RepoInstallation(ctx context.Context, owner, repo string) (*Installation, error) {
	gh, err := newGitHub(a.APIURL, a.HTTP, a)
	if err != nil {
		return nil, err
	}
	in, _, err := gh.Apps.FindRepositoryInstallation(ctx, owner, repo)
	if err != nil {
		return nil, installationError("repository "+owner+"/"+repo, err)
	}
	return &Installation{app: a, gh: gh, ID: in.GetID(), Account: in.GetAccount().GetLogin()}, nil
}

// installationError says why the App's installation could not be found.
func installationError(what string, err error) error {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		switch er.Response.StatusCode {
		case http.StatusNotFound:
			return &appError{msg: "the GitHub App is not installed on " + what,
				hint: "install the App on the account (its settings page, Install App), with access to the repositories to scan"}
		case http.StatusUnauthorized:
			return &appError{msg: "GitHub refused the App's JWT: HTTP 401: " + er.Message,
				hint: "check the App id and that the private key is the App's own (and not revoked), and that this machine's clock is right"}
		}
		return &appError{msg: fmt.Sprintf("finding the GitHub App's installation on %s: HTTP %d: %s", what, er.Response.StatusCode, er.Message)}
	}
	return fmt.Errorf("finding the GitHub App's installation on %s: %w", what, err)
}

// appError is a failure of the App's credentials, with what to do about it.
type appError struct{ msg, hint string }

func (e *appError) Error() string { return e.msg }

// Hint says what to check.
func (e *appError) Hint() string { return e.hint }

// Installation is an App's installation on one account: the source of its tokens, each
// minted when the one before is near its end.
type Installation struct {
	// ID is the installation's id; Account the login of the account it is on.
	ID      int64
	Account string

	app *App
	gh  *github.Client

	mu      sync.Mutex
	token   string
	minted  time.Time
	expires time.Time
	// renewals counts the tokens minted after the first.
	renewals int
}

// maxMargin is how long before its expiry an installation token is renewed at most:
// GitHub's last an hour, and a clone or fetch started with one must finish before it
// expires.
const maxMargin = 10 * time.Minute

// Token implements Credentials: the installation's token, minted anew once less than the
// margin (ten minutes, or half the token's life when that is shorter) is left of it.
func (i *Installation) Token(ctx context.Context) (string, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	now := i.app.now()
	if i.token != "" {
		margin := min(maxMargin, i.expires.Sub(i.minted)/2)
		if now.Add(margin).Before(i.expires) {
			return i.token, nil
		}
		i.renewals++
	}
	tok, _, err := i.gh.Apps.CreateInstallationToken(ctx, i.ID, nil)
	if err != nil {
		var er *github.ErrorResponse
		if errors.As(err, &er) && er.Response != nil {
			return "", &appError{msg: fmt.Sprintf("minting a token for the GitHub App's installation on %s: HTTP %d: %s", i.Account, er.Response.StatusCode, er.Message),
				hint: "check that the App is still installed and that its private key is not revoked"}
		}
		return "", fmt.Errorf("minting a token for the GitHub App's installation on %s: %w", i.Account, err)
	}
	if tok.GetToken() == "" {
		return "", fmt.Errorf("minting a token for the GitHub App's installation on %s: the answer holds no token", i.Account)
	}
	i.token, i.minted = tok.GetToken(), now
	i.expires = tok.GetExpiresAt().Time
	if i.expires.IsZero() || !i.expires.After(now) {
		i.expires = now.Add(time.Hour) // GitHub's; an answer without a date is taken at its word
	}
	if i.app.OnToken != nil {
		i.app.OnToken(i.token)
	}
	return i.token, nil
}

// Renewals is how many tokens were minted after the first.
func (i *Installation) Renewals() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.renewals
}
