package fake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Tencent fakes two TencentCloud API 3.0 actions on one host: STS GetCallerIdentity and CAM
// UpdateAccessKey (https://www.tencentcloud.com/document/api/1150/49453,
// https://www.tencentcloud.com/document/product/598/52592). It recomputes each call's
// TC3-HMAC-SHA256 signature ("Signature v3",
// https://www.tencentcloud.com/document/api/213/33224) with the SecretKey of the SecretId
// its Credential names, and answers as Tencent Cloud does: HTTP 200, with Response.Error
// for a failure.
type Tencent struct {
	*Server
	pairs
}

// NewTencent starts the fake.
func NewTencent(t testing.TB) *Tencent {
	f := &Tencent{}
	f.Server = newServer(t, func(r *http.Request) string { return r.Header.Get("Authorization") }, f.handle)
	return f
}

// Add adds a live key: its SecretId and SecretKey.
func (f *Tencent) Add(id, secret string) { f.keys.add(id, "key "+id); f.set(id, secret) }

func tc3(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func (f *Tencent) handle(w http.ResponseWriter, r *http.Request, body string) {
	answer := func(v map[string]any) {
		v["RequestId"] = "99d650e2-10fa-4c8f-819f-874578039641"
		writeJSON(w, http.StatusOK, map[string]any{"Response": v})
	}
	fail := func(code, msg string) { answer(map[string]any{"Error": map[string]any{"Code": code, "Message": msg}}) }
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		f.unexpected(w, r, "no such route of tencent")
		return
	}
	// TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=…, Signature=…
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "TC3-HMAC-SHA256 ")
	fields := map[string]string{}
	for _, part := range strings.Split(auth, ", ") {
		k, v, _ := strings.Cut(part, "=")
		fields[k] = v
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 4 || cred[3] != "tc3_request" || fields["SignedHeaders"] != "content-type;host" {
		fail("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
		return
	}
	id, date, service := cred[0], cred[1], cred[2]
	x := f.keys.get(id)
	if x == nil || !x.live {
		fail("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.")
		return
	}
	sum := sha256.Sum256([]byte(body))
	canonical := "POST\n/\n\ncontent-type:" + r.Header.Get("Content-Type") + "\nhost:" + r.Host + "\n\ncontent-type;host\n" + hex.EncodeToString(sum[:])
	csum := sha256.Sum256([]byte(canonical))
	toSign := "TC3-HMAC-SHA256\n" + r.Header.Get("X-TC-Timestamp") + "\n" + date + "/" + service + "/tc3_request\n" + hex.EncodeToString(csum[:])
	k := tc3(tc3(tc3([]byte("TC3"+f.other[id]), date), service), "tc3_request")
	if !hmac.Equal([]byte(fields["Signature"]), []byte(hex.EncodeToString(tc3(k, toSign)))) {
		fail("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.")
		return
	}
	action, version := r.Header.Get("X-TC-Action"), r.Header.Get("X-TC-Version")
	switch {
	case service == "sts" && action == "GetCallerIdentity" && version == "2018-08-13" && r.Header.Get("X-TC-Region") != "":
		f.keys.verify(id)
		answer(map[string]any{"Type": "CAMUser", "AccountId": "100026200001", "UserId": "100026100001", "PrincipalId": "100026100001", "Arn": "qcs::cam::uin/100026200001:uin/100026100001"})
	case service == "cam" && action == "UpdateAccessKey" && version == "2019-01-16":
		var req struct {
			AccessKeyID string `json:"AccessKeyId"`
			Status      string `json:"Status"`
			TargetUin   *int64 `json:"TargetUin"`
		}
		if json.Unmarshal([]byte(body), &req) != nil || req.AccessKeyID != id || req.Status != "Inactive" || req.TargetUin != nil {
			f.unexpected(w, r, "leakstop deactivates the key it signs with")
			return
		}
		f.revoke(x, r)
		answer(map[string]any{})
	default:
		f.unexpected(w, r, "no such action of tencent: "+service+" "+action+" "+version)
	}
}
