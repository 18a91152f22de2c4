package revoke

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
)

func TestRetryDelay(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		h    map[string]string
		want time.Duration
		ok   bool
	}{
		{map[string]string{"Retry-After": "7"}, 7 * time.Second, true},
		{map[string]string{"Retry-After": now.Add(30 * time.Second).Format(http.TimeFormat)}, 30 * time.Second, true},
		{map[string]string{"x-ratelimit-reset-requests": "6m0s"}, 6 * time.Minute, true},
		{map[string]string{"anthropic-ratelimit-requests-reset": now.Add(time.Minute).Format(time.RFC3339)}, time.Minute, true},
		{map[string]string{"X-RateLimit-Reset": "1767225610"}, 10 * time.Second, true},
		{map[string]string{}, 0, false},
		// Absurd values: a year is a wait (longer than anyone waits), more than 30 years
		// is for ever, not an overflow; a negative number, NaN or garbage names nothing;
		// a date in the past, or a negative reset, is no wait.
		{map[string]string{"Retry-After": "31536000"}, 365 * 24 * time.Hour, true},
		{map[string]string{"Retry-After": "1e308"}, forever, true},
		{map[string]string{"Retry-After": "Inf"}, forever, true},
		{map[string]string{"Retry-After": "-5"}, 0, false},
		{map[string]string{"Retry-After": "NaN"}, 0, false},
		{map[string]string{"Retry-After": "soon, maybe"}, 0, false},
		{map[string]string{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0, true},
		{map[string]string{"x-ratelimit-reset-requests": "-6m"}, 0, true},
		{map[string]string{"RateLimit-Reset": "-30"}, 0, true},
	}
	for _, tt := range tests {
		got, ok := retryDelay(header(tt.h), now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryDelay(%v) = %v, %v; want %v, %v", tt.h, got, ok, tt.want, tt.ok)
		}
	}
}

// TestRateLimits: how the client reads the answers GitHub documents for its rate limits
// (and every provider's 429), and how long it waits before trying again.
func TestRateLimits(t *testing.T) {
	const secondary = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
	reset := strconv.FormatInt(time.Now().Add(30*time.Second).Unix(), 10)
	tests := []struct {
		name   string
		status int
		h      map[string]string
		body   string
		want   limit
		// wait is the wait before the next attempt; 0 means backoff's, which has jitter.
		wait time.Duration
	}{
		{"429 with Retry-After", 429, map[string]string{"Retry-After": "3"}, "", limited, 3 * time.Second},
		{"429 naming no wait", 429, nil, "", limited, 0},
		{"primary limit", 403, map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": reset}, `{"message":"API rate limit exceeded"}`, limited, 30 * time.Second},
		{"secondary limit with Retry-After", 403, map[string]string{"Retry-After": "2", "X-Ratelimit-Remaining": "4990", "X-Ratelimit-Reset": reset}, secondary, secondaryLimit, 2 * time.Second},
		// x-ratelimit-reset speaks of the primary limit, which is not spent: GitHub asks
		// for a minute.
		{"secondary limit naming no wait", 403, map[string]string{"X-Ratelimit-Remaining": "4990", "X-Ratelimit-Reset": reset}, secondary, secondaryLimit, time.Minute},
		{"secondary limit as a 429", 429, nil, secondary, secondaryLimit, time.Minute},
		{"permission 403", 403, map[string]string{"X-Ratelimit-Remaining": "4990"}, `{"message":"Resource not accessible by integration"}`, notLimited, 0},
		{"500", 500, nil, "", notLimited, 0},
	}
	c := &Client{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := header(tt.h)
			got := rateLimited(tt.status, h, []byte(tt.body))
			if got != tt.want {
				t.Fatalf("rateLimited = %d, want %d", got, tt.want)
			}
			if got == notLimited {
				return
			}
			d := c.delay(h, got, 0)
			switch {
			case tt.wait == 0 && (d < defaultBackoff || d > defaultBackoff*5/4):
				t.Errorf("wait %v, want backoff's %v and up to a quarter more", d, defaultBackoff)
			// A reset is a time in whole seconds, read some time after the table was made.
			case tt.wait != 0 && (d > tt.wait || d < tt.wait-5*time.Second):
				t.Errorf("wait %v, want %v", d, tt.wait)
			}
		})
	}
}

func header(m map[string]string) http.Header {
	h := http.Header{}
	for k, v := range m {
		h.Set(k, v)
	}
	return h
}

// TestIssuedTokensRedacted: credentials a token endpoint hands out (a verification that
// exchanges a refresh token) never reach the audit log or later lines in clear.
func TestIssuedTokensRedacted(t *testing.T) {
	issued := "ya29." + strings.Repeat("Qx7", 20)
	refresh := "1//" + strings.Repeat("rT9", 15)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token": %q, "refresh_token": %q, "expires_in": 3599, "token_type": "Bearer"}`, issued, refresh)
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	a, err := OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	red := &rules.Redactor{}
	c := &Client{HTTP: srv.Client(), Audit: a, Redactor: red, Log: zerolog.Nop()}
	if _, err := c.do(context.Background(), request{Provider: "google", Action: "verify", Method: "POST", URL: srv.URL + "/token"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{issued, refresh} {
		if strings.Contains(string(log), tok) {
			t.Errorf("the audit log holds an issued token in clear:\n%s", log)
		}
		if got := red.Redact("later: " + tok); strings.Contains(got, tok) {
			t.Errorf("a later line keeps the issued token: %s", got)
		}
	}
	if !strings.Contains(string(log), "[token issued to leakstop: access_token]") {
		t.Errorf("the audit log does not say a token was issued:\n%s", log)
	}
}
