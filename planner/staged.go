package planner

import (
	"fmt"
	"slices"

	"github.com/deployorder/deployorder/change"
)

// A range whose head cannot ship as one deploy may still ship as it is:
// when the team already split the change into commits (expand, switch,
// contract), the range's own commits hold the intermediate versions. The
// pipeline then plans consecutive groups of the range's commits, each of
// which ships without a split, and Stage joins their plans: each step
// deploys its services at its group's last commit. Every moment of the
// rollout runs versions of one group side by side (the groups before it
// fully deployed), and each group's plan keeps those compatible; the
// rollback undoes the groups in reverse, each as its own plan says.

// Group is one group of a staged plan: the commits it ships and their
// plan.
type Group struct {
	Plan *Plan // the plan of the group's commits (its base..its last commit)
}

// Stage joins the plans of consecutive groups of a range's commits into
// the range's staged plan. head is the plan of the whole range (its
// services, contracts and findings are the range's); every group plan must
// be below split_required.
func Stage(head *Plan, groups []Group) *Plan {
	p := &Plan{SchemaVersion: SchemaVersion, Range: head.Range, Verdict: Staged,
		Services: head.Services, Contracts: head.Contracts, Splits: []Split{}}
	for _, f := range head.Findings {
		if f.Code != string(SplitCycle) {
			p.Findings = append(p.Findings, f)
		}
	}
	var rollbacks [][]RollbackStep
	offset := 0
	for _, g := range groups {
		for _, st := range g.Plan.Steps {
			st.Index += offset
			p.Steps = append(p.Steps, st)
		}
		for _, e := range g.Plan.Edges {
			e.FromStep += offset
			e.ToStep += offset
			p.Edges = append(p.Edges, e)
		}
		var rb []RollbackStep
		for _, r := range g.Plan.Rollback {
			r.Step += offset
			rb = append(rb, r)
		}
		rollbacks = append(rollbacks, rb)
		offset += len(g.Plan.Steps)
	}
	for i := len(rollbacks) - 1; i >= 0; i-- {
		for _, r := range rollbacks[i] {
			r.Index = len(p.Rollback) + 1
			p.Rollback = append(p.Rollback, r)
		}
	}
	var revs []string
	for _, st := range p.Steps {
		if !slices.Contains(revs, st.Revision) {
			revs = append(revs, st.Revision)
		}
	}
	p.Findings = append(p.Findings, Finding{Severity: Info, Code: "STAGED",
		Message: fmt.Sprintf("the head of this range cannot ship as one deploy, but its commits hold the intermediate versions: deploy each step at its revision (%s); merge without squashing, since a squash merge destroys the intermediate versions",
			joinNames(shortRevs(revs)))})
	p.Summary = summary(p)
	sortFindings(p.Findings)
	normalize(p)
	return p
}

func shortRevs(revs []string) []string {
	out := make([]string, len(revs))
	for i, r := range revs {
		if len(r) > 8 {
			r = r[:8]
		}
		out[i] = r
	}
	return out
}

// OnlySplits is the head's plan with only the splits of these commits.
func OnlySplits(head *Plan, commits []string) *Plan {
	p := *head
	p.Splits = []Split{}
	for _, sp := range head.Splits {
		if slices.Contains(commits, sp.Commit) {
			p.Splits = append(p.Splits, sp)
		}
	}
	return &p
}

// WithCommitSplits is the plan of a range whose head needs a split and
// whose commits do not all ship as they are: the head's plan, with the
// splits of the commits that are not atomic (each from that commit's own
// plan, with its hunks) in place of the head's.
func WithCommitSplits(head *Plan, commits []*Plan) *Plan {
	p := *head
	p.Splits = []Split{}
	for _, c := range commits {
		p.Splits = append(p.Splits, c.Splits...)
	}
	return &p
}

// Indivisible lists the commits of a range that cannot be staged, found
// from the head's plan alone: for a service that must split, when a single
// commit of the range is the only one that touches the files of the
// service's parts, no commit boundary of the range holds the service's
// intermediate version, so that commit is not atomic. Each is named once,
// in range order. The pipeline skips planning the commits one by one when
// there is any.
func Indivisible(head *Plan, rg *change.Range) []string {
	files := map[string]map[string]bool{} // split service -> the files of its parts
	steps := map[string]map[int]bool{}    // split service -> the steps of its parts
	for _, sp := range head.Splits {
		for _, part := range sp.Parts {
			if files[part.Service] == nil {
				files[part.Service], steps[part.Service] = map[string]bool{}, map[int]bool{}
			}
			steps[part.Service][part.Step] = true
			for _, f := range part.Files {
				files[part.Service][f.Path] = true
			}
		}
	}
	out := map[string]bool{}
	for s, fs := range files {
		if len(steps[s]) < 2 {
			continue // a consumer that switches in one commit is atomic
		}
		var touching []string
		for _, c := range rg.Commits {
			if slices.ContainsFunc(c.Files, func(f change.File) bool { return fs[f.Path] || fs[f.OldPath] }) {
				touching = append(touching, c.SHA)
			}
		}
		if len(touching) == 1 {
			out[touching[0]] = true
		}
	}
	var shas []string
	for _, c := range rg.Commits {
		if out[c.SHA] {
			shas = append(shas, c.SHA)
		}
	}
	return shas
}
