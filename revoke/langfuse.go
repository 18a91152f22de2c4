package revoke

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/leakstop/leakstop/scanner/outcome"
)

// langfuseProvider verifies a secret key with the public key found beside it (the rule's
// companion): GET /api/public/projects with HTTP basic auth, public key as the user, on
// Langfuse Cloud's EU host and, when that refuses the pair, its US host (keys do not say
// their region). A self-hosted Langfuse is reached through LEAKSTOP_LANGFUSE_URL. Langfuse
// documents no API that deletes a key.
type langfuseProvider struct {
	c     *Client
	hosts []string
}

// newLangfuse returns the Langfuse provider: LEAKSTOP_LANGFUSE_URL (the only host, when set).
func newLangfuse(cfg Config) *langfuseProvider {
	base, set := cfg.base("langfuse")
	l := &langfuseProvider{c: cfg.Client, hosts: []string{base}}
	if !set {
		l.hosts = append(l.hosts, "https://us.cloud.langfuse.com")
	}
	return l
}

// Remediation says where to delete a key pair by hand.
func (l *langfuseProvider) Remediation(Secret) string {
	return "Langfuse has no API to delete keys: delete the pair under Settings > API Keys of the project (https://cloud.langfuse.com or https://us.cloud.langfuse.com)"
}

// Verify asks each host in turn about the key pair; the first that does not refuse it
// answers.
func (l *langfuseProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Companion == "" {
		return Outcome{Status: outcome.Skipped, Detail: "no public key (pk-lf-) beside the secret key: Langfuse verifies the two together"}, nil
	}
	var out Outcome
	for _, host := range l.hosts {
		g := &getVerifier{
			c: l.c, provider: "langfuse", accepted: "Langfuse (" + host + ")",
			url: func(Secret) string { return host + "/api/public/projects" },
			header: func(s Secret) http.Header {
				h := http.Header{}
				h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(s.Companion+":"+s.Value)))
				return h
			},
			answers: map[int]func(*reply) Outcome{http.StatusOK: func(r *reply) Outcome {
				var p struct {
					Data []json.RawMessage `json:"data"`
				}
				if json.Unmarshal(r.Body, &p) != nil || p.Data == nil {
					return Outcome{Status: outcome.Unknown, Detail: "HTTP 200, but the answer has no data: not the answer Langfuse documents"}
				}
				return Outcome{Status: outcome.Live, Detail: "accepted by Langfuse (" + host + ")"}
			}},
		}
		var err error
		out, err = g.Verify(ctx, s)
		if err != nil || out.Status != outcome.Invalid {
			return out, err
		}
	}
	return out, nil
}

// Describe says which calls the Langfuse provider makes.
func (l *langfuseProvider) Describe() Calls {
	return Calls{Verify: "`GET /api/public/projects` with the public and the secret key (basic auth), on the EU host, then the US one"}
}
