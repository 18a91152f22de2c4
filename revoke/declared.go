package revoke

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// A provider whose verification is one plain request declares it in its file's [verify]
// table (rules.Verify); declared turns the declaration into the getVerifier that sends it
// through the shared Client, so that retries, Retry-After, the audit log, redaction,
// timeouts and body limits hold for it as for every call. The registry registers such a
// verifier for every provider file with a [verify] table and no Go code; a provider with Go
// code (a revoker) builds its verification from its declaration with declared as well, and
// may read some answers itself (answers).

// provider returns the built-in provider id. Every provider of Builtin has a file (a test
// holds them to it); one without reads as an empty provider, whose calls go nowhere.
func (cfg Config) provider(id string) rules.Provider {
	p, _ := rules.LookupProvider(id)
	return p
}

// base returns the base URL of provider id, without a trailing slash: its URLEnv variable
// when set (LEAKSTOP_<ID>_URL, GITHUB_API_URL), else the default URL of its file; and
// whether the variable set it (providers whose secrets are URLs, webhooks, send them there
// too, and only then).
func (cfg Config) base(id string) (base string, set bool) {
	p := cfg.provider(id)
	if p.URLEnv != "" {
		if v := cfg.value(p.URLEnv); v != "" {
			return strings.TrimRight(v, "/"), true
		}
	}
	return p.URL, false
}

// baseURL is base without whether the variable set it.
func (cfg Config) baseURL(id string) string {
	b, _ := cfg.base(id)
	return b
}

// declared returns the verification that provider id's file declares, or nil when it
// declares none.
func declared(cfg Config, id string) *getVerifier {
	p := cfg.provider(id)
	v := p.Verify
	if v == nil {
		return nil
	}
	base := cfg.baseURL(id)
	g := &getVerifier{
		c: cfg.Client, provider: id, accepted: p.Name, method: v.Method, only: true,
		anyBody: v.Body == "any", rotate: p.Rotate,
		url: func(s Secret) string {
			u := base + strings.Replace(v.Path, "{key}", url.PathEscape(s.Value), 1)
			if v.Auth == "query" {
				sep := "?"
				if strings.Contains(u, "?") {
					sep = "&"
				}
				u += sep + url.QueryEscape(v.Query) + "=" + url.QueryEscape(s.Value)
			}
			return u
		},
		header: func(s Secret) http.Header {
			h := http.Header{}
			for k, x := range v.Headers {
				h.Set(k, x)
			}
			switch v.Auth {
			case "bearer":
				h.Set("Authorization", "Bearer "+s.Value)
			case "header":
				h.Set(v.Header, v.Prefix+s.Value)
			case "basic-user":
				h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(s.Value+":"+v.Password)))
			case "basic-password":
				h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(v.User+":"+s.Value)))
			}
			return h
		},
		answers: map[int]func(*reply) Outcome{},
	}
	if len(v.Skip) > 0 {
		g.skip = func(s Secret) string {
			if slices.Contains(v.Skip, s.Rule) {
				return v.SkipReason
			}
			return ""
		}
	}
	for _, c := range v.Live {
		g.answers[c] = func(r *reply) Outcome { return g.live(r, v) }
	}
	for _, c := range v.Invalid {
		g.answers[c] = invalid
	}
	for _, c := range v.Forbidden {
		g.answers[c] = liveBut("authenticated, but not allowed this call")
	}
	return g
}

// live reads an answer whose status the declaration calls live: its body must be the
// provider's (JSON, unless the declaration takes any), and hold the declared field.
func (g *getVerifier) live(r *reply, v *rules.Verify) Outcome {
	ok := Outcome{Status: outcome.Live, Detail: "accepted by " + g.accepted}
	if v.Body == "any" {
		return ok
	}
	var doc any
	if json.Unmarshal(r.Body, &doc) != nil {
		return Outcome{Status: outcome.Unknown, Detail: fmt.Sprintf("HTTP %d, but the answer is not JSON: not the provider's own answer (a proxy?)", r.Status)}
	}
	if v.JSON == nil {
		return ok
	}
	got, found := jsonField(doc, v.JSON.Field)
	switch {
	case !found:
		return Outcome{Status: outcome.Unknown, Detail: fmt.Sprintf("HTTP %d, but the answer has no %s: not the answer the provider documents", r.Status, v.JSON.Field)}
	case v.JSON.Equals == nil || got == v.JSON.Equals:
		return ok
	}
	st := outcome.Unknown
	if v.JSON.Otherwise == "invalid" {
		st = outcome.Invalid
	}
	return Outcome{Status: st, Detail: fmt.Sprintf("%s: %s is %s", g.accepted, v.JSON.Field, jsonText(got))}
}

// jsonField follows a dotted path ("result.status", "data.0.id") into a decoded document.
func jsonField(doc any, path string) (any, bool) {
	for _, k := range strings.Split(path, ".") {
		switch x := doc.(type) {
		case map[string]any:
			v, ok := x[k]
			if !ok {
				return nil, false
			}
			doc = v
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			doc = x[i]
		default:
			return nil, false
		}
	}
	return doc, true
}

// jsonText shows a value of an answer in a detail, short: the provider wrote it.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
