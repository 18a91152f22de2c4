package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// slackProvider verifies tokens with auth.test and revokes them with auth.revoke and the token
// itself; webhooks are verified with a malformed post and cannot be revoked (providers.md §5).
// Slack answers errors with HTTP 200 and "ok": false, so the body decides.
type slackProvider struct {
	c        *Client
	base     string
	override bool
}

// newSlack returns the Slack provider: LEAKSTOP_SLACK_URL (default https://slack.com); when
// set, webhooks are sent there too.
func newSlack(cfg Config) *slackProvider {
	sl := &slackProvider{c: cfg.Client}
	sl.base, sl.override = overrideURL(cfg.Env, "slack", "https://slack.com")
	return sl
}

const slackWebhookRemedy = "remove the webhook in the app's Incoming Webhooks settings at https://api.slack.com/apps"

// Remediation says what to do by hand.
func (sl *slackProvider) Remediation(s Secret) string {
	if isWebhook(s.Value) {
		return slackWebhookRemedy
	}
	return "revoke the token in the app's OAuth & Permissions settings at https://api.slack.com/apps"
}

func isWebhook(v string) bool { return strings.HasPrefix(v, "https://hooks.slack.com/") }

var slackInvalid = []string{"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}

type slackAnswer struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	Revoked bool   `json:"revoked"`
	Team    string `json:"team"`
}

func (sl *slackProvider) call(ctx context.Context, s *Secret, action, method string, form url.Values) (*reply, *slackAnswer, error) {
	h := bearer(s.Value)
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	// auth.revoke is the one changing method: a token revoked twice answers token_revoked,
	// which reads as revoked, so sending it again is safe.
	r, err := sl.c.do(ctx, request{Provider: "slack", Action: action, Secret: s, Method: http.MethodPost, URL: sl.base + "/api/" + method, Header: h, Body: []byte(form.Encode()), Idempotent: method == "auth.revoke"})
	if err != nil {
		return nil, nil, err
	}
	var a slackAnswer
	if r.Status == http.StatusOK && json.Unmarshal(r.Body, &a) != nil {
		return r, nil, nil
	}
	return r, &a, nil
}

// Verify calls auth.test (or probes a webhook).
func (sl *slackProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if isWebhook(s.Value) {
		return sl.verifyWebhook(ctx, s)
	}
	r, a, err := sl.call(ctx, &s, "verify", "auth.test", url.Values{})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case r.Status != http.StatusOK || a == nil:
		return unknownAnswer(r), nil
	case a.OK:
		return Outcome{Status: outcome.Live, Detail: "accepted by Slack"}, nil
	case slices.Contains(slackInvalid, a.Error):
		return Outcome{Status: outcome.Invalid, Detail: "Slack: " + a.Error}, nil
	}
	return Outcome{Status: outcome.Unknown, Detail: "Slack: " + a.Error}, nil
}

// verifyWebhook posts a body that is not JSON: a live webhook answers 400 invalid_payload
// and posts nothing.
func (sl *slackProvider) verifyWebhook(ctx context.Context, s Secret) (Outcome, error) {
	u := onBase(sl.base, sl.override, s.Value)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	r, err := sl.c.do(ctx, request{Provider: "slack", Action: "verify", Secret: &s, Method: http.MethodPost, URL: u, Header: h, Body: []byte("leakstop")})
	if err != nil {
		return Outcome{}, err
	}
	body := strings.TrimSpace(string(r.Body))
	switch {
	case r.Status == http.StatusBadRequest && body == "invalid_payload":
		return Outcome{Status: outcome.Live, Detail: "the webhook accepts posts"}, nil
	case r.Status == http.StatusForbidden || r.Status == http.StatusNotFound || strings.Contains(body, "invalid_token"):
		return Outcome{Status: outcome.Invalid, Detail: httpDetail(r)}, nil
	case r.Status >= 200 && r.Status < 300:
		return Outcome{Status: outcome.Live, Detail: "the webhook accepted the probe"}, nil
	}
	return unknownAnswer(r), nil
}

// Revoke calls auth.revoke with the token itself; a dry run calls it with test=1, which Slack
// answers without revoking.
func (sl *slackProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if isWebhook(s.Value) {
		return Outcome{Status: outcome.Unsupported, Detail: "Slack has no API to remove a webhook: " + slackWebhookRemedy}, nil
	}
	form := url.Values{}
	if dryRun {
		form.Set("test", "1")
	}
	r, a, err := sl.call(ctx, &s, map[bool]string{true: "lookup", false: "revoke"}[dryRun], "auth.revoke", form)
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case r.Status != http.StatusOK || a == nil:
		return Outcome{Status: outcome.Failed, Detail: "revoking: " + httpDetail(r)}, nil
	case a.OK && dryRun:
		return Outcome{Status: outcome.DryRun, Detail: "would revoke the token with itself (auth.revoke test=1 succeeded)"}, nil
	case a.OK:
		return Outcome{Status: outcome.Revoked, Detail: "revoked with itself (auth.revoke)"}, nil
	case a.Error == "invalid_auth" || a.Error == "token_revoked":
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (Slack: " + a.Error + ")"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking: Slack: " + a.Error}, nil
}
