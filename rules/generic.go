package rules

import (
	"bytes"
	"encoding/base64"
	"math"
	"regexp"
	"strings"
)

// codeExpression is names joined by comparisons or member access (eType!=TT_Space).
// cryptHash is a password hashed the way htpasswd, /etc/shadow and bcrypt store it, maybe
// after its user name or an encoder's name: $apr1$salt$hash, $2y$10$…, {bcrypt}$2a$10$…,
// $6$salt$hash, $argon2id$….
var cryptHash = regexp.MustCompile(`^(?:[A-Za-z0-9._-]+:|\{[a-z0-9]+\})?\$(?:apr1|1|2[abxy]?|5|6|y|argon2(?:id|i|d))\$[^\s]+$`)

// isDashedConstant reports whether s is words and numbers joined by dashes, each part
// letters of one case or digits, and upper-case or with a number among them (SCRAM-SHA-1,
// AES-256-GCM, scram-sha-256): the name of an algorithm or a setting. A key written in
// groups (XK4P-9QZ2-MM7D) mixes letters and digits within its groups; words of a passphrase
// (correct-horse-battery) are left to the other checks.
func isDashedConstant(s string) bool {
	if !strings.Contains(s, "-") || !inSet(s, setAlnum+"-") {
		return false
	}
	upper, number := true, false
	for _, p := range strings.Split(s, "-") {
		switch {
		case p == "":
			return false
		case inSet(p, "0123456789"):
			number = true
		case inSet(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), acronymNumber.MatchString(p):
		case inSet(p, "abcdefghijklmnopqrstuvwxyz"):
			upper = false
		default:
			return false
		}
	}
	return upper || number
}

// acronymNumber is an acronym with its number (MD5, SHA256): letters, then digits.
var acronymNumber = regexp.MustCompile(`^[A-Z]+[0-9]+$`)

// indexExpression is a path into data, as pagination settings and queries name a value
// (Jobs[-1].JobId, items[0].id).
var indexExpression = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\[[^\]]*\](?:\.[A-Za-z_][A-Za-z0-9_]*)+$`)

var codeExpression = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(?:(?:!=|==|->)[A-Za-z_][A-Za-z0-9_]*)+$`)

// genericSecret decides whether the value of "password = …", "api_key: …" and the like
// looks like a secret. It stays quiet on what such assignments hold far more often:
// hashes (hex of a digest's length), UUIDs, lockfile integrity strings, data URIs, paths,
// URLs, host names, e-mail addresses, versions, variable references and identifiers, words,
// and short or low-entropy strings.
func genericSecret(v string) bool {
	n := len(v)
	if len(strings.TrimRight(v, "=")) < 10 || n > 200 {
		return false // auThoRiTy=: a name and its =, not a padded value
	}
	if strings.HasSuffix(v, "...") {
		return false // 9cbaf023786cd7...: an example cut short
	}
	if nonASCII(v)*2 > len(v) {
		return false // 予期しないトークン。: a message in a language, not a key
	}
	if text, ok := base64Text(v); ok {
		// The base64 of text (a Kubernetes Secret's value) is judged by what it says: the
		// base64 of "changeme" is a stand-in too.
		return len(text) < n && genericSecret(text) && !isPlaceholder(text)
	}
	lower := strings.ToLower(v)
	c := classesOf(v)
	switch {
	case c.hexOnly && (n == 32 || n == 40 || n == 64 || n == 96 || n == 128):
		return false // md5, sha1 (git), sha256, sha384, sha512
	case isUUID(v):
		return false
	case hasAnyPrefix(lower, "sha1-", "sha256-", "sha384-", "sha512-", "md5-", "sha1:", "sha256:", "sha384:", "sha512:", "md5:", "data:", "file:",
		"http:", "https:", "www.", "arn:", "vault:", "ssm:", "sm://", "ref+", "op://", "keyvault:"):
		return false
	case strings.Contains(v, "://") || strings.HasPrefix(v, "//") || isDottedName(v) || isEmail(v) || isVersion(v):
		return false // a URL, or the rest of one after its scheme's colon
	case codeExpression.MatchString(v):
		return false // eType!=TT_Space: an expression of code
	case isPathLike(v) || isNumber(v) || isSnakeName(v) || isSnakeName(strings.TrimRight(v, "=")) || decodesToProse(v) || isTimestamp(v):
		return false
	case (v[0] == '+' || v[0] == '.') && (isDottedName(strings.TrimRight(v[1:], "+(")) || isIdent(strings.TrimRight(v[1:], "+("))),
		v[len(v)-1] == '+' && isDottedName(strings.TrimRight(v, "+")):
		return false // "PWD="+dir, "KEY="+w.key+"\n", "DATE=".strftime(: the rest of a concatenation
	case isAssignmentChain(v):
		return false // e.tokenize=e.compile=t.parse=void 0: minified code
	case isCodeFragment(v) || indexExpression.MatchString(v):
		return false // "…get token: "+e),t||(this.x&&El(e),a())}…log(": code between two strings
	case isDashedConstant(v):
		return false // SCRAM-SHA-1, AES-256-GCM: the name of an algorithm or a setting
	case cryptHash.MatchString(v):
		return false // user:$apr1$…, $2y$10$…: a password's hash, not the password
	case isCamelIdent(v):
		return false // userAuthPubKeyOkMsg: a name made of words
	case isPhrase(v):
		return false // not-a-valid-key, use.your.own: words, a stand-in
	case isTemplate(v):
		return false // %(SECRET_KEY)s, {secret}, #{ENV['TOKEN']}, $(cat /run/secrets/x)
	}
	for _, w := range genericStopwords {
		if strings.Contains(lower, w) {
			return false
		}
	}
	if folded := leetFolded(lower); folded != lower {
		for _, w := range leetStopwords {
			if strings.Contains(folded, w) {
				return false // s00pers3cret, P@ssw0rd!: a stand-in dressed as a password
			}
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
	return entropy(v) >= threshold
}

// frameworkSecret is the check of the frameworks' signing secrets (Rails secret_key_base,
// Laravel APP_KEY, Django SECRET_KEY): what genericSecret accepts, and also the long hex of
// Rails' generated keys (which genericSecret takes for a digest) and Laravel's base64: form.
func frameworkSecret(v string) bool {
	v = strings.TrimPrefix(v, "base64:")
	if c := classesOf(v); c.hexOnly && len(v) >= 64 && len(v) <= 256 {
		return entropy(v) >= 3.5 && !isPlaceholder(v)
	}
	return genericSecret(v)
}

// isTimestamp reports whether s starts with an ISO 8601 date and time (2002-04-18T16:56:53Z).
func isTimestamp(s string) bool {
	if len(s) < 16 {
		return false
	}
	for i, c := range []byte(s[:16]) {
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		case 10:
			if c != 'T' && c != ' ' && c != 't' {
				return false
			}
		case 13:
			if c != ':' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// isPhrase reports whether s is words of letters in one case each, joined by - _ . or
// blanks (not-a-valid-key, USE_YOUR_OWN, insert.key.here): what people write for a value
// they leave out. A generated value has digits or mixes case within its parts.
func isPhrase(s string) bool {
	words, others := 0, 0
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ' ' }) {
		c := classesOf(p)
		switch {
		case c.symbols > 0:
			return false
		case !c.digit && !(c.lower && c.upper):
			words++ // cluster, CUSTOM
		case !c.digit && len(p) >= 3 && strings.HasSuffix(p, "s") && !classesOf(p[:len(p)-1]).lower:
			words++ // CAs, URLs: an acronym's plural
		case !c.digit && isUpper(p[0]) && !classesOf(p[1:]).upper:
			words++ // X-Cf-App-Instance: a header's name
		case len(p) <= 4 && c.digit && !(c.lower && c.upper):
			others++ // k8s, v2, ipv6: a short name with a number
		default:
			return false
		}
	}
	return words >= 2 && others <= words/2
}

// isTemplate reports whether s is a template's or a shell's reference to a value rather
// than the value: %(name)s, {name}, #{…}, $(…), <%= … %>, {{ … }}.
func isTemplate(s string) bool {
	for _, t := range []string{"${", "{{", "#{", "%(", "<%", "$("} {
		if strings.Contains(s, t) {
			return true
		}
	}
	return s[0] == '{' && s[len(s)-1] == '}' || s[0] == '[' && s[len(s)-1] == ']'
}

// quietNames are parts of a name that say its value is not a credential, though the name
// says token or secret: CSRF tokens (which a page prints to every visitor), pagination
// cursors, the public half of a key pair.
var quietNames = []string{
	"csrf", "xsrf", "antiforgery", "anti_forgery", "anti-forgery", "authenticity_token",
	"page_token", "pagetoken", "next_token", "nexttoken", "continuation", "cursor",
	"sync_token", "publishable", "public_key", "publickey", "pubkey",
}

// quietName reports whether the name around a keyword hit at data[at:] (the name runs back
// to the first byte that cannot be in a name, and on to the assignment) is one of
// quietNames.
func quietName(data []byte, at int) bool {
	lo := at
	for lo > 0 && at-lo < 64 && nameByte[data[lo-1]] {
		lo--
	}
	hi := at
	for hi < len(data) && hi-at < 64 && nameByte[data[hi]] {
		hi++
	}
	name := strings.ToLower(string(data[lo:hi]))
	for _, q := range quietNames {
		if strings.Contains(name, q) {
			return true
		}
	}
	return false
}

// genericShape checks the shape of a generic match (loc, relative to the keyword hit at)
// beyond its regex: a value given by a comma comes after a whole quoted name
// (quotedNameBeforeComma), and an unquoted value is not the first word of a quoted phrase
// ("AWS4-HMAC-SHA256 Credential=…", "not yet set"): a quote before it and a blank after.
func genericShape(data []byte, at int, loc []int) bool {
	if !quotedNameBeforeComma(data, at, loc) || valueSpellsName(data, at, loc) || badgeQuery(data, at) {
		return false
	}
	for g := 1; 2*g+1 < len(loc); g++ {
		a, b := loc[2*g], loc[2*g+1]
		if a < 0 {
			continue
		}
		a, b = at+a, at+b
		if a > 0 && b < len(data) && (data[a-1] == '"' || data[a-1] == '\'' || data[a-1] == '`') && (data[b] == ' ' || data[b] == '\t') {
			return false
		}
		break
	}
	return true
}

// valueSpellsName reports whether the value of a generic match (loc, relative to the
// keyword hit at) holds the name it is assigned to, in any case: authCodeUrl: AuthCodeUrl,
// exports.setOAuthToken = setOAuthToken, type AuthKind = TAuthKind. A secret never spells
// its variable's name; a type, a re-export or a default does.
func valueSpellsName(data []byte, at int, loc []int) bool {
	lo, hi := at, at
	for lo > 0 && nameChar(data[lo-1]) {
		lo--
	}
	for hi < len(data) && nameChar(data[hi]) {
		hi++
	}
	if hi-lo < 6 {
		return false
	}
	for g := 1; 2*g+1 < len(loc); g++ {
		if a, b := loc[2*g], loc[2*g+1]; a >= 0 {
			return bytes.Contains(bytes.ToLower(data[at+a:at+b]), bytes.ToLower(data[lo:hi]))
		}
	}
	return false
}

// nonASCII counts the bytes of s outside ASCII.
func nonASCII(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			n++
		}
	}
	return n
}

// madeOfWords reports whether s, of 12 bytes or more, is letters only, a third of them
// vowels: words run together (an identifier), where a random value of that length holds a
// digit in all but a few cases in a thousand, and of those few, most have fewer vowels.
func madeOfWords(s string) bool {
	if len(s) < 12 {
		return false
	}
	vowels := 0
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
		if strings.IndexByte("aeiouAEIOU", s[i]) >= 0 {
			vowels++
		}
	}
	return vowels*3 >= len(s)
}

// badgeQuery reports whether the keyword at data[at] names a parameter of an image's URL
// (a status badge: codecov.io/…/badge.svg?token=…, travis-ci.com/….svg?token=…): such a
// token only shows a badge, and READMEs publish it by design.
func badgeQuery(data []byte, at int) bool {
	if at == 0 || data[at-1] != '?' && data[at-1] != '&' {
		return false
	}
	lo := at - 1
	for lo > 0 && lo > at-2048 && strings.IndexByte(" \t\r\n\"'`()<>[]", data[lo-1]) < 0 {
		lo--
	}
	u := bytes.ToLower(data[lo:at])
	path, _, _ := bytes.Cut(u, []byte{'?'})
	if !bytes.HasPrefix(path, []byte("http")) {
		return false
	}
	return bytes.HasSuffix(path, []byte(".svg")) || bytes.HasSuffix(path, []byte(".png")) || bytes.Contains(path, []byte("/badge"))
}

func nameChar(c byte) bool { return isLetter(c) || c >= '0' && c <= '9' || c == '_' }

// quotedNameBeforeComma checks a generic match (loc, relative to the keyword hit at) that
// gives a name its value by a comma, as define('AUTH_KEY', '…') and getenv("TOKEN", "…")
// do: the name must be a whole quoted string and a call's first argument, and the value
// quoted; not the end of a phrase in a table of strings ({"documented secret", "…"}) nor an
// item of a list. A match by another assignment passes.
func quotedNameBeforeComma(data []byte, at int, loc []int) bool {
	value := loc[1]
	for g := 1; 2*g+1 < len(loc); g++ {
		if loc[2*g] >= 0 {
			value = loc[2*g]
			break
		}
	}
	if bytes.IndexByte(data[at:at+value], ',') < 0 {
		return true
	}
	quoted := false
	for g := 1; g <= 2 && 2*g+1 < len(loc); g++ {
		quoted = quoted || loc[2*g] >= 0
	}
	lo := at
	for lo > 0 && nameByte[data[lo-1]] {
		lo--
	}
	if !quoted || lo == 0 || data[lo-1] != '"' && data[lo-1] != '\'' {
		return false // {"pwd", PyInit_pwd}: a value given by a comma is quoted
	}
	// The name is a call's first argument: define( 'AUTH_KEY', …), not an item of a list
	// of strings ({'AuthToken', 'AuthValue'}).
	i := lo - 2
	for i >= 0 && (data[i] == ' ' || data[i] == '\t') {
		i--
	}
	return i >= 0 && data[i] == '('
}

// genericStopwords are words whose presence in a value says it is a stand-in or a name.
var genericStopwords = []string{
	"password", "passwd", "secret", "example", "sample", "dummy", "changeme", "placeholder",
	"test", "lorem", "ipsum", "default", "foobar", "username", "localhost", "undefined",
	"null", "none", "true", "false", "token", "apikey", "api_key", "api-key", "bearer",
	"string", "value", "config", "setting", "env_", "_env", "todo", "fixme",
}

// leetStopwords are the words a stand-in spells with digits and symbols for letters
// (leetFolded); six letters or more, which random values hold by chance too seldom to count.
var leetStopwords = []string{"secret", "password", "passwd", "letmein", "changeme"}

// leetFolded returns lower (a lower-case value) with the digits and symbols that stand for
// letters in such spellings read as those letters: 0 o, 1 i, 3 e, 4 a, 5 s, 7 t, @ a, $ s.
func leetFolded(lower string) string { return leetReplacer.Replace(lower) }

var leetReplacer = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s")

// isAssignmentChain reports whether v is the rest of a chain of assignments in minified
// code (e.compile=t.parse=void in "e.tokenize=e.compile=t.parse=void 0", as every Next.js
// build holds): names joined by "=", where a random value holds "=" only as its padding.
func isAssignmentChain(v string) bool {
	parts := strings.Split(strings.TrimRight(v, "="), "=")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || !isDottedName(p) && !isIdent(p) && !isCamelIdent(p) {
			return false
		}
	}
	return true
}

// isCamelIdent reports whether s is a camelCase name of words (userAuthPubKeyOkMsg,
// sessionToken2Expiry): a lower-case word, then capitalised words of three letters on
// average, at most one short run of digits, and a word's share of vowels. Random base62
// switches case without that order: two capitals in a row, a capital before a digit, short
// parts, more digits.
func isCamelIdent(s string) bool {
	if len(s) < 10 || s[0] < 'a' || s[0] > 'z' || !inSet(s, setAlnum) || isUpper(s[len(s)-1]) {
		return false
	}
	parts, letters, vowels, digitRuns, digits := 1, 0, 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if s[i-1] < '0' || s[i-1] > '9' {
				digitRuns++
				parts++
			}
		case isUpper(c):
			if isUpper(s[i-1]) || i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				return false
			}
			parts++
			letters++
		default:
			letters++
		}
		if strings.IndexByte("aeiouyAEIOUY", c) >= 0 {
			vowels++
		}
	}
	return parts >= 3 && digits <= 2 && digitRuns <= 1 && letters >= 3*(parts-digitRuns) &&
		vowels*10 >= 3*letters
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

// base64Text returns what s decodes to when it is padded or unpadded base64 (either
// alphabet) of text.
func base64Text(s string) (string, bool) {
	trimmed := strings.TrimRight(s, "=")
	// Shorter than the decoding stage tries: a value of 8 is judged by what it says when
	// it decodes to text (cGFzc3dvcmQ= is "password"); a random one does in a few cases in
	// a thousand, and its 6 bytes are then too short to count anyway.
	if len(trimmed) < 8 || len(s)-len(trimmed) > 2 {
		return "", false
	}
	for i := 0; i < len(trimmed); i++ {
		if !b64Byte[trimmed[i]] {
			return "", false
		}
	}
	e, ok := decodeBase64([]byte(s), 0, len(trimmed), len(s)-len(trimmed))
	if !ok {
		return "", false
	}
	return string(e.out), true
}

// hasAnyPrefix reports whether s starts with one of prefixes.
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

// isCodeFragment reports whether v is a piece of code, as the generic rule takes between two
// string literals of minified code when a keyword ends the first ("Failed to get token:
// "+e),t||(…)"): a call's parentheses together with an operator or block of code.
func isCodeFragment(v string) bool {
	if !strings.Contains(v, "(") || !strings.Contains(v, ")") {
		return false
	}
	for _, op := range []string{"||", "&&", "){", "}}", "=>", "),", ");"} {
		if strings.Contains(v, op) {
			return true
		}
	}
	return false
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

// isEmail reports whether s looks like an e-mail address.
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
	last := parts[len(parts)-1]
	if i := strings.LastIndexByte(last, '.'); len(parts) >= 3 && i > 0 && len(last)-i <= 6 &&
		inSet(last[i+1:], "abcdefghijklmnopqrstuvwxyz") && inSet(last[:i], "abcdefghijklmnopqrstuvwxyz0123456789_-") {
		return true // CMakeFiles/git.dir/flags.make: folders, then a file with its extension
	}
	lowerParts, randomPart := true, false
	for _, p := range parts {
		if len(p) >= 8 && mixed(p) && !wordLike(p) {
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
