package fake

import (
	"net/http"
	"strings"
	"testing"
)

// Pair fakes a provider whose credential is two values sent together as HTTP basic auth
// (Vonage's API key and secret, Mailjet's API key and secret key, Razorpay's key id and key
// secret), following each provider's documented answers: a live pair gets Live, any other
// credential Invalid (none of them documents an answer for a pair without a permission).
// Routes name the calls it answers; a path ending in "/*" takes any one segment more (an
// account's key in the path).
type Pair struct {
	*Server
	Provider string
	Routes   []PairRoute
}

// PairRoute is one call a Pair answers.
type PairRoute struct {
	Call          string
	Live, Invalid Answer
}

// NewPair starts the fake of provider.
func NewPair(t testing.TB, provider string, routes ...PairRoute) *Pair {
	f := &Pair{Provider: provider, Routes: routes}
	f.Server = newServer(t, func(r *http.Request) string {
		user, pass, _ := basic(r)
		return user + ":" + pass
	}, f.handle)
	return f
}

// AddPair makes user and pass a live credential.
func (f *Pair) AddPair(user, pass string) { f.keys.add(user+":"+pass, f.Provider+" "+user) }

func (rt PairRoute) matches(r *http.Request) bool {
	method, path, _ := strings.Cut(rt.Call, " ")
	if r.Method != method {
		return false
	}
	if pre, ok := strings.CutSuffix(path, "/*"); ok {
		rest, ok := strings.CutPrefix(r.URL.Path, pre+"/")
		return ok && rest != "" && !strings.Contains(rest, "/")
	}
	if pre, suf, ok := strings.Cut(path, "/*/"); ok {
		rest, ok := strings.CutPrefix(r.URL.Path, pre+"/")
		seg, tail, _ := strings.Cut(rest, "/")
		return ok && seg != "" && tail == suf
	}
	return r.URL.Path == path
}

func (f *Pair) handle(w http.ResponseWriter, r *http.Request, _ string) {
	for _, rt := range f.Routes {
		if !rt.matches(r) {
			continue
		}
		user, pass, ok := basic(r)
		var x *key
		if ok {
			x = f.keys.verify(user + ":" + pass)
		}
		switch {
		case x == nil:
			answer(w, rt.Invalid)
		default:
			answer(w, rt.Live)
		}
		return
	}
	f.unexpected(w, r, "no such route of "+f.Provider)
}

// The documented answers of the pair providers' verification calls.
var (
	// VonageSecrets is GET /accounts/{api_key}/secrets
	// (https://developer.vonage.com/en/api/account#retrieveAPISecrets).
	VonageSecrets = PairRoute{
		Call:    "GET /accounts/*/secrets",
		Live:    Answer{Status: 200, Body: `{"_links":{"self":{"href":"/accounts/abcd1234/secrets"}},"_embedded":{"secrets":[{"_links":{"self":{"href":"/accounts/abcd1234/secrets/ad6dc56f-07b5-46e1-a527-85530e625800"}},"id":"ad6dc56f-07b5-46e1-a527-85530e625800","created_at":"2017-03-02T16:34:49Z"}]}}`},
		Invalid: Answer{Status: 401, Body: `{"type":"https://developer.nexmo.com/api-errors#unauthorized","title":"Invalid credentials supplied","detail":"You did not provide correct credentials.","instance":"797a8f199c45014ab7b08bfe9cc1c12c"}`},
	}
	// MailjetAPIKey is GET /v3/REST/apikey
	// (https://dev.mailjet.com/email/reference/account-settings/api-key-configuration/).
	MailjetAPIKey = PairRoute{
		Call:    "GET /v3/REST/apikey",
		Live:    Answer{Status: 200, Body: `{"Count":1,"Data":[{"ACL":"","APIKey":"<redacted>","CreatedAt":"2024-01-01T00:00:00Z","ID":123,"IsActive":true,"IsMaster":true,"Name":"Master"}],"Total":1}`},
		Invalid: Answer{Status: 401, Body: `{"ErrorIdentifier":"9f0b1bd8","StatusCode":401,"ErrorMessage":"API key authentication/authorization failure. You may be unauthorized to access the API or your API key may be expired. Visit API keys management section to check your keys."}`},
	}
	// RazorpayPayments is GET /v1/payments (https://razorpay.com/docs/api/payments/fetch-all-payments/).
	RazorpayPayments = PairRoute{
		Call:    "GET /v1/payments",
		Live:    Answer{Status: 200, Body: `{"entity":"collection","count":1,"items":[{"id":"pay_29QQoUBi66xm2f","entity":"payment","amount":500100,"currency":"INR","status":"captured"}]}`},
		Invalid: Answer{Status: 401, Body: `{"error":{"code":"BAD_REQUEST_ERROR","description":"The api key provided is invalid","source":"NA","step":"NA","reason":"NA"}}`},
	}
)
