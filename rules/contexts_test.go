package rules

import (
	"strings"
	"testing"
)

// contextCase is a line (or a few) in one language or format: want is the rule that must
// find its secret once ("" for a decoy that must stay quiet).
type contextCase struct {
	name, text, want string
}

// genericContexts are assignments of secrets in the languages and formats people commit,
// and beside them the look-alikes that those same files hold.
func genericContexts(g *Generator) []contextCase {
	r := func(n int) string { return g.Chars(setAlnum, n-1) + "7" }
	django := g.Chars(setAlnum+"!@#$%^&*(-_=+)", 50)
	wpSalt := g.Chars(setAlnum+"!@#$%^&*()-_[]{}<>~+=,.;:/?|", 64)
	return []contextCase{
		// Framework secrets.
		{"django", "SECRET_KEY = 'django-insecure-" + django + "'", "generic-api-key"},
		{"flask", "app.config['SECRET_KEY'] = '" + r(32) + "'", "generic-api-key"},
		{"rails", "production:\n  secret_key_base: " + g.Chars(setHex, 128) + "\n", "generic-framework-secret"},
		{"laravel", "APP_KEY=base64:" + g.Chars(setB64, 43) + "=", "generic-framework-secret"},
		{"nextauth", "NEXTAUTH_SECRET=" + r(32), "generic-api-key"},
		{"jwt secret", "JWT_SECRET=" + r(32), "generic-api-key"},
		{"wordpress salt", "define( 'AUTH_KEY',         '" + wpSalt + "' );", "generic-api-key"},
		// Terraform and its state.
		{"terraform variable", "variable \"db_password\" {\n  type    = string\n  default = \"" + r(20) + "\"\n}\n", "generic-terraform-variable"},
		{"terraform resource", "resource \"aws_db_instance\" \"main\" {\n  password = \"" + r(20) + "\"\n}\n", "generic-api-key"},
		{"tfstate", `      "attributes": {"id": "db-1", "password": "` + r(20) + `", "port": 5432}`, "generic-api-key"},
		// Constants and fields.
		{"c#", "public const string ApiKey = \"" + r(30) + "\";", "generic-api-key"},
		{"java", "private static final String API_TOKEN = \"" + r(30) + "\";", "generic-api-key"},
		{"kotlin", "const val API_SECRET = \"" + r(30) + "\"", "generic-api-key"},
		{"go var", "var apiSecret string = \"" + r(30) + "\"", "generic-api-key"},
		{"go field", "\tAPIToken: \"" + r(30) + "\",", "generic-api-key"},
		{"rust", "const API_TOKEN: &str = \"" + r(30) + "\";", "generic-api-key"},
		{"rust static", "static API_TOKEN: &'static str = \"" + r(30) + "\";", "generic-api-key"},
		{"typescript", "const apiKey: string = \"" + r(30) + "\";", "generic-api-key"},
		{"ruby", "API_TOKEN = '" + r(30) + "'.freeze", "generic-api-key"},
		{"php", "$config['db_password'] = '" + r(20) + "';", "generic-api-key"},
		{"getenv default", `key = os.getenv("API_TOKEN", "` + r(30) + `")`, "generic-api-key"},
		// Configuration formats.
		{"xml property", `<property name="password" value="` + r(20) + `"/>`, "generic-api-key"},
		{"xml element", `<entry key="api.secret">` + r(20) + `</entry>`, "generic-api-key"},
		{".properties", "spring.datasource.password=" + r(20), "generic-api-key"},
		{"helm values", "auth:\n  apiToken: " + r(30) + "\n", "generic-api-key"},
		{"compose environment", "    environment:\n      - DB_PASSWORD=" + r(20) + "\n", "generic-api-key"},
		{"ini", "[database]\npassword = " + r(20) + "\n", "generic-api-key"},
		{"notebook", `   "source": ["API_TOKEN = \"` + r(30) + `\"\n"]`, "generic-api-key"},

		// Decoys.
		// Flask's configuration page shows the key secrets.token_hex() printed (split, so
		// that this file does not hold it whole).
		{"flask's documented key", "SECRET_KEY = '" + "192b9bdd22ab9ed4d12e236c" + "78afcb9a393ec15f71bbf5dc987d54727823bcbf'", ""},
		{"csrf meta", `<meta name="csrf-token" content="` + r(40) + `">`, ""},
		{"typescript field of its own type", "interface Flow {\n    oAuth2GrantType: OAuth2GrantType;\n    authCodeUrl: AuthCodeUrl;\n}", ""},
		{"re-export", "exports.setOAuthToObject = setOAuthToObject;", ""},
		{"type alias", "type AuthFactorType = TAuthFactorType;", ""},
		{"codecov badge", "[![Codecov](https://codecov.io/gh/acme/app/graph/badge.svg?token=" + r(10) + ")](https://codecov.io/gh/acme/app)", ""},
		{"travis badge", "[![Build](https://travis-ci.com/acme/app.svg?token=" + r(20) + "&branch=main)](https://travis-ci.com/acme/app)", ""},
		{"name beside a provider", "// Fastly serves these pages: see GetIsCNAMEToPagesDotGithubDotCom.\nfunc (p *PagesDomain) GetIsCNAMEToPagesDotGithubDotCom() bool {", ""},
		{"minified code after a message", `}catch(e){this.log_("Failed to get token: "+e),o||(this.repoInfo_.nodeAdmin&&warn(e),closeFn())}}}interrupt(e){log("Interrupting connection for reason: "+e)`, ""},
		{"csrf variable", `csrf_token = "` + r(40) + `"`, ""},
		{"rails authenticity token", `<input type="hidden" name="authenticity_token" value="` + r(40) + `">`, ""},
		{"pagination token", `next_page_token: "` + r(40) + `"`, ""},
		{"host name", `auth_host = "auth-prod-7x9k2.eu-west-1.internal"`, ""},
		{"maven coordinate", `token = "org.apache.maven.plugins:maven-surefire-plugin:3.2.5"`, ""},
		{"stand-in", `api_key = "not-a-valid-key"`, ""},
		{"stand-in upper", `API_TOKEN = "USE_YOUR_OWN_TOKEN"`, ""},
		{"docker digest", `token = "sha256:` + g.Chars(setHex, 64) + `"`, ""},
		{"template", `secret_key = "%(SECRET_KEY)s"`, ""},
		{"format braces", `password: "{secret}"`, ""},
		{"command substitution", `export API_TOKEN="$(vault read -field=token secret/ci)"`, ""},
		{"erb", `  secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>`, ""},
		{"table of strings", `{"aws documented secret", "` + r(30) + `"},`, ""},
		{"scheme word", `req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20210101/us-east-1/s3/aws4_request")`, ""},
		{"terraform without default", "variable \"db_password\" {\n  type      = string\n  sensitive = true\n}\n", ""},
		{"git sha", `auth_commit = "` + g.Chars(setHex, 40) + `"`, ""},
		{"uuid", `token = "` + g.Chars(setHex, 8) + "-" + g.Chars(setHex, 4) + "-" + g.Chars(setHex, 4) + "-" + g.Chars(setHex, 4) + "-" + g.Chars(setHex, 12) + `"`, ""},
		{"integrity", `"integrity": "sha512-` + g.Chars(setB64, 86) + `==", "token": "sha512-` + g.Chars(setB64, 86) + `=="`, ""},
		{"version", `"auth-utils": "7.22.5-beta.1234"`, ""},
		{"file path", `secret_file = "/etc/ssl/private/server.key"`, ""},
		{"timestamp", `<AuthenticationStatement AuthenticationInstant="2002-04-18T16:56:53Z" AuthenticationMethod="urn:x">`, ""},
		{"table of names", `    {"pwd", PyInit_pwd},`, ""},
		{"set of names", `NAMES = {'ACErrorCode', 'AuthorizationExternalForm', 'AuthorizationItemSet', 'AUHostIdentifier'}`, ""},
		// Look-alikes from git's own history.
		{"method after a concatenation", `"GIT_AUTHOR_DATE=".strftime("+0000 %Y-%m-%d %H:%M:%S",gmtime($date)),`, ""},
		{"config key holding a URL", `test_config "credential.https://*.org.useHttpPath" true &&`, ""},
		{"config key in a table", `{ "credential.https://dev.azure.com.useHttpPath", "true" },`, ""},
		{"comparison", `pToken->eType!=TT_Space ? pToken->zText : "<space>"); */`, ""},
		{"header parameter", `extraHeader = wWw-aUtHeNtIcAtE: bEaRer auThoRiTy=\"id.example.com\"`, ""},
		{"make rule", `CMakeFiles/git.dir/workspaces/git/builtin/credential.c.o: CMakeFiles/git.dir/flags.make`, ""},
	}
}

// TestGenericContexts: each secret is found once, by its rule, of provider generic and of
// low confidence; each decoy stays quiet.
func TestGenericContexts(t *testing.T) {
	set := builtinSet(t)
	for _, seed := range exampleSeeds {
		for _, c := range genericContexts(NewGenerator(seed)) {
			ms := set.Find([]byte(c.text), "")
			if c.want == "" {
				if len(ms) != 0 {
					t.Errorf("seed %d, %s: unwanted findings:%s\n\ttext: %q", seed, c.name, describe(ms), c.text)
				}
				continue
			}
			if len(ms) != 1 || ms[0].Rule.ID != c.want {
				t.Errorf("seed %d, %s: want one %s finding, got:%s\n\ttext: %q", seed, c.name, c.want, describe(ms), c.text)
				continue
			}
			if m := ms[0]; m.Rule.Provider != "generic" || m.Confidence != ConfidenceLow || !strings.Contains(c.text, m.Secret) {
				t.Errorf("seed %d, %s: provider %q, confidence %s, secret %q", seed, c.name, m.Rule.Provider, m.Confidence, m.Secret)
			}
		}
	}
}

// TestFormatsNamed covers the cases of the issue that are formats of their own: Slack's
// workflow and trigger webhooks and rotating tokens inside links, a signed JWT far longer
// than the matcher's window, and the sample Google API keys of Google's documentation.
func TestFormatsNamed(t *testing.T) {
	set := builtinSet(t)
	for _, seed := range exampleSeeds {
		g := NewGenerator(seed)
		upper := "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		long := g.JWT(`{"sub":"svc-billing","role":"service_role","claims":"` + g.Chars(setAlnum, 1500) + `"}`)
		cases := []contextCase{
			{"slack workflow", "SLACK_WORKFLOW=https://hooks.slack.com/workflows/T" + g.Chars(upper, 8) + "/A" + g.Chars(upper, 10) + "/" + g.Chars("0123456789", 18) + "/" + g.Chars(setAlnum, 24), "slack-webhook-url"},
			{"slack trigger", `curl -X POST "https://hooks.slack.com/triggers/T` + g.Chars(upper, 9) + "/" + g.Chars("0123456789", 13) + "/" + g.Chars(setHex, 32) + `"`, "slack-webhook-url"},
			{"slack enterprise trigger", `SLACK_WEBHOOK_URL = "https://hooks.slack.com/triggers/E` + g.Chars(upper, 10) + "/" + g.Chars("0123456789", 14) + "/" + g.Chars(setHex, 32) + `"`, "slack-webhook-url"},
			{"xoxe in a link", "https://app.example.com/oauth/done?refresh=xoxe-1-" + g.Chars(setAlnum, 146) + "&state=1", "slack-rotating-token"},
			{"xoxe.xoxp in a link", "<a href=\"https://example.com/cb?token=xoxe.xoxp-1-" + g.Chars(setAlnum, 160) + "\">", "slack-rotating-token"},
			{"long jwt", "SUPABASE_SERVICE_KEY=" + long + "\n", "jwt"},
			{"long jwt in a minified line", strings.Repeat("var a=1;", 300) + `var k="` + long + `";` + strings.Repeat("var b=2;", 300), "jwt"},
			// Google's documented samples (split, so that this file holds neither whole).
			{"google documented key", "key=AIzaSyDaGmWKa4J" + "sXZ-HjGw7ISLn_3namBGewQe", ""},
			{"maps samples key", `<script src="https://maps.googleapis.com/maps/api/js?key=AIzaSyB41DRUbKW` + `JHPxaFjMAwdrzWzbVKartNGg&callback=initMap"></script>`, ""},
			{"google key", "GOOGLE_API_KEY=AIza" + g.Chars(setAlnum+"-_", 35), "google-api-key"},
		}
		if len(long) < 2000 {
			t.Fatalf("the long JWT has %d characters", len(long))
		}
		for _, c := range cases {
			ms := set.Find([]byte(c.text), "")
			switch {
			case c.want == "" && len(ms) != 0:
				t.Errorf("seed %d, %s: unwanted findings:%s", seed, c.name, describe(ms))
			case c.want != "" && (len(ms) != 1 || ms[0].Rule.ID != c.want):
				t.Errorf("seed %d, %s: want one %s finding, got:%s", seed, c.name, c.want, describe(ms))
			case c.want == "jwt" && ms[0].Secret != long:
				t.Errorf("seed %d, %s: the token is cut: %d of %d characters", seed, c.name, len(ms[0].Secret), len(long))
			}
		}
	}
}

// TestPairs: a two-part credential is one finding of its provider carrying both parts, and
// the secret half alone is a finding of its own provider where its name says what it is.
func TestPairs(t *testing.T) {
	set := builtinSet(t)
	for _, seed := range exampleSeeds {
		g := NewGenerator(seed)
		id, secret := "AKIA"+g.Chars(setBase32, 16), g.Chars(setB64, 40)
		for name, text := range map[string]string{
			"credentials file":       "[default]\naws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\n",
			"env":                    "AWS_ACCESS_KEY_ID=" + id + "\nAWS_SECRET_ACCESS_KEY=" + secret + "\n",
			"json":                   `{"AccessKeyId": "` + id + `", "SecretAccessKey": "` + secret + `"}`,
			"base64 in a k8s secret": "data:\n  AWS_ACCESS_KEY_ID: " + b64(id) + "\n  AWS_SECRET_ACCESS_KEY: " + b64(secret) + "\n",
		} {
			ms := set.Find([]byte(text), "")
			if len(ms) != 1 || ms[0].Rule.ID != "aws-access-key-id" || ms[0].Secret != id || ms[0].Companion != secret {
				t.Errorf("seed %d, %s: want one aws-access-key-id finding with its secret, got:%s", seed, name, describe(ms))
				continue
			}
			if ms[0].Redacted != id || strings.Contains(Redact(ms[0].Companion, ""), secret) {
				t.Errorf("seed %d, %s: the id shows %q; the secret must stay redacted", seed, name, ms[0].Redacted)
			}
		}
		ms := set.Find([]byte("export AWS_SECRET_ACCESS_KEY="+secret+"\n"), "")
		if len(ms) != 1 || ms[0].Rule.ID != "aws-secret-access-key" || ms[0].Rule.Provider != "aws" || strings.Contains(ms[0].Redacted, secret) {
			t.Errorf("seed %d, secret alone: want one aws-secret-access-key finding, redacted, got:%s", seed, describe(ms))
		}
	}
}
