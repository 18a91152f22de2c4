package revoke

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// azureProvider verifies storage account keys: Get Blob Service Properties (GET
// https://<account>.blob.core.windows.net/?restype=service&comp=properties), signed with the
// key (SharedKey), the account being the companion. It reads the service's settings only,
// no data. 200 is live; 403 AuthenticationFailed says the key does not sign for the
// account: invalid. LEAKSTOP_AZURE_URL replaces every account's host (tests). The other
// Azure secrets are not verified, and none is revoked: rotating a key needs an Azure
// Resource Manager token and the account's resource id.
type azureProvider struct {
	c        *Client
	base     string
	override bool
	now      func() time.Time
}

// newAzure returns the Azure provider.
func newAzure(cfg Config) *azureProvider {
	a := &azureProvider{c: cfg.Client, now: time.Now}
	a.base, a.override = cfg.base("azure")
	return a
}

// Remediation says what to do by hand.
func (a *azureProvider) Remediation(s Secret) string {
	switch s.Rule {
	case "azure-storage-account-key", "azure-storage-key":
		return "rotate the key under the storage account's Access keys in the Azure portal (https://learn.microsoft.com/azure/storage/common/storage-account-keys-manage)"
	}
	return "rotate it in the Azure portal (https://portal.azure.com)"
}

// azureStorageAccount is a storage account name: 3 to 24 lower-case letters and digits.
var azureStorageAccount = regexp.MustCompile(`^[a-z0-9]{3,24}$`)

const azureStorageVersion = "2021-12-02"

// sharedKey signs a Blob service request of method to u (no body) for account with key, as
// "Authorize with Shared Key" writes it: the verb, eleven standard headers (all empty here),
// the x-ms- headers sorted, then the canonicalized resource (/account/path and the query
// parameters sorted, one "name:value" a line).
func sharedKey(method string, u *url.URL, h http.Header, account string, key []byte) string {
	var b strings.Builder
	b.WriteString(method + "\n")
	b.WriteString(strings.Repeat("\n", 11))
	var names []string
	for k := range h {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-ms-") {
			names = append(names, lk)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		b.WriteString(k + ":" + strings.TrimSpace(h.Get(k)) + "\n")
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString("/" + account + path)
	q := u.Query()
	params := make([]string, 0, len(q))
	for k := range q {
		params = append(params, k)
	}
	slices.SortFunc(params, func(x, y string) int { return strings.Compare(strings.ToLower(x), strings.ToLower(y)) })
	for _, k := range params {
		vs := slices.Clone(q[k])
		slices.Sort(vs)
		b.WriteString("\n" + strings.ToLower(k) + ":" + strings.Join(vs, ","))
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify reads the Blob service properties of the key's account.
func (a *azureProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Rule != "azure-storage-account-key" && s.Rule != "azure-storage-key" {
		return Outcome{Status: outcome.Skipped, Detail: "Azure has no one call that verifies it alone (a SAS is scoped to its resource, a client secret needs its tenant and client id)"}, nil
	}
	if !azureStorageAccount.MatchString(s.Companion) {
		return Outcome{Status: outcome.Skipped, Detail: "the key's storage account is not known (no AccountName beside it)"}, nil
	}
	key, err := base64.StdEncoding.DecodeString(s.Value)
	if err != nil {
		return Outcome{Status: outcome.Skipped, Detail: "the key is not base64"}, nil
	}
	host := "https://" + s.Companion + ".blob.core.windows.net"
	if a.override {
		host = a.base
	}
	u, err := url.Parse(host + "/?restype=service&comp=properties")
	if err != nil {
		return Outcome{}, err
	}
	h := http.Header{}
	h.Set("x-ms-date", a.now().UTC().Format(http.TimeFormat))
	h.Set("x-ms-version", azureStorageVersion)
	h.Set("Authorization", "SharedKey "+s.Companion+":"+sharedKey(http.MethodGet, u, h, s.Companion, key))
	r, err := a.c.do(ctx, request{Provider: "azure", Action: "verify", Secret: &s, Method: http.MethodGet, URL: u.String(), Header: h})
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case r.Status == http.StatusOK && strings.Contains(string(r.Body), "<StorageServiceProperties"):
		return Outcome{Status: outcome.Live, Detail: "signs for storage account " + s.Companion}, nil
	case r.Status == http.StatusForbidden && r.Header.Get("x-ms-error-code") == "AuthenticationFailed":
		return Outcome{Status: outcome.Invalid, Detail: "storage account " + s.Companion + " does not accept the key (AuthenticationFailed)"}, nil
	}
	return unknownAnswer(r), nil
}

// Describe says which calls the Azure provider makes.
func (a *azureProvider) Describe() Calls {
	return Calls{Verify: "storage account keys: `GET https://<account>.blob.core.windows.net/?restype=service&comp=properties`, signed with the key (SharedKey)"}
}
