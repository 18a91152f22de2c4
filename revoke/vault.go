package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// vaultProvider verifies Vault tokens with GET /v1/auth/token/lookup-self and revokes them
// (and their child tokens) with POST /v1/auth/token/revoke-self, both with the token itself.
// A Vault runs where its owner put it: the address is LEAKSTOP_VAULT_URL, else VAULT_ADDR,
// and VAULT_NAMESPACE, when set, goes with every call (Vault Enterprise, HCP Vault).
type vaultProvider struct {
	c         *Client
	base      string
	namespace string
}

// newVault returns the Vault provider.
func newVault(cfg Config) *vaultProvider {
	v := &vaultProvider{c: cfg.Client, base: cfg.baseURL("vault"), namespace: cfg.value("VAULT_NAMESPACE")}
	if addr := cfg.value("VAULT_ADDR"); v.base == "" {
		v.base = strings.TrimRight(addr, "/")
	}
	return v
}

const vaultRemedy = "revoke the token with `vault token revoke` against its Vault (https://developer.hashicorp.com/vault/docs/commands/token/revoke)"

// Remediation says how to revoke a token by hand.
func (v *vaultProvider) Remediation(Secret) string { return vaultRemedy }

func (v *vaultProvider) header(tok string) http.Header {
	h := http.Header{}
	h.Set("X-Vault-Token", tok)
	if v.namespace != "" {
		h.Set("X-Vault-Namespace", v.namespace)
	}
	return h
}

// noVault is the outcome of a token leakstop does not know the Vault of.
var noVault = Outcome{Status: outcome.Skipped, Detail: "the token's Vault is not known: set VAULT_ADDR (or LEAKSTOP_VAULT_URL) to its address"}

// Verify calls lookup-self: 200 with the token's data is live; Vault answers 403
// "permission denied" to a token it does not know, revoked or expired.
func (v *vaultProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if v.base == "" {
		return noVault, nil
	}
	r, err := v.c.do(ctx, request{Provider: "vault", Action: "verify", Secret: &s, Method: http.MethodGet, URL: v.base + "/v1/auth/token/lookup-self", Header: v.header(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusOK:
		var a struct {
			Data *struct {
				DisplayName string `json:"display_name"`
			} `json:"data"`
		}
		if json.Unmarshal(r.Body, &a) != nil || a.Data == nil {
			return Outcome{Status: outcome.Unknown, Detail: "HTTP 200, but the answer has no data: not Vault's own answer (a proxy?)"}, nil
		}
		return Outcome{Status: outcome.Live, Detail: "accepted by Vault at " + v.base}, nil
	case http.StatusForbidden, http.StatusUnauthorized:
		return invalid(r), nil
	}
	return unknownAnswer(r), nil
}

// Revoke calls revoke-self with the token itself. A revoked token answers 403, so the call
// is safe to send again.
func (v *vaultProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if v.base == "" {
		return Outcome{Status: outcome.Unsupported, Detail: noVault.Detail + "; or by hand: " + vaultRemedy}, nil
	}
	return v.c.revokeSelf(ctx, s, dryRun, selfRevocation{
		provider: "vault", call: "POST /v1/auth/token/revoke-self", method: http.MethodPost,
		url: v.base + "/v1/auth/token/revoke-self", header: v.header(s.Value), idempotent: true,
		gone: []int{http.StatusForbidden},
	})
}

// Describe says which calls the Vault provider makes.
func (v *vaultProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /v1/auth/token/lookup-self` on `VAULT_ADDR`",
		Revoke: "with the token itself: `POST /v1/auth/token/revoke-self`",
	}
}
