package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole run to the file LEAKSTOP_CPUPROFILE names,
// for `go tool pprof` (bench/README.md says how it is used). It returns the function that
// ends it. Without the variable it does nothing.
func startProfile(getenv func(string) string, stderr io.Writer) func() {
	path := getenv("LEAKSTOP_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(stderr, "leakstop: LEAKSTOP_CPUPROFILE: %v\n", err)
		if f != nil {
			f.Close()
		}
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "leakstop: LEAKSTOP_CPUPROFILE: %v\n", err)
		}
	}
}
