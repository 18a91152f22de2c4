package fake

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Google fakes the Google APIs leakstop calls, on one host (LEAKSTOP_GOOGLE_URL): the OAuth
// token endpoint (POST /token: the JWT bearer grant of RFC 7523, whose signature it checks
// with the public key of each of the service account's live keys, and the refresh grant),
// GET /tokeninfo, POST /revoke (RFC 7009), the IAM API's service account keys (list, get with
// the public key as an X.509 certificate, :disable), the Gemini API's model list with an API
// key, and the API Keys API's keys:lookupKey and keys.delete.
type Google struct {
	*Server
	// Operator is GOOGLE_OAUTH_ACCESS_TOKEN: it may manage every key.
	Operator string

	gmu      sync.Mutex
	accounts map[string][]*googleSAKey // client_email → keys
	access   map[string]string         // access token → the service account it was issued to ("" for users)
	clients  map[string]string         // OAuth client id → secret
	refresh  map[string]string         // refresh token → client id
	n        int
}

type googleSAKey struct {
	name     string
	key      *key // the private key in the keyring, as a secret of the fake
	pub      *rsa.PublicKey
	cert     []byte // PEM
	disabled bool
}

// NewGoogle starts the fake.
func NewGoogle(t testing.TB, operator string) *Google {
	f := &Google{Operator: operator, accounts: map[string][]*googleSAKey{}, access: map[string]string{}, clients: map[string]string{}, refresh: map[string]string{}}
	f.Server = newServer(t, func(r *http.Request) string {
		if k := r.Header.Get("x-goog-api-key"); k != "" {
			return k
		}
		return bearerOf(r)
	}, f.handle)
	return f
}

// Add makes a secret of any Google kind live: a service account's private key (as a key
// file holds it, with \n escapes) with its client_email, a refresh token with its client
// (the companion of an authorized_user file), or anything else (an access token, an API key).
func (f *Google) Add(value, companion string) {
	f.gmu.Lock()
	defer f.gmu.Unlock()
	switch {
	case strings.Contains(value, "PRIVATE KEY-----"):
		x := f.keys.add(value, "service account key")
		pk := parsePrivateKey(value)
		if pk == nil {
			return // not a key that can sign: it never verifies
		}
		f.n++
		name := fmt.Sprintf("projects/acme-prod/serviceAccounts/%s/keys/%040x", companion, f.n)
		f.accounts[companion] = append(f.accounts[companion], &googleSAKey{name: name, key: x, pub: &pk.PublicKey, cert: selfSigned(f.t, pk)})
	case strings.HasPrefix(value, "1//"):
		f.keys.add(value, "refresh token")
		id, secret, _ := strings.Cut(companion, `"`)
		if i := strings.LastIndex(secret, `"`); i >= 0 {
			secret = secret[i+1:]
		}
		f.clients[id] = secret
		f.refresh[value] = id
	default:
		f.keys.add(value, "google credential")
		if strings.HasPrefix(value, "ya29.") {
			f.access[value] = ""
		}
	}
}

// AddServiceAccountKey adds another live key of the service account email, so that the
// client must pick the leaked one out.
func (f *Google) AddServiceAccountKey(email string, pk *rsa.PrivateKey) {
	f.gmu.Lock()
	defer f.gmu.Unlock()
	f.n++
	name := fmt.Sprintf("projects/acme-prod/serviceAccounts/%s/keys/%040x", email, f.n)
	x := f.keys.add(name, "other service account key")
	f.accounts[email] = append(f.accounts[email], &googleSAKey{name: name, key: x, pub: &pk.PublicKey, cert: selfSigned(f.t, pk)})
}

func parsePrivateKey(value string) *rsa.PrivateKey {
	block, _ := pem.Decode([]byte(strings.ReplaceAll(value, `\n`, "\n")))
	if block == nil {
		return nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil
	}
	rk, _ := k.(*rsa.PrivateKey)
	return rk
}

func selfSigned(t testing.TB, pk *rsa.PrivateKey) []byte {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fake service account"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &pk.PublicKey, pk)
	if err != nil {
		t.Fatalf("fake google: certificate: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func oauthErr(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": desc})
}

func googleErr(w http.ResponseWriter, status int, msg, st, reason string) {
	body := map[string]any{"code": status, "message": msg, "status": st}
	if reason != "" {
		body["details"] = []map[string]any{{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com"}}
	}
	writeJSON(w, status, map[string]any{"error": body})
}

func (f *Google) handle(w http.ResponseWriter, r *http.Request, body string) {
	form, _ := url.ParseQuery(body)
	p := r.URL.Path
	switch {
	case r.Method == http.MethodPost && p == "/token":
		f.token(w, form)
	case r.Method == http.MethodGet && p == "/tokeninfo":
		tok := r.URL.Query().Get("access_token")
		if f.keys.verify(tok) == nil {
			oauthErr(w, http.StatusBadRequest, "invalid_token", "Invalid Value")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"azp": "407408718192.apps.googleusercontent.com", "aud": "407408718192.apps.googleusercontent.com", "scope": "https://www.googleapis.com/auth/cloud-platform", "exp": "1893456000", "expires_in": "3599", "access_type": "offline"})
	case r.Method == http.MethodPost && p == "/revoke":
		if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			f.unexpected(w, r, "the revocation endpoint takes a form")
			return
		}
		x := f.keys.get(form.Get("token"))
		if x == nil || !x.live {
			oauthErr(w, http.StatusBadRequest, "invalid_token", "Token expired or revoked")
			return
		}
		f.revoke(x, r)
		writeJSON(w, http.StatusOK, map[string]any{})
	case r.Method == http.MethodGet && p == "/v1beta/models":
		k := r.Header.Get("x-goog-api-key")
		if f.keys.verify(k) == nil {
			googleErr(w, http.StatusBadRequest, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT", "API_KEY_INVALID")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"models": []map[string]any{{"name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash"}}, "nextPageToken": "Ch1tb2RlbHMvZ2VtaW5pLTIuNS1mbGFzaA=="}) // leakstop:allow a page token (base64 of a model name)
	case strings.HasPrefix(p, "/v1/projects/"):
		f.iam(w, r)
	case r.Method == http.MethodGet && p == "/v2/keys:lookupKey":
		if bearerOf(r) != f.Operator || f.Operator == "" {
			googleErr(w, http.StatusForbidden, "Permission 'apikeys.keys.lookup' denied", "PERMISSION_DENIED", "IAM_PERMISSION_DENIED")
			return
		}
		x := f.keys.get(r.URL.Query().Get("keyString"))
		if x == nil || !x.live {
			googleErr(w, http.StatusNotFound, "key not found", "NOT_FOUND", "")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"parent": "projects/123456789012/locations/global", "name": "projects/123456789012/locations/global/keys/" + keyName(x)})
	case r.Method == http.MethodDelete && strings.HasPrefix(p, "/v2/projects/123456789012/locations/global/keys/"):
		if bearerOf(r) != f.Operator || f.Operator == "" {
			googleErr(w, http.StatusForbidden, "Permission 'apikeys.keys.delete' denied", "PERMISSION_DENIED", "IAM_PERMISSION_DENIED")
			return
		}
		for _, x := range f.keys.live() {
			if strings.HasSuffix(p, "/"+keyName(x)) {
				f.revoke(x, r)
				writeJSON(w, http.StatusOK, map[string]any{"name": "operations/akmf.p7-123456789012-" + keyName(x), "done": true, "response": map[string]any{"@type": "type.googleapis.com/google.api.apikeys.v2.Key"}})
				return
			}
		}
		googleErr(w, http.StatusNotFound, "key not found", "NOT_FOUND", "")
	default:
		f.unexpected(w, r, "no such route of google")
	}
}

// keyName is the API Keys API's name of an API key of the fake.
func keyName(x *key) string {
	s := sha256.Sum256([]byte(x.value))
	return fmt.Sprintf("%x", s[:8])
}

func (f *Google) token(w http.ResponseWriter, form url.Values) {
	switch form.Get("grant_type") {
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		email, k, why := f.checkAssertion(form.Get("assertion"))
		if k == nil {
			oauthErr(w, http.StatusBadRequest, "invalid_grant", why)
			return
		}
		f.keys.verify(k.key.value)
		f.gmu.Lock()
		f.n++
		tok := fmt.Sprintf("ya29.c.fake-%s-%d", strings.Split(email, "@")[0], f.n)
		f.access[tok] = email
		f.gmu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": 3599, "token_type": "Bearer"})
	case "refresh_token":
		rt := form.Get("refresh_token")
		f.gmu.Lock()
		client, ok := f.refresh[rt]
		secret := f.clients[client]
		f.gmu.Unlock()
		if !ok || form.Get("client_id") != client || form.Get("client_secret") != secret {
			oauthErr(w, http.StatusBadRequest, "invalid_grant", "Bad Request")
			return
		}
		if f.keys.verify(rt) == nil {
			oauthErr(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "ya29.a0-fake-refreshed", "expires_in": 3599, "scope": "openid", "token_type": "Bearer"})
	default:
		oauthErr(w, http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+form.Get("grant_type"))
	}
}

// checkAssertion checks a service account's JWT as Google's token endpoint does: its
// audience, its lifetime, and its signature by a live, enabled key of the account it names.
func (f *Google) checkAssertion(jwt string) (string, *googleSAKey, string) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", nil, "Invalid JWT"
	}
	var claims struct {
		Iss   string `json:"iss"`
		Aud   string `json:"aud"`
		Scope string `json:"scope"`
		Iat   int64  `json:"iat"`
		Exp   int64  `json:"exp"`
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(raw, &claims) != nil {
		return "", nil, "Invalid JWT"
	}
	now := time.Now().Unix()
	switch {
	case claims.Aud != "https://oauth2.googleapis.com/token":
		return "", nil, "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."
	case claims.Exp < now || claims.Iat > now+300 || claims.Exp-claims.Iat > 3600 || claims.Scope == "":
		return "", nil, "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", nil, "Invalid JWT Signature."
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	f.gmu.Lock()
	keys := f.accounts[claims.Iss]
	f.gmu.Unlock()
	if len(keys) == 0 {
		return "", nil, "Invalid grant: account not found"
	}
	for _, k := range keys {
		if k.disabled || !k.key.live {
			continue
		}
		if rsa.VerifyPKCS1v15(k.pub, crypto.SHA256, sum[:], sig) == nil {
			return claims.Iss, k, ""
		}
	}
	return "", nil, "Invalid JWT Signature."
}

// iam serves the service account keys of the IAM API to an access token of that service
// account or the operator.
func (f *Google) iam(w http.ResponseWriter, r *http.Request) {
	tok := bearerOf(r)
	f.gmu.Lock()
	owner, known := f.access[tok]
	f.gmu.Unlock()
	if !known && (tok != f.Operator || f.Operator == "") {
		googleErr(w, http.StatusUnauthorized, "Request had invalid authentication credentials.", "UNAUTHENTICATED", "ACCESS_TOKEN_TYPE_UNSUPPORTED")
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/v1/")
	// projects/-/serviceAccounts/{email}/keys or projects/{p}/serviceAccounts/{email}/keys/{id}[:disable]
	seg := strings.Split(p, "/")
	if len(seg) < 5 || seg[2] != "serviceAccounts" || seg[4] != "keys" {
		f.unexpected(w, r, "no such IAM route")
		return
	}
	email, _ := url.PathUnescape(seg[3])
	if tok != f.Operator && owner != email {
		googleErr(w, http.StatusForbidden, "Permission 'iam.serviceAccountKeys.list' denied on resource (or it may not exist).", "PERMISSION_DENIED", "IAM_PERMISSION_DENIED")
		return
	}
	f.gmu.Lock()
	keys := f.accounts[email]
	f.gmu.Unlock()
	switch {
	case len(seg) == 5 && r.Method == http.MethodGet:
		if r.URL.Query().Get("keyTypes") != "USER_MANAGED" {
			f.unexpected(w, r, "leakstop lists the keys users made, not Google's own")
			return
		}
		var list []map[string]any
		for _, k := range keys {
			list = append(list, map[string]any{"name": k.name, "validAfterTime": "2024-01-01T00:00:00Z", "validBeforeTime": "9999-12-31T23:59:59Z", "keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED", "disabled": k.disabled})
		}
		writeJSON(w, http.StatusOK, map[string]any{"keys": list})
	case len(seg) == 6:
		id, action, _ := strings.Cut(seg[5], ":")
		var k *googleSAKey
		for _, x := range keys {
			if strings.HasSuffix(x.name, "/keys/"+id) {
				k = x
			}
		}
		if k == nil {
			googleErr(w, http.StatusNotFound, "Service account key not found", "NOT_FOUND", "")
			return
		}
		switch {
		case action == "" && r.Method == http.MethodGet:
			if r.URL.Query().Get("publicKeyType") != "TYPE_X509_PEM_FILE" {
				f.unexpected(w, r, "the public key comes as TYPE_X509_PEM_FILE")
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"name": k.name, "keyType": "USER_MANAGED", "disabled": k.disabled, "publicKeyData": base64.StdEncoding.EncodeToString(k.cert)})
		case action == "disable" && r.Method == http.MethodPost:
			f.revoke(k.key, r)
			f.gmu.Lock()
			k.disabled = true
			f.gmu.Unlock()
			writeJSON(w, http.StatusOK, map[string]any{})
		default:
			f.unexpected(w, r, "no such IAM call")
		}
	default:
		f.unexpected(w, r, "no such IAM route")
	}
}
