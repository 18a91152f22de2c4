package revoke

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// NPM verifies registry tokens with whoami and deletes them with themselves (providers.md §6).
type NPM struct {
	c    *Client
	base string
}

// NewNPM returns the npm provider: LEAKSTOP_NPM_URL (default the public registry).
func NewNPM(cfg Config) *NPM {
	return &NPM{c: cfg.Client, base: baseURL(cfg.Env, "NPM", "https://registry.npmjs.org")}
}

const npmRemedy = "revoke it under Access Tokens in the account settings on npm's website"

// Remediation says where to revoke a token by hand.
func (n *NPM) Remediation(Secret) string { return npmRemedy }

// Verify calls GET /-/whoami.
func (n *NPM) Verify(ctx context.Context, s Secret) (Outcome, error) {
	r, err := n.c.Do(ctx, Call{Provider: "npm", Action: "verify", Secret: &s, Method: http.MethodGet, URL: n.base + "/-/whoami", Header: bearer(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusOK:
		return Outcome{Status: outcome.Live, Detail: "accepted by the npm registry"}, nil
	case http.StatusUnauthorized:
		if strings.Contains(strings.ToLower(r.Header.Get("Www-Authenticate")), "otp") {
			return Outcome{Status: outcome.Live, Detail: "authenticated; the registry asks for a one-time password"}, nil
		}
		return Outcome{Status: outcome.Invalid, Detail: httpDetail(r)}, nil
	}
	return unknownAnswer(r), nil
}

// Revoke deletes the token with itself, by the SHA-512 of its value (so the URL does not
// carry the token).
func (n *NPM) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the token with itself (DELETE /-/npm/v1/tokens/token/<sha512>)"}, nil
	}
	sum := sha512.Sum512([]byte(s.Value))
	r, err := n.c.Do(ctx, Call{Provider: "npm", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: n.base + "/-/npm/v1/tokens/token/" + hex.EncodeToString(sum[:]), Header: bearer(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case r.Status == http.StatusNoContent || r.Status == http.StatusOK:
		return Outcome{Status: outcome.Revoked, Detail: "deleted with itself; the registry may accept it from its cache for up to an hour", Eventual: true}, nil
	case r.Status == http.StatusUnauthorized && strings.Contains(strings.ToLower(r.Header.Get("Www-Authenticate")), "otp"):
		return Outcome{Status: outcome.Failed, Detail: "the account demands a one-time password to delete tokens; " + npmRemedy}, nil
	case r.Status == http.StatusForbidden:
		return Outcome{Status: outcome.Failed, Detail: "the token may not delete itself (read-only?): " + httpDetail(r) + "; " + npmRemedy}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(r)}, nil
}
