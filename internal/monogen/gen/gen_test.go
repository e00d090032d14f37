package gen

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// small is the size the tests generate: fast, and still every kind of
// commit on each branch.
var small = Config{Packages: 60, Services: 6, Contracts: 4, Commits: 30, Seed: 1}

// generate writes a repository for cfg into a temporary directory.
func generate(t *testing.T, cfg Config) *Result {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	res, err := Generate(context.Background(), filepath.Join(t.TempDir(), "mono"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// run runs git in dir and fails the test on error.
func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := git(context.Background(), dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, dir string, args ...string) int {
	t.Helper()
	n, err := strconv.Atoi(run(t, dir, args...))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// goCmd runs the go command the way deployorder does: offline-safe.
func goCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOTOOLCHAIN=local", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s at %s: %v\n%s", strings.Join(args, " "), run(t, dir, "rev-parse", "--short", "HEAD"), err, out)
	}
}

func TestRepositoryBuilds(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH")
	}
	dir := generate(t, small).Dir
	if got := run(t, dir, "status", "--porcelain"); got != "" {
		t.Fatalf("worktree is not clean after generation:\n%s", got)
	}
	// go build and go vet at the heads; go vet, which type-checks every
	// package without linking, at base and a few commits in between, side
	// branches included. -trimpath keeps the build cache valid across
	// temporary directories, so a second run compiles almost nothing.
	all := strings.Fields(run(t, dir, "rev-list", "--all"))
	revs := []string{"plain", "contracts", "base"}
	for i := 5; i < len(all); i += len(all)/3 + 1 {
		revs = append(revs, all[i])
	}
	for _, rev := range revs {
		run(t, dir, "checkout", "-q", "--detach", rev)
		if rev == "plain" || rev == "contracts" {
			goCmd(t, dir, "build", "-trimpath", "./...")
		}
		goCmd(t, dir, "vet", "-trimpath", "./...")
	}
	run(t, dir, "checkout", "-q", "plain")
}

func TestHistoryShape(t *testing.T) {
	t.Parallel()
	dir := generate(t, small).Dir
	if got, want := run(t, dir, "symbolic-ref", "HEAD"), "refs/heads/plain"; got != want {
		t.Errorf("HEAD is %s, want %s", got, want)
	}
	if got, want := run(t, dir, "rev-parse", "main"), run(t, dir, "rev-parse", "plain"); got != want {
		t.Errorf("main is %s, want plain's tip %s", got, want)
	}
	type shape struct {
		FirstParent int
		Merges      bool
		Renames     bool
		Added       bool
		Deleted     bool
		APICommits  bool // commits that touch api/
	}
	tests := []struct {
		branch string
		want   shape
	}{
		{"plain", shape{FirstParent: small.Commits, Merges: true, Renames: true, Added: true, Deleted: true}},
		{"contracts", shape{FirstParent: small.Commits, Merges: true, Renames: true, Added: true, Deleted: true, APICommits: true}},
	}
	for _, tt := range tests {
		t.Run(tt.branch, func(t *testing.T) {
			r := "base.." + tt.branch
			status := run(t, dir, "log", "--format=", "--name-status", "-M", r)
			got := shape{
				FirstParent: count(t, dir, "rev-list", "--first-parent", "--count", r),
				Merges:      count(t, dir, "rev-list", "--merges", "--count", r) > 0,
				Renames:     regexp.MustCompile(`(?m)^R100\tlib/`).MatchString(status),
				Added:       regexp.MustCompile(`(?m)^A\tlib/`).MatchString(status),
				Deleted:     regexp.MustCompile(`(?m)^D\tlib/`).MatchString(status),
				APICommits:  run(t, dir, "log", "--format=%H", r, "--", "api") != "",
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("history of %s (-want +got):\n%s", tt.branch, diff)
			}
		})
	}
}

// contractLine matches a changed line that writes or reads a contract:
// JSON calls, field selectors on a decoded message, contract functions.
var contractLine = regexp.MustCompile(`(?m)^[-+][^-+].*(json|\bv\.|\bit\.|/api/|publish|consume|encode|decode)`)

func TestContractCode(t *testing.T) {
	t.Parallel()
	dir := generate(t, small).Dir
	tests := []struct {
		branch string
		want   bool
	}{
		{"plain", false},
		{"contracts", true},
	}
	for _, tt := range tests {
		patch := run(t, dir, "log", "-p", "--format=", "base.."+tt.branch, "--", "*.go")
		if got := contractLine.FindString(patch); (got != "") != tt.want {
			t.Errorf("%s: a changed line touches contract code: %v, want %v (first: %q)", tt.branch, got != "", tt.want, got)
		}
	}
	window := "contracts~" + strconv.Itoa(min(100, small.Commits)) + "..contracts"
	if got := count(t, dir, "rev-list", "--first-parent", "--count", window, "--", "api"); got < 3 {
		t.Errorf("contract changes among the last 100 first-parent commits: %d, want at least 3", got)
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	first := generate(t, small)
	other := small
	other.Seed = 2
	tests := []struct {
		name string
		cfg  Config
		same bool
	}{
		{"same seed", small, true},
		{"other seed", other, false},
	}
	ignoreDir := func(r *Result) Result { c := *r; c.Dir = ""; return c }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diff := cmp.Diff(ignoreDir(first), ignoreDir(generate(t, tt.cfg)))
			if tt.same && diff != "" {
				t.Errorf("hashes differ for the same config (-first +second):\n%s", diff)
			}
			if !tt.same && diff == "" {
				t.Errorf("seed %d gives the same hashes as seed %d", tt.cfg.Seed, small.Seed)
			}
		})
	}
}
