package revoke

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// xaiProvider verifies keys with GET /v1/api-key, as xai.toml declares, reading the flags of
// the answer: a key xAI blocked or its team disabled is dead. It deletes a key by the id
// that call names, on the Management API with a management key (XAI_MANAGEMENT_KEY):
// DELETE /auth/api-keys/{api_key_id}. The leaked key cannot delete itself.
type xaiProvider struct {
	c        *Client
	base     string // the inference API: https://api.x.ai
	mgmt     string // the Management API: https://management-api.x.ai
	operator string
	verify   *getVerifier
}

// newXAI returns the xAI provider: LEAKSTOP_XAI_URL (both APIs, when set), XAI_MANAGEMENT_KEY.
func newXAI(cfg Config) *xaiProvider {
	base, set := cfg.base("xai")
	x := &xaiProvider{c: cfg.Client, base: base, mgmt: "https://management-api.x.ai", operator: cfg.value("XAI_MANAGEMENT_KEY"), verify: declared(cfg, "xai")}
	if set {
		x.mgmt = base
	}
	if x.verify != nil {
		x.verify.answers[http.StatusOK] = readXAIKey
	}
	return x
}

const xaiRemedy = "delete the key at https://console.x.ai/team/default/api-keys"

// Remediation says where to delete a key by hand.
func (x *xaiProvider) Remediation(Secret) string { return xaiRemedy }

// xaiKey is the answer of GET /v1/api-key.
type xaiKey struct {
	APIKeyID       string `json:"api_key_id"`
	TeamID         string `json:"team_id"`
	Name           string `json:"name"`
	TeamBlocked    bool   `json:"team_blocked"`
	APIKeyBlocked  bool   `json:"api_key_blocked"`
	APIKeyDisabled bool   `json:"api_key_disabled"`
}

// readXAIKey reads a 200 of GET /v1/api-key: live unless the key or its team is blocked or
// the key disabled; an answer without the key's id is not xAI's.
func readXAIKey(r *reply) Outcome {
	var k xaiKey
	if json.Unmarshal(r.Body, &k) != nil || k.APIKeyID == "" {
		return Outcome{Status: outcome.Unknown, Detail: "HTTP 200, but the answer has no api_key_id: not the answer xAI documents"}
	}
	switch {
	case k.APIKeyBlocked:
		return Outcome{Status: outcome.Invalid, Detail: "xAI has blocked the key"}
	case k.TeamBlocked:
		return Outcome{Status: outcome.Invalid, Detail: "xAI has blocked the key's team"}
	case k.APIKeyDisabled:
		return Outcome{Status: outcome.Invalid, Detail: "the key is disabled (its team may enable it again)"}
	}
	return Outcome{Status: outcome.Live, Detail: "accepted by xAI"}
}

// Verify calls GET /v1/api-key.
func (x *xaiProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return x.verify.Verify(ctx, s)
}

// Revoke deletes the key by its id with XAI_MANAGEMENT_KEY.
func (x *xaiProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if x.operator == "" {
		return needsCredential("XAI_MANAGEMENT_KEY", "a management key of the key's team", xaiRemedy), nil
	}
	r, err := x.c.do(ctx, request{Provider: "xai", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: x.base + "/v1/api-key", Header: bearer(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	var k xaiKey
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &k) != nil || k.APIKeyID == "" {
		return Outcome{Status: outcome.Failed, Detail: "finding the key's id (GET /v1/api-key): " + httpDetail(r)}, nil
	}
	what := fmt.Sprintf("API key %s (%q) of team %s", k.APIKeyID, k.Name, k.TeamID)
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete " + what + " with XAI_MANAGEMENT_KEY"}, nil
	}
	d, err := x.c.do(ctx, request{Provider: "xai", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: x.mgmt + "/auth/api-keys/" + url.PathEscape(k.APIKeyID), Header: bearer(x.operator)})
	if err != nil {
		return Outcome{}, fmt.Errorf("deleting: %w (it may have happened: leakstop verifies before trying again)", err)
	}
	switch d.Status {
	case http.StatusOK, http.StatusNoContent:
		if !acknowledged(d) {
			return notAcknowledged("deleting", d), nil
		}
		// xAI documents a short delay before a change reaches every cluster.
		return Outcome{Status: outcome.Revoked, Detail: "deleted " + what + " with XAI_MANAGEMENT_KEY", Eventual: true}, nil
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		out := needsCredential("XAI_MANAGEMENT_KEY", "a management key of team "+k.TeamID+" with Management Keys write", xaiRemedy)
		out.Detail = "XAI_MANAGEMENT_KEY may not delete the key (" + httpDetail(d) + "); " + out.Detail
		return out, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(d)}, nil
}

// Describe says which calls the xAI provider makes.
func (x *xaiProvider) Describe() Calls {
	return Calls{Revoke: "with `XAI_MANAGEMENT_KEY`: `DELETE /auth/api-keys/{api_key_id}` on the Management API (the id from `GET /v1/api-key`)"}
}
