package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// sendgridProvider verifies keys with GET /v3/scopes and deletes them by their id, the key's
// middle segment, once GET /v3/api_keys confirms it, with the key itself or SENDGRID_API_KEY
// (providers.md §8).
type sendgridProvider struct {
	c        *Client
	base     string
	operator string
	verify   getVerifier
}

// newSendGrid returns the SendGrid provider: LEAKSTOP_SENDGRID_URL, SENDGRID_API_KEY.
func newSendGrid(cfg Config) *sendgridProvider {
	base := baseURL(cfg.Env, "sendgrid", "https://api.sendgrid.com") + "/v3"
	return &sendgridProvider{
		c:        cfg.Client,
		base:     base,
		operator: cfg.value("SENDGRID_API_KEY"),
		verify: getVerifier{
			c: cfg.Client, provider: "sendgrid", accepted: "SendGrid",
			url:     at(base + "/scopes"),
			answers: map[int]func(*reply) Outcome{http.StatusForbidden: liveBut("authenticated, without the scopes scope")},
		},
	}
}

const sendgridRemedy = "delete the key at https://app.sendgrid.com/settings/api_keys"

// Remediation says where to delete a key by hand.
func (sg *sendgridProvider) Remediation(Secret) string { return sendgridRemedy }

// Verify calls GET /v3/scopes: 200 live, 401 invalid, 403 live without that scope.
func (sg *sendgridProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return sg.verify.Verify(ctx, s)
}

// Revoke deletes the key after finding its id in the key list.
func (sg *sendgridProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	parts := strings.Split(s.Value, ".")
	if len(parts) != 3 || parts[1] == "" {
		return Outcome{Status: outcome.Unsupported, Detail: "the key has no id segment; " + sendgridRemedy}, nil
	}
	id := parts[1]
	// The id is a third of the key: it stays out of every line leakstop writes.
	sg.c.Redactor.Add(id, "<key id>")
	auth, whose := operatorOr(s, sg.operator, "SENDGRID_API_KEY")
	r, err := sg.c.do(ctx, request{Provider: "sendgrid", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: sg.base + "/api_keys?limit=500", Header: bearer(auth)})
	if err != nil {
		return Outcome{}, err
	}
	if r.Status == http.StatusForbidden || r.Status == http.StatusUnauthorized {
		if sg.operator != "" {
			return Outcome{Status: outcome.Failed, Detail: "SENDGRID_API_KEY may not list API keys: " + httpDetail(r) + "; " + sendgridRemedy}, nil
		}
		out := needsCredential("SENDGRID_API_KEY", "a key of the same account with the api_keys scopes", sendgridRemedy)
		out.Detail = "the key may not manage API keys; " + out.Detail
		return out, nil
	}
	if r.Status != http.StatusOK {
		return Outcome{Status: outcome.Failed, Detail: "listing keys: " + httpDetail(r)}, nil
	}
	var l struct {
		Result []struct {
			ID   string `json:"api_key_id"`
			Name string `json:"name"`
		} `json:"result"`
	}
	if err := json.Unmarshal(r.Body, &l); err != nil {
		return Outcome{Status: outcome.Failed, Detail: "listing keys: the answer is not a list"}, nil
	}
	found := false
	for _, k := range l.Result {
		if k.ID == id {
			found = true
		}
	}
	if !found {
		if sg.operator == "" {
			return Outcome{Status: outcome.Failed, Detail: "the key's id is not in its own account's key list; " + sendgridRemedy}, nil
		}
		out := needsCredential("SENDGRID_API_KEY", "a key of the leaked key's account with the api_keys scopes", sendgridRemedy)
		out.Detail = "the key's id is not in the account of SENDGRID_API_KEY; " + out.Detail
		return out, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the API key (id: the key's middle segment)"}, nil
	}
	d, err := sg.c.do(ctx, request{Provider: "sendgrid", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: sg.base + "/api_keys/" + url.PathEscape(id), Header: bearer(auth)})
	if err != nil {
		return Outcome{}, err
	}
	if (d.Status == http.StatusNoContent || d.Status == http.StatusOK) && !acknowledged(d) {
		return notAcknowledged("deleting", d), nil
	}
	if d.Status == http.StatusNoContent || d.Status == http.StatusOK {
		return Outcome{Status: outcome.Revoked, Detail: "deleted the API key with " + whose}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(d)}, nil
}
