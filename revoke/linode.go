package revoke

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// linodeProvider verifies personal access tokens with GET /v4/profile (linode.toml) and
// deletes them by their id, found in GET /v4/profile/tokens where Linode shows each token by
// its first 16 characters, with the token itself, or LINODE_TOKEN (a token of the same user
// that may manage tokens) when the leaked one may not.
type linodeProvider struct {
	c        *Client
	base     string
	operator string
	verify   *getVerifier
}

// newLinode returns the Linode provider: LEAKSTOP_LINODE_URL, LINODE_TOKEN.
func newLinode(cfg Config) *linodeProvider {
	return &linodeProvider{c: cfg.Client, base: cfg.baseURL("linode"), operator: cfg.value("LINODE_TOKEN"), verify: declared(cfg, "linode")}
}

const linodeRemedy = "revoke the token at https://cloud.linode.com/profile/tokens"

// linodeMaxPages bounds the token list leakstop reads: a user with more tokens than that is
// not one whose token it can find.
const linodeMaxPages = 20

// Remediation says where to revoke a token by hand.
func (l *linodeProvider) Remediation(Secret) string { return linodeRemedy }

// Verify calls GET /v4/profile.
func (l *linodeProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return l.verify.Verify(ctx, s)
}

// Revoke finds the token by its first 16 characters and deletes it.
func (l *linodeProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if len(s.Value) < 16 {
		return Outcome{Status: outcome.Unsupported, Detail: "the token is too short to find: " + linodeRemedy}, nil
	}
	// The list shows every token by its first 16 characters: a quarter of this one, which
	// stays out of every line leakstop writes.
	l.c.Redactor.Add(s.Value[:16], "<the token's first 16 characters>")
	auth, whose := operatorOr(s, l.operator, "LINODE_TOKEN")
	var found []int
	for page := 1; page <= linodeMaxPages; page++ {
		r, err := l.c.do(ctx, request{Provider: "linode", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: fmt.Sprintf("%s/v4/profile/tokens?page=%d&page_size=100", l.base, page), Header: bearer(auth)})
		if err != nil {
			return Outcome{}, err
		}
		if (r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden) && l.operator == "" {
			out := needsCredential("LINODE_TOKEN", "a token of the same user that may manage tokens", linodeRemedy)
			out.Detail = "the token may not list the user's tokens; " + out.Detail
			return out, nil
		}
		if r.Status != http.StatusOK {
			return Outcome{Status: outcome.Failed, Detail: "listing the tokens with " + whose + ": " + httpDetail(r)}, nil
		}
		var p struct {
			Data []struct {
				ID    int    `json:"id"`
				Token string `json:"token"`
			} `json:"data"`
			Page  int `json:"page"`
			Pages int `json:"pages"`
		}
		if err := json.Unmarshal(r.Body, &p); err != nil {
			return Outcome{Status: outcome.Failed, Detail: "listing the tokens: the answer is not a page of tokens"}, nil
		}
		for _, t := range p.Data {
			if len(t.Token) == 16 && t.Token == s.Value[:16] {
				found = append(found, t.ID)
			}
		}
		if p.Pages <= page {
			break
		}
	}
	id, out := oneMatch(found, func(id int) string { return "token " + strconv.Itoa(id) },
		Outcome{Status: outcome.Failed, Detail: "no token of the user starts like it (with " + whose + "); " + linodeRemedy},
		"revoked", linodeRemedy)
	if out != nil {
		return *out, nil
	}
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: fmt.Sprintf("would delete token %d with %s", id, whose)}, nil
	}
	d, err := l.c.do(ctx, request{Provider: "linode", Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: fmt.Sprintf("%s/v4/profile/tokens/%d", l.base, id), Header: bearer(auth)})
	if err != nil {
		return Outcome{}, err
	}
	if d.Status == http.StatusOK || d.Status == http.StatusNoContent {
		if !acknowledged(d) {
			return notAcknowledged("deleting", d), nil
		}
		return Outcome{Status: outcome.Revoked, Detail: fmt.Sprintf("deleted token %d with %s", id, whose)}, nil
	}
	return Outcome{Status: outcome.Failed, Detail: fmt.Sprintf("deleting token %d: %s; %s", id, httpDetail(d), linodeRemedy)}, nil
}

// Describe says which calls the Linode provider makes.
func (l *linodeProvider) Describe() Calls {
	return Calls{Revoke: "finds the token by its first 16 characters in `GET /v4/profile/tokens`, then `DELETE /v4/profile/tokens/{id}`, with the token itself or `LINODE_TOKEN`"}
}
