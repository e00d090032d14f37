// Package gctune sets the garbage collector's target for a short run whose
// heap is mostly live data (a plan's syntax and types): a higher target
// while the live heap is small, the default once it is large.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// Start sets the collector's target to percent (GOGC) and, after each
// collection, looks at the live heap: once it exceeds limit bytes, the
// target goes back to the default (100) for the rest of the run, so that
// a large repository's plan does not pay percent's extra memory on a
// large heap (at most (percent-100)% of limit more than the default).
// It does nothing when the GOGC environment variable is set: the user's
// setting wins.
func Start(getenv func(string) string, percent int, limit uint64) {
	if getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(percent)
	watch(limit)
}

// sentinel is an object nothing references: the collector frees it in
// every cycle, which runs its finalizer; the finalizer sets itself again,
// so it runs after the next cycle too. It holds a pointer, so that it is
// not one of the tiny objects the allocator packs together.
type sentinel struct {
	_ *byte
	_ [16]byte
}

func watch(limit uint64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var check func(*sentinel)
	check = func(s *sentinel) {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > limit {
			debug.SetGCPercent(100)
			return
		}
		runtime.SetFinalizer(s, check)
	}
	runtime.SetFinalizer(&sentinel{}, check)
}
