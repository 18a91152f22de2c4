package fake

// commerceRows are the rows of commerce and payment providers.
func commerceRows() []Row {
	return []Row{
		{
			Provider: "stripe",
			Doc:      "https://docs.stripe.com/api/balance/balance_retrieve",
			Routes: []Route{{
				Call: "GET /v1/balance", Auth: bearer,
				Live:      Answer{Status: 200, Body: `{"object":"balance","available":[{"amount":0,"currency":"usd","source_types":{"card":0}}],"livemode":true,"pending":[{"amount":0,"currency":"usd","source_types":{"card":0}}]}`},
				Invalid:   Answer{Status: 401, Body: `{"error":{"message":"Invalid API Key provided","type":"invalid_request_error"}}`},
				Forbidden: &Answer{Status: 403, Body: `{"error":{"message":"The provided key does not have the required permissions for this endpoint on account 'acct_1Example'. Having the 'rak_balance_read' permission would allow this request to continue.","type":"invalid_request_error"}}`},
			}},
		},
	}
}
