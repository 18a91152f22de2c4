package rules

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"net/url"
	"strconv"
	"strings"
)

// The checksums that providers append to their tokens: the CRC-32 (IEEE) of part of the
// token, written in base 62 (GitHub, npm) or base 36 (GitLab).
const (
	base62Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	base36Digits = "0123456789abcdefghijklmnopqrstuvwxyz"
)

// base62CRC32 writes the CRC-32 of s in base 62, left-padded with 0 to 6 characters: the
// checksum GitHub and npm append to their tokens.
func base62CRC32(s string) string { return crc32Digits(s, base62Digits, 6) }

// base36CRC32 writes the CRC-32 of s in lowercase base 36, left-padded with 0 to 7
// characters: the checksum of GitLab's routable tokens.
func base36CRC32(s string) string { return crc32Digits(s, base36Digits, 7) }

// crc32Digits writes the CRC-32 (IEEE) of s in the base of digits, left-padded with
// digits[0] to width characters (at most 8), which must be enough for any CRC-32 in that
// base.
func crc32Digits(s, digits string, width int) string {
	v := crc32.ChecksumIEEE([]byte(s))
	base := uint32(len(digits))
	var buf [8]byte
	out := buf[len(buf)-width:]
	for i := width - 1; i >= 0; i-- {
		out[i] = digits[v%base]
		v /= base
	}
	return string(out)
}

// githubChecksum checks GitHub's token formats (providers.md §3): ghp_, gho_, ghu_ and the
// classic ghs_ tokens (36 characters after the prefix) and ghr_ (76) end in six characters
// of checksum, the CRC-32 of the random part (between the underscore and the tail) in base
// 62, as "Behind GitHub's new authentication token formats" documents for every one of
// them. GitHub's own placeholder installation token in its REST documentation fails it, as a
// documentation sample should. The stateless installation tokens rolled out from April 2026
// (ghs_APPID_JWT, about 520 characters) carry no checksum of their own: the app id is digits
// and the rest a signed JWT, whose header must name its algorithm. github_pat_ has no public
// checksum and passes.
func githubChecksum(secret string) bool {
	prefix, body, ok := strings.Cut(secret, "_")
	if !ok {
		return false
	}
	switch prefix {
	case "ghp", "gho", "ghu":
		if len(body) != 36 {
			return false
		}
	case "ghs":
		if app, jwt, stateless := strings.Cut(body, "_"); stateless {
			return app != "" && len(app) <= 20 && inSet(app, "0123456789") && signedJWT(jwt)
		}
		if len(body) != 36 {
			return false
		}
	case "ghr":
		if len(body) != 76 {
			return false
		}
	case "github":
		return true
	default:
		return false
	}
	return base62CRC32(body[:len(body)-6]) == body[len(body)-6:]
}

// npmChecksum checks the CRC32/base62 tail of npm_ tokens (the GitHub scheme).
func npmChecksum(secret string) bool {
	body, ok := strings.CutPrefix(secret, "npm_")
	if !ok || len(body) != 36 {
		return false
	}
	return base62CRC32(body[:30]) == body[30:]
}

// openAIMarker is base64 for "OpenAI"; every current OpenAI secret key carries it once.
const openAIMarker = "T3BlbkFJ"

// openAIPrefixes are the prefixed key kinds, longest first; their segments are 58 or 74
// characters of base64url. Legacy keys ("sk-" alone) have segments of 20 alphanumerics.
var openAIPrefixes = []string{"sk-svcacct-", "sk-admin-", "sk-proj-", "sk-None-"}

// hasOpenAIMarker checks that an OpenAI key holds the marker exactly once, right after the
// first segment: 20 characters for legacy keys (offset 23), 58 or 74 for the prefixed ones
// (offsets 66/82 for sk-proj- and sk-None-, 67 for sk-admin-, 85 for sk-svcacct-), with a
// segment of the same length after it.
func hasOpenAIMarker(secret string) bool {
	if strings.Count(secret, openAIMarker) != 1 {
		return false
	}
	i := strings.Index(secret, openAIMarker)
	head, tail := secret[:i], secret[i+len(openAIMarker):]
	prefix := ""
	for _, p := range openAIPrefixes {
		if strings.HasPrefix(head, p) {
			prefix = p
			break
		}
	}
	if prefix == "" {
		return openAILegacy(secret)
	}
	left := head[len(prefix):]
	if len(left) != len(tail) || (len(left) != 58 && len(left) != 74) {
		return false
	}
	return inSet(left, setB64URL) && inSet(tail, setB64URL)
}

// openAILegacy checks the legacy user key shape: "sk-", 20 alphanumerics, the marker and
// 20 alphanumerics (51 characters).
func openAILegacy(secret string) bool {
	body, ok := strings.CutPrefix(secret, "sk-")
	if !ok || len(body) != 48 || body[20:28] != openAIMarker {
		return false
	}
	return inSet(body[:20], setAlnum) && inSet(body[28:], setAlnum)
}

// gitlabChecksum checks GitLab's routable tokens (Authn::TokenField::Generator::RoutableToken
// in GitLab's source): <prefix><payload>.[01.]<len><crc>, where the two base-36 characters
// before the checksum give the length of the base64url payload, and the last seven are the
// CRC-32 of everything before them, prefix included, in lowercase base 36. Every kind of
// token has the form (glpat-, gldt-, glrt-t2_, an instance prefix before them): the payload is
// the len characters before the first dot and the prefix what comes before it. CI/CD job
// tokens signed as JWTs (glcbt-eyJ…) must be signed JWTs. Legacy tokens (prefix and random
// characters, no dot) have no checksum and pass: their rule's regex holds them.
func gitlabChecksum(secret string) bool {
	if i := strings.Index(secret, "-eyJ"); i >= 0 && strings.HasSuffix(secret[:i+1], "glcbt-") {
		return signedJWT(secret[i+1:])
	}
	dot := strings.IndexByte(secret, '.')
	if dot < 0 {
		return len(secret) == len("glpat-")+20 || !strings.HasPrefix(secret, "glpat-")
	}
	head, rest := secret[:dot], secret[dot+1:]
	switch {
	case len(rest) == 9: // unversioned: <len><crc>
	case len(rest) == 12 && rest[2] == '.': // versioned: <version>.<len><crc>
		rest = rest[3:]
	default:
		return false
	}
	n, err := strconv.ParseUint(rest[:2], 36, 16)
	if err != nil || int(n) >= len(head) {
		return false
	}
	prefix, payload := head[:len(head)-int(n)], head[len(head)-int(n):]
	if !strings.Contains(prefix, "gl") || !strings.HasSuffix(prefix, "-") && !strings.HasSuffix(prefix, "_") || !inSet(payload, setB64URL) {
		return false
	}
	return base36CRC32(secret[:len(secret)-7]) == secret[len(secret)-7:]
}

// awsKeyPrefixes are the access key id prefixes that are credentials (AIDA, AROA and the
// like are unique ids, not keys).
var awsKeyPrefixes = []string{"AKIA", "ASIA", "ABIA", "ACCA"}

// awsKeyID checks an AWS access key id: a credential prefix and 16 base32 characters that
// are not a pattern.
func awsKeyID(secret string) bool {
	if len(secret) != 20 || !inSet(secret[4:], setBase32) || entropy(secret[4:]) < 2.5 {
		return false
	}
	for _, p := range awsKeyPrefixes {
		if secret[:4] == p {
			return true
		}
	}
	return false
}

// awsAccount decodes the account id that key ids of the current scheme carry (the fifth
// character is not I or J). It reports false for older ids and for anything that is not a
// key id.
func awsAccount(keyID string) (string, bool) {
	if !awsKeyID(keyID) || keyID[4] == 'I' || keyID[4] == 'J' {
		return "", false
	}
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(keyID[4:])
	if err != nil || len(b) < 6 {
		return "", false
	}
	var buf [8]byte
	copy(buf[2:], b[:6])
	z := binary.BigEndian.Uint64(buf[:])
	account := (z & 0x7FFFFFFFFF80) >> 7
	s := strconv.FormatUint(account, 10)
	return strings.Repeat("0", 12-len(s)) + s, true
}

// awsSecret checks a candidate secret access key: 40 characters of base64 that look random
// (both letter cases; a 40-character hex string is a git or SHA-1 hash, not a key).
func awsSecret(s string) bool {
	if len(s) != 40 || !inSet(s, setB64) {
		return false
	}
	c := classesOf(s)
	return c.lower && c.upper && entropy(s) >= 4.0
}

// discordBotToken checks the first part of a Discord bot token: base64 of the bot's
// numeric user id (a snowflake of 17 to 20 digits).
func discordBotToken(secret string) bool {
	first, _, ok := strings.Cut(secret, ".")
	if !ok {
		return false
	}
	id, err := decodeB64URL(first)
	if err != nil {
		return false
	}
	if len(id) < 17 || len(id) > 20 || id[0] == '0' {
		return false
	}
	return inSet(string(id), "0123456789")
}

// signedJWT checks a JSON Web Token that is worth reporting: three parts, a header that
// decodes to a JSON object with an "alg" other than "none", and a signature. The jwt.io
// example and Supabase "anon" keys (public by design) do not count.
func signedJWT(secret string) bool {
	parts := strings.Split(secret, ".")
	if len(parts) != 3 || len(parts[2]) < 16 {
		return false
	}
	var header struct {
		Alg string `json:"alg"`
	}
	raw, err := decodeB64URL(parts[0])
	if err != nil || json.Unmarshal(raw, &header) != nil {
		return false
	}
	if header.Alg == "" || strings.EqualFold(header.Alg, "none") {
		return false
	}
	var claims struct {
		Sub  any    `json:"sub"`
		Name string `json:"name"`
		Role string `json:"role"`
	}
	if raw, err := decodeB64URL(parts[1]); err == nil && json.Unmarshal(raw, &claims) == nil {
		if claims.Name == "John Doe" && claims.Sub == "1234567890" {
			return false // the jwt.io example
		}
		if claims.Role == "anon" {
			return false // a Supabase anon key: meant for browsers
		}
	}
	return true
}

// decodeB64URL decodes base64url with or without its padding, as tokens write it.
func decodeB64URL(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	return base64.RawURLEncoding.DecodeString(s)
}

// privateKeyBlock checks a PEM-armoured private key block (PEM, OpenSSH, PGP): between the
// BEGIN and END lines there must be at least 64 characters of base64 that look random, once
// line ends (also escaped ones, "\n" in JSON) and header lines ("Proc-Type: …") are removed.
// Documentation stand-ins ("MIIE...", "<your key>") fail.
func privateKeyBlock(secret string) bool {
	_, data, ended, ok := pemBlock(secret)
	if !ok || !ended || len(data) < 64 || !inSet(data, setB64+"=") {
		return false
	}
	return entropy(data) >= 4.5
}

// pemBlock splits a PEM-armoured block into the label of its BEGIN line ("RSA PRIVATE KEY")
// and its body: the text up to the END line (ended tells there is one), without line ends
// (also escaped ones, "\n" in JSON) and header lines ("Proc-Type: …").
func pemBlock(secret string) (label, body string, ended, ok bool) {
	open := strings.Index(secret, "-----BEGIN")
	if open < 0 {
		return "", "", false, false
	}
	rest := secret[open+len("-----BEGIN"):]
	hdrEnd := strings.Index(rest, "-----")
	if hdrEnd < 0 {
		return "", "", false, false
	}
	label = strings.TrimSpace(rest[:hdrEnd])
	rest = rest[hdrEnd+5:]
	if end := strings.LastIndex(rest, "-----END"); end >= 0 {
		rest, ended = rest[:end], true
	}
	var b strings.Builder
	for _, line := range strings.Split(strings.NewReplacer(`\r`, "\n", `\n`, "\n").Replace(rest), "\n") {
		line = strings.TrimSpace(line)
		if strings.Contains(line, ":") { // Proc-Type:, DEK-Info:, Version: headers
			continue
		}
		b.WriteString(line)
	}
	return label, b.String(), ended, true
}

// weakPasswords are passwords that stand for "a password goes here" in URLs and examples.
var weakPasswords = map[string]bool{
	"password": true, "pass": true, "passwd": true, "pwd": true, "secret": true, "changeme": true,
	"root": true, "admin": true, "user": true, "username": true, "postgres": true, "mysql": true,
	"mongo": true, "redis": true, "guest": true, "test": true, "example": true, "demo": true,
	"dummy": true, "foo": true, "bar": true, "foobar": true, "letmein": true, "qwerty": true,
	"123456": true, "12345678": true, "password123": true, "default": true, "sa": true,
	"toor": true, "pa55word": true, "p@ssw0rd": true, "p@ssword": true, "mypassword": true,
	"yourpassword": true, "s3cr3t": true, "token": true, "apikey": true, "api_key": true,
	"rabbitmq": true, "minio": true, "minioadmin": true, "pass123": true, "postgrespassword": true,
	// stand-ins and well-known defaults (changeit: Java's keystores)
	"mypass": true, "mypasswd": true, "mypwd": true, "mysecret": true, "pass1234": true,
	"password1": true, "passw0rd": true, "secret123": true, "changeit": true, "hunter2": true,
	"admin123": true, "root123": true, "test123": true, "welcome": true, "welcome1": true,
	"sekrit": true, "sekret": true, "s3kr1t": true,
	// the types of a struct's fields (machine string; login string; password string)
	"string": true, "str": true, "bytes": true, "text": true, "bool": true, "int": true, "nil": true,
	"null": true, "none": true,
}

// urlPassword checks the password of a URL's user info (scheme://user:PASSWORD@host): not
// a placeholder, a common stand-in ("password", "changeme"), a format verb, a variable name
// or a port number.
func urlPassword(p string) bool {
	if decoded, err := url.PathUnescape(p); err == nil {
		p = decoded // p%40ssword is p@ssword
	}
	lower := strings.ToLower(p)
	bare := strings.Map(func(r rune) rune { // pass:word, pass-word
		if strings.ContainsRune(":-_. ", r) {
			return -1
		}
		return r
	}, lower)
	if len(p) < 3 || weakPasswords[lower] || weakPasswords[bare] {
		return false
	}
	folded := leetFolded(lower) // T0pS3cr3t
	for _, w := range []string{"password", "passwd", "ssword", "changeme", "example", "placeholder", "secret"} {
		if strings.Contains(lower, w) || strings.Contains(folded, w) {
			return false
		}
	}
	if strings.Contains(p, "%s") || strings.Contains(p, "%(") || strings.Contains(p, "{") ||
		strings.HasPrefix(p, ":") || strings.HasPrefix(p, "$") {
		return false
	}
	if allSame(p) || inSet(p, "0123456789") && len(p) <= 5 {
		return false
	}
	// DB_PASSWORD, PASS_WORD: an environment variable's name left in a template.
	if strings.Contains(p, "_") && inSet(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") {
		return false
	}
	return true
}
