package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// databricksProvider verifies personal access tokens on their workspace, whose host is the
// companion (DATABRICKS_HOST beside the token): GET /api/2.0/preview/scim/v2/Me reads the
// token's user. It deletes the user's only token (soleToken: GET /api/2.0/token/list, then
// POST /api/2.0/token/delete), with the token itself; the list shows no values, so with
// several tokens nothing tells which leaked. LEAKSTOP_DATABRICKS_URL replaces every
// workspace's host (tests).
type databricksProvider struct {
	c        *Client
	base     string
	override bool
	sole     soleToken
}

const databricksRemedy = "revoke the token in the workspace under Settings > Developer > Access tokens (https://docs.databricks.com/en/dev-tools/auth/pat.html)"

// newDatabricks returns the Databricks provider.
func newDatabricks(cfg Config) *databricksProvider {
	d := &databricksProvider{c: cfg.Client}
	d.base, d.override = cfg.base("databricks")
	d.sole = soleToken{
		c: cfg.Client, provider: "databricks", header: bearer, remedy: databricksRemedy,
		list: func(_ context.Context, s Secret) (string, string, error) {
			host := d.host(s)
			if host == "" {
				return "", "the token's workspace is not known (no workspace URL beside it)", nil
			}
			return host + "/api/2.0/token/list", "", nil
		},
		ids: func(body []byte) ([]string, error) {
			var l struct {
				Tokens []struct {
					ID string `json:"token_id"`
				} `json:"token_infos"`
			}
			err := json.Unmarshal(body, &l)
			var ids []string
			for _, t := range l.Tokens {
				ids = append(ids, t.ID)
			}
			return ids, err
		},
		// The id goes in the body; the URL is the workspace's, as the list's.
		delete: func(list, _ string) string { return strings.TrimSuffix(list, "/list") + "/delete" },
		deleteBody: func(id string) []byte {
			b, _ := json.Marshal(map[string]string{"token_id": id})
			return b
		},
	}
	return d
}

// databricksHost is a workspace's host name on AWS, Azure or Google Cloud: it becomes a
// URL, so nothing else passes.
var databricksHost = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}(?:\.[0-9]{1,3})?\.(?:cloud\.databricks\.com|azuredatabricks\.net|gcp\.databricks\.com)$`)

// host returns the URL of the workspace of s, or "".
func (d *databricksProvider) host(s Secret) string {
	if d.override {
		return d.base
	}
	h := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(s.Companion, "https://"), "/"))
	if !databricksHost.MatchString(h) {
		return ""
	}
	return "https://" + h
}

// Remediation says where to revoke a token by hand.
func (d *databricksProvider) Remediation(Secret) string { return databricksRemedy }

// Verify reads the token's user: 200 live; 401, or 403 saying the token is invalid, invalid.
// Another 403 (an IP access list) proves nothing.
func (d *databricksProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	host := d.host(s)
	if host == "" {
		return Outcome{Status: outcome.Skipped, Detail: "the token's workspace is not known (no workspace URL beside it)"}, nil
	}
	r, err := d.c.do(ctx, request{Provider: "databricks", Action: "verify", Secret: &s, Method: http.MethodGet, URL: host + "/api/2.0/preview/scim/v2/Me", Header: bearer(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	var me struct {
		ID string `json:"id"`
	}
	switch {
	case r.Status == http.StatusOK && json.Unmarshal(r.Body, &me) == nil && me.ID != "":
		return Outcome{Status: outcome.Live, Detail: "accepted by the workspace"}, nil
	case r.Status == http.StatusUnauthorized,
		r.Status == http.StatusForbidden && strings.Contains(strings.ToLower(message(r.Body)), "invalid access token"):
		return invalid(r), nil
	}
	return unknownAnswer(r), nil
}

// Revoke deletes the user's only token.
func (d *databricksProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	return d.sole.revoke(ctx, s, dryRun)
}

// Describe says which calls the Databricks provider makes.
func (d *databricksProvider) Describe() Calls {
	return Calls{
		Verify: "`GET https://<workspace>/api/2.0/preview/scim/v2/Me`, the workspace from the URL beside the token",
		Revoke: "when `GET /api/2.0/token/list` lists one token, `POST /api/2.0/token/delete`, with the token itself",
	}
}
