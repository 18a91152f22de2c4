package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// ibmCloudProvider verifies API keys by trading them for an IAM token (POST /identity/token)
// and deletes them with that token: GET /v1/apikeys/details names the key's id, DELETE
// /v1/apikeys/{id} deletes it. A locked key cannot be deleted until its owner unlocks it.
type ibmCloudProvider struct {
	c    *Client
	base string
}

// newIBMCloud returns the IBM Cloud provider: LEAKSTOP_IBM_CLOUD_URL.
func newIBMCloud(cfg Config) *ibmCloudProvider {
	base := cfg.baseURL("ibm-cloud")
	if base == "" {
		base = "https://iam.cloud.ibm.com"
	}
	return &ibmCloudProvider{c: cfg.Client, base: base}
}

const ibmRemedy = "delete the API key at https://cloud.ibm.com/iam/apikeys (service IDs: the service ID's API keys)"

// Remediation says where to delete a key by hand.
func (ib *ibmCloudProvider) Remediation(Secret) string { return ibmRemedy }

// token trades the key for an IAM access token: the token, or the outcome that says why
// there is none.
func (ib *ibmCloudProvider) token(ctx context.Context, s Secret, action string) (string, Outcome, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("Accept", "application/json")
	form := url.Values{"grant_type": {"urn:ibm:params:oauth:grant-type:apikey"}, "apikey": {s.Value}}
	r, err := ib.c.do(ctx, request{Provider: "ibm-cloud", Action: action, Secret: &s, Method: http.MethodPost, URL: ib.base + "/identity/token", Header: h, Body: []byte(form.Encode())})
	if err != nil {
		return "", Outcome{}, err
	}
	var a struct {
		AccessToken string `json:"access_token"`
		ErrorCode   string `json:"errorCode"`
	}
	ok := json.Unmarshal(r.Body, &a) == nil
	switch {
	case r.Status == http.StatusOK && ok && a.AccessToken != "":
		ib.c.Redactor.Add(a.AccessToken, "<IAM token>")
		return a.AccessToken, Outcome{Status: outcome.Live, Detail: "traded for an IAM token"}, nil
	case r.Status == http.StatusBadRequest && ok && (a.ErrorCode == "BXNIM0415E" || a.ErrorCode == "BXNIM0102E"):
		// BXNIM0415E: the key could not be found; BXNIM0102E: the key is not valid.
		return "", Outcome{Status: outcome.Invalid, Detail: "IBM Cloud: " + a.ErrorCode + " " + message(r.Body)}, nil
	}
	return "", unknownAnswer(r), nil
}

// Verify trades the key for an IAM token.
func (ib *ibmCloudProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	_, out, err := ib.token(ctx, s, "verify")
	return out, err
}

// Revoke finds the key's id with its own token and deletes it.
func (ib *ibmCloudProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	tok, out, err := ib.token(ctx, s, "lookup")
	if err != nil {
		return Outcome{}, err
	}
	if tok == "" {
		return Outcome{Status: outcome.Failed, Detail: "trading the key for a token to delete it: " + out.Detail}, nil
	}
	h := bearer(tok)
	h.Set("IAM-ApiKey", s.Value)
	r, err := ib.c.do(ctx, request{Provider: "ibm-cloud", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: ib.base + "/v1/apikeys/details", Header: h})
	if err != nil {
		return Outcome{}, err
	}
	var d struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Locked bool   `json:"locked"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &d) != nil || d.ID == "" {
		return Outcome{Status: outcome.Failed, Detail: "reading the key's id: " + httpDetail(r) + "; " + ibmRemedy}, nil
	}
	if d.Locked {
		return Outcome{Status: outcome.Unsupported, Detail: "key " + d.ID + " is locked, and a locked key cannot be deleted: unlock and " + ibmRemedy}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete API key " + d.ID + " with its own IAM token"}, nil
	}
	x, err := ib.c.do(ctx, request{Provider: "ibm-cloud", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: ib.base + "/v1/apikeys/" + url.PathEscape(d.ID), Header: bearer(tok)})
	if err != nil {
		return Outcome{}, err
	}
	switch x.Status {
	case http.StatusNoContent, http.StatusOK:
		if !acknowledged(x) {
			return notAcknowledged("deleting", x), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "deleted API key " + d.ID + " with its own IAM token"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting API key " + d.ID + ": " + httpDetail(x) + "; " + ibmRemedy}, nil
}

// Describe says which calls the IBM Cloud provider makes.
func (ib *ibmCloudProvider) Describe() Calls {
	return Calls{
		Verify: "`POST /identity/token` (the API key grant)",
		Revoke: "with the key's own IAM token: `GET /v1/apikeys/details`, then `DELETE /v1/apikeys/{id}`",
	}
}
