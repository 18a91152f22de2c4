package revoke

import (
	"strings"
	"testing"

	"github.com/leakstop/leakstop/revoke/fake"
)

func TestMatchRedacted(t *testing.T) {
	key := "sk-proj-" + strings.Repeat("a", 148) + "excA"
	tests := []struct {
		redacted string
		want     bool
	}{
		{fake.Redacted(key), true},
		{"sk-proj-" + strings.Repeat("*", 151) + "excA", false}, // one shorter
		{"sk-proj-" + strings.Repeat("*", 152) + "excB", false},
		{"sk-proj...excA", true}, // the documented short form
		{"sk-abc...def", false},
		{"", false},
		{"****", false},
	}
	for _, tt := range tests {
		if got := matchRedacted(tt.redacted, key); got != tt.want {
			t.Errorf("matchRedacted(%q) = %v, want %v", tt.redacted, got, tt.want)
		}
	}
}
