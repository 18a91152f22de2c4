package scanner

import "github.com/leakstop/leakstop/rules"

// SetFind replaces the matcher's entry for a test, which restores it.
func SetFind(f func(*rules.Set, []byte, string) []rules.Match) (restore func()) {
	saved, savedLines := findChunk, findLines
	findChunk, findLines = f, f
	return func() { findChunk, findLines = saved, savedLines }
}
