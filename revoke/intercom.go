package revoke

// newIntercom returns the Intercom provider: access tokens verify with GET /me
// (intercom.toml's [verify]) on Intercom's US host, then on the EU and Australian ones, as a
// workspace hosted in a region answers on that region's host only; LEAKSTOP_INTERCOM_URL is
// one host for every region. Intercom has no API that revokes a token.
func newIntercom(cfg Config) verifyOnly {
	return verifyOnly{
		verify: onRegions(cfg, "intercom", "https://api.intercom.io", "https://api.eu.intercom.io", "https://api.au.intercom.io"),
		remedy: "Intercom has no API to revoke a token: revoke it in the app's Authentication page of the Developer Hub (https://app.intercom.com/a/apps/_/developer-hub)",
		calls:  "`GET /me` on the US host, then the EU and Australian ones",
	}
}
