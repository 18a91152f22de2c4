package revoke

import (
	"context"
	"net/http"
)

// dropboxProvider verifies access tokens with POST /2/users/get_current_account (an RPC call
// without arguments, which only reads) and revokes them with themselves: POST
// /2/auth/token/revoke, which disables the token's refresh token too.
type dropboxProvider struct {
	c      *Client
	base   string
	verify *getVerifier
}

// newDropbox returns the Dropbox provider: LEAKSTOP_DROPBOX_URL.
func newDropbox(cfg Config) *dropboxProvider {
	base := cfg.baseURL("dropbox")
	return &dropboxProvider{c: cfg.Client, base: base, verify: &getVerifier{
		c: cfg.Client, provider: "dropbox", accepted: "Dropbox", method: http.MethodPost,
		url:    func(Secret) string { return base + "/2/users/get_current_account" },
		rotate: cfg.provider("dropbox").Rotate,
	}}
}

// Verify asks Dropbox whose token it is: 200 live, 401 invalid or expired.
func (d *dropboxProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return d.verify.Verify(ctx, s)
}

// Remediation says where to revoke a token by hand.
func (d *dropboxProvider) Remediation(s Secret) string { return d.verify.Remediation(s) }

// Revoke revokes the token with itself.
func (d *dropboxProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	return oneCall{
		c: d.c, provider: "dropbox", method: http.MethodPost, url: d.base + "/2/auth/token/revoke",
		header: bearer(s.Value), done: []int{http.StatusOK}, idempotent: true,
		what: "revoked the token (and its refresh token) with itself",
	}.run(ctx, s, dryRun)
}

// Describe says which calls the Dropbox provider makes.
func (d *dropboxProvider) Describe() Calls {
	return Calls{
		Verify: "`POST /2/users/get_current_account` (it only reads)",
		Revoke: "access tokens with themselves: `POST /2/auth/token/revoke`",
	}
}
