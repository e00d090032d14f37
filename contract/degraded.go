package contract

import (
	"fmt"

	"github.com/deployorder/deployorder/graph"
)

// trustCheckedSide keeps a service's roles from the side where its packages
// type-check when they do not at the other side only. A package that does not
// type-check at one side (base code importing a module the head no longer
// requires, a head that does not compile) gives accesses that are incomplete
// or resolved against the wrong types there, and every difference they make
// would read as the range changing what the service provides or consumes:
// "stops writing" errors and splits that nothing in the code does. Such a
// service's roles at the broken side are taken from the other side, for the
// elements that exist at both; the note names the services, so that a person
// checks them. When both sides are broken alike, the differences are the
// code's and stay.
func (a *analysis) trustCheckedSide() {
	var oneSided [2][]string // per broken side, the services broken there only
	for _, svc := range sortedKeys(keysOf(a.services)) {
		var broken [2]bool
		for _, side := range Sides {
			for _, p := range a.services[svc][side] {
				// An unchanged package is checked with bodies at head only:
				// what it is there, it is taken to be at base.
				if a.broken[side][p] || side == Base && !a.base.Changed[p] && a.broken[Head][p] {
					broken[side] = true
					break
				}
			}
		}
		if broken[Base] != broken[Head] {
			side := Base
			if broken[Head] {
				side = Head
			}
			oneSided[side] = append(oneSided[side], svc)
		}
	}
	for _, bad := range Sides {
		if len(oneSided[bad]) == 0 {
			continue
		}
		good := 1 - bad
		for _, c := range a.res.Contracts {
			for _, e := range c.Elements {
				if !e.Changed || e.Type[Base] == "" || e.Type[Head] == "" {
					continue
				}
				for _, svc := range oneSided[bad] {
					copyRole(&e.Providers, svc, bad, good)
					copyRole(&e.Consumers, svc, bad, good)
				}
				e.Changed = e.Type[Base] != e.Type[Head] || !sameServices(e.Providers) || !sameServices(e.Consumers)
			}
		}
		a.res.Notes = append(a.res.Notes, graph.Warning{Code: "ROLES_FROM_ONE_SIDE",
			Message: fmt.Sprintf("%s type-check%s at %s but not at %s (see the warnings), so for the elements that exist at both sides %s roles at %s are taken from %s: the plan assumes the range changes none of those; check %s by hand",
				joinWords(oneSided[bad]), verbS(len(oneSided[bad])), good, bad, possessive(len(oneSided[bad])), bad, good, pronoun(len(oneSided[bad])))})
	}
}

// copyRole makes svc play the role at side to as it does at side from.
func copyRole(r *[2]Roles, svc string, to, from Side) {
	if places, ok := r[from][svc]; ok {
		if r[to] == nil {
			r[to] = Roles{}
		}
		r[to][svc] = places
	} else {
		delete(r[to], svc)
	}
}

func joinWords(names []string) string { return graph.JoinNames(names) }

func verbS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

func possessive(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
