package fake

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Slack fakes auth.test, auth.revoke (with test=1) and incoming webhooks (providers.md §5).
// Errors come back as HTTP 200 with "ok": false, as Slack sends them.
type Slack struct {
	*Server
	// TestRevokes counts auth.revoke calls with test=1 (dry runs).
	TestRevokes int
}

// NewSlack starts the fake.
func NewSlack(t testing.TB) *Slack {
	f := &Slack{}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddToken adds a live token, or a webhook path ("/services/T…/B…/…").
func (f *Slack) AddToken(v string) { f.keys.add(v, "slack "+v[len(v)-4:]) }

func (f *Slack) handle(w http.ResponseWriter, r *http.Request, body string) {
	if strings.HasPrefix(r.URL.Path, "/services/") {
		if r.Method != http.MethodPost {
			f.unexpected(w, r, "webhooks take POST")
			return
		}
		if f.keys.verify("https://hooks.slack.com"+r.URL.Path) == nil {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("no_service"))
			return
		}
		if !strings.HasPrefix(strings.TrimSpace(body), "{") {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("invalid_payload"))
			return
		}
		f.unexpected(w, r, "a well-formed webhook post would send a message")
		return
	}
	if r.Method != http.MethodPost {
		f.unexpected(w, r, "leakstop posts to Slack methods")
		return
	}
	tok := bearerOf(r)
	form, _ := url.ParseQuery(body)
	switch r.URL.Path {
	case "/api/auth.test":
		if f.keys.verify(tok) == nil {
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "url": "https://example.slack.com/", "team": "Team", "user": "grace", "team_id": "T12345678", "user_id": "W12345678"})
	case "/api/auth.revoke":
		x := f.keys.get(tok)
		if x == nil || !x.live {
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		if form.Get("test") == "1" {
			f.mu.Lock()
			f.TestRevokes++
			f.mu.Unlock()
			writeJSON(w, http.StatusOK, map[string]any{"ok": true, "revoked": false})
			return
		}
		f.revoke(x, r)
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "revoked": true})
	default:
		f.unexpected(w, r, "no such method")
	}
}

// NPM fakes GET /-/whoami and DELETE /-/npm/v1/tokens/token/{sha512} (providers.md §6).
type NPM struct {
	*Server
	// Cached keeps deleted tokens working, as the registry's cache does for up to an hour.
	Cached bool
}

// NewNPM starts the fake.
func NewNPM(t testing.TB) *NPM {
	f := &NPM{}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddToken adds a live token; its id is the hex SHA-512 of the value.
func (f *NPM) AddToken(v string) { f.keys.add(v, sha512hex(v)) }

func (f *NPM) handle(w http.ResponseWriter, r *http.Request, _ string) {
	tok := bearerOf(r)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/-/whoami":
		x := f.keys.verify(tok)
		if x == nil && !(f.Cached && f.keys.get(tok) != nil) {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "Unauthorized"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"username": "alice"})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/-/npm/v1/tokens/token/"):
		x := f.keys.get(tok)
		if x == nil || !x.live {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "Unauthorized"})
			return
		}
		if strings.TrimPrefix(r.URL.Path, "/-/npm/v1/tokens/token/") != x.id {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "not found"})
			return
		}
		f.revoke(x, r)
		w.WriteHeader(http.StatusNoContent)
	default:
		f.unexpected(w, r, "no such route")
	}
}

// Bearer fakes a provider verified by one GET with a bearer token (Hugging Face, Stripe,
// Groq, DigitalOcean, Replicate): 200 with Body for live tokens, 401 otherwise.
type Bearer struct {
	*Server
	Path string
	Body string
}

// NewBearer starts the fake for path.
func NewBearer(t testing.TB, path, body string) *Bearer {
	f := &Bearer{Path: path, Body: body}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddToken adds a live token.
func (f *Bearer) AddToken(v string) { f.keys.add(v, "token") }

func (f *Bearer) handle(w http.ResponseWriter, r *http.Request, _ string) {
	if r.Method != http.MethodGet || r.URL.Path != f.Path {
		f.unexpected(w, r, "no such route")
		return
	}
	if f.keys.verify(bearerOf(r)) == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "Invalid credentials", "success": false, "errors": []map[string]any{{"code": 1000, "message": "Invalid API Token"}}})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(f.Body))
}

// AWS fakes STS GetCallerIdentity and IAM UpdateAccessKey on one endpoint, as both speak
// the Query protocol (providers.md §7). It reads the key id and service from the SigV4
// Authorization header's Credential= scope; it does not recompute signatures.
type AWS struct {
	*Server
	secrets map[string]string
	users   map[string]string
	// Account is the account every key belongs to.
	Account string
	// SelfDeny makes keys unable to deactivate themselves (AccessDenied).
	SelfDeny bool
}

// NewAWS starts the fake.
func NewAWS(t testing.TB) *AWS {
	f := &AWS{secrets: map[string]string{}, users: map[string]string{}, Account: "123456789012"}
	f.Server = newServer(t, awsKeyID, f.handle)
	return f
}

// AddKey adds a live key of user.
func (f *AWS) AddKey(id, secret, user string) {
	f.keys.add(id, id)
	f.mu.Lock()
	f.secrets[id], f.users[id] = secret, user
	f.mu.Unlock()
}

var credRe = regexp.MustCompile(`Credential=([A-Z0-9]+)/\d{8}/([a-z0-9-]+)/([a-z]+)/aws4_request`)

func awsKeyID(r *http.Request) string {
	if m := credRe.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	return ""
}

func awsErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>` + code + `</Code><Message>` + msg + `</Message></Error><RequestId>fake</RequestId></ErrorResponse>`))
}

func (f *AWS) handle(w http.ResponseWriter, r *http.Request, body string) {
	m := credRe.FindStringSubmatch(r.Header.Get("Authorization"))
	if r.Method != http.MethodPost || m == nil || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		f.unexpected(w, r, "not a SigV4-signed Query request")
		return
	}
	id, service := m[1], m[3]
	form, _ := url.ParseQuery(body)
	action := form.Get("Action")
	x := f.keys.get(id)
	if x == nil || !x.live {
		awsErr(w, http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	switch {
	case service == "sts" && action == "GetCallerIdentity":
		f.keys.verify(id)
		f.mu.Lock()
		user := f.users[id]
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::` + f.Account + `:user/` + user + `</Arn><UserId>AIDAFAKE</UserId><Account>` + f.Account + `</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>`))
	case service == "iam" && action == "UpdateAccessKey":
		target := f.keys.get(form.Get("AccessKeyId"))
		if form.Get("Status") != "Inactive" {
			f.unexpected(w, r, "leakstop only sets keys Inactive")
			return
		}
		if target == nil {
			awsErr(w, http.StatusNotFound, "NoSuchEntity", "The Access Key with id was not found.")
			return
		}
		if f.SelfDeny && id == target.id {
			awsErr(w, http.StatusForbidden, "AccessDenied", "User is not authorized to perform: iam:UpdateAccessKey")
			return
		}
		f.revoke(target, r)
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(`<UpdateAccessKeyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></UpdateAccessKeyResponse>`))
	default:
		f.unexpected(w, r, "no such action "+service+" "+action)
	}
}

// Discord fakes GET /api/v10/users/@me for bot tokens ("Authorization: Bot …") and GET and
// DELETE on webhook URLs (/api/webhooks/{id}/{token}), which need no other credential
// (providers.md §8). A deleted webhook answers 404 Unknown Webhook, as Discord does.
type Discord struct {
	*Server
}

// NewDiscord starts the fake.
func NewDiscord(t testing.TB) *Discord {
	f := &Discord{}
	f.Server = newServer(t, func(r *http.Request) string {
		if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bot "); ok {
			return v
		}
		return ""
	}, f.handle)
	return f
}

// AddToken adds a live bot token, or a live webhook (its URL; only the path is matched).
func (f *Discord) AddToken(v string) { f.keys.add(discordKey(v), "discord "+v[len(v)-4:]) }

// Live reports whether v (a bot token or a webhook URL) still authenticates.
func (f *Discord) Live(v string) bool { return f.Server.Live(discordKey(v)) }

func discordKey(v string) string {
	if u, err := url.Parse(v); err == nil && strings.Contains(u.Path, "/webhooks/") {
		return u.Path
	}
	return v
}

var discordWebhook = regexp.MustCompile(`^/api/(?:v[0-9]+/)?webhooks/[0-9]+/[A-Za-z0-9_-]+$`)

func (f *Discord) handle(w http.ResponseWriter, r *http.Request, _ string) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v10/users/@me":
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bot ")
		if !ok || f.keys.verify(tok) == nil {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": "80351110224678912", "username": "leakbot", "bot": true})
	case discordWebhook.MatchString(r.URL.Path):
		if r.Header.Get("Authorization") != "" {
			f.unexpected(w, r, "a webhook call needs no Authorization header")
			return
		}
		switch r.Method {
		case http.MethodGet:
			if f.keys.verify(r.URL.Path) == nil {
				writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Webhook", "code": 10015})
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"type": 1, "id": "223704706495545344", "name": "deploys", "channel_id": "199737254929760256"})
		case http.MethodDelete:
			x := f.keys.get(r.URL.Path)
			if x == nil || !x.live {
				writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Webhook", "code": 10015})
				return
			}
			f.revoke(x, r)
			w.WriteHeader(http.StatusNoContent)
		default:
			f.unexpected(w, r, "leakstop only reads and deletes webhooks")
		}
	default:
		f.unexpected(w, r, "no such route")
	}
}

// Telegram fakes GET /bot{token}/getMe (providers.md §8): 401 for a token Telegram does not
// know, 404 for one that is not shaped like a token.
type Telegram struct {
	*Server
}

// NewTelegram starts the fake.
func NewTelegram(t testing.TB) *Telegram {
	f := &Telegram{}
	f.Server = newServer(t, func(r *http.Request) string { return "" }, f.handle)
	return f
}

// AddToken adds a live bot token.
func (f *Telegram) AddToken(v string) { f.keys.add(v, "telegram "+v[len(v)-4:]) }

var telegramGetMe = regexp.MustCompile(`^/bot([0-9]{8,10}:[A-Za-z0-9_-]{35})/getMe$`)

func (f *Telegram) handle(w http.ResponseWriter, r *http.Request, _ string) {
	if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/bot") {
		f.unexpected(w, r, "no such route")
		return
	}
	m := telegramGetMe.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error_code": 404, "description": "Not Found"})
		return
	}
	if f.keys.verify(m[1]) == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": map[string]any{"id": 123456789, "is_bot": true, "username": "leak_bot"}})
}

// Cloudflare fakes GET /client/v4/user/tokens/verify and DELETE /client/v4/user/tokens/{id}
// (providers.md §8): the verify answer names the token's id, which the delete takes; a
// token may delete itself.
type Cloudflare struct {
	*Server
}

// NewCloudflare starts the fake.
func NewCloudflare(t testing.TB) *Cloudflare {
	f := &Cloudflare{}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddToken adds a live API token; its id is 32 hex characters.
func (f *Cloudflare) AddToken(v string) { f.keys.add(v, sha512hex(v)[:32]) }

// AddGlobalKey adds a live global API key of the account of email.
func (f *Cloudflare) AddGlobalKey(v, email string) { f.keys.add(v, email) }

func (f *Cloudflare) handle(w http.ResponseWriter, r *http.Request, _ string) {
	if r.Header.Get("X-Auth-Key") != "" {
		// A global API key, with its account's e-mail (GET /client/v4/user only).
		x := f.keys.get(r.Header.Get("X-Auth-Key"))
		switch {
		case r.Method != http.MethodGet || r.URL.Path != "/client/v4/user":
			f.unexpected(w, r, "leakstop only reads the user with a global API key")
		case x == nil || x.id != r.Header.Get("X-Auth-Email") || f.keys.verify(x.value) == nil:
			writeJSON(w, http.StatusForbidden, map[string]any{"success": false, "errors": []map[string]any{{"code": 9103, "message": "Unknown X-Auth-Key or X-Auth-Email"}}, "messages": []any{}, "result": nil})
		default:
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": map[string]any{"id": "7c5dae5552338874e5053f2534d2767a", "email": x.id}})
		}
		return
	}
	x := f.keys.get(bearerOf(r))
	if x == nil || !x.live {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"success": false, "errors": []map[string]any{{"code": 1000, "message": "Invalid API Token"}}})
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/client/v4/user/tokens/verify":
		f.keys.verify(x.value)
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": map[string]any{"id": x.id, "status": "active"}})
	case r.Method == http.MethodDelete && r.URL.Path == "/client/v4/user/tokens/"+x.id:
		f.revoke(x, r)
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "result": map[string]any{"id": x.id}})
	default:
		f.unexpected(w, r, "no such route")
	}
}

// SendGrid fakes GET /v3/scopes, GET /v3/api_keys and DELETE /v3/api_keys/{id}
// (providers.md §8): a key's id is its middle segment, and a key may delete itself.
type SendGrid struct {
	*Server
}

// NewSendGrid starts the fake.
func NewSendGrid(t testing.TB) *SendGrid {
	f := &SendGrid{}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddKey adds a live key "SG.<id>.<secret>".
func (f *SendGrid) AddKey(v string) {
	id := v
	if parts := strings.Split(v, "."); len(parts) == 3 {
		id = parts[1]
	}
	f.keys.add(v, id)
}

func (f *SendGrid) handle(w http.ResponseWriter, r *http.Request, _ string) {
	x := f.keys.get(bearerOf(r))
	if x == nil || !x.live {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": []map[string]any{{"field": nil, "message": "authorization required"}}})
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v3/scopes":
		f.keys.verify(x.value)
		writeJSON(w, http.StatusOK, map[string]any{"scopes": []string{"api_keys.delete", "api_keys.read"}})
	case r.Method == http.MethodGet && r.URL.Path == "/v3/api_keys":
		f.keys.mu.Lock()
		result := []map[string]any{}
		for _, k := range f.keys.list {
			if k.live {
				result = append(result, map[string]any{"api_key_id": k.id, "name": "key " + k.id[:4]})
			}
		}
		f.keys.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"result": result})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/v3/api_keys/"):
		id := strings.TrimPrefix(r.URL.Path, "/v3/api_keys/")
		f.keys.mu.Lock()
		var target *key
		for _, k := range f.keys.list {
			if k.id == id && k.live {
				target = k
			}
		}
		f.keys.mu.Unlock()
		if target == nil {
			writeJSON(w, http.StatusNotFound, map[string]any{"errors": []map[string]any{{"field": nil, "message": "resource not found"}}})
			return
		}
		f.revoke(target, r)
		w.WriteHeader(http.StatusNoContent)
	default:
		f.unexpected(w, r, "no such route")
	}
}
