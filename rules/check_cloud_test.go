package rules

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzMapboxToken: a token the check accepts has three parts and a payload naming a user and
// a token id of the documented shape; a token built from a user and a valid id always passes,
// whatever its signature; and the check of any string takes no longer than reading it.
func FuzzMapboxToken(f *testing.F) {
	// Made at run time: the repository holds no key-shaped literal.
	f.Add("sk."+base64.RawURLEncoding.EncodeToString([]byte(`{"u":"acme","a":"cijucimbe000brbkt48d0dhcx"}`))+"."+strings.Repeat("Ab", 11), "acme", "cijucimbe000brbkt48d0dhcx", "AbCdEfGhIjKlMnOpQrStUv")
	f.Add("pk.e30.x", "", "", "")
	f.Add("sk..", "a", "c0000000000000000000", "-")
	f.Fuzz(func(t *testing.T, token, user, id, sig string) {
		if mapboxToken(token) {
			parts := strings.Split(token, ".")
			if len(parts) != 3 || parts[2] == "" {
				t.Fatalf("accepted %q: not three parts", token)
			}
			m, ok := jsonObject(parts[1])
			if !ok || stringField(m, "u") == "" || len(stringField(m, "a")) < 20 {
				t.Fatalf("accepted %q: its payload names no user and token id", token)
			}
		}
		validID := len(id) >= 20 && len(id) <= 32 && strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789") == ""
		if user == "" || len(user) > 64 || !utf8.ValidString(user) || !validID || sig == "" || strings.Contains(sig, ".") {
			return
		}
		payload, err := json.Marshal(map[string]string{"u": user, "a": id})
		if err != nil {
			return
		}
		built := "sk." + base64.RawURLEncoding.EncodeToString(payload) + "." + sig
		if !mapboxToken(built) {
			t.Fatalf("a token of user %q and id %q fails the check: %q", user, id, built)
		}
	})
}

// TestPublicCloudValuesQuiet: values that are public by design give no finding of any rule,
// the generic one included, where they are assigned to names that hold secrets elsewhere.
func TestPublicCloudValuesQuiet(t *testing.T) {
	set := builtinSet(t)
	for _, tmpl := range []string{
		// Mapbox public and temporary tokens, with a payload that names a user and a token id.
		"MAPBOX_ACCESS_TOKEN=pk.{{b64enc (printf `{\"u\":\"%s\",\"a\":\"c%s%s\"}` (lower 9) (digits 8) (lower 16))}}.{{b64url 22}}",
		"export MAPBOX_TOKEN=\"pk.{{b64enc (printf `{\"u\":\"acme-%s\",\"a\":\"c%s\"}` (lower 4) (lower 24))}}.{{b64url 22}}\"",
		"mapbox_api_token: tk.{{b64enc (printf `{\"u\":\"%s\",\"exp\":1790000000,\"scopes\":[\"styles:read\"],\"client\":\"api\"}` (lower 8))}}.{{b64url 22}}",
		// Mapbox's documented example.
		`MAPBOX_ACCESS_TOKEN=pk.eyJ1IjoibWFwYm94IiwiYSI6ImNpejY4M29iazA2Z2gycXA4N2pmbDZmangifQ.{{""}}-g_vE53SD2WrJ6tFX7QHmA`,
	} {
		for _, seed := range exampleSeeds {
			text := expand(t, NewGenerator(seed), tmpl)
			if ms := set.Find([]byte(text), ""); len(ms) != 0 {
				t.Errorf("%q gives %d findings, the first of %s", text, len(ms), ms[0].Rule.ID)
			}
		}
	}
}
