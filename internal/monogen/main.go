package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/deployorder/deployorder/internal/monogen/gen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the flags, generates the repository and prints its refs.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("monogen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := gen.Default
	out := fs.String("out", "", "directory for the new repository (must not exist or be empty)")
	fs.IntVar(&cfg.Packages, "packages", cfg.Packages, "packages in total: libraries + contracts + services")
	fs.IntVar(&cfg.Services, "services", cfg.Services, "services (main packages)")
	fs.IntVar(&cfg.Contracts, "contracts", cfg.Contracts, "contract packages under api/")
	fs.IntVar(&cfg.Commits, "commits", cfg.Commits, "first-parent commits on each branch")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "random seed; the same flags give the same commit hashes")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "monogen: pass the output directory with -out DIR and no other arguments")
		return 2
	}
	start := time.Now()
	res, err := gen.Generate(ctx, *out, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "monogen: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s in %.1fs: %d libraries, %d contracts, %d services, %d commits per branch\n",
		res.Dir, time.Since(start).Seconds(), cfg.Libraries(), cfg.Contracts, cfg.Services, cfg.Commits)
	fmt.Fprintf(stdout, "base      %s\nplain     %s (main, HEAD)\ncontracts %s\n", res.Base, res.Plain, res.Contract)
	return 0
}
