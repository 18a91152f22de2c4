package revoke

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// discordProvider verifies bot tokens with GET /api/v10/users/@me and webhook URLs with a GET
// on the URL itself; a webhook is revoked by a DELETE on that same URL, which needs no other
// credential: the leaked URL is the credential. Bot tokens have no revoke API (providers.md
// §8).
type discordProvider struct {
	c        *Client
	base     string
	override bool
	// bot and webhook verify the two kinds of secret.
	bot, webhook getVerifier
}

// newDiscord returns the Discord provider: LEAKSTOP_DISCORD_URL (default https://discord.com);
// when set, webhook URLs are sent there too.
func newDiscord(cfg Config) *discordProvider {
	d := &discordProvider{c: cfg.Client}
	d.base, d.override = overrideURL(cfg.Env, "discord", "https://discord.com")
	d.bot = getVerifier{
		c: cfg.Client, provider: "discord", accepted: "Discord",
		url: at(d.base + "/api/v10/users/@me"),
		header: func(s Secret) http.Header {
			h := http.Header{}
			h.Set("Authorization", "Bot "+s.Value)
			return h
		},
	}
	d.webhook = getVerifier{
		c: cfg.Client, provider: "discord", accepted: "Discord",
		url: d.webhookURL,
		// The URL is the credential.
		header: func(Secret) http.Header { return nil },
		// 10015 Unknown Webhook: deleted.
		answers: map[int]func(*reply) Outcome{http.StatusNotFound: invalid},
	}
	return d
}

const discordBotRemedy = "Discord has no API to revoke a bot token: reset it at https://discord.com/developers/applications (Bot > Reset Token)"

// Remediation says what to do by hand.
func (d *discordProvider) Remediation(s Secret) string {
	if isDiscordWebhook(s.Value) {
		return "delete the webhook in the channel's settings (Integrations > Webhooks)"
	}
	return discordBotRemedy
}

func isDiscordWebhook(v string) bool {
	return strings.HasPrefix(v, "https://") && strings.Contains(v, "/webhooks/")
}

// webhookURL is where the webhook's calls go: the URL itself, or its path on the override.
func (d *discordProvider) webhookURL(s Secret) string { return onBase(d.base, d.override, s.Value) }

// Verify asks Discord about the bot token (GET /api/v10/users/@me) or the webhook (a GET on
// its URL).
func (d *discordProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if isDiscordWebhook(s.Value) {
		return d.webhook.Verify(ctx, s)
	}
	return d.bot.Verify(ctx, s)
}

// Revoke deletes a webhook with a DELETE on its URL. A dry run only says so: the GET of the
// verification already showed the webhook exists.
func (d *discordProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if !isDiscordWebhook(s.Value) {
		return Outcome{Status: outcome.Unsupported, Detail: discordBotRemedy}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the webhook (DELETE on its URL); its channel stops receiving its posts"}, nil
	}
	r, err := d.c.do(ctx, request{Provider: "discord", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: d.webhookURL(s)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusNoContent, http.StatusOK:
		if !acknowledged(r) {
			return notAcknowledged("deleting the webhook", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "webhook deleted (DELETE on its URL)"}, nil
	case http.StatusNotFound, http.StatusUnauthorized:
		return Outcome{Status: outcome.Revoked, Detail: "already gone: " + httpDetail(r)}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting the webhook: " + httpDetail(r)}, nil
}
