package fake

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// Twilio fakes the calls leakstop makes to Twilio (providers.md §8): GET
// /2010-04-01/Accounts/{AccountSid}.json with an account SID and auth token, GET /v1/Services
// (the Messaging API) with an API key and its secret, and GET and DELETE
// /2010-04-01/Accounts/{AccountSid}/Keys/{KeySid}.json with the account's SID and auth token.
// An API key belongs to one account; only that account's credential may fetch or delete it.
type Twilio struct {
	*Server
	accounts map[string]string            // SID → auth token
	keys     map[string]map[string]string // account SID → key SID → secret
}

// NewTwilio starts the fake.
func NewTwilio(t testing.TB) *Twilio {
	f := &Twilio{accounts: map[string]string{}, keys: map[string]map[string]string{}}
	f.Server = newServer(t, func(r *http.Request) string {
		user, pass, _ := basic(r)
		return user + ":" + pass
	}, f.handle)
	return f
}

// AddAccount makes sid and token a live account credential.
func (f *Twilio) AddAccount(sid, token string) {
	f.mu.Lock()
	f.accounts[sid] = token
	f.mu.Unlock()
	f.Server.keys.add(sid+":"+token, "account "+sid)
}

// AddKey makes key and secret a live API key of the account sid.
func (f *Twilio) AddKey(sid, key, secret string) {
	f.mu.Lock()
	if f.keys[sid] == nil {
		f.keys[sid] = map[string]string{}
	}
	f.keys[sid][key] = secret
	f.mu.Unlock()
	f.Server.keys.add(key+":"+secret, "api key "+key)
}

// LiveKey reports whether the fake still accepts the API key and its secret.
func (f *Twilio) LiveKey(key, secret string) bool { return f.Live(key + ":" + secret) }

// twilioError is the shape of Twilio's error answers.
func twilioError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg, "more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code), "status": status})
}

func (f *Twilio) handle(w http.ResponseWriter, r *http.Request, _ string) {
	user, pass, _ := basic(r)
	cred := f.Server.keys.verify(user + ":" + pass)
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/v1/Services":
		if cred == nil {
			twilioError(w, 401, 20003, "Authenticate")
			return
		}
		writeJSON(w, 200, map[string]any{"services": []any{}, "meta": map[string]any{"page": 0, "page_size": 1, "key": "services"}})
	case strings.HasPrefix(path, "/2010-04-01/Accounts/"):
		rest := strings.TrimSuffix(strings.TrimPrefix(path, "/2010-04-01/Accounts/"), ".json")
		sid, keySid, isKey := strings.Cut(rest, "/Keys/")
		if cred == nil {
			twilioError(w, 401, 20003, "Authenticate")
			return
		}
		f.mu.Lock()
		token, account := f.accounts[sid]
		secret, owned := f.keys[sid][keySid]
		f.mu.Unlock()
		if !account || user != sid || pass != token {
			// Another account's SID in the path, or an API key: the Accounts resource
			// takes the account's own credential (or a Main key).
			twilioError(w, 404, 20404, "The requested resource "+path+" was not found")
			return
		}
		if !isKey {
			if r.Method != http.MethodGet {
				f.unexpected(w, r, "leakstop only reads accounts")
				return
			}
			writeJSON(w, 200, map[string]any{"sid": sid, "friendly_name": "Acme", "status": "active", "type": "Full"})
			return
		}
		k := f.Server.keys.get(keySid + ":" + secret)
		if !owned || k == nil || !k.live {
			twilioError(w, 404, 20404, "The requested resource "+path+" was not found")
			return
		}
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, 200, map[string]any{"sid": keySid, "friendly_name": "deploy", "date_created": "Mon, 13 Jun 2016 22:50:08 +0000"})
		case http.MethodDelete:
			f.revoke(k, r)
			w.WriteHeader(http.StatusNoContent)
		default:
			f.unexpected(w, r, "no such call on a key")
		}
	default:
		f.unexpected(w, r, "no such route of Twilio")
	}
}
