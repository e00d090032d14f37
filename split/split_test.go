package split

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/planner"
	"github.com/google/go-cmp/cmp"
)

func TestExpandLines(t *testing.T) {
	tests := []struct {
		name      string
		old, cur  string
		want      string
		keptLines []int
	}{
		{"a replaced struct field is kept beside the new one, realigned lines once",
			"\tID       string            `json:\"id\"`\n\tMetadata map[string]string `json:\"metadata\"`\n",
			"\tID         string  `json:\"id\"`\n\tMetadataV2 []Entry `json:\"metadata_v2\"`\n",
			"\tMetadata map[string]string `json:\"metadata\"`\n\tID         string  `json:\"id\"`\n\tMetadataV2 []Entry `json:\"metadata_v2\"`\n", []int{0}},
		{"a literal whose keys change is written once with both keys",
			"\tresp := metadata.Response{ID: id, Metadata: store[id]}\n",
			"\tresp := metadata.Response{ID: id, MetadataV2: entries(store[id])}\n",
			"\tresp := metadata.Response{ID: id, MetadataV2: entries(store[id]), Metadata: store[id]}\n", nil},
		{"a statement that changes otherwise is kept beside the new one",
			"\tx := r.Metadata\n", "\tx := r.MetadataV2\n",
			"\tx := r.Metadata\n\tx := r.MetadataV2\n", []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, kept := expandLines(lines(tt.old), lines(tt.cur))
			if diff := cmp.Diff(tt.want, strings.Join(got, "")); diff != "" {
				t.Errorf("expand (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.keptLines, kept); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSeries(t *testing.T) {
	api := File{Path: "api/api.go",
		Base: []byte("package api\n\ntype Response struct {\n\tMetadata map[string]string `json:\"metadata\"`\n}\n"),
		Head: []byte("package api\n\ntype Response struct {\n\tMetadataV2 []string `json:\"metadata_v2\"`\n}\n")}
	reader := File{Path: "cmd/billing/main.go",
		Base: []byte("package main\n\nfunc plan(r api.Response) string { return r.Metadata[\"plan\"] }\n"),
		Head: []byte("package main\n\nfunc plan(r api.Response) string { return r.MetadataV2[0] }\n")}
	sp := planner.Split{Commit: "c", Steps: []int{1, 2, 3}, Parts: []planner.SplitPart{
		{Step: 1, Service: "meta", Files: []planner.SplitFile{{Path: "api/api.go", Hunks: []string{"@@ -4,1 +4,1 @@"}}}},
		{Step: 2, Service: "billing", Files: []planner.SplitFile{{Path: "cmd/billing/main.go", Hunks: []string{"@@ -3,1 +3,1 @@"}}}},
		{Step: 3, Service: "meta", Files: []planner.SplitFile{{Path: "api/api.go", Hunks: []string{"@@ -4,1 +4,1 @@"}}}},
	}}
	phases := map[int]planner.Phase{1: planner.PhaseExpand, 2: planner.PhaseSwitch, 3: planner.PhaseContract}
	steps, err := Series([]File{api, reader}, sp, phases)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]map[string]string{}
	for _, st := range steps {
		got[st.Index] = map[string]string{}
		for p, data := range st.Files {
			got[st.Index][p] = string(data)
		}
	}
	want := map[int]map[string]string{
		1: {"api/api.go": "package api\n\ntype Response struct {\n\tMetadata map[string]string `json:\"metadata\"`\n\tMetadataV2 []string `json:\"metadata_v2\"`\n}\n"},
		2: {"api/api.go": "package api\n\ntype Response struct {\n\tMetadata map[string]string `json:\"metadata\"`\n\tMetadataV2 []string `json:\"metadata_v2\"`\n}\n", "cmd/billing/main.go": string(reader.Head)},
		3: {"api/api.go": string(api.Head), "cmd/billing/main.go": string(reader.Head)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"api/api.go:4"}, steps[0].Kept); diff != "" {
		t.Errorf("kept lines (-want +got):\n%s", diff)
	}
}

// TestUnifiedDiffApplies checks that git applies the diffs: to a file
// changed at both ends and in the middle, to a new file and to a deleted
// one.
func TestUnifiedDiffApplies(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	var old, cur strings.Builder
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&old, "line %d\n", i)
		switch i {
		case 1:
			cur.WriteString("first\n")
		case 20:
			cur.WriteString("line 20\nline 20b\n")
		case 23:
		default:
			fmt.Fprintf(&cur, "line %d\n", i)
		}
	}
	cur.WriteString("last, no newline")
	for _, tc := range []struct {
		name     string
		old, cur []byte
	}{
		{"changed", []byte(old.String()), []byte(cur.String())},
		{"new", nil, []byte("package x\n")},
		{"deleted", []byte("package x\n\nvar y = 1\n"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "f.txt")
			if tc.old != nil {
				os.WriteFile(file, tc.old, 0o644)
			}
			patch := filepath.Join(dir, "p.diff")
			os.WriteFile(patch, []byte(UnifiedDiff("f.txt", tc.old, tc.cur)), 0o644)
			cmd := exec.Command("git", "apply", "--unsafe-paths", "p.diff")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git apply: %v\n%s\n%s", err, out, UnifiedDiff("f.txt", tc.old, tc.cur))
			}
			got, err := os.ReadFile(file)
			if tc.cur == nil {
				if err == nil {
					t.Errorf("the file was not deleted")
				}
				return
			}
			if string(got) != string(tc.cur) {
				t.Errorf("applied:\n%s\nwant:\n%s", got, tc.cur)
			}
		})
	}
}
