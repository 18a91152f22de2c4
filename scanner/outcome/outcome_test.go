package outcome

import (
	"encoding/json"
	"testing"
	"time"
)

func TestStepJSON(t *testing.T) {
	tests := []struct {
		name string
		step Step
		want string
	}{
		{"with time", Step{Status: Live, Detail: "accepted", At: time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))}, `{"status":"live","detail":"accepted","at":"2026-01-02T02:04:05Z"}`},
		// A step read from a report written without times keeps no time.
		{"no time", Step{Status: Failed}, `{"status":"failed"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.step)
			if err != nil || string(b) != tt.want {
				t.Fatalf("Marshal = %s, %v; want %s", b, err, tt.want)
			}
			var back Step
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back.Status != tt.step.Status || back.Detail != tt.step.Detail || !back.At.Equal(tt.step.At.Truncate(time.Second)) {
				t.Errorf("round trip = %+v, want %+v", back, tt.step)
			}
		})
	}
	var s Step
	if err := json.Unmarshal([]byte(`{"status":"live","at":"yesterday"}`), &s); err == nil {
		t.Error("a time that is not RFC 3339 was accepted")
	}
}
