package revoke

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leakstop/leakstop/rules"
)

// OperatorCredentials lists, sorted, the environment variables that hold operator
// credentials leakstop may use for a provider (OPENAI_ADMIN_KEY), as the providers' files
// name them. Their values are secrets: Builtin has them redacted like leaked ones.
func OperatorCredentials() []string {
	var vs []string
	for _, p := range rules.Providers() {
		vs = append(vs, p.Credentials...)
	}
	slices.Sort(vs)
	return slices.Compact(vs)
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

// Lookup returns the verifier of provider name. A provider that can revoke implements
// Revoker or BatchRevoker too.
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
// which each reads its base URL (its file's url_env: LEAKSTOP_<PROVIDER>_URL, GITHUB_API_URL)
// and its operator credentials (OPENAI_ADMIN_KEY, ANTHROPIC_ADMIN_KEY, AWS_*…).
type Config struct {
	Client *Client
	Env    Env
}

// value returns the environment variable name, trimmed: an operator credential or setting.
func (cfg Config) value(name string) string { return strings.TrimSpace(cfg.Env(name)) }

// goProvider is a provider whose verification or revocation needs Go code: its file (one a
// provider, beside this one) and its constructor.
type goProvider struct {
	id   string
	make func(Config) Verifier
}

// goProviders are the providers with Go code, listed by hand. Every other provider file with
// a [verify] table is registered with the verification it declares.
func goProviders() []goProvider {
	return []goProvider{
		{"openai", func(cfg Config) Verifier { return newOpenAI(cfg) }},
		{"anthropic", func(cfg Config) Verifier { return newAnthropic(cfg) }},
		{"github", func(cfg Config) Verifier { return newGitHub(cfg) }},
		{"gitlab", func(cfg Config) Verifier { return newGitLab(cfg) }},
		{"slack", func(cfg Config) Verifier { return newSlack(cfg) }},
		{"npm", func(cfg Config) Verifier { return newNPM(cfg) }},
		{"aws", func(cfg Config) Verifier { return newAWS(cfg) }},
		{"sendgrid", func(cfg Config) Verifier { return newSendGrid(cfg) }},
		{"cloudflare", func(cfg Config) Verifier { return newCloudflare(cfg) }},
		{"discord", func(cfg Config) Verifier { return newDiscord(cfg) }},
		{"openrouter", func(cfg Config) Verifier { return newOpenRouter(cfg) }},
		{"xai", func(cfg Config) Verifier { return newXAI(cfg) }},
		{"perplexity", func(cfg Config) Verifier { return newPerplexity(cfg) }},
		{"elevenlabs", func(cfg Config) Verifier { return newElevenLabs(cfg) }},
		{"langfuse", func(cfg Config) Verifier { return newLangfuse(cfg) }},
		{"wandb", func(cfg Config) Verifier { return newWandb(cfg) }},
	}
}

// Builtin returns the registry of every provider leakstop knows: those with Go code, listed
// by hand, and every provider file that declares its verification.
func Builtin(cfg Config) (*Registry, error) { return builtin(cfg, nil) }

// builtin is Builtin; read, when set, hears every environment variable each provider reads
// (a test holds them to the provider's file).
func builtin(cfg Config, read func(provider, variable string)) (*Registry, error) {
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
	for _, k := range OperatorCredentials() {
		if v := cfg.Env(k); v != "" {
			cfg.Client.Redactor.Add(v, rules.Redact(v, ""))
		}
	}
	of := func(id string) Config {
		c := cfg
		if read != nil {
			c.Env = func(k string) string {
				read(id, k)
				return cfg.Env(k)
			}
		}
		return c
	}
	r := NewRegistry()
	for _, g := range goProviders() {
		if _, ok := rules.LookupProvider(g.id); !ok {
			return nil, fmt.Errorf("registering provider %q: it has Go code but no file rules/builtin/%s.toml", g.id, g.id)
		}
		if err := r.Register(g.id, g.make(of(g.id))); err != nil {
			return nil, err
		}
	}
	for _, p := range rules.Providers() {
		if _, ok := r.m[p.ID]; ok || p.Verify == nil {
			continue
		}
		if err := r.Register(p.ID, declared(of(p.ID), p.ID)); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Describer is implemented by providers with Go code, to say for people which calls they
// make: the README's provider table and `leakstop providers` show it. An empty Verify means
// the verification is the one the provider's file declares.
type Describer interface {
	Describe() Calls
}

// Calls says, for people, how a provider verifies and revokes secrets: which requests, with
// which credential. Markdown code spans are fine.
type Calls struct {
	Verify, Revoke string
}

// ProviderInfo is what leakstop does for one provider: its file, and whether the registry
// verifies and revokes its secrets, and how.
type ProviderInfo struct {
	rules.Provider
	Verifies, Revokes bool
	Calls             Calls
}

// Providers describes every built-in provider with what r does for it, sorted by id.
func (r *Registry) Providers() []ProviderInfo {
	var out []ProviderInfo
	for _, p := range rules.Providers() {
		info := ProviderInfo{Provider: p}
		v, ok := r.m[p.ID]
		if ok {
			info.Verifies = true
			_, rv := v.(Revoker)
			_, batch := v.(BatchRevoker)
			info.Revokes = rv || batch
			if d, ok := v.(Describer); ok {
				info.Calls = d.Describe()
			}
		}
		if info.Calls.Verify == "" && p.Verify != nil {
			info.Calls.Verify = "`" + p.Verify.Method + " " + p.Verify.Path + "`"
		}
		out = append(out, info)
	}
	return out
}
