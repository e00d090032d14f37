package cachefile

import (
	"os"
	"path/filepath"
	"testing"
)

// Write creates the directory, replaces an old file, leaves no temporary
// file, and fails (leaving nothing) where no directory can be made.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a", "b", "entry")
	for _, want := range []string{"one", "two"} {
		if err := Write(name, []byte(want)); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(name); string(got) != want {
			t.Errorf("after writing %q the file holds %q", want, got)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "a", "b", "*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(file, "entry"), []byte("x")); err == nil {
		t.Error("writing under a file succeeded")
	}
}
