package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// sonarqubeProvider verifies tokens with GET /api/authentication/validate on the SonarQube
// server LEAKSTOP_SONARQUBE_URL names: a server is self-hosted, on any host, so a token is sent
// to none that a file beside it names. SonarQube revokes a token only by its name.
type sonarqubeProvider struct {
	verify *getVerifier
}

// sonarqubeNoServer says why a token is not verified without the variable.
const sonarqubeNoServer = "a SonarQube token belongs to one self-hosted server, which it does not name: set LEAKSTOP_SONARQUBE_URL to the server's URL to verify it"

// newSonarQube returns the SonarQube provider: LEAKSTOP_SONARQUBE_URL.
func newSonarQube(cfg Config) *sonarqubeProvider {
	// No host is SonarQube's own: only the variable names a server.
	server := newTenant(cfg, "sonarqube", regexp.MustCompile(`$.^`))
	g := server.get(cfg, "sonarqube", "/api/authentication/validate", nil, sonarqubeNoServer)
	g.answers[http.StatusOK] = func(r *reply) Outcome {
		var v struct {
			Valid *bool `json:"valid"`
		}
		switch {
		case json.Unmarshal(r.Body, &v) != nil || v.Valid == nil:
			return Outcome{Status: outcome.Unknown, Detail: "HTTP 200, but the answer has no valid: not the answer SonarQube documents"}
		case *v.Valid:
			return Outcome{Status: outcome.Live, Detail: "accepted by SonarQube"}
		}
		return Outcome{Status: outcome.Invalid, Detail: "SonarQube: valid is false"}
	}
	return &sonarqubeProvider{verify: g}
}

// Verify asks the server whether the token is valid.
func (q *sonarqubeProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return q.verify.Verify(ctx, s)
}

// Remediation says where to revoke a token by hand.
func (q *sonarqubeProvider) Remediation(Secret) string {
	return "SonarQube revokes a token only by its name: revoke it under My Account > Security of the server"
}

// Describe says which calls the SonarQube provider makes.
func (q *sonarqubeProvider) Describe() Calls {
	return Calls{Verify: "`GET /api/authentication/validate` on the server LEAKSTOP_SONARQUBE_URL names"}
}
