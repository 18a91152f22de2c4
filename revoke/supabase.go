package revoke

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// supabaseProvider verifies Supabase credentials: personal access tokens on the Management
// API (GET /v1/projects), service_role and secret keys on their project's REST API (GET
// /rest/v1/ with the key as apikey), the project taken from a service_role key's claims or
// from the project URL beside a secret key. LEAKSTOP_SUPABASE_URL replaces both the
// Management API and every project's host (tests). Supabase has no API that revokes these.
type supabaseProvider struct {
	c        *Client
	api      string
	base     string
	override bool
}

// newSupabase returns the Supabase provider.
func newSupabase(cfg Config) *supabaseProvider {
	sb := &supabaseProvider{c: cfg.Client, api: "https://api.supabase.com"}
	sb.base, sb.override = cfg.base("supabase")
	if sb.override {
		sb.api = sb.base
	}
	return sb
}

// Remediation says what to do by hand.
func (sb *supabaseProvider) Remediation(s Secret) string {
	if s.Rule == "supabase-access-token" {
		return "revoke the token at https://supabase.com/dashboard/account/tokens"
	}
	return "rotate the project's keys at https://supabase.com/dashboard/project/_/settings/api-keys"
}

var supabaseRef = regexp.MustCompile(`^[a-z0-9]{20}$`)

// projectRef returns the project of a key: a service_role key's ref claim, or the companion
// (the project URL's ref) of a secret key.
func projectRef(s Secret) string {
	if s.Rule == "supabase-service-role-key" {
		parts := strings.Split(s.Value, ".")
		if len(parts) == 3 {
			raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
			var c struct {
				Ref string `json:"ref"`
			}
			if err == nil && json.Unmarshal(raw, &c) == nil && supabaseRef.MatchString(c.Ref) {
				return c.Ref
			}
		}
		return ""
	}
	if supabaseRef.MatchString(s.Companion) {
		return s.Companion
	}
	return ""
}

// Verify asks the API the credential is for.
func (sb *supabaseProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Rule == "supabase-access-token" {
		r, err := sb.c.do(ctx, request{Provider: "supabase", Action: "verify", Secret: &s, Method: http.MethodGet, URL: sb.api + "/v1/projects", Header: bearer(s.Value)})
		if err != nil {
			return Outcome{}, err
		}
		switch {
		case r.Status == http.StatusOK && json.Valid(r.Body):
			return Outcome{Status: outcome.Live, Detail: "accepted by the Supabase Management API"}, nil
		case r.Status == http.StatusUnauthorized:
			return invalid(r), nil
		}
		return unknownAnswer(r), nil
	}
	ref := projectRef(s)
	if ref == "" {
		return Outcome{Status: outcome.Skipped, Detail: "the key's project is not known (its URL is not beside it)"}, nil
	}
	project := "https://" + ref + ".supabase.co"
	if sb.override {
		project = sb.base
	}
	h := bearer(s.Value)
	h.Set("apikey", s.Value)
	r, err := sb.c.do(ctx, request{Provider: "supabase", Action: "verify", Secret: &s, Method: http.MethodGet, URL: project + "/rest/v1/", Header: h})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case r.Status == http.StatusOK && json.Valid(r.Body):
		return Outcome{Status: outcome.Live, Detail: "accepted by the REST API of project " + ref}, nil
	case r.Status == http.StatusUnauthorized:
		return invalid(r), nil
	}
	return unknownAnswer(r), nil
}

// Describe says which calls the Supabase provider makes.
func (sb *supabaseProvider) Describe() Calls {
	return Calls{Verify: "access tokens `GET /v1/projects`; service_role and secret keys `GET https://<ref>.supabase.co/rest/v1/` with the key as `apikey`"}
}
