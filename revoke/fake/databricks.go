package fake

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Databricks fakes a workspace's REST API for personal access tokens: GET
// /api/2.0/preview/scim/v2/Me (https://docs.databricks.com/api/workspace/currentuser/me), GET
// /api/2.0/token/list (https://docs.databricks.com/api/workspace/tokens/listtokens: the
// caller's tokens, without their values) and POST /api/2.0/token/delete with {"token_id"}
// (https://docs.databricks.com/api/workspace/tokens/revoketoken). An unknown token gets 403
// "Invalid access token", as Databricks answers. Every token added belongs to its own user,
// unless Extra gives that user more tokens.
type Databricks struct {
	*Server
	n int
	// Extra is how many other tokens each user has besides the leaked one.
	Extra int
}

// NewDatabricks starts the fake.
func NewDatabricks(t testing.TB) *Databricks {
	f := &Databricks{}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

func tokenID(v string) string { h := sha256.Sum256([]byte(v)); return hex.EncodeToString(h[:]) }

// AddKey adds a live token of a new user (and Extra more tokens of that user).
func (f *Databricks) AddKey(v string) {
	f.n++
	user := fmt.Sprintf("%d", 4000000000000000+f.n)
	for i := 0; i < f.Extra; i++ {
		other := fmt.Sprintf("other-%d-%d", f.n, i)
		f.keys.add(other, user+"/"+tokenID(other))
	}
	f.keys.add(v, user+"/"+tokenID(v))
}

func (f *Databricks) handle(w http.ResponseWriter, r *http.Request, body string) {
	caller := f.keys.get(bearerOf(r))
	denied := func() {
		writeJSON(w, http.StatusForbidden, map[string]any{"error_code": "403", "message": "Invalid access token."})
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/2.0/preview/scim/v2/Me":
		if f.keys.verify(bearerOf(r)) == nil {
			denied()
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": userOf(caller), "userName": "etl@example.com", "displayName": "ETL", "active": true,
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "emails": []map[string]any{{"type": "work", "value": "etl@example.com", "primary": true}}})
	case r.Method == http.MethodGet && r.URL.Path == "/api/2.0/token/list":
		if caller == nil || !caller.live {
			denied()
			return
		}
		infos := []map[string]any{}
		for _, x := range f.keys.live() {
			if userOf(x) == userOf(caller) {
				infos = append(infos, map[string]any{"token_id": tokenIDOf(x), "creation_time": 1700000000000, "expiry_time": -1, "comment": "ci", "created_by_id": userOf(x), "created_by_username": "etl@example.com"})
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"token_infos": infos})
	case r.Method == http.MethodPost && r.URL.Path == "/api/2.0/token/delete":
		if caller == nil || !caller.live {
			denied()
			return
		}
		var req struct {
			TokenID string `json:"token_id"`
		}
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal([]byte(body), &req) != nil || req.TokenID == "" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error_code": "INVALID_PARAMETER_VALUE", "message": "token_id is required"})
			return
		}
		x := f.keys.byID(userOf(caller) + "/" + req.TokenID)
		if x == nil || !x.live {
			writeJSON(w, http.StatusNotFound, map[string]any{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Token " + req.TokenID + " does not exist."})
			return
		}
		f.revoke(x, r)
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		f.unexpected(w, r, "no such route of databricks: "+strings.TrimSpace(r.Method+" "+r.URL.Path))
	}
}
