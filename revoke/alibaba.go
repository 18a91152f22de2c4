package revoke

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// alibabaProvider verifies AccessKey pairs with STS GetCallerIdentity and deactivates them
// with the IMS (RAM) API's UpdateAccessKey, Status Inactive, signed by the pair itself: RPC
// calls whose parameters are signed with HMAC-SHA1 (signature version 1.0).
// LEAKSTOP_ALIBABA_URL sends both to one host (tests).
type alibabaProvider struct {
	c        *Client
	sts, ims string
	now      func() time.Time
}

// newAlibaba returns the Alibaba Cloud provider.
func newAlibaba(cfg Config) *alibabaProvider {
	a := &alibabaProvider{c: cfg.Client, sts: "https://sts.aliyuncs.com", ims: "https://ims.aliyuncs.com", now: time.Now}
	if base, set := cfg.base("alibaba"); set {
		a.sts, a.ims = base, base
	}
	return a
}

const alibabaRemedy = "disable and delete the AccessKey pair at https://ram.console.aliyun.com/manage/ak, then check ActionTrail for its use"

// Remediation says what to do by hand.
func (a *alibabaProvider) Remediation(Secret) string { return alibabaRemedy }

// rpcEscape percent-encodes as the RPC signature wants: RFC 3986, space as %20, ~ kept.
func rpcEscape(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

// signRPC returns the signed query of an Alibaba Cloud RPC call of method: params with the
// common parameters (key id, timestamp, nonce, signature method and version) and the
// Signature, which is base64(HMAC-SHA1(secret + "&", method + "&%2F&" + escaped sorted
// query)).
func signRPC(method string, params map[string]string, keyID, secret string, now time.Time, nonce string) url.Values {
	all := map[string]string{
		"Format": "JSON", "AccessKeyId": keyID, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
		"SignatureNonce": nonce, "Timestamp": now.UTC().Format("2006-01-02T15:04:05Z"),
	}
	for k, v := range params {
		all[k] = v
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = rpcEscape(k) + "=" + rpcEscape(all[k])
	}
	toSign := method + "&" + rpcEscape("/") + "&" + rpcEscape(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	q := url.Values{}
	for k, v := range all {
		q.Set(k, v)
	}
	q.Set("Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return q
}

// rpc sends one signed call and reads the answer's error code, if any: a read as a GET with
// the signed parameters in the query, a change as a POST with them in a form.
func (a *alibabaProvider) rpc(ctx context.Context, s Secret, action, base string, params map[string]string) (*reply, string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, "", err
	}
	method := http.MethodGet
	if action == "revoke" {
		method = http.MethodPost
	}
	q := signRPC(method, params, s.Value, s.Companion, a.now(), hex.EncodeToString(b[:]))
	call := request{Provider: "alibaba", Action: action, Secret: &s, Method: method, URL: base + "/?" + q.Encode()}
	if method == http.MethodPost {
		// UpdateAccessKey sets a state: sent twice, it does what once does.
		call.URL, call.Body, call.Idempotent = base+"/", []byte(q.Encode()), true
		call.Header = http.Header{}
		call.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r, err := a.c.do(ctx, call)
	if err != nil {
		return nil, "", err
	}
	var e struct {
		Code string `json:"Code"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return r, e.Code, nil
}

// alibabaInvalid are the error codes of a key id Alibaba Cloud does not know or has disabled.
var alibabaInvalid = []string{"InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "InvalidAccessKeyId"}

// Verify calls GetCallerIdentity: 200 live; an unknown or inactive key id invalid. A wrong
// signature says the key id exists but the secret beside it is not its own: unknown.
func (a *alibabaProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Companion == "" {
		return Outcome{Status: outcome.Skipped, Detail: "the AccessKey ID verifies only with its secret, which is not beside it"}, nil
	}
	r, code, err := a.rpc(ctx, s, "verify", a.sts, map[string]string{"Action": "GetCallerIdentity", "Version": "2015-04-01"})
	if err != nil {
		return Outcome{}, err
	}
	var id struct {
		AccountID string `json:"AccountId"`
		Arn       string `json:"Arn"`
	}
	switch {
	case r.Status == http.StatusOK && json.Unmarshal(r.Body, &id) == nil && id.AccountID != "":
		return Outcome{Status: outcome.Live, Detail: "accepted by Alibaba Cloud: " + id.Arn}, nil
	case slices.Contains(alibabaInvalid, code):
		return invalid(r), nil
	case code == "SignatureDoesNotMatch":
		return Outcome{Status: outcome.Unknown, Detail: "the key id exists, but the secret beside it is not its own (SignatureDoesNotMatch)"}, nil
	}
	return unknownAnswer(r), nil
}

// Revoke sets the key Inactive with itself (UpdateAccessKey acts on the caller's own key
// when no user is named): the owner can make it active again once it is rotated.
func (a *alibabaProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would deactivate the AccessKey pair with itself (IMS UpdateAccessKey, Status Inactive)"}, nil
	}
	r, code, err := a.rpc(ctx, s, "revoke", a.ims, map[string]string{"Action": "UpdateAccessKey", "Version": "2019-08-15", "UserAccessKeyId": s.Value, "Status": "Inactive"})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case r.Status == http.StatusOK && code == "":
		if !acknowledged(r) {
			return notAcknowledged("deactivating", r), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: "deactivated with itself (Status Inactive; the owner can delete it or make it active again)", Eventual: true}, nil
	case slices.Contains(alibabaInvalid, code):
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (" + httpDetail(r) + ")"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deactivating: " + httpDetail(r) + " (the key may lack ram:UpdateAccessKey on itself); " + alibabaRemedy}, nil
}

// Describe says which calls the Alibaba Cloud provider makes.
func (a *alibabaProvider) Describe() Calls {
	return Calls{
		Verify: "STS `GetCallerIdentity`, signed with the secret beside the key id",
		Revoke: "with the pair itself: IMS `UpdateAccessKey` `Status=Inactive`",
	}
}
