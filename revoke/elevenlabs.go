package revoke

import (
	"context"
	"encoding/json"
	"net/http"
)

// elevenlabsProvider verifies keys with GET /v1/user, as elevenlabs.toml declares. ElevenLabs
// answers a live key that lacks the permission of a call with a 401 as well, whose
// detail.status is missing_permissions: that answer is live, any other 401 invalid.
// ElevenLabs documents no API that deletes a key by its value.
type elevenlabsProvider struct {
	verify *getVerifier
}

// newElevenLabs returns the ElevenLabs provider: LEAKSTOP_ELEVENLABS_URL.
func newElevenLabs(cfg Config) *elevenlabsProvider {
	e := &elevenlabsProvider{verify: declared(cfg, "elevenlabs")}
	if e.verify != nil {
		e.verify.answers[http.StatusUnauthorized] = readElevenLabs401
	}
	return e
}

// readElevenLabs401 tells a key without the permission (live) from an unknown one.
func readElevenLabs401(r *reply) Outcome {
	var body struct {
		Detail struct {
			Status string `json:"status"`
		} `json:"detail"`
	}
	if json.Unmarshal(r.Body, &body) == nil && body.Detail.Status == "missing_permissions" {
		return liveBut("authenticated, but the key may not read its user")(r)
	}
	return invalid(r)
}

// Remediation says where to delete a key by hand.
func (e *elevenlabsProvider) Remediation(Secret) string {
	return "ElevenLabs has no API to delete a key by its value: delete it at https://elevenlabs.io/app/settings/api-keys"
}

// Verify calls GET /v1/user.
func (e *elevenlabsProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	return e.verify.Verify(ctx, s)
}

// Describe says which calls the ElevenLabs provider makes.
func (e *elevenlabsProvider) Describe() Calls {
	return Calls{Verify: "`GET /v1/user`; a 401 `missing_permissions` is a live key without that permission"}
}
