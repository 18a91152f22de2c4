package revoke

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// datadogProvider verifies API keys with GET /api/v1/validate on each Datadog site until one
// knows the key, and deletes a live key through the Key Management API with an operator's
// API and application keys: it lists the organization's keys, finds the one whose whole key
// is the leaked one, and deletes it by its id.
type datadogProvider struct {
	c        *Client
	sites    []string // base URLs, in the order asked
	api, app string   // the operator's keys
	rotate   string
}

// datadogSites are the API hosts of Datadog's sites ("Getting Started with Datadog Sites").
var datadogSites = []string{
	"https://api.datadoghq.com", "https://api.datadoghq.eu", "https://api.us3.datadoghq.com",
	"https://api.us5.datadoghq.com", "https://api.ap1.datadoghq.com", "https://api.ap2.datadoghq.com",
	"https://api.uk1.datadoghq.com", "https://api.ddog-gov.com", "https://api.us2.ddog-gov.com",
}

// newDatadog returns the Datadog provider: LEAKSTOP_DATADOG_URL (one site instead of all),
// DATADOG_ADMIN_API_KEY and DATADOG_ADMIN_APP_KEY.
func newDatadog(cfg Config) *datadogProvider {
	d := &datadogProvider{
		c: cfg.Client, sites: datadogSites, api: cfg.value("DATADOG_ADMIN_API_KEY"), app: cfg.value("DATADOG_ADMIN_APP_KEY"),
		rotate: cfg.provider("datadog").Rotate,
	}
	if b, set := cfg.base("datadog"); set {
		d.sites = []string{b}
	}
	return d
}

const datadogAppKey = "an application key is sent only with an API key, and Datadog answers 403 both to a dead one and to one without the permission: it is verified only by looking it up with DATADOG_ADMIN_API_KEY and DATADOG_ADMIN_APP_KEY"

// Remediation says where to revoke a key by hand.
func (d *datadogProvider) Remediation(s Secret) string {
	if s.Rule == "datadog-app-key" {
		return "revoke the key under Organization Settings > Application Keys on your Datadog site"
	}
	return "revoke the key at " + d.rotate + " (on your Datadog site)"
}

// Verify asks each site whether it knows the API key: 200 {"valid": true} live, 403 on every
// site invalid; an answer that says neither, on any site, leaves it unknown.
func (d *datadogProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Rule == "datadog-app-key" {
		return d.lookupAppKey(ctx, s)
	}
	_, out, err := d.site(ctx, s)
	return out, err
}

// appKeyURL is where the v1 Key Management API reads and deletes application key s, on the
// operator's site: the first of the sites (LEAKSTOP_DATADOG_URL, or US1).
func (d *datadogProvider) appKeyURL(s Secret) string {
	return d.sites[0] + "/api/v1/application_key/" + url.PathEscape(s.Value)
}

// operatorHeader authenticates the operator's calls.
func (d *datadogProvider) operatorHeader() http.Header {
	h := http.Header{}
	h.Set("DD-API-KEY", d.api)
	h.Set("DD-APPLICATION-KEY", d.app)
	return h
}

// lookupAppKey looks an application key up among the operator's organization's ("Get an
// application key", GET /api/v1/application_key/{key}): a key that is there is live; one
// that is not may be another organization's, which says nothing.
func (d *datadogProvider) lookupAppKey(ctx context.Context, s Secret) (Outcome, error) {
	if d.api == "" || d.app == "" {
		return Outcome{Status: outcome.Skipped, Detail: datadogAppKey}, nil
	}
	r, err := d.c.do(ctx, request{Provider: "datadog", Action: "verify", Secret: &s, Method: http.MethodGet, URL: d.appKeyURL(s), Header: d.operatorHeader()})
	if err != nil {
		return Outcome{}, err
	}
	var k struct {
		Key struct {
			Hash string `json:"hash"`
		} `json:"application_key"`
	}
	switch {
	case r.Status == http.StatusOK && json.Unmarshal(r.Body, &k) == nil && k.Key.Hash == s.Value:
		return Outcome{Status: outcome.Live, Detail: "an application key of the organization of DATADOG_ADMIN_API_KEY (" + hostOf(d.sites[0]) + ")"}, nil
	case r.Status == http.StatusNotFound:
		return Outcome{Status: outcome.Unknown, Detail: "not an application key of the organization of DATADOG_ADMIN_API_KEY on " + hostOf(d.sites[0]) + " (another organization's, or deleted)"}, nil
	}
	return unknownAnswer(r), nil
}

// site finds the site that knows the key: its base URL with a live outcome, or "" with the
// outcome of the search.
func (d *datadogProvider) site(ctx context.Context, s Secret) (string, Outcome, error) {
	var unsure *Outcome
	for _, base := range d.sites {
		h := http.Header{}
		h.Set("DD-API-KEY", s.Value)
		r, err := d.c.do(ctx, request{Provider: "datadog", Action: "verify", Secret: &s, Method: http.MethodGet, URL: base + "/api/v1/validate", Header: h})
		if err != nil {
			return "", Outcome{}, err
		}
		var v struct {
			Valid bool `json:"valid"`
		}
		switch {
		case r.Status == http.StatusOK && json.Unmarshal(r.Body, &v) == nil && v.Valid:
			return base, Outcome{Status: outcome.Live, Detail: "accepted by Datadog (" + hostOf(base) + ")"}, nil
		case r.Status == http.StatusForbidden:
			continue
		case unsure == nil:
			o := unknownAnswer(r)
			o.Detail = hostOf(base) + ": " + o.Detail
			unsure = &o
		}
	}
	if unsure != nil {
		return "", *unsure, nil
	}
	return "", Outcome{Status: outcome.Invalid, Detail: fmt.Sprintf("no Datadog site knows the key (%d asked)", len(d.sites))}, nil
}

// hostOf is the host of a base URL, for details.
func hostOf(base string) string {
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Host
	}
	return base
}

// Revoke deletes the API key with the operator's keys: GET /api/v1/api_key/{key} finds it
// by its whole value among the keys of the operator's organization (an answer that names no
// other key: listing them by id would write other keys, whole, to the audit log), and
// DELETE /api/v1/api_key/{key} deletes it.
func (d *datadogProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if d.api == "" || d.app == "" {
		return needsCredential("DATADOG_ADMIN_API_KEY and DATADOG_ADMIN_APP_KEY", "an API key and an application key of the same organization, with api_keys_read and api_keys_write", d.Remediation(s)), nil
	}
	if s.Rule == "datadog-app-key" {
		return d.deleteAppKey(ctx, s, dryRun)
	}
	base, out, err := d.site(ctx, s)
	if err != nil || base == "" {
		if err == nil {
			out = Outcome{Status: outcome.Failed, Detail: "the key's site was not found again: " + out.Detail}
		}
		return out, err
	}
	h := http.Header{}
	h.Set("DD-API-KEY", d.api)
	h.Set("DD-APPLICATION-KEY", d.app)
	u := base + "/api/v1/api_key/" + url.PathEscape(s.Value)
	r, err := d.c.do(ctx, request{Provider: "datadog", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: u, Header: h})
	if err != nil {
		return Outcome{}, err
	}
	var k struct {
		APIKey struct {
			Key  string `json:"key"`
			Name string `json:"name"`
		} `json:"api_key"`
	}
	switch {
	case r.Status == http.StatusNotFound:
		out := needsCredential("DATADOG_ADMIN_API_KEY and DATADOG_ADMIN_APP_KEY", "keys of the leaked key's own organization", d.Remediation(s))
		out.Detail = "the key is not among the API keys of the organization of DATADOG_ADMIN_API_KEY on " + hostOf(base) + "; " + out.Detail
		return out, nil
	case r.Status == http.StatusForbidden || r.Status == http.StatusUnauthorized:
		return Outcome{Status: outcome.Failed, Detail: "DATADOG_ADMIN_API_KEY and DATADOG_ADMIN_APP_KEY may not read API keys on " + hostOf(base) + ": " + httpDetail(r) + "; " + d.Remediation(s)}, nil
	case r.Status != http.StatusOK || json.Unmarshal(r.Body, &k) != nil || k.APIKey.Key != s.Value:
		return Outcome{Status: outcome.Failed, Detail: "looking the key up: " + httpDetail(r)}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the API key (" + hostOf(base) + ")"}, nil
	}
	del, err := d.c.do(ctx, request{Provider: "datadog", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: u, Header: h})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case del.Status == http.StatusOK && acknowledged(del):
		return Outcome{Status: outcome.Revoked, Detail: "deleted the API key with DATADOG_ADMIN_API_KEY (" + hostOf(base) + ")"}, nil
	case del.Status == http.StatusOK:
		return notAcknowledged("deleting", del), nil
	case del.Status == http.StatusNotFound:
		return Outcome{Status: outcome.Revoked, Detail: "already deleted: " + httpDetail(del)}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting the API key: " + httpDetail(del)}, nil
}

// deleteAppKey deletes an application key the operator's organization holds ("Delete an
// application key", DELETE /api/v1/application_key/{key}); the verification looked it up.
func (d *datadogProvider) deleteAppKey(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete the application key (" + hostOf(d.sites[0]) + ")"}, nil
	}
	del, err := d.c.do(ctx, request{Provider: "datadog", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: d.appKeyURL(s), Header: d.operatorHeader()})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case del.Status == http.StatusOK && acknowledged(del):
		return Outcome{Status: outcome.Revoked, Detail: "deleted the application key with DATADOG_ADMIN_API_KEY (" + hostOf(d.sites[0]) + ")"}, nil
	case del.Status == http.StatusOK:
		return notAcknowledged("deleting", del), nil
	case del.Status == http.StatusNotFound:
		return Outcome{Status: outcome.Revoked, Detail: "already deleted: " + httpDetail(del)}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting the application key: " + httpDetail(del)}, nil
}

// Describe says which calls the Datadog provider makes.
func (d *datadogProvider) Describe() Calls {
	return Calls{
		Verify: "API keys: `GET /api/v1/validate` on each Datadog site until one knows the key; application keys: `GET /api/v1/application_key/{key}` with `DATADOG_ADMIN_API_KEY` and `DATADOG_ADMIN_APP_KEY`",
		Revoke: "with `DATADOG_ADMIN_API_KEY` and `DATADOG_ADMIN_APP_KEY`: API keys `GET` then `DELETE /api/v1/api_key/{key}`, application keys `DELETE /api/v1/application_key/{key}`",
	}
}
