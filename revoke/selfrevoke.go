package revoke

import (
	"context"
	"net/http"
	"slices"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// selfRevocation is a revocation that is one call carrying the leaked secret itself (Fastly's
// DELETE /tokens/self, Doppler's POST /v3/auth/revoke, Vault's revoke-self): the secret is
// its own authority, and no lookup is needed first.
type selfRevocation struct {
	provider string
	// call names the request for people: "DELETE /tokens/self".
	call   string
	method string
	url    string
	header http.Header
	body   []byte
	// idempotent marks a POST that a secret already revoked answers as gone: sending it
	// again after a lost answer does no harm.
	idempotent bool
	// gone are the statuses that say the secret no longer works (401): already revoked.
	gone []int
}

// revokeSelf sends r, or in a dry run says what it would send.
func (c *Client) revokeSelf(ctx context.Context, s Secret, dryRun bool, r selfRevocation) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would revoke the secret with itself (" + r.call + ")"}, nil
	}
	a, err := c.do(ctx, request{Provider: r.provider, Action: "revoke", Secret: &s, Method: r.method, URL: r.url, Header: r.header, Body: r.body, Idempotent: r.idempotent})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case a.Status >= 200 && a.Status < 300:
		if !acknowledged(a) {
			return notAcknowledged("revoking", a), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "revoked with itself (" + r.call + ")"}, nil
	case slices.Contains(r.gone, a.Status):
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (" + httpDetail(a) + ")"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking: " + httpDetail(a)}, nil
}
