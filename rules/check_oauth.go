package rules

import (
	"encoding/json"
	"strings"
)

// Checks of OAuth tokens whose issuer says who it is in the token itself.

// zoomAudience is the audience of every token Zoom's OAuth server issues (access and
// refresh tokens of OAuth and Server-to-Server OAuth apps): https://developers.zoom.us/docs/integrations/oauth/.
const zoomAudience = "https://oauth.zoom.us"

// zoomToken checks a Zoom OAuth token: a signed JWT (signedJWT) whose claims name Zoom's OAuth
// server as the audience, and whose issuer is a Zoom client ("zm:cid:<client id>", or the
// older "urn:zoom:connect:clientid:<client id>"). The documentation's sample tokens, which
// hold "<Client_ID>" and the like, fail.
func zoomToken(secret string) bool {
	if !signedJWT(secret) {
		return false
	}
	c, ok := ZoomClaims(secret)
	return ok && c.ClientID != "" && !strings.ContainsAny(c.ClientID, "<>{}[] ")
}

// ZoomTokenClaims are the claims of a Zoom OAuth token that leakstop reads.
type ZoomTokenClaims struct {
	// ClientID is the OAuth app the token was issued to.
	ClientID string
}

// ZoomClaims reads the claims of a Zoom OAuth token, without checking its signature (which
// only Zoom can): ok is false when token is no JWT of Zoom's OAuth server.
func ZoomClaims(token string) (ZoomTokenClaims, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ZoomTokenClaims{}, false
	}
	raw, err := decodeB64URL(parts[1])
	if err != nil {
		return ZoomTokenClaims{}, false
	}
	var claims struct {
		Aud      any    `json:"aud"`
		Iss      string `json:"iss"`
		ClientID string `json:"clientId"`
	}
	if json.Unmarshal(raw, &claims) != nil || !audience(claims.Aud, zoomAudience) {
		return ZoomTokenClaims{}, false
	}
	id, ok := strings.CutPrefix(claims.Iss, "zm:cid:")
	if !ok {
		id, ok = strings.CutPrefix(claims.Iss, "urn:zoom:connect:clientid:")
	}
	if !ok {
		return ZoomTokenClaims{}, false
	}
	if claims.ClientID != "" && claims.ClientID != id {
		return ZoomTokenClaims{}, false
	}
	return ZoomTokenClaims{ClientID: id}, true
}

// audience reports whether a JWT's aud claim (a string or an array of strings, RFC 7519
// 4.1.3) holds want.
func audience(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok && s == want {
				return true
			}
		}
	}
	return false
}
