package fake

import (
	"encoding/json"
	"net/http"
	"testing"
)

// Snowflake fakes the SQL API's POST /api/v2/statements
// (https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests) for
// programmatic access tokens: the token as bearer, X-Snowflake-Authorization-Token-Type
// PROGRAMMATIC_ACCESS_TOKEN, a JSON body. It runs SELECT CURRENT_USER() only, and fails the
// test on any other statement: leakstop reads nothing else.
type Snowflake struct{ *Server }

// NewSnowflake starts the fake.
func NewSnowflake(t testing.TB) *Snowflake {
	f := &Snowflake{}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddKey adds a live token.
func (f *Snowflake) AddKey(v string) { f.keys.add(v, "SVC_ETL") }

func (f *Snowflake) handle(w http.ResponseWriter, r *http.Request, body string) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v2/statements" {
		f.unexpected(w, r, "no such route of snowflake")
		return
	}
	sfErr := func(status int, code, msg string) {
		writeJSON(w, status, map[string]any{"code": code, "message": msg, "sqlState": "", "statementHandle": ""})
	}
	if r.Header.Get("X-Snowflake-Authorization-Token-Type") != "PROGRAMMATIC_ACCESS_TOKEN" || r.Header.Get("Content-Type") != "application/json" {
		sfErr(http.StatusBadRequest, "391901", "Unsupported Authorization Type or Content-Type")
		return
	}
	var req struct {
		Statement string `json:"statement"`
	}
	if json.Unmarshal([]byte(body), &req) != nil || req.Statement != "SELECT CURRENT_USER()" {
		f.unexpected(w, r, "leakstop runs SELECT CURRENT_USER() only")
		return
	}
	x := f.keys.verify(bearerOf(r))
	if x == nil {
		sfErr(http.StatusUnauthorized, "390303", "Invalid OAuth access token. [4f2c1d3e-0b1a-4c5d-9e8f-7a6b5c4d3e2f]")
		return
	}
	const handle = "01b2c3d4-0000-4a5b-0000-0001a2b3c4d5"
	writeJSON(w, http.StatusOK, map[string]any{
		"resultSetMetaData": map[string]any{"numRows": 1, "format": "jsonv2", "partitionInfo": []map[string]any{{"rowCount": 1, "uncompressedSize": 12}},
			"rowType": []map[string]any{{"name": "CURRENT_USER()", "database": "", "schema": "", "table": "", "type": "text", "nullable": true, "length": 16777216}}},
		"data": [][]string{{x.id}}, "code": "090001", "statementStatusUrl": "/api/v2/statements/" + handle + "?requestId=5c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
		"requestId": "5c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f", "sqlState": "00000", "statementHandle": handle, "message": "Statement executed successfully.", "createdOn": 1700000000000,
	})
}
