package revoke

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leakstop/leakstop/rules"
)

// OperatorCredentials are the environment variables that hold credentials leakstop uses to
// revoke or to file issues. Their values are redacted like leaked secrets.
var OperatorCredentials = []string{
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

// Lookup returns the verifier of provider name.
func (r *Registry) Lookup(name string) (Verifier, bool) {
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
	for _, k := range OperatorCredentials {
		if v := cfg.Env(k); v != "" {
			cfg.Client.Redactor.Add(v, rules.Redact(v, ""))
		}
	}
	r := NewRegistry()
	entries := []struct {
		name string
		v    Verifier
	}{
		{"openai", NewOpenAI(cfg)},
		{"anthropic", NewAnthropic(cfg)},
		{"github", NewGitHub(cfg)},
		{"gitlab", NewGitLab(cfg)},
		{"slack", NewSlack(cfg)},
		{"npm", NewNPM(cfg)},
		{"aws", NewAWS(cfg)},
		{"sendgrid", NewSendGrid(cfg)},
		{"cloudflare", NewCloudflare(cfg)},
		{"huggingface", newHuggingFace(cfg)},
		{"stripe", newStripe(cfg)},
		{"groq", newGroq(cfg)},
		{"discord", NewDiscord(cfg)},
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

// baseURL returns LEAKSTOP_<NAME>_URL without a trailing slash, or def.
func baseURL(env Env, name, def string) string {
	if v := strings.TrimSpace(env("LEAKSTOP_" + name + "_URL")); v != "" {
		return strings.TrimRight(v, "/")
	}
	return def
}
