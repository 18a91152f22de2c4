package revoke

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// openaiProvider verifies every kind of OpenAI key and revokes them through the Administration
// API (providers.md §1): project keys by deleting the key, service-account keys by deleting
// the service account, admin keys by deleting themselves. Keys are matched by redacted_value
// and length; more than one match is never acted on.
type openaiProvider struct {
	c      *Client
	base   string // with /v1
	admin  string
	verify getVerifier
}

// newOpenAI returns the OpenAI provider: LEAKSTOP_OPENAI_URL (scheme and host; /v1 is
// added) and OPENAI_ADMIN_KEY.
func newOpenAI(cfg Config) *openaiProvider {
	base := baseURL(cfg.Env, "openai", "https://api.openai.com") + "/v1"
	return &openaiProvider{
		c:     cfg.Client,
		base:  base,
		admin: cfg.value("OPENAI_ADMIN_KEY"),
		verify: getVerifier{
			c: cfg.Client, provider: "openai", accepted: "OpenAI",
			url: either(isOpenAIAdmin, base+"/organization/admin_api_keys?limit=1", base+"/models"),
			answers: map[int]func(*reply) Outcome{
				http.StatusUnauthorized: func(r *reply) Outcome {
					if msg, _, _ := parseOpenAIError(r.Body); missingScope(msg) {
						return liveBut("a restricted key (it lacks a scope for this call)")(r)
					}
					return invalid(r)
				},
				http.StatusTooManyRequests: func(r *reply) Outcome {
					if _, typ, code := parseOpenAIError(r.Body); typ == "insufficient_quota" || code == "insufficient_quota" {
						return Outcome{Status: outcome.Live, Detail: "authenticated, but the account has no quota"}
					}
					return unknownAnswer(r)
				},
			},
		},
	}
}

const openaiRemedy = "delete the key at https://platform.openai.com/api-keys (project keys) or https://platform.openai.com/settings/organization/admin-keys (admin keys)"

// Remediation says where to delete a key by hand.
func (o *openaiProvider) Remediation(Secret) string { return openaiRemedy }

type openaiError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Code    *string `json:"code"`
	} `json:"error"`
}

func parseOpenAIError(b []byte) (msg, typ, code string) {
	var e openaiError
	if json.Unmarshal(b, &e) != nil {
		return "", "", ""
	}
	if e.Error.Code != nil {
		code = *e.Error.Code
	}
	return e.Error.Message, e.Error.Type, code
}

// missingScope tells a restricted key (live, without the scope for this call) from a bad key.
func missingScope(msg string) bool {
	return strings.Contains(msg, "insufficient permissions") || strings.Contains(msg, "Missing scopes")
}

func isOpenAIAdmin(key string) bool { return strings.HasPrefix(key, "sk-admin-") }

// Verify calls GET /v1/models, or GET /v1/organization/admin_api_keys?limit=1 for admin keys:
// a restricted key's 401 "Missing scopes" is live, and so is a 429 for want of quota.
func (o *openaiProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return o.verify.Verify(ctx, s)
}

// openaiList is every list envelope of the Administration API.
type openaiList[T any] struct {
	Data    []T     `json:"data"`
	HasMore bool    `json:"has_more"`
	LastID  *string `json:"last_id"`
}

type openaiProject struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type openaiKey struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	RedactedValue string `json:"redacted_value"`
	Owner         struct {
		Type           string `json:"type"`
		ServiceAccount *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"service_account"`
	} `json:"owner"`
}

// pages fetches every page of a list, in pages of 100, following last_id while has_more.
func pages[T any](ctx context.Context, o *openaiProvider, s *Secret, auth, path string, q url.Values) ([]T, error) {
	var all []T
	after := ""
	for page := 0; ; page++ {
		if page > 10000 {
			return nil, fmt.Errorf("listing %s: more than 10000 pages; giving up", path)
		}
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("limit", "100")
		if after != "" {
			v.Set("after", after)
		}
		r, err := o.c.do(ctx, request{Provider: "openai", Action: "lookup", Secret: s, Method: http.MethodGet, URL: o.base + path + "?" + v.Encode(), Header: bearer(auth)})
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", path, err)
		}
		if r.Status != http.StatusOK {
			return nil, fmt.Errorf("listing %s: %s", path, httpDetail(r))
		}
		var l openaiList[T]
		if err := json.Unmarshal(r.Body, &l); err != nil {
			return nil, fmt.Errorf("listing %s: the answer is not a list: %w", path, err)
		}
		all = append(all, l.Data...)
		if !l.HasMore || l.LastID == nil || *l.LastID == "" || *l.LastID == after {
			return all, nil
		}
		after = *l.LastID
	}
}

// matchRedacted reports whether key could be the key OpenAI shows as redacted: the visible
// start and end must match, and, for the "first 8, stars, last 4" form, the lengths too.
// A "sk-abc...xyz" form is matched on its two visible parts.
func matchRedacted(redacted, key string) bool {
	if redacted == "" {
		return false
	}
	var pre, suf string
	if p, s, ok := strings.Cut(redacted, "..."); ok {
		pre, suf = p, s
	} else {
		i := strings.IndexByte(redacted, '*')
		if i < 0 {
			return redacted == key
		}
		j := strings.LastIndexByte(redacted, '*')
		pre, suf = redacted[:i], redacted[j+1:]
		if len(redacted) != len(key) {
			return false
		}
	}
	return (pre != "" || suf != "") && showsAs(key, pre, suf)
}

// Revoke deletes the key (or its service account) with OPENAI_ADMIN_KEY; an admin key with
// the configured admin key or with itself.
func (o *openaiProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if isOpenAIAdmin(s.Value) {
		return o.revokeAdmin(ctx, s, dryRun)
	}
	if o.admin == "" {
		return needsCredential("OPENAI_ADMIN_KEY", "an admin key of the same organization", openaiRemedy), nil
	}
	projects, err := pages[openaiProject](ctx, o, &s, o.admin, "/organization/projects", url.Values{"include_archived": {"false"}})
	if err != nil {
		return Outcome{}, err
	}
	type match struct {
		project openaiProject
		key     openaiKey
	}
	var found []match
	for _, p := range projects {
		keys, err := pages[openaiKey](ctx, o, &s, o.admin, "/organization/projects/"+url.PathEscape(p.ID)+"/api_keys", url.Values{"owner_project_access": {"any"}})
		if err != nil {
			return Outcome{}, err
		}
		for _, k := range keys {
			if matchRedacted(k.RedactedValue, s.Value) {
				found = append(found, match{p, k})
			}
		}
	}
	// Not found: most often a key of another organization, which an admin key of that one
	// revokes; a legacy user key outside projects only a person can delete.
	notFound := Outcome{Status: outcome.NeedsCredential, Detail: fmt.Sprintf("key not found in the %d projects of OPENAI_ADMIN_KEY's organization: it belongs to another organization, or is a user key outside projects; %s",
		len(projects), credentialHint("OPENAI_ADMIN_KEY", "an admin key of the key's organization", openaiRemedy))}
	m, out := oneMatch(found, func(m match) string { return m.key.ID + " in " + m.project.ID }, notFound, "deleted", openaiRemedy)
	if out != nil {
		return *out, nil
	}
	if m.key.Owner.Type == "service_account" && m.key.Owner.ServiceAccount != nil {
		sa := m.key.Owner.ServiceAccount
		what := fmt.Sprintf("service account %s (%q) of project %s, which owns key %s: deleting it also revokes every other key of that service account", sa.ID, sa.Name, m.project.ID, m.key.ID)
		if dryRun {
			return Outcome{Status: outcome.DryRun, Detail: "would delete " + what}, nil
		}
		return o.delete(ctx, s, "/organization/projects/"+url.PathEscape(m.project.ID)+"/service_accounts/"+url.PathEscape(sa.ID), o.admin, "deleted "+what)
	}
	what := fmt.Sprintf("project key %s (%q) of project %s", m.key.ID, m.key.Name, m.project.ID)
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete " + what}, nil
	}
	return o.delete(ctx, s, "/organization/projects/"+url.PathEscape(m.project.ID)+"/api_keys/"+url.PathEscape(m.key.ID), o.admin, "deleted "+what)
}

func (o *openaiProvider) revokeAdmin(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	auth, whose := o.admin, "OPENAI_ADMIN_KEY"
	if auth == "" {
		auth, whose = s.Value, "the leaked admin key itself"
	}
	keys, err := pages[openaiKey](ctx, o, &s, auth, "/organization/admin_api_keys", nil)
	if err != nil {
		return Outcome{}, err
	}
	var found []openaiKey
	for _, k := range keys {
		// The list has been seen to hold project keys too: only admin entries count.
		if strings.HasPrefix(k.RedactedValue, "sk-admin") && matchRedacted(k.RedactedValue, s.Value) {
			found = append(found, k)
		}
	}
	notFound := Outcome{Status: outcome.Failed, Detail: "admin key not found in the organization of " + whose + "; " + openaiRemedy}
	if o.admin != "" {
		notFound = needsCredential("OPENAI_ADMIN_KEY", "an admin key of the leaked admin key's organization", openaiRemedy)
		notFound.Detail = "admin key not found in the organization of OPENAI_ADMIN_KEY; " + notFound.Detail
	}
	k, out := oneMatch(found, func(k openaiKey) string { return k.ID }, notFound, "deleted", openaiRemedy)
	if out != nil {
		return *out, nil
	}
	what := fmt.Sprintf("admin key %s (%q) with %s", k.ID, k.Name, whose)
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete " + what}, nil
	}
	return o.delete(ctx, s, "/organization/admin_api_keys/"+url.PathEscape(k.ID), auth, "deleted "+what)
}

func (o *openaiProvider) delete(ctx context.Context, s Secret, path, auth, what string) (Outcome, error) {
	r, err := o.c.do(ctx, request{Provider: "openai", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: o.base + path, Header: bearer(auth)})
	if err != nil {
		return Outcome{}, fmt.Errorf("deleting: %w (it may have happened: leakstop verifies before trying again)", err)
	}
	switch r.Status {
	case http.StatusOK, http.StatusNoContent:
		if !acknowledged(r) {
			return notAcknowledged("deleting", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: what}, nil
	case http.StatusNotFound:
		// Gone already; the verification that follows tells whether it is dead.
		return Outcome{Status: outcome.Revoked, Detail: "already deleted (HTTP 404)"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(r)}, nil
}
