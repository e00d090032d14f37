// Command deployorder prints the order in which a Go monorepo's services
// must deploy so that a commit range never breaks a contract between them.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"

	"github.com/deployorder/deployorder/internal/cli"
	"github.com/deployorder/deployorder/internal/gctune"
)

// A plan's heap is mostly live syntax and types, which the collector marks
// again and again: at GOGC=100 it took a fifth of the CPU of etcd
// 5d8f9378b0's plan. While the live heap is under 256 MiB the collector's
// target is 150 (a tenth less time there for 1-5 MiB more); past it, the
// default. GOGC, when set, wins.
const (
	gcPercent   = 150
	gcHeapLimit = 256 << 20
)

func main() {
	gctune.Start(os.Getenv, gcPercent, gcHeapLimit)
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
