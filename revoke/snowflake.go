package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// snowflakeProvider verifies programmatic access tokens on their account's SQL API: POST
// /api/v2/statements, the token as bearer with X-Snowflake-Authorization-Token-Type
// PROGRAMMATIC_ACCESS_TOKEN, running SELECT CURRENT_USER(), which reads nothing of the
// account's data. The account is the companion (<account>.snowflakecomputing.com);
// LEAKSTOP_SNOWFLAKE_URL replaces every account's host (tests). Snowflake documents no HTTP
// call that checks a password, and none that removes a token or changes a password: a person
// runs ALTER USER for both.
type snowflakeProvider struct {
	c        *Client
	base     string
	override bool
}

// newSnowflake returns the Snowflake provider.
func newSnowflake(cfg Config) *snowflakeProvider {
	sf := &snowflakeProvider{c: cfg.Client}
	sf.base, sf.override = cfg.base("snowflake")
	return sf
}

// Remediation says what to do by hand.
func (sf *snowflakeProvider) Remediation(s Secret) string {
	if s.Rule == "snowflake-password" {
		return "change the user's password (ALTER USER <user> SET PASSWORD, https://docs.snowflake.com/en/sql-reference/sql/alter-user) and check the login history"
	}
	return "remove the token (ALTER USER <user> REMOVE PROGRAMMATIC ACCESS TOKEN <name>, https://docs.snowflake.com/en/sql-reference/sql/alter-user-remove-programmatic-access-token) and check the login history"
}

// snowflakeAccount is an account identifier (orgname-account_name, or a locator with its
// region and cloud: xy12345.us-east-2.aws): it becomes a host name, so nothing else passes.
var snowflakeAccount = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,80}(?:\.[A-Za-z0-9-]{1,40}){0,3}$`)

// snowflakeHost returns the host of the account a companion names, or "".
func snowflakeHost(companion string) string {
	a := strings.TrimSuffix(strings.ToLower(companion), ".snowflakecomputing.com")
	if !snowflakeAccount.MatchString(a) {
		return ""
	}
	// An account name with underscores is written with dashes in its host name.
	return "https://" + strings.ReplaceAll(a, "_", "-") + ".snowflakecomputing.com"
}

// snowflakeProbe is the statement the verification runs: the user's name, no data, no
// warehouse.
const snowflakeProbe = "SELECT CURRENT_USER()"

// Verify runs SELECT CURRENT_USER() with a token: 200 (or 202, still running) live, 401
// invalid. 422 (the statement failed) means the token authenticated: live.
func (sf *snowflakeProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Rule == "snowflake-password" {
		return Outcome{Status: outcome.Skipped, Detail: "Snowflake documents no HTTP call that checks a password"}, nil
	}
	host := snowflakeHost(s.Companion)
	if sf.override {
		host = sf.base
	}
	if host == "" {
		return Outcome{Status: outcome.Skipped, Detail: "the token's account is not known (no account identifier beside it)"}, nil
	}
	body, err := json.Marshal(map[string]any{"statement": snowflakeProbe, "timeout": 10})
	if err != nil {
		return Outcome{}, err
	}
	h := bearer(s.Value)
	h.Set("X-Snowflake-Authorization-Token-Type", "PROGRAMMATIC_ACCESS_TOKEN")
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	// The statement only reads the session's user: sending it again changes nothing.
	r, err := sf.c.do(ctx, request{Provider: "snowflake", Action: "verify", Secret: &s, Method: http.MethodPost, URL: host + "/api/v2/statements", Header: h, Body: body, Idempotent: true})
	if err != nil {
		return Outcome{}, err
	}
	var res struct {
		StatementHandle string `json:"statementHandle"`
	}
	switch {
	case (r.Status == http.StatusOK || r.Status == http.StatusAccepted) && json.Unmarshal(r.Body, &res) == nil && res.StatementHandle != "":
		return Outcome{Status: outcome.Live, Detail: "accepted by the SQL API of the account"}, nil
	case r.Status == http.StatusUnprocessableEntity:
		return liveBut("authenticated, but the statement failed")(r), nil
	case r.Status == http.StatusUnauthorized:
		return invalid(r), nil
	}
	return unknownAnswer(r), nil
}

// Describe says which calls the Snowflake provider makes.
func (sf *snowflakeProvider) Describe() Calls {
	return Calls{Verify: "tokens: `POST https://<account>.snowflakecomputing.com/api/v2/statements` running `SELECT CURRENT_USER()`; passwords are not verified"}
}
