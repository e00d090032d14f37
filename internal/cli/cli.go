// Package cli is the deployorder command line: cobra commands that parse
// flags, call the pipeline and print. Main is the whole program; nothing
// here reads os.Args, the environment or the clock, or writes os.Stdout
// directly: everything comes in through Env, so that every command runs
// in-process in tests.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/deployorder/deployorder/internal/panicsite"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK    = 0  // the plan was written and its verdict is below --fail-on
	ExitError = 1  // the tool failed; nothing useful was written to stdout
	ExitFail  = 2  // the plan was written and its verdict is at or above --fail-on
	ExitUsage = 64 // a bad flag, argument or flag value (EX_USAGE); nothing ran
)

// Env is what the commands read and write outside their flags.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Environ        func() []string
	// HTTPClient reaches GitHub for comment.
	HTTPClient *http.Client
	// Sleep waits out a rate limit (d, or until ctx is done); MaxWait is the
	// longest wait it sits out (0: ghcomment.DefaultMaxWait).
	Sleep   func(ctx context.Context, d time.Duration) error
	MaxWait time.Duration
	// Now is the clock, for progress and for the expiry of acceptances.
	Now func() time.Time
}

// System is the environment of the running process.
func System() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Environ: os.Environ,
		HTTPClient: &http.Client{Timeout: 30 * time.Second}, Now: time.Now}
}

// complete fills what the caller left unset with harmless defaults.
func (e Env) complete() *Env {
	if e.Stdin == nil {
		e.Stdin = eofReader{}
	}
	if e.Stdout == nil {
		e.Stdout = io.Discard
	}
	if e.Stderr == nil {
		e.Stderr = io.Discard
	}
	if e.Getenv == nil {
		e.Getenv = func(string) string { return "" }
	}
	if e.Environ == nil {
		e.Environ = func() []string { return nil }
	}
	if e.HTTPClient == nil {
		e.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	return &e
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// errFailOn marks a plan that was written but fails --fail-on.
var errFailOn = errors.New("verdict at or above --fail-on")

// UsageError is a bad flag, argument or flag value: the command did not
// run. Its message says what was wrong; Main adds where to read more.
type UsageError struct{ Err error }

func (u *UsageError) Error() string { return u.Err.Error() }
func (u *UsageError) Unwrap() error { return u.Err }

func usageErrorf(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// Main runs the deployorder command line and returns the exit code.
func Main(ctx context.Context, args []string, env Env) (code int) {
	e := env.complete()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(e.Stderr, "deployorder: internal error: %v (%s); please report it with the command you ran at https://github.com/deployorder/deployorder/issues\n", r, panicsite.Site(2, "internal/cli.Main"))
			code = ExitError
		}
	}()
	root := newRootCmd(e)
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	root.SetArgs(args)
	root.SetIn(e.Stdin)
	root.SetOut(e.Stdout)
	root.SetErr(e.Stderr)
	cmd, err := root.ExecuteContextC(ctx)
	var usage *UsageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errFailOn):
		return ExitFail
	case errors.As(err, &usage):
		name := "deployorder"
		if cmd != nil {
			name = cmd.CommandPath()
		}
		fmt.Fprintf(e.Stderr, "deployorder: %s; see %s --help\n", err, name)
		return ExitUsage
	}
	fmt.Fprintf(e.Stderr, "deployorder: %s\n", err)
	return ExitError
}

func newRootCmd(e *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "deployorder",
		Short: "Order the deploys of a Go monorepo's services so that contracts between them never break",
		Long: `deployorder reads a git commit range in a Go monorepo, finds the services it
affects and the contracts between them, and prints an ordered rollout plan:
waves of services, and the changes that cannot ship in one deploy split into
expand -> switch -> contract steps, with the rollback order.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf("; did you mean %q?", s[0])
			}
			return &UsageError{errors.New(msg)}
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SuggestionsMinimumDistance = 2
	// Every flag error is a usage error, for every subcommand.
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return &UsageError{err} })
	root.AddCommand(
		newPlanCmd(e, nil),
		newCommentCmd(e, nil),
		newSplitCmd(e, nil),
		newServicesCmd(e, nil),
		newInitCmd(e, nil),
		newRulesCmd(e, nil),
		newDemoCmd(e, nil),
		newVersionCmd(e),
	)
	return root
}

// usageArgs makes an argument validator's errors usage errors.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return &UsageError{err}
		}
		return nil
	}
}
