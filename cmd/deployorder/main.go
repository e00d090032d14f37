// Command deployorder prints the order in which a Go monorepo's services
// must deploy so that a commit range never breaks a contract between them.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"

	"github.com/deployorder/deployorder/internal/cli"
)

// gcPercent is the garbage collector's target when GOGC is not set: a plan
// is a short run whose heap is mostly live syntax and types, and collecting
// at half again the live heap instead of twice it costs a few MiB and saves
// about a tenth of the time (etcd 5d8f9378b0: +5 MiB, -10%).
const gcPercent = 150

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	endProfile := startProfile(os.Getenv("DEPLOYORDER_CPUPROFILE"))
	code := cli.Main(ctx, os.Args[1:], cli.System())
	endProfile()
	stop()
	os.Exit(code)
}

// startProfile writes a CPU profile of the run to path, when it is set
// (DEPLOYORDER_CPUPROFILE, for measurements: go tool pprof reads it).
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "deployorder: DEPLOYORDER_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
