package pipeline

import (
	"context"
	"fmt"
	"slices"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/config"
	"github.com/deployorder/deployorder/gitdiff"
	"github.com/deployorder/deployorder/planner"
)

// stage looks for a staged plan of a range whose head needs a split: the
// commits that change a service that must split are planned one by one;
// when one of them needs a split on its own, the plan stays
// split_required and names it. Otherwise the range is cut into groups of
// consecutive commits around those commits, adjacent groups are merged
// while their plan needs no split, and the groups' plans are joined: each
// step deploys at its group's last commit. Commits that change no service
// of a split are never planned on their own.
// maxStagedCommits bounds the commits stage plans one by one: each is a
// plan of its own, and a range already split by hand has a few.
const maxStagedCommits = 12

func stage(ctx context.Context, repo *gitdiff.Repo, cfg *config.Config, rg *change.Range, head *planner.Plan, opts Options) (*planner.Plan, error) {
	if bad := planner.Indivisible(head, rg); len(bad) > 0 {
		return planner.OnlySplits(head, bad), nil
	}
	split := map[string]bool{}
	for _, sp := range head.Splits {
		split[sp.Commit] = true
	}
	if len(split) > maxStagedCommits {
		p := *head
		p.Findings = append(slices.Clone(head.Findings), planner.Finding{Severity: planner.Info, Code: "STAGE_LIMIT",
			Message: fmt.Sprintf("%d commits of this range change services that must split; deployorder plans at most %d of them one by one to find a staged plan, so this plan stays split_required: plan a shorter range, such as the pull request's commits", len(split), maxStagedCommits)})
		return &p, nil
	}
	index := map[string]int{} // commit -> its position in the range
	for i, c := range rg.Commits {
		index[c.SHA] = i
	}
	sub := func(from, to string) (*planner.Plan, error) {
		srg, err := repo.ResolveCommits(from + ".." + to)
		if err != nil {
			return nil, userError(err)
		}
		if err := repo.Diff(srg); err != nil {
			return nil, userError(err)
		}
		// The config's acceptances hold in every part of the range; a
		// trailer's belongs to the whole range's plan.
		accept, err := planner.Acceptances(configAcceptances(cfg), nil)
		if err != nil {
			return nil, err
		}
		return planRange(ctx, repo, cfg, srg, worktreeState(repo, to), accept, opts)
	}
	parent := func(i int) string {
		if i == 0 {
			return rg.Base
		}
		return rg.Commits[i-1].SHA
	}
	// The commits of the splits, each on its own.
	var cuts []int
	var notAtomic []*planner.Plan
	for _, c := range rg.Commits {
		if !split[c.SHA] {
			continue
		}
		i := index[c.SHA]
		p, err := sub(parent(i), c.SHA)
		if err != nil {
			return nil, err
		}
		switch p.Verdict {
		case planner.SplitRequired:
			notAtomic = append(notAtomic, p)
		case planner.Blocked:
			return head, nil // deploying at that commit would break: no staged plan
		default:
			cuts = append(cuts, i)
		}
	}
	if len(notAtomic) > 0 || len(cuts) == 0 {
		return planner.WithCommitSplits(head, notAtomic), nil
	}
	// Groups: the run of commits before each commit of a split, then the
	// commit itself; then the rest of the range.
	type group struct{ from, to int } // commits from..to, inclusive
	var groups []group
	next := 0
	for _, i := range cuts {
		if next < i {
			groups = append(groups, group{next, i - 1})
		}
		groups = append(groups, group{i, i})
		next = i + 1
	}
	if next < len(rg.Commits) {
		groups = append(groups, group{next, len(rg.Commits) - 1})
	}
	plans := make([]*planner.Plan, len(groups))
	for k, g := range groups {
		p, err := sub(parent(g.from), rg.Commits[g.to].SHA)
		if err != nil {
			return nil, err
		}
		switch p.Verdict {
		case planner.SplitRequired:
			return planner.WithCommitSplits(head, []*planner.Plan{p}), nil
		case planner.Blocked:
			return head, nil
		}
		plans[k] = p
	}
	// The fewest groups: merge neighbours while their plan needs no split.
	for k := 0; k+1 < len(groups); {
		g := group{groups[k].from, groups[k+1].to}
		p, err := sub(parent(g.from), rg.Commits[g.to].SHA)
		if err != nil {
			return nil, err
		}
		if p.Verdict.Level() >= planner.SplitRequired.Level() {
			k++
			continue
		}
		groups = slices.Replace(groups, k, k+2, g)
		plans = slices.Replace(plans, k, k+2, p)
	}
	var gs []planner.Group
	for _, p := range plans {
		if len(p.Steps) > 0 {
			gs = append(gs, planner.Group{Plan: p})
		}
	}
	return planner.Stage(head, gs), nil
}
