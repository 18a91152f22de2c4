//go:build !linux

package rules

import "time"

// threadCPU is not available here; the benchmarks report wall-clock figures only.
func threadCPU() (func() time.Duration, func()) {
	return func() time.Duration { return 0 }, func() {}
}
