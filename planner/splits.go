package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/contract"
)

// splits names the commits that change a service which must deploy in
// several parts, and what each step's part of the commit must contain.
func splits(sc schedule, in Input, ch *checker) []Split {
	nodes := map[string][]node{}
	for n := range sc.waveOf {
		nodes[n.service] = append(nodes[n.service], n)
	}
	var out []Split
	for _, c := range in.Range.Commits {
		touched := in.Impact.Commits[c.SHA]
		multi := false
		for _, s := range touched {
			multi = multi || len(nodes[s]) > 1
		}
		if !multi {
			continue
		}
		sp := Split{Commit: c.SHA}
		steps := map[int]bool{}
		var providers []string
		for _, s := range touched {
			if !sc.split[s] {
				continue
			}
			if len(nodes[s]) > 1 {
				providers = append(providers, s)
			}
			for _, n := range nodes[s] {
				step := sc.waveOf[n] + 1
				steps[step] = true
				part := SplitPart{Step: step, Service: s, Keep: keepNote(sc, n), Files: partFiles(ch, in.Range.Hunks, s, n.part)}
				sp.Parts = append(sp.Parts, part)
			}
		}
		for st := range steps {
			sp.Steps = append(sp.Steps, st)
		}
		slices.Sort(sp.Steps)
		slices.SortFunc(sp.Parts, func(a, b SplitPart) int {
			return cmp.Or(cmp.Compare(a.Step, b.Step), cmp.Compare(a.Service, b.Service))
		})
		slices.Sort(providers)
		sp.Reason = fmt.Sprintf("this commit cannot ship in one deploy: %s must run an intermediate version, so split it into steps %s",
			joinNames(providers), joinInts(sp.Steps))
		out = append(out, sp)
	}
	return out
}

// keepNote says what a split part must keep or do, from the constraints
// that end at the service's later parts.
func keepNote(sc schedule, n node) string {
	var keys, started []string
	contractStep := 0
	seen := map[string]bool{}
	nested := map[string]bool{}
	var verbs contract.Verbs
	for _, c := range sc.edges {
		nested[c.Key] = c.Nested
		if n.part == ExpandPart && c.From == n.service && c.FromPart == ExpandPart && !seen["+"+c.Key] {
			seen["+"+c.Key] = true
			started = append(started, c.Key)
			verbs = verbsOf(c.Kind, c.Request)
		}
		switch {
		case n.part == ExpandPart && c.To == n.service && c.ToPart == ContractPart:
			if t, ok := sc.nodeOf(c.To, ContractPart); ok {
				contractStep = sc.waveOf[t] + 1
			}
		case n.part == ContractPart && c.To == n.service && c.ToPart == ContractPart:
		case n.part == SwitchPart && c.To == n.service && c.ToPart == SwitchPart:
		default:
			continue
		}
		verbs = verbsOf(c.Kind, c.Request)
		if !seen[c.Key] {
			seen[c.Key] = true
			keys = append(keys, "`"+c.Key+"`")
		}
	}
	byNesting := func(ks []string) {
		slices.Sort(ks)
		slices.SortStableFunc(ks, func(a, b string) int {
			return compareNested(nested[strings.Trim(a, "`")], nested[strings.Trim(b, "`")])
		})
	}
	byNesting(keys)
	byNesting(started)
	if len(started) > 3 {
		started = append(started[:2:2], fmt.Sprintf("%d more", len(started)-2))
	}
	if n.part == ExpandPart && len(keys) == 0 && len(started) > 0 {
		return fmt.Sprintf("%s %s first, in a deploy of its own", verbs.Provide, joinNames(started))
	}
	if len(keys) == 0 {
		return ""
	}
	switch n.part {
	case ExpandPart:
		return fmt.Sprintf("%s %s and keep %s %s until step %d", verbs.Provide, joinNames(started), gerund(verbs.Provide), joinNames(keys), contractStep)
	case ContractPart:
		return fmt.Sprintf("stop %s %s, now that no %s needs it", gerund(verbs.Provide), joinNames(keys), verbs.Consumer)
	case SwitchPart:
		return fmt.Sprintf("%s %s, which earlier steps %s", verbs.Consume, joinNames(keys), verbs.Provide)
	}
	return ""
}

// partFiles names the files and hunks that carry one part of a service's
// change: for the expand part, the new provisions (and new definitions)
// at head; for the contract part, the old provisions (and removed
// definitions) at base; for the switch part, the consumptions that start
// and stop.
func partFiles(ch *checker, hunks map[string][]change.Hunk, svc string, part Part) []SplitFile {
	type place struct {
		pos  contract.Pos
		side contract.Side
	}
	var places []place
	add := func(ps []contract.Place, side contract.Side) {
		for _, p := range ps {
			places = append(places, place{p.Pos, side})
		}
	}
	b, h := contract.Base, contract.Head
	for _, ec := range ch.elements {
		pb, ph := ec.providers(b).Has(svc), ec.providers(h).Has(svc)
		cb, chd := ec.consumers(b).Has(svc), ec.consumers(h).Has(svc)
		if (part == ExpandPart || part == Whole) && ph && !pb {
			add(ec.providers(h)[svc], h)
			if !ec.e.Exists(b) {
				places = append(places, place{ec.e.Decl[h], h})
			}
		}
		if (part == ContractPart || part == Whole) && pb && !ph {
			add(ec.providers(b)[svc], b)
			if !ec.e.Exists(h) {
				places = append(places, place{ec.e.Decl[b], b})
			}
		}
		if part == SwitchPart || part == Whole {
			if chd && !cb {
				add(ec.consumers(h)[svc], h)
			}
			if cb && !chd {
				add(ec.consumers(b)[svc], b)
			}
		}
	}
	byFile := map[string]map[string]bool{}
	for _, pl := range places {
		if pl.pos.File == "" {
			continue
		}
		if byFile[pl.pos.File] == nil {
			byFile[pl.pos.File] = map[string]bool{}
		}
		for _, hk := range hunks[pl.pos.File] {
			if pl.side == h && hk.ContainsNew(pl.pos.Line) || pl.side == b && hk.ContainsOld(pl.pos.Line) {
				byFile[pl.pos.File][hk.String()] = true
			}
		}
	}
	// A file the range does not change has no hunk to move: the part ships
	// it as it is (a consumer whose element changed under it), so it is not
	// listed.
	out := []SplitFile{}
	for _, f := range sortedSet(byFile) {
		if len(byFile[f]) == 0 {
			continue
		}
		out = append(out, SplitFile{Path: f, Hunks: sortedSet(byFile[f])})
	}
	return out
}
