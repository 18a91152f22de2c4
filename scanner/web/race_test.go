//go:build race

package web_test

// raceEnabled says the race detector is on: it multiplies what a test allocates, so
// bounds on memory are not checked then.
const raceEnabled = true
