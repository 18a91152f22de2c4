package revoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// soleToken is the revocation of providers whose API lists a user's tokens without their
// values and deletes one by id (HCP Terraform, Pulumi): the leaked token, which authenticated
// as the user, is one of that user's tokens, so when the list holds exactly one token, it is
// that one; with more, nothing tells which, and nothing is deleted.
type soleToken struct {
	c        *Client
	provider string
	header   func(tok string) http.Header
	// list returns the URL of the token list of the user the token is (it may look the
	// user up first); a reason instead says why it cannot.
	list func(ctx context.Context, s Secret) (u, reason string, err error)
	// ids reads the token ids of a list.
	ids func(body []byte) ([]string, error)
	// delete returns the URL that deletes token id, from the list's URL.
	delete func(list, id string) string
	// deleteBody, when set, makes the deletion a POST of this JSON body to delete(id)
	// (Databricks' POST /api/2.0/token/delete); otherwise it is a DELETE.
	deleteBody func(id string) []byte
	remedy     string
}

func (st *soleToken) revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	u, reason, err := st.list(ctx, s)
	if err != nil {
		return Outcome{}, err
	}
	if reason != "" {
		return Outcome{Status: outcome.Unsupported, Detail: reason + ": " + st.remedy}, nil
	}
	r, err := st.c.do(ctx, request{Provider: st.provider, Action: "lookup", Secret: &s, Method: http.MethodGet, URL: u, Header: st.header(s.Value)})
	if err != nil {
		return Outcome{}, err
	}
	if r.Status != http.StatusOK {
		return Outcome{Status: outcome.Failed, Detail: "listing the user's tokens: " + httpDetail(r) + "; " + st.remedy}, nil
	}
	ids, err := st.ids(r.Body)
	if err != nil {
		return Outcome{Status: outcome.Failed, Detail: "listing the user's tokens: the answer is not a list; " + st.remedy}, nil
	}
	switch len(ids) {
	case 0:
		return Outcome{Status: outcome.Failed, Detail: "the user's token list is empty, yet the token works (a team or organization token?); " + st.remedy}, nil
	case 1:
	default:
		return Outcome{Status: outcome.Unsupported, Detail: "the user has several tokens and the list does not tell which one leaked (it shows no values): " + st.remedy}, nil
	}
	id := ids[0]
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would delete token " + id + ", the user's only token, with itself"}, nil
	}
	del := request{Provider: st.provider, Action: "revoke", Secret: &s, Method: http.MethodDelete, URL: st.delete(u, id), Header: st.header(s.Value)}
	if st.deleteBody != nil {
		del.Method, del.Body = http.MethodPost, st.deleteBody(id)
		del.Header.Set("Content-Type", "application/json")
	}
	d, err := st.c.do(ctx, del)
	if err != nil {
		return Outcome{}, err
	}
	return deleted(d, "deleted token "+id+", the user's only token, with itself", "token "+id, st.remedy), nil
}

// terraformProvider verifies API tokens with GET /api/v2/account/details (terraform.toml)
// and deletes a user's only token (soleToken).
type terraformProvider struct {
	verify *getVerifier
	sole   soleToken
}

// newTerraform returns the HCP Terraform provider: LEAKSTOP_TERRAFORM_URL.
func newTerraform(cfg Config) *terraformProvider {
	base := cfg.baseURL("terraform") + "/api/v2"
	p := &terraformProvider{verify: declared(cfg, "terraform")}
	p.sole = soleToken{
		c: cfg.Client, provider: "terraform", header: bearer,
		remedy: "delete the token at https://app.terraform.io/app/settings/tokens (team and organization tokens: the organization's API tokens settings)",
		list: func(ctx context.Context, s Secret) (string, string, error) {
			r, err := cfg.Client.do(ctx, request{Provider: "terraform", Action: "lookup", Secret: &s, Method: http.MethodGet, URL: base + "/account/details", Header: bearer(s.Value)})
			if err != nil {
				return "", "", err
			}
			var a struct {
				Data struct {
					ID         string `json:"id"`
					Attributes struct {
						ServiceAccount bool `json:"is-service-account"`
					} `json:"attributes"`
				} `json:"data"`
			}
			switch {
			case r.Status != http.StatusOK || json.Unmarshal(r.Body, &a) != nil || a.Data.ID == "":
				return "", "the token's user could not be read (" + httpDetail(r) + ")", nil
			case a.Data.Attributes.ServiceAccount:
				return "", "a team or organization token, which is not a user's", nil
			}
			return base + "/users/" + url.PathEscape(a.Data.ID) + "/authentication-tokens?page%5Bsize%5D=100", "", nil
		},
		ids: func(body []byte) ([]string, error) {
			var l struct {
				Data []struct {
					ID string `json:"id"`
				} `json:"data"`
			}
			err := json.Unmarshal(body, &l)
			var ids []string
			for _, t := range l.Data {
				ids = append(ids, t.ID)
			}
			return ids, err
		},
		delete: func(_, id string) string { return base + "/authentication-tokens/" + url.PathEscape(id) },
	}
	return p
}

// Remediation says where to delete a token by hand.
func (p *terraformProvider) Remediation(Secret) string { return p.sole.remedy }

// Verify calls GET /api/v2/account/details.
func (p *terraformProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return p.verify.Verify(ctx, s)
}

// Revoke deletes the user's only token.
func (p *terraformProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	return p.sole.revoke(ctx, s, dryRun)
}

// Describe says which calls the HCP Terraform provider makes.
func (p *terraformProvider) Describe() Calls {
	return Calls{Revoke: "when `GET /api/v2/users/{id}/authentication-tokens` lists one token, `DELETE /api/v2/authentication-tokens/{id}`, with the token itself"}
}

// pulumiProvider verifies access tokens with GET /api/user (pulumi.toml) and deletes a
// user's only personal token (soleToken).
type pulumiProvider struct {
	verify *getVerifier
	sole   soleToken
}

func pulumiHeaders(tok string) http.Header {
	h := http.Header{}
	h.Set("Authorization", "token "+tok)
	h.Set("Accept", "application/vnd.pulumi+8")
	return h
}

// newPulumi returns the Pulumi provider: LEAKSTOP_PULUMI_URL.
func newPulumi(cfg Config) *pulumiProvider {
	base := cfg.baseURL("pulumi") + "/api/user/tokens"
	return &pulumiProvider{verify: declared(cfg, "pulumi"), sole: soleToken{
		c: cfg.Client, provider: "pulumi", header: pulumiHeaders,
		remedy: "delete the token at https://app.pulumi.com/account/tokens (organization and team tokens: the organization's Access tokens)",
		list:   func(context.Context, Secret) (string, string, error) { return base, "", nil },
		ids: func(body []byte) ([]string, error) {
			var l struct {
				Tokens []struct {
					ID string `json:"id"`
				} `json:"tokens"`
			}
			err := json.Unmarshal(body, &l)
			var ids []string
			for _, t := range l.Tokens {
				ids = append(ids, t.ID)
			}
			return ids, err
		},
		delete: func(_, id string) string { return base + "/" + url.PathEscape(id) },
	}}
}

// Remediation says where to delete a token by hand.
func (p *pulumiProvider) Remediation(Secret) string { return p.sole.remedy }

// Verify calls GET /api/user.
func (p *pulumiProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return p.verify.Verify(ctx, s)
}

// Revoke deletes the user's only personal token.
func (p *pulumiProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	return p.sole.revoke(ctx, s, dryRun)
}

// Describe says which calls the Pulumi provider makes.
func (p *pulumiProvider) Describe() Calls {
	return Calls{Revoke: "when `GET /api/user/tokens` lists one token, `DELETE /api/user/tokens/{id}`, with the token itself"}
}
