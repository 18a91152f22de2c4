package fake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// AzureStorage fakes Get Blob Service Properties (GET /?restype=service&comp=properties,
// https://learn.microsoft.com/rest/api/storageservices/get-blob-service-properties) for
// storage accounts, each with its key: it recomputes the SharedKey signature of every
// request (https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key)
// with the key of the account the Authorization header names, and answers 403
// AuthenticationFailed when it differs, as Azure does.
type AzureStorage struct{ *Server }

// NewAzureStorage starts the fake.
func NewAzureStorage(t testing.TB) *AzureStorage {
	f := &AzureStorage{}
	f.Server = newServer(t, func(r *http.Request) string { return r.Header.Get("Authorization") }, f.handle)
	return f
}

// Add adds a live key of account.
func (f *AzureStorage) Add(key, account string) { f.keys.add(key, account) }

// azureStringToSign is the string a SharedKey signature of a GET without a body signs.
func azureStringToSign(r *http.Request, account string) string {
	lines := []string{r.Method, "", "", "", "", "", "", "", "", "", "", ""}
	var ms []string
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-ms-") {
			ms = append(ms, lk+":"+strings.TrimSpace(r.Header.Get(k)))
		}
	}
	sort.Strings(ms)
	res := "/" + account + r.URL.EscapedPath()
	q := r.URL.Query()
	var names []string
	for k := range q {
		names = append(names, strings.ToLower(k))
	}
	sort.Strings(names)
	for _, k := range names {
		v := append([]string(nil), q[k]...)
		sort.Strings(v)
		res += "\n" + k + ":" + strings.Join(v, ",")
	}
	return strings.Join(lines, "\n") + "\n" + strings.Join(ms, "\n") + "\n" + res
}

func (f *AzureStorage) handle(w http.ResponseWriter, r *http.Request, _ string) {
	q := r.URL.Query()
	if r.Method != http.MethodGet || r.URL.Path != "/" || q.Get("restype") != "service" || q.Get("comp") != "properties" || len(q) != 2 {
		f.unexpected(w, r, "leakstop reads the Blob service properties only")
		return
	}
	fail := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("x-ms-error-code", code)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><Error><Code>` + code + `</Code><Message>` + msg + `</Message></Error>`))
	}
	if r.Header.Get("x-ms-date") == "" || r.Header.Get("x-ms-version") == "" {
		fail(http.StatusForbidden, "AuthenticationFailed", "Server failed to authenticate the request. x-ms-date and x-ms-version are required.")
		return
	}
	account, sig, ok := strings.Cut(strings.TrimPrefix(r.Header.Get("Authorization"), "SharedKey "), ":")
	var match *key
	f.keys.mu.Lock()
	candidates := append([]*key(nil), f.keys.list...)
	f.keys.mu.Unlock()
	for _, x := range candidates {
		if !ok || x.id != account {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(x.value)
		if err != nil {
			continue
		}
		mac := hmac.New(sha256.New, raw)
		mac.Write([]byte(azureStringToSign(r, account)))
		if hmac.Equal([]byte(sig), []byte(base64.StdEncoding.EncodeToString(mac.Sum(nil)))) {
			match = f.keys.verify(x.value)
			break
		}
	}
	if match == nil {
		fail(http.StatusForbidden, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.")
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-ms-version", r.Header.Get("x-ms-version"))
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Logging><Version>1.0</Version><Delete>false</Delete><Read>false</Read><Write>false</Write><RetentionPolicy><Enabled>false</Enabled></RetentionPolicy></Logging><HourMetrics><Version>1.0</Version><Enabled>true</Enabled><IncludeAPIs>true</IncludeAPIs><RetentionPolicy><Enabled>true</Enabled><Days>7</Days></RetentionPolicy></HourMetrics><Cors /><DefaultServiceVersion>2021-12-02</DefaultServiceVersion></StorageServiceProperties>`))
}
