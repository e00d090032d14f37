package cli

import (
	"bytes"
	"context"
	"testing"

	"github.com/deployorder/deployorder/internal/demo"
	"github.com/deployorder/deployorder/internal/golden"
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
		golden.Check(t, tt.file, stdout.String())
	}
}
