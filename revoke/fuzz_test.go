package revoke

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// FuzzRetryDelay: whatever a provider puts in its rate-limit headers, the wait leakstop
// reads is never negative, and is zero when nothing was named.
func FuzzRetryDelay(f *testing.F) {
	f.Add("7", "", "", "")
	f.Add("31536000", "6m0s", "", "")
	f.Add("1e308", "-5s", "2026-01-01T00:01:00Z", "-30")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT", "", "", "1767225610")
	f.Add("NaN", "Inf", "garbage", "99999999999999999999")
	f.Add("-0", "1h", "", "0")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, retryAfter, resetRequests, anthropicReset, reset string) {
		h := http.Header{}
		for k, v := range map[string]string{"Retry-After": retryAfter, "X-Ratelimit-Reset-Requests": resetRequests, "Anthropic-Ratelimit-Requests-Reset": anthropicReset, "X-Ratelimit-Reset": reset} {
			if v != "" {
				h.Set(k, v)
			}
		}
		d, named := retryDelay(h, now)
		if d < 0 {
			t.Fatalf("retryDelay(%v) = %v, a negative wait", h, d)
		}
		if !named && d != 0 {
			t.Fatalf("retryDelay(%v) = %v without a name", h, d)
		}
	})
}

// FuzzAuditLoad: any audit log, cut lines and garbage included, opens; a secret it
// records as revoked by a real revocation's outcome stays revoked; a secret the log names
// nowhere has no past; and nothing is both revoked and in doubt without a line that says so.
func FuzzAuditLoad(f *testing.F) {
	fp := "0123456789abcdef0123456789abcdef"
	lines := []entry{
		{Time: "2026-01-01T00:00:00Z", Event: "intent", Action: "revoke", Fingerprint: fp, Call: "c1", Method: "DELETE", URL: "https://api.openai.com/v1/x", Idempotent: true},
		{Time: "2026-01-01T00:00:01Z", Event: "call", Action: "revoke", Fingerprint: fp, Call: "c1", Method: "DELETE", Status: 200},
		{Time: "2026-01-01T00:00:02Z", Event: "revoke", Fingerprint: fp, Outcome: outcome.Revoked},
		{Time: "2026-01-01T00:00:03Z", Event: "intent", Action: "revoke", Fingerprints: []string{fp, "ffffffffffffffffffffffffffffffff"}, Call: "c2", Method: "POST"},
		{Time: "2026-01-01T00:00:04Z", Event: "revoke", Fingerprint: fp, Outcome: outcome.Failed, NotSent: true},
	}
	var seed bytes.Buffer
	for i, e := range lines {
		b, _ := json.Marshal(e)
		seed.Write(b)
		seed.WriteByte('\n')
		f.Add(append([]byte(nil), seed.Bytes()...))
		f.Add(append(append([]byte(nil), seed.Bytes()...), b[:len(b)/2]...)) // a line cut by a crash
		_ = i
	}
	f.Add([]byte("{}\n\n{\"event\":\"call\",\"call\":\"x\"}\nnot json\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "audit.jsonl")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		a, err := OpenAudit(path)
		if err != nil {
			t.Fatalf("OpenAudit: %v", err)
		}
		defer a.Close()
		// A revoke outcome line saying revoked is never forgotten by a later line. The
		// fingerprints the lines name are those JSON decodes (invalid UTF-8 comes out as
		// U+FFFD, which the raw bytes do not hold).
		named := map[string]bool{}
		for _, line := range bytes.Split(data, []byte("\n")) {
			var e entry
			if json.Unmarshal(line, &e) != nil {
				continue
			}
			named[e.Fingerprint] = true
			for _, fp := range e.Fingerprints {
				named[fp] = true
			}
			if e.revokedLine() && e.Fingerprint != "" && a.pastOf(e.Fingerprint).revoked == nil {
				t.Fatalf("%s was revoked (%s), and the log forgot it", e.Fingerprint, line)
			}
		}
		for fp := range a.revoked {
			if !named[fp] {
				t.Fatalf("%q is revoked, and no line names it", fp)
			}
		}
		for fp, e := range a.unanswered {
			if !named[fp] || e.Event != "intent" {
				t.Fatalf("%q is in doubt from %+v", fp, e)
			}
		}
		if p := a.pastOf("not-in-any-line-" + string(rune(len(data)))); p.revoked != nil || p.unanswered != nil {
			t.Fatal("a secret the log never names has a past")
		}
	})
}

// FuzzDeclaredAnswer: whatever a provider answers to a declared verification, with whatever
// field the declaration names, the answer reads as live only when it is JSON that holds the
// field (with the value asked for), as invalid only when the declaration says a wrong value
// is, and unknown otherwise; the detail stays short.
func FuzzDeclaredAnswer(f *testing.F) {
	f.Add([]byte(`{"ok":true}`), "ok", "true", false)
	f.Add([]byte(`{"ok":false,"error":"invalid_auth"}`), "ok", "true", true)
	f.Add([]byte(`{"result":{"status":"disabled"}}`), "result.status", `"active"`, true)
	f.Add([]byte(`{"data":[{"id":1}]}`), "data.0.id", "1", false)
	f.Add([]byte(`[1,2,3]`), "1", "", false)
	f.Add([]byte(`<html>`), "a", "", false)
	f.Fuzz(func(t *testing.T, body []byte, field, equals string, otherwiseInvalid bool) {
		j := &rules.VerifyJSON{Field: field, Otherwise: "unknown"}
		if otherwiseInvalid {
			j.Otherwise = "invalid"
		}
		if equals != "" {
			var want any
			if json.Unmarshal([]byte(equals), &want) != nil {
				return
			}
			switch want.(type) {
			case string, bool, float64:
				j.Equals = want
			default:
				return
			}
		}
		v := &rules.Verify{Body: "json", JSON: j}
		g := &getVerifier{accepted: "Acme"}
		got := g.live(&reply{Status: http.StatusOK, Body: body}, v)
		var doc any
		isJSON := json.Unmarshal(body, &doc) == nil
		value, found := jsonField(doc, field)
		switch got.Status {
		case outcome.Live:
			if !isJSON || !found || j.Equals != nil && value != j.Equals {
				t.Fatalf("live: %s (json %v, field %v %v)", got.Detail, isJSON, found, value)
			}
		case outcome.Invalid:
			if !isJSON || !found || j.Equals == nil || value == j.Equals || !otherwiseInvalid {
				t.Fatalf("invalid: %s", got.Detail)
			}
		case outcome.Unknown:
			if isJSON && found && (j.Equals == nil || value == j.Equals) {
				t.Fatalf("unknown for a good answer: %s", got.Detail)
			}
		default:
			t.Fatalf("status %s", got.Status)
		}
		if len(got.Detail) > 400+len(field) {
			t.Fatalf("a detail of %d bytes", len(got.Detail))
		}
	})
}
