package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// herokuProvider verifies API keys with GET /account (heroku.toml) and revokes them by
// deleting their OAuth authorization, found in GET /oauth/authorizations by its access
// token, with the key itself: every Heroku API key is an authorization of its user.
type herokuProvider struct {
	c      *Client
	base   string
	verify *getVerifier
}

// newHeroku returns the Heroku provider: LEAKSTOP_HEROKU_URL.
func newHeroku(cfg Config) *herokuProvider {
	return &herokuProvider{c: cfg.Client, base: cfg.baseURL("heroku"), verify: declared(cfg, "heroku")}
}

const herokuRemedy = "revoke the authorization at https://dashboard.heroku.com/account/applications (or heroku authorizations:revoke); the account's API key is regenerated under Account settings"

// Remediation says where to revoke a key by hand.
func (h *herokuProvider) Remediation(Secret) string { return herokuRemedy }

func herokuHeaders(tok string) http.Header {
	h := bearer(tok)
	h.Set("Accept", "application/vnd.heroku+json; version=3")
	return h
}

// Verify calls GET /account.
func (h *herokuProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return h.verify.Verify(ctx, s)
}

// Revoke finds the key's authorization and deletes it.
func (h *herokuProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	r, err := h.c.do(ctx, request{Provider: "heroku", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: h.base + "/oauth/authorizations", Header: herokuHeaders(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	if r.Status != http.StatusOK {
		return Outcome{Status: outcome.Failed, Detail: "listing the authorizations: " + httpDetail(r) + "; " + herokuRemedy}, nil
	}
	var list []struct {
		ID          string `json:"id"`
		Description string `json:"description"`
		AccessToken *struct {
			Token string `json:"token"`
		} `json:"access_token"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil {
		return Outcome{Status: outcome.Failed, Detail: "listing the authorizations: the answer is not a list; " + herokuRemedy}, nil
	}
	var found []string
	for _, a := range list {
		if a.AccessToken != nil && a.AccessToken.Token == s.Value && a.ID != "" {
			found = append(found, a.ID)
		}
	}
	id, out := oneMatch(found, func(id string) string { return "authorization " + id },
		Outcome{Status: outcome.Failed, Detail: "no authorization of the user holds the key (the account's API key is not one); " + herokuRemedy},
		"revoked", herokuRemedy)
	if out != nil {
		return *out, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete authorization " + id + " with the key itself"}, nil
	}
	d, err := h.c.do(ctx, request{Provider: "heroku", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: h.base + "/oauth/authorizations/" + url.PathEscape(id), Header: herokuHeaders(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	return deleted(d, "deleted authorization "+id+" with the key itself", "authorization "+id, herokuRemedy), nil
}

// Describe says which calls the Heroku provider makes.
func (h *herokuProvider) Describe() Calls {
	return Calls{Revoke: "finds the key's authorization in `GET /oauth/authorizations`, then `DELETE /oauth/authorizations/{id}`, with the key itself"}
}
