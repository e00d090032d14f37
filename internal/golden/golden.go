// Package golden defines the -update flag that rewrites expected output
// kept in files, and Check, which compares with such a file. Every test
// package imports it, so that `go test ./... -update` is understood by all
// of them.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Update is true when tests should rewrite their expected output.
var Update = flag.Bool("update", false, "rewrite golden files and expected output instead of comparing")

// Check compares got with the file at path (slash-separated, relative to
// the test's package), or rewrites the file with -update.
func Check(t testing.TB, path, got string) {
	t.Helper()
	file := filepath.FromSlash(path)
	if *Update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v; run go test -update in this package to create it", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); run go test -update in this package if the change is intended:\n%s", path, diff)
	}
}
