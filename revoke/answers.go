package revoke

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// The readings of answers that several cloud providers share.

// mintedToken reports whether r is a 200 with an OAuth access_token, as a token endpoint
// answers a credential it accepts; the token it gave is a secret too, so it is redacted (it
// lives an hour or so and is not kept).
func mintedToken(c *Client, r *reply) bool {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &tok) != nil || tok.AccessToken == "" {
		return false
	}
	c.Redactor.Add(tok.AccessToken, "<access token>")
	return true
}

// confirmRevoked reads a revocation endpoint's 200 as RFC 7009 writes it: the endpoint also
// answers 200 for a token it does not know, so the revocation counts once the token verifies
// invalid.
func confirmRevoked(ctx context.Context, verify func(context.Context, Secret) (Outcome, error), s Secret, remedy string) Outcome {
	after, err := verify(ctx, s)
	if err != nil {
		return Outcome{Status: outcome.Failed, Detail: "revoked (HTTP 200), but verifying afterwards: " + errText(err)}
	}
	switch after.Status {
	case outcome.Invalid:
		return Outcome{Status: outcome.Revoked, Detail: "revoked at the OAuth revocation endpoint; the token verifies invalid"}
	case outcome.Live:
		return Outcome{Status: outcome.Failed, Detail: "the revocation endpoint answered 200, but the token still verifies live; " + remedy}
	}
	return Outcome{Status: outcome.Failed, Detail: "the revocation endpoint answered 200, which it also answers for tokens it does not know, and the token could not be verified afterwards (" + after.Detail + "); " + remedy}
}

// deleted reads the answer to a deletion the leaked token made of itself: 200 or 204 (an
// empty or JSON body) deleted, as done says; 401 already invalid; anything else failed, what
// naming what was deleted.
func deleted(d *reply, done, what, remedy string) Outcome {
	switch d.Status {
	case http.StatusOK, http.StatusNoContent:
		if !acknowledged(d) {
			return notAcknowledged("deleting", d)
		}
		return Outcome{Status: outcome.Revoked, Detail: done}
	case http.StatusUnauthorized:
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (" + httpDetail(d) + ")"}
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting " + what + ": " + httpDetail(d) + "; " + remedy}
}
