package revoke

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// upstashProvider verifies Redis REST tokens on their database, whose URL is the companion
// (UPSTASH_REDIS_REST_URL, KV_REST_API_URL): GET /ping, a command that reads nothing. It
// revokes them with an operator's Developer API key (UPSTASH_EMAIL, UPSTASH_API_KEY): the
// database list names each database's REST token, so the leaked one's database is found
// exactly, and resetting its password (POST /v2/redis/reset-password/{id}) replaces its
// tokens. QStash tokens are not verified: a token works only in its own region, which is
// not part of it. LEAKSTOP_UPSTASH_URL replaces every database's host and the Developer API
// (tests).
type upstashProvider struct {
	c        *Client
	api      string
	base     string
	override bool
	email    string
	key      string
}

const upstashRemedy = "reset the database's password (and so its REST token) under the database's Details at https://console.upstash.com"

// newUpstash returns the Upstash provider.
func newUpstash(cfg Config) *upstashProvider {
	u := &upstashProvider{c: cfg.Client, api: "https://api.upstash.com", email: cfg.value("UPSTASH_EMAIL"), key: cfg.value("UPSTASH_API_KEY")}
	u.base, u.override = cfg.base("upstash")
	if u.override {
		u.api = u.base
	}
	return u
}

// Remediation says what to do by hand.
func (u *upstashProvider) Remediation(s Secret) string {
	if s.Rule == "upstash-qstash-token" {
		return "rotate the token in the QStash tab of https://console.upstash.com"
	}
	return upstashRemedy
}

// upstashHost is a Redis database's REST host: it becomes a URL, so nothing else passes.
var upstashHost = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,80}\.upstash\.io$`)

// host returns the REST URL of the database of s, or "".
func (u *upstashProvider) host(s Secret) string {
	if u.override {
		return u.base
	}
	h := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(s.Companion, "https://"), "/"))
	if !upstashHost.MatchString(h) {
		return ""
	}
	return "https://" + h
}

// Verify sends PING with a REST token: 200 {"result":"PONG"} live, 401 invalid.
func (u *upstashProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Rule == "upstash-qstash-token" {
		return Outcome{Status: outcome.Skipped, Detail: "a QStash token works only in its own region, which is not part of it"}, nil
	}
	host := u.host(s)
	if host == "" {
		return Outcome{Status: outcome.Skipped, Detail: "the token's database is not known (its REST URL is not beside it)"}, nil
	}
	r, err := u.c.do(ctx, request{Provider: "upstash", Action: "verify", Secret: &s, Method: http.MethodGet, URL: host + "/ping", Header: bearer(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	var pong struct {
		Result string `json:"result"`
	}
	switch {
	case r.Status == http.StatusOK && json.Unmarshal(r.Body, &pong) == nil && pong.Result == "PONG":
		return Outcome{Status: outcome.Live, Detail: "accepted by the database"}, nil
	case r.Status == http.StatusUnauthorized:
		return invalid(r), nil
	}
	return unknownAnswer(r), nil
}

// upstashDatabase is a database as the Developer API lists it.
type upstashDatabase struct {
	ID                string `json:"database_id"`
	Name              string `json:"database_name"`
	Endpoint          string `json:"endpoint"`
	Password          string `json:"password"`
	RestToken         string `json:"rest_token"`
	ReadOnlyRestToken string `json:"read_only_rest_token"`
}

// Revoke finds the token's database among the operator's and resets its password.
func (u *upstashProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if s.Rule == "upstash-qstash-token" {
		return Outcome{Status: outcome.Unsupported, Detail: "no API rotates a QStash token: rotate it in the QStash tab of https://console.upstash.com"}, nil
	}
	if u.email == "" || u.key == "" {
		return needsCredential("UPSTASH_EMAIL and UPSTASH_API_KEY", "the e-mail and Developer API key of the account that owns the database", upstashRemedy), nil
	}
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.email+":"+u.key)))
	r, err := u.c.do(ctx, request{Provider: "upstash", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: u.api + "/v2/redis/databases", Header: h})
	if err != nil {
		return Outcome{}, err
	}
	var dbs []upstashDatabase
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &dbs) != nil {
		return Outcome{Status: outcome.Failed, Detail: "listing the databases of UPSTASH_EMAIL: " + httpDetail(r) + "; " + upstashRemedy}, nil
	}
	var db *upstashDatabase
	for i := range dbs {
		// The list holds every database's secrets: none of them may reach a report.
		for _, v := range []string{dbs[i].Password, dbs[i].RestToken, dbs[i].ReadOnlyRestToken} {
			if v != "" {
				u.c.Redactor.Add(v, "<upstash secret>")
			}
		}
		if dbs[i].RestToken == s.Value || dbs[i].ReadOnlyRestToken == s.Value {
			db = &dbs[i]
		}
	}
	if db == nil || db.ID == "" {
		return Outcome{Status: outcome.Unsupported, Detail: "no database of UPSTASH_EMAIL has this token (another account's?): " + upstashRemedy}, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would reset the password of database " + db.Name + " (" + db.ID + ") with UPSTASH_API_KEY"}, nil
	}
	x, err := u.c.do(ctx, request{Provider: "upstash", Action: "revoke", Secret: &s, Method: http.MethodPost, URL: u.api + "/v2/redis/reset-password/" + url.PathEscape(db.ID), Header: h})
	if err != nil {
		return Outcome{}, err
	}
	var after upstashDatabase
	if x.Status == http.StatusOK && json.Unmarshal(x.Body, &after) == nil {
		for _, v := range []string{after.Password, after.RestToken, after.ReadOnlyRestToken} {
			if v != "" {
				u.c.Redactor.Add(v, "<upstash secret>")
			}
		}
		return Outcome{Status: outcome.Revoked, Detail: "reset the password of database " + db.Name + " (" + db.ID + "), which replaces its REST tokens: the applications that use it need the new ones"}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: "resetting the password of database " + db.ID + ": " + httpDetail(x) + "; " + upstashRemedy}, nil
}

// Describe says which calls the Upstash provider makes.
func (u *upstashProvider) Describe() Calls {
	return Calls{
		Verify: "Redis REST tokens: `GET https://<database>.upstash.io/ping`, the database from the URL beside the token",
		Revoke: "with `UPSTASH_EMAIL` and `UPSTASH_API_KEY`: `GET /v2/redis/databases` (the database whose REST token it is), then `POST /v2/redis/reset-password/{id}`",
	}
}
