package gen

import (
	"fmt"
	"math/rand/v2"
)

// baseTime is the date of the base commit: 2025-01-06T09:00:00Z.
const baseTime = 1736154000

// schedule returns the kind of each first-parent commit of a branch of k
// commits. The contracts branch gets about 5% contract changes, at least
// three of them among the last 100 commits. Every branch long enough gets
// at least one merge, rename, added and deleted package; the other slots
// are drawn from mix.
func schedule(rng *rand.Rand, k int, contracts bool) []opKind {
	slots := make([]opKind, k)
	free := make([]bool, k)
	for i := range free {
		free[i] = true
	}
	place := func(lo int, kind opKind) {
		var cands []int
		for i := lo; i < k; i++ {
			if free[i] {
				cands = append(cands, i)
			}
		}
		if len(cands) > 0 {
			i := pick(rng, cands)
			slots[i], free[i] = kind, false
		}
	}
	if contracts {
		n := max(3, (k*5+50)/100)
		for i := range n {
			lo := 0
			if i < 3 {
				lo = max(0, k-100)
			}
			place(lo, opContract)
		}
	}
	for _, kind := range []opKind{opMerge, opRename, opAddPkg, opDeletePkg} {
		place(0, kind)
	}
	for i := range slots {
		if free[i] {
			slots[i] = draw(rng, true)
		}
	}
	return slots
}

// A branch writes one branch's history after base.
type branch struct {
	m    *model
	rng  *rand.Rand
	s    *stream
	ref  string
	t    tree
	tip  int   // mark of the first-parent tip
	when int64 // date of the last commit
	prev struct {
		parent int
		units  []unit
		merge  bool
	}
	changes int // contract changes made, to rotate their kinds
}

// sig returns the next commit's author and a date 5 minutes to 2 hours
// after the last.
func (b *branch) sig() sig {
	b.when += int64(300 + b.rng.IntN(7200))
	return sig{who: pick(b.rng, authors), when: b.when}
}

// run writes one first-parent commit per slot and returns the tip.
func (b *branch) run(slots []opKind) int {
	b.changes = b.rng.IntN(numChanges)
	for _, kind := range slots {
		parent := b.tip
		var msg string
		var us []unit
		switch kind {
		case opMerge:
			b.merge()
			b.prev.parent, b.prev.units, b.prev.merge = parent, nil, true
			continue
		case opContract:
			msg, us = b.m.changeContract(b.rng, b.changes%numChanges)
			b.changes++
		default:
			msg, us = b.m.apply(b.rng, kind, nil)
		}
		b.tip = b.s.commit(b.ref, b.tip, 0, b.sig(), msg, b.t.update(b.m, us))
		b.prev.parent, b.prev.units, b.prev.merge = parent, us, false
	}
	return b.tip
}

// merge writes a side branch of 2-5 ordinary commits and merges it with a
// merge commit. Half the time, when the previous first-parent commit only
// touched libraries, the side branch forks before it, so the merge joins
// two lines that both moved; the side branch then leaves those libraries
// alone, and every commit on either line builds.
func (b *branch) merge() {
	fork, avoid := b.tip, []unit(nil)
	if !b.prev.merge && b.prev.parent > 0 && allLibs(b.prev.units) && b.rng.IntN(2) == 0 {
		fork, avoid = b.prev.parent, b.prev.units
	}
	main := b.t.clone()
	side := fork
	var touched []unit
	topic := fmt.Sprintf("topic/%s-%d", pick(b.rng, nouns), b.s.mark+1)
	for range 2 + b.rng.IntN(4) {
		msg, us := b.m.apply(b.rng, draw(b.rng, false), avoid)
		side = b.s.commit(b.ref, side, 0, b.sig(), msg, b.t.update(b.m, us))
		touched = append(touched, us...)
	}
	msg := fmt.Sprintf("Merge branch '%s'", topic)
	b.tip = b.s.commit(b.ref, b.tip, side, b.sig(), msg, diff(main, b.t, touched))
}

func allLibs(us []unit) bool {
	for _, u := range us {
		if u.kind != unitLib {
			return false
		}
	}
	return len(us) > 0
}

// writeHistory writes the whole repository as a fast-import stream: the
// base commit (tagged base), the plain and contracts branches, and main at
// plain's tip.
func writeHistory(s *stream, cfg Config) {
	m := newModel(cfg)
	t := tree{}
	changes := t.update(m, m.units())
	base := s.commit("refs/heads/plain", 0, 0, sig{authors[0], baseTime}, "Initial import of the monorepo", changes)
	s.reset("refs/tags/base", base)
	var plainTip int
	for i, name := range []string{"plain", "contracts"} {
		rng := rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(i+1)))
		b := &branch{m: newModel(cfg), rng: rng, s: s, ref: "refs/heads/" + name, t: t.clone(), tip: base, when: baseTime}
		tip := b.run(schedule(rng, cfg.Commits, name == "contracts"))
		if name == "plain" {
			plainTip = tip
		}
	}
	s.reset("refs/heads/main", plainTip)
}
