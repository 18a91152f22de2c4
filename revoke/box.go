package revoke

import (
	"context"
	"net/url"
)

// boxProvider verifies Box access tokens with GET /2.0/users/me and revokes them at POST
// /oauth2/revoke, which wants the client id and secret of the app the token was issued to:
// BOX_CLIENT_ID and BOX_CLIENT_SECRET. Box, as RFC 7009 allows, may answer 200 for a token
// of another app, so the token is verified again. A client secret is reset in the console.
type boxProvider struct {
	oauthApp
	c              *Client
	base           string
	client, secret string
}

// newBox returns the Box provider: LEAKSTOP_BOX_URL, BOX_CLIENT_ID, BOX_CLIENT_SECRET.
func newBox(cfg Config) *boxProvider {
	b := &boxProvider{c: cfg.Client, base: cfg.baseURL("box"), client: cfg.value("BOX_CLIENT_ID"), secret: cfg.value("BOX_CLIENT_SECRET")}
	b.oauthApp = newOAuthApp(cfg, "box", "box-client-secret",
		"revoke the app's access in the Box Admin Console (Apps, or the user's Authorized Apps), or wait for a developer token's hour to end",
		"reset the client secret on the app's Configuration page at https://app.box.com/developers/console",
		func(Secret) string { return b.base + "/2.0/users/me?fields=id" }, nil)
	return b
}

// Revoke revokes a token with the app's client credentials.
func (b *boxProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if out, ok := b.clientSecret(s); ok {
		return out, nil
	}
	if b.client == "" || b.secret == "" {
		return appCredential("BOX", "", b.remedy), nil
	}
	return b.c.revokeToken(ctx, s, dryRun, tokenRevocation{
		provider: "box", call: "POST /oauth2/revoke with BOX_CLIENT_ID and BOX_CLIENT_SECRET",
		url:     b.base + "/oauth2/revoke",
		form:    url.Values{"client_id": {b.client}, "client_secret": {b.secret}, "token": {s.Value}},
		refused: clientRefused("BOX"),
		verify:  b.verify, remedy: b.remedy,
	})
}

// Describe says which calls the Box provider makes.
func (b *boxProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /2.0/users/me`; client secrets: not verified",
		Revoke: "`POST /oauth2/revoke` with `BOX_CLIENT_ID` and `BOX_CLIENT_SECRET` (RFC 7009), verified again; client secrets: unsupported",
	}
}
