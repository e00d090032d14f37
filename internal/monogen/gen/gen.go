package gen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
)

// Config sizes the generated repository.
type Config struct {
	Packages  int   // all packages: libraries + contracts + services
	Services  int   // main packages under services/
	Contracts int   // contract packages under api/
	Commits   int   // first-parent commits on each branch after base
	Seed      int64 // same config and seed, same commit hashes
}

// Default is the large repository the benchmark uses.
var Default = Config{Packages: 2000, Services: 100, Contracts: 20, Commits: 500, Seed: 1}

// Libraries is the number of library packages in the base revision.
func (c Config) Libraries() int { return c.Packages - c.Services - c.Contracts }

// Validate says what to change when the sizes do not make a repository.
func (c Config) Validate() error {
	switch {
	case c.Services < 3:
		return fmt.Errorf("services is %d; use at least 3, so that each contract has a writer and two readers", c.Services)
	case c.Contracts < 1:
		return fmt.Errorf("contracts is %d; use at least 1", c.Contracts)
	case c.Commits < 1:
		return fmt.Errorf("commits is %d; use at least 1", c.Commits)
	case c.Libraries() < 4:
		return fmt.Errorf("packages (%d) leaves %d libraries after %d services and %d contracts; raise packages to at least %d",
			c.Packages, c.Libraries(), c.Services, c.Contracts, c.Services+c.Contracts+4)
	}
	return nil
}

// Result names the generated repository's refs.
type Result struct {
	Dir                   string
	Base, Plain, Contract string // commit hashes of base, plain and contracts
}

// Generate writes a new git repository into dir, which must not exist or
// be empty: the history is one git fast-import stream, then the worktree
// is populated once with git reset --hard. HEAD is left on plain.
func Generate(ctx context.Context, dir string, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("git"); err != nil {
		return nil, fmt.Errorf("git is not on PATH; install git to generate a repository: %w", err)
	}
	if err := emptyDir(dir); err != nil {
		return nil, err
	}
	if _, err := git(ctx, dir, "init", "-q", "-b", "plain"); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "git", "fast-import", "--quiet", "--done", "--date-format=raw")
	cmd.Dir, cmd.Env = dir, gitEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start git fast-import: %w", err)
	}
	w := bufio.NewWriterSize(in, 1<<20)
	writeHistory(&stream{w: w}, cfg)
	w.WriteString("done\n")
	werr := w.Flush()
	in.Close()
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git fast-import failed (a bug in the generator): %w\n%s", err, stderr.Bytes())
	}
	if werr != nil {
		return nil, fmt.Errorf("write the fast-import stream: %w", werr)
	}
	if _, err := git(ctx, dir, "reset", "-q", "--hard"); err != nil {
		return nil, err
	}
	out, err := git(ctx, dir, "rev-parse", "base", "plain", "contracts")
	if err != nil {
		return nil, err
	}
	h := strings.Fields(out)
	if len(h) != 3 {
		return nil, fmt.Errorf("git rev-parse base plain contracts printed %q; expected three hashes", out)
	}
	return &Result{Dir: dir, Base: h[0], Plain: h[1], Contract: h[2]}, nil
}

// emptyDir creates dir, or accepts it when it exists and is empty.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return fmt.Errorf("output directory %s cannot be read; pass a new directory: %w", dir, err)
	case len(entries) > 0:
		return fmt.Errorf("output directory %s is not empty; pass a new directory or remove this one first", dir)
	}
	return nil
}

// git runs git in dir with a clean configuration and returns its output.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir, cmd.Env = dir, gitEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s in %s: %w: %s", strings.Join(args, " "), dir, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// gitEnv is the environment without the user's git configuration or any
// GIT_DIR-like variable inherited from a hook.
func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
			"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
}
