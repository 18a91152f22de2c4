package revoke

import (
	"context"
	"net/http"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// gitlabProvider verifies personal, project and group access tokens by self-inspection and
// revokes them with the token itself (providers.md §4).
type gitlabProvider struct {
	c      *Client
	base   string
	verify *getVerifier // gitlab.toml's [verify]: the token describes itself, active or not
}

// newGitLab returns the GitLab provider: LEAKSTOP_GITLAB_URL (default https://gitlab.com).
func newGitLab(cfg Config) *gitlabProvider {
	return &gitlabProvider{
		c: cfg.Client, base: cfg.baseURL("gitlab") + "/api/v4",
		verify: declared(cfg, "gitlab"),
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

// Describe says which calls the GitLab provider makes.
func (g *gitlabProvider) Describe() Calls {
	return Calls{Revoke: "with the token itself: `DELETE /api/v4/personal_access_tokens/self`"}
}
