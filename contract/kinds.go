package contract

import (
	"slices"
	"strings"
)

// The kinds of contract that are not the fields of a struct type (RPC
// methods, HTTP routes, enum values, variables and flags of launched
// programs) are found by extractors. An extractor reads the type-checked
// packages of one side and returns the contracts it defines there and the
// facts: places where a package's code provides or consumes an element.
// Facts become roles per service exactly as field accesses do: only the
// functions a service can run count.

// definition is a contract of a non-field kind as one side defines it.
type definition struct {
	id, name string
	kind     Kind
	elements map[string]elementDef // key -> definition
}

// elementDef is how one side defines an element.
type elementDef struct {
	typ     string   // what it is ("unary", "route"); "" is not allowed: the element exists
	name    string   // for people, when the key is not enough (an enum value's constant)
	decl    Pos      // where it is defined
	carries []string // RPC: the message types (importpath.Type) that travel in the method
}

// fact is one place where a package's code provides or consumes an element.
type fact struct {
	contract string // definition ID
	key      string
	provide  bool // else it consumes
	place    Place
}

// kindSide is what the extractors found at one side.
type kindSide struct {
	defs  map[string]*definition // by ID
	facts map[string][]fact      // package -> its facts
}

func newKindSide() *kindSide {
	return &kindSide{defs: map[string]*definition{}, facts: map[string][]fact{}}
}

// define records a contract's element at this side.
func (ks *kindSide) define(id, name string, kind Kind, key string, d elementDef) {
	def := ks.defs[id]
	if def == nil {
		def = &definition{id: id, name: name, kind: kind, elements: map[string]elementDef{}}
		ks.defs[id] = def
	}
	if _, ok := def.elements[key]; !ok {
		def.elements[key] = d
	}
}

// kindContracts turns both sides' definitions and facts into contracts,
// keeping those with a changed element.
func (a *analysis) kindContracts(st [2]*sideState, ks [2]*kindSide) []*Contract {
	type roles struct{ providers, consumers [2]map[string]Roles } // key -> roles
	byID := map[string]*Contract{}
	rolesOf := map[string]*roles{}
	contractOf := func(def *definition) (*Contract, *roles) {
		if c := byID[def.id]; c != nil {
			return c, rolesOf[def.id]
		}
		c := &Contract{ID: def.id, Name: def.name, Kind: def.kind}
		r := &roles{}
		for _, side := range Sides {
			r.providers[side], r.consumers[side] = map[string]Roles{}, map[string]Roles{}
		}
		byID[def.id], rolesOf[def.id] = c, r
		return c, r
	}
	for _, side := range Sides {
		for _, id := range sortedKeys(keysOf(ks[side].defs)) {
			contractOf(ks[side].defs[id])
		}
	}
	for _, svc := range sortedKeys(keysOf(a.services)) {
		for _, side := range Sides {
			pkgs := a.services[svc][side]
			runs, ok := st[side].calls.Reachable(a.mains[svc], pkgs)
			for _, p := range pkgs {
				for _, f := range ks[side].facts[p] {
					if ok && !runs[f.place.Func] {
						continue
					}
					def := ks[side].defs[f.contract]
					if def == nil {
						def = ks[1-side].defs[f.contract]
					}
					if def == nil {
						continue
					}
					_, r := contractOf(def)
					m := r.consumers[side]
					if f.provide {
						m = r.providers[side]
					}
					if m[f.key] == nil {
						m[f.key] = Roles{}
					}
					m[f.key][svc] = append(m[f.key][svc], f.place)
				}
			}
		}
	}
	var out []*Contract
	for _, id := range sortedKeys(keysOf(byID)) {
		c, r := byID[id], rolesOf[id]
		keys := map[string]bool{}
		for _, side := range Sides {
			if def := ks[side].defs[id]; def != nil {
				for k := range def.elements {
					keys[k] = true
				}
			}
			for k := range r.providers[side] {
				keys[k] = true
			}
			for k := range r.consumers[side] {
				keys[k] = true
			}
		}
		changed := false
		for _, k := range sortedKeys(keys) {
			e := &Element{Key: k}
			for _, side := range Sides {
				if def := ks[side].defs[id]; def != nil {
					if d, ok := def.elements[k]; ok {
						e.Type[side], e.Decl[side] = d.typ, d.decl
						e.Carries = mergeSorted(e.Carries, d.carries)
						if d.name != "" {
							e.Name = d.name
						}
					}
				}
				e.Providers[side] = nonNilRoles(r.providers[side][k])
				e.Consumers[side] = nonNilRoles(r.consumers[side][k])
			}
			e.Changed = e.Type[Base] != e.Type[Head] || !sameServices(e.Providers) || !sameServices(e.Consumers)
			changed = changed || e.Changed
			c.Elements = append(c.Elements, e)
		}
		if changed {
			for _, side := range Sides {
				c.Importers[side] = importersOf(c, side)
			}
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y *Contract) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// importersOf are the services that provide or consume an element of c at
// a side.
func importersOf(c *Contract, side Side) []string {
	set := map[string]bool{}
	for _, e := range c.Elements {
		for s := range e.Providers[side] {
			set[s] = true
		}
		for s := range e.Consumers[side] {
			set[s] = true
		}
	}
	return sortedKeys(set)
}
