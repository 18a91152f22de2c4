package revoke

import (
	"context"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// scalewayProvider verifies API keys by reading the key with its own secret key (GET
// /iam/v1alpha1/api-keys/{access_key}, X-Auth-Token) and deletes it with DELETE on the same
// path, with itself or SCW_SECRET_KEY (an operator's secret key allowed to manage IAM).
type scalewayProvider struct {
	c        *Client
	base     string
	operator string
}

// newScaleway returns the Scaleway provider: LEAKSTOP_SCALEWAY_URL, SCW_SECRET_KEY.
func newScaleway(cfg Config) *scalewayProvider {
	return &scalewayProvider{c: cfg.Client, base: cfg.baseURL("scaleway") + "/iam/v1alpha1/api-keys/", operator: cfg.value("SCW_SECRET_KEY")}
}

const scalewayRemedy = "delete the API key at https://console.scaleway.com/iam/api-keys"

// Remediation says where to delete a key by hand.
func (sc *scalewayProvider) Remediation(Secret) string { return scalewayRemedy }

func scalewayHeader(secret string) http.Header {
	h := http.Header{}
	h.Set("X-Auth-Token", secret)
	return h
}

// Verify reads the key with its secret key: 200 live, 401 invalid, 403 live without the
// IAM permission to read keys.
func (sc *scalewayProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Companion == "" {
		return Outcome{Status: outcome.Skipped, Detail: "the access key verifies only with its secret key, which is not beside it"}, nil
	}
	r, err := sc.c.do(ctx, request{Provider: "scaleway", Action: "verify", Secret: &s, Method: http.MethodGet, URL: sc.base + url.PathEscape(s.Value), Header: scalewayHeader(s.Companion)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusOK:
		return Outcome{Status: outcome.Live, Detail: "accepted by Scaleway with the secret key beside it"}, nil
	case http.StatusUnauthorized:
		return invalid(r), nil
	case http.StatusForbidden:
		return liveBut("authenticated, but may not read IAM keys")(r), nil
	}
	return unknownAnswer(r), nil
}

// Revoke deletes the key, with its own secret key or SCW_SECRET_KEY.
func (sc *scalewayProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if s.Companion == "" {
		return Outcome{Status: outcome.Unsupported, Detail: "the secret key is not known: " + scalewayRemedy}, nil
	}
	auth, whose := sc.operator, "SCW_SECRET_KEY"
	if auth == "" {
		auth, whose = s.Companion, "itself"
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete API key " + s.Value + " with " + whose}, nil
	}
	r, err := sc.c.do(ctx, request{Provider: "scaleway", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: sc.base + url.PathEscape(s.Value), Header: scalewayHeader(auth)})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case r.Status == http.StatusNoContent || r.Status == http.StatusOK:
		if !acknowledged(r) {
			return notAcknowledged("deleting", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "deleted API key " + s.Value + " with " + whose}, nil
	case r.Status == http.StatusForbidden && sc.operator == "":
		out := needsCredential("SCW_SECRET_KEY", "the secret key of an API key of the same organization allowed to manage IAM", scalewayRemedy)
		out.Detail = "the key may not delete API keys; " + out.Detail
		return out, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(r) + "; " + scalewayRemedy}, nil
}

// Describe says which calls the Scaleway provider makes.
func (sc *scalewayProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /iam/v1alpha1/api-keys/{access_key}` with the secret key beside it",
		Revoke: "`DELETE /iam/v1alpha1/api-keys/{access_key}`, with the key itself or `SCW_SECRET_KEY`",
	}
}
