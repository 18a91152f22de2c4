package revoke_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/outcome"
)

var (
	rsaOnce sync.Once
	rsaKeys []*rsa.PrivateKey
)

// testRSAKeys returns two RSA keys, made once: making them is slow.
func testRSAKeys(t *testing.T) []*rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() {
		for i := 0; i < 2; i++ {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys = append(rsaKeys, k)
		}
	})
	return rsaKeys
}

// serviceAccountFile returns a service account key file of key, as Google writes them, and
// the secret and companion a scan finds in it.
func serviceAccountFile(t *testing.T, key *rsa.PrivateKey, email string) (file, secret, companion string) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(map[string]string{
		"type": "service_account", "project_id": "acme-prod", "private_key_id": strings.Repeat("3f", 20),
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": email, "client_id": "104729394857362514983",
		"token_uri": "https://oauth2.googleapis.com/token",
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.NewSet(rules.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	ms := set.Find(b, "key.json")
	if len(ms) != 1 || ms[0].Rule.ID != "google-service-account-key" {
		t.Fatalf("the key file gives %d findings (%v), want one google-service-account-key", len(ms), ms)
	}
	return string(b), ms[0].Secret, ms[0].Companion
}

// TestGoogleServiceAccountKey verifies a real service account key by signing a JWT that the
// fake token endpoint checks with the key's public key, finds the key among its account's
// keys by its public key, and disables it with the key's own access token (or the
// operator's): the account's other key stays live.
func TestGoogleServiceAccountKey(t *testing.T) {
	keys := testRSAKeys(t)
	const email = "deployer@acme-prod.iam.gserviceaccount.com"
	for _, tt := range []struct {
		name     string
		operator string
		dry      bool
		want     outcome.Status
	}{
		{"with itself", "", false, outcome.Revoked},
		{"with the operator's token", "operator-google-token", false, outcome.Revoked},
		{"dry run", "", true, outcome.DryRun},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := fake.NewGoogle(t, tt.operator)
			_, secret, companion := serviceAccountFile(t, keys[0], email)
			if companion != email {
				t.Fatalf("companion %q, want %s", companion, email)
			}
			f.AddServiceAccountKey(email, keys[1]) // listed first: the client must pick
			f.Add(secret, companion)
			env := map[string]string{"LEAKSTOP_GOOGLE_URL": f.URL}
			if tt.operator != "" {
				env["GOOGLE_OAUTH_ACCESS_TOKEN"] = tt.operator
			}
			h := newHarness(t, env)
			s := h.secret("google", secret, companion)
			s.Rule = "google-service-account-key"
			res := h.runner(true, tt.dry).Run(context.Background(), []revoke.Secret{s})[0]
			if res.Verification.Status != outcome.Live && !(tt.want == outcome.Revoked && res.Verification.Status == outcome.Invalid) {
				t.Fatalf("verification %+v", res.Verification)
			}
			if res.Revocation.Status != tt.want {
				t.Fatalf("revocation %+v, want %s", res.Revocation, tt.want)
			}
			if got := f.Live(secret); got != (tt.want != outcome.Revoked) {
				t.Errorf("live after: %v", got)
			}
			for _, c := range f.Calls() {
				if strings.Contains(c.Body, "PRIVATE KEY") || strings.Contains(c.Query, "PRIVATE") {
					t.Errorf("%s %s sent the private key", c.Method, c.Path)
				}
				if tt.dry && c.Method == http.MethodPost && c.Path != "/token" {
					t.Errorf("a dry run sent %s %s", c.Method, c.Path)
				}
			}
			if tt.want == outcome.Revoked {
				// The leaked key is the account's second: the first must stay enabled.
				want := "/keys/" + strings.Repeat("0", 39) + "2:disable"
				if n := f.Count(http.MethodPost, "/v1/projects/"); n != 1 || !strings.HasSuffix(lastPost(f.Calls()), want) {
					t.Errorf("%d disable calls (last %s), want 1 of …%s", n, lastPost(f.Calls()), want)
				}
				if !strings.Contains(res.Revocation.Detail, "disabled key") {
					t.Errorf("detail %q", res.Revocation.Detail)
				}
			}
		})
	}
}

// TestGoogleTokenRevocationVerifiedAgain: Google's revocation endpoint, like RFC 7009 allows,
// may answer 200 for a token it does not know; a 200 after which the token still verifies
// live is a failure, not a revocation.
func TestGoogleTokenRevocationVerifiedAgain(t *testing.T) {
	f := fake.NewGoogle(t, "")
	tok := "ya29.a0AfH6SM" + strings.Repeat("Qx7-", 40)
	f.Add(tok, "")
	f.Inject("POST /revoke", 1, fake.Reply{Status: http.StatusOK, Body: "{}"})
	h := newHarness(t, map[string]string{"LEAKSTOP_GOOGLE_URL": f.URL})
	s := h.secret("google", tok, "")
	s.Rule = "google-oauth-access-token"
	res := h.runner(true, false).Run(context.Background(), []revoke.Secret{s})[0]
	if res.Revocation.Status != outcome.Failed || !strings.Contains(res.Revocation.Detail, "still verifies live") {
		t.Errorf("revocation %+v, want failed: still live", res.Revocation)
	}
	if !f.Live(tok) {
		t.Error("the fake revoked the token although the answer was injected")
	}
}

// lastPost returns the path of the last POST among calls other than the token endpoint's.
func lastPost(calls []fake.Call) string {
	p := ""
	for _, c := range calls {
		if c.Method == http.MethodPost && c.Path != "/token" {
			p = c.Path
		}
	}
	return p
}
