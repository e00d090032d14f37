package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/deployorder/deployorder/config"
	"github.com/deployorder/deployorder/pipeline"
	"github.com/spf13/cobra"
)

type initOptions struct {
	env    *Env
	dir    string // -C
	stdout bool   // --stdout: print the file instead of writing it
}

func newInitCmd(e *Env, runF func(context.Context, *initOptions) error) *cobra.Command {
	opts := &initOptions{env: e}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a starter deployorder.yaml that lists the services deployorder finds",
		Long: `Write a starter deployorder.yaml at the repository root: the services
deployorder finds (as "deployorder services" does), grouped by directory, as
commented-out entries to rename or extend, and an exclude entry, with a
comment that says why, for each directory of main packages that look like
test, example or tool programs (e2e/, examples/, hack/, tools/, ...).

init never overwrites a deployorder.yaml: when one exists it stops with an
error and writes nothing. The file is written whole or not at all.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runInit(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.dir, "dir", "C", ".", "run in this directory (a checkout of the monorepo)")
	cmd.Flags().BoolVar(&opts.stdout, "stdout", false, "print the file instead of writing it")
	return cmd
}

func runInit(ctx context.Context, opts *initOptions) error {
	e := opts.env
	src := source{dir: opts.dir}
	root, err := pipeline.Root(src.options(e))
	if err != nil {
		return err
	}
	target := filepath.Join(root, config.FileName)
	if _, err := os.Lstat(target); err == nil {
		return errExists(target)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot check for %s: %w", target, err)
	}
	ws, cleanup, err := pipeline.Workspace(ctx, src.options(e))
	if err != nil {
		return err
	}
	defer cleanup()
	found := pipeline.FoundMains(ws)
	data := config.Starter(found)
	if _, err := config.Parse(config.FileName, data); err != nil {
		return fmt.Errorf("the starter config does not parse (%v); this is a bug in deployorder, please report it", err)
	}
	if opts.stdout {
		_, err := e.Stdout.Write(data)
		return err
	}
	if err := writeNew(target, data); err != nil {
		return err
	}
	proposals := config.Proposals(found)
	excluded := 0
	var globs []string
	for _, p := range proposals {
		excluded += len(p.Mains)
		globs = append(globs, p.Glob)
	}
	msg := fmt.Sprintf("wrote %s: %s", target, plural(len(found)-excluded, "service", "services"))
	if excluded > 0 {
		msg += fmt.Sprintf(", and %s proposed for exclusion (%s)", plural(excluded, "main package", "main packages"), strings.Join(globs, ", "))
	}
	_, err = fmt.Fprintf(e.Stdout, "%s; review it, then commit it\n", msg)
	return err
}

func errExists(path string) error {
	return fmt.Errorf("%s already exists, and deployorder init never overwrites it; edit it, or move it away and run deployorder init again", path)
}

// writeNew writes a new file atomically: a temporary file in the same
// directory, then a hard link to its name, which (unlike a rename) fails
// if a file of that name appeared meanwhile. A half-written file never has
// the name, and nothing is ever overwritten.
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w; check that its directory is writable, or use --stdout", path, err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := cmp.Or(werr, serr, cerr, os.Chmod(tmp.Name(), 0o644)); err != nil {
		return fmt.Errorf("cannot write %s: %w; check the free space, or use --stdout", path, err)
	}
	err = os.Link(tmp.Name(), path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return errExists(path)
	}
	// A file system without hard links: rename, having checked again.
	if _, serr := os.Lstat(path); serr == nil {
		return errExists(path)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w; check that its directory is writable, or use --stdout", path, err)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
