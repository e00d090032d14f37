package planner

import (
	"cmp"
	"slices"
	"strings"

	"github.com/deployorder/deployorder/contract"
)

// planContracts turns the changed elements into the plan's form.
func planContracts(ch *checker) []Contract {
	var out []Contract
	byName := map[string]int{}
	for _, ec := range ch.elements {
		i, ok := byName[ec.c.Name]
		if !ok {
			i = len(out)
			byName[ec.c.Name] = i
			out = append(out, Contract{Name: ec.c.Name, Kind: ec.c.Kind, Types: nonNil(ec.c.Types), Request: ec.c.Request, Changes: []Change{}})
		}
		e := ec.e
		b, h := contract.Base, contract.Head
		c := Change{Key: e.Key, Element: ec.name,
			Providers: Sides{Base: nonNil(sortedSet(e.Providers[b])), Head: nonNil(sortedSet(e.Providers[h]))},
			Consumers: Sides{Base: nonNil(sortedSet(e.Consumers[b])), Head: nonNil(sortedSet(e.Consumers[h]))},
			Places:    places(e)}
		field := ec.c.Kind.IsField()
		if field {
			c.Field = e.Key
			c.WireType = &SideTypes{Base: e.Type[b], Head: e.Type[h]}
			c.Writers, c.Readers = &c.Providers, &c.Consumers
		}
		if ec.c.Kind == contract.Protobuf {
			c.Name = e.Name
		}
		switch {
		case !e.Exists(b):
			c.Change, c.Compat = Added, Additive
		case !e.Exists(h):
			c.Change, c.Compat = Removed, Breaking
		case len(minus(e.Providers[b], e.Providers[h])) > 0:
			c.Change, c.Compat = ProvidersChanged, Breaking
		case !sameServices(e.Providers):
			c.Change, c.Compat = ProvidersChanged, Additive
		default:
			c.Change, c.Compat = ConsumersChanged, Additive
		}
		if field {
			switch c.Change {
			case ProvidersChanged:
				c.Change = WritersChanged
			case ConsumersChanged:
				c.Change = ReadersChanged
			}
		}
		if ec.request() && e.Exists(b) && e.Exists(h) {
			// A request's key breaks when its readers stop reading it.
			c.Compat = Additive
			if len(minus(ec.providers(b), ec.providers(h))) > 0 {
				c.Compat = Breaking
			}
		}
		if ec.rules[WireKeyChanged] {
			c.Compat = Breaking
		}
		for r := range ec.rules {
			c.Rules = append(c.Rules, r)
		}
		slices.Sort(c.Rules)
		c.Rules = nonNil(c.Rules)
		out[i].Changes = append(out[i].Changes, c)
	}
	return out
}

// places lists where each service provides and consumes an element, at
// each side: base first, then by service, role (providers first) and file
// order, at most MaxPlaces of each service, role and side.
func places(e *contract.Element) []Place {
	var out []Place
	for _, side := range contract.Sides {
		for _, role := range []struct {
			name  string
			roles contract.Roles
		}{{"provides", e.Providers[side]}, {"consumes", e.Consumers[side]}} {
			for _, svc := range sortedSet(role.roles) {
				ps := slices.DeleteFunc(slices.Clone(role.roles[svc]), func(p contract.Place) bool { return p.File == "" })
				slices.SortFunc(ps, func(x, y contract.Place) int {
					return cmp.Or(strings.Compare(x.File, y.File), cmp.Compare(x.Line, y.Line))
				})
				ps = slices.CompactFunc(ps, func(x, y contract.Place) bool { return x.Pos == y.Pos })
				for i, pl := range ps {
					if i == MaxPlaces {
						break
					}
					out = append(out, Place{Side: side.String(), Service: svc, Role: role.name, File: pl.File, Line: pl.Line,
						Func: pl.Func, Via: pl.Via, Optional: pl.Optional, Unproven: pl.Unproven, Required: pl.Required})
				}
			}
		}
	}
	return out
}

func sameServices(sides [2]contract.Roles) bool {
	return len(minus(sides[0], sides[1])) == 0 && len(minus(sides[1], sides[0])) == 0
}
