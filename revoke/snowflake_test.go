package revoke

import "testing"

// TestSnowflakeHost: an account identifier becomes the host of its account, and nothing
// that is not one becomes a host at all (a companion comes from the scanned text).
func TestSnowflakeHost(t *testing.T) {
	for _, tt := range []struct{ companion, want string }{
		{"acme-prod", "https://acme-prod.snowflakecomputing.com"},
		{"ACME-PROD", "https://acme-prod.snowflakecomputing.com"},
		{"acme-data_lake", "https://acme-data-lake.snowflakecomputing.com"},
		{"xy12345.us-east-2.aws", "https://xy12345.us-east-2.aws.snowflakecomputing.com"},
		{"xy12345.eu-central-1.snowflakecomputing.com", "https://xy12345.eu-central-1.snowflakecomputing.com"},
		{"", ""},
		{"evil.example/x", ""},
		{"user@evil.example", ""},
		{"acme..prod", ""},
		{"-acme", ""},
		{"acme:8443", ""},
		{"a.b.c.d.e", ""},
	} {
		if got := snowflakeHost(tt.companion); got != tt.want {
			t.Errorf("snowflakeHost(%q) = %q, want %q", tt.companion, got, tt.want)
		}
	}
}
