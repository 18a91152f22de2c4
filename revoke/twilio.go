package revoke

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// twilioProvider verifies the two credentials Twilio issues, each a basic auth pair: an
// account SID with its auth token (GET /2010-04-01/Accounts/{AccountSid}.json), and an API
// key with its secret (GET /v1/Services on messaging.twilio.com, which any Standard or
// Restricted key may read: the Accounts resource takes a Main key). It deletes a leaked API
// key with DELETE /2010-04-01/Accounts/{AccountSid}/Keys/{KeySid}.json, which takes the
// account's own credential: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (providers.md §8). An
// auth token is only rotated in the Console: promoting a secondary token breaks whatever
// uses the primary one.
type twilioProvider struct {
	c        *Client
	base     string
	override bool
	sid      string // TWILIO_ACCOUNT_SID
	token    string // TWILIO_AUTH_TOKEN
	account  *getVerifier
	key      *getVerifier
}

// newTwilio returns the Twilio provider: LEAKSTOP_TWILIO_URL (one host for api.twilio.com
// and messaging.twilio.com), TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN.
func newTwilio(cfg Config) *twilioProvider {
	t := &twilioProvider{c: cfg.Client, sid: cfg.value("TWILIO_ACCOUNT_SID"), token: cfg.value("TWILIO_AUTH_TOKEN")}
	t.base, t.override = cfg.base("twilio")
	t.account = pairVerifier(cfg, "twilio", pair{missing: "the account SID (AC…)"}, func(s Secret) string {
		return t.base + "/2010-04-01/Accounts/" + url.PathEscape(s.Companion) + ".json"
	})
	// A SID and token that authenticate but name another account answer 404.
	t.account.answers = map[int]func(*reply) Outcome{http.StatusNotFound: invalid}
	t.key = pairVerifier(cfg, "twilio", pair{userIsValue: true, missing: "the API key's secret"}, func(Secret) string {
		return t.messaging() + "/v1/Services?PageSize=1"
	})
	// A Restricted key without the messaging permission authenticates, and may not list.
	t.key.answers = map[int]func(*reply) Outcome{http.StatusForbidden: liveBut("a restricted key")}
	return t
}

// messaging is the base of Twilio's Messaging API: its own host, or the override.
func (t *twilioProvider) messaging() string {
	if t.override {
		return t.base
	}
	return "https://messaging.twilio.com"
}

const (
	twilioKeyRemedy   = "delete the API key at https://console.twilio.com/us1/account/keys-credentials/api-keys"
	twilioTokenRemedy = "rotate the auth token in the Twilio Console (https://console.twilio.com, Account > API keys & tokens): create a secondary token, move every client to it, then promote it"
)

func isTwilioKey(v string) bool { return strings.HasPrefix(v, "SK") }

// Remediation says what to do by hand.
func (t *twilioProvider) Remediation(s Secret) string {
	if isTwilioKey(s.Value) {
		return twilioKeyRemedy
	}
	return twilioTokenRemedy
}

// Verify asks Twilio with the pair the finding holds.
func (t *twilioProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if isTwilioKey(s.Value) {
		return t.key.Verify(ctx, s)
	}
	return t.account.Verify(ctx, s)
}

// Revoke deletes an API key with the account's credential, after fetching the key with it
// (which tells that the key is the account's).
func (t *twilioProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if !isTwilioKey(s.Value) {
		return Outcome{Status: outcome.Unsupported, Detail: "Twilio has no API that revokes an auth token: " + twilioTokenRemedy}, nil
	}
	if t.sid == "" || t.token == "" {
		return needsCredential("TWILIO_AUTH_TOKEN", "the auth token of the key's account, with its SID in TWILIO_ACCOUNT_SID", twilioKeyRemedy), nil
	}
	keyURL := t.base + "/2010-04-01/Accounts/" + url.PathEscape(t.sid) + "/Keys/" + url.PathEscape(s.Value) + ".json"
	r, err := t.c.do(ctx, request{Provider: "twilio", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: keyURL, Header: basicAuth(t.sid, t.token)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusOK:
	case http.StatusNotFound:
		out := needsCredential("TWILIO_AUTH_TOKEN", "the auth token of the key's account, with its SID in TWILIO_ACCOUNT_SID", twilioKeyRemedy)
		out.Detail = "the key is not one of the account TWILIO_ACCOUNT_SID names; " + out.Detail
		return out, nil
	case http.StatusUnauthorized, http.StatusForbidden:
		return Outcome{Status: outcome.Failed, Detail: "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN were refused: " + httpDetail(r) + "; " + twilioKeyRemedy}, nil
	default:
		return Outcome{Status: outcome.Failed, Detail: "fetching the key: " + httpDetail(r)}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the API key (DELETE …/Keys/{KeySid}.json) with the account's auth token"}, nil
	}
	d, err := t.c.do(ctx, request{Provider: "twilio", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: keyURL, Header: basicAuth(t.sid, t.token)})
	if err != nil {
		return Outcome{}, err
	}
	if d.Status == http.StatusNoContent || d.Status == http.StatusOK {
		if !acknowledged(d) {
			return notAcknowledged("deleting the key", d), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "deleted the API key with the account's auth token"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting the key: " + httpDetail(d)}, nil
}

// Describe says which calls the Twilio provider makes.
func (t *twilioProvider) Describe() Calls {
	return Calls{
		Verify: "account SID and auth token: `GET /2010-04-01/Accounts/{AccountSid}.json`; API key and secret: `GET /v1/Services` (messaging.twilio.com)",
		Revoke: "an API key: `DELETE /2010-04-01/Accounts/{AccountSid}/Keys/{KeySid}.json` with `TWILIO_ACCOUNT_SID` and `TWILIO_AUTH_TOKEN`; auth tokens: unsupported",
	}
}
