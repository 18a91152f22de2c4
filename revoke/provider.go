package revoke

import (
	"bytes"
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
func httpDetail(r *reply) string {
	m := message(r.Body)
	if len(m) > 300 {
		m = m[:300] + "…"
	}
	if m == "" {
		return fmt.Sprintf("HTTP %d", r.Status)
	}
	return fmt.Sprintf("HTTP %d: %s", r.Status, m)
}

// acknowledged reports whether a 2xx answer to a revoke call is the provider's: empty (204)
// or JSON, as every provider's API answers. A page of HTML with a 200 (a proxy, a captive
// portal) proves nothing was revoked.
func acknowledged(r *reply) bool {
	return r.Status >= 200 && r.Status < 300 && (len(bytes.TrimSpace(r.Body)) == 0 || json.Valid(r.Body))
}

// notAcknowledged is the outcome of a 2xx answer to a revoke call that is not the
// provider's.
func notAcknowledged(doing string, r *reply) Outcome {
	return Outcome{Status: outcome.Failed, Detail: fmt.Sprintf("%s: HTTP %d, but the answer is not JSON: not the provider's own answer (a proxy?); it may not have happened", doing, r.Status)}
}

// unknownAnswer is the outcome of every answer that is neither live nor invalid.
func unknownAnswer(r *reply) Outcome {
	return Outcome{Status: outcome.Unknown, Detail: httpDetail(r)}
}

// invalid reads an answer as a definite no, with the provider's message.
func invalid(r *reply) Outcome { return Outcome{Status: outcome.Invalid, Detail: httpDetail(r)} }

// liveBut reads an answer as live with a restriction, which why names: the key
// authenticated, but may not make this call.
func liveBut(why string) func(*reply) Outcome {
	return func(r *reply) Outcome { return Outcome{Status: outcome.Live, Detail: why + ": " + httpDetail(r)} }
}

// getVerifier is the verification most providers document: one read-only GET that carries
// the leaked credential. 200 is live, 401 invalid, every other answer unknown, but for the
// statuses the provider documents otherwise (answers). A provider whose verification is
// such a GET says so in data, in a few lines.
type getVerifier struct {
	c *Client
	// provider is the provider's id, for the client's limit and the audit log.
	provider string
	// accepted names who took the credential, in the detail of a live answer.
	accepted string
	// url is where the GET goes, for this secret (admin keys ask elsewhere; Telegram puts
	// the token in the path).
	url func(s Secret) string
	// header authenticates the GET; nil sends the secret as a bearer token, and a header
	// of nil sends none (the URL is the credential).
	header func(s Secret) http.Header
	// skip, when it gives a reason, skips the call (a test-mode key).
	skip func(s Secret) string
	// answers reads the statuses the provider documents otherwise than 200 live, 401
	// invalid; it sees the answer before those two.
	answers map[int]func(r *reply) Outcome
	// remedy says what to do by hand, for a provider without a revoke API.
	remedy string
}

// at is a getVerifier URL that is the same for every secret.
func at(u string) func(Secret) string { return func(Secret) string { return u } }

// either is a getVerifier URL for providers whose keys of one kind (is: admin keys,
// installation tokens) verify elsewhere: yes for those, no for the others.
func either(is func(v string) bool, yes, no string) func(Secret) string {
	return func(s Secret) string {
		if is(s.Value) {
			return yes
		}
		return no
	}
}

// Verify sends the GET and reads the answer.
func (g *getVerifier) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if g.skip != nil {
		if why := g.skip(s); why != "" {
			return Outcome{Status: outcome.Skipped, Detail: why}, nil
		}
	}
	h := bearer(s.Value)
	if g.header != nil {
		h = g.header(s)
	}
	r, err := g.c.do(ctx, request{Provider: g.provider, Action: "verify", Secret: &s, Method: http.MethodGet, URL: g.url(s), Header: h})
	if err != nil {
		return Outcome{}, err
	}
	if r.Status == http.StatusOK && !json.Valid(r.Body) {
		// Every provider answers a good key with JSON; a 200 that is not (a proxy's or a
		// captive portal's page) proves nothing.
		return Outcome{Status: outcome.Unknown, Detail: "HTTP 200, but the answer is not JSON: not the provider's own answer (a proxy?)"}, nil
	}
	if read, ok := g.answers[r.Status]; ok {
		return read(r), nil
	}
	switch r.Status {
	case http.StatusOK:
		return Outcome{Status: outcome.Live, Detail: "accepted by " + g.accepted}, nil
	case http.StatusUnauthorized:
		return invalid(r), nil
	}
	return unknownAnswer(r), nil
}

// Remediation says what to do by hand.
func (g *getVerifier) Remediation(Secret) string { return g.remedy }

// Providers without a revoke API: verification only, and the place to rotate by hand.

// plainGET is the getVerifier of a provider that answers one URL, path on its base
// (LEAKSTOP_<PROVIDER>_URL, or def), and names itself by its id.
func plainGET(cfg Config, provider, def, path, remedy string) *getVerifier {
	return &getVerifier{c: cfg.Client, provider: provider, accepted: provider, url: at(baseURL(cfg.Env, provider, def) + path), remedy: remedy}
}

func newHuggingFace(cfg Config) *getVerifier {
	return plainGET(cfg, "huggingface", "https://huggingface.co", "/api/whoami-v2",
		"Hugging Face has no revoke API: invalidate the token at https://huggingface.co/settings/tokens")
}

func newStripe(cfg Config) *getVerifier {
	g := plainGET(cfg, "stripe", "https://api.stripe.com", "/v1/balance",
		"Stripe has no revoke API: roll the key at https://dashboard.stripe.com/apikeys")
	g.skip = func(s Secret) string {
		if strings.Contains(s.Value, "_test_") {
			return "test-mode key: not verified"
		}
		return ""
	}
	g.answers = map[int]func(*reply) Outcome{
		http.StatusForbidden: liveBut("authenticated, but not allowed this call (a restricted key)"),
	}
	return g
}

func newGroq(cfg Config) *getVerifier {
	return plainGET(cfg, "groq", "https://api.groq.com", "/openai/v1/models",
		"Groq has no revoke API: delete the key at https://console.groq.com/keys")
}

func newTelegram(cfg Config) *getVerifier {
	base := baseURL(cfg.Env, "telegram", "https://api.telegram.org")
	return &getVerifier{
		c: cfg.Client, provider: "telegram", accepted: "telegram",
		url:    func(s Secret) string { return base + "/bot" + s.Value + "/getMe" },
		header: func(Secret) http.Header { return nil },
		// Telegram answers 404 to a token that is not shaped like one.
		answers: map[int]func(*reply) Outcome{http.StatusNotFound: invalid},
		remedy:  "Telegram has no revoke API: send /revoke to @BotFather and pick the bot",
	}
}

func newDigitalOcean(cfg Config) *getVerifier {
	return plainGET(cfg, "digitalocean", "https://api.digitalocean.com", "/v2/account",
		"DigitalOcean has no documented API to revoke a personal access token: delete it at https://cloud.digitalocean.com/account/api/tokens")
}

func newReplicate(cfg Config) *getVerifier {
	return plainGET(cfg, "replicate", "https://api.replicate.com", "/v1/account",
		"Replicate has no revoke API: delete the token at https://replicate.com/account/api-tokens")
}

// showsAs reports whether key could be shown as pre, a gap, suf (the way providers list
// their keys): it starts with pre and ends with suf, and the two do not overlap.
func showsAs(key, pre, suf string) bool {
	return len(pre)+len(suf) <= len(key) && strings.HasPrefix(key, pre) && strings.HasSuffix(key, suf)
}

// needsCredential is the outcome of a secret leakstop could revoke with an operator
// credential it does not have: variable names it, what says what it must be ("an admin key
// of the same organization"), remedy what a person can do instead.
func needsCredential(variable, what, remedy string) Outcome {
	return Outcome{Status: outcome.NeedsCredential, Detail: credentialHint(variable, what, remedy)}
}

// credentialHint says which variable to set, and how else to act: "set OPENAI_ADMIN_KEY (an
// admin key of the same organization) and run leakstop revoke REPORT; or …".
func credentialHint(variable, what, remedy string) string {
	return "set " + variable + " (" + what + ") and run leakstop revoke REPORT; or by hand: " + remedy
}

// oneMatch returns the one key of found that looks like the leaked one. With none the
// outcome is notFound (where leakstop looked, and what to do); with more it is failed and
// nothing is changed (nothing says what): a key is never revoked on a guess.
func oneMatch[K any](found []K, name func(K) string, notFound Outcome, nothing, remedy string) (K, *Outcome) {
	var none K
	switch len(found) {
	case 0:
		return none, &notFound
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, k := range found {
		names[i] = name(k)
	}
	return none, &Outcome{Status: outcome.Failed, Detail: "ambiguous: " + strings.Join(names, ", ") + " all look like it; nothing " + nothing + ", " + remedy}
}

// operatorOr returns the credential a changing call is made with: the operator's, from the
// environment variable named variable, when it is set; otherwise the leaked secret itself.
// whose names it for the outcome.
func operatorOr(s Secret, operator, variable string) (auth, whose string) {
	if operator != "" {
		return operator, variable
	}
	return s.Value, "itself"
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
