package fake

// cloudRows are the rows of cloud and hosting providers.
func cloudRows() []Row {
	return []Row{
		{
			Provider: "digitalocean",
			Doc:      "https://docs.digitalocean.com/reference/api/digitalocean/#tag/Account/operation/account_get",
			Routes: []Route{{
				Call: "GET /v2/account", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"account":{"droplet_limit":25,"floating_ip_limit":5,"email":"sammy@example.com","email_verified":true,"status":"active","status_message":""}}`},
				Invalid: Answer{Status: 401, Body: `{"id":"Unauthorized","message":"Unable to authenticate you"}`},
			}},
		},
		{
			Provider: "cloudflare",
			Doc:      "https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify/",
			Routes: []Route{
				{
					// A global API key reads the user, with its account's e-mail
					// (https://developers.cloudflare.com/api/resources/user/methods/get/).
					Call: "GET /client/v4/user", Auth: "X-Auth-Key: {key}",
					Live:    Answer{Status: 200, Body: `{"success":true,"errors":[],"messages":[],"result":{"id":"7c5dae5552338874e5053f2534d2767a","email":"user@example.com","first_name":"John","last_name":"Appleseed","suspended":false}}`},
					Invalid: Answer{Status: 403, Body: `{"success":false,"errors":[{"code":9103,"message":"Unknown X-Auth-Key or X-Auth-Email"}],"messages":[],"result":null}`},
				},
				{
					Call: "GET /client/v4/user/tokens/verify", Auth: bearer,
					Live:    Answer{Status: 200, Body: `{"success":true,"errors":[],"messages":[{"code":10000,"message":"This API Token is valid and active","type":null}],"result":{"id":"f267e341f3dd4697bd3b9f71dd96247f","status":"active","not_before":"2018-07-01T05:20:00Z","expires_on":"2030-01-01T00:00:00Z"}}`},
					Invalid: Answer{Status: 401, Body: `{"success":false,"errors":[{"code":1000,"message":"Invalid API Token"}],"messages":[],"result":null}`},
				},
			},
		},
		{
			Provider: "linode",
			Doc:      "https://techdocs.akamai.com/linode-api/reference/get-profile",
			Routes: []Route{{
				Call: "GET /v4/profile", Auth: bearer,
				Live:      Answer{Status: 200, Body: `{"authorized_keys":null,"email":"example-user@gmail.com","restricted":false,"timezone":"US/Eastern","two_factor_auth":true,"uid":1234,"username":"example-user","verified_phone_number":"+5555555555"}`},
				Invalid:   Answer{Status: 401, Body: `{"errors":[{"reason":"Invalid Token"}]}`},
				Forbidden: &Answer{Status: 403, Body: `{"errors":[{"reason":"Unauthorized"}]}`},
			}},
		},
		{
			Provider: "vultr",
			Doc:      "https://www.vultr.com/api/#tag/account/operation/get-account",
			Routes: []Route{{
				Call: "GET /v2/account", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"account":{"name":"Example Account","email":"admin@example.com","acls":["manage_users","subscriptions","billing","provisioning"],"balance":-100.55,"pending_charges":60.25,"last_payment_date":"2020-10-10T01:56:20+00:00","last_payment_amount":-1.25}}`},
				Invalid: Answer{Status: 401, Body: `{"error":"Invalid API token.","status":401}`},
			}},
		},
		{
			Provider: "hetzner",
			Doc:      "https://docs.hetzner.cloud/reference/cloud#servers-get-all-servers",
			Routes: []Route{{
				Call: "GET /v1/servers", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"servers":[],"meta":{"pagination":{"page":1,"per_page":1,"previous_page":null,"next_page":null,"last_page":1,"total_entries":0}}}`},
				Invalid: Answer{Status: 401, Body: `{"error":{"code":"unauthorized","message":"unable to authenticate","details":null}}`},
			}},
		},
		{
			Provider: "render",
			Doc:      "https://api-docs.render.com/reference/list-owners",
			Routes: []Route{{
				Call: "GET /v1/owners", Auth: bearer,
				Live:    Answer{Status: 200, Body: `[{"owner":{"id":"usr-cgab3i6t25ajhrkh3rv0","name":"Alice","email":"alice@example.com","type":"user"},"cursor":"Y3Vyc29yOjE="}]`},
				Invalid: Answer{Status: 401, Body: `{"id":"unauthorized","message":"unauthorized"}`},
			}},
		},
		{
			Provider: "neon",
			Doc:      "https://api-docs.neon.tech/reference/getcurrentuserinfo",
			Routes: []Route{{
				Call: "GET /api/v2/users/me", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"id":"8d1a5d2e-3f7b-4a6c-9e0f-1b2c3d4e5f60","email":"alice@example.com","login":"alice","name":"Alice","projects_limit":20,"branches_limit":10,"plan":"free"}`},
				Invalid: Answer{Status: 401, Body: `{"code":"","message":"authentication required"}`},
			}},
		},
		{
			Provider: "netlify",
			Doc:      "https://open-api.netlify.com/#tag/user/operation/getCurrentUser",
			Routes: []Route{{
				Call: "GET /api/v1/user", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"id":"5e9b2a1c3d4f5a6b7c8d9e0f","uid":"u-1","full_name":"Alice","email":"alice@example.com","affiliate_id":"","site_count":3}`},
				Invalid: Answer{Status: 401, Body: `{"code":401,"message":"Access Denied: Invalid token"}`},
			}},
		},
		{
			Provider: "tailscale",
			Doc:      "https://tailscale.com/api#tag/keys/GET/tailnet/{tailnet}/keys",
			Routes: []Route{{
				Call: "GET /api/v2/tailnet/-/keys", Auth: bearer,
				Live:      Answer{Status: 200, Body: `{"keys":[{"id":"kYKVU14CNTRL","keyType":"api","description":"ci"},{"id":"kBhKkB3CNTRL","keyType":"auth"}]}`},
				Invalid:   Answer{Status: 401, Body: `{"message":"API token invalid"}`},
				Forbidden: &Answer{Status: 403, Body: `{"message":"calling actor does not have enough permissions to perform this function"}`},
			}},
		},
		{
			Provider: "infisical",
			Doc:      "https://infisical.com/docs/api-reference/endpoints/service-tokens/get",
			Routes: []Route{{
				Call: "GET /api/v2/service-token", Auth: bearer,
				Live:      Answer{Status: 200, Body: `{"_id":"64f0c5d2e1b2a3c4d5e6f708","name":"ci","workspace":"64f0c5d2e1b2a3c4d5e6f700","scopes":[{"environment":"prod","secretPath":"/"}],"user":{"_id":"64f0c5d2e1b2a3c4d5e6f701","email":"alice@example.com"},"expiresAt":null}`},
				Invalid:   Answer{Status: 401, Body: `{"statusCode":401,"message":"Failed to authenticate service token","error":"UnauthorizedError"}`},
				Forbidden: &Answer{Status: 403, Body: `{"statusCode":403,"message":"You are not allowed to access this resource","error":"PermissionDenied"}`},
			}},
		},
		{
			Provider: "heroku",
			Doc:      "https://devcenter.heroku.com/articles/platform-api-reference#account-info",
			Routes: []Route{{
				Call: "GET /account", Auth: bearer,
				Require: map[string]string{"Accept": "application/vnd.heroku+json; version=3"},
				Live:    Answer{Status: 200, Body: `{"allow_tracking":true,"beta":false,"created_at":"2012-01-01T12:00:00Z","email":"username@example.com","federated":false,"id":"01234567-89ab-cdef-0123-456789abcdef","last_login":"2012-01-01T12:00:00Z","name":"Tina Edmonds","two_factor_authentication":false,"verified":false}`},
				Invalid: Answer{Status: 401, Body: `{"id":"unauthorized","message":"Invalid credentials provided."}`},
			}},
		},
		{
			Provider: "vercel",
			Doc:      "https://vercel.com/docs/rest-api/reference/endpoints/authentication/delete-an-authentication-token",
			Routes: []Route{
				{
					Call: "GET /v2/user", Auth: bearer,
					Live:      Answer{Status: 200, Body: `{"user":{"id":"AEIIDYVk59zbFF2Sxfyxxmua","email":"me@example.com","name":"John Doe","username":"jdoe","avatar":null,"defaultTeamId":null}}`},
					Invalid:   Answer{Status: 403, Body: `{"error":{"code":"forbidden","message":"Not authorized","invalidToken":true}}`},
					Forbidden: &Answer{Status: 403, Body: `{"error":{"code":"forbidden","message":"You don't have permission to access this resource."}}`},
				},
				{
					Call: "DELETE /v3/user/tokens/current", Auth: bearer, Revokes: true,
					Live:    Answer{Status: 200, Body: `{"tokenId":"5d9f2ebd38ddca62e5d51e9c1704c72530bdc8bfdd41e782a6687c48399e8391"}`},
					Invalid: Answer{Status: 403, Body: `{"error":{"code":"forbidden","message":"Not authorized","invalidToken":true}}`},
				},
			},
		},
		{
			Provider: "fastly",
			Doc:      "https://www.fastly.com/documentation/reference/api/auth-tokens/user/",
			Routes: []Route{
				{
					Call: "GET /tokens/self", Auth: "Fastly-Key: {key}",
					Live:    Answer{Status: 200, Body: `{"id":"5Yo3XXnrQpjc20u0ybrf2g","user_id":"4y5K5trZocEAQYkesWlk7M","customer_id":"x4xCwxxJxGCx123Rx5xTx","services":[],"name":"ci","scope":"global","created_at":"2016-06-22T03:19:48Z","expires_at":"2026-06-22T03:19:48Z"}`},
					Invalid: Answer{Status: 401, Body: `{"msg":"Provided credentials are missing or invalid"}`},
				},
				{
					Call: "DELETE /tokens/self", Auth: "Fastly-Key: {key}", Revokes: true,
					Live:    Answer{Status: 204},
					Invalid: Answer{Status: 401, Body: `{"msg":"Provided credentials are missing or invalid"}`},
				},
			},
		},
		{
			Provider: "doppler",
			Doc:      "https://docs.doppler.com/reference/auth-revoke",
			Routes: []Route{
				{
					Call: "GET /v3/me", Auth: bearer,
					Live:    Answer{Status: 200, Body: `{"workplace":{"slug":"acme","name":"Acme"},"slug":"a1b2c3d4","name":"ci","created_at":"2024-01-01T00:00:00.000Z","last_seen_at":"2024-06-01T00:00:00.000Z","type":"service_token","token_preview":"dp.st.prd.abcd..."}`},
					Invalid: Answer{Status: 401, Body: `{"messages":["Invalid Auth token"],"success":false}`},
				},
				{
					Call: "POST /v3/auth/revoke", Auth: bearer, Revokes: true,
					Live:    Answer{Status: 200, Body: `{"success":true}`},
					Invalid: Answer{Status: 401, Body: `{"messages":["Invalid Auth token"],"success":false}`},
				},
			},
		},
		{
			Provider: "terraform",
			Doc:      "https://developer.hashicorp.com/terraform/cloud-docs/api-docs/account#get-your-account-details",
			Routes: []Route{{
				Call: "GET /api/v2/account/details", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"data":{"id":"user-V3R563qtJNcExAkN","type":"users","attributes":{"username":"admin","is-service-account":false,"email":"admin@hashicorp.com","two-factor":{"enabled":false,"verified":false}}}}`},
				Invalid: Answer{Status: 401, Body: `{"errors":[{"status":"401","title":"unauthorized"}]}`},
			}},
		},
		{
			Provider: "pulumi",
			Doc:      "https://www.pulumi.com/docs/pulumi-cloud/reference/cloud-rest-api/users/#get-current-user",
			Routes: []Route{{
				Call: "GET /api/user", Auth: "Authorization: token {key}",
				Require: map[string]string{"Accept": "application/vnd.pulumi+8"},
				Live:    Answer{Status: 200, Body: `{"id":"0b7b3bb2-3a2c-4a4e-9d5d-1f2e3a4b5c6d","githubLogin":"alice","name":"Alice","email":"alice@example.com","avatarUrl":"https://example.com/a.png","organizations":[{"githubLogin":"acme","name":"Acme"}]}`},
				Invalid: Answer{Status: 401, Body: `{"code":401,"message":"Unauthorized: No credentials provided or are invalid."}`},
			}},
		},
		{
			Provider: "vault",
			Doc:      "https://developer.hashicorp.com/vault/api-docs/auth/token#revoke-a-token-self",
			Routes: []Route{
				{
					Call: "GET /v1/auth/token/lookup-self", Auth: "X-Vault-Token: {key}",
					Live:    Answer{Status: 200, Body: `{"request_id":"4e9f2b7c-1d2e-4f3a-8b5c-6d7e8f9a0b1c","lease_id":"","renewable":false,"lease_duration":0,"data":{"accessor":"8609694a-cdbc-db9b-d345-e782dbb562ed","creation_time":1523979354,"creation_ttl":2764800,"display_name":"ldap2-tesla","entity_id":"7d2e3179-f69b-450c-7179-ac8ee8bd8ca9","expire_time":"2018-05-19T11:35:54.466476215-04:00","explicit_max_ttl":0,"id":"cf64a70f-3a12-3f6c-791d-6cef6d390eed","issue_time":"2018-04-17T11:35:54.466476078-04:00","meta":{"username":"tesla"},"num_uses":0,"orphan":true,"path":"auth/ldap2/login/tesla","policies":["default","testgroup2-policy"],"renewable":true,"ttl":2764790},"warnings":null,"auth":null}`},
					Invalid: Answer{Status: 403, Body: `{"errors":["permission denied"]}`},
				},
				{
					Call: "POST /v1/auth/token/revoke-self", Auth: "X-Vault-Token: {key}", Revokes: true,
					Live:    Answer{Status: 204},
					Invalid: Answer{Status: 403, Body: `{"errors":["permission denied"]}`},
				},
			},
		},
		{
			Provider: "supabase",
			Doc:      "https://supabase.com/docs/reference/api/v1-list-all-projects",
			Routes: []Route{
				{
					Call: "GET /v1/projects", Auth: bearer,
					Live:    Answer{Status: 200, Body: `[{"id":"abcdefghijklmnopqrst","organization_id":"org-1","name":"shop","region":"eu-central-1","created_at":"2024-01-01T00:00:00Z","status":"ACTIVE_HEALTHY"}]`},
					Invalid: Answer{Status: 401, Body: `{"message":"Unauthorized"}`},
				},
				{
					// A project's REST API (PostgREST) answers its OpenAPI description to a key
					// of the project (https://supabase.com/docs/guides/api/creating-routes#api-url-and-keys).
					Call: "GET /rest/v1/", Auth: "apikey: {key}",
					Live:    Answer{Status: 200, Body: `{"swagger":"2.0","info":{"title":"standard public schema","version":"12.2.3"},"host":"abcdefghijklmnopqrst.supabase.co","basePath":"/","paths":{}}`},
					Invalid: Answer{Status: 401, Body: `{"message":"Invalid API key","hint":"Double check your Supabase anon or service_role API key."}`},
				},
			},
		},
		{
			Provider: "mapbox",
			Doc:      "https://docs.mapbox.com/api/accounts/tokens/#retrieve-a-token",
			Routes: []Route{{
				Call: "GET /tokens/v2", Auth: "query access_token={key}",
				Live:    Answer{Status: 200, Body: `{"code":"TokenValid","token":{"usage":"sk","user":"mapbox","authorization":"cijucimbe000brbkt48d0dhcx","client":"api"}}`}, // leakstop:allow the token id of Mapbox's documentation
				Invalid: Answer{Status: 401, Body: `{"code":"TokenInvalid","message":"Invalid Token"}`},
			}},
		},
		{
			Provider: "yandex",
			Doc:      "https://yandex.cloud/en/docs/resource-manager/api-ref/Cloud/list",
			Routes: []Route{{
				Call: "GET /resource-manager/v1/clouds", Auth: "Authorization: Api-Key {key}",
				Live:      Answer{Status: 200, Body: `{"clouds":[{"id":"b1gia87mbaomkfvsleds","createdAt":"2024-01-01T00:00:00Z","name":"acme","description":"","organizationId":"bpfaidqca8vdm4qg6j8c","labels":{}}]}`},
				Invalid:   Answer{Status: 401, Body: `{"code":16,"message":"The token is invalid","details":[{"@type":"type.googleapis.com/google.rpc.RequestInfo","requestId":"3f0e5d1c-2b4a-4c6d-8e9f-0a1b2c3d4e5f"}]}`},
				Forbidden: &Answer{Status: 403, Body: `{"code":7,"message":"Permission denied","details":[{"@type":"type.googleapis.com/google.rpc.RequestInfo","requestId":"3f0e5d1c-2b4a-4c6d-8e9f-0a1b2c3d4e5f"}]}`},
			}},
		},
	}
}
