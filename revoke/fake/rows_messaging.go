package fake

// messagingRows are the rows of messaging and e-mail providers.
func messagingRows() []Row {
	return []Row{
		{
			Provider: "sendgrid",
			Doc:      "https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions/retrieve-a-list-of-scopes-for-which-this-user-has-access",
			Routes: []Route{{
				Call: "GET /v3/scopes", Auth: bearer,
				Live:      Answer{Status: 200, Body: `{"scopes":["alerts.create","alerts.read","api_keys.read"]}`},
				Invalid:   Answer{Status: 401, Body: `{"errors":[{"field":null,"message":"authorization required"}]}`},
				Forbidden: &Answer{Status: 403, Body: `{"errors":[{"field":null,"message":"access forbidden"}]}`},
			}},
		},
		{
			Provider: "discord",
			Doc:      "https://discord.com/developers/docs/resources/user#get-current-user",
			Routes: []Route{{
				Call: "GET /api/v10/users/@me", Auth: "Authorization: Bot {key}",
				Live:    Answer{Status: 200, Body: `{"id":"80351110224678912","username":"Nelly","discriminator":"1337","global_name":null,"verified":true,"bot":true}`},
				Invalid: Answer{Status: 401, Body: `{"message":"401: Unauthorized","code":0}`},
			}},
		},
		{
			Provider: "telegram",
			Doc:      "https://core.telegram.org/bots/api#making-requests",
			Routes: []Route{{
				Call:    "GET /bot{key}/getMe",
				Live:    Answer{Status: 200, Body: `{"ok":true,"result":{"id":123456789,"is_bot":true,"first_name":"Leak","username":"leak_bot","can_join_groups":true}}`},
				Invalid: Answer{Status: 401, Body: `{"ok":false,"error_code":401,"description":"Unauthorized"}`},
			}},
		},
		{
			Provider: "brevo",
			Doc:      "https://developers.brevo.com/reference/get-account",
			Routes: []Route{{
				Call: "GET /v3/account", Auth: "api-key: {key}",
				Live:    Answer{Status: 200, Body: `{"email":"ops@example.com","firstName":"Ada","lastName":"Lovelace","companyName":"Acme","plan":[{"type":"free","credits":300,"creditsType":"sendLimit"}]}`},
				Invalid: Answer{Status: 401, Body: `{"code":"unauthorized","message":"Key not found"}`},
			}},
		},
		{
			Provider: "hubspot",
			Doc:      "https://developers.hubspot.com/docs/api-reference/account-account-info-v3/details/get-account-info-v3-details",
			Routes: []Route{{
				Call: "GET /account-info/v3/details", Auth: bearer,
				Live:      Answer{Status: 200, Body: `{"portalId":62515,"accountType":"STANDARD","timeZone":"US/Eastern","companyCurrency":"USD","utcOffset":"-05:00","dataHostingLocation":"na1"}`},
				Invalid:   Answer{Status: 401, Body: `{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}`},
				Forbidden: &Answer{Status: 403, Body: `{"status":"error","message":"This app hasn't been granted all required scopes to make this call.","category":"MISSING_SCOPES"}`},
			}},
		},
		{
			Provider: "intercom",
			Doc:      "https://developers.intercom.com/docs/references/rest-api/api.intercom.io/admins/identifyadmin",
			Routes: []Route{{
				Call: "GET /me", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"type":"admin","id":"991267460","email":"ops@example.com","name":"Ops","email_verified":true,"app":{"type":"app","id_code":"this_is_an_id","name":"Acme","region":"US"}}`},
				Invalid: Answer{Status: 401, Body: `{"type":"error.list","request_id":"b3d0a9c7","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}`},
			}},
		},
		{
			Provider: "klaviyo",
			Doc:      "https://developers.klaviyo.com/en/reference/get_accounts",
			Routes: []Route{{
				Call: "GET /api/accounts/", Auth: "Authorization: Klaviyo-API-Key {key}",
				Require:   map[string]string{"revision": "2024-10-15"},
				Live:      Answer{Status: 200, Body: `{"data":[{"type":"account","id":"AbC123","attributes":{"contact_information":{"organization_name":"Acme"},"industry":"Retail","timezone":"US/Eastern"}}],"links":{"self":"https://a.klaviyo.com/api/accounts/"}}`},
				Invalid:   Answer{Status: 401, Body: `{"errors":[{"id":"6a3c1f0e","status":401,"code":"not_authenticated","title":"Authentication credentials were not provided.","detail":"Missing or invalid private key.","source":{"pointer":"/data/"}}]}`},
				Forbidden: &Answer{Status: 403, Body: `{"errors":[{"id":"6a3c1f0f","status":403,"code":"permission_denied","title":"You do not have permission to perform this action.","detail":"The API key specified is not authorized for this action."}]}`},
			}},
		},
		{
			Provider: "mailgun",
			Doc:      "https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Domains/",
			Routes: []Route{{
				Call: "GET /v3/domains", Auth: "basic api:{key}",
				Live:    Answer{Status: 200, Body: `{"total_count":1,"items":[{"name":"mg.example.com","state":"active","type":"custom","created_at":"Tue, 14 Jan 2025 10:11:12 GMT"}]}`},
				Invalid: Answer{Status: 401, Body: `Forbidden`},
			}},
		},
		{
			Provider: "messagebird",
			Doc:      "https://developers.messagebird.com/api/balance/",
			Routes: []Route{{
				Call: "GET /balance", Auth: "Authorization: AccessKey {key}",
				Live:    Answer{Status: 200, Body: `{"payment":"prepaid","type":"credits","amount":9.2}`},
				Invalid: Answer{Status: 401, Body: `{"errors":[{"code":2,"description":"Request not allowed (incorrect access_key)","parameter":"access_key"}]}`},
			}},
		},
		{
			Provider: "sparkpost",
			Doc:      "https://developers.sparkpost.com/api/account/#account-get-retrieve-account-information",
			Routes: []Route{{
				Call: "GET /api/v1/account", Auth: "Authorization: {key}",
				Live:      Answer{Status: 200, Body: `{"results":{"company_name":"Acme","customer_id":123456,"status":"active","subscription":{"code":"free500","name":"Test Account"}}}`},
				Invalid:   Answer{Status: 401, Body: `{"errors":[{"message":"Unauthorized."}]}`},
				Forbidden: &Answer{Status: 403, Body: `{"errors":[{"message":"Forbidden."}]}`},
			}},
		},
		// The Go providers' verifications, which revoke/msg_test.go runs against these rows.
		{
			Provider: "mailchimp",
			Doc:      "https://mailchimp.com/developer/marketing/api/ping/",
			Routes: []Route{{
				Call: "GET /3.0/ping", Auth: "basic anystring:{key}",
				Live:    Answer{Status: 200, Body: `{"health_status":"Everything's Chimpy!"}`},
				Invalid: Answer{Status: 401, Body: `{"type":"https://mailchimp.com/developer/marketing/docs/errors/","title":"API Key Invalid","status":401,"detail":"Your API key may be invalid, or you've attempted to access the wrong datacenter.","instance":"995c5cb0-3280-4a6e-808b-3b096d0bb219"}`},
			}},
		},
		{
			Provider: "postmark",
			Doc:      "https://postmarkapp.com/developer/api/overview#authentication",
			Routes: []Route{{
				Call: "GET /deliverystats", Auth: "X-Postmark-Server-Token: {key}",
				Live:    Answer{Status: 200, Body: `{"InactiveMails":192,"Bounces":[{"Name":"All","Count":253},{"Type":"HardBounce","Name":"Hard bounce","Count":195}]}`},
				Invalid: Answer{Status: 401, Body: `{"ErrorCode":10,"Message":"The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token."}`},
			}, {
				Call: "GET /domains", Auth: "X-Postmark-Account-Token: {key}",
				Live:    Answer{Status: 200, Body: `{"TotalCount":1,"Domains":[{"Name":"example.com","SPFVerified":true,"DKIMVerified":true,"ReturnPathDomainVerified":false,"ID":36735}]}`},
				Invalid: Answer{Status: 401, Body: `{"ErrorCode":10,"Message":"The Account Token you provided in the X-Postmark-Account-Token request header was invalid. Please verify that you are using a valid token."}`},
			}},
		},
	}
}
