package fake

import (
	"net/http"
	"testing"
)

// Shopify fakes a shop's two calls leakstop makes (providers.md §8): GET
// /admin/oauth/access_scopes.json and DELETE /admin/api_permissions/current.json, both with
// X-Shopify-Access-Token. Uninstalling the app voids the token.
type Shopify struct {
	*Server
}

// NewShopify starts the fake shop.
func NewShopify(t testing.TB) *Shopify {
	f := &Shopify{}
	f.Server = newServer(t, func(r *http.Request) string { return r.Header.Get("X-Shopify-Access-Token") }, f.handle)
	return f
}

// AddToken adds a live access token of an app installed on the shop.
func (f *Shopify) AddToken(v string) { f.keys.add(v, "shopify app token") }

func (f *Shopify) handle(w http.ResponseWriter, r *http.Request, _ string) {
	tok := r.Header.Get("X-Shopify-Access-Token")
	// Shopify's answer to a token it does not know, on both calls.
	unknown := func() {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/admin/oauth/access_scopes.json":
		if f.keys.verify(tok) == nil {
			unknown()
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"access_scopes": []map[string]string{{"handle": "read_products"}, {"handle": "write_orders"}}})
	case r.Method == http.MethodDelete && r.URL.Path == "/admin/api_permissions/current.json":
		x := f.keys.get(tok)
		if x == nil || !x.live {
			unknown()
			return
		}
		f.revoke(x, r)
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		f.unexpected(w, r, "no such route of a shop")
	}
}
