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
		{
			Provider: "mistral",
			Doc:      "https://docs.mistral.ai/api/#tag/models/operation/list_models_v1_models_get",
			Routes: []Route{{
				Call: "GET /v1/models", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"object":"list","data":[{"id":"mistral-large-latest","object":"model","created":1711929600,"owned_by":"mistralai","capabilities":{"completion_chat":true,"function_calling":true}}]}`},
				Invalid: Answer{Status: 401, Body: `{"message":"Unauthorized","request_id":"0f2a8e1c4b7d"}`},
			}},
		},
		{
			Provider: "cohere",
			Doc:      "https://docs.cohere.com/reference/list-models",
			Routes: []Route{{
				Call: "GET /v1/models", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"models":[{"name":"command-r-plus-08-2024","endpoints":["generate","chat","summarize"],"finetuned":false,"context_length":128000,"features":["tools","json_mode"]}],"next_page_token":""}`},
				Invalid: Answer{Status: 401, Body: `{"id":"c1d2e3f4","message":"invalid api token"}`},
			}},
		},
		{
			Provider: "deepseek",
			Doc:      "https://api-docs.deepseek.com/api/get-user-balance",
			Routes: []Route{{
				Call: "GET /user/balance", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"110.00","granted_balance":"10.00","topped_up_balance":"100.00"}]}`},
				Invalid: Answer{Status: 401, Body: `{"error":{"message":"Authentication Fails, Your api key is invalid","type":"authentication_error","param":null,"code":"invalid_request_error"}}`},
			}},
		},
		{
			Provider: "together",
			Doc:      "https://docs.together.ai/reference/models-1",
			Routes: []Route{{
				Call: "GET /v1/models", Auth: bearer,
				Live:    Answer{Status: 200, Body: `[{"id":"meta-llama/Llama-3.3-70B-Instruct-Turbo","object":"model","created":1733443200,"type":"chat","display_name":"Llama 3.3 70B Instruct Turbo","organization":"Meta","context_length":131072}]`},
				Invalid: Answer{Status: 401, Body: `{"error":{"message":"Invalid API key provided. You can find your API key at https://api.together.xyz/settings/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`},
			}},
		},
		{
			Provider: "fireworks",
			Doc:      "https://docs.fireworks.ai/tools-sdks/openai-compatibility",
			Routes: []Route{{
				Call: "GET /inference/v1/models", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"object":"list","data":[{"id":"accounts/fireworks/models/llama-v3p1-8b-instruct","object":"model","owned_by":"fireworks","created":1721692800}]}`},
				Invalid: Answer{Status: 401, Body: `{"error":{"object":"error","type":"invalid_request_error","message":"The API key you provided is invalid."}}`},
			}},
		},
		{
			Provider: "assemblyai",
			Doc:      "https://www.assemblyai.com/docs/api-reference/transcripts/list",
			Routes: []Route{{
				Call: "GET /v2/transcript", Auth: "Authorization: {key}",
				Live:    Answer{Status: 200, Body: `{"page_details":{"limit":1,"result_count":1,"current_url":"https://api.assemblyai.com/v2/transcript?limit=1","prev_url":null,"next_url":null},"transcripts":[{"id":"5551722-f677-48a4-a1ac-2d7b1f1b5d14","status":"completed","created":"2024-05-01T12:00:00Z","audio_url":"https://assembly.ai/wildfires.mp3"}]}`},
				Invalid: Answer{Status: 401, Body: `{"error":"Authentication error, API token missing/invalid"}`},
			}},
		},
		{
			Provider: "deepgram",
			Doc:      "https://developers.deepgram.com/reference/management-api/projects/list",
			Routes: []Route{{
				Call: "GET /v1/projects", Auth: "Authorization: Token {key}",
				Live:      Answer{Status: 200, Body: `{"projects":[{"project_id":"3f2e1d0c-aaaa-4b5c-9d8e-7f6a5b4c3d2e","name":"Default Project"}]}`},
				Invalid:   Answer{Status: 401, Body: `{"err_code":"INVALID_AUTH","err_msg":"Invalid credentials.","request_id":"8a7b6c5d-1111-2222-3333-444455556666"}`},
				Forbidden: &Answer{Status: 403, Body: `{"err_code":"FORBIDDEN","err_msg":"Insufficient permissions.","request_id":"8a7b6c5d-1111-2222-3333-444455556667"}`},
			}},
		},
		{
			Provider: "serpapi",
			Doc:      "https://serpapi.com/account-api",
			Routes: []Route{{
				Call: "GET /account.json", Auth: "query api_key={key}",
				Live:    Answer{Status: 200, Body: `{"account_id":"5ac54d6adefb2f1dba2d5c3b","api_key":"redacted","account_email":"alice@example.com","plan_id":"bigdata","plan_name":"Big Data Plan","searches_per_month":30000,"plan_searches_left":5958,"total_searches_left":6958,"this_month_usage":24042,"this_hour_searches":100}`},
				Invalid: Answer{Status: 401, Body: `{"error":"Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key"}`},
			}},
		},
		{
			Provider: "clarifai",
			Doc:      "https://docs.clarifai.com/api-guide/api-overview/",
			Routes: []Route{{
				Call: "GET /v2/users/me", Auth: "Authorization: Key {key}",
				Live:    Answer{Status: 200, Body: `{"status":{"code":10000,"description":"Ok"},"user":{"id":"alice","first_name":"Alice","created_at":"2023-01-01T00:00:00Z"}}`},
				Invalid: Answer{Status: 401, Body: `{"status":{"code":11102,"description":"Invalid request","details":"API key not found"}}`},
			}},
		},
		{
			Provider: "pinecone",
			Doc:      "https://docs.pinecone.io/reference/api/latest/control-plane/list_indexes",
			Routes: []Route{{
				Call: "GET /indexes", Auth: "Api-Key: {key}",
				Require: map[string]string{"X-Pinecone-API-Version": "2025-04"},
				Live:    Answer{Status: 200, Body: `{"indexes":[{"name":"docs-example","metric":"cosine","dimension":1536,"status":{"ready":true,"state":"Ready"},"host":"docs-example-4zo0ijk.svc.us-east1-aws.pinecone.io","spec":{"serverless":{"region":"us-east-1","cloud":"aws"}}}]}`},
				Invalid: Answer{Status: 401, Body: `{"error":{"code":"UNAUTHENTICATED","message":"Invalid API Key"},"status":401}`},
			}},
		},
		{
			Provider: "cerebras",
			Doc:      "https://inference-docs.cerebras.ai/api-reference/models",
			Routes: []Route{{
				Call: "GET /v1/models", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"object":"list","data":[{"id":"llama3.1-8b","object":"model","created":0,"owned_by":"Meta"}]}`},
				Invalid: Answer{Status: 401, Body: `{"message":"Wrong API Key","type":"invalid_request_error","param":"api_key","code":"wrong_api_key"}`},
			}},
		},
		{
			Provider: "stability",
			Doc:      "https://platform.stability.ai/docs/api-reference#tag/User/paths/~1v1~1user~1account/get",
			Routes: []Route{{
				Call: "GET /v1/user/account", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"id":"user-1234","email":"alice@example.com","profile_picture":"https://example.com/alice.png","organizations":[{"id":"org-1234","name":"Alice","role":"OWNER","is_default":true}]}`},
				Invalid: Answer{Status: 401, Body: `{"id":"9160aa70222870f6","name":"unauthorized","message":"missing authorization header"}`},
			}},
		},
		{
			Provider: "langsmith",
			Doc:      "https://api.smith.langchain.com/redoc#tag/tracer-sessions/operation/read_tracer_sessions_api_v1_sessions_get",
			Routes: []Route{{
				Call: "GET /api/v1/sessions", Auth: "X-Api-Key: {key}",
				Live:      Answer{Status: 200, Body: `[{"id":"7b1c3a9e-0d4f-4e2a-9c1b-2f3e4d5c6b7a","name":"default","tenant_id":"a1b2c3d4-0000-4000-8000-000000000001","start_time":"2024-05-01T12:00:00Z","run_count":12}]`},
				Invalid:   Answer{Status: 401, Body: `{"detail":"Invalid token"}`},
				Forbidden: &Answer{Status: 403, Body: `{"detail":"Forbidden"}`},
			}},
		},
		{
			Provider: "ai21",
			Doc:      "https://docs.ai21.com/reference/list-library-files",
			Routes: []Route{{
				Call: "GET /studio/v1/library/files", Auth: bearer,
				Live:    Answer{Status: 200, Body: `[{"fileId":"9a1f3c2e-5b6d-4e7f-8a9b-0c1d2e3f4a5b","name":"koala.txt","path":"desktop/folder","fileType":"txt","sizeBytes":1024,"labels":["furry_animals"],"status":"PROCESSED"}]`},
				Invalid: Answer{Status: 401, Body: `{"detail":"Forbidden: Bad or missing API token."}`},
			}},
		},
		{
			Provider: "tavily",
			Doc:      "https://docs.tavily.com/documentation/api-reference/endpoint/usage",
			Routes: []Route{{
				Call: "GET /usage", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"key":{"usage":150,"limit":1000,"search_usage":100,"extract_usage":25,"crawl_usage":15,"map_usage":10},"account":{"current_plan":"Bootstrap","plan_usage":500,"plan_limit":15000}}`},
				Invalid: Answer{Status: 401, Body: `{"detail":{"error":"Unauthorized: missing or invalid API key."}}`},
			}},
		},
		{
			Provider: "firecrawl",
			Doc:      "https://docs.firecrawl.dev/api-reference/endpoint/credit-usage",
			Routes: []Route{{
				Call: "GET /v1/team/credit-usage", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"success":true,"data":{"remaining_credits":1000}}`},
				Invalid: Answer{Status: 401, Body: `{"success":false,"error":"Unauthorized: Invalid token"}`},
			}},
		},
		{
			Provider: "runway",
			Doc:      "https://docs.dev.runwayml.com/api/#tag/Organization/paths/~1v1~1organization/get",
			Routes: []Route{{
				Call: "GET /v1/organization", Auth: bearer,
				Require: map[string]string{"X-Runway-Version": "2024-11-06"},
				Live:    Answer{Status: 200, Body: `{"creditBalance":1000,"tier":{"maxMonthlyCreditSpend":10000,"models":{"gen4_turbo":{"maxConcurrentGenerations":2,"maxDailyGenerations":200}}},"usage":{"models":{"gen4_turbo":{"dailyGenerations":3}}}}`},
				Invalid: Answer{Status: 401, Body: `{"error":"The API key is invalid or has been disabled."}`},
			}},
		},
		{
			Provider: "leonardo",
			Doc:      "https://docs.leonardo.ai/reference/getuserself",
			Routes: []Route{{
				Call: "GET /api/rest/v1/me", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"user_details":[{"user":{"id":"4f2c1e9a-7b3d-4c5e-8f6a-1b2c3d4e5f60","username":"alice"},"tokenRenewalDate":null,"paidTokens":0,"subscriptionTokens":150,"apiCredit":3500}]}`},
				Invalid: Answer{Status: 401, Body: `{"error":"Invalid authentication","path":"$","code":"invalid-jwt"}`},
			}},
		},
		{
			Provider: "baseten",
			Doc:      "https://docs.baseten.co/reference/management-api/models/gets-all-models",
			Routes: []Route{{
				Call: "GET /v1/models", Auth: "Authorization: Api-Key {key}",
				Live:    Answer{Status: 200, Body: `{"models":[{"id":"abcd1234","name":"llama-3-8b","created_at":"2024-05-01T12:00:00Z","deployments_count":1,"production_deployment_id":"qwer5678","development_deployment_id":null,"instance_type_name":"1x A10G"}]}`},
				Invalid: Answer{Status: 401, Body: `{"error":"Invalid API key"}`},
			}},
		},
		{
			Provider: "openrouter",
			Doc:      "https://openrouter.ai/docs/api/api-reference/api-keys/get-current-key",
			Routes: []Route{{
				Call: "GET /api/v1/key", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"data":{"label":"sk-or-v1-au7...890","limit":100,"usage":25.5,"is_free_tier":false,"is_management_key":false,"is_provisioning_key":false,"limit_remaining":74.5,"limit_reset":"monthly","creator_user_id":"user_2dHFtVWx2n56w6HkM0000000000","rate_limit":{"requests":1000,"interval":"1h"}}}`},
				Invalid: Answer{Status: 401, Body: `{"error":{"message":"No auth credentials found","code":401}}`},
			}},
		},
		{
			Provider: "xai",
			Doc:      "https://docs.x.ai/docs/api-reference#api-key",
			Routes: []Route{{
				Call: "GET /v1/api-key", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"redacted_api_key":"xai-...b14o","user_id":"59fbe5f2-040b-46d5-8325-868bb8f23eb2","name":"My API Key","create_time":"2024-01-01T12:55:18.139305Z","modify_time":"2024-08-28T17:20:12.343321Z","modified_by":"3d38b4dc-4eb7-4785-ae26-c3fa8997ffc7","team_id":"5ea6f6bd-7815-4b8a-9135-28b2d7ba6722","acls":["api-key:model:*","api-key:endpoint:*"],"api_key_id":"ae1e1841-4326-4b36-a8a9-8a1a7237db11","team_blocked":false,"api_key_blocked":false,"api_key_disabled":false}`},
				Invalid: Answer{Status: 400, Body: `{"code":"Client specified an invalid argument","error":"Incorrect API key provided. You can obtain an API key from https://console.x.ai."}`},
			}},
		},
		{
			Provider: "perplexity",
			Doc:      "https://docs.perplexity.ai/api-reference/async-chat-completions-get",
			Routes: []Route{{
				Call: "GET /async/chat/completions", Auth: bearer,
				Live:    Answer{Status: 200, Body: `{"requests":[{"id":"req_1","created_at":1735689600,"model":"sonar-deep-research","status":"COMPLETED","started_at":1735689601,"completed_at":1735689700}],"next_token":null}`},
				Invalid: Answer{Status: 401, Body: `{"error":{"message":"Invalid API key","type":"invalid_api_key","code":401}}`},
			}},
		},
		{
			Provider: "elevenlabs",
			Doc:      "https://elevenlabs.io/docs/api-reference/user/get",
			Routes: []Route{{
				Call: "GET /v1/user", Auth: "xi-api-key: {key}",
				Live:    Answer{Status: 200, Body: `{"user_id":"1234567890","subscription":{"tier":"creator","character_count":17231,"character_limit":100000,"status":"active"},"is_new_user":false,"xi_api_key":"redacted","can_use_delayed_payment_methods":false,"is_onboarding_completed":true,"first_name":"Alice"}`},
				Invalid: Answer{Status: 401, Body: `{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}`},
				// A key restricted to other endpoints: the same status, another detail.
				Forbidden: &Answer{Status: 401, Body: `{"detail":{"status":"missing_permissions","message":"The API key you used is missing the permission user_read to execute this operation."}}`},
			}},
		},
		{
			Provider: "gladia",
			Doc:      "https://docs.gladia.io/api-reference/v2/pre-recorded/list",
			Routes: []Route{{
				Call: "GET /v2/pre-recorded", Auth: "x-gladia-key: {key}",
				Live:    Answer{Status: 200, Body: `{"first":"https://api.gladia.io/v2/pre-recorded?offset=0&limit=1","current":"https://api.gladia.io/v2/pre-recorded?offset=0&limit=1","next":null,"items":[{"id":"45463597-20b7-4af7-b3b3-f5fb778203ab","request_id":"G-45463597","kind":"pre-recorded","status":"done","created_at":"2024-05-01T12:00:00Z"}]}`},
				Invalid: Answer{Status: 401, Body: `{"timestamp":"2024-05-01T12:00:00.000Z","path":"/v2/pre-recorded","request_id":"G-0000","statusCode":401,"message":"Invalid API key"}`},
			}},
		},
	}
}
