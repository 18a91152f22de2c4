package revoke

import (
	"context"
	"net/http"
	"regexp"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// jfrogProvider verifies reference tokens with GET /access/api/v1/tokens/me at the token's
// platform and revokes them with themselves, DELETE /access/api/v1/tokens/me. The platform is
// LEAKSTOP_JFROG_URL when set, else the jfrog.io host found beside the token (tenant.go).
type jfrogProvider struct {
	c        *Client
	platform tenant
	verify   *getVerifier
}

// jfrogHosts are JFrog's cloud platforms.
var jfrogHosts = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}\.jfrog\.io$`)

// jfrogNoHost says why a token without its platform cannot be asked about.
const jfrogNoHost = "the token's JFrog platform is not known: no jfrog.io host was found beside it; set LEAKSTOP_JFROG_URL to the platform's URL"

// jfrogAPIKey says why API keys are neither verified nor revoked.
const jfrogAPIKey = "JFrog's only call that reads an API key answers with the key itself, and API keys are deprecated: revoke it in the platform's user profile"

// newJFrog returns the JFrog provider: LEAKSTOP_JFROG_URL.
func newJFrog(cfg Config) *jfrogProvider {
	p := newTenant(cfg, "jfrog", jfrogHosts)
	g := p.get(cfg, "jfrog", "/access/api/v1/tokens/me", nil, jfrogNoHost)
	g.skip = func(s Secret) string {
		switch {
		case s.Rule == "jfrog-api-key":
			return jfrogAPIKey
		case p.of(s) == "":
			return jfrogNoHost
		}
		return ""
	}
	return &jfrogProvider{c: cfg.Client, platform: p, verify: g}
}

// Verify asks the token's platform about the token: 200 live, 401 invalid.
func (j *jfrogProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return j.verify.Verify(ctx, s)
}

// Remediation says where to revoke a token by hand.
func (j *jfrogProvider) Remediation(s Secret) string { return j.verify.Remediation(s) }

// Revoke revokes a reference token with itself.
func (j *jfrogProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	base := j.platform.of(s)
	switch {
	case s.Rule == "jfrog-api-key":
		return Outcome{Status: outcome.Unsupported, Detail: jfrogAPIKey}, nil
	case base == "":
		return Outcome{Status: outcome.Unsupported, Detail: jfrogNoHost + "; or " + j.Remediation(s)}, nil
	}
	return oneCall{
		c: j.c, provider: "jfrog", method: http.MethodDelete, url: base + "/access/api/v1/tokens/me",
		header: bearer(s.Value), done: []int{http.StatusOK}, gone: []int{http.StatusNoContent},
		what: "revoked the token with itself",
	}.run(ctx, s, dryRun)
}

// Describe says which calls the JFrog provider makes.
func (j *jfrogProvider) Describe() Calls {
	return Calls{
		Verify: "reference tokens: `GET /access/api/v1/tokens/me` at the token's platform (a jfrog.io host beside it, or LEAKSTOP_JFROG_URL)",
		Revoke: "reference tokens with themselves: `DELETE /access/api/v1/tokens/me`",
	}
}
