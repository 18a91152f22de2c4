package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/rules"
)

// zoomProvider verifies Zoom OAuth tokens with GET /v2/users/me on api.zoom.us and revokes
// them at POST https://zoom.us/oauth/revoke with HTTP basic auth of the app's client id and
// secret, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET: only a token whose claims name that client
// is sent, and it is verified again after the 200. A client secret is regenerated in the
// Marketplace.
type zoomProvider struct {
	oauthApp
	c              *Client
	api, oauth     string
	client, secret string
}

// newZoom returns the Zoom provider: LEAKSTOP_ZOOM_URL (one host for the API and the OAuth
// server), ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET.
func newZoom(cfg Config) *zoomProvider {
	z := &zoomProvider{c: cfg.Client, oauth: "https://zoom.us", client: cfg.value("ZOOM_CLIENT_ID"), secret: cfg.value("ZOOM_CLIENT_SECRET")}
	var set bool
	if z.api, set = cfg.base("zoom"); set {
		z.oauth = z.api
	}
	z.oauthApp = newOAuthApp(cfg, "zoom", "zoom-client-secret",
		"remove the app's access (Zoom web portal, Apps, Manage, Added Apps), or regenerate the app's client secret at https://marketplace.zoom.us/user/build",
		"regenerate the client secret on the app's App Credentials page at https://marketplace.zoom.us/user/build",
		func(Secret) string { return z.api + "/v2/users/me" }, nil)
	z.verify.answers = map[int]func(*reply) Outcome{http.StatusBadRequest: zoomBadRequest}
	return z
}

// zoomBadRequest reads a 400 of GET /v2/users/me: codes 4700 and 4711 say the token is
// Zoom's, without the scope this call needs.
func zoomBadRequest(r *reply) Outcome {
	var e struct {
		Code int `json:"code"`
	}
	if json.Unmarshal(r.Body, &e) == nil && (e.Code == 4700 || e.Code == 4711) {
		return liveBut("authenticated, but without the scope to read its user")(r)
	}
	return unknownAnswer(r)
}

// Revoke revokes a token of ZOOM_CLIENT_ID's app with the app's credentials.
func (z *zoomProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if out, ok := z.clientSecret(s); ok {
		return out, nil
	}
	if z.client == "" || z.secret == "" {
		return appCredential("ZOOM", "", z.remedy), nil
	}
	if c, ok := rules.ZoomClaims(s.Value); !ok || c.ClientID != z.client {
		return appCredential("ZOOM", "the token was issued to another app than ZOOM_CLIENT_ID's", z.remedy), nil
	}
	return z.c.revokeToken(ctx, s, dryRun, tokenRevocation{
		provider: "zoom", call: "POST /oauth/revoke with ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET",
		url:     z.oauth + "/oauth/revoke",
		header:  basicAuth(z.client, z.secret),
		form:    url.Values{"token": {s.Value}},
		refused: clientRefused("ZOOM"),
		verify:  z.verify, remedy: z.remedy,
	})
}

// Describe says which calls the Zoom provider makes.
func (z *zoomProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /v2/users/me`; client secrets: not verified",
		Revoke: "a token of `ZOOM_CLIENT_ID`'s app: `POST https://zoom.us/oauth/revoke` with `ZOOM_CLIENT_ID` and `ZOOM_CLIENT_SECRET` (RFC 7009), verified again; client secrets: unsupported",
	}
}
