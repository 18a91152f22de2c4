package rules

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Check is an offline test a candidate secret must pass: a checksum, a length or marker
// rule. It only lowers false positives; no check proves a secret is live.
type Check func(secret string) bool

// checks is the explicit registry of named checks that rules refer to.
var checks = map[string]Check{
	"github-checksum":   GitHubChecksum,
	"npm-checksum":      NPMChecksum,
	"openai-marker":     OpenAIMarker,
	"openai-legacy":     OpenAILegacy,
	"gitlab-checksum":   GitLabChecksum,
	"aws-key-id":        AWSKeyID,
	"aws-secret":        AWSSecret,
	"discord-bot-token": DiscordBotToken,
	"jwt":               SignedJWT,
	"private-key":       PrivateKeyBlock,
	"url-password":      URLPassword,
	"generic-secret":    GenericSecret,
	"random":            Random,
	"not-hex":           NotHex,
	"mixed":             Mixed,
	"not-placeholder":   func(s string) bool { return !IsPlaceholder(s) },
}

// Prefilter is a cheap test run at a keyword hit before an anchored rule's regex: false
// means the regex cannot match there. at and end are where the keyword starts and ends.
// A prefilter may pass hits the regex then turns down; it must never turn down a hit the
// regex would take.
type Prefilter func(data []byte, at, end int) bool

// prefilters is the explicit registry of named prefilters.
var prefilters = map[string]Prefilter{
	"assignment": AssignmentFollows,
	"userinfo":   UserinfoFollows,
}

// PrefilterNames lists the names rules may use in their prefilter field.
func PrefilterNames() []string {
	names := make([]string, 0, len(prefilters))
	for n := range prefilters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// AssignmentFollows is the generic rule's prefilter: it reports whether an assignment
// (=, :, :=, =>, ?=, the > of an XML element, the value= of an XML attribute) follows the keyword after name characters, a backslash, a quote and
// blanks, and then a value of at least 10 characters that a quote, a blank, one
// of ;,&)]} or the end of the data closes: "api_key = …", "password: …", "\"token\": …".
// It mirrors the rule's regex and the generic-secret check's minimum length, and runs
// about ten times faster than the regex on the many keyword hits of ordinary code.
func AssignmentFollows(data []byte, at, end int) bool {
	n := len(data)
	i := end
	for i < n && nameByte[data[i]] {
		i++
	}
	if i < n && data[i] == '\\' {
		i++
	}
	if i < n && (data[i] == '"' || data[i] == '\'') {
		i++
	}
	if i < n && data[i] == ']' {
		i++ // $config['db_password'] = …
	}
	i = skipBlanks(data, i)
	if i+5 <= n && strings.EqualFold(string(data[i:i+5]), "value") {
		i = skipBlanks(data, i+5) // <add key="ApiKey" value="…">
	}
	if i >= n {
		return false
	}
	switch {
	case data[i] == '>':
		i++ // <password>…</password>
	case data[i] == '=' || data[i] == ':':
		i++
		if i < n && (data[i] == '=' || data[i] == '>') {
			i++ // := or =>, or the == of a comparison, which the regex reads as = then a value
		}
	case data[i] == '?' && i+1 < n && data[i+1] == '=':
		i += 2
	default:
		return false
	}
	i = skipBlanks(data, i)
	if i < n && data[i] == '\\' {
		i++
	}
	if i < n && (data[i] == '"' || data[i] == '\'' || data[i] == '`') {
		i++
	}
	// "Bearer abc…": the regex skips a scheme word and blanks; the value is what follows.
	j := i
	for j < n && j-i < 7 && isLetter(data[j]) {
		j++
	}
	if k := skipBlanks(data, j); k > j && k < n && j-i >= 5 {
		switch strings.ToLower(string(data[i:j])) {
		case "bearer", "basic", "token":
			i = k
		}
	}
	v := i
	for v < n && valueByte[data[v]] {
		v++
	}
	if v-i < 10 {
		return false
	}
	if v == n {
		return true
	}
	switch data[v] {
	case '"', '\'', '`', ';', ',', '&', ')', ']', '}', '<', ' ', '\t', '\r', '\n', '\v', '\f', '\\':
		return true
	}
	return false
}

func skipBlanks(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	return i
}

// valueByte marks the characters of a generic secret value, as the generic rule's regex
// writes them.
var valueByte = func() (t [256]bool) {
	for _, c := range []byte(setAlnum + "_~+/.=!@#%^*$-") {
		t[c] = true
	}
	return t
}()

// nameByte marks the characters of a name: letters, digits, _, . and -.
var nameByte = func() (t [256]bool) {
	for _, c := range []byte(setAlnum + "_.-") {
		t[c] = true
	}
	return t
}()

// UserinfoFollows reports whether "user:password@" follows a "://" keyword: a colon within
// 129 characters and then an @ within 257, with no blank, slash, quote or bracket between.
func UserinfoFollows(data []byte, at, end int) bool {
	i, stop := end, min(end+129, len(data))
	for ; i < stop && data[i] != ':'; i++ {
		if urlStop[data[i]] || data[i] == '@' {
			return false
		}
	}
	if i >= stop {
		return false
	}
	for j, stop := i+1, min(i+258, len(data)); j < stop; j++ {
		if data[j] == '@' {
			return j > i+1
		}
		if urlStop[data[j]] {
			return false
		}
	}
	return false
}

// urlStop marks the bytes that end a URL's user info.
var urlStop = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n/?#\"'<>\\") {
		t[c] = true
	}
	return t
}()

// CheckNames lists the names rules may use in their checks field.
func CheckNames() []string {
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Entropy returns the Shannon entropy of s in bits per character.
func Entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	var h float64
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}

const base62Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Base62CRC32 writes the CRC-32 (IEEE) of s in base 62, left-padded with 0 to 6 characters:
// the checksum GitHub and npm append to their tokens.
func Base62CRC32(s string) string {
	v := crc32.ChecksumIEEE([]byte(s))
	var buf [6]byte
	for i := 5; i >= 0; i-- {
		buf[i] = base62Digits[v%62]
		v /= 62
	}
	return string(buf[:])
}

// GitHubChecksum checks the CRC32/base62 tail of ghp_, gho_, ghu_ and ghr_ tokens: the last
// six characters are the CRC-32 of the random part (between the underscore and the tail) in
// base 62. ghs_ (app installation) tokens pass unchecked: GitHub documents the same scheme,
// but its own widely copied example fails it, other scanners skip it, and ghs_ tokens expire
// within an hour, so a strict check would only hide real ones. github_pat_ has no public
// checksum and passes too.
func GitHubChecksum(secret string) bool {
	prefix, body, ok := strings.Cut(secret, "_")
	if !ok {
		return false
	}
	switch prefix {
	case "ghp", "gho", "ghu":
		if len(body) != 36 {
			return false
		}
	case "ghr":
		if len(body) != 76 {
			return false
		}
	case "ghs", "github":
		return true
	default:
		return false
	}
	return Base62CRC32(body[:len(body)-6]) == body[len(body)-6:]
}

// NPMChecksum checks the CRC32/base62 tail of npm_ tokens (the GitHub scheme).
func NPMChecksum(secret string) bool {
	body, ok := strings.CutPrefix(secret, "npm_")
	if !ok || len(body) != 36 {
		return false
	}
	return Base62CRC32(body[:30]) == body[30:]
}

// openAIMarker is base64 for "OpenAI"; every current OpenAI secret key carries it once.
const openAIMarker = "T3BlbkFJ"

// openAIPrefixes are the prefixed key kinds, longest first; their segments are 58 or 74
// characters of base64url. Legacy keys ("sk-" alone) have segments of 20 alphanumerics.
var openAIPrefixes = []string{"sk-svcacct-", "sk-admin-", "sk-proj-", "sk-None-"}

// OpenAIMarker checks that an OpenAI key holds the marker exactly once, right after the
// first segment: 20 characters for legacy keys (offset 23), 58 or 74 for the prefixed ones
// (offsets 66/82 for sk-proj- and sk-None-, 67 for sk-admin-, 85 for sk-svcacct-), with a
// segment of the same length after it.
func OpenAIMarker(secret string) bool {
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
		return OpenAILegacy(secret)
	}
	left := head[len(prefix):]
	if len(left) != len(tail) || (len(left) != 58 && len(left) != 74) {
		return false
	}
	return inSet(left, setB64URL) && inSet(tail, setB64URL)
}

// OpenAILegacy checks the legacy user key shape: "sk-", 20 alphanumerics, the marker and
// 20 alphanumerics (51 characters).
func OpenAILegacy(secret string) bool {
	body, ok := strings.CutPrefix(secret, "sk-")
	if !ok || len(body) != 48 || body[20:28] != openAIMarker {
		return false
	}
	return inSet(body[:20], setAlnum) && inSet(body[28:], setAlnum)
}

// GitLabChecksum checks GitLab's routable tokens (glpat-<payload>.[01.]<len><crc>): the two
// base-36 characters before the checksum give the payload length, and the last seven are
// the CRC-32 of everything before them, prefix included, in lowercase base 36. Legacy tokens
// (glpat- and 20 characters, no dot) have no checksum and pass.
func GitLabChecksum(secret string) bool {
	dot := strings.IndexByte(secret, '.')
	if dot < 0 {
		return len(secret) == len("glpat-")+20 || !strings.HasPrefix(secret, "glpat-")
	}
	head, rest := secret[:dot], secret[dot+1:]
	dash := strings.IndexByte(head, '-')
	if dash < 0 {
		return false
	}
	payload := head[dash+1:]
	switch {
	case len(rest) == 9: // unversioned: <len><crc>
	case len(rest) == 12 && rest[2] == '.': // versioned: <version>.<len><crc>
		rest = rest[3:]
	default:
		return false
	}
	n, err := strconv.ParseUint(rest[:2], 36, 16)
	if err != nil || int(n) != len(payload) {
		return false
	}
	return Base36CRC32(secret[:len(secret)-7]) == secret[len(secret)-7:]
}

// awsKeyPrefixes are the access key id prefixes that are credentials (AIDA, AROA and the
// like are unique ids, not keys).
var awsKeyPrefixes = []string{"AKIA", "ASIA", "ABIA", "ACCA"}

// AWSKeyID checks an AWS access key id: a credential prefix and 16 base32 characters that
// are not a pattern.
func AWSKeyID(secret string) bool {
	if len(secret) != 20 || !inSet(secret[4:], setBase32) || Entropy(secret[4:]) < 2.5 {
		return false
	}
	for _, p := range awsKeyPrefixes {
		if secret[:4] == p {
			return true
		}
	}
	return false
}

// AWSAccount decodes the account id that key ids of the current scheme carry (the fifth
// character is not I or J). It reports false for older ids and for anything that is not a
// key id.
func AWSAccount(keyID string) (string, bool) {
	if !AWSKeyID(keyID) || keyID[4] == 'I' || keyID[4] == 'J' {
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

// AWSSecret checks a candidate secret access key: 40 characters of base64 that look random
// (both letter cases; a 40-character hex string is a git or SHA-1 hash, not a key).
func AWSSecret(s string) bool {
	if len(s) != 40 || !inSet(s, setB64) {
		return false
	}
	c := classesOf(s)
	return c.lower && c.upper && Entropy(s) >= 4.0
}

// DiscordBotToken checks the first part of a Discord bot token: base64 of the bot's
// numeric user id (a snowflake of 17 to 20 digits).
func DiscordBotToken(secret string) bool {
	first, _, ok := strings.Cut(secret, ".")
	if !ok {
		return false
	}
	id, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(first, "="))
	if err != nil {
		return false
	}
	if len(id) < 17 || len(id) > 20 || id[0] == '0' {
		return false
	}
	return inSet(string(id), "0123456789")
}

// SignedJWT checks a JSON Web Token that is worth reporting: three parts, a header that
// decodes to a JSON object with an "alg" other than "none", and a signature. The jwt.io
// example and Supabase "anon" keys (public by design) do not count.
func SignedJWT(secret string) bool {
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

func decodeB64URL(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	return base64.RawURLEncoding.DecodeString(s)
}

// PrivateKeyBlock checks a PEM-armoured private key block (PEM, OpenSSH, PGP): between the
// BEGIN and END lines there must be at least 64 characters of base64 that look random, once
// line ends (also escaped ones, "\n" in JSON) and header lines ("Proc-Type: …") are removed.
// Documentation stand-ins ("MIIE...", "<your key>") fail.
func PrivateKeyBlock(secret string) bool {
	open := strings.Index(secret, "-----BEGIN")
	if open < 0 {
		return false
	}
	rest := secret[open+len("-----BEGIN"):]
	hdrEnd := strings.Index(rest, "-----")
	if hdrEnd < 0 {
		return false
	}
	rest = rest[hdrEnd+5:]
	end := strings.LastIndex(rest, "-----END")
	if end < 0 {
		return false
	}
	body := strings.NewReplacer(`\r`, "\n", `\n`, "\n").Replace(rest[:end])
	var b strings.Builder
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if strings.Contains(line, ":") { // Proc-Type:, DEK-Info:, Version: headers
			continue
		}
		b.WriteString(line)
	}
	data := b.String()
	if len(data) < 64 || !inSet(data, setB64+"=") {
		return false
	}
	return Entropy(data) >= 4.5
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
}

// URLPassword checks the password of a URL's user info (scheme://user:PASSWORD@host): not
// a placeholder, a common stand-in ("password", "changeme"), a format verb, a variable name
// or a port number.
func URLPassword(p string) bool {
	if decoded, err := url.PathUnescape(p); err == nil {
		p = decoded // p%40ssword is p@ssword
	}
	lower := strings.ToLower(p)
	if len(p) < 3 || weakPasswords[lower] {
		return false
	}
	for _, w := range []string{"password", "passwd", "ssword", "changeme", "example", "placeholder", "secret"} {
		if strings.Contains(lower, w) {
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

// Random reports whether s looks randomly drawn: its entropy is at least 70% of the most a
// string of its length over its own alphabet (hex, digits, letters, base64) can have.
// Random strings of 20 to 100 characters stay above 75% with odds better than 1 in 10,000,
// so the check sorts out repeated patterns, sequences and stand-ins without penalising
// short keys as a fixed threshold would. Words can pass: it is meant for values behind a
// provider's prefix, not for telling a password from prose.
func Random(s string) bool {
	n := len(s)
	if n < 8 {
		return false
	}
	c := classesOf(s)
	alpha := c.alphabet()
	max := math.Log2(math.Min(float64(n), float64(alpha)))
	return Entropy(s) >= 0.7*max
}

// NotHex reports whether s is not a plain hex string: 40 hex characters near "cloudflare"
// are a commit id far more often than a token.
func NotHex(s string) bool {
	return !inSet(s, "0123456789abcdefABCDEF")
}

// Mixed reports whether s holds both upper- and lower-case letters, as random base62 or
// base64 strings of 20 or more characters practically always do (hashes and ids do not).
func Mixed(s string) bool {
	c := classesOf(s)
	return c.lower && c.upper
}

// documentedKeys holds SHA-256 prefixes of keys that providers print in their own
// documentation (Stripe's sample test keys). They are kept hashed so that this repository
// holds no key-shaped literal.
var documentedKeys = map[string]bool{
	"2cafc0970149a84f3b9e62eaf169f36f": true,
	"f2d6ca16515033e5dce14eba840b979d": true,
	"7e8de44ea9ecf6d53415c90f5b249a85": true,
}

// documented reports whether s is a key a provider publishes in its documentation.
func documented(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(s))
	return documentedKeys[hex.EncodeToString(sum[:16])]
}

// IsPlaceholder reports whether a candidate is a stand-in rather than a secret: a template
// variable, a documented example key, a run of one character, a redacted value. Every rule
// applies it.
func IsPlaceholder(s string) bool {
	if strings.Contains(s, "xxxxx") || strings.Contains(s, "XXXXX") {
		return true // not folded: random base64 holds "xXxXx" now and then
	}
	lower := strings.ToLower(s)
	for _, p := range placeholderParts {
		if strings.Contains(lower, p) {
			return true
		}
	}
	if strings.HasSuffix(s, "EXAMPLE") || strings.HasSuffix(s, "EXAMPLEKEY") || documented(s) {
		return true
	}
	if (strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}")) ||
		(strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">")) ||
		(strings.HasPrefix(s, "{{") && strings.HasSuffix(s, "}}")) ||
		(strings.HasPrefix(s, "%") && strings.HasSuffix(s, "%")) ||
		strings.HasPrefix(s, "$") {
		return true
	}
	return repetitive(s) || mostlyOneChar(s)
}

// placeholderParts are substrings that real secrets practically never contain. They are
// long enough (or odd enough) that a random base62 string holds one with negligible chance.
var placeholderParts = []string{
	"*****", "…", "....", "your_", "your-", "yourkey", "your_key", "placeholder",
	"changeme", "change_me", "replace_me", "replaceme", "redacted", "insert_", "insert-",
	"example_key", "examplekey", "dummy_", "fake_key", "fakekey", "os.environ", "process.env",
	"os.getenv", "getenv(", "env[", "env.", "secretkeyref", "keyvault", "00000000000000",
	"1234567890abcdef", "abcdefghijklmnop", "api_key_here", "key_here", "token_here",
	"secret_here", "notarealkey", "not_a_real", "not-a-real", "testtesttest",
}

// repetitive reports whether s is mostly one character, or a short pattern repeated.
func repetitive(s string) bool {
	if len(s) < 8 {
		return false
	}
	for period := 1; period <= 4; period++ {
		same := true
		for i := period; i < len(s); i++ {
			if s[i] != s[i-period] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// mostlyOneChar reports whether one character makes up most of s ("ghp_AAAA…A"): a random
// string of 16 or more characters never does.
func mostlyOneChar(s string) bool {
	if len(s) < 16 {
		return false
	}
	var counts [256]int
	top := 0
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
		if counts[s[i]] > top {
			top = counts[s[i]]
		}
	}
	return top*10 >= len(s)*6
}

func allSame(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}

// inSet reports whether every byte of s is in set.
func inSet(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

// classes says which kinds of character a string holds.
type classes struct {
	lower, upper, digit, hexOnly bool
	symbols                      int // distinct other characters
}

func classesOf(s string) classes {
	c := classes{hexOnly: true}
	var seen [256]bool
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'a' && b <= 'z':
			c.lower = true
			if b > 'f' {
				c.hexOnly = false
			}
		case b >= 'A' && b <= 'Z':
			c.upper = true
			if b > 'F' {
				c.hexOnly = false
			}
		case b >= '0' && b <= '9':
			c.digit = true
		default:
			c.hexOnly = false
			if !seen[b] {
				seen[b] = true
				c.symbols++
			}
		}
	}
	if c.lower && c.upper {
		c.hexOnly = false
	}
	return c
}

// alphabet estimates the size of the alphabet a string was drawn from.
func (c classes) alphabet() int {
	if c.hexOnly && (c.lower || c.upper) {
		return 16
	}
	n := c.symbols * 2
	if c.digit {
		n += 10
	}
	if c.lower {
		n += 26
	}
	if c.upper {
		n += 26
	}
	if n < 2 {
		n = 2
	}
	return n
}

// GenericSecret decides whether the value of "password = …", "api_key: …" and the like
// looks like a secret. It stays quiet on what such assignments hold far more often:
// hashes (hex of a digest's length), UUIDs, lockfile integrity strings, data URIs, paths,
// URLs, host names, e-mail addresses, versions, variable references and identifiers, words,
// and short or low-entropy strings.
func GenericSecret(v string) bool {
	n := len(v)
	if n < 10 || n > 200 {
		return false
	}
	lower := strings.ToLower(v)
	c := classesOf(v)
	switch {
	case c.hexOnly && (n == 32 || n == 40 || n == 64 || n == 96 || n == 128):
		return false // md5, sha1 (git), sha256, sha384, sha512
	case isUUID(v):
		return false
	case hasAnyPrefix(lower, "sha1-", "sha256-", "sha384-", "sha512-", "md5-", "data:", "file:",
		"http:", "https:", "www.", "arn:", "vault:", "ssm:", "sm://", "ref+", "op://", "keyvault:"):
		return false
	case strings.Contains(v, "://") || isDottedName(v) || isEmail(v) || isVersion(v):
		return false
	case isPathLike(v) || isNumber(v) || isSnakeName(v) || decodesToProse(v):
		return false
	case (v[0] == '+' || v[0] == '.') && (isDottedName(strings.TrimSuffix(v[1:], "+")) || isIdent(strings.TrimSuffix(v[1:], "+"))):
		return false // "PWD="+dir, "KEY="+w.key+"\n": the rest of a concatenation
	}
	for _, w := range genericStopwords {
		if strings.Contains(lower, w) {
			return false
		}
	}
	switch {
	case !c.digit && c.symbols == 0 && !(c.lower && c.upper):
		return false // letters of one case: a word or a name
	case !c.digit && c.symbols == 0 && minorityCase(v)*4 < len(v):
		return false // Fingerprint, getAccessToken: random letters switch case half the time
	case !c.lower && !c.upper && c.symbols == 0:
		return false // digits only: a number, a timestamp, a phone
	case wordLike(v):
		return false // getAccessToken, my_secret_value2
	}
	threshold := math.Min(3.3, 0.8*math.Log2(float64(n)))
	return Entropy(v) >= threshold
}

// genericStopwords are words whose presence in a value says it is a stand-in or a name.
var genericStopwords = []string{
	"password", "passwd", "secret", "example", "sample", "dummy", "changeme", "placeholder",
	"test", "lorem", "ipsum", "default", "foobar", "username", "localhost", "undefined",
	"null", "none", "true", "false", "token", "apikey", "api_key", "api-key", "bearer",
	"string", "value", "config", "setting", "env_", "_env", "todo", "fixme",
}

// minorityCase counts the letters of s in its less frequent case.
func minorityCase(s string) int {
	up, low := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case isUpper(s[i]):
			up++
		case s[i] >= 'a' && s[i] <= 'z':
			low++
		}
	}
	return min(up, low)
}

// isNumber reports whether s is a numeric literal: -0x3f879678, 1.5e-10, 1_000_000.
func isNumber(s string) bool {
	s = strings.TrimLeft(s, "+-")
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		return h != "" && inSet(h, "0123456789abcdef_")
	}
	return s != "" && inSet(s, "0123456789._eE+-") && s[0] >= '0' && s[0] <= '9'
}

// isSnakeName reports whether s is a snake_case or CONSTANT_CASE name: parts joined by
// underscores, each in one case (STANDARD_RIGHTS_READ, max_retry_count2). Random base64url
// holds underscores too, but between parts of mixed case.
func isSnakeName(s string) bool {
	if !strings.Contains(s, "_") || !inSet(s, setAlnum+"_") {
		return false
	}
	for _, p := range strings.Split(s, "_") {
		if p == "" {
			continue
		}
		c := classesOf(p)
		if c.lower && c.upper {
			return false
		}
	}
	return true
}

// decodesToProse reports whether s is base64 of text with spaces ("this is not a real
// value"): a stand-in someone encoded, not random bytes.
func decodesToProse(s string) bool {
	if len(s) < 16 {
		return false
	}
	trimmed := strings.TrimRight(s, "=")
	var raw []byte
	var err error
	if strings.ContainsAny(trimmed, "-_") {
		raw, err = base64.RawURLEncoding.DecodeString(trimmed)
	} else {
		raw, err = base64.RawStdEncoding.DecodeString(trimmed)
	}
	if err != nil || len(raw) == 0 {
		return false
	}
	spaces := 0
	for _, b := range raw {
		if b < 0x20 || b > 0x7e {
			return false
		}
		if b == ' ' {
			spaces++
		}
	}
	return spaces >= 2
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// isUUID reports whether s is a UUID (8-4-4-4-12 hex digits).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i])) {
				return false
			}
		}
	}
	return true
}

// isDottedName reports whether s is a chain of identifiers (config.api.key, os.environ,
// self.token, example.com): a reference or a host name, not a value.
func isDottedName(s string) bool {
	if !strings.Contains(s, ".") {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if part == "" || !isIdent(part) {
			return false
		}
	}
	return true
}

// isIdent reports whether s is an identifier whose letters carry the digits (a name such as
// apiKey2 or max_len, not a random string).
func isIdent(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	if !inSet(s, setAlnum+"_$-") {
		return false
	}
	c := classesOf(s)
	return !(c.lower && c.upper && c.digit) || wordLike(s)
}

func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && strings.Contains(s[at:], ".") && inSet(s, setAlnum+"._%+-@")
}

// isVersion reports whether s starts like a version number (1.2.3, ^4.0.0, v2.10.1-beta).
func isVersion(s string) bool {
	s = strings.TrimLeft(s, "^~=<>vV")
	dots := 0
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		if s[i] == '.' {
			dots++
		}
		i++
	}
	return dots >= 2 && i >= 5
}

// isPathLike reports whether s is a file path or a URL path rather than base64: it starts
// like a path (/tmp, ./, ~/, C:\\) or has slashes between parts that are not random
// (lowercase, words, numbers, short names), or ends in a file extension. Base64 secrets hold
// slashes too, but between runs of mixed-case characters.
func isPathLike(s string) bool {
	rooted := hasAnyPrefix(s, "./", "../", "~/", "\\\\") || len(s) > 2 && s[1] == ':' && (s[2] == '\\' || s[2] == '/')
	if !rooted && !strings.ContainsAny(s, "/\\") || strings.ContainsAny(s, "+=") {
		return false
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '\\' })
	if len(parts) == 0 {
		return true
	}
	if s[0] == '/' && inSet(parts[0], "abcdefghijklmnopqrstuvwxyz0123456789._-") {
		return true // /tmp/…, /etc/…, /home/…
	}
	lowerParts, randomPart := true, false
	for _, p := range parts {
		if len(p) >= 8 && Mixed(p) && !wordLike(p) {
			randomPart = true
		}
		if strings.ToLower(p) != p {
			lowerParts = false
		}
	}
	switch {
	case randomPart:
		return false
	case rooted || s[0] == '/' || lowerParts || len(parts) >= 3:
		return true
	}
	last := parts[len(parts)-1]
	i := strings.LastIndexByte(last, '.')
	return i > 0 && len(last)-i <= 6 && inSet(last[i+1:], "abcdefghijklmnopqrstuvwxyz0123456789")
}

// wordLike reports whether the letters of s come in word-sized parts with a word's share of
// vowels (getAccessToken, my_secret_value2, HTTPServerKey). Parts are split at non-letters
// and at case changes as in camelCase ("HTTPServer" is HTTP and Server). Random strings
// split into parts of two or three letters with few vowels.
func wordLike(s string) bool {
	parts, letters, vowels := 0, 0, 0
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			continue
		}
		letters++
		if strings.IndexByte("aeiouyAEIOUY", s[i]) >= 0 {
			vowels++
		}
		switch {
		case i == 0 || !isLetter(s[i-1]):
			parts++ // after a non-letter
		case isUpper(s[i]) && !isUpper(s[i-1]):
			parts++ // camelCase
		case isUpper(s[i]) && i+1 < len(s) && isLetter(s[i+1]) && !isUpper(s[i+1]) && isUpper(s[i-1]):
			parts++ // the S of HTTPServer
		}
	}
	if letters < 4 || parts == 0 {
		return false
	}
	return letters >= 4*parts && vowels*10 >= 3*letters
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
func isUpper(b byte) bool  { return b >= 'A' && b <= 'Z' }

func crc32IEEE(s string) uint32 { return crc32.ChecksumIEEE([]byte(s)) }

func formatBase36(v uint32) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	if v == 0 {
		return "0"
	}
	var buf [8]byte
	i := len(buf)
	for v > 0 {
		i--
		buf[i] = digits[v%36]
		v /= 36
	}
	return string(buf[i:])
}
