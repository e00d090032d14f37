package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/deployorder/deployorder/internal/golden"

	"github.com/deployorder/deployorder/internal/cli"
	"github.com/rogpeppe/go-internal/goproxytest"
	"github.com/rogpeppe/go-internal/gotooltest"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = golden.Update

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"deployorder": func() {
			os.Exit(cli.Main(context.Background(), os.Args[1:], cli.System()))
		},
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each one
// builds a real git repository, runs deployorder on it and checks the
// result.
func TestScripts(t *testing.T) {
	p := testscript.Params{
		Dir:           filepath.Join("..", "..", "testdata", "script"),
		UpdateScripts: *update,
		Setup: func(e *testscript.Env) error {
			// Fixed identities and dates make commit hashes stable.
			e.Vars = append(e.Vars,
				"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z",
				"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z",
				"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(e.WorkDir, ".gitconfig"),
				"GOSUMDB=off", "GOFLAGS=-mod=mod",
			)
			return os.WriteFile(filepath.Join(e.WorkDir, ".gitconfig"), []byte("[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"), 0o644)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"commit":  cmdCommit,
			"overlay": cmdOverlay,
		},
	}
	if err := gotooltest.Setup(&p); err != nil {
		t.Fatal(err)
	}
	goproxytest.Setup(&p)
	testscript.Run(t, p)
}

// cmdCommit stages everything in the current directory and commits it:
// commit MESSAGE
func cmdCommit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: commit MESSAGE")
	}
	ts.Check(ts.Exec("git", "add", "-A"))
	ts.Check(ts.Exec("git", "commit", "-q", "--allow-empty", "-m", args[0]))
}

// cmdOverlay copies the files under SRC over DST, creating directories:
// overlay SRC DST
func cmdOverlay(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: overlay SRC DST")
	}
	src, dst := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	ts.Check(err)
}
