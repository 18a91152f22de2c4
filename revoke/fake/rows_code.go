package fake

// codeRows are the rows of code and delivery providers.
func codeRows() []Row {
	return []Row{
		{
			Provider: "auth0",
			Doc:      "https://auth0.com/docs/api/management/v2/tenants/tenant-settings-route",
			Routes: []Route{{
				Call: "GET /api/v2/tenants/settings", Auth: bearer,
				Live:      Answer{Status: 200, Body: `{"friendly_name":"Acme","picture_url":"https://acme.example/logo.png","support_email":"support@acme.example","default_audience":"","session_lifetime":168}`},
				Invalid:   Answer{Status: 401, Body: `{"statusCode":401,"error":"Unauthorized","message":"Invalid token","attributes":{"error":"Invalid token"}}`},
				Forbidden: &Answer{Status: 403, Body: `{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:tenant_settings","errorCode":"insufficient_scope"}`},
			}},
		},
		{
			Provider: "sonarqube",
			Doc:      "https://next.sonarqube.com/sonarqube/web_api/api/authentication/validate",
			Routes: []Route{{
				Call: "GET /api/authentication/validate", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"valid":true}`},
				Invalid: Answer{Status: 200, Body: `{"valid":false}`},
			}},
		},
		{
			Provider: "jfrog",
			Doc:      "https://jfrog.com/help/r/jfrog-rest-apis/revoke-token-by-id",
			Routes: []Route{
				{
					Call: "GET /access/api/v1/tokens/me", Auth: bearer,
					Live:    Answer{Status: 200, Body: `{"token_id":"7e0eec-4f8d-4d1e-9b3a-1c2d3e4f5a6b","subject":"jfac@01h2k3m4n5p6q7r8s9t0v1w2x3/users/ci","expiry":1767225600,"issued_at":1735689600,"issuer":"jfac@01h2k3m4n5p6q7r8s9t0v1w2x3","description":"ci","refreshable":false,"scope":"applied-permissions/user"}`},
					Invalid: Answer{Status: 401, Body: `{"errors":[{"code":"UNAUTHORIZED","message":"Bad credentials"}]}`},
				},
				{
					Call: "DELETE /access/api/v1/tokens/me", Auth: bearer, Revokes: true,
					Live:    Answer{Status: 200},
					Invalid: Answer{Status: 401, Body: `{"errors":[{"code":"UNAUTHORIZED","message":"Bad credentials"}]}`},
				},
			},
		},
		{
			Provider: "sentry",
			Doc:      "https://docs.sentry.io/api/organizations/list-your-organizations/",
			Routes: []Route{{
				Call: "GET /api/0/organizations/", Auth: bearer,
				Live:      Answer{Status: 200, Body: `[{"id":"2","slug":"the-interstellar-jurisdiction","name":"The Interstellar Jurisdiction","status":{"id":"active","name":"active"}}]`},
				Invalid:   Answer{Status: 401, Body: `{"detail":"Invalid token"}`},
				Forbidden: &Answer{Status: 403, Body: `{"detail":"You do not have permission to perform this action."}`},
			}, {
				// https://docs.sentry.io/api/releases/list-an-organizations-releases/
				Call: "GET /api/0/organizations/acme/releases/", Auth: bearer,
				Live:      Answer{Status: 200, Body: `[{"id":2,"version":"2.0rc2","shortVersion":"2.0rc2","ref":null,"url":null,"dateReleased":null,"dateCreated":"2026-11-30T08:00:00Z","newGroups":0,"projects":[{"slug":"pump-station","name":"Pump Station"}]}]`},
				Invalid:   Answer{Status: 401, Body: `{"detail":"Invalid token"}`},
				Forbidden: &Answer{Status: 403, Body: `{"detail":"You do not have permission to perform this action."}`},
			}},
		},
		{
			Provider: "buildkite",
			Doc:      "https://buildkite.com/docs/apis/rest-api/access-token",
			Routes: []Route{
				{
					Call: "GET /v2/access-token", Auth: bearer,
					Live:    Answer{Status: 200, Body: `{"scopes":["read_builds"],"uuid":"b63254c0-3271-4a98-8270-7cfbd6c2f14e"}`},
					Invalid: Answer{Status: 401, Body: `{"message":"Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/rest-api#authentication"}`},
				},
				{
					Call: "DELETE /v2/access-token", Auth: bearer, Revokes: true,
					Live:    Answer{Status: 204},
					Invalid: Answer{Status: 401, Body: `{"message":"Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/rest-api#authentication"}`},
				},
			},
		},
		{
			Provider: "airtable",
			Doc:      "https://airtable.com/developers/web/api/get-user-id-scopes",
			Routes: []Route{{
				Call: "GET /v0/meta/whoami", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"id":"usrL2PNC5o3H4lBEi","email":"alice@example.com","scopes":["data.records:read","schema.bases:read"]}`},
				Invalid: Answer{Status: 401, Body: `{"error":{"type":"AUTHENTICATION_REQUIRED","message":"Authentication required"}}`},
			}},
		},
		{
			Provider: "figma",
			Doc:      "https://www.figma.com/developers/api#get-me-endpoint",
			Routes: []Route{{
				Call: "GET /v1/me", Auth: "X-Figma-Token: {key}",
				Live:    Answer{Status: 200, Body: `{"id":"1234567890","email":"alice@example.com","handle":"Alice","img_url":"https://s3-alpha.figma.com/profile/1234"}`},
				Invalid: Answer{Status: 403, Body: `{"status":403,"err":"Invalid token"}`},
			}},
		},
		{
			Provider: "asana",
			Doc:      "https://developers.asana.com/reference/getuser",
			Routes: []Route{{
				Call: "GET /api/1.0/users/me", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"data":{"gid":"12345","resource_type":"user","name":"Alice","email":"alice@example.com","workspaces":[{"gid":"67890","name":"Acme"}]}}`},
				Invalid: Answer{Status: 401, Body: `{"errors":[{"message":"Not Authorized","help":"For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors"}]}`},
			}},
		},
		{
			Provider: "contentful",
			Doc:      "https://www.contentful.com/developers/docs/references/user-management-api/#/reference/users/user/get-the-authenticated-user",
			Routes: []Route{{
				Call: "GET /users/me", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"firstName":"Alice","lastName":"Ops","email":"alice@example.com","activated":true,"sys":{"type":"User","id":"7BslKh9TdKGOK41VmLDjFZ","version":4}}`},
				Invalid: Answer{Status: 401, Body: `{"requestId":"c0ffee","message":"The access token you sent could not be found or is invalid.","sys":{"type":"Error","id":"AccessTokenInvalid"}}`},
			}},
		},
		{
			Provider: "launchdarkly",
			Doc:      "https://launchdarkly.com/docs/api/other/get-caller-identity",
			Routes: []Route{{
				Call: "GET /api/v2/caller-identity", Auth: "Authorization: {key}",
				Live:    Answer{Status: 200, Body: `{"accountId":"5f3a1c2b9e1d4a0012345678","environmentId":"","projectId":"","environmentName":"","projectName":"","authKind":"token","tokenKind":"personal","clientId":"","tokenName":"ci","tokenId":"61b2a3c4d5e6f70012345678","memberId":"5f3a1c2b9e1d4a0087654321","serviceToken":false}`},
				Invalid: Answer{Status: 401, Body: `{"code":"unauthorized","message":"Invalid access token"}`},
			}},
		},
		{
			Provider: "clerk",
			Doc:      "https://clerk.com/docs/reference/backend-api/tag/Users#operation/GetUserList",
			Routes: []Route{{
				Call: "GET /v1/users", Auth: bearer,
				Live:    Answer{Status: 200, Body: `[{"id":"user_2NNEqL2nrIRdJ194ndJqAHwEfxC","object":"user","first_name":"Alice","email_addresses":[{"email_address":"alice@example.com"}]}]`},
				Invalid: Answer{Status: 401, Body: `{"errors":[{"message":"Invalid authentication","long_message":"The provided Clerk Secret Key is invalid.","code":"authentication_invalid"}]}`},
			}},
		},
		{
			Provider: "harness",
			Doc:      "https://apidocs.harness.io/tag/User#operation/getCurrentUserInfo",
			Routes: []Route{{
				Call: "GET /ng/api/user/currentUser", Auth: "x-api-key: {key}",
				Live:    Answer{Status: 200, Body: `{"status":"SUCCESS","data":{"uuid":"lv0euRhKRCyiXWzS7pOg6g","name":"Alice","email":"alice@example.com","defaultAccountId":"px7xd_BFRCi-pfWPYXVjvw"},"metaData":null,"correlationId":"4d1f0c2a"}`},
				Invalid: Answer{Status: 401, Body: `{"status":"ERROR","code":"INVALID_TOKEN","message":"Token is not valid.","correlationId":"4d1f0c2a"}`},
			}},
		},
		{
			Provider: "azure-devops",
			Doc:      "https://learn.microsoft.com/en-us/rest/api/azure/devops/profile/profiles/get",
			Routes: []Route{{
				Call: "GET /_apis/profile/profiles/me", Auth: "basic pat:{key}",
				Live:    Answer{Status: 200, Body: `{"displayName":"Alice","publicAlias":"9a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d","emailAddress":"alice@example.com","coreRevision":12345678,"timeStamp":"2024-05-01T10:00:00+00:00","id":"9a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d","revision":12345678}`},
				Invalid: Answer{Status: 203, Body: "<html><head><title>Azure DevOps Services | Sign In</title></head><body></body></html>", Header: map[string]string{"Content-Type": "text/html"}},
			}},
		},
		{
			Provider: "new-relic",
			Doc:      "https://docs.newrelic.com/docs/apis/rest-api-v2/get-started/introduction-new-relic-rest-api-v2/",
			Routes: []Route{{
				Call: "GET /v2/users.json", Auth: "Api-Key: {key}",
				Live:      Answer{Status: 200, Body: `{"users":[{"id":12345,"first_name":"Alice","last_name":"Ops","email":"alice@example.com","role":"admin"}]}`},
				Invalid:   Answer{Status: 401, Body: `{"error":{"title":"The API key provided is invalid"}}`},
				Forbidden: &Answer{Status: 403, Body: `{"error":{"title":"Access to this resource is forbidden"}}`},
			}},
		},
		{
			Provider: "pagerduty",
			Doc:      "https://developer.pagerduty.com/api-reference/b3A6Mjc0ODEwNA-list-abilities",
			Routes: []Route{{
				Call: "GET /abilities", Auth: "Authorization: Token token={key}",
				Require: map[string]string{"Accept": "application/vnd.pagerduty+json;version=2"},
				Live:    Answer{Status: 200, Body: `{"abilities":["sso","advanced_reports","teams","read_only_users"]}`},
				Invalid: Answer{Status: 401, Body: `{"error":{"message":"Authentication failed","code":2006}}`},
			}},
		},
		{
			Provider: "honeycomb",
			Doc:      "https://docs.honeycomb.io/api/auth/get-auth",
			Routes: []Route{{
				Call: "GET /1/auth", Auth: "X-Honeycomb-Team: {key}",
				Live:    Answer{Status: 200, Body: `{"id":"aBcD123","type":"configuration","api_key_access":{"events":true,"markers":true,"triggers":false},"environment":{"name":"production","slug":"production"},"team":{"name":"Acme","slug":"acme"}}`},
				Invalid: Answer{Status: 401, Body: `{"error":"unknown API key - check your credentials"}`},
			}},
		},
		{
			Provider: "postman",
			Doc:      "https://learning.postman.com/docs/developer/postman-api/authentication/",
			Routes: []Route{{
				Call: "GET /me", Auth: "X-API-Key: {key}",
				Live:    Answer{Status: 200, Body: `{"user":{"id":12345678,"username":"alice","email":"alice@example.com","fullName":"Alice","isPublic":false}}`},
				Invalid: Answer{Status: 401, Body: `{"error":{"name":"AuthenticationError","message":"Invalid API Key. Every request requires a valid API Key to be sent."}}`},
			}},
		},
		{
			Provider: "notion",
			Doc:      "https://developers.notion.com/reference/get-self",
			Routes: []Route{{
				Call: "GET /v1/users/me", Auth: bearer,
				Require: map[string]string{"Notion-Version": "2022-06-28"},
				Live:    Answer{Status: 200, Body: `{"object":"user","id":"16d84021-3d6e-4a4b-a42d-77e5f4f5d5e7","name":"Acme sync","avatar_url":null,"type":"bot","bot":{"owner":{"type":"workspace","workspace":true},"workspace_name":"Acme"}}`},
				Invalid: Answer{Status: 401, Body: `{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}`},
			}},
		},
		{
			Provider: "snyk",
			Doc:      "https://apidocs.snyk.io/?version=2024-10-15#get-/self",
			Routes: []Route{{
				Call: "GET /rest/self", Auth: "Authorization: token {key}",
				Live:    Answer{Status: 200, Body: `{"jsonapi":{"version":"1.0"},"data":{"type":"user","id":"55a348e2-c3ad-4bbc-b40e-9b232d1f4121","attributes":{"name":"Alice","username":"alice","email":"alice@example.com"}}}`},
				Invalid: Answer{Status: 401, Body: `{"jsonapi":{"version":"1.0"},"errors":[{"status":"401","detail":"Unauthorized","title":"Authentication error"}]}`},
			}},
		},
		{
			Provider: "circleci",
			Doc:      "https://circleci.com/docs/api/v2/index.html#operation/getCurrentUser",
			Routes: []Route{{
				Call: "GET /api/v2/me", Auth: "Circle-Token: {key}",
				Live:    Answer{Status: 200, Body: `{"id":"6b0b0b1c-2a1f-4c55-9a0b-3a8c4e0f6d21","login":"alice","name":"Alice"}`},
				Invalid: Answer{Status: 401, Body: `{"message":"You must log in first."}`},
			}},
		},
		{
			Provider: "bitbucket",
			Doc:      "https://developer.atlassian.com/cloud/bitbucket/rest/api-group-users/#api-user-get",
			Routes: []Route{{
				Call: "GET /2.0/user", Auth: bearer,
				Live:      Answer{Status: 200, Body: `{"type":"user","uuid":"{d301aafa-d676-4ee0-88be-962be7417567}","username":"acme-app-token","display_name":"acme/app access token","account_id":"557058:c0b72ad0-1cb5-4018-9cdc-0cde8492c443"}`},
				Invalid:   Answer{Status: 401, Body: `{"type":"error","error":{"message":"Token is invalid, expired, or not supported for this endpoint."}}`},
				Forbidden: &Answer{Status: 403, Body: `{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"required":["account"],"granted":["repository"]}}}`},
			}},
		},
		{
			Provider: "rubygems",
			Doc:      "https://guides.rubygems.org/rubygems-org-api/",
			Routes: []Route{{
				Call: "GET /api/v1/gems.json", Auth: "Authorization: {key}",
				Live:      Answer{Status: 200, Body: `[{"name":"acme-core","downloads":1024,"version":"1.4.0","authors":"Acme","project_uri":"https://rubygems.org/gems/acme-core"}]`},
				Invalid:   Answer{Status: 401, Body: "Access Denied. Please sign up for an account at https://rubygems.org"},
				Forbidden: &Answer{Status: 403, Body: "This API key cannot perform the specified action on this gem."},
			}},
		},
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
