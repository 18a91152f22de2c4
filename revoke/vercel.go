package revoke

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// vercelProvider verifies tokens with GET /v2/user (vercel.toml) and deletes them with
// DELETE /v3/user/tokens/current, "current" being the id Vercel documents for the token the
// request carries. Vercel answers a token it does not know with 403 and "invalidToken":
// true, and a token without the permission with a 403 that does not say so.
type vercelProvider struct {
	c      *Client
	base   string
	verify *getVerifier
}

// newVercel returns the Vercel provider: LEAKSTOP_VERCEL_URL.
func newVercel(cfg Config) *vercelProvider {
	v := &vercelProvider{c: cfg.Client, base: cfg.baseURL("vercel"), verify: declared(cfg, "vercel")}
	if v.verify != nil {
		v.verify.answers[http.StatusForbidden] = vercelForbidden
	}
	return v
}

// vercelForbidden reads a 403: invalid when Vercel says the token is, else live without the
// permission.
func vercelForbidden(r *reply) Outcome {
	if vercelInvalidToken(r) {
		return invalid(r)
	}
	return liveBut("authenticated, but not allowed this call")(r)
}

func vercelInvalidToken(r *reply) bool {
	var e struct {
		Error struct {
			InvalidToken bool `json:"invalidToken"`
		} `json:"error"`
	}
	return json.Unmarshal(r.Body, &e) == nil && e.Error.InvalidToken
}

// Remediation says where to delete a token by hand.
func (v *vercelProvider) Remediation(Secret) string {
	return "delete the token at https://vercel.com/account/settings/tokens"
}

// Verify calls GET /v2/user.
func (v *vercelProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return v.verify.Verify(ctx, s)
}

// Revoke deletes the token with itself.
func (v *vercelProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if s.Rule == "vercel-app-refresh-token" {
		return Outcome{Status: outcome.Unsupported, Detail: "an app refresh token cannot call the API: revoke the app's access under Authorized apps at https://vercel.com/account/settings/tokens"}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the token with itself (DELETE /v3/user/tokens/current)"}, nil
	}
	r, err := v.c.do(ctx, request{Provider: "vercel", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: v.base + "/v3/user/tokens/current", Header: bearer(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case r.Status == http.StatusOK:
		if !acknowledged(r) {
			return notAcknowledged("deleting", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "deleted the token with itself"}, nil
	case r.Status == http.StatusForbidden && vercelInvalidToken(r):
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (" + httpDetail(r) + ")"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(r) + "; delete it at https://vercel.com/account/settings/tokens"}, nil
}

// Describe says which calls the Vercel provider makes.
func (v *vercelProvider) Describe() Calls {
	return Calls{Revoke: "with the token itself: `DELETE /v3/user/tokens/current`"}
}
