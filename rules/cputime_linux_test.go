package rules

import (
	"runtime"
	"syscall"
	"time"
)

// threadCPU returns the CPU time the calling OS thread has used, and a function that
// undoes the thread lock it takes. Benchmarks report MB per CPU-second beside the wall-clock
// figure because the machines they run on are shared: other work slows the clock, not the
// CPU time.
func threadCPU() (func() time.Duration, func()) {
	runtime.LockOSThread()
	read := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
			return 0
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return read, runtime.UnlockOSThread
}
