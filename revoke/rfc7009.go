package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// tokenRevocation is a revocation at an OAuth 2.0 token revocation endpoint (RFC 7009): a
// form POST that carries the token, and the client's credentials where the provider wants
// them (in the form, or as HTTP basic auth). RFC 7009 (2.2) lets the endpoint answer 200
// for a token it does not know, or one of another client, so a 200 proves nothing alone:
// the token is verified again, and only a token that then verifies invalid is revoked.
type tokenRevocation struct {
	provider string
	// call names the request for people: "POST /oauth2/revoke".
	call string
	url  string
	// header authenticates the client, when the provider wants it in a header.
	header http.Header
	// form is the request's body: the token, and the client's id (and secret).
	form url.Values
	// gone reads an answer other than 200 that says the token was not valid any more
	// (Twitch's 400 "Invalid token", Salesforce's 400 invalid_token): revoked already.
	gone func(*reply) bool
	// refused reads an answer that says the client's credentials were refused; it names
	// them for people ("BOX_CLIENT_ID and BOX_CLIENT_SECRET were refused").
	refused func(*reply) string
	// verify verifies the token again after a 200.
	verify Verifier
	// remedy says what a person does when the revocation did not take.
	remedy string
}

// revokeToken sends r, or in a dry run says what it would send, and verifies the token
// again after a 200.
func (c *Client) revokeToken(ctx context.Context, s Secret, dryRun bool, r tokenRevocation) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would revoke the token (" + r.call + ") and verify it again"}, nil
	}
	h := http.Header{}
	for k, v := range r.header {
		h[k] = v
	}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	// Revoking sets a state: sent again after a lost answer, it finds the token revoked.
	a, err := c.do(ctx, request{Provider: r.provider, Action: "revoke", Secret: &s, Method: http.MethodPost, URL: r.url, Header: h, Body: []byte(r.form.Encode()), Idempotent: true})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case a.Status == http.StatusOK:
		return c.verifiedRevocation(ctx, s, r)
	case r.gone != nil && r.gone(a):
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (" + httpDetail(a) + ")"}, nil
	case r.refused != nil && r.refused(a) != "":
		return Outcome{Status: outcome.Failed, Detail: r.refused(a) + ": " + httpDetail(a) + "; " + r.remedy}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking (" + r.call + "): " + httpDetail(a) + "; " + r.remedy}, nil
}

// verifiedRevocation reads the token's verification after the endpoint answered 200.
func (c *Client) verifiedRevocation(ctx context.Context, s Secret, r tokenRevocation) (Outcome, error) {
	after, err := r.verify.Verify(ctx, s)
	if err != nil {
		return Outcome{Status: outcome.Failed, Detail: "the revocation endpoint answered 200, but verifying the token afterwards got no answer (" + errText(err) + "); " + r.remedy}, nil
	}
	switch after.Status {
	case outcome.Invalid:
		return Outcome{Status: outcome.Revoked, Detail: "revoked (" + r.call + "); the token verifies invalid now"}, nil
	case outcome.Live:
		return Outcome{Status: outcome.Failed, Detail: "the revocation endpoint answered 200, which it also answers for a token it does not know or of another client, and the token still verifies live; " + r.remedy}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "the revocation endpoint answered 200, which it also answers for a token it does not know, and the token could not be verified afterwards (" + after.Detail + "); " + r.remedy}, nil
}

// oauthErrorCode reads the error code of an OAuth error answer (RFC 6749 5.2:
// {"error": "invalid_client", …}).
func oauthErrorCode(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error
}

// oauthApp is what the providers of OAuth apps share (Twitch, Box, Zoom): tokens verified
// by one GET, and a rule for the app's client secret, which is neither verified (only a
// token grant with it would tell, and that issues a token) nor revoked (no API resets it).
type oauthApp struct {
	// name is the provider's display name; secretRule the client secret's rule.
	name, secretRule string
	// remedy says what a person does about a token; secretRemedy about a client secret.
	remedy, secretRemedy string
	verify               *getVerifier
}

const clientSecretSkipped = "a client secret verifies only by getting a token with it and its client id: not verified"

// newOAuthApp returns the shared part of provider id, whose tokens verify with a GET of
// url (given the secret) and header (nil: a bearer token).
func newOAuthApp(cfg Config, id, secretRule, remedy, secretRemedy string, url func(Secret) string, header func(Secret) http.Header) oauthApp {
	p := cfg.provider(id)
	return oauthApp{
		name: p.Name, secretRule: secretRule, remedy: remedy, secretRemedy: secretRemedy,
		verify: &getVerifier{
			c: cfg.Client, provider: id, accepted: p.Name, rotate: p.Rotate, url: url, header: header,
			skip: func(s Secret) string {
				if s.Rule == secretRule {
					return clientSecretSkipped
				}
				return ""
			},
		},
	}
}

// Remediation says what to do by hand.
func (a oauthApp) Remediation(s Secret) string {
	if s.Rule == a.secretRule {
		return a.secretRemedy
	}
	return a.remedy
}

// Verify verifies a token; a client secret is skipped.
func (a oauthApp) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return a.verify.Verify(ctx, s)
}

// clientSecret returns the revocation of a client secret, which is unsupported; ok is false
// for a token.
func (a oauthApp) clientSecret(s Secret) (out Outcome, ok bool) {
	if s.Rule != a.secretRule {
		return Outcome{}, false
	}
	return Outcome{Status: outcome.Unsupported, Detail: a.name + " has no API that resets a client secret: " + a.secretRemedy}, true
}

// appCredential is the outcome of a token whose app's credentials (prefix_CLIENT_ID and
// prefix_CLIENT_SECRET) are not set, or not that app's: why says which, when it is not
// the first.
func appCredential(prefix, why, remedy string) Outcome {
	out := needsCredential(prefix+"_CLIENT_SECRET", "the client secret of the app the token was issued to, with its client id in "+prefix+"_CLIENT_ID", remedy)
	if why != "" {
		out.Detail = why + "; " + out.Detail
	}
	return out
}

// clientRefused reads an answer of a revocation endpoint that refuses the app's
// credentials, prefix_CLIENT_ID and prefix_CLIENT_SECRET: 401, or RFC 6749's invalid_client.
func clientRefused(prefix string) func(*reply) string {
	return func(a *reply) string {
		if a.Status == http.StatusUnauthorized || oauthErrorCode(a.Body) == "invalid_client" {
			return prefix + "_CLIENT_ID and " + prefix + "_CLIENT_SECRET were refused"
		}
		return ""
	}
}
