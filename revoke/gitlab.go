package revoke

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// GitLab verifies personal, project and group access tokens by self-inspection and revokes
// them with the token itself (providers.md §4).
type GitLab struct {
	c    *Client
	base string
}

// NewGitLab returns the GitLab provider: LEAKSTOP_GITLAB_URL (default https://gitlab.com).
func NewGitLab(cfg Config) *GitLab {
	return &GitLab{c: cfg.Client, base: baseURL(cfg.Env, "GITLAB", "https://gitlab.com") + "/api/v4"}
}

// Remediation says where to revoke a token by hand.
func (g *GitLab) Remediation(Secret) string {
	return "revoke the token under Access tokens in the user (or project, group) settings on GitLab"
}

func gitlabHeaders(tok string) http.Header {
	h := http.Header{}
	h.Set("PRIVATE-TOKEN", tok)
	return h
}

// Verify calls GET /api/v4/personal_access_tokens/self.
func (g *GitLab) Verify(ctx context.Context, s Secret) (Outcome, error) {
	r, err := g.c.Do(ctx, Call{Provider: "gitlab", Action: "verify", Secret: &s, Method: http.MethodGet, URL: g.base + "/personal_access_tokens/self", Header: gitlabHeaders(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusOK:
		var t struct {
			Active  *bool `json:"active"`
			Revoked bool  `json:"revoked"`
		}
		if json.Unmarshal(r.Body, &t) == nil && (t.Revoked || t.Active != nil && !*t.Active) {
			return Outcome{Status: outcome.Invalid, Detail: "GitLab says the token is revoked or inactive"}, nil
		}
		return Outcome{Status: outcome.Live, Detail: "accepted by GitLab"}, nil
	case http.StatusUnauthorized:
		return Outcome{Status: outcome.Invalid, Detail: httpDetail(r)}, nil
	case http.StatusForbidden:
		return Outcome{Status: outcome.Live, Detail: "authenticated, with narrower scopes: " + httpDetail(r)}, nil
	}
	return unknownAnswer(r), nil
}

// Revoke calls DELETE /api/v4/personal_access_tokens/self with the token itself.
func (g *GitLab) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would revoke the token with itself (DELETE /personal_access_tokens/self)"}, nil
	}
	r, err := g.c.Do(ctx, Call{Provider: "gitlab", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: g.base + "/personal_access_tokens/self", Header: gitlabHeaders(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusNoContent, http.StatusOK:
		return Outcome{Status: outcome.Revoked, Detail: "revoked with itself"}, nil
	case http.StatusUnauthorized:
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (HTTP 401)"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking: " + httpDetail(r)}, nil
}
