package planner

import (
	"sort"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/contract"
)

// partFiles names the files and hunks that carry one part of a service's
// change: for the expand part, the new writes (and new field declarations)
// at head; for the contract part, the old writes (and removed declarations)
// at base; for the switch part, the reads that start and stop.
func partFiles(ch *checker, hunks map[string][]change.Hunk, svc string, part Part) []SplitFile {
	type place struct {
		pos  contract.Pos
		side int
	}
	var places []place
	add := func(as []contract.Access, side int) {
		for _, a := range as {
			places = append(places, place{a.Pos, side})
		}
	}
	for _, kc := range ch.keys {
		b, h := contract.Base, contract.Head
		_, wb := kc.writers[b][svc]
		_, wh := kc.writers[h][svc]
		_, rb := kc.readers[b][svc]
		_, rh := kc.readers[h][svc]
		switch part {
		case ExpandPart, Whole:
			if wh && !wb {
				add(kc.writers[h][svc], h)
				if !kc.k.Exists(b) {
					places = append(places, place{kc.k.Decl[h], h})
				}
			}
		}
		switch part {
		case ContractPart, Whole:
			if wb && !wh {
				add(kc.writers[b][svc], b)
				if !kc.k.Exists(h) {
					places = append(places, place{kc.k.Decl[b], b})
				}
			}
		}
		switch part {
		case SwitchPart, Whole:
			if rh && !rb {
				add(kc.readers[h][svc], h)
			}
			if rb && !rh {
				add(kc.readers[b][svc], b)
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
			if pl.side == contract.Head && hk.ContainsNew(pl.pos.Line) || pl.side == contract.Base && hk.ContainsOld(pl.pos.Line) {
				byFile[pl.pos.File][hk.String()] = true
			}
		}
	}
	// A file the range does not change has no hunk to move: the part ships
	// it as it is (a reader whose key changed under it), so it is not
	// listed.
	out := []SplitFile{}
	for _, f := range sortedSet(byFile) {
		hs := []string{}
		for h := range byFile[f] {
			hs = append(hs, h)
		}
		if len(hs) == 0 {
			continue
		}
		sort.Strings(hs)
		out = append(out, SplitFile{Path: f, Hunks: hs})
	}
	return out
}

func sortedSet[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
