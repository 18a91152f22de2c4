package rules

import (
	"encoding/json"
	"regexp"
	"strings"
)

// auth0Issuer is the issuer of an Auth0 tenant's tokens: https://<tenant>.auth0.com/, or with
// the tenant's region (https://<tenant>.eu.auth0.com/).
var auth0Issuer = regexp.MustCompile(`^https://[a-z0-9][a-z0-9-]{0,62}(?:\.(?:us|eu|au|jp|ca|uk))?\.auth0\.com/$`)

// Auth0Tenant returns the tenant host of an Auth0 Management API token (acme.eu.auth0.com),
// or "" when secret is not one: a signed JWT whose issuer is an Auth0 tenant and whose
// audience is that tenant's Management API (<issuer>api/v2/), as Auth0's "Management API
// Access Tokens" page describes them.
func Auth0Tenant(secret string) string {
	if !signedJWT(secret) {
		return ""
	}
	raw, err := decodeB64URL(strings.Split(secret, ".")[1])
	if err != nil {
		return ""
	}
	var c struct {
		Iss string          `json:"iss"`
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(raw, &c) != nil || !auth0Issuer.MatchString(c.Iss) {
		return ""
	}
	var auds []string
	var one string
	if json.Unmarshal(c.Aud, &one) == nil {
		auds = []string{one}
	} else if json.Unmarshal(c.Aud, &auds) != nil {
		return ""
	}
	for _, a := range auds {
		if a == c.Iss+"api/v2/" {
			return strings.TrimSuffix(strings.TrimPrefix(c.Iss, "https://"), "/")
		}
	}
	return ""
}

// auth0ManagementToken is the check of Auth0Tenant.
func auth0ManagementToken(secret string) bool { return Auth0Tenant(secret) != "" }
