package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// cloudflareProvider verifies API tokens with /user/tokens/verify and deletes them with the
// token itself, or CLOUDFLARE_API_TOKEN when the leaked one may not (providers.md §8).
type cloudflareProvider struct {
	c        *Client
	base     string
	operator string
	verify   *getVerifier // cloudflare.toml's [verify]: the token's own status decides
}

// newCloudflare returns the Cloudflare provider: LEAKSTOP_CLOUDFLARE_URL, CLOUDFLARE_API_TOKEN.
func newCloudflare(cfg Config) *cloudflareProvider {
	return &cloudflareProvider{
		c:        cfg.Client,
		base:     cfg.baseURL("cloudflare") + "/client/v4",
		operator: cfg.value("CLOUDFLARE_API_TOKEN"),
		verify:   declared(cfg, "cloudflare"),
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

// Verify calls GET /client/v4/user/tokens/verify, or for a global API key GET
// /client/v4/user with the account's e-mail found beside it.
func (cf *cloudflareProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Rule == "cloudflare-global-api-key" {
		return cf.verifyGlobalKey(ctx, s)
	}
	return cf.verify.Verify(ctx, s)
}

// verifyGlobalKey reads the user with the key and its e-mail: 200 live; 403 code 9103
// ("Unknown X-Auth-Key or X-Auth-Email") invalid.
func (cf *cloudflareProvider) verifyGlobalKey(ctx context.Context, s Secret) (Outcome, error) {
	if s.Companion == "" {
		return Outcome{Status: outcome.Skipped, Detail: "a global API key verifies only with its account's e-mail, which is not beside it"}, nil
	}
	h := http.Header{}
	h.Set("X-Auth-Email", s.Companion)
	h.Set("X-Auth-Key", s.Value)
	r, err := cf.c.do(ctx, request{Provider: "cloudflare", Action: "verify", Secret: &s, Method: http.MethodGet, URL: cf.base + "/user", Header: h})
	if err != nil {
		return Outcome{}, err
	}
	var a struct {
		Success bool `json:"success"`
		Errors  []struct {
			Code int `json:"code"`
		} `json:"errors"`
	}
	ok := json.Unmarshal(r.Body, &a) == nil
	switch {
	case r.Status == http.StatusOK && ok && a.Success:
		return Outcome{Status: outcome.Live, Detail: "accepted by Cloudflare with the e-mail beside it"}, nil
	case (r.Status == http.StatusForbidden || r.Status == http.StatusBadRequest || r.Status == http.StatusUnauthorized) && ok && len(a.Errors) > 0 && (a.Errors[0].Code == 9103 || a.Errors[0].Code == 6003):
		return invalid(r), nil
	}
	return unknownAnswer(r), nil
}

// Revoke deletes the token by the id its own verify call names. Global API keys and Origin CA
// keys have no API that rolls them.
func (cf *cloudflareProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	switch s.Rule {
	case "cloudflare-global-api-key":
		return Outcome{Status: outcome.Unsupported, Detail: "no API rolls a global API key: roll it under API Keys at https://dash.cloudflare.com/profile/api-tokens and use scoped tokens instead"}, nil
	case "cloudflare-origin-ca-key":
		return Outcome{Status: outcome.Unsupported, Detail: "no API changes an Origin CA key: change it under API Keys at https://dash.cloudflare.com/profile/api-tokens"}, nil
	}
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

// Describe says which calls the Cloudflare provider makes.
func (cf *cloudflareProvider) Describe() Calls {
	return Calls{
		Verify: "tokens `GET /client/v4/user/tokens/verify`; global API keys `GET /client/v4/user` with the e-mail beside them",
		Revoke: "tokens `DELETE /client/v4/user/tokens/{id}` (the id from the verify call), with the token itself or `CLOUDFLARE_API_TOKEN`",
	}
}
