package cli

import (
	"os"
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
