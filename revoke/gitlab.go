package revoke

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// gitlabProvider verifies personal, project and group access tokens by self-inspection and
// revokes them with the token itself (providers.md §4).
type gitlabProvider struct {
	c      *Client
	base   string
	verify getVerifier
}

// newGitLab returns the GitLab provider: LEAKSTOP_GITLAB_URL (default https://gitlab.com).
func newGitLab(cfg Config) *gitlabProvider {
	base := baseURL(cfg.Env, "gitlab", "https://gitlab.com") + "/api/v4"
	return &gitlabProvider{
		c: cfg.Client, base: base,
		verify: getVerifier{
			c: cfg.Client, provider: "gitlab", accepted: "GitLab",
			url:    at(base + "/personal_access_tokens/self"),
			header: func(s Secret) http.Header { return gitlabHeaders(s.Value) },
			answers: map[int]func(*reply) Outcome{
				// The token describes itself, revoked or not.
				http.StatusOK: func(r *reply) Outcome {
					var t struct {
						Active  *bool `json:"active"`
						Revoked bool  `json:"revoked"`
					}
					if json.Unmarshal(r.Body, &t) == nil && (t.Revoked || t.Active != nil && !*t.Active) {
						return Outcome{Status: outcome.Invalid, Detail: "GitLab says the token is revoked or inactive"}
					}
					return Outcome{Status: outcome.Live, Detail: "accepted by GitLab"}
				},
				http.StatusForbidden: liveBut("authenticated, with narrower scopes"),
			},
		},
	}
}

// Remediation says where to revoke a token by hand.
func (g *gitlabProvider) Remediation(Secret) string {
	return "revoke the token at https://gitlab.com/-/user_settings/personal_access_tokens (project and group tokens: Settings → Access tokens of the project or group)"
}

func gitlabHeaders(tok string) http.Header {
	h := http.Header{}
	h.Set("PRIVATE-TOKEN", tok)
	return h
}

// Verify calls GET /api/v4/personal_access_tokens/self.
func (g *gitlabProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return g.verify.Verify(ctx, s)
}

// Revoke calls DELETE /api/v4/personal_access_tokens/self with the token itself.
func (g *gitlabProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would revoke the token with itself (DELETE /personal_access_tokens/self)"}, nil
	}
	r, err := g.c.do(ctx, request{Provider: "gitlab", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: g.base + "/personal_access_tokens/self", Header: gitlabHeaders(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusNoContent, http.StatusOK:
		if !acknowledged(r) {
			return notAcknowledged("revoking", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "revoked with itself"}, nil
	case http.StatusUnauthorized:
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (HTTP 401)"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking: " + httpDetail(r)}, nil
}
