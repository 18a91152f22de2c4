package rules

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestAgeSecretKey(t *testing.T) {
	g := NewGenerator(31)
	key := g.AgeKey()
	flip := func(s string, i int) string {
		c := byte('Q')
		if s[i] == 'Q' {
			c = 'P'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	// age's testkit identity: documented, valid, no one's secret.
	testkit := "AGE-SECRET-KEY-1" + "EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
	testCheck(t, "age-secret-key", ageSecretKey, []checkCase{
		{"generated", key, true},
		{"lower case", strings.ToLower(key), true},
		{"a character changed", flip(key, 30), false},
		{"the checksum changed", flip(key, len(key)-1), false},
		{"mixed case", key[:20] + strings.ToLower(key[20:]), false},
		{"a public key's part", "age1" + key[16:], false},
		{"too short", key[:len(key)-1], false},
		{"age's testkit identity", testkit, false},
	})
	if !bech32Valid(testkit) {
		t.Errorf("the testkit identity's checksum does not hold: the bech32 code is wrong")
	}
}

// bech32Valid reports whether s holds its checksum, whatever its content.
func bech32Valid(s string) bool { _, _, ok := bech32Decode(s); return ok }

func TestBech32RoundTrip(t *testing.T) {
	g := NewGenerator(32)
	for i := 0; i < 50; i++ {
		raw := []byte(g.Chars(setAlnum, 32))
		s := bech32Encode("age-secret-key-", to5Bits(raw))
		hrp, data, ok := bech32Decode(s)
		if !ok || hrp != "age-secret-key-" || string(data) != string(to5Bits(raw)) {
			t.Fatalf("%q does not decode to what it encodes", s)
		}
	}
}

func TestUserPassword(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	testCheck(t, "user-password", userPassword, []checkCase{
		{"user and password", enc("deploy:Xk9fQ2mZt7LpWv4R"), true},
		{"unpadded", strings.TrimRight(enc("ci:Xk9fQ2mZt7LpWv4Rs"), "="), true},
		{"stand-in password", enc("user:password"), false},
		{"empty password", enc("user:"), false},
		{"no colon", enc("just-a-token-value-1234"), false},
		{"binary", base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 3, 4, 5, 6, 7}), false},
		{"not base64", "not base64 at all!", false},
		{"a variable", enc("user:${REGISTRY_PASSWORD}"), false},
	})
}

func TestKubeKeyData(t *testing.T) {
	g := NewGenerator(33)
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	testCheck(t, "kube-key-data", kubeKeyData, []checkCase{
		{"RSA key", enc(g.PrivateKey("RSA", 600)), true},
		{"EC key", enc(g.PrivateKey("EC", 121)), true},
		{"certificate", enc("-----BEGIN CERTIFICATE-----\n" + g.Chars(setB64, 200) + "\n-----END CERTIFICATE-----"), false},
		{"stand-in key", enc("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----"), false},
		{"random base64", g.Chars(setB64, 200), false},
	})
}

func TestPuttyKey(t *testing.T) {
	g := NewGenerator(34)
	key := func(private string) string {
		return "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: a\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI" +
			g.Chars(setB64, 39) + "\n" + g.Chars(setB64, 4) + "\nPrivate-Lines: 1\n" + private + "\nPrivate-MAC: " + g.Chars(setHex, 64)
	}
	testCheck(t, "putty-key", puttyKey, []checkCase{
		{"key", key("AAAAI" + g.Chars(setB64, 43)), true},
		{"indented", strings.ReplaceAll(key("AAAAI"+g.Chars(setB64, 43)), "\n", "\n    "), true},
		{"stand-in private lines", key(strings.Repeat("A", 48)), false},
		{"short private lines", key("AAAA"), false},
		{"no private lines", "PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-MAC: " + g.Chars(setHex, 64), false},
	})
}

func TestIntercomToken(t *testing.T) {
	g := NewGenerator(35)
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	uuid := g.Chars(setHex, 8) + "_" + g.Chars(setHex, 4) + "_" + g.Chars(setHex, 4) + "_" + g.Chars(setHex, 4) + "_" + g.Chars(setHex, 12)
	testCheck(t, "intercom-token", intercomToken, []checkCase{
		{"token", enc("tok:" + uuid + ":1:0"), true},
		{"unpadded", strings.TrimRight(enc("tok:"+uuid+":1:0"), "="), true},
		{"another shape", enc("tok:" + g.Chars(setAlnum, 36)), false},
		{"not base64", "dG9rO" + "!!!!", false},
	})
}

func TestStripeKey(t *testing.T) {
	g := NewGenerator(36)
	testCheck(t, "stripe-key", stripeKey, []checkCase{
		{"live key", "sk_live_51" + g.Chars(setAlnum, 97), true},
		{"test key", "sk_test_" + g.Chars(setAlnum, 24), true},
		{"restricted test key", "rk_test_" + g.Chars(setAlnum, 24), true},
		{"Paystack's shape", "sk_live_" + g.Chars(setHex, 40), false},
		{"hex of another length", "sk_test_" + g.Chars(setHex, 24), false},
		{"repeated", "sk_live_" + strings.Repeat("ab", 12), false},
	})
}

func TestPublishedSamples(t *testing.T) {
	for _, s := range []string{
		"pdl_live_apikey_" + "01gtgztp8f4kek3yd4g1wrksa3_q6TGTJyvoIz7LDtXT65bX7_AQO",
		"test_" + "dHar4XY7LxsDOtmnkVtjNVWXLSlXsM",
		"AGE-SECRET-KEY-1" + "XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6",
	} {
		if notSample(s) {
			t.Errorf("%.20s… is a published sample, and not-sample passes it", s)
		}
	}
	if !notSample("test_" + NewGenerator(37).Chars(setAlnum, 30)) {
		t.Errorf("not-sample refuses a random key")
	}
}

// FuzzCredChecks holds the credential checks to their promises on any input: they never
// panic; an age key passes only with its checksum, and so keeps passing in lower case and
// fails with any one character changed; a value that passes user-password decodes to a user
// and a password; a generated key of each kind passes.
func FuzzCredChecks(f *testing.F) {
	g := NewGenerator(38)
	f.Add(g.AgeKey())
	f.Add(base64.StdEncoding.EncodeToString([]byte("deploy:Xk9fQ2mZt7LpWv4R")))
	f.Add("tok:x")
	f.Add("PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 1\nAAAA\nPrivate-MAC: 00")
	f.Add("sk_live_" + g.Chars(setHex, 40))
	f.Add("AGE-SECRET-KEY-1")
	f.Add("1qqqqqq")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		for _, c := range []check{userPassword, kubeKeyData, puttyKey, intercomToken, stripeKey, notSample} {
			_ = c(s)
		}
		if ageSecretKey(s) {
			if !ageSecretKey(strings.ToLower(s)) && !ageSecretKey(strings.ToUpper(s)) {
				t.Errorf("%q passes in one case only", s)
			}
			i := len(s) / 2
			for _, c := range bech32Charset {
				if byte(c) == s[i] || strings.ToUpper(string(c))[0] == s[i] {
					continue
				}
				changed := s[:i] + strings.ToUpper(string(c)) + s[i+1:]
				if strings.ToUpper(s) == s && ageSecretKey(changed) {
					t.Errorf("%q passes with character %d changed to %c", s, i, c)
				}
			}
		}
		if userPassword(s) {
			raw, ok := decodeB64Std(s)
			if !ok || !strings.Contains(string(raw), ":") {
				t.Errorf("%q passes user-password but is no user:password", s)
			}
		}
		if hrp, data, ok := bech32Decode(s); ok {
			back := bech32Encode(hrp, data)
			if back != strings.ToLower(s) {
				t.Errorf("%q decodes, but encodes back to %q", s, back)
			}
		}
	})
}
