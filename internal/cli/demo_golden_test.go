package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/deployorder/deployorder/internal/demo"
	"github.com/deployorder/deployorder/internal/golden"
	"github.com/google/go-cmp/cmp"
)

// TestDemoMarkdownGolden renders the demo's real plans, the seed's rename
// (a split) and the same change done right (ordered), as the pull-request
// comment would show them, and compares them with testdata; refresh with
// go test ./internal/cli -update.
func TestDemoMarkdownGolden(t *testing.T) {
	dir := t.TempDir()
	if err := demo.Write(dir); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ spec, file string }{
		{"main", "testdata/demo-rename.md"},
		{"main~1..done-right", "testdata/demo-done-right.md"},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), []string{"plan", "-C", dir, tt.spec, "-o", "markdown", "--fail-on", "never"}, testEnv(&stdout, &stderr))
		if code != ExitOK {
			t.Fatalf("plan %s exited %d: %s", tt.spec, code, stderr.String())
		}
		if *golden.Update {
			if err := os.WriteFile(tt.file, stdout.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(filepath.FromSlash(tt.file))
		if err != nil {
			t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
		}
		if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
			t.Errorf("%s differs (-want +got); run go test ./internal/cli -update if the change is intended:\n%s", tt.file, diff)
		}
	}
}
