package revoke

import (
	"context"
	"net/http"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// postmarkToken verifies a Postmark token, which is a server token or an account token with
// nothing in it to tell which: GET /deliverystats with it as X-Postmark-Server-Token, and
// when Postmark does not know it so, GET /domains with it as X-Postmark-Account-Token. Not
// GET /server or /servers, whose answers list the servers' tokens, which would land in the
// audit log.
type postmarkToken struct {
	server, account *getVerifier
}

// newPostmark returns the Postmark provider: LEAKSTOP_POSTMARK_URL. Tokens are regenerated
// in the API Tokens tabs; there is no API for it.
func newPostmark(cfg Config) verifyOnly {
	base := cfg.baseURL("postmark")
	p := cfg.provider("postmark")
	as := func(header string) func(Secret) http.Header {
		return func(s Secret) http.Header {
			h := http.Header{}
			h.Set(header, s.Value)
			h.Set("Accept", "application/json")
			return h
		}
	}
	v := &postmarkToken{
		server: &getVerifier{
			c: cfg.Client, provider: "postmark", accepted: "Postmark as a server token", rotate: p.Rotate,
			url: func(Secret) string { return base + "/deliverystats" }, header: as("X-Postmark-Server-Token"),
		},
		account: &getVerifier{
			c: cfg.Client, provider: "postmark", accepted: "Postmark as an account token", rotate: p.Rotate,
			url: func(Secret) string { return base + "/domains?count=1&offset=0" }, header: as("X-Postmark-Account-Token"),
		},
	}
	return verifyOnly{
		verify: v,
		remedy: "Postmark has no API to revoke a token: regenerate it in the server's (or the account's) API Tokens tab at https://account.postmarkapp.com/api_tokens",
		calls:  "`GET /deliverystats` (`X-Postmark-Server-Token`), then `GET /domains` (`X-Postmark-Account-Token`)",
	}
}

// Verify asks Postmark whether the token is a server token, then whether it is an account
// token.
func (pm *postmarkToken) Verify(ctx context.Context, s Secret) (Outcome, error) {
	out, err := pm.server.Verify(ctx, s)
	if err != nil || out.Status != outcome.Invalid {
		return out, err
	}
	return pm.account.Verify(ctx, s)
}
