package rules

// The sample keys AI providers print in their own documentation, hashed as documentedKeys
// holds them (the first 16 bytes of SHA-256, in hex), so that a copy of a documentation
// page stays quiet. Each rule's false examples hold its provider's samples, split so that
// no file here holds them whole.
func init() {
	for _, h := range []string{
		// OpenRouter's SDK reference, ExchangeAuthCodeForAPIKeyResponse and ListResponse:
		// https://openrouter.ai/docs/sdks/typescript/api-reference/operations/exchangeauthcodeforapikeyresponse
		"bf5883afeb1d6d80da112459d4da5a75",
	} {
		documentedKeys[h] = true
	}
}
