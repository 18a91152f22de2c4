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
			Routes: []Route{{
				Call: "GET /client/v4/user/tokens/verify", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"success":true,"errors":[],"messages":[{"code":10000,"message":"This API Token is valid and active","type":null}],"result":{"id":"f267e341f3dd4697bd3b9f71dd96247f","status":"active","not_before":"2018-07-01T05:20:00Z","expires_on":"2030-01-01T00:00:00Z"}}`},
				Invalid: Answer{Status: 401, Body: `{"success":false,"errors":[{"code":1000,"message":"Invalid API Token"}],"messages":[],"result":null}`},
			}},
		},
	}
}
