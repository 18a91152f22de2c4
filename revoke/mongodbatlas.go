package revoke

import (
	"context"
	"encoding/base64"
	"net/http"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// mongodbAtlasProvider verifies service account secrets with the client-credentials grant at
// POST /api/oauth/token (the client id beside the secret as the user, the secret as the
// password). Deleting a secret needs its organization's and its own id, which the pair does
// not carry, so leakstop does not revoke them.
type mongodbAtlasProvider struct {
	c    *Client
	base string
}

// newMongoDBAtlas returns the MongoDB Atlas provider: LEAKSTOP_MONGODB_ATLAS_URL.
func newMongoDBAtlas(cfg Config) *mongodbAtlasProvider {
	base := cfg.baseURL("mongodb-atlas")
	if base == "" {
		base = "https://cloud.mongodb.com"
	}
	return &mongodbAtlasProvider{c: cfg.Client, base: base}
}

// Remediation says where to delete a secret by hand.
func (m *mongodbAtlasProvider) Remediation(Secret) string {
	return "delete the secret of the service account under Access Manager > Service Accounts of the organization in Atlas (https://cloud.mongodb.com)"
}

// Verify asks for an access token with the pair: 200 live, 401 invalid_client invalid.
func (m *mongodbAtlasProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Companion == "" {
		return Outcome{Status: outcome.Skipped, Detail: "the secret verifies only with its service account's client id (mdb_sa_id_…), which is not beside it"}, nil
	}
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(s.Companion+":"+s.Value)))
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("Accept", "application/json")
	r, err := m.c.do(ctx, request{Provider: "mongodb-atlas", Action: "verify", Secret: &s, Method: http.MethodPost, URL: m.base + "/api/oauth/token", Header: h, Body: []byte("grant_type=client_credentials")})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case mintedToken(m.c, r):
		return Outcome{Status: outcome.Live, Detail: "accepted by MongoDB Atlas with the client id beside it"}, nil
	case r.Status == http.StatusUnauthorized || r.Status == http.StatusBadRequest && oauthError(r.Body) == "invalid_client":
		return invalid(r), nil
	}
	return unknownAnswer(r), nil
}

// Describe says which calls the MongoDB Atlas provider makes.
func (m *mongodbAtlasProvider) Describe() Calls {
	return Calls{Verify: "`POST /api/oauth/token` (client credentials) with the client id beside the secret"}
}
