package scanner

import (
	"encoding/json"
	"fmt"
	"os"
)

// Baseline is the set of fingerprints of an earlier report: findings it holds are known and
// not reported again. The zero value holds nothing.
type Baseline map[string]bool

// Has reports whether the baseline holds fingerprint.
func (b Baseline) Has(fingerprint string) bool { return b[fingerprint] }

// LoadBaseline reads the fingerprints of a JSON report that leakstop wrote earlier.
func LoadBaseline(path string) (Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading baseline: %w", err)
	}
	var report struct {
		Version  int `json:"version"`
		Findings []struct {
			Rule        string `json:"rule"`
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(data, &report); err != nil {
		return nil, fmt.Errorf("reading baseline %s: not a leakstop JSON report: %w", path, err)
	}
	if report.Version != 1 {
		return nil, fmt.Errorf("reading baseline %s: report version %d, want 1", path, report.Version)
	}
	b := make(Baseline, len(report.Findings))
	for i, f := range report.Findings {
		if len(f.Fingerprint) != 32 {
			return nil, fmt.Errorf("reading baseline %s: finding %d has no valid fingerprint", path, i+1)
		}
		b[f.Fingerprint] = true
	}
	return b, nil
}
