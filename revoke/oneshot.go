package revoke

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// oneCall is a revocation that is one documented request: a token that revokes itself
// (Buildkite's DELETE /v2/access-token, Okta's DELETE /api/v1/api-tokens/current, Dropbox's
// POST /2/auth/token/revoke), or an OAuth revocation endpoint (RFC 7009) given the token and,
// where the provider wants them, the client's credentials. The Runner verifies the secret
// again after every revocation, so an endpoint that answers 200 to tokens it does not know (as
// RFC 7009 allows) cannot pass for a revocation.
type oneCall struct {
	c        *Client
	provider string
	method   string
	url      string
	header   http.Header
	// form, when set, is the request body, as form fields.
	form url.Values
	// done are the statuses that mean the provider revoked the secret; gone those that mean
	// it no longer knows it (already revoked); the rest fail with the provider's message.
	done, gone []int
	// what says for people what the call did ("revoked the token with itself").
	what string
	// idempotent marks a changing POST that revoking twice does no harm to (RFC 7009).
	idempotent bool
	// anyBody takes a 2xx answer that is neither empty nor JSON as the provider's (an
	// endpoint documented to answer plain text).
	anyBody bool
}

// run sends the call, or in a dry run says what it would send.
func (o oneCall) run(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would have " + o.what + " (" + o.method + " " + pathOf(o.url) + ")"}, nil
	}
	h := o.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	var body []byte
	if o.form != nil {
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		body = []byte(o.form.Encode())
	}
	r, err := o.c.do(ctx, request{Provider: o.provider, Action: "revoke", Secret: &s, Method: o.method, URL: o.url, Header: h, Body: body, Idempotent: o.idempotent})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case slices.Contains(o.done, r.Status):
		if !o.anyBody && !acknowledged(r) {
			return notAcknowledged("revoking", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: o.what}, nil
	case slices.Contains(o.gone, r.Status):
		return Outcome{Status: outcome.Revoked, Detail: "already revoked: " + httpDetail(r)}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking: " + httpDetail(r)}, nil
}

// pathOf is the path of a URL, for details: the query may hold the secret.
func pathOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "the provider's revoke endpoint"
	}
	return p.Path
}
