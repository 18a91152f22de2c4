package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// mapboxProvider verifies secret tokens with GET /tokens/v2 (mapbox.toml), whose answer names
// the token's user and id, and deletes them with DELETE /tokens/v2/{username}/{token_id},
// which needs a token with the tokens:write scope: MAPBOX_ADMIN_TOKEN when it is set, else
// the leaked token itself (a secret token may hold that scope).
type mapboxProvider struct {
	c        *Client
	base     string
	verify   *getVerifier
	operator string
}

// newMapbox returns the Mapbox provider: LEAKSTOP_MAPBOX_URL, MAPBOX_ADMIN_TOKEN.
func newMapbox(cfg Config) *mapboxProvider {
	return &mapboxProvider{c: cfg.Client, base: cfg.baseURL("mapbox"), verify: declared(cfg, "mapbox"), operator: cfg.value("MAPBOX_ADMIN_TOKEN")}
}

const mapboxRemedy = "delete the token at https://console.mapbox.com/account/access-tokens/"

// Remediation says where to delete a token by hand.
func (m *mapboxProvider) Remediation(Secret) string { return mapboxRemedy }

// Verify calls GET /tokens/v2.
func (m *mapboxProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return m.verify.Verify(ctx, s)
}

// mapboxName is what a Mapbox user name and token id may hold: they go into a path.
var mapboxName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Revoke reads the token's user and id with the token itself, then deletes it.
func (m *mapboxProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	r, err := m.c.do(ctx, request{Provider: "mapbox", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: m.base + "/tokens/v2?" + url.Values{"access_token": {s.Value}}.Encode()})
	if err != nil {
		return Outcome{}, err
	}
	var meta struct {
		Code  string `json:"code"`
		Token struct {
			User          string `json:"user"`
			Authorization string `json:"authorization"`
		} `json:"token"`
	}
	ok := json.Unmarshal(r.Body, &meta) == nil
	switch {
	case r.Status == http.StatusOK && ok && meta.Code == "TokenValid":
	case (r.Status == http.StatusOK || r.Status == http.StatusUnauthorized) && ok && (meta.Code == "TokenRevoked" || meta.Code == "TokenExpired" || meta.Code == "TokenInvalid"):
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (" + meta.Code + ")"}, nil
	default:
		return Outcome{Status: outcome.Failed, Detail: "reading the token's id: " + httpDetail(r) + "; " + mapboxRemedy}, nil
	}
	user, id := meta.Token.User, meta.Token.Authorization
	if !mapboxName.MatchString(user) || !mapboxName.MatchString(id) {
		return Outcome{Status: outcome.Failed, Detail: "Mapbox named no user or token id for the token; " + mapboxRemedy}, nil
	}
	auth, whose := m.operator, "MAPBOX_ADMIN_TOKEN"
	if auth == "" {
		auth, whose = s.Value, "itself"
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete token " + id + " of " + user + " with " + whose}, nil
	}
	x, err := m.c.do(ctx, request{Provider: "mapbox", Action: "revoke", Secret: &s, Method: http.MethodDelete,
		URL: m.base + "/tokens/v2/" + url.PathEscape(user) + "/" + url.PathEscape(id) + "?" + url.Values{"access_token": {auth}}.Encode()})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case x.Status == http.StatusNoContent || x.Status == http.StatusOK:
		if !acknowledged(x) {
			return notAcknowledged("deleting", x), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "deleted token " + id + " of " + user + " with " + whose}, nil
	case (x.Status == http.StatusUnauthorized || x.Status == http.StatusForbidden) && m.operator == "":
		out := needsCredential("MAPBOX_ADMIN_TOKEN", "a secret token of the same account with the tokens:write scope", mapboxRemedy)
		out.Detail = "the token may not delete tokens (no tokens:write scope); " + out.Detail
		return out, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting token " + id + ": " + httpDetail(x) + "; " + mapboxRemedy}, nil
}

// Describe says which calls the Mapbox provider makes.
func (m *mapboxProvider) Describe() Calls {
	return Calls{Revoke: "`GET /tokens/v2` for the token's user and id, then `DELETE /tokens/v2/{username}/{token_id}` with the token itself or `MAPBOX_ADMIN_TOKEN`"}
}
