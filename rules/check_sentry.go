package rules

import (
	"encoding/json"
	"strings"
)

// sentryOrgToken checks Sentry's organization auth token: "sntrys_", the token's facts as
// base64 of a JSON object, "_", and the secret, 32 random bytes in base64 without padding
// (Sentry's "Token and Credential Formats" page; the structured-token RFC). The facts must
// name when the token was issued (iat, a number), its Sentry (url, https) and its
// organization (org): a look-alike whose middle is random base64 stays quiet.
func sentryOrgToken(secret string) bool {
	_, _, ok := SentryOrgToken(secret)
	return ok
}

// SentryOrgToken returns the region URL (where the organization's API is; its Sentry's URL
// when the facts name no region) and the organization of a Sentry organization token, and
// whether secret is one.
func SentryOrgToken(secret string) (region, org string, ok bool) {
	body, ok := strings.CutPrefix(secret, "sntrys_")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndexByte(body, '_')
	if i < 0 {
		return "", "", false
	}
	facts, key := body[:i], body[i+1:]
	if len(key) != 43 || !inSet(key, setB64) || !jsonWith(facts, "iat", "url", "org") {
		return "", "", false
	}
	raw, err := decodeB64URL(strings.NewReplacer("+", "-", "/", "_").Replace(facts))
	if err != nil {
		return "", "", false
	}
	var f struct {
		IAT    json.Number `json:"iat"`
		URL    string      `json:"url"`
		Region string      `json:"region_url"`
		Org    any         `json:"org"`
	}
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if d.Decode(&f) != nil {
		return "", "", false
	}
	org, _ = f.Org.(string)
	if _, err = f.IAT.Float64(); err != nil || !strings.HasPrefix(f.URL, "https://") || org == "" {
		return "", "", false
	}
	region = f.URL
	if strings.HasPrefix(f.Region, "https://") {
		region = f.Region
	}
	return strings.TrimRight(region, "/"), org, true
}
