package revoke

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// backblazeProvider verifies application keys with b2_authorize_account (the key id beside the
// key as the user, the key as the password) and deletes a key allowed to delete keys with
// b2_delete_key, on the API URL its authorization names, with itself.
type backblazeProvider struct {
	c        *Client
	base     string
	override bool
}

// newBackblaze returns the Backblaze provider: LEAKSTOP_BACKBLAZE_URL.
func newBackblaze(cfg Config) *backblazeProvider {
	b := &backblazeProvider{c: cfg.Client}
	b.base, b.override = cfg.base("backblaze")
	return b
}

const backblazeRemedy = "delete the application key at https://secure.backblaze.com/app_keys.htm"

// Remediation says where to delete a key by hand.
func (b *backblazeProvider) Remediation(Secret) string { return backblazeRemedy }

// b2Auth is what b2_authorize_account answers.
type b2Auth struct {
	AuthorizationToken string `json:"authorizationToken"`
	APIInfo            struct {
		StorageAPI struct {
			APIURL       string   `json:"apiUrl"`
			Capabilities []string `json:"capabilities"`
		} `json:"storageApi"`
	} `json:"apiInfo"`
}

// authorize authorizes the key: its authorization, or the outcome that says why not.
func (b *backblazeProvider) authorize(ctx context.Context, s Secret, action string) (*b2Auth, Outcome, error) {
	if s.Companion == "" {
		return nil, Outcome{Status: outcome.Skipped, Detail: "the application key verifies only with its key id, which is not beside it"}, nil
	}
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(s.Companion+":"+s.Value)))
	r, err := b.c.do(ctx, request{Provider: "backblaze", Action: action, Secret: &s, Method: http.MethodGet, URL: b.base + "/b2api/v3/b2_authorize_account", Header: h})
	if err != nil {
		return nil, Outcome{}, err
	}
	var a b2Auth
	switch {
	case r.Status == http.StatusOK && json.Unmarshal(r.Body, &a) == nil && a.AuthorizationToken != "":
		b.c.Redactor.Add(a.AuthorizationToken, "<authorization token>")
		return &a, Outcome{Status: outcome.Live, Detail: "authorized by Backblaze with the key id beside it"}, nil
	case r.Status == http.StatusUnauthorized:
		return nil, invalid(r), nil
	}
	return nil, unknownAnswer(r), nil
}

// Verify calls b2_authorize_account: 200 live, 401 invalid.
func (b *backblazeProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	_, out, err := b.authorize(ctx, s, "verify")
	return out, err
}

// Revoke deletes the key with itself when it may delete keys.
func (b *backblazeProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	a, out, err := b.authorize(ctx, s, "lookup")
	if err != nil {
		return Outcome{}, err
	}
	if a == nil {
		return Outcome{Status: outcome.Failed, Detail: "authorizing the key to delete it: " + out.Detail}, nil
	}
	if !slices.Contains(a.APIInfo.StorageAPI.Capabilities, "deleteKeys") {
		return Outcome{Status: outcome.Unsupported, Detail: "the key may not delete keys (no deleteKeys capability): " + backblazeRemedy}, nil
	}
	api := strings.TrimRight(a.APIInfo.StorageAPI.APIURL, "/")
	if b.override {
		api = b.base
	}
	if !strings.HasPrefix(api, "https://") && !b.override {
		return Outcome{Status: outcome.Failed, Detail: "the authorization names no https API URL; " + backblazeRemedy}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the application key with itself (b2_delete_key)"}, nil
	}
	body, err := json.Marshal(map[string]string{"applicationKeyId": s.Companion})
	if err != nil {
		return Outcome{}, err
	}
	h := http.Header{}
	h.Set("Authorization", a.AuthorizationToken)
	h.Set("Content-Type", "application/json")
	// Deleting a deleted key answers 400: sending it again does no harm.
	r, err := b.c.do(ctx, request{Provider: "backblaze", Action: "revoke", Secret: &s, Method: http.MethodPost, URL: api + "/b2api/v3/b2_delete_key", Header: h, Body: body, Idempotent: true})
	if err != nil {
		return Outcome{}, err
	}
	if r.Status == http.StatusOK && acknowledged(r) {
		return Outcome{Status: outcome.Revoked, Detail: "deleted the application key with itself"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting: " + httpDetail(r) + "; " + backblazeRemedy}, nil
}

// Describe says which calls the Backblaze provider makes.
func (b *backblazeProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /b2api/v3/b2_authorize_account` with the key id beside the key",
		Revoke: "with the key itself, when it has `deleteKeys`: `POST /b2api/v3/b2_delete_key`",
	}
}
