package rules

// The sample API keys Google prints in its own documentation and samples, hashed as
// documentedKeys holds them (the first 16 bytes of SHA-256, in hex), so that a copy of a
// documentation page or a sample stays quiet. The tests hold them split, so that no file
// here holds them whole.
func init() {
	for _, h := range []string{
		// The example key of Google Cloud's API keys documentation (and of the SDKs' docs
		// that copied it): https://cloud.google.com/docs/authentication/api-keys
		"ac9265e56c79b234607ec72c53753cfe",
		// The key of the Maps JavaScript API samples (restricted to Google's sample pages):
		// https://developers.google.com/maps/documentation/javascript/examples
		"e4902a0b38812b15ed5701b17fd4fd8c",
	} {
		documentedKeys[h] = true
	}
}
