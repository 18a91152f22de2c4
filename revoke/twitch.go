package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// twitchProvider verifies Twitch OAuth tokens with GET /oauth2/validate ("Authorization:
// OAuth <token>"), whose answer names the client the token was issued to, and revokes a
// token with itself: POST /oauth2/revoke with that client_id and the token (Twitch asks no
// client secret). A client secret is neither verified nor revoked: it is reset in the
// console.
type twitchProvider struct {
	oauthApp
	c    *Client
	base string
}

// newTwitch returns the Twitch provider: LEAKSTOP_TWITCH_URL.
func newTwitch(cfg Config) *twitchProvider {
	t := &twitchProvider{c: cfg.Client, base: cfg.baseURL("twitch")}
	t.oauthApp = newOAuthApp(cfg, "twitch", "twitch-client-secret",
		"disconnect the app at https://www.twitch.tv/settings/connections (or, for your own app, reset its secret at https://dev.twitch.tv/console/apps)",
		"reset the client secret at https://dev.twitch.tv/console/apps (Manage, New Secret)",
		func(Secret) string { return t.base + "/oauth2/validate" }, twitchAuth)
	return t
}

// twitchAuth is the header GET /oauth2/validate reads the token from.
func twitchAuth(s Secret) http.Header {
	h := http.Header{}
	h.Set("Authorization", "OAuth "+s.Value)
	return h
}

// Revoke validates the token to learn its client, then revokes it with that client id.
func (t *twitchProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if out, ok := t.clientSecret(s); ok {
		return out, nil
	}
	r, err := t.c.do(ctx, request{Provider: "twitch", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: t.base + "/oauth2/validate", Header: twitchAuth(s)})
	if err != nil {
		return Outcome{}, err
	}
	var v struct {
		ClientID string `json:"client_id"`
	}
	switch {
	case r.Status == http.StatusUnauthorized:
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (" + httpDetail(r) + ")"}, nil
	case r.Status != http.StatusOK || json.Unmarshal(r.Body, &v) != nil || v.ClientID == "":
		return Outcome{Status: outcome.Failed, Detail: "validating the token to learn its client: " + httpDetail(r) + "; " + t.remedy}, nil
	}
	return t.c.revokeToken(ctx, s, dryRun, tokenRevocation{
		provider: "twitch", call: "POST /oauth2/revoke with the token's own client_id",
		url:  t.base + "/oauth2/revoke",
		form: url.Values{"client_id": {v.ClientID}, "token": {s.Value}},
		gone: func(a *reply) bool {
			return a.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(message(a.Body)), "invalid token")
		},
		verify: t.verify, remedy: t.remedy,
	})
}

// Describe says which calls the Twitch provider makes.
func (t *twitchProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /oauth2/validate` (`Authorization: OAuth …`); client secrets: not verified",
		Revoke: "`GET /oauth2/validate` for the token's client, then `POST /oauth2/revoke` with it (RFC 7009), verified again; client secrets: unsupported",
	}
}
