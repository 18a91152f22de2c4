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
	}
}
