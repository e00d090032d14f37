package render

import (
	"testing"

	"github.com/deployorder/deployorder/planner"
	"github.com/google/go-cmp/cmp"
)

func TestGitHubWorkflowCommands(t *testing.T) {
	p := &planner.Plan{Findings: []planner.Finding{
		{Severity: planner.Error, Code: "READ_WITHOUT_WRITER", File: "cmd/billing/main.go", Line: 12, Message: "billing reads metadata_v2; nobody writes it"},
		{Severity: planner.Warning, Code: "LOAD_ERROR", File: "lib/a,b:c.go", Message: "100% broken\r\nsecond line"},
		{Severity: planner.Info, Code: "UNAFFECTED_PATHS", Message: "1 changed path affects no service: docs/a.md"},
		{Severity: planner.Warning, Code: "X,Y:Z", File: "f.go", Line: 3, Message: "a::b, c: d"},
	}}
	want := "::error file=cmd/billing/main.go,line=12,title=READ_WITHOUT_WRITER::billing reads metadata_v2; nobody writes it\n" +
		"::warning file=lib/a%2Cb%3Ac.go,title=LOAD_ERROR::100%25 broken%0D%0Asecond line\n" +
		"::notice title=UNAFFECTED_PATHS::1 changed path affects no service: docs/a.md\n" +
		"::warning file=f.go,line=3,title=X%2CY%3AZ::a::b, c: d\n"
	if diff := cmp.Diff(want, render(t, GitHub{}, p)); diff != "" {
		t.Errorf("workflow commands (-want +got):\n%s", diff)
	}
	if got := render(t, GitHub{}, &planner.Plan{}); got != "" {
		t.Errorf("a plan without findings wrote %q", got)
	}
}

// TestGitHubSplitPlan: a plan that needs a split fails the job with an
// annotation for the verdict and one on each file each part moves.
func TestGitHubSplitPlan(t *testing.T) {
	p := &planner.Plan{
		Verdict: planner.SplitRequired,
		Summary: "Needs a split: deploy in 3 steps",
		Splits: []planner.Split{{Commit: "c0ffee0011223344", Parts: []planner.SplitPart{
			{Step: 1, Service: "metadata", Keep: "keep writing `metadata` until step 3",
				Files: []planner.SplitFile{{Path: "api/api.go", Hunks: []string{"@@ -6,2 +6,11 @@"}}}},
			{Step: 3, Service: "metadata", Files: []planner.SplitFile{{Path: "cmd/metadata/main.go", Hunks: []string{"@@ -18,1 +0,0 @@"}}}},
		}}},
	}
	want := "::error title=deployorder::Needs a split: deploy in 3 steps\n" +
		"::error file=api/api.go,line=6,title=SPLIT_CYCLE::step 1 (metadata) of splitting commit c0ffee00: keep writing `metadata` until step 3\n" +
		"::error file=cmd/metadata/main.go,line=1,title=SPLIT_CYCLE::step 3 (metadata) of splitting commit c0ffee00\n"
	if diff := cmp.Diff(want, render(t, GitHub{}, p)); diff != "" {
		t.Errorf("workflow commands (-want +got):\n%s", diff)
	}
	ordered := &planner.Plan{Verdict: planner.Ordered, Summary: "Ordered: deploy 2 services in 2 steps, in order"}
	if got := render(t, GitHub{}, ordered); got != "::notice title=deployorder::Ordered: deploy 2 services in 2 steps, in order\n" {
		t.Errorf("ordered plan = %q", got)
	}
}
