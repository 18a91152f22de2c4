package fake

import (
	"net/url"
	"strings"
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
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_GITLAB_URL": f.URL}, Add: func(v, _ string) { f.AddToken(v) }}
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
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_CLOUDFLARE_URL": f.URL}, Add: func(v, _ string) { f.AddToken(v) }}
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
		"perplexity": func(t testing.TB) *Setup {
			f := NewPerplexity(t)
			return &Setup{Server: f.Server, Env: map[string]string{"LEAKSTOP_PERPLEXITY_URL": f.URL}, Add: func(v, _ string) { f.AddKey(v) }}
		},
	}
}
