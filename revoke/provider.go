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

// bearer returns headers that authenticate with tok as a bearer token.
func bearer(tok string) http.Header {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+tok)
	return h
}

// message finds the provider's message in an error body: error.message, message, error,
// error_description, errors[0].message, description; or the body itself when short text.
func message(body []byte) string {
	var v struct {
		Error            json.RawMessage `json:"error"`
		Message          string          `json:"message"`
		ErrorDescription string          `json:"error_description"`
		Description      string          `json:"description"`
		Errors           []struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &v) != nil {
		s := strings.TrimSpace(string(body))
		if len(s) > 200 || strings.ContainsAny(s, "<{") {
			return ""
		}
		return s
	}
	if len(v.Error) > 0 {
		var nested struct {
			Message string `json:"message"`
			Type    string `json:"type"`
		}
		if json.Unmarshal(v.Error, &nested) == nil && nested.Message != "" {
			return nested.Message
		}
		var s string
		if json.Unmarshal(v.Error, &s) == nil && s != "" {
			if v.ErrorDescription != "" {
				return s + ": " + v.ErrorDescription
			}
			return s
		}
	}
	switch {
	case v.Message != "":
		return v.Message
	case v.ErrorDescription != "":
		return v.ErrorDescription
	case len(v.Errors) > 0 && v.Errors[0].Message != "":
		return v.Errors[0].Message
	}
	return v.Description
}

// httpDetail describes an answer for people: "HTTP 401: Bad credentials".
func httpDetail(r *Response) string {
	m := message(r.Body)
	if len(m) > 300 {
		m = m[:300] + "…"
	}
	if m == "" {
		return fmt.Sprintf("HTTP %d", r.Status)
	}
	return fmt.Sprintf("HTTP %d: %s", r.Status, m)
}

// unknownAnswer is the outcome of every answer that is neither live nor invalid.
func unknownAnswer(r *Response) Outcome {
	return Outcome{Status: outcome.Unknown, Detail: httpDetail(r)}
}

// bearerVerifier verifies with one GET authenticated by the leaked token: 200 is live, 401
// invalid, 403 live when the provider answers it to keys that lack a permission.
type bearerVerifier struct {
	c         *Client
	name      string
	url       string
	liveOn403 bool
	skip      func(s Secret) string
	remedy    string
	// urlOf, when set, builds the URL from the secret (Telegram puts the token in the path)
	// and the call carries no Authorization header.
	urlOf func(s Secret) string
	// invalidOn404 reads 404 as invalid (Telegram answers it to a malformed token).
	invalidOn404 bool
}

func (b *bearerVerifier) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if b.skip != nil {
		if why := b.skip(s); why != "" {
			return Outcome{Status: outcome.Skipped, Detail: why}, nil
		}
	}
	call := Call{Provider: b.name, Action: "verify", Secret: &s, Method: http.MethodGet, URL: b.url, Header: bearer(s.Value)}
	if b.urlOf != nil {
		call.URL, call.Header = b.urlOf(s), nil
	}
	r, err := b.c.Do(ctx, call)
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case r.Status == http.StatusOK:
		return Outcome{Status: outcome.Live, Detail: "accepted by " + b.name}, nil
	case r.Status == http.StatusUnauthorized, r.Status == http.StatusNotFound && b.invalidOn404:
		return Outcome{Status: outcome.Invalid, Detail: httpDetail(r)}, nil
	case r.Status == http.StatusForbidden && b.liveOn403:
		return Outcome{Status: outcome.Live, Detail: "authenticated, but not allowed this call (a restricted key): " + httpDetail(r)}, nil
	}
	return unknownAnswer(r), nil
}

func (b *bearerVerifier) Remediation(Secret) string { return b.remedy }

// Providers without a revoke API: verification only, and the place to rotate by hand.

func newHuggingFace(cfg Config) *bearerVerifier {
	return &bearerVerifier{
		c: cfg.Client, name: "huggingface",
		url:    baseURL(cfg.Env, "HUGGINGFACE", "https://huggingface.co") + "/api/whoami-v2",
		remedy: "Hugging Face has no revoke API: invalidate the token at https://huggingface.co/settings/tokens",
	}
}

func newStripe(cfg Config) *bearerVerifier {
	return &bearerVerifier{
		c: cfg.Client, name: "stripe", liveOn403: true,
		url: baseURL(cfg.Env, "STRIPE", "https://api.stripe.com") + "/v1/balance",
		skip: func(s Secret) string {
			if strings.Contains(s.Value, "_test_") {
				return "test-mode key: not verified"
			}
			return ""
		},
		remedy: "Stripe has no revoke API: roll the key at https://dashboard.stripe.com/apikeys",
	}
}

func newGroq(cfg Config) *bearerVerifier {
	return &bearerVerifier{
		c: cfg.Client, name: "groq",
		url:    baseURL(cfg.Env, "GROQ", "https://api.groq.com") + "/openai/v1/models",
		remedy: "Groq has no revoke API: delete the key at https://console.groq.com/keys",
	}
}

func newTelegram(cfg Config) *bearerVerifier {
	base := baseURL(cfg.Env, "TELEGRAM", "https://api.telegram.org")
	return &bearerVerifier{
		c: cfg.Client, name: "telegram", invalidOn404: true,
		urlOf:  func(s Secret) string { return base + "/bot" + s.Value + "/getMe" },
		remedy: "Telegram has no revoke API: send /revoke to @BotFather and pick the bot",
	}
}

func newDigitalOcean(cfg Config) *bearerVerifier {
	return &bearerVerifier{
		c: cfg.Client, name: "digitalocean",
		url:    baseURL(cfg.Env, "DIGITALOCEAN", "https://api.digitalocean.com") + "/v2/account",
		remedy: "DigitalOcean has no documented API to revoke a personal access token: delete it at https://cloud.digitalocean.com/account/api/tokens",
	}
}

func newReplicate(cfg Config) *bearerVerifier {
	return &bearerVerifier{
		c: cfg.Client, name: "replicate",
		url:    baseURL(cfg.Env, "REPLICATE", "https://api.replicate.com") + "/v1/account",
		remedy: "Replicate has no revoke API: delete the token at https://replicate.com/account/api-tokens",
	}
}

// onBase sends a URL a secret carries (a webhook) to base instead of its own host when the
// provider's LEAKSTOP_<PROVIDER>_URL is set, keeping its path; otherwise it is u itself.
func onBase(base string, override bool, u string) string {
	if !override {
		return u
	}
	if p, err := url.Parse(u); err == nil {
		return base + p.EscapedPath()
	}
	return u
}
