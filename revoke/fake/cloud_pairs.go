package fake

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// The hand-written fakes of cloud providers whose credentials come in pairs (a key id and
// its secret: Scaleway, Alibaba Cloud, Backblaze, MongoDB Atlas) or that trade a key for a
// token first (IBM Cloud). A pair is added as the finding's value and its companion, as a
// scan finds them; the keyring holds the finding's value, and pair the other half.

// pairs maps a finding's value to the other half of its pair.
type pairs struct{ other map[string]string }

func (p *pairs) set(value, companion string) {
	if p.other == nil {
		p.other = map[string]string{}
	}
	p.other[value] = companion
}

// Scaleway fakes GET and DELETE /iam/v1alpha1/api-keys/{access_key} (Scaleway IAM API): the
// secret key authenticates (X-Auth-Token); a key may read and delete itself unless it was
// added restricted (no IAM permission: 403), and Operator may delete any.
type Scaleway struct {
	*Server
	pairs
	Operator string
}

// NewScaleway starts the fake.
func NewScaleway(t testing.TB, operator string) *Scaleway {
	f := &Scaleway{Operator: operator}
	f.Server = newServer(t, func(r *http.Request) string { return r.Header.Get("X-Auth-Token") }, f.handle)
	return f
}

// Add adds a live access key with its secret key.
func (f *Scaleway) Add(access, secret string) {
	f.keys.add(access, "api key "+access)
	f.set(access, secret)
}

// AddRestricted adds a live key that may not read or manage IAM.
func (f *Scaleway) AddRestricted(access, secret string) {
	f.keys.add(access, "api key "+access).restricted = true
	f.set(access, secret)
}

func (f *Scaleway) handle(w http.ResponseWriter, r *http.Request, _ string) {
	const prefix = "/iam/v1alpha1/api-keys/"
	access, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodDelete) {
		f.unexpected(w, r, "no such route of scaleway")
		return
	}
	tok := r.Header.Get("X-Auth-Token")
	x := f.keys.get(access)
	self := x != nil && x.live && f.other[access] == tok
	if !self && (tok != f.Operator || f.Operator == "") {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "authentication is denied", "method": "api_key", "reason": "invalid_argument", "type": "denied_authentication"})
		return
	}
	if self && x.restricted {
		f.keys.verify(access)
		writeJSON(w, http.StatusForbidden, map[string]any{"message": "insufficient permissions", "type": "permissions_denied", "details": []map[string]any{{"resource": "api_key", "action": "read"}}})
		return
	}
	if r.Method == http.MethodGet {
		f.keys.verify(access)
		writeJSON(w, http.StatusOK, map[string]any{"access_key": access, "secret_key": nil, "application_id": "f3b2a1c0-1d2e-4f3a-8b5c-6d7e8f9a0b1c", "description": "ci", "created_at": "2024-01-01T00:00:00Z", "editable": true, "creation_ip": "192.0.2.1"})
		return
	}
	if x == nil || !x.live {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "resource is not found", "resource": "api_key", "type": "not_found"})
		return
	}
	f.revoke(x, r)
	w.WriteHeader(http.StatusNoContent)
}

// MongoDBAtlas fakes POST /api/oauth/token, the client-credentials grant of Atlas service
// accounts (HTTP basic: client id and secret).
type MongoDBAtlas struct {
	*Server
	pairs
}

// NewMongoDBAtlas starts the fake.
func NewMongoDBAtlas(t testing.TB) *MongoDBAtlas {
	f := &MongoDBAtlas{}
	f.Server = newServer(t, func(r *http.Request) string { _, p, _ := basic(r); return p }, f.handle)
	return f
}

// Add adds a live secret of client id.
func (f *MongoDBAtlas) Add(secret, clientID string) {
	f.keys.add(secret, clientID)
	f.set(secret, clientID)
}

func (f *MongoDBAtlas) handle(w http.ResponseWriter, r *http.Request, body string) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/oauth/token" {
		f.unexpected(w, r, "no such route of mongodb-atlas")
		return
	}
	if body != "grant_type=client_credentials" {
		oauthErr(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
		return
	}
	id, secret, _ := basic(r)
	if x := f.keys.verify(secret); x == nil || f.other[secret] != id {
		oauthErr(w, http.StatusUnauthorized, "invalid_client", "Invalid client credentials")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": "eyJhbGciOiJSUzI1NiJ9.fake-atlas.token", "expires_in": 3600, "token_type": "Bearer"})
}

// IBMCloud fakes POST /identity/token (the API key grant), GET /v1/apikeys/details (the key
// named by IAM-ApiKey, for a token of its own) and DELETE /v1/apikeys/{id} (IAM Identity
// API). A key added locked cannot be deleted.
type IBMCloud struct {
	*Server
	tokens map[string]*key // IAM token → the key it was issued for
	n      int
}

// NewIBMCloud starts the fake.
func NewIBMCloud(t testing.TB) *IBMCloud {
	f := &IBMCloud{tokens: map[string]*key{}}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddKey adds a live API key.
func (f *IBMCloud) AddKey(v string) {
	f.n++
	f.keys.add(v, fmt.Sprintf("ApiKey-%08d-1d2e-4f3a-8b5c-6d7e8f9a0b1c", f.n))
}

// AddLocked adds a live API key that is locked.
func (f *IBMCloud) AddLocked(v string) {
	f.n++
	f.keys.add(v, fmt.Sprintf("ApiKey-%08d-1d2e-4f3a-8b5c-6d7e8f9a0b1c", f.n)).restricted = true
}

func (f *IBMCloud) handle(w http.ResponseWriter, r *http.Request, body string) {
	ibmErr := func(status int, code, msg string) {
		writeJSON(w, status, map[string]any{"errorCode": code, "errorMessage": msg, "context": map[string]any{"requestId": "f1e2d3c4"}})
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/identity/token":
		form, _ := url.ParseQuery(body)
		if form.Get("grant_type") != "urn:ibm:params:oauth:grant-type:apikey" {
			ibmErr(http.StatusBadRequest, "BXNIM0109E", "Property missing or empty: grant_type")
			return
		}
		x := f.keys.verify(form.Get("apikey"))
		if x == nil {
			ibmErr(http.StatusBadRequest, "BXNIM0415E", "Provided API key could not be found.")
			return
		}
		f.mu.Lock()
		f.n++
		tok := fmt.Sprintf("eyJraWQiOiIyMDI0In0.fake-iam-%d", f.n)
		f.tokens[tok] = x
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "refresh_token": "not_supported", "token_type": "Bearer", "expires_in": 3600, "expiration": 1893456000, "scope": "ibm openid"})
	case r.URL.Path == "/v1/apikeys/details" && r.Method == http.MethodGet:
		f.mu.Lock()
		owner := f.tokens[bearerOf(r)]
		f.mu.Unlock()
		x := f.keys.get(r.Header.Get("IAM-ApiKey"))
		if owner == nil || x == nil || owner != x {
			ibmErr(http.StatusUnauthorized, "BXNIM0308E", "The provided IAM token is not valid.")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": x.id, "entity_tag": "1-0a1b", "crn": "crn:v1:bluemix:public:iam-identity::a/0123456789abcdef::apikey:" + x.id, "locked": x.restricted, "name": "ci", "iam_id": "IBMid-550000ABCD", "account_id": "0123456789abcdef"})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/v1/apikeys/"):
		f.mu.Lock()
		owner := f.tokens[bearerOf(r)]
		f.mu.Unlock()
		if owner == nil || !owner.live {
			ibmErr(http.StatusUnauthorized, "BXNIM0308E", "The provided IAM token is not valid.")
			return
		}
		x := f.keys.byID(strings.TrimPrefix(r.URL.Path, "/v1/apikeys/"))
		switch {
		case x == nil || !x.live:
			ibmErr(http.StatusNotFound, "not_found", "API key not found.")
		case x.restricted:
			ibmErr(http.StatusConflict, "conflict", "The API key is locked.")
		default:
			f.revoke(x, r)
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		f.unexpected(w, r, "no such route of ibm-cloud")
	}
}

// Alibaba fakes STS GetCallerIdentity and IMS UpdateAccessKey on one host, as RPC calls
// (GET with the parameters in the query, or POST with them in a form): it recomputes each
// call's HMAC-SHA1 signature with the secret of the key id it names.
type Alibaba struct {
	*Server
	pairs
}

// NewAlibaba starts the fake.
func NewAlibaba(t testing.TB) *Alibaba {
	f := &Alibaba{}
	f.Server = newServer(t, func(r *http.Request) string { return r.URL.Query().Get("AccessKeyId") }, f.handle)
	return f
}

// Add adds a live AccessKey pair.
func (f *Alibaba) Add(id, secret string) { f.keys.add(id, "accesskey "+id); f.set(id, secret) }

// aliEscape is the percent-encoding of the RPC signature (Alibaba Cloud's RPC mechanism).
func aliEscape(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

func (f *Alibaba) handle(w http.ResponseWriter, r *http.Request, body string) {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q, _ = url.ParseQuery(body)
	}
	fail := func(status int, code, msg string) {
		writeJSON(w, status, map[string]any{"RequestId": "4C5D6E7F-0A1B-2C3D-4E5F-6A7B8C9D0E1F", "HostId": "sts.aliyuncs.com", "Code": code, "Message": msg})
	}
	id := q.Get("AccessKeyId")
	x := f.keys.get(id)
	if x == nil || !x.live {
		fail(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
		return
	}
	var keys []string
	for k := range q {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, aliEscape(k)+"="+aliEscape(q.Get(k)))
	}
	mac := hmac.New(sha1.New, []byte(f.other[id]+"&"))
	mac.Write([]byte(r.Method + "&%2F&" + aliEscape(strings.Join(pairs, "&"))))
	if q.Get("SignatureMethod") != "HMAC-SHA1" || q.Get("SignatureVersion") != "1.0" || q.Get("Signature") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		fail(http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
		return
	}
	switch {
	case q.Get("Action") == "GetCallerIdentity" && q.Get("Version") == "2015-04-01" && r.Method == http.MethodGet:
		f.keys.verify(id)
		writeJSON(w, http.StatusOK, map[string]any{"RequestId": "2C9BE469-4A35-44D5-9529-CAA280B11603", "AccountId": "1234567890123456", "UserId": "216959339000000000", "Arn": "acs:ram::1234567890123456:user/deployer", "IdentityType": "RAMUser", "PrincipalId": "216959339000000000"})
	case q.Get("Action") == "UpdateAccessKey" && q.Get("Version") == "2019-08-15" && r.Method == http.MethodPost:
		if q.Get("UserAccessKeyId") != id || q.Get("Status") != "Inactive" {
			f.unexpected(w, r, "leakstop deactivates the key it signs with")
			return
		}
		f.revoke(x, r)
		writeJSON(w, http.StatusOK, map[string]any{"RequestId": "04F0F334-1335-436C-A1D7-6C044FE73368"})
	default:
		f.unexpected(w, r, "no such action of alibaba")
	}
}

// Backblaze fakes b2_authorize_account (HTTP basic: key id and key) and b2_delete_key (with
// the authorization's token, on the API URL it names: the fake itself). A key added without
// deleteKeys may not delete keys.
type Backblaze struct {
	*Server
	pairs
	tokens map[string]*key
	n      int
}

// NewBackblaze starts the fake.
func NewBackblaze(t testing.TB) *Backblaze {
	f := &Backblaze{tokens: map[string]*key{}}
	f.Server = newServer(t, func(r *http.Request) string { _, p, _ := basic(r); return p }, f.handle)
	return f
}

// Add adds a live application key with its key id, allowed to delete keys.
func (f *Backblaze) Add(appKey, keyID string) { f.keys.add(appKey, keyID); f.set(appKey, keyID) }

// AddLimited adds a live application key without the deleteKeys capability.
func (f *Backblaze) AddLimited(appKey, keyID string) {
	f.keys.add(appKey, keyID).restricted = true
	f.set(appKey, keyID)
}

func (f *Backblaze) handle(w http.ResponseWriter, r *http.Request, body string) {
	b2Err := func(status int, code, msg string) {
		writeJSON(w, status, map[string]any{"status": status, "code": code, "message": msg})
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/b2api/v3/b2_authorize_account":
		id, appKey, _ := basic(r)
		x := f.keys.verify(appKey)
		if x == nil || f.other[appKey] != id {
			b2Err(http.StatusUnauthorized, "unauthorized", "")
			return
		}
		caps := []string{"listBuckets", "readFiles", "writeFiles", "listKeys", "writeKeys", "deleteKeys"}
		if x.restricted {
			caps = []string{"listBuckets", "readFiles"}
		}
		f.mu.Lock()
		f.n++
		tok := fmt.Sprintf("4_0022623512fc8f80000000001_0186e431_d18d02_acct_fake%d=", f.n)
		f.tokens[tok] = x
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"accountId": "22623512fc8f", "authorizationToken": tok, "apiInfo": map[string]any{"storageApi": map[string]any{"apiUrl": f.URL, "downloadUrl": f.URL, "capabilities": caps, "absoluteMinimumPartSize": 5000000}}, "applicationKeyExpirationTimestamp": nil})
	case r.Method == http.MethodPost && r.URL.Path == "/b2api/v3/b2_delete_key":
		f.mu.Lock()
		x := f.tokens[r.Header.Get("Authorization")]
		f.mu.Unlock()
		var req struct {
			ApplicationKeyID string `json:"applicationKeyId"`
		}
		_ = json.Unmarshal([]byte(body), &req)
		switch {
		case x == nil || !x.live:
			b2Err(http.StatusUnauthorized, "bad_auth_token", "Invalid authorization token")
		case x.restricted:
			b2Err(http.StatusUnauthorized, "unauthorized", "unauthorized: deleteKeys")
		case req.ApplicationKeyID != x.id:
			b2Err(http.StatusBadRequest, "bad_request", "no such key")
		default:
			f.revoke(x, r)
			writeJSON(w, http.StatusOK, map[string]any{"applicationKeyId": x.id, "keyName": "ci", "capabilities": []string{"deleteKeys"}, "accountId": "22623512fc8f"})
		}
	default:
		f.unexpected(w, r, "no such route of backblaze")
	}
}
