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
	typ      string   // what it is ("unary", "route"); "" is not allowed: the element exists
	name     string   // for people, when the key is not enough (an enum value's constant)
	decl     Pos      // where it is defined
	carries  []string // RPC: the message types (importpath.Type) that travel in the method
	requests []string // RPC: those of them that travel in its request
}

// fact is one place where a package's code provides or consumes an element.
type fact struct {
	contract string // definition ID; a process kind's "kind:" is the contract of the service that runs the code
	key      string
	provide  bool // else it consumes
	place    Place
	launcher string // when set, only this service plays the role (a launch the config declares)
}

// kindSide is what the extractors found at one side.
type kindSide struct {
	defs  map[string]*definition // by ID
	facts map[string][]fact      // package -> its facts
	// launches are, per package, the launch sites matched to a program:
	// facts whose contract is the program's service name.
	launches map[string][]fact
	// services are every RPC service the side's checked packages declare,
	// those the range may change (the definitions above) and the others.
	services []*rpcService
	// bodies are the ways the bodies of HTTP requests and responses carry
	// each type, as the side's checked packages decode and encode them.
	bodies map[string]direction
}

func newKindSide() *kindSide {
	return &kindSide{defs: map[string]*definition{}, facts: map[string][]fact{}, launches: map[string][]fact{}, bodies: map[string]direction{}}
}

// kindRoles are a contract's providers and consumers per side, by key.
type kindRoles struct{ providers, consumers [2]map[string]Roles }

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
	type roles = kindRoles
	byID := map[string]*Contract{}
	rolesOf := map[string]*roles{}
	var launched [2]map[string]map[string]Pos // side -> program -> its launchers, with where they launch it
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
	for _, side := range Sides {
		launched[side] = map[string]map[string]Pos{}
	}
	for _, svc := range sortedKeys(keysOf(a.services)) {
		for _, side := range Sides {
			pkgs := a.services[svc][side]
			runs, ok := st[side].calls.Reachable(a.mains[svc], pkgs)
			for _, p := range pkgs {
				for _, l := range ks[side].launches[p] {
					if (!ok || runs.Has(l.place.Func, l.place.File, l.place.Line)) && (l.launcher == "" || l.launcher == svc) {
						if launched[side][l.contract] == nil {
							launched[side][l.contract] = map[string]Pos{}
						}
						if _, ok := launched[side][l.contract][svc]; !ok {
							launched[side][l.contract][svc] = l.place.Pos
						}
					}
				}
				for _, f := range ks[side].facts[p] {
					if ok && !runs.Has(f.place.Func, f.place.File, f.place.Line) || f.launcher != "" && f.launcher != svc {
						continue
					}
					id := f.contract
					if strings.HasSuffix(id, ":") {
						id += svc // a fact about the program that runs it
					}
					def := ks[side].defs[id]
					if def == nil {
						def = ks[1-side].defs[id]
					}
					if def == nil {
						def = processDefinition(id)
						if def == nil {
							continue
						}
						ks[side].defs[id] = def
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
	a.processRoles(byID, rolesOf, launched)
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
			if c.Kind.IsProcess() {
				processElement(c.Kind, e)
			}
			e.Changed = e.Type[Base] != e.Type[Head] || !sameServices(e.Providers) || !sameServices(e.Consumers)
			changed = changed || e.Changed
			c.Elements = append(c.Elements, e)
		}
		if changed {
			for _, side := range Sides {
				c.Importers[side] = importersOf(c, side)
			}
			if c.Kind.IsProcess() {
				c.Outside.Providers, c.Outside.Consumers = a.cfg.ExternalParties(c.Name, c.ID)
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
