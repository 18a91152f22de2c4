package revoke

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// linearProvider verifies personal API keys with Linear's GraphQL viewer query, POST /graphql
// with the key as the Authorization header, which only reads. Linear documents no API that
// deletes a personal key.
type linearProvider struct {
	c    *Client
	base string
}

// linearViewer is the query: the key's user, nothing more.
const linearViewer = `{"query":"query { viewer { id } }"}`

// newLinear returns the Linear provider: LEAKSTOP_LINEAR_URL.
func newLinear(cfg Config) *linearProvider {
	return &linearProvider{c: cfg.Client, base: cfg.baseURL("linear")}
}

// Verify sends the viewer query: a user is live; 401, or an authentication error, invalid.
func (l *linearProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	h := http.Header{}
	h.Set("Authorization", s.Value)
	h.Set("Content-Type", "application/json")
	r, err := l.c.do(ctx, request{Provider: "linear", Action: "verify", Secret: &s, Method: http.MethodPost, URL: l.base + "/graphql", Header: h, Body: []byte(linearViewer)})
	if err != nil {
		return Outcome{}, err
	}
	var a struct {
		Data *struct {
			Viewer *struct {
				ID string `json:"id"`
			} `json:"viewer"`
		} `json:"data"`
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	parsed := json.Unmarshal(r.Body, &a) == nil
	switch {
	case r.Status == http.StatusUnauthorized:
		return invalid(r), nil
	case r.Status == http.StatusOK && parsed && a.Data != nil && a.Data.Viewer != nil && a.Data.Viewer.ID != "":
		return Outcome{Status: outcome.Live, Detail: "accepted by Linear"}, nil
	case r.Status == http.StatusOK:
		return Outcome{Status: outcome.Unknown, Detail: "HTTP 200, but the answer names no viewer: not the answer Linear's API gives"}, nil
	case r.Status == http.StatusBadRequest && parsed:
		for _, e := range a.Errors {
			if e.Extensions.Code == "AUTHENTICATION_ERROR" {
				return invalid(r), nil
			}
		}
	}
	return unknownAnswer(r), nil
}

// Remediation says where to revoke a key by hand.
func (l *linearProvider) Remediation(Secret) string {
	return "Linear has no API to delete a personal key: revoke it at https://linear.app/settings/account/security"
}

// Describe says which calls the Linear provider makes.
func (l *linearProvider) Describe() Calls {
	return Calls{Verify: "`POST /graphql` with the viewer query (it only reads)"}
}
