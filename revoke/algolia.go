package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// algoliaProvider verifies an admin key with GET /1/indexes on its application's host, the
// application ID found beside it: https://<APP ID>.algolia.net, or LEAKSTOP_ALGOLIA_URL. The
// admin key cannot be deleted through the API.
type algoliaProvider struct {
	c      *Client
	base   string // LEAKSTOP_ALGOLIA_URL, when set
	rotate string
}

// algoliaAppID is an application ID: it names the host, so nothing else may.
var algoliaAppID = regexp.MustCompile(`^[A-Z0-9]{10}$`)

// newAlgolia returns the Algolia provider: LEAKSTOP_ALGOLIA_URL.
func newAlgolia(cfg Config) *algoliaProvider {
	a := &algoliaProvider{c: cfg.Client, rotate: cfg.provider("algolia").Rotate}
	if b, set := cfg.base("algolia"); set {
		a.base = b
	}
	return a
}

// Verify lists the application's indices with the key: 200 live; 403 "Invalid
// Application-ID or API key" invalid; another 403 live without the right.
func (a *algoliaProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	app := strings.TrimSpace(s.Companion)
	if !algoliaAppID.MatchString(app) {
		return Outcome{Status: outcome.Skipped, Detail: "the key's application ID is not known: no Algolia application ID was found beside it, and the API needs both"}, nil
	}
	base := a.base
	if base == "" {
		base = "https://" + app + ".algolia.net"
	}
	h := http.Header{}
	h.Set("x-algolia-application-id", app)
	h.Set("x-algolia-api-key", s.Value)
	r, err := a.c.do(ctx, request{Provider: "algolia", Action: "verify", Secret: &s, Method: http.MethodGet, URL: base + "/1/indexes?page=0&hitsPerPage=1", Header: h})
	if err != nil {
		return Outcome{}, err
	}
	var m struct {
		Message string `json:"message"`
	}
	switch {
	case r.Status == http.StatusOK && json.Valid(r.Body):
		return Outcome{Status: outcome.Live, Detail: "accepted by Algolia (application " + app + ")"}, nil
	case r.Status == http.StatusForbidden && json.Unmarshal(r.Body, &m) == nil && strings.Contains(m.Message, "Invalid Application-ID or API key"):
		return invalid(r), nil
	case r.Status == http.StatusForbidden && m.Message != "":
		return liveBut("authenticated, but not allowed to list indices (not an admin key?)")(r), nil
	}
	return unknownAnswer(r), nil
}

// Remediation says where to regenerate the key by hand.
func (a *algoliaProvider) Remediation(Secret) string {
	return "Algolia has no API to delete the admin key: regenerate it at " + a.rotate
}

// Describe says which calls the Algolia provider makes.
func (a *algoliaProvider) Describe() Calls {
	return Calls{Verify: "`GET /1/indexes` on the application's host (its ID found beside the key)"}
}
