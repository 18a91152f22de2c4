package revoke

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// tencentProvider verifies API keys (a SecretId with its SecretKey beside it) with STS
// GetCallerIdentity and deactivates them with CAM UpdateAccessKey, Status Inactive, signed
// by the key itself: TencentCloud API 3.0 calls (a JSON POST) signed with TC3-HMAC-SHA256.
// LEAKSTOP_TENCENT_URL sends both to one host (tests).
type tencentProvider struct {
	c        *Client
	sts, cam string
	now      func() time.Time
}

// newTencent returns the Tencent Cloud provider.
func newTencent(cfg Config) *tencentProvider {
	p := &tencentProvider{c: cfg.Client, sts: "https://sts.tencentcloudapi.com", cam: "https://cam.tencentcloudapi.com", now: time.Now}
	if base, set := cfg.base("tencent"); set {
		p.sts, p.cam = base, base
	}
	return p
}

const tencentRemedy = "disable and delete the key at https://console.tencentcloud.com/cam/capi, then check CloudAudit for its use"

// Remediation says what to do by hand.
func (p *tencentProvider) Remediation(Secret) string { return tencentRemedy }

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func sha256hex(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// signTC3 returns the Authorization header of a TencentCloud API 3.0 POST of body to host
// for service at t, as "Signature v3" writes it: a canonical request of the method, the
// path /, no query, the content-type and host headers and the body's SHA-256; a string to
// sign of the algorithm, the time, the scope (date/service/tc3_request) and the canonical
// request's SHA-256; a key derived from "TC3"+secret through the date, the service and
// tc3_request.
func signTC3(host, service, contentType string, body []byte, id, secret string, t time.Time) string {
	const signed = "content-type;host"
	canonical := "POST\n/\n\ncontent-type:" + contentType + "\nhost:" + host + "\n\n" + signed + "\n" + sha256hex(body)
	date := t.UTC().Format("2006-01-02")
	scope := date + "/" + service + "/tc3_request"
	toSign := "TC3-HMAC-SHA256\n" + strconv.FormatInt(t.Unix(), 10) + "\n" + scope + "\n" + sha256hex([]byte(canonical))
	k := hmacSHA256(hmacSHA256(hmacSHA256([]byte("TC3"+secret), date), service), "tc3_request")
	return "TC3-HMAC-SHA256 Credential=" + id + "/" + scope + ", SignedHeaders=" + signed + ", Signature=" + hex.EncodeToString(hmacSHA256(k, toSign))
}

// tencentAnswer is what every API 3.0 call answers, with HTTP 200 even for an error.
type tencentAnswer struct {
	Response struct {
		Error *struct {
			Code    string `json:"Code"`
			Message string `json:"Message"`
		} `json:"Error"`
		Arn       string `json:"Arn"`
		AccountID string `json:"AccountId"`
		RequestID string `json:"RequestId"`
	} `json:"Response"`
}

// call sends one signed API 3.0 call and reads its answer: the error code, if any.
func (p *tencentProvider) call(ctx context.Context, s Secret, action, base, service, apiAction, version string, params map[string]string) (*reply, *tencentAnswer, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, nil, err
	}
	const ct = "application/json; charset=utf-8"
	now := p.now()
	h := http.Header{}
	h.Set("Content-Type", ct)
	h.Set("X-TC-Action", apiAction)
	h.Set("X-TC-Version", version)
	h.Set("X-TC-Timestamp", strconv.FormatInt(now.Unix(), 10))
	if service == "sts" {
		h.Set("X-TC-Region", "ap-guangzhou")
	}
	h.Set("Authorization", signTC3(u.Host, service, ct, body, s.Value, s.Companion, now))
	// UpdateAccessKey sets a state: sent twice, it does what once does.
	r, err := p.c.do(ctx, request{Provider: "tencent", Action: action, Secret: &s, Method: http.MethodPost, URL: base + "/", Header: h, Body: body, Idempotent: action == "revoke"})
	if err != nil {
		return nil, nil, err
	}
	var a tencentAnswer
	if json.Unmarshal(r.Body, &a) != nil {
		return r, nil, nil
	}
	return r, &a, nil
}

// tencentInvalid are the error codes of a SecretId Tencent Cloud does not know or has
// disabled.
var tencentInvalid = []string{"AuthFailure.SecretIdNotFound", "AuthFailure.InvalidSecretId"}

func (a *tencentAnswer) code() string {
	if a == nil || a.Response.Error == nil {
		return ""
	}
	return a.Response.Error.Code
}

// Verify calls GetCallerIdentity: an answer with the account live; an unknown or disabled
// SecretId invalid; a wrong signature means the SecretKey beside it is not its own: unknown.
func (p *tencentProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Companion == "" {
		return Outcome{Status: outcome.Skipped, Detail: "the SecretId verifies only with its SecretKey, which is not beside it"}, nil
	}
	r, a, err := p.call(ctx, s, "verify", p.sts, "sts", "GetCallerIdentity", "2018-08-13", map[string]string{})
	if err != nil {
		return Outcome{}, err
	}
	code := a.code()
	switch {
	case r.Status == http.StatusOK && a != nil && code == "" && a.Response.AccountID != "":
		return Outcome{Status: outcome.Live, Detail: "accepted by Tencent Cloud: " + a.Response.Arn}, nil
	case slices.Contains(tencentInvalid, code):
		return Outcome{Status: outcome.Invalid, Detail: "Tencent Cloud: " + code}, nil
	case code == "AuthFailure.SignatureFailure":
		return Outcome{Status: outcome.Unknown, Detail: "the SecretId exists, but the SecretKey beside it is not its own (AuthFailure.SignatureFailure)"}, nil
	}
	return unknownAnswer(r), nil
}

// Revoke sets the key Inactive with itself (UpdateAccessKey acts on the caller's own user
// when no TargetUin is named): the owner can delete it, or make it active again.
func (p *tencentProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would deactivate the key with itself (CAM UpdateAccessKey, Status Inactive)"}, nil
	}
	r, a, err := p.call(ctx, s, "revoke", p.cam, "cam", "UpdateAccessKey", "2019-01-16", map[string]string{"AccessKeyId": s.Value, "Status": "Inactive"})
	if err != nil {
		return Outcome{}, err
	}
	code := a.code()
	switch {
	case r.Status == http.StatusOK && a != nil && code == "" && a.Response.RequestID != "":
		return Outcome{Status: outcome.Revoked, Detail: "deactivated with itself (Status Inactive; the owner can delete it or make it active again)", Eventual: true}, nil
	case slices.Contains(tencentInvalid, code):
		return Outcome{Status: outcome.Revoked, Detail: "already invalid (" + code + ")"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "deactivating: " + httpDetail(r) + " (the key may lack cam:UpdateAccessKey on itself); " + tencentRemedy}, nil
}

// Describe says which calls the Tencent Cloud provider makes.
func (p *tencentProvider) Describe() Calls {
	return Calls{
		Verify: "STS `GetCallerIdentity`, signed (TC3-HMAC-SHA256) with the SecretKey beside the SecretId",
		Revoke: "with the key itself: CAM `UpdateAccessKey` `Status=Inactive`",
	}
}
