package planner

import (
	"slices"

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
			out = append(out, Contract{Name: ec.c.Name, Kind: ec.c.Kind, Types: nonNil(ec.c.Types), Changes: []Change{}})
		}
		e := ec.e
		b, h := contract.Base, contract.Head
		c := Change{Key: e.Key,
			Providers: Sides{Base: nonNil(sortedSet(e.Providers[b])), Head: nonNil(sortedSet(e.Providers[h]))},
			Consumers: Sides{Base: nonNil(sortedSet(e.Consumers[b])), Head: nonNil(sortedSet(e.Consumers[h]))}}
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

func sameServices(sides [2]contract.Roles) bool {
	return len(minus(sides[0], sides[1])) == 0 && len(minus(sides[1], sides[0])) == 0
}
