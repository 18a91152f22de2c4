package revoke

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// mailchimpProvider verifies Marketing API keys with GET /3.0/ping on the key's own data
// center, the "-usN" its key ends with (https://<dc>.api.mailchimp.com), with HTTP basic
// auth: any user, the key as the password. Mailchimp has no API that deletes a key.
type mailchimpProvider struct {
	base     string
	override bool
	ping     *getVerifier
}

// newMailchimp returns the Mailchimp provider: LEAKSTOP_MAILCHIMP_URL (every data center's
// calls go there when set).
func newMailchimp(cfg Config) *mailchimpProvider {
	m := &mailchimpProvider{}
	m.base, m.override = cfg.base("mailchimp")
	p := cfg.provider("mailchimp")
	m.ping = &getVerifier{
		c: cfg.Client, provider: "mailchimp", accepted: p.Name, rotate: p.Rotate,
		url: func(s Secret) string { return m.host(s) + "/3.0/ping" },
		header: func(s Secret) http.Header {
			// Mailchimp's quick start: "anystring" as the user.
			return basicAuth("anystring", s.Value)
		},
		skip: func(s Secret) string {
			if mailchimpDC(s.Value) == "" {
				return "the key names no data center (-usN)"
			}
			return ""
		},
	}
	return m
}

var mailchimpDCShape = regexp.MustCompile(`^us[0-9]{1,2}$`)

// mailchimpDC returns the data center a key names ("us6"), or "".
func mailchimpDC(key string) string {
	i := strings.LastIndexByte(key, '-')
	if i < 0 || !mailchimpDCShape.MatchString(key[i+1:]) {
		return ""
	}
	return key[i+1:]
}

// host is the key's data center, or the override.
func (m *mailchimpProvider) host(s Secret) string {
	if m.override {
		return m.base
	}
	return "https://" + mailchimpDC(s.Value) + ".api.mailchimp.com"
}

// Verify pings the key's data center.
func (m *mailchimpProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	out, err := m.ping.Verify(ctx, s)
	if err == nil && out.Status == outcome.Live {
		out.Detail = "accepted by Mailchimp (data center " + mailchimpDC(s.Value) + ")"
	}
	return out, err
}

// Remediation says where to delete a key by hand.
func (m *mailchimpProvider) Remediation(Secret) string {
	return "Mailchimp has no API to delete a key: delete it at https://admin.mailchimp.com/account/api/"
}

// Describe says which calls the Mailchimp provider makes.
func (m *mailchimpProvider) Describe() Calls {
	return Calls{Verify: "`GET /3.0/ping` on the key's data center (`https://<dc>.api.mailchimp.com`)"}
}
