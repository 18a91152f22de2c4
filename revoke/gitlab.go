package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// gitlabProvider verifies and revokes every kind of GitLab token by the call its kind has
// (providers.md §4, gitlab.toml): personal, project and group access tokens describe and
// revoke themselves (…/personal_access_tokens/self), a runner token verifies itself (POST
// /runners/verify) and deletes its runner (DELETE /runners), a job token reads its own job
// (GET /job) and dies with it, and every other kind (deploy, trigger, feed, agent, OAuth
// application secrets…) is looked up and revoked or reset by value with an administrator's
// token of a self-managed instance (POST and DELETE /admin/token, the Token information API).
type gitlabProvider struct {
	c      *Client
	base   string
	admin  string       // GITLAB_ADMIN_TOKEN: an administrator's token of the same instance
	verify *getVerifier // gitlab.toml's [verify]: an access token describes itself, active or not
}

// newGitLab returns the GitLab provider: LEAKSTOP_GITLAB_URL (default https://gitlab.com),
// GITLAB_ADMIN_TOKEN.
func newGitLab(cfg Config) *gitlabProvider {
	return &gitlabProvider{
		c: cfg.Client, base: cfg.baseURL("gitlab") + "/api/v4",
		admin:  cfg.value("GITLAB_ADMIN_TOKEN"),
		verify: declared(cfg, "gitlab"),
	}
}

// gitlabKind is what a GitLab token is, for the calls it takes.
type gitlabKind int

const (
	gitlabAccessToken gitlabKind = iota // personal, impersonation, project and group access tokens
	gitlabRunnerToken
	gitlabJobToken
	gitlabOtherToken // looked up and revoked by value through the admin Token information API
)

// gitlabOtherRules are the rules of the kinds only an administrator can look up, with what
// people call them.
var gitlabOtherRules = map[string]string{
	"gitlab-deploy-token":         "deploy token",
	"gitlab-trigger-token":        "pipeline trigger token",
	"gitlab-feed-token":           "feed token",
	"gitlab-incoming-email-token": "incoming e-mail token",
	"gitlab-agent-token":          "agent token",
	"gitlab-oauth-app-secret":     "OAuth application secret",
	"gitlab-scim-token":           "SCIM token",
	"gitlab-feature-flags-token":  "feature flags client token",
	"gitlab-workspace-token":      "workspace token",
}

// gitlabMarkers tell a token's kind from its value, for secrets whose rule is not GitLab's
// own (a configuration's rule, a report of another tool): the prefix, perhaps after an
// instance prefix ("acme-glrt-").
var gitlabMarkers = []struct {
	prefix string
	kind   gitlabKind
}{
	{"glrt-", gitlabRunnerToken}, {"glrtr-", gitlabRunnerToken}, {"glcbt-", gitlabJobToken},
	{"gldt-", gitlabOtherToken}, {"glptt-", gitlabOtherToken}, {"glft-", gitlabOtherToken},
	{"glimt-", gitlabOtherToken}, {"glagent-", gitlabOtherToken}, {"gloas-", gitlabOtherToken},
	{"glsoat-", gitlabOtherToken}, {"glffct-", gitlabOtherToken}, {"glwt-", gitlabOtherToken},
}

// gitlabKindOf returns the kind of s, by its rule, else by its value; an access token when
// neither says (a custom prefix of personal access tokens, the test rules).
func gitlabKindOf(s Secret) (gitlabKind, string) {
	switch s.Rule {
	case "gitlab-runner-token":
		return gitlabRunnerToken, "runner authentication token"
	case "gitlab-job-token":
		return gitlabJobToken, "CI/CD job token"
	case "gitlab-pat", "gitlab-pat-routable":
		return gitlabAccessToken, "access token"
	}
	if name, ok := gitlabOtherRules[s.Rule]; ok {
		return gitlabOtherToken, name
	}
	for _, m := range gitlabMarkers {
		if strings.HasPrefix(s.Value, m.prefix) || strings.Contains(s.Value, "-"+m.prefix) {
			switch m.kind {
			case gitlabRunnerToken:
				return m.kind, "runner authentication token"
			case gitlabJobToken:
				return m.kind, "CI/CD job token"
			}
			return m.kind, "token (" + strings.TrimSuffix(m.prefix, "-") + ")"
		}
	}
	return gitlabAccessToken, "access token"
}

const gitlabRemedy = "revoke the token at https://gitlab.com/-/user_settings/personal_access_tokens (project and group tokens: Settings → Access tokens of the project or group)"

// Remediation says where to revoke a token by hand: the rule's advice for its kind.
func (g *gitlabProvider) Remediation(s Secret) string {
	if k, _ := gitlabKindOf(s); k != gitlabAccessToken && s.Remediation != "" {
		return s.Remediation
	}
	return gitlabRemedy
}

func gitlabHeaders(tok string) http.Header {
	h := http.Header{}
	h.Set("PRIVATE-TOKEN", tok)
	return h
}

// gitlabForm is a request body of form fields, as the runner API documents its calls.
func gitlabForm(fields url.Values) (http.Header, []byte) {
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	return h, []byte(fields.Encode())
}

// gitlabAdminCall is a call of the Token information API about tok, with the admin token.
func (g *gitlabProvider) gitlabAdminCall(ctx context.Context, s *Secret, action, method string) (*reply, error) {
	h := gitlabHeaders(g.admin)
	h.Set("Content-Type", "application/json")
	body, _ := json.Marshal(map[string]string{"token": s.Value})
	return g.c.do(ctx, request{Provider: "gitlab", Action: action, Secret: s, Method: method, URL: g.base + "/admin/token", Header: h, Body: body})
}

// Verify asks GitLab with the call the token's kind has.
func (g *gitlabProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	kind, name := gitlabKindOf(s)
	switch kind {
	case gitlabRunnerToken:
		h, body := gitlabForm(url.Values{"token": {s.Value}})
		r, err := g.c.do(ctx, request{Provider: "gitlab", Action: "verify", Secret: &s, Method: http.MethodPost, URL: g.base + "/runners/verify", Header: h, Body: body})
		if err != nil {
			return Outcome{}, err
		}
		switch r.Status {
		case http.StatusOK:
			return Outcome{Status: outcome.Live, Detail: "GitLab accepts the runner's credentials"}, nil
		case http.StatusForbidden: // the documented answer to invalid credentials
			return invalid(r), nil
		}
		return unknownAnswer(r), nil
	case gitlabJobToken:
		h := http.Header{}
		h.Set("JOB-TOKEN", s.Value)
		r, err := g.c.do(ctx, request{Provider: "gitlab", Action: "verify", Secret: &s, Method: http.MethodGet, URL: g.base + "/job", Header: h})
		if err != nil {
			return Outcome{}, err
		}
		switch {
		case r.Status == http.StatusOK && json.Valid(r.Body):
			return Outcome{Status: outcome.Live, Detail: "the token's job is running" + gitlabJobDetail(r)}, nil
		case r.Status == http.StatusUnauthorized:
			return invalid(r), nil
		}
		return unknownAnswer(r), nil
	case gitlabOtherToken:
		return g.adminLookup(ctx, s, name)
	}
	return g.verify.Verify(ctx, s)
}

// gitlabJobDetail names the job an answer of GET /job describes.
func gitlabJobDetail(r *reply) string {
	var j struct {
		ID     int    `json:"id"`
		Status string `json:"status"`
	}
	if json.Unmarshal(r.Body, &j) != nil || j.ID == 0 {
		return ""
	}
	return " (job " + jsonText(j.ID) + ", " + j.Status + ")"
}

// adminLookup finds a token of any kind by value, with GITLAB_ADMIN_TOKEN.
func (g *gitlabProvider) adminLookup(ctx context.Context, s Secret, name string) (Outcome, error) {
	if g.admin == "" {
		return Outcome{Status: outcome.Skipped, Detail: "GitLab tells whether a " + name + " is live only to an administrator: set GITLAB_ADMIN_TOKEN (an administrator's token of the same self-managed instance)"}, nil
	}
	r, err := g.gitlabAdminCall(ctx, &s, "verify", http.MethodPost)
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusOK:
		var info struct {
			Revoked *bool `json:"revoked"`
			Active  *bool `json:"active"`
		}
		if json.Unmarshal(r.Body, &info) != nil {
			return Outcome{Status: outcome.Unknown, Detail: "HTTP 200, but the answer is not JSON: not the provider's own answer (a proxy?)"}, nil
		}
		if info.Revoked != nil && *info.Revoked || info.Active != nil && !*info.Active {
			return Outcome{Status: outcome.Invalid, Detail: "GitLab knows the " + name + ", revoked or inactive"}, nil
		}
		return Outcome{Status: outcome.Live, Detail: "GitLab's Token information API knows the " + name}, nil
	case http.StatusNotFound:
		return invalid(r), nil
	case http.StatusUnauthorized, http.StatusForbidden:
		return Outcome{Status: outcome.Unknown, Detail: "GITLAB_ADMIN_TOKEN is not an administrator's token of this instance: " + httpDetail(r)}, nil
	case http.StatusUnprocessableEntity:
		return Outcome{Status: outcome.Unknown, Detail: "this GitLab cannot look up a " + name + " by value (an older version?): " + httpDetail(r)}, nil
	}
	return unknownAnswer(r), nil
}

// Revoke revokes the token with the call its kind has.
func (g *gitlabProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	kind, name := gitlabKindOf(s)
	switch kind {
	case gitlabJobToken:
		return Outcome{Status: outcome.Unsupported, Detail: "a job token lives as long as its job, and only the job's end revokes it: cancel the job (https://docs.gitlab.com/ci/jobs/ci_job_token/)"}, nil
	case gitlabOtherToken:
		return g.adminRevoke(ctx, s, name, dryRun)
	case gitlabRunnerToken:
		if g.admin != "" {
			return g.adminRevoke(ctx, s, name, dryRun)
		}
		return g.deleteRunner(ctx, s, dryRun)
	}
	return oneCall{
		c: g.c, provider: "gitlab", method: http.MethodDelete, url: g.base + "/personal_access_tokens/self",
		header: gitlabHeaders(s.Value), done: []int{http.StatusNoContent, http.StatusOK}, gone: []int{http.StatusUnauthorized},
		what: "revoked the token with itself",
	}.run(ctx, s, dryRun)
}

// deleteRunner deletes the runner whose token leaked, with the token itself: the runner API
// has no other call a runner token may make that ends the token (resetting it would hand
// leakstop a new live token, which it must not hold).
func (g *gitlabProvider) deleteRunner(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the runner with its own token (DELETE /runners); it must be registered again"}, nil
	}
	h, body := gitlabForm(url.Values{"token": {s.Value}})
	r, err := g.c.do(ctx, request{Provider: "gitlab", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: g.base + "/runners", Header: h, Body: body})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusNoContent, http.StatusOK:
		if !acknowledged(r) {
			return notAcknowledged("deleting the runner", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "deleted the runner with its own token; register it again with a new token"}, nil
	case http.StatusForbidden:
		return Outcome{Status: outcome.Failed, Detail: "GitLab no longer takes the runner's token (HTTP 403): it may have been reset meanwhile; " + s.Remediation}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting the runner: " + httpDetail(r)}, nil
}

// adminRevoke revokes, or for the kinds GitLab resets (runner, feed, incoming e-mail and
// feature flags tokens, OAuth application secrets), resets the token with GITLAB_ADMIN_TOKEN.
func (g *gitlabProvider) adminRevoke(ctx context.Context, s Secret, name string, dryRun bool) (Outcome, error) {
	if g.admin == "" {
		return needsCredential("GITLAB_ADMIN_TOKEN", "an administrator's token of the same self-managed instance", s.Remediation), nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would revoke or reset the " + name + " with GITLAB_ADMIN_TOKEN (DELETE /admin/token)"}, nil
	}
	r, err := g.gitlabAdminCall(ctx, &s, "revoke", http.MethodDelete)
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusNoContent, http.StatusOK:
		if !acknowledged(r) {
			return notAcknowledged("revoking", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "revoked (or reset) the " + name + " with GITLAB_ADMIN_TOKEN"}, nil
	case http.StatusUnprocessableEntity:
		return Outcome{Status: outcome.Unsupported, Detail: "this GitLab cannot revoke a " + name + " by value (the API is an experiment behind a feature flag): " + httpDetail(r) + "; " + s.Remediation}, nil
	case http.StatusUnauthorized, http.StatusForbidden:
		return Outcome{Status: outcome.Failed, Detail: "GITLAB_ADMIN_TOKEN may not revoke tokens: " + httpDetail(r)}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking: " + httpDetail(r)}, nil
}

// Describe says which calls the GitLab provider makes.
func (g *gitlabProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /api/v4/personal_access_tokens/self` (access tokens), `POST /api/v4/runners/verify` (runner tokens), `GET /api/v4/job` (job tokens), `POST /api/v4/admin/token` with `GITLAB_ADMIN_TOKEN` (every other kind)",
		Revoke: "access tokens with themselves (`DELETE /api/v4/personal_access_tokens/self`); runner tokens delete their runner (`DELETE /api/v4/runners`); other kinds with `GITLAB_ADMIN_TOKEN` (`DELETE /api/v4/admin/token`)",
	}
}
