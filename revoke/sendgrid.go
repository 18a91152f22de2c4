package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// SendGrid verifies keys with GET /v3/scopes and deletes them by their id, the key's middle
// segment, once GET /v3/api_keys confirms it, with the key itself or SENDGRID_API_KEY
// (providers.md §8).
type SendGrid struct {
	c        *Client
	base     string
	operator string
}

// NewSendGrid returns the SendGrid provider: LEAKSTOP_SENDGRID_URL, SENDGRID_API_KEY.
func NewSendGrid(cfg Config) *SendGrid {
	return &SendGrid{
		c:        cfg.Client,
		base:     baseURL(cfg.Env, "SENDGRID", "https://api.sendgrid.com") + "/v3",
		operator: strings.TrimSpace(cfg.Env("SENDGRID_API_KEY")),
	}
}

const sendgridRemedy = "delete the key at https://app.sendgrid.com/settings/api_keys"

// Remediation says where to delete a key by hand.
func (sg *SendGrid) Remediation(Secret) string { return sendgridRemedy }

// Verify calls GET /v3/scopes: 200 live, 401 invalid, 403 live without that scope.
func (sg *SendGrid) Verify(ctx context.Context, s Secret) (Outcome, error) {
	r, err := sg.c.Do(ctx, Call{Provider: "sendgrid", Action: "verify", Secret: &s, Method: http.MethodGet, URL: sg.base + "/scopes", Header: bearer(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusOK:
		return Outcome{Status: outcome.Live, Detail: "accepted by SendGrid"}, nil
	case http.StatusUnauthorized:
		return Outcome{Status: outcome.Invalid, Detail: httpDetail(r)}, nil
	case http.StatusForbidden:
		return Outcome{Status: outcome.Live, Detail: "authenticated, without the scopes scope: " + httpDetail(r)}, nil
	}
	return unknownAnswer(r), nil
}

// Revoke deletes the key after finding its id in the key list.
func (sg *SendGrid) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	parts := strings.Split(s.Value, ".")
	if len(parts) != 3 || parts[1] == "" {
		return Outcome{Status: outcome.Unsupported, Detail: "the key has no id segment; " + sendgridRemedy}, nil
	}
	id := parts[1]
	// The id is a third of the key: it stays out of every line leakstop writes.
	sg.c.Redactor.Add(id, "<key id>")
	auth, whose := s.Value, "itself"
	if sg.operator != "" {
		auth, whose = sg.operator, "SENDGRID_API_KEY"
	}
	r, err := sg.c.Do(ctx, Call{Provider: "sendgrid", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: sg.base + "/api_keys?limit=500", Header: bearer(auth)})
	if err != nil {
		return Outcome{}, err
	}
	if r.Status == http.StatusForbidden || r.Status == http.StatusUnauthorized {
		return Outcome{Status: outcome.Unsupported, Detail: "the key may not manage API keys; set SENDGRID_API_KEY (a key with api_keys scopes) or " + sendgridRemedy}, nil
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
		return Outcome{Status: outcome.Unsupported, Detail: "the key's id is not in the account of " + whose + "; " + sendgridRemedy}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the API key (id: the key's middle segment)"}, nil
	}
	d, err := sg.c.Do(ctx, Call{Provider: "sendgrid", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: sg.base + "/api_keys/" + url.PathEscape(id), Header: bearer(auth)})
	if err != nil {
		return Outcome{}, err
	}
	if d.Status == http.StatusNoContent || d.Status == http.StatusOK {
		return Outcome{Status: outcome.Revoked, Detail: "deleted the API key with " + whose}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(d)}, nil
}
