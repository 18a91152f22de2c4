package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// Cloudflare verifies API tokens with /user/tokens/verify and deletes them with the token
// itself, or CLOUDFLARE_API_TOKEN when the leaked one may not (providers.md §8).
type Cloudflare struct {
	c        *Client
	base     string
	operator string
}

// NewCloudflare returns the Cloudflare provider: LEAKSTOP_CLOUDFLARE_URL, CLOUDFLARE_API_TOKEN.
func NewCloudflare(cfg Config) *Cloudflare {
	return &Cloudflare{
		c:        cfg.Client,
		base:     baseURL(cfg.Env, "CLOUDFLARE", "https://api.cloudflare.com") + "/client/v4",
		operator: strings.TrimSpace(cfg.Env("CLOUDFLARE_API_TOKEN")),
	}
}

const cloudflareRemedy = "roll or delete the token at https://dash.cloudflare.com/profile/api-tokens"

// Remediation says where to delete a token by hand.
func (cf *Cloudflare) Remediation(Secret) string { return cloudflareRemedy }

type cloudflareVerify struct {
	Success bool `json:"success"`
	Result  struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"result"`
}

func (cf *Cloudflare) lookup(ctx context.Context, s Secret, action string) (*Response, *cloudflareVerify, error) {
	r, err := cf.c.Do(ctx, Call{Provider: "cloudflare", Action: action, Secret: &s, Method: http.MethodGet, URL: cf.base + "/user/tokens/verify", Header: bearer(s.Value)})
	if err != nil {
		return nil, nil, err
	}
	var v cloudflareVerify
	if r.Status == http.StatusOK && json.Unmarshal(r.Body, &v) == nil {
		return r, &v, nil
	}
	return r, nil, nil
}

// Verify calls GET /client/v4/user/tokens/verify.
func (cf *Cloudflare) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if isGlobalAPIKey(s.Value) {
		return Outcome{Status: outcome.Skipped, Detail: "a legacy Global API Key: verifying it needs the account's e-mail; roll it in the dashboard"}, nil
	}
	r, v, err := cf.lookup(ctx, s, "verify")
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case v != nil && v.Result.Status == "active":
		return Outcome{Status: outcome.Live, Detail: "Cloudflare: token " + v.Result.ID + " is active"}, nil
	case v != nil && (v.Result.Status == "disabled" || v.Result.Status == "expired"):
		return Outcome{Status: outcome.Invalid, Detail: "Cloudflare: token is " + v.Result.Status}, nil
	case r.Status == http.StatusUnauthorized:
		return Outcome{Status: outcome.Invalid, Detail: httpDetail(r)}, nil
	}
	return unknownAnswer(r), nil
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
func (cf *Cloudflare) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	r, v, err := cf.lookup(ctx, s, "lookup")
	if err != nil {
		return Outcome{}, err
	}
	if v == nil || v.Result.ID == "" {
		return Outcome{Status: outcome.Failed, Detail: "finding the token's id: " + httpDetail(r)}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete token " + v.Result.ID}, nil
	}
	auth, whose := s.Value, "itself"
	if cf.operator != "" {
		auth, whose = cf.operator, "CLOUDFLARE_API_TOKEN"
	}
	d, err := cf.c.Do(ctx, Call{Provider: "cloudflare", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: cf.base + "/user/tokens/" + url.PathEscape(v.Result.ID), Header: bearer(auth)})
	if err != nil {
		return Outcome{}, err
	}
	switch d.Status {
	case http.StatusOK:
		return Outcome{Status: outcome.Revoked, Detail: "deleted token " + v.Result.ID + " with " + whose}, nil
	case http.StatusForbidden, http.StatusUnauthorized:
		if cf.operator == "" {
			return Outcome{Status: outcome.Unsupported, Detail: "the token may not delete itself (it lacks API Tokens Write); set CLOUDFLARE_API_TOKEN or " + cloudflareRemedy}, nil
		}
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(d)}, nil
}
