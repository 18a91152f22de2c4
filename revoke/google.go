package revoke

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// googleProvider verifies and revokes Google credentials (google.toml): API keys through the
// Gemini API's model list and the API Keys API, service account keys through a signed JWT
// (RFC 7523) and the IAM API, OAuth access and refresh tokens through the tokeninfo and
// token endpoints and RFC 7009 revocation. LEAKSTOP_GOOGLE_URL sends every call to one host
// (tests); otherwise each goes to its API's own.
type googleProvider struct {
	c *Client
	// The APIs' base URLs.
	oauth, iam, apikeys, gemini string
	// operator is GOOGLE_OAUTH_ACCESS_TOKEN: an access token of a principal allowed to
	// disable the project's service account keys and delete its API keys.
	operator string
	now      func() time.Time
}

// googleTokenAudience is the audience of a service account's JWT: Google's token endpoint,
// whatever host the exchange is sent to.
const googleTokenAudience = "https://oauth2.googleapis.com/token"

// newGoogle returns the Google provider.
func newGoogle(cfg Config) *googleProvider {
	g := &googleProvider{
		c: cfg.Client, oauth: "https://oauth2.googleapis.com", iam: "https://iam.googleapis.com",
		apikeys: "https://apikeys.googleapis.com", gemini: "https://generativelanguage.googleapis.com",
		operator: cfg.value("GOOGLE_OAUTH_ACCESS_TOKEN"), now: time.Now,
	}
	if base, set := cfg.base("google"); set {
		g.oauth, g.iam, g.apikeys, g.gemini = base, base, base, base
	}
	return g
}

const (
	googleKeysRemedy    = "delete or restrict the key at https://console.cloud.google.com/apis/credentials"
	googleSARemedy      = "disable and delete the key under the service account's Keys at https://console.cloud.google.com/iam-admin/serviceaccounts"
	googleOAuthRemedy   = "remove the app's access at https://myaccount.google.com/permissions"
	googleClientRemedy  = "reset the OAuth client's secret at https://console.cloud.google.com/apis/credentials"
	googleOperatorWhat  = "an access token of a principal allowed to manage the project's keys, from gcloud auth print-access-token"
	googleNoCompanion   = "the refresh token verifies only with its OAuth client's id and secret, which are not beside it"
	googleClientSkipped = "an OAuth client secret verifies only through a user's sign-in in a browser"
)

// Remediation says what to do by hand, by kind of credential.
func (g *googleProvider) Remediation(s Secret) string {
	switch s.Rule {
	case "google-service-account-key":
		return googleSARemedy
	case "google-oauth-access-token", "google-oauth-refresh-token":
		return googleOAuthRemedy
	case "google-oauth-client-secret":
		return googleClientRemedy
	}
	return googleKeysRemedy
}

// Verify asks the API each kind of credential answers to.
func (g *googleProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	switch s.Rule {
	case "google-service-account-key":
		o, _, err := g.serviceAccountToken(ctx, s, "verify")
		return o, err
	case "google-oauth-access-token":
		return g.tokenInfo(ctx, s)
	case "google-oauth-refresh-token":
		return g.refresh(ctx, s)
	case "google-oauth-client-secret":
		return Outcome{Status: outcome.Skipped, Detail: googleClientSkipped}, nil
	}
	return g.verifyAPIKey(ctx, s)
}

// googleError is the error body of Google's APIs.
type googleError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Reason string `json:"reason"`
		} `json:"details"`
	} `json:"error"`
}

func googleReasons(body []byte) []string {
	var e googleError
	if json.Unmarshal(body, &e) != nil {
		return nil
	}
	var out []string
	for _, d := range e.Error.Details {
		out = append(out, d.Reason)
	}
	return out
}

func hasReason(body []byte, reasons ...string) bool {
	for _, r := range googleReasons(body) {
		for _, want := range reasons {
			if r == want {
				return true
			}
		}
	}
	return false
}

// verifyAPIKey lists one Gemini model with the key: 200 live; 400 API_KEY_INVALID (or an
// expired key) invalid; 403 live, but restricted from the API or its project without it.
func (g *googleProvider) verifyAPIKey(ctx context.Context, s Secret) (Outcome, error) {
	h := http.Header{}
	h.Set("x-goog-api-key", s.Value)
	r, err := g.c.do(ctx, request{Provider: "google", Action: "verify", Secret: &s, Method: http.MethodGet, URL: g.gemini + "/v1beta/models?pageSize=1", Header: h})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case r.Status == http.StatusOK && json.Valid(r.Body):
		return Outcome{Status: outcome.Live, Detail: "accepted by the Gemini API"}, nil
	case (r.Status == http.StatusBadRequest || r.Status == http.StatusForbidden) && hasReason(r.Body, "API_KEY_INVALID", "API_KEY_EXPIRED"):
		return invalid(r), nil
	case r.Status == http.StatusForbidden && len(googleReasons(r.Body)) > 0:
		return Outcome{Status: outcome.Live, Detail: "a key of a project, restricted from the Gemini API or its project without it: " + httpDetail(r)}, nil
	}
	return unknownAnswer(r), nil
}

// oauthError reads an OAuth error answer ({"error": "invalid_grant", …}).
func oauthError(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error
}

// form posts values to the OAuth API.
func (g *googleProvider) form(ctx context.Context, s Secret, action, path string, v url.Values, idempotent bool) (*reply, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	return g.c.do(ctx, request{Provider: "google", Action: action, Secret: &s, Method: http.MethodPost, URL: g.oauth + path, Header: h, Body: []byte(v.Encode()), Idempotent: idempotent})
}

// tokenInfo asks the tokeninfo endpoint about an access token: 200 with its audience and
// expiry is live, 400 invalid_token invalid.
func (g *googleProvider) tokenInfo(ctx context.Context, s Secret) (Outcome, error) {
	r, err := g.c.do(ctx, request{Provider: "google", Action: "verify", Secret: &s, Method: http.MethodGet, URL: g.oauth + "/tokeninfo?access_token=" + url.QueryEscape(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	var info struct {
		ExpiresIn json.Number `json:"expires_in"`
		Scope     string      `json:"scope"`
	}
	switch {
	case r.Status == http.StatusOK && json.Unmarshal(r.Body, &info) == nil && info.ExpiresIn != "":
		return Outcome{Status: outcome.Live, Detail: "accepted by Google; expires in " + info.ExpiresIn.String() + " s"}, nil
	case r.Status == http.StatusBadRequest && oauthError(r.Body) == "invalid_token":
		return invalid(r), nil
	}
	return unknownAnswer(r), nil
}

// googleClient reads the OAuth client a refresh token's companion holds: the id and the
// secret of an authorized_user file (`ID", "client_secret": "SECRET`).
func googleClient(companion string) (id, secret string, ok bool) {
	id, rest, found := strings.Cut(companion, `"`)
	if !found || !strings.HasSuffix(id, ".apps.googleusercontent.com") {
		return "", "", false
	}
	i := strings.LastIndex(rest, `"`)
	if i < 0 || i == len(rest)-1 {
		return "", "", false
	}
	return id, rest[i+1:], true
}

// refresh trades a refresh token for an access token with its client: 200 live, 400
// invalid_grant invalid (revoked, expired or not this client's).
func (g *googleProvider) refresh(ctx context.Context, s Secret) (Outcome, error) {
	id, secret, ok := googleClient(s.Companion)
	if !ok {
		return Outcome{Status: outcome.Skipped, Detail: googleNoCompanion}, nil
	}
	r, err := g.form(ctx, s, "verify", "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {s.Value}, "client_id": {id}, "client_secret": {secret}}, false)
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case mintedToken(g.c, r):
		return Outcome{Status: outcome.Live, Detail: "refreshed by Google with the client beside it"}, nil
	case r.Status == http.StatusBadRequest && oauthError(r.Body) == "invalid_grant":
		return invalid(r), nil
	}
	return unknownAnswer(r), nil
}

// serviceAccountKey reads the private key and the account of a service account key.
func serviceAccountKey(s Secret) (*rsa.PrivateKey, string, error) {
	if s.Companion == "" {
		return nil, "", errors.New("the key file's client_email is not known")
	}
	text := strings.NewReplacer(`\r\n`, "\n", `\n`, "\n").Replace(s.Value)
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, "", errors.New("the private key is not PEM")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk, s.Companion, nil
		}
		return nil, "", errors.New("the private key is not an RSA key")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, s.Companion, nil
	}
	return nil, "", errors.New("the private key does not parse as an RSA key")
}

// signedAssertion is the JWT a service account signs to ask for an access token.
func (g *googleProvider) signedAssertion(key *rsa.PrivateKey, email string) (string, error) {
	enc := base64.RawURLEncoding.EncodeToString
	now := g.now().Unix()
	claims, err := json.Marshal(map[string]any{
		"iss": email, "scope": "https://www.googleapis.com/auth/cloud-platform",
		"aud": googleTokenAudience, "iat": now, "exp": now + 600,
	})
	if err != nil {
		return "", err
	}
	unsigned := enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc(claims)
	sum := sha256.Sum256([]byte(unsigned))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return unsigned + "." + enc(sig), nil
}

// serviceAccountToken signs a JWT with the key and trades it at the token endpoint: an
// access token is live (and returned, for the IAM calls), invalid_grant or invalid_client
// invalid (a deleted or disabled key, a deleted account). A private key that is no RSA key
// cannot sign for anyone: invalid.
func (g *googleProvider) serviceAccountToken(ctx context.Context, s Secret, action string) (Outcome, string, error) {
	key, email, err := serviceAccountKey(s)
	if err != nil {
		if email = s.Companion; email == "" {
			return Outcome{Status: outcome.Skipped, Detail: err.Error()}, "", nil
		}
		return Outcome{Status: outcome.Invalid, Detail: err.Error() + ": it cannot sign for " + s.Companion}, "", nil
	}
	jwt, err := g.signedAssertion(key, email)
	if err != nil {
		return Outcome{}, "", err
	}
	r, err := g.form(ctx, s, action, "/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {jwt}}, false)
	if err != nil {
		return Outcome{}, "", err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	switch {
	case r.Status == http.StatusOK && json.Unmarshal(r.Body, &tok) == nil && tok.AccessToken != "":
		g.c.Redactor.Add(tok.AccessToken, "<access token>")
		return Outcome{Status: outcome.Live, Detail: "signed in as " + email}, tok.AccessToken, nil
	case (r.Status == http.StatusBadRequest || r.Status == http.StatusUnauthorized) && (oauthError(r.Body) == "invalid_grant" || oauthError(r.Body) == "invalid_client"):
		return invalid(r), "", nil
	}
	return unknownAnswer(r), "", nil
}

// Revoke disables a service account key, revokes an OAuth token (RFC 7009) or deletes an API
// key, by kind.
func (g *googleProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	switch s.Rule {
	case "google-service-account-key":
		return g.disableKey(ctx, s, dryRun)
	case "google-oauth-access-token", "google-oauth-refresh-token":
		return g.revokeToken(ctx, s, dryRun)
	case "google-oauth-client-secret":
		return Outcome{Status: outcome.Unsupported, Detail: "no API resets an OAuth client's secret: " + googleClientRemedy}, nil
	}
	return g.deleteAPIKey(ctx, s, dryRun)
}

// revokeToken posts the token to the revocation endpoint. Google, like RFC 7009, may answer
// 200 for a token it does not know, so a 200 counts only once the token verifies invalid.
func (g *googleProvider) revokeToken(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would revoke the token at the OAuth revocation endpoint (POST /revoke)"}, nil
	}
	r, err := g.form(ctx, s, "revoke", "/revoke", url.Values{"token": {s.Value}}, true)
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case r.Status == http.StatusOK:
		return confirmRevoked(ctx, g.Verify, s, googleOAuthRemedy), nil
	case r.Status == http.StatusBadRequest && oauthError(r.Body) == "invalid_token":
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (" + httpDetail(r) + ")"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "revoking: " + httpDetail(r) + "; " + googleOAuthRemedy}, nil
}

// iamKey is a service account key as the IAM API lists it.
type iamKey struct {
	Name          string `json:"name"`
	Disabled      bool   `json:"disabled"`
	PublicKeyData string `json:"publicKeyData"`
}

// disableKey finds the key among its service account's keys by its public key and disables
// it, authorised by GOOGLE_OAUTH_ACCESS_TOKEN or the key's own access token.
func (g *googleProvider) disableKey(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	key, email, err := serviceAccountKey(s)
	if err != nil {
		return Outcome{Status: outcome.Failed, Detail: err.Error() + "; " + googleSARemedy}, nil
	}
	auth, whose := g.operator, "GOOGLE_OAUTH_ACCESS_TOKEN"
	if auth == "" {
		o, tok, err := g.serviceAccountToken(ctx, s, "lookup")
		if err != nil {
			return Outcome{}, err
		}
		if tok == "" {
			return Outcome{Status: outcome.Failed, Detail: "signing in with the key to disable it: " + o.Detail}, nil
		}
		auth, whose = tok, "the key's own access token"
	}
	keysURL := g.iam + "/v1/projects/-/serviceAccounts/" + url.PathEscape(email) + "/keys"
	r, err := g.c.do(ctx, request{Provider: "google", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: keysURL + "?keyTypes=USER_MANAGED", Header: bearer(auth)})
	if err != nil {
		return Outcome{}, err
	}
	if r.Status == http.StatusForbidden && g.operator == "" {
		out := needsCredential("GOOGLE_OAUTH_ACCESS_TOKEN", googleOperatorWhat, googleSARemedy)
		out.Detail = "the service account may not list its own keys; " + out.Detail
		return out, nil
	}
	if r.Status != http.StatusOK {
		return Outcome{Status: outcome.Failed, Detail: "listing the service account's keys with " + whose + ": " + httpDetail(r) + "; " + googleSARemedy}, nil
	}
	var list struct {
		Keys []iamKey `json:"keys"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil {
		return Outcome{Status: outcome.Failed, Detail: "listing the service account's keys: the answer is not a list; " + googleSARemedy}, nil
	}
	var found []iamKey
	for _, k := range list.Keys {
		pub, err := g.publicKey(ctx, s, k.Name, auth)
		if err != nil {
			return Outcome{}, err
		}
		if pub != nil && pub.N.Cmp(key.N) == 0 && pub.E == key.E {
			found = append(found, k)
		}
	}
	name := func(k iamKey) string { return k.Name[strings.LastIndex(k.Name, "/")+1:] }
	k, out := oneMatch(found, name,
		Outcome{Status: outcome.Failed, Detail: "no key of " + email + " has this key's public key (deleted already?); " + googleSARemedy},
		"disabled", googleSARemedy)
	if out != nil {
		return *out, nil
	}
	if k.Disabled {
		return Outcome{Status: outcome.Revoked, Detail: "key " + name(k) + " of " + email + " is disabled already"}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would disable key " + name(k) + " of " + email + " with " + whose}, nil
	}
	h := bearer(auth)
	h.Set("Content-Type", "application/json")
	// Disabling sets a state: sent twice, it does what once does.
	d, err := g.c.do(ctx, request{Provider: "google", Action: "revoke", Secret: &s, Method: http.MethodPost, URL: g.iam + "/v1/" + k.Name + ":disable", Header: h, Body: []byte("{}"), Idempotent: true})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case d.Status == http.StatusOK && acknowledged(d):
		return Outcome{Status: outcome.Revoked, Detail: "disabled key " + name(k) + " of " + email + " with " + whose + " (its owner can enable it again, or delete it)"}, nil
	case d.Status == http.StatusOK:
		return notAcknowledged("disabling", d), nil
	case d.Status == http.StatusForbidden && g.operator == "":
		out := needsCredential("GOOGLE_OAUTH_ACCESS_TOKEN", googleOperatorWhat, googleSARemedy)
		out.Detail = "the service account may not disable its own keys; " + out.Detail
		return out, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "disabling key " + name(k) + ": " + httpDetail(d) + "; " + googleSARemedy}, nil
}

// publicKey reads a key's public half (an X.509 certificate in PEM, base64-encoded); nil
// when the answer holds none that parses.
func (g *googleProvider) publicKey(ctx context.Context, s Secret, name, auth string) (*rsa.PublicKey, error) {
	if !strings.HasPrefix(name, "projects/") {
		return nil, nil
	}
	r, err := g.c.do(ctx, request{Provider: "google", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: g.iam + "/v1/" + name + "?publicKeyType=TYPE_X509_PEM_FILE", Header: bearer(auth)})
	if err != nil || r.Status != http.StatusOK {
		return nil, err
	}
	var k iamKey
	if json.Unmarshal(r.Body, &k) != nil {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(k.PublicKeyData)
	if err != nil {
		return nil, nil
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, nil
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, nil
	}
	pub, _ := cert.PublicKey.(*rsa.PublicKey)
	return pub, nil
}

// deleteAPIKey finds the key's name with keys:lookupKey and deletes it (Google keeps a
// deleted key 30 days, during which its owner can undelete it), with
// GOOGLE_OAUTH_ACCESS_TOKEN: a key cannot act on itself.
func (g *googleProvider) deleteAPIKey(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if g.operator == "" {
		return needsCredential("GOOGLE_OAUTH_ACCESS_TOKEN", googleOperatorWhat, googleKeysRemedy), nil
	}
	r, err := g.c.do(ctx, request{Provider: "google", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: g.apikeys + "/v2/keys:lookupKey?keyString=" + url.QueryEscape(s.Value), Header: bearer(g.operator)})
	if err != nil {
		return Outcome{}, err
	}
	var k struct {
		Name string `json:"name"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &k) != nil || !strings.HasPrefix(k.Name, "projects/") {
		return Outcome{Status: outcome.Failed, Detail: "looking the key up with GOOGLE_OAUTH_ACCESS_TOKEN: " + httpDetail(r) + "; " + googleKeysRemedy}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete " + k.Name + " with GOOGLE_OAUTH_ACCESS_TOKEN"}, nil
	}
	d, err := g.c.do(ctx, request{Provider: "google", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: g.apikeys + "/v2/" + k.Name, Header: bearer(g.operator)})
	if err != nil {
		return Outcome{}, err
	}
	if d.Status == http.StatusOK && acknowledged(d) {
		return Outcome{Status: outcome.Revoked, Detail: "deleted " + k.Name + " with GOOGLE_OAUTH_ACCESS_TOKEN (its owner can undelete it for 30 days)", Eventual: true}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deleting " + k.Name + ": " + httpDetail(d) + "; " + googleKeysRemedy}, nil
}

// Describe says which calls the Google provider makes.
func (g *googleProvider) Describe() Calls {
	return Calls{
		Verify: "API keys `GET /v1beta/models` (Gemini API); service account keys a signed JWT at `POST /token`; access tokens `GET /tokeninfo`; refresh tokens `POST /token` with their client",
		Revoke: "service account keys `POST …/keys/{id}:disable` (IAM, found by public key) with the key itself or `GOOGLE_OAUTH_ACCESS_TOKEN`; OAuth tokens `POST /revoke` (RFC 7009), verified again; API keys `keys:lookupKey` and `DELETE` (API Keys) with `GOOGLE_OAUTH_ACCESS_TOKEN`",
	}
}
