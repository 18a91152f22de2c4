package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// cloudflareProvider verifies API tokens with /user/tokens/verify and deletes them with the
// token itself, or CLOUDFLARE_API_TOKEN when the leaked one may not (providers.md §8).
type cloudflareProvider struct {
	c        *Client
	base     string
	operator string
	verify   getVerifier
}

// newCloudflare returns the Cloudflare provider: LEAKSTOP_CLOUDFLARE_URL, CLOUDFLARE_API_TOKEN.
func newCloudflare(cfg Config) *cloudflareProvider {
	base := baseURL(cfg.Env, "cloudflare", "https://api.cloudflare.com") + "/client/v4"
	return &cloudflareProvider{
		c:        cfg.Client,
		base:     base,
		operator: cfg.value("CLOUDFLARE_API_TOKEN"),
		verify: getVerifier{
			c: cfg.Client, provider: "cloudflare",
			url: at(base + "/user/tokens/verify"),
			skip: func(s Secret) string {
				if isGlobalAPIKey(s.Value) {
					return "a legacy Global API Key: verifying it needs the account's e-mail; roll it in the dashboard"
				}
				return ""
			},
			// The token's own status decides: a disabled or expired token still authenticates.
			answers: map[int]func(*reply) Outcome{http.StatusOK: func(r *reply) Outcome {
				switch v := tokenStatus(r); {
				case v != nil && v.Result.Status == "active":
					return Outcome{Status: outcome.Live, Detail: "Cloudflare: token " + v.Result.ID + " is active"}
				case v != nil && (v.Result.Status == "disabled" || v.Result.Status == "expired"):
					return Outcome{Status: outcome.Invalid, Detail: "Cloudflare: token is " + v.Result.Status}
				}
				return unknownAnswer(r)
			}},
		},
	}
}

const cloudflareRemedy = "roll or delete the token at https://dash.cloudflare.com/profile/api-tokens"

// Remediation says where to delete a token by hand.
func (cf *cloudflareProvider) Remediation(Secret) string { return cloudflareRemedy }

type cloudflareVerify struct {
	Success bool `json:"success"`
	Result  struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"result"`
}

// tokenStatus reads the answer of /user/tokens/verify: nil unless it is a 200 that says.
func tokenStatus(r *reply) *cloudflareVerify {
	var v cloudflareVerify
	if r.Status == http.StatusOK && json.Unmarshal(r.Body, &v) == nil {
		return &v
	}
	return nil
}

// Verify calls GET /client/v4/user/tokens/verify.
func (cf *cloudflareProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return cf.verify.Verify(ctx, s)
}

// isGlobalAPIKey tells the legacy Global API Key (37 hex characters, used with
// X-Auth-Email) from API tokens.
func isGlobalAPIKey(v string) bool {
	if len(v) != 37 {
		return false
	}
	return strings.Trim(v, "0123456789abcdef") == ""
}

// Revoke deletes the token by the id its own verify call names.
func (cf *cloudflareProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	r, err := cf.c.do(ctx, request{Provider: "cloudflare", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: cf.base + "/user/tokens/verify", Header: bearer(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	v := tokenStatus(r)
	if v == nil || v.Result.ID == "" {
		return Outcome{Status: outcome.Failed, Detail: "finding the token's id: " + httpDetail(r)}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete token " + v.Result.ID}, nil
	}
	auth, whose := operatorOr(s, cf.operator, "CLOUDFLARE_API_TOKEN")
	d, err := cf.c.do(ctx, request{Provider: "cloudflare", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: cf.base + "/user/tokens/" + url.PathEscape(v.Result.ID), Header: bearer(auth)})
	if err != nil {
		return Outcome{}, err
	}
	switch d.Status {
	case http.StatusOK:
		if !acknowledged(d) {
			return notAcknowledged("deleting", d), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "deleted token " + v.Result.ID + " with " + whose}, nil
	case http.StatusForbidden, http.StatusUnauthorized:
		if cf.operator == "" {
			out := needsCredential("CLOUDFLARE_API_TOKEN", "a token of the same account with API Tokens Write", cloudflareRemedy)
			out.Detail = "the token may not delete itself (it lacks API Tokens Write); " + out.Detail
			return out, nil
		}
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(d)}, nil
}
