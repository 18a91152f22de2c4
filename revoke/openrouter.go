package revoke

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// openrouterProvider verifies keys with GET /api/v1/key, as openrouter.toml declares, and
// deletes them with a management key (OPENROUTER_MANAGEMENT_KEY): the leaked key describes
// itself (GET /api/v1/key: its label, limit and creator), the management key lists the
// account's keys with their hashes (GET /api/v1/keys), and the one key whose description is
// the leaked key's is deleted by its hash (DELETE /api/v1/keys/{hash}). A key matched by
// nothing, or by more than one, is left alone.
type openrouterProvider struct {
	c        *Client
	base     string
	operator string
	verify   *getVerifier
}

// newOpenRouter returns the OpenRouter provider: LEAKSTOP_OPENROUTER_URL,
// OPENROUTER_MANAGEMENT_KEY.
func newOpenRouter(cfg Config) *openrouterProvider {
	return &openrouterProvider{
		c:        cfg.Client,
		base:     cfg.baseURL("openrouter") + "/api/v1",
		operator: cfg.value("OPENROUTER_MANAGEMENT_KEY"),
		verify:   declared(cfg, "openrouter"),
	}
}

const openrouterRemedy = "delete the key at https://openrouter.ai/settings/keys"

// openrouterPages bounds the key list: 100 keys a page, so 100,000 keys.
const openrouterPages = 1000

// Remediation says where to delete a key by hand.
func (o *openrouterProvider) Remediation(Secret) string { return openrouterRemedy }

// Verify calls GET /api/v1/key.
func (o *openrouterProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return o.verify.Verify(ctx, s)
}

// openrouterSelf is the data of GET /api/v1/key: the key that calls it.
type openrouterSelf struct {
	Label             string   `json:"label"`
	Limit             *float64 `json:"limit"`
	CreatorUserID     string   `json:"creator_user_id"`
	IsManagementKey   bool     `json:"is_management_key"`
	IsProvisioningKey bool     `json:"is_provisioning_key"`
}

// openrouterKey is one key of GET /api/v1/keys.
type openrouterKey struct {
	Hash          string   `json:"hash"`
	Name          string   `json:"name"`
	Label         string   `json:"label"`
	Limit         *float64 `json:"limit"`
	Disabled      bool     `json:"disabled"`
	CreatorUserID string   `json:"creator_user_id"`
}

// describes reports whether k, of the management key's list, is the key that described
// itself as self (value being the leaked key): the same label, the label's visible ends
// those of the key when it shows them ("sk-or-v1-0e6...c96"), the same limit, and the same
// creator when both name one.
func (self openrouterSelf) describes(k openrouterKey, value string) bool {
	if k.Label == "" || k.Label != self.Label || k.Hash == "" {
		return false
	}
	if pre, suf, ok := strings.Cut(k.Label, "..."); ok && !showsAs(value, pre, suf) {
		return false
	}
	if (k.Limit == nil) != (self.Limit == nil) || k.Limit != nil && *k.Limit != *self.Limit {
		return false
	}
	return k.CreatorUserID == "" || self.CreatorUserID == "" || k.CreatorUserID == self.CreatorUserID
}

// Revoke finds the key's hash in the management key's list and deletes it.
func (o *openrouterProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if o.operator == "" {
		return needsCredential("OPENROUTER_MANAGEMENT_KEY", "a management key of the key's account", openrouterRemedy), nil
	}
	r, err := o.c.do(ctx, request{Provider: "openrouter", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: o.base + "/key", Header: bearer(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	var me struct {
		Data *openrouterSelf `json:"data"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &me) != nil || me.Data == nil || me.Data.Label == "" {
		return Outcome{Status: outcome.Failed, Detail: "the key does not describe itself (GET /api/v1/key): " + httpDetail(r)}, nil
	}
	if me.Data.IsManagementKey || me.Data.IsProvisioningKey {
		return Outcome{Status: outcome.Unsupported, Detail: "a management key, which the key API does not list: delete it at https://openrouter.ai/settings/management-keys"}, nil
	}
	var found []openrouterKey
	for page := 0; page < openrouterPages; page++ {
		q := url.Values{"offset": {strconv.Itoa(page * 100)}}
		l, err := o.c.do(ctx, request{Provider: "openrouter", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: o.base + "/keys?" + q.Encode(), Header: bearer(o.operator)})
		if err != nil {
			return Outcome{}, fmt.Errorf("listing keys: %w", err)
		}
		if l.Status == http.StatusUnauthorized || l.Status == http.StatusForbidden {
			return Outcome{Status: outcome.Failed, Detail: "OPENROUTER_MANAGEMENT_KEY may not list keys (it must be a management key): " + httpDetail(l)}, nil
		}
		if l.Status != http.StatusOK {
			return Outcome{Status: outcome.Failed, Detail: "listing keys with OPENROUTER_MANAGEMENT_KEY: " + httpDetail(l)}, nil
		}
		var keys struct {
			Data []openrouterKey `json:"data"`
		}
		if err := json.Unmarshal(l.Body, &keys); err != nil {
			return Outcome{Status: outcome.Failed, Detail: "listing keys: the answer is not a list"}, nil
		}
		for _, k := range keys.Data {
			if !k.Disabled && me.Data.describes(k, s.Value) {
				found = append(found, k)
			}
		}
		if len(keys.Data) < 100 {
			break
		}
	}
	notFound := needsCredential("OPENROUTER_MANAGEMENT_KEY", "a management key of the key's account", openrouterRemedy)
	notFound.Detail = "no key of OPENROUTER_MANAGEMENT_KEY's account (default workspace) is the leaked one; " + notFound.Detail
	k, out := oneMatch(found, func(k openrouterKey) string { return strconv.Quote(k.Name) }, notFound, "deleted", openrouterRemedy)
	if out != nil {
		return *out, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: fmt.Sprintf("would delete API key %q with OPENROUTER_MANAGEMENT_KEY", k.Name)}, nil
	}
	d, err := o.c.do(ctx, request{Provider: "openrouter", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: o.base + "/keys/" + url.PathEscape(k.Hash), Header: bearer(o.operator)})
	if err != nil {
		return Outcome{}, fmt.Errorf("deleting: %w (it may have happened: leakstop verifies before trying again)", err)
	}
	switch d.Status {
	case http.StatusOK, http.StatusNoContent:
		if !acknowledged(d) {
			return notAcknowledged("deleting", d), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: fmt.Sprintf("deleted API key %q with OPENROUTER_MANAGEMENT_KEY", k.Name)}, nil
	case http.StatusNotFound:
		return Outcome{Status: outcome.Failed, Detail: "deleting: the key is gone from the list (deleted meanwhile?): " + httpDetail(d)}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(d)}, nil
}

// Describe says which calls the OpenRouter provider makes.
func (o *openrouterProvider) Describe() Calls {
	return Calls{Revoke: "with `OPENROUTER_MANAGEMENT_KEY`: the key found in `GET /api/v1/keys` by its own `GET /api/v1/key` (label, limit, creator), then `DELETE /api/v1/keys/{hash}`"}
}
