package rules

import (
	"encoding/base64"
	"hash/crc32"
	"strconv"
	"strings"
	"testing"
)

// TestGitHubChecksumVectors uses the vectors of providers.md §3.1. Each token is kept in
// three pieces (prefix, random part, checksum) so that this file holds no token.
func TestGitHubChecksumVectors(t *testing.T) {
	vectors := []struct{ prefix, random, sum string }{
		{"ghp_", "sbUsUmRNn8X74dFU0DJ9Fm1mvdCgtH", "474T38"},
		{"ghp_", "gOopU03DASjFw8k3jiy4uJWh1t46Sd", "0P4bh3"},
		{"gho_", "vr0nUtGPA6FMaUb56n4uJwJAoWuVfV", "4OdycX"},
		{"ghu_", "TIOHHEVefAwRonSMALCFfWMYK0un1R", "1dj2rn"},
		{"ghr_", "xgrrGzSbbGRL34Wp39JU9nxtN27Pr1v1He8FjE7x7wbExGGs7nfJszJDAmZuoKasxZ0KxJ", "1HSzgc"},
	}
	for _, v := range vectors {
		if got := base62CRC32(v.random); got != v.sum {
			t.Errorf("base62CRC32(%s…) = %s, want %s", v.random[:6], got, v.sum)
		}
		token := v.prefix + v.random + v.sum
		if !githubChecksum(token) {
			t.Errorf("githubChecksum rejects the %s vector", v.prefix)
		}
		// One changed character anywhere breaks it; so does the case-swapped alphabet.
		bad := v.prefix + v.random[:5] + flipCase(v.random[5:6]) + v.random[6:] + v.sum
		if githubChecksum(bad) {
			t.Errorf("githubChecksum accepts a %s token with a changed character", v.prefix)
		}
		if githubChecksum(v.prefix + v.random + flipCase(v.sum)) {
			t.Errorf("githubChecksum accepts a %s checksum in the wrong alphabet", v.prefix)
		}
	}
}

// TestCRC32Digits checks the digit writer against strconv in base 36, and that both
// checksums have their fixed width, for CRCs small and large.
func TestCRC32Digits(t *testing.T) {
	g := NewGenerator(36)
	for i := range 2000 {
		s := g.Chars(setAlnum, i%50)
		want := strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(s))), 36)
		want = strings.Repeat("0", 7-len(want)) + want
		if got := base36CRC32(s); got != want {
			t.Fatalf("base36CRC32(%q) = %s, want %s", s, got, want)
		}
		if got := base62CRC32(s); len(got) != 6 || !inSet(got, base62Digits) {
			t.Fatalf("base62CRC32(%q) = %q", s, got)
		}
	}
}

func flipCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r == '0':
			r = '1'
		default:
			r = '0'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestGitHubChecksumKinds(t *testing.T) {
	g := NewGenerator(7)
	tests := []checkCase{
		{"ghp valid", g.GitHubToken("ghp_"), true},
		{"gho valid", g.GitHubToken("gho_"), true},
		{"ghu valid", g.GitHubToken("ghu_"), true},
		{"ghr valid", g.GitHubToken("ghr_"), true},
		{"ghp bad checksum", "ghp_" + g.Chars(setAlnum, 30) + "000000", false},
		{"ghp too short", "ghp_" + g.Chars(setAlnum, 35), false},
		{"ghr with a ghp length", "ghr_" + g.GitHubToken("ghp_")[4:], false},
		{"ghs valid", g.GitHubToken("ghs_"), true},
		{"ghs bad checksum", "ghs_" + g.Chars(setAlnum, 36), false},
		// The placeholder of GitHub's REST documentation (create an installation access token).
		{"ghs documentation sample", "ghs_" + "16C7e42F292c6912E7710c838347Ae178B4a", false},
		{"ghs stateless", "ghs_12345_" + g.JWT(`{"iss":"12345","exp":1777000000}`), true},
		{"ghs stateless, app id not digits", "ghs_12a45_" + g.JWT(`{"iss":"12345"}`), false},
		{"ghs stateless, no JWT", "ghs_12345_" + g.Chars(setAlnum, 40), false},
		{"ghs stateless, unsigned", "ghs_12345_" + base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"1"}`)) + "." + g.Chars(setB64URL, 43), false},
		{"fine-grained has no checksum", "github_pat_" + g.Chars(setAlnum, 22) + "_" + g.Chars(setAlnum, 59), true},
		{"unknown prefix", "ghx_" + g.Chars(setAlnum, 36), false},
		{"no underscore", "ghp" + g.Chars(setAlnum, 36), false},
	}
	testCheck(t, "githubChecksum", githubChecksum, tests)
}

func TestNPMChecksum(t *testing.T) {
	g := NewGenerator(8)
	good := g.NPMToken()
	if !npmChecksum(good) {
		t.Errorf("npmChecksum rejects a generated token")
	}
	for _, bad := range []string{
		"npm_" + g.Chars(setAlnum, 30) + "AAAAAA",
		good[:len(good)-1],
		"npx_" + good[4:],
		"npm_" + flipCase(good[4:]),
	} {
		if npmChecksum(bad) {
			t.Errorf("npmChecksum accepts %s…", bad[:8])
		}
	}
}

// TestGitLabChecksumVectors uses the vectors of providers.md §4.1.
func TestGitLabChecksumVectors(t *testing.T) {
	vectors := []struct{ head, sum string }{
		{"glpat-" + "vSY1cyL948aAB440qB6L4zlu9OzsUmEV" + ".01.0w", "0sfevch"},
		{"glpat-" + "bzox79Of-KE9FD2LjoXXF4CvyxA" + ".0r", "03gxo7s"},
	}
	for _, v := range vectors {
		if got := base36CRC32(v.head); got != v.sum {
			t.Errorf("base36CRC32(%s…) = %s, want %s", v.head[:10], got, v.sum)
		}
		if !gitlabChecksum(v.head + v.sum) {
			t.Errorf("gitlabChecksum rejects the vector %s…", v.head[:10])
		}
		if gitlabChecksum(v.head + "0000000") {
			t.Errorf("gitlabChecksum accepts a wrong CRC")
		}
	}
	g := NewGenerator(9)
	tests := []checkCase{
		{"versioned", g.GitLabToken(32, true), true},
		{"unversioned", g.GitLabToken(27, false), true},
		{"long payload", g.GitLabToken(200, true), true},
		{"legacy has no checksum", "glpat-" + g.Chars(setAlnum, 20), true},
		// The payload length field must agree with the payload.
		{"length field wrong", lengthLie(g.GitLabToken(32, true)), false},
		{"short tail", "glpat-" + g.Chars(setB64URL, 32) + ".01.0wabc", false},
		{"no dash", "glpat" + g.Chars(setB64URL, 32) + ".01.0w0000000", false},
	}
	testCheck(t, "gitlabChecksum", gitlabChecksum, tests)
}

// lengthLie rewrites a versioned token so that its CRC is right but its length field says
// one character more than the payload holds.
func lengthLie(token string) string {
	i := strings.LastIndex(token, ".")
	head := token[:i+1] + "0x" // 33 in base 36
	return head + base36CRC32(head)
}

// TestAWSKeyVectors uses the account-decoding vector of providers.md §7.2.
func TestAWSKeyVectors(t *testing.T) {
	// Assembled so that no tool reads it as a literal key, joined or not.
	id := "ASIA" + strings.ToUpper("y34fzkbokmutvv7a")
	if !awsKeyID(id) {
		t.Fatalf("awsKeyID rejects the vector")
	}
	account, ok := awsAccount(id)
	if !ok || account != "609629065308" {
		t.Errorf("awsAccount = %q, %v, want 609629065308", account, ok)
	}
	if _, ok := awsAccount("AKIA" + "IOSFODNN7" + "EXAMPLE"); ok {
		t.Errorf("awsAccount decodes an old-scheme (AKIAI…) id")
	}
	g := NewGenerator(10)
	tests := []checkCase{
		{"AKIA", "AKIA" + g.Chars(setBase32, 16), true},
		{"ABIA", "ABIA" + g.Chars(setBase32, 16), true},
		{"ACCA", "ACCA" + g.Chars(setBase32, 16), true},
		{"role id is not a key", "AROA" + g.Chars(setBase32, 16), false},
		{"user id is not a key", "AIDA" + g.Chars(setBase32, 16), false},
		{"not base32", "AKIA" + g.Chars(setBase32, 15) + "1", false},
		{"too long", "AKIA" + g.Chars(setBase32, 17), false},
		{"a pattern", "AKIA" + strings.Repeat("AB", 8), false},
	}
	testCheck(t, "awsKeyID", awsKeyID, tests)
	secrets := []checkCase{
		{"random", g.Chars(setB64, 40), true},
		{"git sha", g.Chars(setHex, 40), false},
		{"upper only", g.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 40), false},
		{"39 characters", g.Chars(setB64, 39), false},
	}
	testCheck(t, "awsSecret", awsSecret, secrets)
}

// TestOpenAIMarker checks the marker offsets providers.md §1.1 gives for each kind.
func TestOpenAIMarker(t *testing.T) {
	g := NewGenerator(11)
	offsets := []struct {
		prefix string
		n      int
		offset int
	}{
		{"sk-", 20, 23},
		{"sk-proj-", 58, 66},
		{"sk-proj-", 74, 82},
		{"sk-svcacct-", 74, 85},
		{"sk-svcacct-", 58, 69},
		{"sk-None-", 74, 82},
		{"sk-admin-", 58, 67},
	}
	for _, o := range offsets {
		key := g.OpenAIKey(o.prefix, o.n)
		if got := strings.Index(key, openAIMarker); got != o.offset {
			t.Errorf("%s%d: marker at %d, want %d", o.prefix, o.n, got, o.offset)
		}
		if !hasOpenAIMarker(key) {
			t.Errorf("%s%d: hasOpenAIMarker rejects a well-formed key", o.prefix, o.n)
		}
	}
	seg := func(n int) string { return g.Chars(setAlnum, n) }
	bad := []struct{ name, key string }{
		{"unequal halves", "sk-proj-" + seg(74) + openAIMarker + seg(73)},
		{"other length", "sk-proj-" + seg(60) + openAIMarker + seg(60)},
		{"marker twice", "sk-proj-" + seg(33) + openAIMarker + seg(33) + openAIMarker + seg(74)},
		{"no marker", "sk-proj-" + seg(164)},
		{"legacy with long halves", "sk-" + seg(58) + openAIMarker + seg(58)},
		{"prefixed with legacy halves", "sk-proj-" + seg(20) + openAIMarker + seg(20)},
		{"legacy with a dash", "sk-" + seg(19) + "-" + openAIMarker + seg(20)},
	}
	for _, b := range bad {
		if hasOpenAIMarker(b.key) {
			t.Errorf("%s: hasOpenAIMarker accepts it", b.name)
		}
	}
	if openAILegacy(g.OpenAIKey("sk-proj-", 74)) {
		t.Errorf("openAILegacy accepts a project key")
	}
}

func TestDiscordBotToken(t *testing.T) {
	g := NewGenerator(12)
	if tok := g.DiscordBotToken(); !discordBotToken(tok) {
		t.Errorf("discordBotToken rejects a generated token")
	}
	enc := base64.RawURLEncoding.EncodeToString
	for _, bad := range []string{
		enc([]byte("not-a-number-at-all")) + "." + g.Chars(setB64URL, 6) + "." + g.Chars(setB64URL, 38),
		enc([]byte("1234")) + "." + g.Chars(setB64URL, 6) + "." + g.Chars(setB64URL, 38),
		g.Chars(setB64URL, 24),
	} {
		if discordBotToken(bad) {
			t.Errorf("discordBotToken accepts %q", bad)
		}
	}
}

func TestSignedJWT(t *testing.T) {
	g := NewGenerator(13)
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	sig := g.Chars(setB64URL, 43)
	tests := []checkCase{
		{"service token", g.JWT(`{"sub":"svc","role":"service_role"}`), true},
		{"padded header", enc(`{"alg":"RS256"}`) + "==." + enc(`{"sub":"1"}`) + "." + sig, true},
		{"alg none", enc(`{"alg":"none"}`) + "." + enc(`{"sub":"1"}`) + "." + sig, false},
		{"no alg", enc(`{"typ":"JWT"}`) + "." + enc(`{"sub":"1"}`) + "." + sig, false},
		{"header not JSON", enc(`alg=HS256`) + "." + enc(`{"sub":"1"}`) + "." + sig, false},
		{"short signature", enc(`{"alg":"HS256"}`) + "." + enc(`{"sub":"1"}`) + ".abc", false},
		{"two parts", enc(`{"alg":"HS256"}`) + "." + enc(`{"sub":"1"}`), false},
		{"jwt.io example", enc(`{"alg":"HS256","typ":"JWT"}`) + "." + enc(`{"sub":"1234567890","name":"John Doe","iat":1516239022}`) + "." + sig, false},
		{"supabase anon key", g.JWT(`{"iss":"supabase","ref":"abc","role":"anon"}`), false},
	}
	testCheck(t, "signedJWT", signedJWT, tests)
}

func TestPrivateKeyBlock(t *testing.T) {
	g := NewGenerator(14)
	rsa := g.PrivateKey("RSA", 600)
	head, foot := "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----"
	tests := []checkCase{
		{"rsa", rsa, true},
		{"openssh", g.PrivateKey("OPENSSH", 400), true},
		{"escaped in JSON", strings.ReplaceAll(g.PrivateKey("", 600), "\n", `\n`), true},
		{"CRLF", strings.ReplaceAll(rsa, "\n", "\r\n"), true},
		{"encrypted with headers", head + "\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC," + g.Chars("0123456789ABCDEF", 32) + "\n\n" + g.Chars(setB64, 64) + "\n" + g.Chars(setB64, 64) + "\n" + foot, true},
		{"elided body", head + "\nMIIEpAIBAAKCAQEA...\n...\n" + foot, false},
		{"short body", head + "\n" + g.Chars(setB64, 40) + "\n" + foot, false},
		{"low entropy body", head + "\n" + strings.Repeat("QUFB", 40) + "\n" + foot, false},
		{"no end", head + "\n" + g.Chars(setB64, 200), false},
	}
	testCheck(t, "privateKeyBlock", privateKeyBlock, tests)
}

func TestURLPassword(t *testing.T) {
	g := NewGenerator(15)
	tests := []checkCase{
		{"random", g.Chars(setAlnum, 16), true},
		{"with symbols", "Tr0ub4dor&3", true},
		{"escaped @, then random", "p%40ss" + g.Chars(setAlnum, 8), true},
		{"the word", "password", false},
		{"the word with an escaped @", "p%40ssword", false},
		{"the word with an escaped slash", "pa%2Fssword", false},
		{"holds a stand-in word", "my-secret-pw", false},
		{"the word capitalised", "Password", false},
		{"changeme", "changeme", false},
		{"a default account's", "guest", false},
		{"shell variable", "${DB_PASSWORD}", false},
		{"bare variable", "$DB_PASSWORD", false},
		{"format verb", "%s", false},
		{"template", "{password}", false},
		{"variable name", "DB_PASSWORD", false},
		{"port", "8080", false},
		{"stars", "****", false},
		{"too short", "xx", false},
	}
	testCheck(t, "urlPassword", urlPassword, tests)
}
