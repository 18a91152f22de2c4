package rules

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestGenericSecret covers the decoys that assignments to "token", "secret" and the like
// hold far more often than secrets.
func TestGenericSecret(t *testing.T) {
	g := NewGenerator(17)
	tests := []checkCase{
		{"random alnum", g.Chars(setAlnum, 32), true},
		{"random short", g.Chars(setAlnum, 8) + "4x", true},
		{"random base64", g.Chars(setB64, 44), true},
		{"random lower and digits", g.Chars("abcdefghijklmnopqrstuvwxyz0123456789", 30), true},
		{"password with symbols", "Tr0ub4dor&3xQ", true},
		{"random letters of both cases", "PFBayUrznxvXKvoLjLcGiPiTcUjYKWRoYDbyeRrm", true},
		{"random with a symbol", "NCUalnCIifBYnr77!", true},
		{"base64 starting with a slash", "/" + g.Chars(setAlnum, 20) + "+" + g.Chars(setAlnum, 10), true},
		{"base64 with slashes only", "/77YaKHifbi3PdpbNYZ9UVetYFaNknP3z73YvAEbx/1H", true},

		{"md5", g.Chars(setHex, 32), false},
		{"sha1 (git)", g.Chars(setHex, 40), false},
		{"sha256", g.Chars(setHex, 64), false},
		{"sha256 upper", strings.ToUpper(g.Chars(setHex, 64)), false},
		{"uuid", g.Chars(setHex, 8) + "-" + g.Chars(setHex, 4) + "-" + g.Chars(setHex, 4) + "-" + g.Chars(setHex, 4) + "-" + g.Chars(setHex, 12), false},
		{"integrity", "sha512-" + g.Chars(setB64, 86) + "==", false},
		{"data uri", "data:image/png;base64," + g.Chars(setB64, 60), false},
		{"short", "a1B2c3", false},
		{"word", "correcthorsebattery", false},
		{"camel identifier", "getAccessToken", false},
		{"acronym identifier", "HTTPServerAuthKey", false},
		{"identifier with digit", "oauth2ClientFactory", false},
		{"snake identifier", "my_secret_value_2", false},
		{"absolute path", "/etc/ssl/private/server.key", false},
		{"relative path", "config/credentials/production.json", false},
		{"windows path", `C:\secrets\prod.pfx`, false},
		{"url", "https://login.example.com/oauth2/authorize", false},
		{"host", "acme-prod-2024.firebaseapp.com", false},
		{"email", "ops-2024@example.com", false},
		{"dotted reference", "this.props.authService.currentToken", false},
		{"settings reference", "settings.STRIPE_SECRET_KEY", false},
		{"version", "7.22.5-beta.1234", false},
		{"caret version", "^4.0.0-rc.12", false},
		{"number", "1700000000123", false},
		{"placeholder word", "your-secret-here-1234", false},
		{"test value", "test_" + g.Chars(setAlnum, 20), false},
		{"arn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod", false},
		{"base64 of prose", base64.StdEncoding.EncodeToString([]byte("this is not a real value")), false},
		{"hex literal", "-0x3f879678", false},
		{"float literal", "1.5e-10000", false},
		{"constant name", "STANDARD_RIGHTS_READ", false},
		{"snake name", "max_retry_count2", false},
		{"capitalized word", "Fingerprint", false},
		{"credential scope", "AKID/19700101/us-west-2/es/aws4_request", false},
		{"temp path", "/tmp/ssh-P65gpcqArqvH/agent.15541", false},
		{"concatenation", "+i.WorkingDir", false},
		{"concatenation between strings", "+w.anthKey+", false},
		{"minified code between strings", "+e),o||(this.repoInfo_.nodeAdmin&&warn(e),closeFn())}}}interrupt(e){log(", false},
		{"arrow function between strings", "+t),n=>r(n,e)).catch(i", false},
		{"password with parentheses", "Pa(ss)w0rd-9x!Q", true},
		{"leet stand-in", "s00pers3cret", false},
		{"japanese message", "予期しないトークン。", false},
		{"algorithm name", "SCRAM-SHA-1", false},
		{"cipher name", "AES-256-GCM", false},
		{"lower-case algorithm", "scram-sha-256", false},
		{"cluster name with k8s", "etcd-cluster-k8s", false},
		{"phrase with an acronym's plural", "more-custom-CAs", false},
		{"dashed random with short groups", "x7kq-9vb2-mm4d-r2t8-Lp0z", true},
		{"key in groups", "XK4P-9QZ2-MM7D-R2T8", true},
		{"env name before another", "GIT_SSH_COMMAND=", false},
		{"htpasswd line", "user:$apr1$FfVI2PRr$f9MW8rsr5RmmxbdV0Iipk1", false},
		{"bcrypt hash", "$2y$10$" + g.Chars(setAlnum+"./", 53), false},
		{"short base64 of a stand-in", "cGFzc3dvcmQ=", false},
		{"short base64 of hunter2", "aHVudGVyMgo=", false},
		{"chinese message", "意外的标记。", false},
		{"password with an accent", "Zx9-pässwörd-Kq2", true},
		{"concatenation on", "e.accessKeyId+", false},
		{"index expression", "Jobs[-1].JobId", false},
		{"leet password", "P@ssw0rd!2024x", false},
		{"leet letmein", "l3tm31n-pl34s3", false},
		{"base64url with underscores", "aB3" + g.Chars(setAlnum, 8) + "_" + g.Chars(setAlnum, 12), true},
		{"upper and digits", "LLBF3JGZDX3P5PMEXLND6TS6FCWO6", true},
	}
	testCheck(t, "genericSecret", genericSecret, tests)
}
