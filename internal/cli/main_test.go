package cli

import (
	"io"
	"os"
	"strings"
	"testing"
)

// TestMain keeps the tests' plans out of the user's cache directory.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "deployorder-cli-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("DEPLOYORDER_CACHE_DIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testEnv is the process's environment (tests set variables with
// t.Setenv) with the given output buffers.
func testEnv(stdout, stderr io.Writer) Env {
	e := System()
	e.Stdin, e.Stdout, e.Stderr = strings.NewReader(""), stdout, stderr
	return e
}
