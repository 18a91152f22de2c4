package rules

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// The checks of the cloud providers' token formats whose structure is an encoded document:
// a 1Password service account token, a QStash token, a Supabase service_role key. Each
// decodes the token and looks for the fields the provider puts there, so that a look-alike
// (random base64 after the prefix, a JWT of another issuer) stays quiet.

// decodeAnyB64 decodes base64 in the URL or the standard alphabet, padded or not, as tokens
// write it.
func decodeAnyB64(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, true
	}
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	return nil, false
}

// jsonObject decodes an encoded JSON object; ok is false for anything else.
func jsonObject(encoded string) (map[string]json.RawMessage, bool) {
	raw, ok := decodeAnyB64(encoded)
	if !ok {
		return nil, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

// stringField returns the string value of field k of m.
func stringField(m map[string]json.RawMessage, k string) string {
	var s string
	if raw, ok := m[k]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// onePasswordToken checks a 1Password service account token: ops_ and a base64url JSON
// object that names the account it signs in to and holds the account's secret key.
func onePasswordToken(secret string) bool {
	body, ok := strings.CutPrefix(secret, "ops_")
	if !ok {
		return false
	}
	m, ok := jsonObject(body)
	if !ok {
		return false
	}
	return stringField(m, "signInAddress") != "" && stringField(m, "email") != "" && stringField(m, "secretKey") != ""
}

// qstashToken checks an Upstash QStash token: base64 of a JSON object with the account's
// UserID and a Password of its own.
func qstashToken(secret string) bool {
	m, ok := jsonObject(secret)
	if !ok {
		return false
	}
	pass := stringField(m, "Password")
	return stringField(m, "UserID") != "" && len(pass) >= 16 && random(pass)
}

// supabaseServiceRole checks a Supabase service_role key: a signed JWT (the jwt check)
// whose claims say that Supabase issued it, for which project, with the service_role role.
func supabaseServiceRole(secret string) bool {
	if !signedJWT(secret) {
		return false
	}
	parts := strings.Split(secret, ".")
	m, ok := jsonObject(parts[1])
	if !ok {
		return false
	}
	return stringField(m, "iss") == "supabase" && stringField(m, "role") == "service_role" && stringField(m, "ref") != ""
}

// mapboxToken checks a Mapbox token (pk., sk. or tk.): its payload is base64url JSON naming
// the user ("u") and, for pk and sk tokens, the token's id ("a"), a cuid of lower-case
// letters and digits; the signature is base64url.
func mapboxToken(secret string) bool {
	parts := strings.Split(secret, ".")
	if len(parts) != 3 || len(parts[2]) == 0 {
		return false
	}
	m, ok := jsonObject(parts[1])
	if !ok {
		return false
	}
	u, id := stringField(m, "u"), stringField(m, "a")
	if u == "" || len(u) > 64 || len(id) < 20 || len(id) > 32 {
		return false
	}
	for _, c := range id {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// mapboxSecretToken checks a Mapbox secret token: sk. and the structure mapboxToken checks.
// Public (pk.) and temporary (tk.) tokens fail it: the rule takes them only so that their
// prefixes are its own.
func mapboxSecretToken(secret string) bool {
	return strings.HasPrefix(secret, "sk.") && mapboxToken(secret)
}
