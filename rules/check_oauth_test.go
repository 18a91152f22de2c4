package rules

import (
	"encoding/base64"
	"strings"
	"testing"
)

// zoomJWT is a token of Zoom's shape with claims, signed with nothing.
func zoomJWT(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"sv":"00000001","alg":"HS512","v":"2.0","kid":"3c8a9b1f"}`)) + "." + enc([]byte(claims)) + "." + strings.Repeat("Q1x", 28)
}

func TestZoomToken(t *testing.T) {
	const aud = `"aud":"https://oauth.zoom.us"`
	testCheck(t, "zoom-token", zoomToken, []checkCase{
		{"an access token", zoomJWT(`{` + aud + `,"uid":"Xk9f","ver":10,"iss":"zm:cid:Xk9fQ2mZt7LpWv4R","type":0}`), true},
		{"an older token", zoomJWT(`{"ver":"6","clientId":"Xk9fQ2","iss":"urn:zoom:connect:clientid:Xk9fQ2",` + aud + `}`), true},
		{"an audience list", zoomJWT(`{"aud":["x","https://oauth.zoom.us"],"iss":"zm:cid:Xk9fQ2"}`), true},
		{"the documentation's sample", zoomJWT(`{"clientId":"<Client_ID>","iss":"urn:zoom:connect:clientid:<Client_ID>",` + aud + `}`), false},
		{"another audience", zoomJWT(`{"aud":"https://oauth.example.com","iss":"zm:cid:Xk9fQ2"}`), false},
		{"another issuer", zoomJWT(`{` + aud + `,"iss":"https://accounts.example.com"}`), false},
		{"a client id that differs from the issuer's", zoomJWT(`{"clientId":"A1",` + aud + `,"iss":"zm:cid:B2"}`), false},
		{"no client", zoomJWT(`{` + aud + `,"iss":"zm:cid:"}`), false},
		{"unsigned", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(`{`+aud+`,"iss":"zm:cid:Xk9f"}`)) + "." + strings.Repeat("Q", 40), false},
		{"not a JWT", "eyJhbGciOi.eyJhdWQiOi", false},
	})
	if c, ok := ZoomClaims(zoomJWT(`{` + aud + `,"iss":"zm:cid:Xk9fQ2"}`)); !ok || c.ClientID != "Xk9fQ2" {
		t.Errorf("claims %+v, %v", c, ok)
	}
}

// FuzzZoomClaims: reading claims never fails loudly; a token it reads names Zoom's audience
// and a client, and a token the check passes is one it reads.
func FuzzZoomClaims(f *testing.F) {
	f.Add(zoomJWT(`{"aud":"https://oauth.zoom.us","iss":"zm:cid:Xk9fQ2mZt7LpWv4R"}`))
	f.Add(zoomJWT(`{"aud":["https://oauth.zoom.us"],"clientId":"a","iss":"urn:zoom:connect:clientid:a"}`))
	f.Add(zoomJWT(`{"aud":"https://oauth.zoom.us","iss":"zm:cid:<Client_ID>"}`))
	f.Add("eyJ.eyJ.x")
	f.Add("...")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 8192 {
			return
		}
		c, ok := ZoomClaims(s)
		if !ok && c.ClientID != "" {
			t.Errorf("%q: a client without claims", s)
		}
		if ok && strings.Count(s, ".") != 2 {
			t.Errorf("%q: claims of something that is no JWT", s)
		}
		if zoomToken(s) {
			if !ok || c.ClientID == "" || !signedJWT(s) {
				t.Errorf("%q passes zoom-token but reads as %+v, %v", s, c, ok)
			}
			if strings.ContainsAny(c.ClientID, "<>") {
				t.Errorf("%q: a placeholder client passes", s)
			}
		}
	})
}
