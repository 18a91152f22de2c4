package revoke

import (
	"context"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// boxProvider verifies Box access tokens with GET /2.0/users/me and revokes them at POST
// /oauth2/revoke, which wants the client id and secret of the app the token was issued to:
// BOX_CLIENT_ID and BOX_CLIENT_SECRET. Box, as RFC 7009 allows, may answer 200 for a token
// of another app, so the token is verified again. A client secret is reset in the console.
type boxProvider struct {
	c              *Client
	base           string
	client, secret string
	verify         *getVerifier
}

// newBox returns the Box provider: LEAKSTOP_BOX_URL, BOX_CLIENT_ID, BOX_CLIENT_SECRET.
func newBox(cfg Config) *boxProvider {
	p := cfg.provider("box")
	b := &boxProvider{c: cfg.Client, base: cfg.baseURL("box"), client: cfg.value("BOX_CLIENT_ID"), secret: cfg.value("BOX_CLIENT_SECRET")}
	b.verify = &getVerifier{
		c: cfg.Client, provider: "box", accepted: p.Name, rotate: p.Rotate,
		url: func(Secret) string { return b.base + "/2.0/users/me?fields=id" },
		skip: func(s Secret) string {
			if s.Rule == "box-client-secret" {
				return "a client secret verifies only by getting a token with it and its client id: not verified"
			}
			return ""
		},
	}
	return b
}

const (
	boxRemedy       = "revoke the app's access in the Box Admin Console (Apps, or the user's Authorized Apps), or wait for a developer token's hour to end"
	boxSecretRemedy = "reset the client secret on the app's Configuration page at https://app.box.com/developers/console"
)

// Remediation says what to do by hand.
func (b *boxProvider) Remediation(s Secret) string {
	if s.Rule == "box-client-secret" {
		return boxSecretRemedy
	}
	return boxRemedy
}

// Verify reads the token's user.
func (b *boxProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return b.verify.Verify(ctx, s)
}

// Revoke revokes a token with the app's client credentials.
func (b *boxProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if s.Rule == "box-client-secret" {
		return Outcome{Status: outcome.Unsupported, Detail: "Box has no API that resets a client secret: " + boxSecretRemedy}, nil
	}
	if b.client == "" || b.secret == "" {
		return needsCredential("BOX_CLIENT_SECRET", "the client secret of the app the token was issued to, with its client id in BOX_CLIENT_ID", boxRemedy), nil
	}
	return b.c.revokeToken(ctx, s, dryRun, tokenRevocation{
		provider: "box", call: "POST /oauth2/revoke with BOX_CLIENT_ID and BOX_CLIENT_SECRET",
		url:  b.base + "/oauth2/revoke",
		form: url.Values{"client_id": {b.client}, "client_secret": {b.secret}, "token": {s.Value}},
		refused: func(a *reply) string {
			if (a.Status == http.StatusBadRequest || a.Status == http.StatusUnauthorized) && oauthErrorCode(a.Body) == "invalid_client" {
				return "BOX_CLIENT_ID and BOX_CLIENT_SECRET were refused"
			}
			return ""
		},
		verify: b.verify, remedy: boxRemedy,
	})
}

// Describe says which calls the Box provider makes.
func (b *boxProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /2.0/users/me`; client secrets: not verified",
		Revoke: "`POST /oauth2/revoke` with `BOX_CLIENT_ID` and `BOX_CLIENT_SECRET` (RFC 7009), verified again; client secrets: unsupported",
	}
}
