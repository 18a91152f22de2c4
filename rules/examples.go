package rules

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"text/template"
)

// Generator expands example templates into concrete strings. Rules keep their examples as
// templates so that no repository holds a literal key that push protection, leakstop
// itself or a reader could mistake for a real one; the keys are made at run time.
//
// Template functions: alnum, hex, HEX, lower, upper, digits, b64, b64url, base32 (each takes
// a length), chars SET N, crc62 S (GitHub/npm checksum), crc36 S (GitLab checksum), crc32le S
// (Grafana's checksum), ghtoken PREFIX (a GitHub token with a valid checksum), npmtoken,
// openai PREFIX N (an OpenAI key with segments of N), gitlab N VERSIONED (a routable GitLab token with a payload
// of N characters and a valid checksum), discord (a Discord bot token), jwt PAYLOAD (a
// signed-looking JWT with that JSON payload), pem TYPE N (a private key block of N random
// bytes; TYPE is "RSA", "EC", "OPENSSH", "" …), b64enc S (S in unpadded base64url),
// jsonesc S (line ends written as \n, as inside a JSON string), age (an age secret key with
// a valid checksum), b64std S (S in padded standard base64), repeat S N, and
// concatenation by juxtaposition.
type Generator struct {
	rnd *rand.Rand
}

// NewGenerator returns a generator whose output is fixed by seed.
func NewGenerator(seed uint64) *Generator {
	return &Generator{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Chars returns n characters drawn from set.
func (g *Generator) Chars(set string, n int) string {
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < n; i++ {
		b.WriteByte(set[g.rnd.IntN(len(set))])
	}
	return b.String()
}

// GitHubToken returns a token with prefix ("ghp_") and a valid CRC32 checksum.
func (g *Generator) GitHubToken(prefix string) string {
	n := 30
	if prefix == "ghr_" {
		n = 70
	}
	r := g.Chars(setAlnum, n)
	return prefix + r + base62CRC32(r)
}

// NPMToken returns an npm_ token with a valid checksum.
func (g *Generator) NPMToken() string {
	r := g.Chars(setAlnum, 30)
	return "npm_" + r + base62CRC32(r)
}

// OpenAIKey returns an OpenAI key of the given prefix with segments of n characters each
// side of the marker.
func (g *Generator) OpenAIKey(prefix string, n int) string {
	set := setB64URL
	if prefix == "sk-" {
		set = setAlnum
	}
	return prefix + g.segment(set, n) + openAIMarker + g.segment(set, n-1) + "A"
}

// segment draws n characters that do not form the OpenAI marker by chance.
func (g *Generator) segment(set string, n int) string {
	for {
		s := g.Chars(set, n)
		if !strings.Contains(s, openAIMarker) && !strings.HasPrefix(s, "-") {
			return s
		}
	}
}

// GitLabToken returns a routable GitLab personal access token whose payload has n
// characters, in the versioned (".01.") or unversioned form, with a valid length and
// checksum.
func (g *Generator) GitLabToken(n int, versioned bool) string {
	l := strconv.FormatInt(int64(n), 36)
	if len(l) < 2 {
		l = "0" + l
	}
	h := "glpat-" + g.Chars(setB64URL, n) + "."
	if versioned {
		h += "01."
	}
	h += l
	return h + base36CRC32(h)
}

// DiscordBotToken returns a Discord bot token: base64 of a numeric id, a timestamp part
// and an HMAC part.
func (g *Generator) DiscordBotToken() string {
	id := string("123456789"[g.rnd.IntN(9)]) + g.Chars("0123456789", 17)
	return base64.RawURLEncoding.EncodeToString([]byte(id)) + "." + g.Chars(setB64URL, 6) + "." + g.Chars(setB64URL, 38)
}

// JWT returns a token with an HS256 header, the given JSON payload and a random signature.
func (g *Generator) JWT(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + "." + g.Chars(setB64URL, 43)
}

// PrivateKey returns a PEM block of kind ("RSA", "EC", "OPENSSH", "ENCRYPTED", or "" for
// PKCS #8) holding n random bytes in base64 lines of 64 characters.
func (g *Generator) PrivateKey(kind string, n int) string {
	label := "PRIVATE KEY"
	if kind != "" {
		label = kind + " " + label
	}
	raw := make([]byte, n)
	for i := range raw {
		raw[i] = byte(g.rnd.IntN(256))
	}
	body := base64.StdEncoding.EncodeToString(raw)
	var b strings.Builder
	b.WriteString("-----BEGIN " + label + "-----\n")
	for len(body) > 64 {
		b.WriteString(body[:64] + "\n")
		body = body[64:]
	}
	b.WriteString(body + "\n-----END " + label + "-----")
	return b.String()
}

// Expand renders one example template.
func (g *Generator) Expand(tmpl string) (string, error) {
	t, err := template.New("example").Funcs(g.funcs()).Parse(tmpl)
	if err != nil {
		return "", fmt.Errorf("parsing example %q: %w", tmpl, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, nil); err != nil {
		return "", fmt.Errorf("expanding example %q: %w", tmpl, err)
	}
	return b.String(), nil
}

func (g *Generator) funcs() template.FuncMap {
	set := func(s string) func(int) string { return func(n int) string { return g.Chars(s, n) } }
	return template.FuncMap{
		"alnum":    set(setAlnum),
		"hex":      set(setHex),
		"HEX":      set(strings.ToUpper(setHex)),
		"lower":    set("abcdefghijklmnopqrstuvwxyz"),
		"upper":    set("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
		"digits":   set("0123456789"),
		"b64":      set(setB64),
		"b64url":   set(setB64URL),
		"base32":   set(setBase32),
		"chars":    g.Chars,
		"crc62":    base62CRC32,
		"crc36":    base36CRC32,
		"crc32le":  crc32LE,
		"ghtoken":  g.GitHubToken,
		"npmtoken": g.NPMToken,
		"openai":   g.OpenAIKey,
		"repeat":   strings.Repeat,
		"gitlab":   g.GitLabToken,
		"discord":  g.DiscordBotToken,
		"jwt":      g.JWT,
		"pem":      g.PrivateKey,
		"b64enc":   func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) },
		"jsonesc":  func(s string) string { return strings.ReplaceAll(s, "\n", `\n`) },
		"age":      g.AgeKey,
		"b64std":   func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	}
}
