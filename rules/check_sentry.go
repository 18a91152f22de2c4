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
	body, ok := strings.CutPrefix(secret, "sntrys_")
	if !ok {
		return false
	}
	i := strings.LastIndexByte(body, '_')
	if i < 0 {
		return false
	}
	facts, key := body[:i], body[i+1:]
	if len(key) != 43 || !inSet(key, setB64) || !jsonWith(facts, "iat", "url", "org") {
		return false
	}
	raw, err := decodeB64URL(strings.NewReplacer("+", "-", "/", "_").Replace(facts))
	if err != nil {
		return false
	}
	var f struct {
		IAT json.Number `json:"iat"`
		URL string      `json:"url"`
		Org string      `json:"org"`
	}
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if d.Decode(&f) != nil {
		return false
	}
	_, err = f.IAT.Float64()
	return err == nil && strings.HasPrefix(f.URL, "https://") && f.Org != ""
}
