package revoke

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzCloudHosts: whatever text a companion holds, the account or workspace host leakstop
// builds from it is either none or an https URL of the provider's own domain, with no user,
// port, path, query or fragment: a scanned file cannot send a key anywhere else.
func FuzzCloudHosts(f *testing.F) {
	for _, s := range []string{
		"acme-prod", "xy12345.us-east-2.aws", "xy12345.eu-central-1.snowflakecomputing.com", "acme_data",
		"adb-1234567890123456.7.azuredatabricks.net", "dbc-a1b2c3d4-e5f6.cloud.databricks.com", "1234567890.1.gcp.databricks.com",
		"https://adb-1.2.azuredatabricks.net/", "evil.example/x", "user@evil.example", "a.b#.snowflakecomputing.com", "x.cloud.databricks.com@evil",
		"", "..", "a\nb", "ACME.US-EAST-1",
	} {
		f.Add(s)
	}
	d := &databricksProvider{}
	f.Fuzz(func(t *testing.T, companion string) {
		for _, tt := range []struct {
			host   string
			suffix []string
		}{
			{snowflakeHost(companion), []string{".snowflakecomputing.com"}},
			{d.host(Secret{Companion: companion}), []string{".cloud.databricks.com", ".azuredatabricks.net", ".gcp.databricks.com"}},
		} {
			if tt.host == "" {
				continue
			}
			u, err := url.Parse(tt.host)
			if err != nil || u.Scheme != "https" || u.User != nil || u.Port() != "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
				t.Fatalf("companion %q gives host %q", companion, tt.host)
			}
			ok := false
			for _, s := range tt.suffix {
				ok = ok || strings.HasSuffix(u.Host, s) && len(u.Host) > len(s)
			}
			if !ok || "https://"+u.Host != tt.host {
				t.Fatalf("companion %q gives host %q, not of the provider's domain", companion, tt.host)
			}
		}
	})
}

// FuzzSignRPC: an Alibaba Cloud RPC query signed by leakstop carries every parameter as
// given, and its Signature is the HMAC-SHA1 that Alibaba Cloud recomputes from the query
// alone (the method, the sorted, escaped parameters): a server that parses the query finds
// the same string to sign.
func FuzzSignRPC(f *testing.F) {
	f.Add("GetCallerIdentity", "2015-04-01", "UserAccessKeyId", "key-id", "key-id", "s3cr3t", "nonce")
	f.Add("UpdateAccessKey", "2019-08-15", "Status", "Inactive ~*+/ é", "id with space", "", "")
	f.Fuzz(func(t *testing.T, action, version, k, v, keyID, secret, nonce string) {
		params := map[string]string{"Action": action, "Version": version}
		if k != "" && k != "Signature" {
			params[k] = v
		}
		now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
		for _, method := range []string{"GET", "POST"} {
			q := signRPC(method, params, keyID, secret, now, nonce)
			parsed, err := url.ParseQuery(q.Encode())
			if err != nil {
				t.Fatalf("the signed query does not parse: %v", err)
			}
			for pk, pv := range params {
				if parsed.Get(pk) != pv && pk != "AccessKeyId" && pk != "SignatureNonce" && pk != "Format" && pk != "SignatureMethod" && pk != "SignatureVersion" && pk != "Timestamp" {
					t.Fatalf("parameter %q is %q after signing, want %q", pk, parsed.Get(pk), pv)
				}
			}
			// Recompute as the server does, from the parsed query.
			var pairs []string
			keys := make([]string, 0, len(parsed))
			for pk := range parsed {
				if pk != "Signature" {
					keys = append(keys, pk)
				}
			}
			slices.Sort(keys)
			for _, pk := range keys {
				pairs = append(pairs, rpcEscape(pk)+"="+rpcEscape(parsed.Get(pk)))
			}
			mac := hmac.New(sha1.New, []byte(secret+"&"))
			mac.Write([]byte(method + "&%2F&" + rpcEscape(strings.Join(pairs, "&"))))
			if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); parsed.Get("Signature") != want {
				t.Fatalf("signature %q, the server computes %q", parsed.Get("Signature"), want)
			}
		}
	})
}
