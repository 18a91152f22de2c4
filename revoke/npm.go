package revoke

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// npmProvider verifies registry tokens with whoami and deletes them with themselves
// (providers.md §6).
type npmProvider struct {
	c      *Client
	base   string
	verify getVerifier
}

// newNPM returns the npm provider: LEAKSTOP_NPM_URL (default the public registry).
func newNPM(cfg Config) *npmProvider {
	base := baseURL(cfg.Env, "npm", "https://registry.npmjs.org")
	return &npmProvider{
		c: cfg.Client, base: base,
		verify: getVerifier{
			c: cfg.Client, provider: "npm", accepted: "the npm registry",
			url: at(base + "/-/whoami"),
			answers: map[int]func(*reply) Outcome{
				http.StatusUnauthorized: func(r *reply) Outcome {
					if asksOTP(r) {
						return Outcome{Status: outcome.Live, Detail: "authenticated; the registry asks for a one-time password"}
					}
					return invalid(r)
				},
			},
		},
	}
}

// asksOTP reports whether the registry asks for a one-time password: the token is good.
func asksOTP(r *reply) bool {
	return r.Status == http.StatusUnauthorized && strings.Contains(strings.ToLower(r.Header.Get("Www-Authenticate")), "otp")
}

const npmRemedy = "revoke it at https://www.npmjs.com/settings/USERNAME/tokens (Access Tokens of the account that owns it)"

// Remediation says where to revoke a token by hand.
func (n *npmProvider) Remediation(Secret) string { return npmRemedy }

// Verify calls GET /-/whoami.
func (n *npmProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return n.verify.Verify(ctx, s)
}

// Revoke deletes the token with itself, by the SHA-512 of its value (so the URL does not
// carry the token).
func (n *npmProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the token with itself (DELETE /-/npm/v1/tokens/token/<sha512>)"}, nil
	}
	sum := sha512.Sum512([]byte(s.Value))
	r, err := n.c.do(ctx, request{Provider: "npm", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: n.base + "/-/npm/v1/tokens/token/" + hex.EncodeToString(sum[:]), Header: bearer(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case (r.Status == http.StatusNoContent || r.Status == http.StatusOK) && !acknowledged(r):
		return notAcknowledged("deleting", r), nil
	case r.Status == http.StatusNoContent || r.Status == http.StatusOK:
		return Outcome{Status: outcome.Revoked, Detail: "deleted with itself; the registry may accept it from its cache for up to an hour", Eventual: true}, nil
	case asksOTP(r):
		return Outcome{Status: outcome.Failed, Detail: "the account demands a one-time password to delete tokens; " + npmRemedy}, nil
	case r.Status == http.StatusForbidden:
		return Outcome{Status: outcome.Failed, Detail: "the token may not delete itself (read-only?): " + httpDetail(r) + "; " + npmRemedy}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(r)}, nil
}
