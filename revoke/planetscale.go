package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// planetscaleProvider verifies service tokens with the id beside them: GET
// /v1/organizations with "Authorization: <id>:<token>", which lists the organizations the
// token may read. PlanetScale documents deleting a service token only with the
// organization's name and a token allowed to manage tokens, which a leaked token rarely is:
// a person deletes it in the dashboard.
type planetscaleProvider struct {
	c    *Client
	base string
}

// newPlanetScale returns the PlanetScale provider: LEAKSTOP_PLANETSCALE_URL.
func newPlanetScale(cfg Config) *planetscaleProvider {
	return &planetscaleProvider{c: cfg.Client, base: cfg.baseURL("planetscale")}
}

// Remediation says what to do by hand.
func (p *planetscaleProvider) Remediation(s Secret) string {
	switch s.Rule {
	case "planetscale-password":
		return "delete the password under the branch's Passwords at https://app.planetscale.com and create a new one"
	case "planetscale-oauth-token":
		return "revoke the OAuth application's access under Settings > OAuth applications at https://app.planetscale.com"
	}
	return "delete the service token under Settings > Service tokens of the organization at https://app.planetscale.com"
}

// planetscaleTokenID is what a service token id may hold: it goes into a header.
var planetscaleTokenID = regexp.MustCompile(`^[a-z0-9]{8,32}$`)

// Verify lists the organizations of a service token: 200 live, 401 invalid, 403 live but
// not allowed to read organizations.
func (p *planetscaleProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Rule != "planetscale-service-token" {
		return Outcome{Status: outcome.Skipped, Detail: "a database password works only over the MySQL protocol, and an OAuth token only for its application"}, nil
	}
	if !planetscaleTokenID.MatchString(s.Companion) {
		return Outcome{Status: outcome.Skipped, Detail: "the service token verifies only with its id, which is not beside it"}, nil
	}
	h := http.Header{}
	h.Set("Authorization", s.Companion+":"+s.Value)
	h.Set("Accept", "application/json")
	r, err := p.c.do(ctx, request{Provider: "planetscale", Action: "verify", Secret: &s, Method: http.MethodGet, URL: p.base + "/v1/organizations", Header: h})
	if err != nil {
		return Outcome{}, err
	}
	var l struct {
		Data []json.RawMessage `json:"data"`
	}
	switch {
	case r.Status == http.StatusOK && json.Unmarshal(r.Body, &l) == nil && l.Data != nil:
		return Outcome{Status: outcome.Live, Detail: "accepted by PlanetScale with the id beside it"}, nil
	case r.Status == http.StatusUnauthorized:
		return invalid(r), nil
	case r.Status == http.StatusForbidden:
		return liveBut("authenticated, but may not list organizations")(r), nil
	}
	return unknownAnswer(r), nil
}

// Describe says which calls the PlanetScale provider makes.
func (p *planetscaleProvider) Describe() Calls {
	return Calls{Verify: "service tokens: `GET /v1/organizations` with `Authorization: <id>:<token>`, the id found beside the token"}
}
