package fake

// codeRows are the rows of code and delivery providers.
func codeRows() []Row {
	return []Row{
		{
			Provider: "gitlab",
			Doc:      "https://docs.gitlab.com/ee/api/personal_access_tokens.html#get-single-personal-access-token",
			Routes: []Route{
				{
					Call: "GET /api/v4/personal_access_tokens/self", Auth: "PRIVATE-TOKEN: {key}",
					Live:      Answer{Status: 200, Body: `{"id":4,"name":"Test Token","revoked":false,"created_at":"2020-07-23T14:31:47.729Z","description":"","scopes":["api"],"user_id":3,"last_used_at":"2021-10-06T17:58:37.550Z","active":true,"expires_at":null}`},
					Invalid:   Answer{Status: 401, Body: `{"message":"401 Unauthorized"}`},
					Forbidden: &Answer{Status: 403, Body: `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api read_api"}`},
				},
				// https://docs.gitlab.com/ee/api/personal_access_tokens.html#revoke-a-personal-access-token
				{
					Call: "DELETE /api/v4/personal_access_tokens/self", Auth: "PRIVATE-TOKEN: {key}", Revokes: true,
					Live:    Answer{Status: 204},
					Invalid: Answer{Status: 401, Body: `{"message":"401 Unauthorized"}`},
				},
			},
		},
		{
			Provider: "npm",
			Doc:      "https://github.com/npm/registry/blob/main/docs/user/authentication.md",
			Routes: []Route{{
				Call: "GET /-/whoami", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"username":"alice"}`},
				Invalid: Answer{Status: 401, Body: `{"error":"Unauthorized"}`},
			}},
		},
	}
}
