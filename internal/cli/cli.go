// Package cli is the deployorder command line: cobra commands that wire
// gitdiff, graph, planner and render together. Main is the whole program;
// nothing here reads os.Args or writes os.Stdout directly, so every command
// runs in-process in tests.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK    = 0 // the plan was written and its verdict is below --fail-on
	ExitError = 1 // the tool failed; nothing useful was written to stdout
	ExitFail  = 2 // the plan was written and its verdict is at or above --fail-on
)

// env is what the commands read from outside their flags.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	environ        func() []string
}

// errFailOn marks a plan that was written but fails --fail-on.
var errFailOn = errors.New("verdict at or above --fail-on")

// Main runs the deployorder command line and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, environ: os.Environ}
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errFailOn):
		return ExitFail
	}
	msg := err.Error()
	if isUsageError(msg) {
		cmd, _, _ := root.Find(args)
		name := "deployorder"
		if cmd != nil {
			name = cmd.CommandPath()
		}
		msg += fmt.Sprintf("; see %s --help", name)
	}
	fmt.Fprintf(stderr, "deployorder: %s\n", msg)
	return ExitError
}

// isUsageError recognises cobra's flag and argument errors.
func isUsageError(msg string) bool {
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "flag needs an argument",
		"invalid argument", "accepts at most", "accepts ", "requires at least", "bad flag syntax"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "deployorder",
		Short: "Order the deploys of a Go monorepo's services so that wire contracts never break",
		Long: `deployorder reads a git commit range in a Go monorepo, finds the services it
affects and the wire contracts between them, and prints an ordered rollout
plan: waves of services, and the changes that cannot ship in one deploy split
into expand -> switch -> contract steps, with the rollback order.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newPlanCmd(e), newCommentCmd(e), newServicesCmd(e), newRulesCmd(e), newDemoCmd(e), newVersionCmd(e))
	return root
}
