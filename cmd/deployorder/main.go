// Command deployorder prints the order in which a Go monorepo's services
// must deploy so that a commit range never breaks a contract between them.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/deployorder/deployorder/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], cli.System())
	stop()
	os.Exit(code)
}
