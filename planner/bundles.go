package planner

import (
	"fmt"
	"maps"
	"slices"
)

// Bundle is a service whose binary links the code of several others (an
// all-in-one build, as open-match's minimatch is of its backend, frontend
// and query), given to Build by the caller, which knows the packages.
type Bundle struct {
	Service string
	Parts   []string // the services it bundles, sorted
	Glob    string   // the exclude entry that leaves it out, e.g. "cmd/minimatch/**"
}

// bundleFinding says, when a plan orders or splits a bundle against the
// services it bundles, what the plan is without the bundle: it writes and
// reads what each of them does, so the model orders it against them as if
// both ran at once, which a team deploys one or the other for. Nothing is
// excluded: the finding says what an exclude would change.
func bundleFinding(in Input, p *Plan) (Finding, bool) {
	if len(in.Bundles) == 0 || p.Verdict != Ordered && p.Verdict != SplitRequired && p.Verdict != Blocked {
		return Finding{}, false
	}
	involved := map[string]bool{} // services the plan orders or splits
	for _, e := range p.Edges {
		involved[e.From], involved[e.To] = true, true
	}
	for _, sp := range p.Splits {
		for _, part := range sp.Parts {
			involved[part.Service] = true
		}
	}
	for _, b := range in.Bundles {
		if !involved[b.Service] || !slices.ContainsFunc(b.Parts, func(s string) bool { return involved[s] }) {
			continue
		}
		without := withoutServices(in, map[string]bool{b.Service: true})
		without.Bundles, without.Proposed = nil, nil
		q, err := Build(without)
		if err != nil || q.Verdict == p.Verdict {
			continue
		}
		return Finding{Severity: Info, Code: "BUNDLED_SERVICES",
			Message: fmt.Sprintf("%s links the code of %s (every package of theirs but their mains), so it writes and reads what they do, and this plan orders it against them as if both ran at once. If %s is an all-in-one build deployed instead of them, not beside them, exclude it in deployorder.yaml (exclude: [\"%s\"]): without it the plan would be: %s",
				b.Service, joinNames(b.Parts), b.Service, b.Glob, q.Summary)}, true
	}
	return Finding{}, false
}

// FindBundles returns the services that bundle two or more others: each
// service whose packages (its main left out) are all among a bundle's,
// one of them linked by no third service. closures maps each service to
// its repository packages, its main left out; the bundles' Glob is for
// the caller to fill.
func FindBundles(closures map[string]map[string]bool) []Bundle {
	holders := map[string]int{} // package -> how many services link it
	for _, c := range closures {
		for p := range c {
			holders[p]++
		}
	}
	var out []Bundle
	for _, a := range slices.Sorted(maps.Keys(closures)) {
		var parts []string
		for _, b := range slices.Sorted(maps.Keys(closures)) {
			cb := closures[b]
			if a == b || len(cb) == 0 {
				continue
			}
			inside, own := true, false
			for p := range cb {
				if !closures[a][p] {
					inside = false
					break
				}
				own = own || holders[p] == 2 // b's own code, which only a links besides
			}
			if inside && own {
				parts = append(parts, b)
			}
		}
		if len(parts) >= 2 {
			out = append(out, Bundle{Service: a, Parts: parts})
		}
	}
	return out
}
