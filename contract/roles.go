package contract

import (
	"cmp"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/deployorder/deployorder/contract/access"
)

// slot is a key of a contract reached through a path of Go fields.
type slot struct {
	c    *contractState
	key  string
	refs []access.FieldRef
}

// contractState gathers one contract's layouts and roles while diffing.
type contractState struct {
	id, name  string
	bound     bool
	kind      Kind
	types     map[string]bool
	fields    [2]map[string]*WireField // wire key -> field, per side
	custom    bool
	importers [2]map[string]bool
	writers   [2]map[string]map[string][]Place // wire key -> service -> accesses
	readers   [2]map[string]map[string][]Place
}

func newContractState(id, name string) *contractState {
	c := &contractState{id: id, name: name, types: map[string]bool{}}
	for _, side := range Sides {
		c.fields[side] = map[string]*WireField{}
		c.importers[side] = map[string]bool{}
		c.writers[side] = map[string]map[string][]Place{}
		c.readers[side] = map[string]map[string][]Place{}
	}
	return c
}

// shortName is pkg.Type for an importpath.Type.
func shortName(t string) string {
	i := strings.LastIndex(t, ".")
	return path.Base(t[:i]) + t[i:]
}

// fingerprint is a layout's wire shape, to pair a type that was renamed or
// moved with its identical replacement.
func (c *contractState) fingerprint(side Side) string {
	var parts []string
	for k, f := range c.fields[side] {
		parts = append(parts, k+":"+f.Type)
	}
	sort.Strings(parts)
	return string(c.kind) + "|" + strings.Join(parts, ",")
}

// differ builds the contracts of both sides and maps every service's
// accesses to their keys.
type differ struct {
	a      *analysis
	st     [2]*sideState
	states map[string]*contractState // by contract ID
	byType [2]map[string][]*contractState
	// byRef indexes, per side, the first field of a key's path: an access
	// matches a key when its path is a prefix of the key's (reading an
	// embedded struct reads the keys promoted from it).
	byRef [2]map[access.FieldRef][]slot
	// byPkg are the contracts whose types each package declares: a service
	// that includes the package uses them.
	byPkg [2]map[string][]*contractState
}

// diff builds the contracts, maps every service's accesses to wire keys at
// each side, and keeps the contracts whose keys' definition, writers or
// readers changed (or whose Go declaration changed alone).
func (a *analysis) diff(st [2]*sideState) []*Contract {
	d := &differ{a: a, st: st, states: map[string]*contractState{}}
	d.layouts()
	a.pairReplacedTypes(d.states, d.byType)
	d.index()
	for _, svc := range sortedKeys(keysOf(a.services)) {
		for _, side := range Sides {
			d.record(svc, side)
		}
	}
	var out []*Contract
	for _, id := range sortedKeys(keysOf(d.states)) {
		if c := d.contract(d.states[id]); c != nil {
			out = append(out, c)
		}
	}
	nameContracts(out)
	return out
}

// layouts gathers each side's layouts into contract states, binding the
// types the config binds.
func (d *differ) layouts() {
	for _, side := range Sides {
		d.byType[side] = map[string][]*contractState{}
		s := d.st[side]
		for _, t := range sortedKeys(keysOf(s.layouts)) {
			l := s.layouts[t]
			id, name := t, shortName(t)
			if b, ok := d.a.bound[t]; ok {
				id, name = b, b
			}
			c := d.states[id]
			if c == nil {
				c = newContractState(id, name)
				c.bound = id != t
				d.states[id] = c
			}
			c.kind, c.custom = l.Kind, c.custom || l.Custom
			c.types[t] = true
			for i := range l.Fields {
				f := l.Fields[i]
				if old := c.fields[side][f.Key]; old != nil {
					old.Paths = append(old.Paths, f.Refs)
					old.Nested = append(old.Nested, f.Nested...)
					continue
				}
				f.Paths = [][]access.FieldRef{f.Refs}
				c.fields[side][f.Key] = &f
			}
			d.byType[side][t] = append(d.byType[side][t], c)
		}
	}
}

// index fills byRef and byPkg.
func (d *differ) index() {
	for _, side := range Sides {
		d.byRef[side] = map[access.FieldRef][]slot{}
		for _, c := range d.states {
			for key, f := range c.fields[side] {
				for _, refs := range f.Paths {
					d.byRef[side][refs[0]] = append(d.byRef[side][refs[0]], slot{c, key, refs})
				}
			}
		}
		d.byPkg[side] = map[string][]*contractState{}
		for t, cs := range d.byType[side] {
			pkg := t[:strings.LastIndex(t, ".")]
			d.byPkg[side][pkg] = append(d.byPkg[side][pkg], cs...)
		}
	}
}

// record maps one service's accesses at one side to the keys they touch.
// Only the functions the service can run count; when its call graph is
// incomplete (type errors), every function does.
func (d *differ) record(svc string, side Side) {
	pkgs := d.a.services[svc][side]
	runs, ok := d.st[side].calls.Reachable(d.a.mains[svc], pkgs)
	reached, _ := d.st[side].calls.ReachedTypes(d.a.mains[svc], pkgs)
	for _, p := range pkgs {
		for _, c := range d.byPkg[side][p] {
			c.importers[side][svc] = true
		}
		for _, acc := range d.st[side].facts[p] {
			if ok && (!runs.Has(acc.Func, acc.File, acc.Line) || acc.Needs != "" && !reached[acc.Needs]) {
				continue
			}
			place := Place{Pos: Pos{File: acc.File, Line: acc.Line}, Func: acc.Func, Via: acc.Via, Unproven: !ok}
			touch := func(c *contractState, key string) {
				if acc.Write {
					addPlace(c.writers[side], key, svc, place)
				}
				if acc.Read {
					read := place
					read.Guards = guardKeys(d.byRef[side], c, acc.Guards)
					read.Optional = acc.Optional
					addPlace(c.readers[side], key, svc, read)
				}
			}
			if acc.Whole != "" {
				d.reach(side, acc.Whole, map[string]bool{}, touch)
				continue
			}
			if len(acc.MapKeys) > 0 {
				if c := d.mapContract(side, acc.MapKeys); c != nil {
					for _, k := range acc.MapKeys {
						touch(c, k)
					}
				}
				continue
			}
			if len(acc.Path) == 0 {
				continue
			}
			for _, sl := range d.byRef[side][acc.Path[0]] {
				if hasPrefix(sl.refs, acc.Path) {
					touch(sl.c, sl.key)
				}
			}
		}
	}
}

// reach visits every key a whole-value access reaches: the type's
// contracts' keys, and those of the contract types nested in them
// (reflection sees them).
func (d *differ) reach(side Side, t string, seen map[string]bool, visit func(*contractState, string)) {
	if seen[t] {
		return
	}
	seen[t] = true
	for _, c := range d.byType[side][t] {
		for key, f := range c.fields[side] {
			visit(c, key)
			for _, n := range f.Nested {
				d.reach(side, n, seen, visit)
			}
		}
	}
}

// mapContract is the one JSON contract that has every key of an encoded
// map at a side; nil when none or several do (then the map's keys cannot be
// told apart from another payload's, and nothing is guessed).
func (d *differ) mapContract(side Side, keys []string) *contractState {
	var found *contractState
	for _, id := range sortedKeys(keysOf(d.states)) {
		c := d.states[id]
		if c.kind != JSON {
			continue
		}
		all := true
		for _, k := range keys {
			if c.fields[side][k] == nil {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		if found != nil {
			return nil
		}
		found = c
	}
	return found
}

func addPlace(m map[string]map[string][]Place, key, svc string, p Place) {
	if m[key] == nil {
		m[key] = map[string][]Place{}
	}
	m[key][svc] = append(m[key][svc], p)
}

// contract turns a contract state into its elements; nil when neither its
// keys nor its Go declaration changed.
func (d *differ) contract(c *contractState) *Contract {
	con := &Contract{ID: c.id, Name: c.name, Kind: c.kind, Types: sortedKeys(c.types), Custom: c.custom, Bound: c.bound}
	names := append([]string{c.name}, con.Types...)
	for _, t := range con.Types {
		names = append(names, t[strings.LastIndex(t, ".")+1:]) // the type's name alone, as plans show it
	}
	con.Outside.Providers, con.Outside.Consumers = d.a.cfg.ExternalParties(names...)
	for _, side := range Sides {
		con.Importers[side] = sortedKeys(c.importers[side])
	}
	for t := range c.types {
		con.GoOnlyChange = con.GoOnlyChange || d.a.declChanged[t]
	}
	keys := map[string]bool{}
	for _, side := range Sides {
		for k := range c.fields[side] {
			keys[k] = true
		}
	}
	ordered := sortedKeys(keys)
	slices.SortStableFunc(ordered, keyCompare)
	changed := false
	for _, k := range ordered {
		e := c.element(k)
		if e.Type[Base] != "" && e.Type[Head] != "" && e.Type[Base] != e.Type[Head] {
			// An incompatible wire type change: the old key goes and a new
			// one comes, on both sides at once.
			// Each is named by its own side's field: a protobuf number
			// that another field takes is two fields.
			old, cur := *e, *e
			old.Type[Head], old.Providers[Head], old.Consumers[Head] = "", Roles{}, Roles{}
			cur.Type[Base], cur.Providers[Base], cur.Consumers[Base] = "", Roles{}, Roles{}
			old.Decl[Head], cur.Decl[Base] = Pos{}, Pos{}
			if e.RenamedFrom != "" {
				old.Name, old.RenamedFrom, cur.RenamedFrom = e.RenamedFrom, "", ""
			}
			old.Changed, cur.Changed = true, true
			con.Elements = append(con.Elements, &old, &cur)
			con.GoOnlyChange = false
			changed = true
			continue
		}
		if e.Type[Base] != e.Type[Head] {
			con.GoOnlyChange = false
		}
		e.Changed = e.Type[Base] != e.Type[Head] || !sameServices(e.Providers) || !sameServices(e.Consumers)
		changed = changed || e.Changed
		con.Elements = append(con.Elements, e)
	}
	if !changed && !con.GoOnlyChange {
		return nil
	}
	return con
}

// element is one key of a contract state with its roles at both sides.
func (c *contractState) element(k string) *Element {
	e := &Element{Key: k}
	for _, side := range Sides {
		if f := c.fields[side][k]; f != nil {
			e.Type[side], e.Decl[side] = f.Type, Pos{File: f.File, Line: f.Line}
			e.Name = f.Name
			e.Nested = mergeSorted(e.Nested, f.Nested)
		}
		e.Providers[side] = nonNilRoles(c.writers[side][k])
		e.Consumers[side] = nonNilRoles(c.readers[side][k])
	}
	if b, h := c.fields[Base][k], c.fields[Head][k]; b != nil && h != nil && b.Name != h.Name {
		e.RenamedFrom = b.Name
	}
	return e
}

// nameContracts names each contract for people: Type.key, with the package
// (pkg.Type) only when two contracts share a type name; sorted by name.
func nameContracts(out []*Contract) {
	count := map[string]int{}
	typeName := func(c *Contract) string { return c.ID[strings.LastIndex(c.ID, ".")+1:] }
	for _, c := range out {
		if !c.Bound {
			count[typeName(c)]++
		}
	}
	for _, c := range out {
		if !c.Bound && count[typeName(c)] == 1 {
			c.Name = typeName(c)
		}
	}
	slices.SortFunc(out, func(a, b *Contract) int { return strings.Compare(a.Name, b.Name) })
}

// guardKeys returns the keys of contract c that the fields of guards carry.
func guardKeys(byRef map[access.FieldRef][]slot, c *contractState, guards [][]access.FieldRef) []string {
	var out []string
	for _, g := range guards {
		for _, sl := range byRef[g[0]] {
			if sl.c == c && hasPrefix(sl.refs, g) && !slices.Contains(out, sl.key) {
				out = append(out, sl.key)
			}
		}
	}
	slices.Sort(out)
	return out
}

func mergeSorted(a, b []string) []string {
	set := map[string]bool{}
	for _, x := range append(append([]string{}, a...), b...) {
		set[x] = true
	}
	return sortedKeys(set)
}

// pairReplacedTypes merges a contract type that exists only at base with
// one that exists only at head when their wire layouts are identical: a
// type renamed or moved is the same contract on the wire.
func (a *analysis) pairReplacedTypes(states map[string]*contractState, byType [2]map[string][]*contractState) {
	var gone, fresh []*contractState
	for _, c := range states {
		switch {
		case len(c.fields[Base]) > 0 && len(c.fields[Head]) == 0 && a.bound[c.id] == "":
			gone = append(gone, c)
		case len(c.fields[Head]) > 0 && len(c.fields[Base]) == 0 && a.bound[c.id] == "":
			fresh = append(fresh, c)
		}
	}
	sort.Slice(gone, func(i, j int) bool { return gone[i].id < gone[j].id })
	sort.Slice(fresh, func(i, j int) bool { return fresh[i].id < fresh[j].id })
	for _, g := range gone {
		for i, f := range fresh {
			if f == nil || g.fingerprint(Base) != f.fingerprint(Head) {
				continue
			}
			g.fields[Head] = f.fields[Head]
			for t := range f.types {
				g.types[t] = true
				for j, c := range byType[Head][t] {
					if c == f {
						byType[Head][t][j] = g
					}
				}
			}
			delete(states, g.id)
			g.id, g.name = f.id, f.name
			states[g.id] = g
			fresh[i] = nil
			break
		}
	}
}

func nonNilRoles(m map[string][]Place) Roles {
	if m == nil {
		return Roles{}
	}
	for svc, as := range m {
		slices.SortStableFunc(as, func(a, b Place) int {
			return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
		})
		m[svc] = dedupePlaces(as)
	}
	return m
}

func dedupePlaces(as []Place) []Place {
	return slices.CompactFunc(as, func(a, b Place) bool {
		return a.Pos == b.Pos && a.Func == b.Func && a.Via == b.Via && a.Optional == b.Optional && slices.Equal(a.Guards, b.Guards)
	})
}

func sameServices(sides [2]Roles) bool {
	if len(sides[Base]) != len(sides[Head]) {
		return false
	}
	for s := range sides[Base] {
		if _, ok := sides[Head][s]; !ok {
			return false
		}
	}
	return true
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// hasPrefix reports whether path starts with prefix.
func hasPrefix(path, prefix []access.FieldRef) bool {
	if len(prefix) > len(path) {
		return false
	}
	for i := range prefix {
		if path[i] != prefix[i] {
			return false
		}
	}
	return true
}
