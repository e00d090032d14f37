package gen

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // substring of the error; "" for none
	}{
		{"default", Default, ""},
		{"small", small, ""},
		{"too few services", Config{Packages: 60, Services: 2, Contracts: 4, Commits: 30}, "use at least 3"},
		{"no contracts", Config{Packages: 60, Services: 6, Contracts: 0, Commits: 30}, "contracts is 0"},
		{"no commits", Config{Packages: 60, Services: 6, Contracts: 4, Commits: 0}, "commits is 0"},
		{"too few packages", Config{Packages: 12, Services: 6, Contracts: 4, Commits: 30}, "raise packages to at least 14"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := tt.cfg.Validate(); err != nil {
				got = err.Error()
			}
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("Validate() = %q, want an error containing %q", got, tt.want)
			}
		})
	}
}

func TestGenerateRefusesNonEmptyDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(context.Background(), dir, small)
	if err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Fatalf("Generate into a non-empty directory: %v, want an error saying it is not empty", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("Generate wrote into the non-empty directory: %d entries, want 1", len(entries))
	}
}

func TestSnake(t *testing.T) {
	tests := map[string]string{
		"ID":              "id",
		"Total":           "total",
		"NetTotal":        "net_total",
		"CreatedAt":       "created_at",
		"DisplayQuantity": "display_quantity",
	}
	got := map[string]string{}
	for in := range tests {
		got[in] = snake(in)
	}
	if diff := cmp.Diff(tests, got); diff != "" {
		t.Errorf("snake (-want +got):\n%s", diff)
	}
}

func TestSchedule(t *testing.T) {
	type counts struct {
		Len, Contracts, InLast100  int
		Merge, Rename, Add, Delete bool
	}
	tests := []struct {
		name      string
		k         int
		contracts bool
		want      counts
	}{
		{"plain large", 500, false, counts{Len: 500, Merge: true, Rename: true, Add: true, Delete: true}},
		{"contracts large", 500, true, counts{Len: 500, Contracts: 25, InLast100: -1, Merge: true, Rename: true, Add: true, Delete: true}},
		{"contracts small", 30, true, counts{Len: 30, Contracts: 3, InLast100: 3, Merge: true, Rename: true, Add: true, Delete: true}},
		{"contracts tiny", 2, true, counts{Len: 2, Contracts: 2, InLast100: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range uint64(20) {
				slots := schedule(rand.New(rand.NewPCG(seed, 1)), tt.k, tt.contracts)
				got := counts{Len: len(slots)}
				for i, s := range slots {
					switch s {
					case opContract:
						got.Contracts++
						if i >= tt.k-100 {
							got.InLast100++
						}
					case opMerge:
						got.Merge = true
					case opRename:
						got.Rename = true
					case opAddPkg:
						got.Add = true
					case opDeletePkg:
						got.Delete = true
					}
				}
				if tt.want.InLast100 == -1 && got.InLast100 >= 3 {
					got.InLast100 = -1 // at least three, however many
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Fatalf("seed %d (-want +got):\n%s", seed, diff)
				}
			}
		})
	}
}
