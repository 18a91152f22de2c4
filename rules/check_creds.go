package rules

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
)

// The checks of the messaging, commerce and generic provider files whose formats carry a
// structure: age's bech32 checksum, the base64 "user:password" of Docker's and npm's
// configuration files, the PEM block inside a kubeconfig's client-key-data, a PuTTY key's
// private lines, Intercom's base64 "tok:" tokens, and the Stripe keys that Paystack's share a
// prefix with.

// bech32Charset is the alphabet of bech32 (BIP 173), in the order of its 5-bit values.
const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32Polymod is BIP 173's checksum over the expanded human-readable part and the data.
func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

// bech32Expand is the human-readable part as the checksum reads it.
func bech32Expand(hrp string) []byte {
	out := make([]byte, 0, 2*len(hrp)+1)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]>>5)
	}
	out = append(out, 0)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]&31)
	}
	return out
}

// bech32Decode splits a bech32 string (of one case) into its human-readable part and its
// 5-bit data without the checksum; ok is false when the checksum does not hold.
func bech32Decode(s string) (hrp string, data []byte, ok bool) {
	if strings.ToLower(s) != s && strings.ToUpper(s) != s {
		return "", nil, false // mixed case is refused by BIP 173
	}
	s = strings.ToLower(s)
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 || sep+7 > len(s) {
		return "", nil, false
	}
	hrp = s[:sep]
	for _, c := range s[sep+1:] {
		i := strings.IndexRune(bech32Charset, c)
		if i < 0 {
			return "", nil, false
		}
		data = append(data, byte(i))
	}
	if bech32Polymod(append(bech32Expand(hrp), data...)) != 1 {
		return "", nil, false
	}
	return hrp, data[:len(data)-6], true
}

// bech32Encode writes data (5-bit values) under hrp with its checksum, in lower case.
func bech32Encode(hrp string, data []byte) string {
	values := append(append(bech32Expand(hrp), data...), 0, 0, 0, 0, 0, 0)
	mod := bech32Polymod(values) ^ 1
	var b strings.Builder
	b.WriteString(hrp + "1")
	for _, d := range data {
		b.WriteByte(bech32Charset[d])
	}
	for i := 0; i < 6; i++ {
		b.WriteByte(bech32Charset[(mod>>(5*(5-i)))&31])
	}
	return b.String()
}

// ageSecretKey checks an age X25519 identity (AGE-SECRET-KEY-1…): bech32 under the
// human-readable part "age-secret-key-", with a valid checksum, holding 32 bytes (52
// groups of five bits, the last one's low bits zero), and not age's own published test
// identity.
func ageSecretKey(s string) bool {
	hrp, data, ok := bech32Decode(s)
	if !ok || hrp != "age-secret-key-" || len(data) != 52 || data[51]&0x0f != 0 {
		return false
	}
	return !publishedSample(s)
}

// sampleKeys holds SHA-256 prefixes (16 bytes, hex) of credentials that providers and
// projects publish in their documentation or test vectors: valid in form, but no one's
// secret. Hashed, so that this repository holds no key-shaped literal.
var sampleKeys = map[string]bool{
	"73e7976d91fdc8fc6ebae532145ef310": true, // age's testkit identity (AGE-SECRET-KEY-1EGTZ…)
	"ff44ff8aeba1a9293c6bb4807ead5aee": true, // age's testkit identity (AGE-SECRET-KEY-1XMWW…)
	"af1efb26bd63a9a030e998efbf059a3d": true, // Paddle's authentication page (pdl_live_apikey_01gtgztp…)
	"9387af38d1038761f0ce6deb8dce56e1": true, // Mollie's API reference (test_dHar4XY7…)
	"589c2fdd9afae389f3e3a101b40b7451": true, // Box's API reference, a token (n22JPxrh…)
	"c389a9c13463c1295ae1e7c22fb6a9f6": true, // Box's API reference, a client secret (hOzsTeFl…)
}

// publishedSample reports whether s is a credential its provider publishes as a sample.
func publishedSample(s string) bool {
	sum := sha256.Sum256([]byte(s))
	return sampleKeys[hex.EncodeToString(sum[:16])]
}

// AgeKey returns an age secret key with a valid checksum.
func (g *Generator) AgeKey() string {
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(g.rnd.IntN(256))
	}
	return strings.ToUpper(bech32Encode("age-secret-key-", to5Bits(raw)))
}

// to5Bits regroups bytes into 5-bit values, padding the last with zeros.
func to5Bits(raw []byte) []byte {
	var out []byte
	acc, bits := 0, 0
	for _, b := range raw {
		acc = acc<<8 | int(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, byte(acc>>bits)&31)
		}
	}
	if bits > 0 {
		out = append(out, byte(acc<<(5-bits))&31)
	}
	return out
}

// decodeB64Std decodes standard base64 with or without its padding, as configuration
// files write it.
func decodeB64Std(s string) ([]byte, bool) {
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	return b, err == nil
}

// userPassword checks a base64 "user:password" (Docker's config.json auths, npm's _auth):
// it decodes to printable text with a user and a password that is not a stand-in.
func userPassword(s string) bool {
	raw, ok := decodeB64Std(s)
	if !ok || len(raw) < 5 || len(raw) > 1024 {
		return false
	}
	for _, c := range raw {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	user, pass, found := strings.Cut(string(raw), ":")
	if !found || user == "" || strings.TrimSpace(pass) == "" {
		return false
	}
	return urlPassword(pass) && !isPlaceholder(pass)
}

// kubeKeyData checks a kubeconfig's client-key-data: base64 of a PEM private key block.
func kubeKeyData(s string) bool {
	raw, ok := decodeB64Std(s)
	if !ok {
		return false
	}
	label, _, _, found := pemBlock(string(raw))
	return found && strings.HasSuffix(label, "PRIVATE KEY") && privateKeyBlock(string(raw))
}

// puttyPrivateLines finds the private lines of a PuTTY key file (the lines after
// "Private-Lines: N").
var puttyPrivateLines = regexp.MustCompile(`Private-Lines: *([0-9]+)\r?\n`)

// puttyKey checks a PuTTY .ppk key file: its private lines are base64 that looks random
// (an unencrypted key's secret exponent or seed, or an encrypted key's ciphertext).
func puttyKey(s string) bool {
	m := puttyPrivateLines.FindStringSubmatchIndex(s)
	if m == nil {
		return false
	}
	var body strings.Builder
	for _, line := range strings.Split(s[m[1]:], "\n") {
		line = strings.TrimSpace(line)
		if strings.Contains(line, ":") {
			break // Private-MAC:
		}
		body.WriteString(line)
	}
	data := body.String()
	if len(data) < 32 || !inSet(data, setB64+"=") {
		return false
	}
	return random(strings.TrimRight(data, "="))
}

// intercomTokenShape is what an Intercom access token decodes to: "tok:", a UUID written
// with underscores, and two counters.
var intercomTokenShape = regexp.MustCompile(`^tok:[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}:[0-9]+:[0-9]+$`)

// intercomToken checks an Intercom access token: base64 of "tok:<uuid>:1:0".
func intercomToken(s string) bool {
	raw, ok := decodeB64Std(s)
	return ok && intercomTokenShape.Match(raw) && !isPlaceholder(string(raw[4:]))
}

// stripeKey checks the random part of a Stripe secret or restricted key. Stripe's are base
// 62, in which 20 or more characters that are all lower-case hex practically never occur:
// such a key after sk_live_ or sk_test_ is Paystack's (40 hex characters) or no one's.
func stripeKey(s string) bool {
	_, body, ok := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(s, "sk_"), "rk_"), "_")
	if !ok || inSet(body, setHex) {
		return false
	}
	return random(s)
}

// notSample reports whether s is not a credential its provider publishes as a sample.
func notSample(s string) bool { return !publishedSample(s) }
