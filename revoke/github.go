package revoke

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v62/github"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// githubProvider verifies tokens with GET /user (installation tokens: GET
// /installation/repositories) and revokes them through POST /credentials/revoke,
// unauthenticated on github.com, every token of a run in one request of at most 1000
// (providers.md §3). Installation tokens revoke themselves with DELETE /installation/token.
type githubProvider struct {
	c      *Client
	base   string // without a trailing slash
	token  string // GITHUB_TOKEN, sent to /credentials/revoke on GitHub Enterprise Server only
	verify getVerifier
}

// newGitHub returns the GitHub provider: GITHUB_API_URL (default https://api.github.com).
func newGitHub(cfg Config) *githubProvider {
	base := GitHubAPIURL(cfg.Env("GITHUB_API_URL"))
	return &githubProvider{
		c: cfg.Client, base: base, token: cfg.Env("GITHUB_TOKEN"),
		verify: getVerifier{
			c: cfg.Client, provider: "github", accepted: "GitHub",
			url:    either(isInstallationToken, base+"/installation/repositories?per_page=1", base+"/user"),
			header: func(s Secret) http.Header { return githubHeaders(s.Value) },
			answers: map[int]func(*reply) Outcome{
				http.StatusOK: func(r *reply) Outcome {
					d := "accepted by GitHub"
					if sc := r.Header.Get("X-Oauth-Scopes"); sc != "" {
						d += " (scopes: " + sc + ")"
					}
					return Outcome{Status: outcome.Live, Detail: d}
				},
				// An installation token asked for /user; a rate-limit 403 stays unknown.
				http.StatusForbidden: func(r *reply) Outcome {
					if r.Header.Get("X-Ratelimit-Remaining") != "0" && strings.Contains(message(r.Body), "not accessible by integration") {
						return liveBut("authenticated, not allowed this call")(r)
					}
					return unknownAnswer(r)
				},
			},
		},
	}
}

// The REST API of github.com, and the path of a GitHub Enterprise Server's.
const (
	githubDotComAPI = "https://api.github.com"
	enterpriseAPI   = "/api/v3"
)

// GitHubAPIURL returns the base of GitHub's REST API, without a trailing slash, from v, the
// value of GITHUB_API_URL (as GitHub Actions sets it): v itself, or https://api.github.com
// when v is empty. Every GitHub call leakstop makes (verify, revoke, issues) starts here.
func GitHubAPIURL(v string) string {
	if b := strings.TrimRight(strings.TrimSpace(v), "/"); b != "" {
		return b
	}
	return githubDotComAPI
}

// GitHubWebURL returns the web address of the GitHub whose REST API is at api (as
// GitHubAPIURL returns it): https://github.com for api.github.com, the server itself for a
// GitHub Enterprise Server (…/api/v3), and api itself otherwise (a fake, a proxy).
func GitHubWebURL(api string) string {
	switch {
	case api == githubDotComAPI:
		return "https://github.com"
	case strings.HasSuffix(api, enterpriseAPI):
		return strings.TrimSuffix(api, enterpriseAPI)
	}
	return api
}

// Remediation says where to revoke a token by hand.
func (g *githubProvider) Remediation(Secret) string {
	return "delete the token at https://github.com/settings/tokens (or the app's settings for app tokens)"
}

func githubHeaders(tok string) http.Header {
	h := http.Header{}
	if tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	h.Set("Accept", "application/vnd.github+json")
	h.Set("X-GitHub-Api-Version", "2022-11-28")
	return h
}

func isInstallationToken(v string) bool { return strings.HasPrefix(v, "ghs_") }

// Verify calls GET /user, or GET /installation/repositories for installation tokens.
func (g *githubProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return g.verify.Verify(ctx, s)
}

// enterprise reports whether the API is a GitHub Enterprise Server, whose revoke endpoint
// wants the operator's token where github.com refuses any.
func (g *githubProvider) enterprise() bool { return strings.HasSuffix(g.base, enterpriseAPI) }

// RevokeBatch revokes every token of the run: installation tokens one by one with
// themselves, the others in requests of up to 1000 to POST /credentials/revoke.
func (g *githubProvider) RevokeBatch(ctx context.Context, ss []Secret, dryRun bool) []Outcome {
	out := make([]Outcome, len(ss))
	var batch []int
	for i, s := range ss {
		if isInstallationToken(s.Value) {
			out[i] = g.revokeInstallation(ctx, s, dryRun)
			continue
		}
		batch = append(batch, i)
	}
	for len(batch) > 0 {
		n := min(len(batch), 1000)
		chunk := batch[:n]
		batch = batch[n:]
		if dryRun {
			for _, i := range chunk {
				out[i] = Outcome{Status: outcome.DryRun, Detail: "would send it to GitHub's credential revocation (POST /credentials/revoke); GitHub tells its owner"}
			}
			continue
		}
		o := g.revokeCredentials(ctx, ss, chunk)
		for _, i := range chunk {
			out[i] = o
		}
	}
	return out
}

// revokeCredentials sends one POST /credentials/revoke through go-github, which has no
// wrapper for it in v62: NewRequest and Do, and a 202 comes back as *github.AcceptedError.
func (g *githubProvider) revokeCredentials(ctx context.Context, ss []Secret, idx []int) Outcome {
	creds := make([]string, len(idx))
	for k, i := range idx {
		creds[k] = ss[i].Value
	}
	// One audit line per request, naming every secret it carries. The call is not
	// idempotent for leakstop: each one makes GitHub tell the owners, and a token it revokes
	// asynchronously still verifies live for a while, so a call a crash left without an
	// answer is never sent again blindly.
	batch := make([]Secret, len(idx))
	for k, i := range idx {
		batch[k] = ss[i]
	}
	client := github.NewClient(g.c.sdkClient(meta{provider: "github", action: "revoke", secret: &batch[0], batch: batch}, true))
	if g.enterprise() && g.token != "" {
		client = client.WithAuthToken(g.token)
	}
	if u, err := url.Parse(g.base + "/"); err == nil {
		client.BaseURL = u
	}
	req, err := client.NewRequest(http.MethodPost, "credentials/revoke", map[string][]string{"credentials": creds})
	if err != nil {
		return Outcome{Status: outcome.Failed, Detail: g.c.redact("building the revoke request: " + err.Error())}
	}
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	_, err = client.Do(ctx, req, nil)
	var accepted *github.AcceptedError
	switch {
	case err == nil, errors.As(err, &accepted):
		return Outcome{Status: outcome.Revoked, Eventual: true, Detail: fmt.Sprintf("sent to GitHub's credential revocation with %d other tokens; GitHub revokes asynchronously and tells the owner", len(idx)-1)}
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) {
		return Outcome{Status: outcome.Failed, Detail: g.c.redact(fmt.Sprintf("POST /credentials/revoke: HTTP %d: %s", er.Response.StatusCode, er.Message))}
	}
	return Outcome{Status: outcome.Failed, Detail: g.c.redact("POST /credentials/revoke: " + err.Error())}
}

func (g *githubProvider) revokeInstallation(ctx context.Context, s Secret, dryRun bool) Outcome {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would revoke the installation token with itself (DELETE /installation/token)"}
	}
	r, err := g.c.do(ctx, request{Provider: "github", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: g.base + "/installation/token", Header: githubHeaders(s.Value)})
	if err != nil {
		return Outcome{Status: outcome.Failed, Detail: err.Error()}
	}
	switch r.Status {
	case http.StatusNoContent:
		if !acknowledged(r) {
			return notAcknowledged("revoking", r)
		}
		return Outcome{Status: outcome.Revoked, Detail: "revoked with itself (DELETE /installation/token)"}
	case http.StatusUnauthorized:
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (HTTP 401)"}
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking: " + httpDetail(r)}
}
