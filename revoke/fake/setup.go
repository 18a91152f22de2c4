package fake

import (
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Setup is a provider's fake made ready for a test that knows nothing of the provider (the
// dry-run test runs every revoker so): the variables that point leakstop at it, with the
// operator credentials it accepts, and how to make a secret live there.
type Setup struct {
	Server *Server
	// Env points leakstop at the fake.
	Env map[string]string
	// Add makes value (with companion, the second value a provider needs: the AWS secret
	// access key) a live secret of the fake.
	Add func(value, companion string)
	// Live reports whether the fake still accepts value.
	Live func(value string) bool
	// Reads, when set, tells the calls other than GET and HEAD that the provider documents
	// as reads, which change nothing (AWS's Query protocol posts every action).
	Reads func(Call) bool
}

// Start starts the fake of provider: its hand-written fake (setups) or its Row.
func Start(t testing.TB, provider string) (*Setup, bool) {
	if mk, ok := setups()[provider]; ok {
		s := mk(t)
		if s.Live == nil {
			s.Live = s.Server.Live
		}
		return s, true
	}
	row, ok := RowFor(provider)
	if !ok {
		return nil, false
	}
	f := NewTable(t, row)
	env := row.Env
	if env == "" {
		env = "LEAKSTOP_" + strings.ToUpper(strings.ReplaceAll(provider, "-", "_")) + "_URL"
	}
	return &Setup{Server: f.Server, Env: map[string]string{env: f.URL}, Add: func(v, _ string) { f.AddKey(v) }, Live: f.Live}, true
}

// Operator credentials the hand-written fakes accept. They are not key-shaped: nothing
// leakstop scans may take them for a leak.
const (
	operatorOpenAI    = "operator-openai-admin-key"
	operatorAnthropic = "operator-anthropic-admin-key"
	// Twilio's account credential, Square's application.
	operatorTwilioSID    = "AC-operator-account"
	operatorTwilioToken  = "operator-twilio-auth-token"
	operatorSquareApp    = "sq0idp-operator-application"
	operatorSquareSecret = "operator-square-application-secret"
	// The apps OAuth tokens are issued to: Twitch's (which wants no secret to revoke), Box's
	// and Zoom's.
	operatorTwitchClient = "operator-twitch-client"
	operatorBoxClient    = "operator-box-client"
	operatorBoxSecret    = "operator-box-client-secret"
	operatorZoomSecret   = "operator-zoom-client-secret"
	operatorTailscale    = "operator-tailscale-api-key"
	operatorGoogle       = "operator-google-access-token"
	operatorScaleway     = "operator-scaleway-secret-key"
	operatorMapbox       = "operator-mapbox-tokens-write"
	operatorUpstash      = "operator-upstash-developer-api-key"
	operatorGitLab       = "operator-gitlab-admin-token"
)

// setups are the hand-written fakes, by provider, listed by hand: the providers whose calls
// a Row cannot say (lists, pagination, SigV4, batches).
func setups() map[string]func(testing.TB) *Setup {
	return map[string]func(testing.TB) *Setup{
		"openai": func(t testing.TB) *Setup {
			f := NewOpenAI(t, operatorOpenAI)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_OPENAI_URL": f.URL, "OPENAI_ADMIN_KEY": operatorOpenAI},
				Add: func(v, _ string) {
					switch {
					case strings.HasPrefix(v, "sk-admin-"):
						f.AddAdminKey(v)
					case strings.HasPrefix(v, "sk-svcacct-"):
						f.AddKey("proj_jobs", "svc_acct_jobs", v)
					default:
						f.AddKey("proj_web", "", v)
					}
				}}
		},
		"anthropic": func(t testing.TB) *Setup {
			f := NewAnthropic(t, operatorAnthropic)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_ANTHROPIC_URL": f.URL, "ANTHROPIC_ADMIN_KEY": operatorAnthropic},
				Add: func(v, _ string) { f.AddKey(v) }}
		},
		"github": func(t testing.TB) *Setup {
			f := NewGitHub(t, "")
			return &Setup{Server: f.Server, Env: map[string]string{"GITHUB_API_URL": f.URL}, Add: func(v, _ string) { f.AddToken(v) }}
		},
		"gitlab": func(t testing.TB) *Setup {
			f := NewGitLab(t)
			f.SetAdmin(operatorGitLab)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_GITLAB_URL": f.URL, "GITLAB_ADMIN_TOKEN": operatorGitLab}, Add: func(v, _ string) { f.AddToken(v) },
				// A runner token verifies with a POST, and the Token information API looks a
				// token up with one: both only read.
				Reads: func(c Call) bool {
					return c.Method == "POST" && (c.Path == "/api/v4/runners/verify" || c.Path == "/api/v4/admin/token")
				}}
		},
		"slack": func(t testing.TB) *Setup {
			f := NewSlack(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_SLACK_URL": f.URL}, Add: func(v, _ string) { f.AddToken(v) },
				// auth.test, the verification, is a POST that reads; so is the probe of a
				// webhook, whose body is no message (the fake fails a post of one).
				Reads: func(c Call) bool {
					return c.Path == "/api/auth.test" || strings.HasPrefix(c.Path, "/services/") && !strings.HasPrefix(strings.TrimSpace(c.Body), "{")
				}}
		},
		"npm": func(t testing.TB) *Setup {
			f := NewNPM(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_NPM_URL": f.URL}, Add: func(v, _ string) { f.AddToken(v) }}
		},
		"aws": func(t testing.TB) *Setup {
			f := NewAWS(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_AWS_URL": f.URL}, Add: func(v, c string) { f.AddKey(v, c, "alice") },
				// The Query protocol posts every action; GetCallerIdentity only reads.
				Reads: func(c Call) bool {
					form, err := url.ParseQuery(c.Body)
					return err == nil && form.Get("Action") == "GetCallerIdentity"
				}}
		},
		"sendgrid": func(t testing.TB) *Setup {
			f := NewSendGrid(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_SENDGRID_URL": f.URL}, Add: func(v, _ string) { f.AddKey(v) }}
		},
		"cloudflare": func(t testing.TB) *Setup {
			f := NewCloudflare(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_CLOUDFLARE_URL": f.URL}, Add: func(v, email string) {
				if email != "" {
					f.AddGlobalKey(v, email)
				} else {
					f.AddToken(v)
				}
			}}
		},
		"heroku": func(t testing.TB) *Setup {
			f := NewHeroku(t)
			return tokenSetup(f.Server, "LEAKSTOP_HEROKU_URL", f.AddToken)
		},
		"linode": func(t testing.TB) *Setup {
			f := NewLinode(t)
			return tokenSetup(f.Server, "LEAKSTOP_LINODE_URL", f.AddToken)
		},
		"terraform": func(t testing.TB) *Setup {
			f := NewTerraform(t)
			return tokenSetup(f.Server, "LEAKSTOP_TERRAFORM_URL", f.AddToken)
		},
		"pulumi": func(t testing.TB) *Setup {
			f := NewPulumi(t)
			return tokenSetup(f.Server, "LEAKSTOP_PULUMI_URL", f.AddToken)
		},
		"tailscale": func(t testing.TB) *Setup {
			f := NewTailscale(t, operatorTailscale)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_TAILSCALE_URL": f.URL, "TAILSCALE_API_KEY": operatorTailscale}, Add: func(v, _ string) { f.AddKey(v) }}
		},
		"google": func(t testing.TB) *Setup {
			f := NewGoogle(t, operatorGoogle)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_GOOGLE_URL": f.URL, "GOOGLE_OAUTH_ACCESS_TOKEN": operatorGoogle}, Add: f.Add,
				// The token endpoint mints access tokens: a read, which changes nothing.
				Reads: func(c Call) bool { return c.Method == "POST" && c.Path == "/token" }}
		},
		"scaleway": func(t testing.TB) *Setup {
			f := NewScaleway(t, operatorScaleway)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_SCALEWAY_URL": f.URL, "SCW_SECRET_KEY": operatorScaleway}, Add: f.Add}
		},
		"alibaba": func(t testing.TB) *Setup {
			f := NewAlibaba(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_ALIBABA_URL": f.URL}, Add: f.Add}
		},
		"backblaze": func(t testing.TB) *Setup {
			f := NewBackblaze(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_BACKBLAZE_URL": f.URL}, Add: f.Add}
		},
		"ibm-cloud": func(t testing.TB) *Setup {
			f := NewIBMCloud(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_IBM_CLOUD_URL": f.URL}, Add: func(v, _ string) { f.AddKey(v) },
				// The API key grant trades the key for a token: a read, which changes nothing.
				Reads: func(c Call) bool { return c.Method == "POST" && c.Path == "/identity/token" }}
		},
		"mongodb-atlas": func(t testing.TB) *Setup {
			f := NewMongoDBAtlas(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_MONGODB_ATLAS_URL": f.URL}, Add: f.Add,
				// The client-credentials grant mints a token: a read, which changes nothing.
				Reads: func(c Call) bool { return c.Method == "POST" && c.Path == "/api/oauth/token" }}
		},
		"mapbox": func(t testing.TB) *Setup {
			f := NewMapbox(t, operatorMapbox)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_MAPBOX_URL": f.URL, "MAPBOX_ADMIN_TOKEN": operatorMapbox}, Add: func(v, _ string) { f.AddKey(v) }}
		},
		"snowflake": func(t testing.TB) *Setup {
			f := NewSnowflake(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_SNOWFLAKE_URL": f.URL}, Add: func(v, _ string) { f.AddKey(v) },
				// SELECT CURRENT_USER() reads the session's user, which changes nothing.
				Reads: func(c Call) bool { return c.Method == "POST" && c.Path == "/api/v2/statements" }}
		},
		"databricks": func(t testing.TB) *Setup {
			f := NewDatabricks(t)
			return tokenSetup(f.Server, "LEAKSTOP_DATABRICKS_URL", f.AddKey)
		},
		"azure": func(t testing.TB) *Setup {
			f := NewAzureStorage(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_AZURE_URL": f.URL}, Add: f.Add}
		},
		"tencent": func(t testing.TB) *Setup {
			f := NewTencent(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_TENCENT_URL": f.URL}, Add: f.Add,
				// API 3.0 posts every action; GetCallerIdentity only reads.
				Reads: func(c Call) bool { return strings.Contains(c.Auth, "/sts/tc3_request") }}
		},
		"planetscale": func(t testing.TB) *Setup {
			f := NewPlanetScale(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_PLANETSCALE_URL": f.URL}, Add: f.Add}
		},
		"digitalocean": func(t testing.TB) *Setup {
			f := NewDigitalOcean(t)
			return tokenSetup(f.Server, "LEAKSTOP_DIGITALOCEAN_URL", f.AddToken)
		},
		"upstash": func(t testing.TB) *Setup {
			f := NewUpstash(t, "ops@example.com", operatorUpstash)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_UPSTASH_URL": f.URL, "UPSTASH_EMAIL": f.Email, "UPSTASH_API_KEY": operatorUpstash}, Add: func(v, _ string) { f.AddKey(v) }}
		},
		"mailgun": func(t testing.TB) *Setup {
			f := NewMailgun(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_MAILGUN_URL": f.URL}, Add: func(v, _ string) { f.AddKey(v, "admin") }}
		},
		"twilio": twilioSetup,
		"shopify": func(t testing.TB) *Setup {
			f := NewShopify(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_SHOPIFY_URL": f.URL, "LEAKSTOP_SHOPIFY_SHOP": "acme-outdoor.myshopify.com"}, Add: func(v, _ string) { f.AddToken(v) }}
		},
		"square": func(t testing.TB) *Setup {
			f := NewSquare(t, operatorSquareApp, operatorSquareSecret)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_SQUARE_URL": f.URL, "SQUARE_APPLICATION_ID": operatorSquareApp, "SQUARE_APPLICATION_SECRET": operatorSquareSecret},
				Add: func(v, _ string) { f.AddToken(v) }}
		},
		"twitch": func(t testing.TB) *Setup {
			f := NewTwitch(t)
			f.AddClient(operatorTwitchClient, "")
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_TWITCH_URL": f.URL}, Add: func(v, _ string) { f.AddToken(v, operatorTwitchClient) }}
		},
		"box": func(t testing.TB) *Setup {
			f := NewBox(t)
			f.AddClient(operatorBoxClient, operatorBoxSecret)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_BOX_URL": f.URL, "BOX_CLIENT_ID": operatorBoxClient, "BOX_CLIENT_SECRET": operatorBoxSecret},
				Add: func(v, _ string) { f.AddToken(v, operatorBoxClient) }}
		},
		"salesforce": func(t testing.TB) *Setup {
			f := NewSalesforce(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_SALESFORCE_URL": f.URL}, Add: func(v, _ string) { f.AddToken(v, "") }}
		},
		"zoom": func(t testing.TB) *Setup {
			f := NewZoom(t)
			env := map[string]string{"LEAKSTOP_ZOOM_URL": f.URL, "ZOOM_CLIENT_SECRET": operatorZoomSecret}
			// A token is its app's: the app named in its claims is the one whose
			// credentials leakstop is given.
			return &Setup{Server: f.Server, Env: env, Add: func(v, _ string) {
				if id := ZoomClient(v); id != "" {
					f.AddClient(id, operatorZoomSecret)
					env["ZOOM_CLIENT_ID"] = id
					f.AddToken(v, id)
					return
				}
				f.AddToken(v, "")
			}}
		},
		"discord": func(t testing.TB) *Setup {
			f := NewDiscord(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_DISCORD_URL": f.URL}, Add: func(v, _ string) { f.AddToken(v) }, Live: f.Live}
		},
		"openrouter": func(t testing.TB) *Setup {
			f := NewOpenRouter(t, operatorOpenRouter)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_OPENROUTER_URL": f.URL, "OPENROUTER_MANAGEMENT_KEY": operatorOpenRouter}, Add: func(v, _ string) { f.AddKey(v) }}
		},
		"xai": func(t testing.TB) *Setup {
			f := NewXAI(t, operatorXAI)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_XAI_URL": f.URL, "XAI_MANAGEMENT_KEY": operatorXAI}, Add: func(v, _ string) { f.AddKey(v) }}
		},
		"dropbox": func(t testing.TB) *Setup { return Dropbox(t).Setup(nil) },
		"linear":  func(t testing.TB) *Setup { return Linear(t).Setup(nil) },
		"okta":    func(t testing.TB) *Setup { return Okta(t).Setup(nil) },
		"algolia": func(t testing.TB) *Setup {
			f := NewAlgolia(t)
			s := f.Setup(nil)
			s.Add = f.AddPair
			return s
		},
		"datadog": func(t testing.TB) *Setup {
			f := NewDatadog(t, operatorDatadogAPI, operatorDatadogApp)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_DATADOG_URL": f.URL, "DATADOG_ADMIN_API_KEY": operatorDatadogAPI, "DATADOG_ADMIN_APP_KEY": operatorDatadogApp},
				Add: func(v, _ string) { f.AddKey(v) }}
		},
		"perplexity": func(t testing.TB) *Setup {
			f := NewPerplexity(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_PERPLEXITY_URL": f.URL}, Add: func(v, _ string) { f.AddKey(v) }}
		},
	}
}

// twilioSetup is Twilio's fake: an API key belongs to the operator's account; an auth token
// is its account SID's (the companion).
func twilioSetup(t testing.TB) *Setup {
	f := NewTwilio(t)
	f.AddAccount(operatorTwilioSID, operatorTwilioToken)
	companions := map[string]string{}
	var mu sync.Mutex
	return &Setup{Server: f.Server,
		Env: map[string]string{"LEAKSTOP_TWILIO_URL": f.URL, "TWILIO_ACCOUNT_SID": operatorTwilioSID, "TWILIO_AUTH_TOKEN": operatorTwilioToken},
		Add: func(v, companion string) {
			mu.Lock()
			companions[v] = companion
			mu.Unlock()
			if strings.HasPrefix(v, "SK") {
				f.AddKey(operatorTwilioSID, v, companion)
				return
			}
			f.AddAccount(companion, v)
		},
		Live: func(v string) bool {
			mu.Lock()
			c := companions[v]
			mu.Unlock()
			if strings.HasPrefix(v, "SK") {
				return f.Live(v + ":" + c)
			}
			return f.Live(c + ":" + v)
		}}
}

// tokenSetup is the Setup of a fake whose secrets are tokens alone, pointed at by env.
func tokenSetup(s *Server, env string, add func(string)) *Setup {
	return &Setup{Server: s, Env: map[string]string{env: s.URL}, Add: func(v, _ string) { add(v) }}
}
