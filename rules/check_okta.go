package rules

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
)

// oktaHost is the host of an Okta org.
var oktaHost = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}\.(?:okta|oktapreview|okta-emea|okta-gov|okta-mil)\.com$`)

// OktaAccessToken returns the issuer and the client id of an Okta OAuth 2.0 access token, or
// "" when secret is not one: a signed JWT whose issuer is an Okta org's authorization server
// (https://<org>.okta.com, or https://<org>.okta.com/oauth2/<server>) and which names the
// client it was issued to (cid), as Okta's "Access token" reference describes its claims.
func OktaAccessToken(secret string) (issuer, client string) {
	if !signedJWT(secret) {
		return "", ""
	}
	raw, err := decodeB64URL(strings.Split(secret, ".")[1])
	if err != nil {
		return "", ""
	}
	var c struct {
		Iss string `json:"iss"`
		Cid string `json:"cid"`
	}
	if json.Unmarshal(raw, &c) != nil || c.Cid == "" || !validClientID(c.Cid) {
		return "", ""
	}
	u, err := url.Parse(c.Iss)
	if err != nil || u.Scheme != "https" || !oktaHost.MatchString(u.Host) || u.RawQuery != "" || u.User != nil {
		return "", ""
	}
	if u.Path != "" && !regexp.MustCompile(`^/oauth2/[A-Za-z0-9]{1,40}$`).MatchString(u.Path) {
		return "", ""
	}
	return c.Iss, c.Cid
}

// validClientID holds a client id to the characters Okta's have (0oa… ids, or names).
func validClientID(s string) bool { return len(s) <= 100 && inSet(s, setAlnum+"_-.") }

// oktaAccessToken is the check of OktaAccessToken.
func oktaAccessToken(secret string) bool {
	iss, _ := OktaAccessToken(secret)
	return iss != ""
}
