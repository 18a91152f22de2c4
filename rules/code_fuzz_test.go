package rules

import (
	"strings"
	"testing"
)

// FuzzPyPIMacaroon feeds the macaroon parser anything after "pypi-": it never panics, it
// answers the same twice, what it accepts is base64 of a V2 macaroon (version 2, a pypi.org
// or test.pypi.org location, a 32-byte signature at the end), and a token it accepts no
// longer passes once a character is cut from its end.
func FuzzPyPIMacaroon(f *testing.F) {
	f.Add(macaroon("pypi.org", []string{`{"version": 1, "permissions": "user"}`}, 32)[5:])
	f.Add(macaroon("test.pypi.org", nil, 32)[5:])
	f.Add(macaroon("pypi.org", []string{strings.Repeat("x", 300), "y"}, 32)[5:])
	f.Add("AgEIcHlwaS5vcmcCJDRm")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		tok := "pypi-" + body
		got := pypiMacaroon(tok)
		if got != pypiMacaroon(tok) {
			t.Fatalf("two answers for %q", tok)
		}
		if !got {
			return
		}
		raw, err := decodeB64URL(body)
		if err != nil || raw[0] != 2 || len(raw) < 1+2+8+2+1+1+2+32 {
			t.Fatalf("accepted %q, which is no V2 macaroon", tok)
		}
		if !strings.Contains(string(raw[:20]), "pypi.org") {
			t.Fatalf("accepted %q without PyPI's location", tok)
		}
		if t := strings.TrimRight(body, "="); len(t) > 1 && pypiMacaroon("pypi-"+t[:len(t)-1]) {
			// Cutting the last character either breaks the base64 or loses signature bytes.
			panic("a token cut short still passes: " + tok)
		}
	})
}
