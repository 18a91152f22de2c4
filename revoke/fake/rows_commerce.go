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
		{
			Provider: "square",
			Doc:      "https://developer.squareup.com/reference/square/locations-api/list-locations",
			Routes: []Route{{
				Call: "GET /v2/locations", Auth: bearer,
				Live:      Answer{Status: 200, Body: `{"locations":[{"id":"L88917AVBK2S5","name":"Default Test Account","status":"ACTIVE","country":"US","currency":"USD"}]}`},
				Invalid:   Answer{Status: 401, Body: `{"errors":[{"category":"AUTHENTICATION_ERROR","code":"UNAUTHORIZED","detail":"This request could not be authorized."}]}`},
				Forbidden: &Answer{Status: 403, Body: `{"errors":[{"category":"AUTHENTICATION_ERROR","code":"INSUFFICIENT_SCOPES","detail":"The merchant has not given your application sufficient permissions to do that. The app must request the MERCHANT_PROFILE_READ permission."}]}`},
			}},
		},
		{
			Provider: "flutterwave",
			Doc:      "https://developer.flutterwave.com/v3.0/reference/get-all-wallet-balances",
			Routes: []Route{{
				Call: "GET /v3/balances", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"status":"success","message":"Wallet balances fetched","data":[{"currency":"NGN","available_balance":0,"ledger_balance":0}]}`},
				Invalid: Answer{Status: 401, Body: `{"status":"error","message":"Invalid authorization key","data":null}`},
			}},
		},
		{
			Provider: "paystack",
			Doc:      "https://paystack.com/docs/api/transfer-control/#balance",
			Routes: []Route{{
				Call: "GET /balance", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"status":true,"message":"Balances retrieved","data":[{"currency":"NGN","balance":123456}]}`},
				Invalid: Answer{Status: 401, Body: `{"status":false,"message":"Invalid key"}`},
			}},
		},
		{
			Provider: "paddle",
			Doc:      "https://developer.paddle.com/api-reference/event-types/list-event-types",
			Routes: []Route{{
				Call: "GET /event-types", Auth: bearer,
				Live:      Answer{Status: 200, Body: `{"data":[{"name":"transaction.billed","description":"Occurs when a transaction is billed.","group":"Transaction","available_versions":[1]}],"meta":{"request_id":"b15ec92e-8688-40d4-a04d-af44e4bd2e70"}}`},
				Invalid:   Answer{Status: 401, Body: `{"error":{"type":"request_error","code":"authentication_malformed","detail":"Authentication header included, but incorrectly formatted.","documentation_url":"https://developer.paddle.com/v1/errors/shared/authentication_malformed"},"meta":{"request_id":"b15ec92e"}}`},
				Forbidden: &Answer{Status: 403, Body: `{"error":{"type":"request_error","code":"forbidden","detail":"You aren't permitted to perform this request.","documentation_url":"https://developer.paddle.com/v1/errors/shared/forbidden"},"meta":{"request_id":"b15ec92f"}}`},
			}},
		},
		{
			Provider: "mollie",
			Doc:      "https://docs.mollie.com/reference/list-methods",
			Routes: []Route{{
				Call: "GET /v2/methods", Auth: bearer,
				Live:      Answer{Status: 200, Body: `{"count":1,"_embedded":{"methods":[{"resource":"method","id":"ideal","description":"iDEAL","status":"activated"}]},"_links":{"self":{"href":"https://api.mollie.com/v2/methods","type":"application/hal+json"}}}`},
				Invalid:   Answer{Status: 401, Body: `{"status":401,"title":"Unauthorized Request","detail":"Missing authentication, or failed to authenticate","_links":{"documentation":{"href":"https://docs.mollie.com/overview/authentication","type":"text/html"}}}`},
				Forbidden: &Answer{Status: 403, Body: `{"status":403,"title":"Forbidden","detail":"The access token does not have the required permissions","_links":{"documentation":{"href":"https://docs.mollie.com/overview/authentication","type":"text/html"}}}`},
			}},
		},
		{
			Provider: "adyen",
			Doc:      "https://docs.adyen.com/api-explorer/Management/latest/get/me",
			Routes: []Route{{
				Call: "GET /v3/me", Auth: "X-API-Key: {key}",
				Live:      Answer{Status: 200, Body: `{"id":"S2-6262224667","username":"ws_123456@Company.Test","clientKey":"test_ABCDEF","allowedIpAddresses":[],"roles":["Management API - Accounts read"],"active":true,"allowedOrigins":[],"companyName":"Test","_links":{"self":{"href":"https://management-test.adyen.com/v3/me"}}}`},
				Invalid:   Answer{Status: 401, Body: `{"type":"https://docs.adyen.com/errors/security/unauthorized","title":"Unauthorized","status":401,"errorCode":"00_401"}`},
				Forbidden: &Answer{Status: 403, Body: `{"type":"https://docs.adyen.com/errors/security/unauthorized","title":"Forbidden","status":403,"detail":"Not allowed","errorCode":"00_403"}`},
			}},
		},
	}
}
