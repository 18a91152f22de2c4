package revoke

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// wandbProvider verifies keys with W&B's GraphQL viewer query, POST /graphql with HTTP basic
// auth (user api, the key as the password), as W&B's own client asks who a key belongs to:
// a live key names its user, an unknown one gets a 401. The query only reads. W&B documents
// no API that deletes a key.
type wandbProvider struct {
	c    *Client
	base string
}

// wandbViewer is the query: the key's user, nothing more.
const wandbViewer = `{"query":"query Viewer { viewer { id username } }"}`

// newWandb returns the W&B provider: LEAKSTOP_WANDB_URL.
func newWandb(cfg Config) *wandbProvider {
	return &wandbProvider{c: cfg.Client, base: cfg.baseURL("wandb")}
}

// Verify sends the viewer query: 200 with a user live, 401 invalid, anything else unknown.
func (w *wandbProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("api:"+s.Value)))
	h.Set("Content-Type", "application/json")
	r, err := w.c.do(ctx, request{Provider: "wandb", Action: "verify", Secret: &s, Method: http.MethodPost, URL: w.base + "/graphql", Header: h, Body: []byte(wandbViewer)})
	if err != nil {
		return Outcome{}, err
	}
	switch r.Status {
	case http.StatusOK:
		return readWandbViewer(r), nil
	case http.StatusUnauthorized:
		return invalid(r), nil
	}
	return unknownAnswer(r), nil
}

// readWandbViewer reads the viewer query's answer: a user is live; a GraphQL answer without
// one (viewer null) is a key W&B does not know.
func readWandbViewer(r *reply) Outcome {
	var v struct {
		Data *struct {
			Viewer *struct {
				ID       string `json:"id"`
				Username string `json:"username"`
			} `json:"viewer"`
		} `json:"data"`
	}
	switch {
	case json.Unmarshal(r.Body, &v) != nil || v.Data == nil:
		return Outcome{Status: outcome.Unknown, Detail: "HTTP 200, but the answer has no data: not the answer W&B's API gives"}
	case v.Data.Viewer == nil || v.Data.Viewer.ID == "":
		return Outcome{Status: outcome.Invalid, Detail: "Weights & Biases knows no user of this key (viewer is null)"}
	}
	return Outcome{Status: outcome.Live, Detail: "accepted by Weights & Biases"}
}

// Remediation says where to delete a key by hand.
func (w *wandbProvider) Remediation(Secret) string {
	return "W&B has no API to delete a key: delete it in the user settings at https://wandb.ai/settings"
}

// Describe says which calls the W&B provider makes.
func (w *wandbProvider) Describe() Calls {
	return Calls{Verify: "`POST /graphql` with the viewer query (it only reads), basic auth `api:<key>`"}
}
