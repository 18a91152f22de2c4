package revoke

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// shopifyProvider verifies an access token with GET /admin/oauth/access_scopes.json on its
// shop, and revokes it with DELETE /admin/api_permissions/current.json, which uninstalls the
// token's app from the shop and voids its tokens, with the token itself (providers.md §8).
// A token works on its own shop only, whose domain is not part of it: the shop named near
// the token (the finding's companion), else LEAKSTOP_SHOPIFY_SHOP. An app's client secret
// (shpss_) is no access token; it is rotated in the Partner Dashboard.
type shopifyProvider struct {
	c        *Client
	base     string
	override bool
	shop     string // LEAKSTOP_SHOPIFY_SHOP
}

// newShopify returns the Shopify provider: LEAKSTOP_SHOPIFY_URL (every shop's calls go there
// when set), LEAKSTOP_SHOPIFY_SHOP.
func newShopify(cfg Config) *shopifyProvider {
	sh := &shopifyProvider{c: cfg.Client, shop: cfg.value("LEAKSTOP_SHOPIFY_SHOP")}
	sh.base, sh.override = cfg.base("shopify")
	return sh
}

const (
	shopifyRemedy       = "uninstall the app from the shop, or rotate its token in the Shopify admin (https://help.shopify.com/en/manual/apps/app-types/custom-apps)"
	shopifySecretRemedy = "rotate the app's client secret in the Partner Dashboard or the Dev Dashboard (https://shopify.dev/docs/apps/build/authentication-authorization/client-secrets/rotate-revoke-client-credentials)"
)

// Remediation says what to do by hand.
func (sh *shopifyProvider) Remediation(s Secret) string {
	if strings.HasPrefix(s.Value, "shpss_") {
		return shopifySecretRemedy
	}
	return shopifyRemedy
}

// shopDomain is the permanent domain of a shop.
var shopDomain = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$`)

// shopOf returns the myshopify.com domain of the token's shop: the finding's companion, else
// LEAKSTOP_SHOPIFY_SHOP ("acme", "acme.myshopify.com" or its https:// URL); "" when neither
// names one.
func (sh *shopifyProvider) shopOf(s Secret) string {
	for _, v := range []string{s.Companion, sh.shop} {
		v = strings.ToLower(strings.TrimSpace(v))
		v = strings.TrimPrefix(strings.TrimPrefix(v, "https://"), "http://")
		v = strings.TrimSuffix(v, "/")
		if v != "" && !strings.Contains(v, ".") {
			v += ".myshopify.com"
		}
		if shopDomain.MatchString(v) {
			return v
		}
	}
	return ""
}

// url is where a call about the shop goes: the shop itself, or the override.
func (sh *shopifyProvider) url(shop, path string) string {
	if sh.override {
		return sh.base + path
	}
	return "https://" + shop + path
}

func tokenHeader(tok string) http.Header {
	h := http.Header{}
	h.Set("X-Shopify-Access-Token", tok)
	h.Set("Accept", "application/json")
	return h
}

const shopifyNoShop = "the token's shop is not known: no myshopify.com domain was found near it"

// Verify asks the shop for the token's access scopes.
func (sh *shopifyProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if strings.HasPrefix(s.Value, "shpss_") {
		return Outcome{Status: outcome.Skipped, Detail: "an app's client secret signs OAuth and webhooks, and no call takes it alone"}, nil
	}
	shop := sh.shopOf(s)
	if shop == "" {
		return Outcome{Status: outcome.Skipped, Detail: shopifyNoShop + ": set LEAKSTOP_SHOPIFY_SHOP to the shop's myshopify.com domain and run leakstop revoke REPORT"}, nil
	}
	r, err := sh.c.do(ctx, request{Provider: "shopify", Action: "verify", Secret: &s, Method: http.MethodGet, URL: sh.url(shop, "/admin/oauth/access_scopes.json"), Header: tokenHeader(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusOK:
		if !strings.Contains(string(r.Body), `"access_scopes"`) {
			return Outcome{Status: outcome.Unknown, Detail: "HTTP 200, but the answer has no access_scopes: not the shop's own answer"}, nil
		}
		return Outcome{Status: outcome.Live, Detail: "accepted by the shop " + shop}, nil
	case http.StatusUnauthorized:
		return Outcome{Status: outcome.Invalid, Detail: "the shop " + shop + " does not accept it: " + httpDetail(r)}, nil
	}
	return unknownAnswer(r), nil
}

// Revoke uninstalls the token's app from its shop, with the token itself. A dry run sends
// nothing: the verification already showed that the shop accepts the token.
func (sh *shopifyProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if strings.HasPrefix(s.Value, "shpss_") {
		return Outcome{Status: outcome.Unsupported, Detail: "no API revokes an app's client secret: " + shopifySecretRemedy}, nil
	}
	shop := sh.shopOf(s)
	if shop == "" {
		out := needsCredential("LEAKSTOP_SHOPIFY_SHOP", "the myshopify.com domain of the token's shop", shopifyRemedy)
		out.Detail = shopifyNoShop + "; " + out.Detail
		return out, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would uninstall the token's app from the shop " + shop + " (DELETE /admin/api_permissions/current.json): irreversible, it removes the app's webhooks, script tags and admin links and voids all its tokens"}, nil
	}
	r, err := sh.c.do(ctx, request{Provider: "shopify", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: sh.url(shop, "/admin/api_permissions/current.json"), Header: tokenHeader(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	if r.Status == http.StatusOK || r.Status == http.StatusNoContent {
		if !acknowledged(r) {
			return notAcknowledged("uninstalling the app", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "uninstalled the token's app from the shop " + shop + " with the token itself: every token of the app on that shop is void, its webhooks and script tags are gone"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "uninstalling the app: " + httpDetail(r)}, nil
}

// Describe says which calls the Shopify provider makes.
func (sh *shopifyProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /admin/oauth/access_scopes.json` on the token's shop (named near it, or `LEAKSTOP_SHOPIFY_SHOP`)",
		Revoke: "with the token itself: `DELETE /admin/api_permissions/current.json` (uninstalls the app from the shop); client secrets: unsupported",
	}
}
