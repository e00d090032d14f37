package planner

import (
	"fmt"
	"maps"
	"slices"

	"github.com/deployorder/deployorder/contract"
	"github.com/deployorder/deployorder/graph"
)

// Proposed is a service that `deployorder init` would propose to exclude
// (its main is under a directory named like test, example or tool
// programs), given to Build when the repository has no config.
type Proposed struct {
	Service string
	Glob    string // the exclude entry init proposes, e.g. "hack/**"
	Why     string // what its programs look like, e.g. "tools"
}

// toolFinding says, when a plan orders or splits services that init would
// propose to exclude and the repository has no config, what the plan is
// without them: test and tool programs link the services' packages and so
// write and read what they do, but nobody deploys them. Nothing is
// excluded: the finding says what a config would change.
func toolFinding(in Input, p *Plan) (Finding, bool) {
	if len(in.Proposed) == 0 || p.Verdict != Ordered && p.Verdict != SplitRequired && p.Verdict != Blocked {
		return Finding{}, false
	}
	deploys := map[string]bool{}
	for _, s := range p.Services {
		if s.Affected {
			deploys[s.Name] = true
		}
	}
	drop := map[string]bool{}
	var globs []string
	for _, t := range in.Proposed {
		if deploys[t.Service] {
			drop[t.Service] = true
			if !slices.Contains(globs, t.Glob) {
				globs = append(globs, t.Glob)
			}
		}
	}
	if len(drop) == 0 {
		return Finding{}, false
	}
	without := withoutServices(in, drop)
	without.Proposed, without.Bundles = nil, nil
	q, err := Build(without)
	if err != nil || q.Verdict == p.Verdict {
		return Finding{}, false
	}
	slices.Sort(globs)
	names := slices.Sorted(maps.Keys(drop))
	var who string
	switch {
	case len(names) == 1:
		who = names[0] + " looks"
	case len(names) <= 4:
		who = joinNames(names) + " look"
	default:
		// Many (dapr's 40 test apps): name the ones the order involves.
		ordered := map[string]bool{}
		for _, e := range p.Edges {
			for _, s := range []string{e.From, e.To} {
				if drop[s] {
					ordered[s] = true
				}
			}
		}
		for _, sp := range p.Splits {
			for _, part := range sp.Parts {
				if drop[part.Service] {
					ordered[part.Service] = true
				}
			}
		}
		who = fmt.Sprintf("%d of the services this plan deploys look", len(names))
		if len(ordered) > 0 {
			who = fmt.Sprintf("%d of the services this plan deploys (%s among them, which it orders) look", len(names), joinNames(slices.Sorted(maps.Keys(ordered))))
		}
	}
	return Finding{Severity: Warning, Code: "TOOL_PROGRAMS",
		Message: fmt.Sprintf("there is no deployorder.yaml, and %s like test or tool programs, which nobody deploys; they link the services' packages, so they write and read what the services do. Without them the plan would be: %s. `deployorder init` writes a config that excludes %s: review it and commit it",
			who, q.Summary, joinNames(globs)),
	}, true
}

// withoutServices is the input with some services left out: of the
// impact, the commits and every role of every contract element.
func withoutServices(in Input, drop map[string]bool) Input {
	out := in
	im := *in.Impact
	im.Services = slices.DeleteFunc(slices.Clone(im.Services), func(si *graph.ServiceImpact) bool { return drop[si.Service.Name] })
	im.Commits = map[string][]string{}
	for sha, svcs := range in.Impact.Commits {
		im.Commits[sha] = slices.DeleteFunc(slices.Clone(svcs), func(s string) bool { return drop[s] })
	}
	out.Impact = &im
	if in.Contracts == nil {
		return out
	}
	res := *in.Contracts
	res.Contracts = nil
	for _, c := range in.Contracts.Contracts {
		cc := *c
		cc.Elements = nil
		for _, e := range c.Elements {
			ee := *e
			for _, side := range contract.Sides {
				ee.Providers[side] = withoutRoles(e.Providers[side], drop)
				ee.Consumers[side] = withoutRoles(e.Consumers[side], drop)
			}
			cc.Elements = append(cc.Elements, &ee)
		}
		for _, side := range contract.Sides {
			cc.Importers[side] = slices.DeleteFunc(slices.Clone(c.Importers[side]), func(s string) bool { return drop[s] })
		}
		res.Contracts = append(res.Contracts, &cc)
	}
	out.Contracts = &res
	return out
}

func withoutRoles(r contract.Roles, drop map[string]bool) contract.Roles {
	if r == nil {
		return nil
	}
	out := contract.Roles{}
	for svc, places := range r {
		if !drop[svc] {
			out[svc] = places
		}
	}
	return out
}
