package revoke

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// Two shapes of verification that several providers share, which a [verify] table cannot
// say: a provider that serves its accounts from one host per region (Mailgun's US and EU,
// Intercom's US, EU and Australian workspaces), where one host's "no such key" says nothing
// of the others; and a credential of two values sent together as HTTP basic auth (an
// account SID and its auth token, a key id and its secret), of which a finding holds one as
// its value and the other as its companion.

// regional verifies a secret on each of a provider's regional hosts in turn: the first
// answer that is not invalid decides, and the secret is invalid only when every host says
// so. An answer that is no answer (a timeout) decides too: it is unknown, not a reason to
// ask the next region.
type regional []*getVerifier

// onRegions returns the verification that provider id's file declares, once for each of
// hosts (scheme and host, in the order to ask them). When the provider's base-URL variable
// is set, the one base it names is asked: a fake, or a proxy.
func onRegions(cfg Config, id string, hosts ...string) regional {
	g := declared(cfg, id)
	base, set := cfg.base(id)
	if set || len(hosts) == 0 {
		return regional{g}
	}
	out := make(regional, 0, len(hosts))
	for _, h := range hosts {
		r := *g
		whole := g.url
		r.url = func(s Secret) string { return h + strings.TrimPrefix(whole(s), base) }
		out = append(out, &r)
	}
	return out
}

// Verify asks each region until one knows the secret.
func (rs regional) Verify(ctx context.Context, s Secret) (Outcome, error) {
	var last Outcome
	for _, g := range rs {
		out, err := g.Verify(ctx, s)
		if err != nil || out.Status != outcome.Invalid {
			return out, err
		}
		last = out
	}
	if len(rs) > 1 {
		last.Detail = "unknown in every region: " + last.Detail
	}
	return last, nil
}

// basicAuth returns headers that authenticate with HTTP basic auth.
func basicAuth(user, pass string) http.Header {
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	return h
}

// pair is a credential of two values a provider takes together: the one a finding holds
// as its value and the one found beside it (its companion), in the order of the basic auth
// user and password.
type pair struct {
	// userIsValue tells that the finding's value is the basic auth user (an API key's id)
	// and its companion the password; otherwise the companion is the user (an account SID)
	// and the value the password (its auth token).
	userIsValue bool
	// missing names the companion for people, when it was not found ("the API secret").
	missing string
}

// of returns the user and password of s.
func (p pair) of(s Secret) (user, pass string) {
	if p.userIsValue {
		return s.Value, s.Companion
	}
	return s.Companion, s.Value
}

// pairVerifier is a getVerifier for a two-value credential: the request goes to url with
// the pair as basic auth, and a finding without its companion is not sent at all.
func pairVerifier(cfg Config, id string, p pair, url func(s Secret) string) *getVerifier {
	prov := cfg.provider(id)
	return &getVerifier{
		c: cfg.Client, provider: id, accepted: prov.Name, rotate: prov.Rotate,
		url: url,
		header: func(s Secret) http.Header {
			h := basicAuth(p.of(s))
			h.Set("Accept", "application/json")
			return h
		},
		skip: func(s Secret) string {
			if s.Companion == "" {
				return p.missing + " was not found beside it: there is nothing to verify it with"
			}
			return ""
		},
	}
}
