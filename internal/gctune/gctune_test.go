package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// percentNow reads the collector's target without changing it.
func percentNow() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestStart(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))

	Start(func(string) string { return "80" }, 150, 1<<20)
	if p := percentNow(); p != 100 {
		t.Fatalf("GOGC set: target %d, want it left at 100", p)
	}

	Start(func(string) string { return "" }, 150, 64<<20)
	runtime.GC()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if p := percentNow(); p != 150 {
		t.Fatalf("small heap: target %d, want 150", p)
	}
	live := make([][]byte, 0, 96)
	for range 96 {
		live = append(live, make([]byte, 1<<20))
	}
	deadline := time.Now().Add(5 * time.Second)
	for percentNow() != 100 {
		if time.Now().After(deadline) {
			t.Fatalf("live heap past the limit: target still %d", percentNow())
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	runtime.KeepAlive(live)
}
