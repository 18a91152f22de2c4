package scanner

import "github.com/leakstop/leakstop/rules"

// SetFind replaces the matcher's entry for a test, which restores it.
func SetFind(f func(*rules.Set, []byte, string) []rules.Match) (restore func()) {
	saved := findChunk
	findChunk = f
	return func() { findChunk = saved }
}
