package revoke

import (
	"net/http"
	"regexp"
	"strings"
)

// newMailchimp returns the Mailchimp provider: Marketing API keys verify with GET /3.0/ping
// on the key's own data center, the "-usN" its key ends with (https://<dc>.api.mailchimp.com),
// with HTTP basic auth: any user, the key as the password. LEAKSTOP_MAILCHIMP_URL takes every
// data center's calls when set. Mailchimp has no API that deletes a key.
func newMailchimp(cfg Config) verifyOnly {
	base, override := cfg.base("mailchimp")
	host := func(s Secret) string {
		if override {
			return base
		}
		return "https://" + mailchimpDC(s.Value) + ".api.mailchimp.com"
	}
	p := cfg.provider("mailchimp")
	ping := &getVerifier{
		c: cfg.Client, provider: "mailchimp", accepted: p.Name, rotate: p.Rotate,
		url: func(s Secret) string { return host(s) + "/3.0/ping" },
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
	return verifyOnly{
		verify: ping,
		remedy: "Mailchimp has no API to delete a key: delete it at https://admin.mailchimp.com/account/api/",
		calls:  "`GET /3.0/ping` on the key's data center (`https://<dc>.api.mailchimp.com`)",
	}
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
