package planner

import (
	"slices"
	"testing"

	"github.com/deployorder/deployorder/change"
)

func TestIndivisible(t *testing.T) {
	// The head's plan splits metadata (expand in step 1, contract in step
	// 3) and switches billing in step 2; the parts name their files.
	head := &Plan{Splits: []Split{{Commit: "c2", Parts: []SplitPart{
		{Step: 1, Service: "metadata", Files: []SplitFile{{Path: "api/api.go"}, {Path: "cmd/metadata/main.go"}}},
		{Step: 2, Service: "billing", Files: []SplitFile{{Path: "cmd/billing/main.go"}}},
		{Step: 3, Service: "metadata", Files: []SplitFile{{Path: "api/api.go"}}},
	}}}}
	commit := func(sha string, paths ...string) change.Commit {
		c := change.Commit{SHA: sha}
		for _, p := range paths {
			c.Files = append(c.Files, change.File{Path: p})
		}
		return c
	}
	for _, tc := range []struct {
		name    string
		commits []change.Commit
		want    []string
	}{
		{"one commit holds the provider's whole change", []change.Commit{
			commit("c1", "README.md"), commit("c2", "api/api.go", "cmd/metadata/main.go", "cmd/billing/main.go"), commit("c3", "cmd/billing/main.go")},
			[]string{"c2"}},
		{"expand and contract in two commits: it may be staged", []change.Commit{
			commit("c1", "api/api.go", "cmd/metadata/main.go"), commit("c2", "cmd/billing/main.go"), commit("c3", "api/api.go")},
			nil},
		{"a rename's old path counts", []change.Commit{
			commit("c1", "api/api.go"), {SHA: "c2", Files: []change.File{{Path: "api/v2.go", OldPath: "cmd/metadata/main.go"}}}},
			nil},
		{"a consumer switching in one commit is atomic", []change.Commit{
			commit("c1", "api/api.go"), commit("c2", "cmd/billing/main.go"), commit("c3", "cmd/metadata/main.go")},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Indivisible(head, &change.Range{Commits: tc.commits})
			if !slices.Equal(got, tc.want) {
				t.Errorf("Indivisible = %q, want %q", got, tc.want)
			}
		})
	}
}
