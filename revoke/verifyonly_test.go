package revoke

import (
	"strings"
	"testing"
)

// TestVerifyOnly: the providers that verify in Go and have no API to revoke with are no
// Revoker, say no revoke call, and send a person to a page where the secret is rotated;
// the regional ones ask their hosts in the documented order.
func TestVerifyOnly(t *testing.T) {
	cfg := Config{Client: &Client{}, Env: func(string) string { return "" }}
	providers := map[string]verifyOnly{
		"intercom": newIntercom(cfg), "mailchimp": newMailchimp(cfg), "mailjet": newMailjet(cfg),
		"postmark": newPostmark(cfg), "razorpay": newRazorpay(cfg), "sparkpost": newSparkPost(cfg),
		"vonage": newVonage(cfg), "adyen": newAdyen(cfg),
	}
	for id, p := range providers {
		if _, ok := any(p).(Revoker); ok {
			t.Errorf("%s revokes", id)
		}
		if c := p.Describe(); c.Verify == "" || c.Revoke != "" {
			t.Errorf("%s: calls %+v", id, c)
		}
		if r := p.Remediation(Secret{}); !strings.Contains(r, "https://") {
			t.Errorf("%s: remediation %q names no page", id, r)
		}
	}
	rs, ok := providers["adyen"].verify.(regional)
	if !ok || len(rs) != 2 {
		t.Fatalf("adyen asks %d hosts", len(rs))
	}
	var urls []string
	for _, g := range rs {
		urls = append(urls, g.url(Secret{}))
	}
	if got := strings.Join(urls, " "); got != "https://management-test.adyen.com/v3/me https://management-live.adyen.com/v3/me" {
		t.Errorf("adyen asks %s", got)
	}
}
