package revoke

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// Discord verifies bot tokens with GET /api/v10/users/@me and webhook URLs with a GET on the
// URL itself; a webhook is revoked by a DELETE on that same URL, which needs no other
// credential: the leaked URL is the credential. Bot tokens have no revoke API (providers.md §8).
type Discord struct {
	c        *Client
	base     string
	override bool
}

// NewDiscord returns the Discord provider: LEAKSTOP_DISCORD_URL (default https://discord.com);
// when set, webhook URLs are sent there too.
func NewDiscord(cfg Config) *Discord {
	b := baseURL(cfg.Env, "DISCORD", "")
	if b == "" {
		return &Discord{c: cfg.Client, base: "https://discord.com"}
	}
	return &Discord{c: cfg.Client, base: b, override: true}
}

const discordBotRemedy = "Discord has no API to revoke a bot token: reset it at https://discord.com/developers/applications (Bot > Reset Token)"

// Remediation says what to do by hand.
func (d *Discord) Remediation(s Secret) string {
	if isDiscordWebhook(s.Value) {
		return "delete the webhook in the channel's settings (Integrations > Webhooks)"
	}
	return discordBotRemedy
}

func isDiscordWebhook(v string) bool {
	return strings.HasPrefix(v, "https://") && strings.Contains(v, "/webhooks/")
}

// webhookURL is where the webhook's calls go: the URL itself, or its path on the override.
func (d *Discord) webhookURL(v string) string { return onBase(d.base, d.override, v) }

// Verify asks Discord about the bot token or the webhook.
func (d *Discord) Verify(ctx context.Context, s Secret) (Outcome, error) {
	call := Call{Provider: "discord", Action: "verify", Secret: &s, Method: http.MethodGet}
	if isDiscordWebhook(s.Value) {
		call.URL = d.webhookURL(s.Value)
	} else {
		call.URL = d.base + "/api/v10/users/@me"
		call.Header = http.Header{}
		call.Header.Set("Authorization", "Bot "+s.Value)
	}
	r, err := d.c.Do(ctx, call)
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusOK:
		return Outcome{Status: outcome.Live, Detail: "accepted by Discord"}, nil
	case http.StatusUnauthorized:
		return Outcome{Status: outcome.Invalid, Detail: httpDetail(r)}, nil
	case http.StatusNotFound:
		if isDiscordWebhook(s.Value) { // 10015 Unknown Webhook: deleted
			return Outcome{Status: outcome.Invalid, Detail: httpDetail(r)}, nil
		}
	}
	return unknownAnswer(r), nil
}

// Revoke deletes a webhook with a DELETE on its URL. A dry run only says so: the GET of the
// verification already showed the webhook exists.
func (d *Discord) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if !isDiscordWebhook(s.Value) {
		return Outcome{Status: outcome.Unsupported, Detail: discordBotRemedy}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the webhook (DELETE on its URL); its channel stops receiving its posts"}, nil
	}
	r, err := d.c.Do(ctx, Call{Provider: "discord", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: d.webhookURL(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusNoContent, http.StatusOK:
		return Outcome{Status: outcome.Revoked, Detail: "webhook deleted (DELETE on its URL)"}, nil
	case http.StatusNotFound, http.StatusUnauthorized:
		return Outcome{Status: outcome.Revoked, Detail: "already gone: " + httpDetail(r)}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting the webhook: " + httpDetail(r)}, nil
}
