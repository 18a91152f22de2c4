package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// mailgunProvider verifies private API keys with GET /v3/domains (mailgun.toml's [verify]) on
// the US host and then the EU one, and deletes a key of the Keys API with DELETE
// /v1/keys/{id}, with the key itself or MAILGUN_API_KEY. A key's id has the shape of its
// last two groups (the Keys API's examples: "e2153fd0-e0277777"); the key is deleted only
// when GET /v1/keys lists that id, as SendGrid's revoker confirms its key's id. The
// account's original "key-" key has no id there: it is reset in the Control Panel.
type mailgunProvider struct {
	c        *Client
	hosts    []string // the bases to look for the key in, in order
	operator string
	verify   regional
}

// The hosts of Mailgun's two regions.
const (
	mailgunUS = "https://api.mailgun.net"
	mailgunEU = "https://api.eu.mailgun.net"
)

// newMailgun returns the Mailgun provider: LEAKSTOP_MAILGUN_URL (one host for both regions),
// MAILGUN_API_KEY.
func newMailgun(cfg Config) *mailgunProvider {
	m := &mailgunProvider{c: cfg.Client, operator: cfg.value("MAILGUN_API_KEY"), verify: onRegions(cfg, "mailgun", mailgunUS, mailgunEU)}
	if base, set := cfg.base("mailgun"); set {
		m.hosts = []string{base}
	} else {
		m.hosts = []string{mailgunUS, mailgunEU}
	}
	return m
}

const mailgunRemedy = "delete the key at https://app.mailgun.com/settings/api_security (a \"key-\" primary key: reset it there)"

// Remediation says where to delete a key by hand.
func (m *mailgunProvider) Remediation(Secret) string { return mailgunRemedy }

// Verify asks GET /v3/domains in each region.
func (m *mailgunProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return m.verify.Verify(ctx, s)
}

// mailgunKeyID returns the id of a Keys API key: its last two groups; "" for a "key-" key.
func mailgunKeyID(v string) string {
	parts := strings.Split(v, "-")
	if len(parts) != 3 || len(parts[0]) != 32 || len(parts[1]) != 8 || len(parts[2]) != 8 {
		return ""
	}
	return parts[1] + "-" + parts[2]
}

// Revoke deletes the key by its id once the key list of its region shows that id.
func (m *mailgunProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	id := mailgunKeyID(s.Value)
	if id == "" {
		return Outcome{Status: outcome.Unsupported, Detail: "a \"key-\" key is the account's primary key, which the Keys API does not list: reset it at https://app.mailgun.com/settings/api_security"}, nil
	}
	// The id is a part of the key: it stays out of every line leakstop writes.
	m.c.Redactor.Add(id, "<key id>")
	auth, whose := operatorOr(s, m.operator, "MAILGUN_API_KEY")
	refused := 0
	for _, host := range m.hosts {
		r, err := m.c.do(ctx, request{Provider: "mailgun", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: host + "/v1/keys", Header: basicAuth("api", auth)})
		if err != nil {
			return Outcome{}, err
		}
		switch {
		case r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden:
			refused++
			continue
		case r.Status != http.StatusOK:
			return Outcome{Status: outcome.Failed, Detail: "listing keys: " + httpDetail(r)}, nil
		}
		var l struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if err := json.Unmarshal(r.Body, &l); err != nil {
			return Outcome{Status: outcome.Failed, Detail: "listing keys: the answer is not a list"}, nil
		}
		found := false
		for _, k := range l.Items {
			found = found || k.ID == id
		}
		if !found {
			continue
		}
		if dryRun {
			return Outcome{Status: outcome.DryRun, Detail: "would delete the API key (DELETE /v1/keys/{id}, its id being the key's last two groups) with " + whose}, nil
		}
		d, err := m.c.do(ctx, request{Provider: "mailgun", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: host + "/v1/keys/" + url.PathEscape(id), Header: basicAuth("api", auth)})
		if err != nil {
			return Outcome{}, err
		}
		switch {
		case d.Status == http.StatusOK || d.Status == http.StatusNoContent:
			if !acknowledged(d) {
				return notAcknowledged("deleting the key", d), nil
			}
			return Outcome{Status: outcome.Revoked, Detail: "deleted the API key with " + whose}, nil
		}
		return Outcome{Status: outcome.Failed, Detail: "deleting the key: " + httpDetail(d)}, nil
	}
	if refused == len(m.hosts) {
		if m.operator != "" {
			return Outcome{Status: outcome.Failed, Detail: "MAILGUN_API_KEY may not list API keys (it needs the admin role); " + mailgunRemedy}, nil
		}
		out := needsCredential("MAILGUN_API_KEY", "an admin-role key of the same account", mailgunRemedy)
		out.Detail = "the key may not manage API keys; " + out.Detail
		return out, nil
	}
	if m.operator != "" {
		out := needsCredential("MAILGUN_API_KEY", "an admin-role key of the leaked key's account", mailgunRemedy)
		out.Detail = "the key's id is not in the key list of the account of MAILGUN_API_KEY; " + out.Detail
		return out, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "the key's id is not in its own account's key list: nothing deleted; " + mailgunRemedy}, nil
}

// Describe says which calls the Mailgun provider makes.
func (m *mailgunProvider) Describe() Calls {
	return Calls{
		Verify: "`GET /v3/domains` (basic `api:<key>`), on the US host then the EU one",
		Revoke: "finds the key's id in `GET /v1/keys`, then `DELETE /v1/keys/{id}`, with the key itself or `MAILGUN_API_KEY`; `key-` keys: unsupported",
	}
}
