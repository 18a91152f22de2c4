package revoke

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leakstop/leakstop/rules"
)

// operatorCredentials are the environment variables that hold credentials leakstop uses to
// revoke or to file issues. Their values are redacted like leaked secrets.
var operatorCredentials = []string{
	"OPENAI_ADMIN_KEY", "ANTHROPIC_ADMIN_KEY", "GITHUB_TOKEN", "GITLAB_TOKEN",
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "CLOUDFLARE_API_TOKEN", "SENDGRID_API_KEY",
}

// Registry maps provider names ("openai") to their Verifier. Members are listed by hand in
// Builtin; registering a name twice is an error, not a silent replacement.
type Registry struct {
	m map[string]Verifier
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: map[string]Verifier{}} }

// Register adds v under name.
func (r *Registry) Register(name string, v Verifier) error {
	if name == "" || name != strings.ToLower(name) {
		return fmt.Errorf("registering provider %q: the name must be lower case and not empty", name)
	}
	if v == nil {
		return fmt.Errorf("registering provider %q: no verifier", name)
	}
	if _, ok := r.m[name]; ok {
		return fmt.Errorf("registering provider %q: already registered", name)
	}
	r.m[name] = v
	return nil
}

// lookup returns the verifier of provider name.
func (r *Registry) lookup(name string) (Verifier, bool) {
	v, ok := r.m[name]
	return v, ok
}

// Names lists the registered providers, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.m))
	for n := range r.m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Config is what the built-in providers need: the shared client and the environment, from
// which each reads its base URL (LEAKSTOP_<PROVIDER>_URL, GITHUB_API_URL) and operator
// credential (OPENAI_ADMIN_KEY, ANTHROPIC_ADMIN_KEY, AWS_*…).
type Config struct {
	Client *Client
	Env    Env
}

// value returns the environment variable name, trimmed: an operator credential or setting.
func (cfg Config) value(name string) string { return strings.TrimSpace(cfg.Env(name)) }

// Builtin returns the registry of every provider leakstop knows, listed by hand.
func Builtin(cfg Config) (*Registry, error) {
	if cfg.Env == nil {
		cfg.Env = func(string) string { return "" }
	}
	if cfg.Client == nil {
		cfg.Client = &Client{}
	}
	if cfg.Client.Redactor == nil {
		cfg.Client.Redactor = &rules.Redactor{}
	}
	// Operator credentials are secrets too: nothing leakstop writes may show them.
	for _, k := range operatorCredentials {
		if v := cfg.Env(k); v != "" {
			cfg.Client.Redactor.Add(v, rules.Redact(v, ""))
		}
	}
	r := NewRegistry()
	entries := []struct {
		name string
		v    Verifier
	}{
		{"openai", newOpenAI(cfg)},
		{"anthropic", newAnthropic(cfg)},
		{"github", newGitHub(cfg)},
		{"gitlab", newGitLab(cfg)},
		{"slack", newSlack(cfg)},
		{"npm", newNPM(cfg)},
		{"aws", newAWS(cfg)},
		{"sendgrid", newSendGrid(cfg)},
		{"cloudflare", newCloudflare(cfg)},
		{"huggingface", newHuggingFace(cfg)},
		{"stripe", newStripe(cfg)},
		{"groq", newGroq(cfg)},
		{"discord", newDiscord(cfg)},
		{"telegram", newTelegram(cfg)},
		{"digitalocean", newDigitalOcean(cfg)},
		{"replicate", newReplicate(cfg)},
	}
	for _, e := range entries {
		if err := r.Register(e.name, e.v); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// baseURL returns the base URL of provider: LEAKSTOP_<PROVIDER>_URL without a trailing
// slash, or def.
func baseURL(env Env, provider, def string) string {
	b, _ := overrideURL(env, provider, def)
	return b
}

// overrideURL is baseURL, and whether LEAKSTOP_<PROVIDER>_URL set it: providers whose
// secrets are URLs (webhooks) send them there too, and only then.
func overrideURL(env Env, provider, def string) (base string, set bool) {
	if v := strings.TrimSpace(env("LEAKSTOP_" + strings.ToUpper(provider) + "_URL")); v != "" {
		return strings.TrimRight(v, "/"), true
	}
	return def, false
}
