package revoke

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// anthropicProvider verifies API and admin keys and deactivates API keys with
// ANTHROPIC_ADMIN_KEY, matched by partial_key_hint (providers.md §2).
type anthropicProvider struct {
	c      *Client
	base   string
	admin  string
	verify getVerifier

	orgOnce  sync.Once
	adminOrg string // the organization of ANTHROPIC_ADMIN_KEY, "" when unknown
}

// newAnthropic returns the Anthropic provider: LEAKSTOP_ANTHROPIC_URL, ANTHROPIC_ADMIN_KEY.
func newAnthropic(cfg Config) *anthropicProvider {
	base := baseURL(cfg.Env, "anthropic", "https://api.anthropic.com")
	return &anthropicProvider{
		c:     cfg.Client,
		base:  base,
		admin: cfg.value("ANTHROPIC_ADMIN_KEY"),
		verify: getVerifier{
			c: cfg.Client, provider: "anthropic", accepted: "Anthropic",
			url:    either(isAnthropicAdmin, base+"/v1/organizations/me", base+"/v1/models?limit=1"),
			header: func(s Secret) http.Header { return anthropicHeaders(s.Value) },
			answers: map[int]func(*reply) Outcome{
				http.StatusNotFound: invalid, // a disabled key (trufflehog's note)
				http.StatusForbidden: func(r *reply) Outcome {
					return Outcome{Status: outcome.Unknown, Detail: "authenticated but not allowed: " + httpDetail(r)}
				},
			},
		},
	}
}

const anthropicRemedy = "deactivate the key at https://console.anthropic.com/settings/keys (admin keys: https://console.anthropic.com/settings/admin-keys)"

// Remediation says where to deactivate a key by hand.
func (a *anthropicProvider) Remediation(Secret) string { return anthropicRemedy }

func anthropicHeaders(key string) http.Header {
	h := http.Header{}
	h.Set("x-api-key", key)
	h.Set("anthropic-version", "2023-06-01")
	return h
}

func isAnthropicAdmin(key string) bool { return strings.HasPrefix(key, "sk-ant-admin") }

// Verify calls GET /v1/models, or GET /v1/organizations/me for admin keys; a disabled key
// answers 404.
func (a *anthropicProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return a.verify.Verify(ctx, s)
}

type anthropicKey struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	PartialKeyHint string `json:"partial_key_hint"`
	Status         string `json:"status"`
	WorkspaceID    string `json:"workspace_id"`
}

// matchHint reports whether key fits a partial_key_hint ("sk-ant-api03-R2D...igAA").
func matchHint(hint, key string) bool {
	pre, suf, ok := strings.Cut(hint, "...")
	return ok && pre != "" && suf != "" && showsAs(key, pre, suf)
}

// Revoke sets the key inactive (reversible) with ANTHROPIC_ADMIN_KEY.
func (a *anthropicProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if isAnthropicAdmin(s.Value) {
		return Outcome{Status: outcome.Unsupported, Detail: "the Admin API cannot disable admin keys: delete it at https://console.anthropic.com/settings/admin-keys"}, nil
	}
	if a.admin == "" {
		return needsCredential("ANTHROPIC_ADMIN_KEY", "an admin key of the same organization", anthropicRemedy), nil
	}
	if out, other := a.otherOrganization(ctx, &s); other {
		return out, nil
	}
	var found []anthropicKey
	after := ""
	for page := 0; ; page++ {
		q := url.Values{"limit": {"1000"}, "status": {"active"}}
		if after != "" {
			q.Set("after_id", after)
		}
		r, err := a.c.do(ctx, request{Provider: "anthropic", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: a.base + "/v1/organizations/api_keys?" + q.Encode(), Header: anthropicHeaders(a.admin)})
		if err != nil {
			return Outcome{}, fmt.Errorf("listing API keys: %w", err)
		}
		if r.Status != http.StatusOK {
			return Outcome{Status: outcome.Failed, Detail: "listing API keys with ANTHROPIC_ADMIN_KEY: " + httpDetail(r)}, nil
		}
		var l struct {
			Data    []anthropicKey `json:"data"`
			HasMore bool           `json:"has_more"`
			LastID  *string        `json:"last_id"`
		}
		if err := json.Unmarshal(r.Body, &l); err != nil {
			return Outcome{}, fmt.Errorf("listing API keys: the answer is not a list: %w", err)
		}
		for _, k := range l.Data {
			if matchHint(k.PartialKeyHint, s.Value) {
				found = append(found, k)
			}
		}
		if !l.HasMore || l.LastID == nil || *l.LastID == after || page > 1000 {
			break
		}
		after = *l.LastID
	}
	notFound := needsCredential("ANTHROPIC_ADMIN_KEY", "an admin key of the key's organization", anthropicRemedy)
	notFound.Detail = "key not found among the active keys of ANTHROPIC_ADMIN_KEY's organization; " + notFound.Detail
	k, out := oneMatch(found, func(k anthropicKey) string { return k.ID }, notFound, "changed", anthropicRemedy)
	if out != nil {
		return *out, nil
	}
	what := fmt.Sprintf("API key %s (%q) set inactive", k.ID, k.Name)
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would set API key " + k.ID + " inactive"}, nil
	}
	h := anthropicHeaders(a.admin)
	h.Set("Content-Type", "application/json")
	// The POST sets the key's status: sending it twice leaves it inactive, as once does.
	r, err := a.c.do(ctx, request{Provider: "anthropic", Action: "revoke", Secret: &s, Method: http.MethodPost, URL: a.base + "/v1/organizations/api_keys/" + url.PathEscape(k.ID), Header: h, Body: []byte(`{"status":"inactive"}`), Idempotent: true})
	if err != nil {
		return Outcome{}, fmt.Errorf("deactivating: %w (it may have happened: leakstop verifies before trying again)", err)
	}
	if r.Status == http.StatusOK {
		if !acknowledged(r) {
			return notAcknowledged("deactivating", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: what}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deactivating: " + httpDetail(r)}, nil
}

// organization asks GET /v1/organizations/me which organization key belongs to; "" when the
// endpoint refuses the key (older accounts answer it for admin keys only) or fails.
func (a *anthropicProvider) organization(ctx context.Context, s *Secret, key string) string {
	r, err := a.c.do(ctx, request{Provider: "anthropic", Action: "lookup", Secret: s, Method: http.MethodGet, URL: a.base + "/v1/organizations/me", Header: anthropicHeaders(key)})
	if err != nil || r.Status != http.StatusOK {
		return ""
	}
	var org struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(r.Body, &org) != nil {
		return ""
	}
	return org.ID
}

// otherOrganization tells whether the leaked key belongs to another organization than
// ANTHROPIC_ADMIN_KEY's (providers.md §2.3): then nothing is changed, and the outcome says
// where to deactivate it. When either organization cannot be told, the key list decides.
func (a *anthropicProvider) otherOrganization(ctx context.Context, s *Secret) (Outcome, bool) {
	leaked := a.organization(ctx, s, s.Value)
	if leaked == "" {
		return Outcome{}, false
	}
	a.orgOnce.Do(func() { a.adminOrg = a.organization(ctx, s, a.admin) })
	if a.adminOrg == "" || a.adminOrg == leaked {
		return Outcome{}, false
	}
	out := needsCredential("ANTHROPIC_ADMIN_KEY", "an admin key of organization "+leaked, anthropicRemedy)
	out.Detail = fmt.Sprintf("the key belongs to organization %s, not to ANTHROPIC_ADMIN_KEY's (%s): nothing changed; %s", leaked, a.adminOrg, out.Detail)
	return out, true
}
