package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// squareProvider verifies access tokens with GET /v2/locations (square.toml's [verify]) and
// revokes an OAuth access token through the application that holds it: POST /oauth2/revoke
// with "Authorization: Client <application secret>" and the application's id, which
// SQUARE_APPLICATION_SECRET and SQUARE_APPLICATION_ID give. That revokes every token of the
// application for the token's seller. A personal access token has no such call: Square
// answers that it is not the application's, and it is replaced in the Developer Console.
type squareProvider struct {
	c      *Client
	base   string
	appID  string
	secret string
	verify *getVerifier
}

// newSquare returns the Square provider: LEAKSTOP_SQUARE_URL, SQUARE_APPLICATION_ID,
// SQUARE_APPLICATION_SECRET.
func newSquare(cfg Config) *squareProvider {
	return &squareProvider{
		c:      cfg.Client,
		base:   cfg.baseURL("square"),
		appID:  cfg.value("SQUARE_APPLICATION_ID"),
		secret: cfg.value("SQUARE_APPLICATION_SECRET"),
		verify: declared(cfg, "square"),
	}
}

const squareRemedy = "revoke the application's access in the seller's Square Dashboard (App integrations), or replace a personal access token in the Developer Console (https://developer.squareup.com/apps)"

// Remediation says what to do by hand.
func (sq *squareProvider) Remediation(s Secret) string {
	if strings.HasPrefix(s.Value, "sq0csp-") {
		return "replace the application secret on the application's OAuth page in the Developer Console (https://developer.squareup.com/apps)"
	}
	return squareRemedy
}

// Verify lists the seller's locations with the token.
func (sq *squareProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return sq.verify.Verify(ctx, s)
}

// Revoke revokes an OAuth access token with its application's credentials. A dry run sends
// nothing: Square has no call that tells, short of revoking, whether the token is the
// application's.
func (sq *squareProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if strings.HasPrefix(s.Value, "sq0csp-") {
		return Outcome{Status: outcome.Unsupported, Detail: "Square has no API that replaces an application secret: " + sq.Remediation(s)}, nil
	}
	if sq.appID == "" || sq.secret == "" {
		return needsCredential("SQUARE_APPLICATION_SECRET", "the secret of the application the OAuth token was issued to, with its id in SQUARE_APPLICATION_ID", squareRemedy), nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would revoke the token through the application SQUARE_APPLICATION_ID (POST /oauth2/revoke): every token of that application for the seller"}, nil
	}
	body, _ := json.Marshal(map[string]string{"client_id": sq.appID, "access_token": s.Value})
	h := http.Header{}
	h.Set("Authorization", "Client "+sq.secret)
	h.Set("Content-Type", "application/json")
	h.Set("Square-Version", "2024-10-17")
	// Revoking sets a state: a second call finds the token revoked already.
	r, err := sq.c.do(ctx, request{Provider: "square", Action: "revoke", Secret: &s, Method: http.MethodPost, URL: sq.base + "/oauth2/revoke", Header: h, Body: body, Idempotent: true})
	if err != nil {
		return Outcome{}, err
	}
	var a struct {
		Success bool `json:"success"`
	}
	switch {
	case r.Status == http.StatusOK && json.Unmarshal(r.Body, &a) == nil && a.Success:
		return Outcome{Status: outcome.Revoked, Detail: "revoked through the application SQUARE_APPLICATION_ID (every token of that application for the seller)"}, nil
	case r.Status == http.StatusOK:
		return Outcome{Status: outcome.Failed, Detail: "revoking: HTTP 200, but the answer does not say success"}, nil
	case r.Status == http.StatusUnauthorized:
		return Outcome{Status: outcome.Failed, Detail: "SQUARE_APPLICATION_ID and SQUARE_APPLICATION_SECRET were refused: " + httpDetail(r)}, nil
	case r.Status == http.StatusNotFound || r.Status == http.StatusBadRequest:
		return Outcome{Status: outcome.Failed, Detail: "the token is not one of the application's OAuth tokens (a personal access token, or another application's): " + httpDetail(r) + "; " + squareRemedy}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking: " + httpDetail(r)}, nil
}

// Describe says which calls the Square provider makes.
func (sq *squareProvider) Describe() Calls {
	return Calls{Revoke: "an OAuth token: `POST /oauth2/revoke` with `SQUARE_APPLICATION_ID` and `SQUARE_APPLICATION_SECRET` (`Authorization: Client …`); application secrets: unsupported"}
}
