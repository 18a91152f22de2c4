package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// zoomProvider verifies Zoom OAuth tokens with GET /v2/users/me on api.zoom.us and revokes
// them at POST https://zoom.us/oauth/revoke with HTTP basic auth of the app's client id and
// secret, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET: only a token whose claims name that client
// is sent, and it is verified again after the 200. A client secret is regenerated in the
// Marketplace.
type zoomProvider struct {
	c              *Client
	api, oauth     string
	client, secret string
	verify         *getVerifier
}

// newZoom returns the Zoom provider: LEAKSTOP_ZOOM_URL (one host for the API and the OAuth
// server), ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET.
func newZoom(cfg Config) *zoomProvider {
	p := cfg.provider("zoom")
	z := &zoomProvider{c: cfg.Client, oauth: "https://zoom.us", client: cfg.value("ZOOM_CLIENT_ID"), secret: cfg.value("ZOOM_CLIENT_SECRET")}
	var set bool
	if z.api, set = cfg.base("zoom"); set {
		z.oauth = z.api
	}
	z.verify = &getVerifier{
		c: cfg.Client, provider: "zoom", accepted: p.Name, rotate: p.Rotate,
		url: func(Secret) string { return z.api + "/v2/users/me" },
		skip: func(s Secret) string {
			if s.Rule == "zoom-client-secret" {
				return "a client secret verifies only by getting a token with it and its client id: not verified"
			}
			return ""
		},
		answers: map[int]func(*reply) Outcome{http.StatusBadRequest: zoomBadRequest},
	}
	return z
}

const (
	zoomRemedy       = "remove the app's access (Zoom web portal, Apps, Manage, Added Apps), or regenerate the app's client secret at https://marketplace.zoom.us/user/build"
	zoomSecretRemedy = "regenerate the client secret on the app's App Credentials page at https://marketplace.zoom.us/user/build"
)

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

// Remediation says what to do by hand.
func (z *zoomProvider) Remediation(s Secret) string {
	if s.Rule == "zoom-client-secret" {
		return zoomSecretRemedy
	}
	return zoomRemedy
}

// Verify reads the token's user.
func (z *zoomProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return z.verify.Verify(ctx, s)
}

// Revoke revokes a token of ZOOM_CLIENT_ID's app with the app's credentials.
func (z *zoomProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if s.Rule == "zoom-client-secret" {
		return Outcome{Status: outcome.Unsupported, Detail: "Zoom has no API that regenerates a client secret: " + zoomSecretRemedy}, nil
	}
	if z.client == "" || z.secret == "" {
		return needsCredential("ZOOM_CLIENT_SECRET", "the client secret of the app the token was issued to, with its client id in ZOOM_CLIENT_ID", zoomRemedy), nil
	}
	if c, ok := rules.ZoomClaims(s.Value); !ok || c.ClientID != z.client {
		out := needsCredential("ZOOM_CLIENT_SECRET", "the client secret of the app the token was issued to, with its client id in ZOOM_CLIENT_ID", zoomRemedy)
		out.Detail = "the token was issued to another app than ZOOM_CLIENT_ID's; " + out.Detail
		return out, nil
	}
	return z.c.revokeToken(ctx, s, dryRun, tokenRevocation{
		provider: "zoom", call: "POST /oauth/revoke with ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET",
		url:    z.oauth + "/oauth/revoke",
		header: basicAuth(z.client, z.secret),
		form:   url.Values{"token": {s.Value}},
		refused: func(a *reply) string {
			if a.Status == http.StatusUnauthorized || oauthErrorCode(a.Body) == "invalid_client" {
				return "ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET were refused"
			}
			return ""
		},
		verify: z.verify, remedy: zoomRemedy,
	})
}

// Describe says which calls the Zoom provider makes.
func (z *zoomProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /v2/users/me`; client secrets: not verified",
		Revoke: "a token of `ZOOM_CLIENT_ID`'s app: `POST https://zoom.us/oauth/revoke` with `ZOOM_CLIENT_ID` and `ZOOM_CLIENT_SECRET` (RFC 7009), verified again; client secrets: unsupported",
	}
}
