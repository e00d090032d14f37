package pipeline

import (
	"os"
	"runtime"
	"runtime/pprof"
)

// profiles writes the CPU profile of a plan to $DEPLOYORDER_CPUPROFILE and
// its heap profile (live objects after the contract analysis, when memory
// peaks) to $DEPLOYORDER_MEMPROFILE, for `go tool pprof`. It returns the
// function that stops the CPU profile and the one that writes the heap
// profile; both do nothing when the variables are unset or a file cannot
// be written (profiling never fails a plan).
func profiles(opts Options) (stop, heap func()) {
	stop, heap = func() {}, func() {}
	if name := opts.getenv("DEPLOYORDER_CPUPROFILE"); name != "" {
		if f, err := os.Create(name); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				stop = func() { pprof.StopCPUProfile(); f.Close() }
			} else {
				f.Close()
			}
		}
	}
	if name := opts.getenv("DEPLOYORDER_MEMPROFILE"); name != "" {
		heap = func() {
			if f, err := os.Create(name); err == nil {
				runtime.GC()
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
	}
	return stop, heap
}
