package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWriteNew checks that init's write never replaces a file, even one
// that appears after init looked, and leaves no temporary file behind.
func TestWriteNew(t *testing.T) {
	tests := []struct {
		name     string
		existing string // content of a file already at the name; "" for none
		wantErr  string
		want     string // content at the name afterwards
	}{
		{name: "new file", want: "exclude: []\n"},
		{name: "a file appeared meanwhile", existing: "services: []\n", wantErr: "already exists, and deployorder init never overwrites it", want: "services: []\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "deployorder.yaml")
			if tt.existing != "" {
				if err := os.WriteFile(path, []byte(tt.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := writeNew(path, []byte("exclude: []\n"))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("writeNew error = %v, want %q", err, tt.wantErr)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("content = %q, want %q", got, tt.want)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if diff := cmp.Diff([]string{"deployorder.yaml"}, names); diff != "" {
				t.Errorf("directory (-want +got):\n%s", diff)
			}
			if fi, _ := os.Stat(path); tt.existing == "" && fi.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644", fi.Mode().Perm())
			}
		})
	}
}
