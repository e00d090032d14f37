package render

import (
	"strings"

	"github.com/deployorder/deployorder/planner"
)

// Hashes of the example plans.
var (
	baseSHA   = strings.Repeat("a", 40)
	headSHA   = strings.Repeat("b", 40)
	renameSHA = "c0ffee00" + strings.Repeat("1", 32)
)

// splitPlan mirrors the seed's rename: metadata replaces the JSON key
// metadata by metadata_v2, and billing and frontend read the new key, all
// in one commit.
func splitPlan() *planner.Plan {
	chain := func(file, pkg, svc string) []string {
		return []string{file, "example.com/shop/" + pkg, "example.com/shop/cmd/" + svc}
	}
	return &planner.Plan{
		SchemaVersion: planner.SchemaVersion,
		Range: planner.Range{Spec: "main~1..main", Base: baseSHA, Head: headSHA, Commits: []planner.Commit{
			{SHA: renameSHA, Subject: "metadata: serve metadata_v2, a list of entries, in place of metadata", Services: []string{"billing", "frontend", "metadata"}},
		}},
		Verdict: planner.SplitRequired,
		Summary: "Needs a split: deploy in 3 steps; this range cannot ship as one deploy",
		Services: []planner.Service{
			{Name: "billing", Main: "example.com/shop/cmd/billing", Dir: "cmd/billing", Status: "changed", Affected: true, Reasons: []planner.Reason{
				{Kind: "package", Path: "api/metadata/metadata.go", Chain: chain("api/metadata/metadata.go", "api/metadata", "billing")},
				{Kind: "package", Path: "cmd/billing/main.go", Chain: []string{"cmd/billing/main.go", "example.com/shop/cmd/billing"}},
			}},
			{Name: "frontend", Main: "example.com/shop/cmd/frontend", Dir: "cmd/frontend", Status: "changed", Affected: true, Reasons: []planner.Reason{
				{Kind: "package", Path: "api/metadata/metadata.go", Chain: chain("api/metadata/metadata.go", "api/metadata", "frontend")},
			}},
			{Name: "metadata", Main: "example.com/shop/cmd/metadata", Dir: "cmd/metadata", Status: "changed", Affected: true, Reasons: []planner.Reason{
				{Kind: "package", Path: "api/metadata/metadata.go", Chain: chain("api/metadata/metadata.go", "api/metadata", "metadata")},
			}},
			{Name: "worker", Main: "example.com/shop/cmd/worker", Dir: "cmd/worker", Status: "unchanged", Reasons: []planner.Reason{}},
		},
		Contracts: []planner.Contract{{
			Name: "metadata", Kind: "json", Types: []string{"example.com/shop/api/metadata.Response"},
			Changes: []planner.Change{
				{Key: "metadata", Field: "metadata", Change: "removed", Compat: "breaking", Rules: []planner.RuleID{"STOP_CONSUME_BEFORE_STOP_PROVIDE"},
					WireType:  &planner.SideTypes{Base: "object", Head: ""},
					Providers: planner.Sides{Base: []string{"metadata"}, Head: []string{}},
					Consumers: planner.Sides{Base: []string{"billing", "frontend"}, Head: []string{}}},
				{Key: "metadata_v2", Field: "metadata_v2", Change: "added", Compat: "additive", Rules: []planner.RuleID{"PROVIDE_BEFORE_CONSUME"},
					WireType:  &planner.SideTypes{Base: "", Head: "array"},
					Providers: planner.Sides{Base: []string{}, Head: []string{"metadata"}},
					Consumers: planner.Sides{Base: []string{}, Head: []string{"billing", "frontend"}}},
			},
		}},
		Steps: []planner.Step{
			{Index: 1, Phase: planner.PhaseExpand, Services: []string{"metadata"}, Commits: []string{renameSHA},
				Reason: "metadata writes metadata_v2 before billing reads it (PROVIDE_BEFORE_CONSUME); metadata writes metadata_v2 before frontend reads it (PROVIDE_BEFORE_CONSUME)"},
			{Index: 2, Phase: planner.PhaseSwitch, Services: []string{"billing", "frontend"}, Commits: []string{renameSHA},
				Reason: "metadata writes metadata_v2 before billing reads it (PROVIDE_BEFORE_CONSUME); metadata writes metadata_v2 before frontend reads it (PROVIDE_BEFORE_CONSUME)"},
			{Index: 3, Phase: planner.PhaseContract, Services: []string{"metadata"}, Commits: []string{renameSHA}, Soak: "1d",
				Reason: "billing stops reading metadata before metadata stops writing it (STOP_CONSUME_BEFORE_STOP_PROVIDE); frontend stops reading metadata before metadata stops writing it (STOP_CONSUME_BEFORE_STOP_PROVIDE)"},
		}, Edges: []planner.Edge{
			{From: "metadata", FromStep: 1, To: "billing", ToStep: 2, Keys: []string{"Response.metadata_v2"}, Rule: "PROVIDE_BEFORE_CONSUME", Critical: true},
			{From: "metadata", FromStep: 1, To: "frontend", ToStep: 2, Keys: []string{"Response.metadata_v2"}, Rule: "PROVIDE_BEFORE_CONSUME", Critical: true},
			{From: "billing", FromStep: 2, To: "metadata", ToStep: 3, Keys: []string{"Response.metadata"}, Rule: "STOP_CONSUME_BEFORE_STOP_PROVIDE", Critical: true},
			{From: "frontend", FromStep: 2, To: "metadata", ToStep: 3, Keys: []string{"Response.metadata"}, Rule: "STOP_CONSUME_BEFORE_STOP_PROVIDE", Critical: true},
		},

		Splits: []planner.Split{{
			Commit: renameSHA,
			Reason: "this commit cannot ship in one deploy: metadata must run an intermediate version, so split it into steps 1, 2 and 3",
			Steps:  []int{1, 2, 3},
			Parts: []planner.SplitPart{
				{Step: 1, Service: "metadata", Keep: "start writing the new keys and keep writing `metadata` until step 3", Files: []planner.SplitFile{
					{Path: "api/metadata/metadata.go", Hunks: []string{"@@ -6,2 +6,3 @@"}},
					{Path: "cmd/metadata/main.go", Hunks: []string{"@@ -14,0 +15,9 @@", "@@ -29 +38 @@"}},
				}},
				{Step: 2, Service: "billing", Keep: "read `metadata_v2`, which earlier steps write", Files: []planner.SplitFile{
					{Path: "cmd/billing/main.go", Hunks: []string{"@@ -20,3 +20,8 @@"}},
				}},
				{Step: 2, Service: "frontend", Keep: "read `metadata_v2`, which earlier steps write", Files: []planner.SplitFile{
					{Path: "cmd/frontend/main.go", Hunks: []string{"@@ -11,2 +11,6 @@"}},
				}},
				{Step: 3, Service: "metadata", Keep: "stop writing `metadata`, now that no reader needs it", Files: []planner.SplitFile{
					{Path: "api/metadata/metadata.go", Hunks: []string{"@@ -7 +7,0 @@"}},
				}},
			},
		}},
		Rollback: []planner.RollbackStep{
			{Index: 1, Step: 3, Services: []string{"metadata"}},
			{Index: 2, Step: 2, Services: []string{"billing", "frontend"}, Unsafe: true,
				Reason: "rolling back step 2 while step 3 runs breaks metadata: billing stops reading metadata before metadata stops writing it (STOP_CONSUME_BEFORE_STOP_PROVIDE); roll back step 3 first"},
			{Index: 3, Step: 1, Services: []string{"metadata"}, Unsafe: true,
				Reason: "rolling back step 1 while step 2 runs breaks billing: metadata writes metadata_v2 before billing reads it (PROVIDE_BEFORE_CONSUME); roll back step 2 first"},
		},
		Findings: []planner.Finding{
			{Severity: planner.Warning, Code: "UNKEYED_READ", File: "cmd/frontend/main.go", Line: 31,
				Message: "frontend decodes metadata.Response into map[string]any; its reads of metadata are not checked"},
			{Severity: planner.Info, Code: "UNAFFECTED_PATHS", Message: "1 changed path affects no service: docs/metadata.md (no service's packages or owned paths include it)"},
		},
	}
}

// cleanPlan is a safe plan: two services deploy in one step, in any order.
func cleanPlan() *planner.Plan {
	return &planner.Plan{
		SchemaVersion: planner.SchemaVersion,
		Range: planner.Range{Spec: "main...HEAD", Base: baseSHA, Head: headSHA, Commits: []planner.Commit{
			{SHA: renameSHA, Subject: "money: round half to even", Services: []string{"billing", "frontend"}},
		}},
		Verdict: planner.Safe,
		Summary: "Safe: deploy 2 services in any order",
		Services: []planner.Service{
			{Name: "billing", Main: "example.com/mono/cmd/billing", Dir: "cmd/billing", Status: "changed", Affected: true, Reasons: []planner.Reason{
				{Kind: "package", Path: "lib/money/money.go", Chain: []string{"lib/money/money.go", "example.com/mono/lib/money", "example.com/mono/cmd/billing"}},
			}},
			{Name: "frontend", Main: "example.com/mono/cmd/frontend", Dir: "cmd/frontend", Status: "changed", Affected: true, Reasons: []planner.Reason{
				{Kind: "owned", Path: "cmd/frontend/Dockerfile", Chain: []string{"cmd/frontend/Dockerfile"}},
			}},
			{Name: "search", Main: "example.com/mono/cmd/search", Dir: "cmd/search", Status: "unchanged", Reasons: []planner.Reason{}},
		},
		Contracts: []planner.Contract{},
		Steps: []planner.Step{
			{Index: 1, Phase: planner.PhaseDeploy, Services: []string{"billing", "frontend"}, Commits: []string{renameSHA},
				Reason: "no ordering constraint: deploy in any order"},
		},
		Splits:   []planner.Split{},
		Rollback: []planner.RollbackStep{{Index: 1, Step: 1, Services: []string{"billing", "frontend"}}},
		Findings: []planner.Finding{},
	}
}
