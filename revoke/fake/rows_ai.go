package fake

// aiRows are the rows of AI and ML providers.
func aiRows() []Row {
	return []Row{
		{
			Provider: "huggingface",
			Doc:      "https://huggingface.co/docs/hub/api#get-apiwhoami-v2",
			Routes: []Route{{
				Call: "GET /api/whoami-v2", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"type":"user","id":"6409f1b6f1b1e7c8a1b2c3d4","name":"alice","fullname":"Alice","email":"alice@example.com","orgs":[],"auth":{"type":"access_token","accessToken":{"displayName":"ci","role":"read"}}}`},
				Invalid: Answer{Status: 401, Body: `{"error":"Invalid credentials in Authorization header"}`},
			}},
		},
		{
			Provider: "groq",
			Doc:      "https://console.groq.com/docs/api-reference#models-list",
			Routes: []Route{{
				Call: "GET /openai/v1/models", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"object":"list","data":[{"id":"llama-3.3-70b-versatile","object":"model","created":1733447754,"owned_by":"Meta","active":true,"context_window":131072}]}`},
				Invalid: Answer{Status: 401, Body: `{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}`},
			}},
		},
		{
			Provider: "replicate",
			Doc:      "https://replicate.com/docs/reference/http#account.get",
			Routes: []Route{{
				Call: "GET /v1/account", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"type":"user","username":"alice","name":"Alice","github_url":"https://github.com/alice"}`},
				Invalid: Answer{Status: 401, Body: `{"title":"Unauthenticated","detail":"You did not pass a valid authentication token","status":401}`},
			}},
		},
	}
}
