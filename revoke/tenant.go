package revoke

import (
	"net/http"
	"regexp"
	"strings"
)

// A tenant provider gives every customer a host of its own (an Okta org, a JFrog platform),
// which a leaked token does not name. Its rules find the host beside the token (the rule's
// companion); its calls go to the provider's base-URL variable when it is set (a self-hosted
// instance, a custom domain, the tests), else to https:// and that host, but only when it is
// one of the provider's own domains: a leaked token is never sent to a host that a file next
// to it names, whoever wrote the file.
type tenant struct {
	// base is the base-URL variable's value, when set.
	base string
	// own matches the provider's own hosts.
	own *regexp.Regexp
}

// newTenant reads provider id's base-URL variable.
func newTenant(cfg Config, id string, own *regexp.Regexp) tenant {
	t := tenant{own: own}
	if b, set := cfg.base(id); set {
		t.base = b
	}
	return t
}

// of returns the base URL for secret s, or "" when there is none.
func (t tenant) of(s Secret) string {
	if t.base != "" {
		return t.base
	}
	host := strings.ToLower(strings.TrimSpace(s.Companion))
	if t.own.MatchString(host) {
		return "https://" + host
	}
	return ""
}

// get is the getVerifier of a tenant provider: one request to path at the secret's own
// host, skipped (with noHost, which says why) when that host is not known.
func (t tenant) get(cfg Config, id, path string, header func(Secret) http.Header, noHost string) *getVerifier {
	p := cfg.provider(id)
	return &getVerifier{
		c: cfg.Client, provider: id, accepted: p.Name, rotate: p.Rotate,
		url:    func(s Secret) string { return t.of(s) + path },
		header: header,
		skip: func(s Secret) string {
			if t.of(s) == "" {
				return noHost
			}
			return ""
		},
		answers: map[int]func(*reply) Outcome{},
	}
}
