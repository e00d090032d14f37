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

// diff builds the contracts, maps every service's accesses to wire keys at
// each side, and keeps the keys whose definition, writers or readers
// changed.
func (a *analysis) diff(st [2]*sideState) []*Contract {
	states := map[string]*contractState{}
	byType := [2]map[string][]*contractState{{}, {}}
	for _, side := range Sides {
		s := st[side]
		for _, t := range sortedKeys(keysOf(s.layouts)) {
			l := s.layouts[t]
			id, name := t, shortName(t)
			if b, ok := a.bound[t]; ok {
				id, name = b, b
			}
			c := states[id]
			if c == nil {
				c = newContractState(id, name)
				c.bound = id != t
				states[id] = c
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
			byType[side][t] = append(byType[side][t], c)
		}
	}
	a.pairReplacedTypes(states, byType)

	// Index: the first field of a key's path -> (contract, key, path), per
	// side. An access matches a key when its path is a prefix of the
	// key's: reading an embedded struct reads the keys promoted from it.
	var byRef [2]map[access.FieldRef][]slot
	for _, side := range Sides {
		byRef[side] = map[access.FieldRef][]slot{}
		for _, c := range states {
			for key, f := range c.fields[side] {
				for _, refs := range f.Paths {
					byRef[side][refs[0]] = append(byRef[side][refs[0]], slot{c, key, refs})
				}
			}
		}
	}
	// every key a whole-value access reaches: the type's contracts' keys,
	// and those of the contract types nested in them (reflection sees them).
	var reach func(side Side, t string, seen map[string]bool, visit func(*contractState, string))
	reach = func(side Side, t string, seen map[string]bool, visit func(*contractState, string)) {
		if seen[t] {
			return
		}
		seen[t] = true
		for _, c := range byType[side][t] {
			for key, f := range c.fields[side] {
				visit(c, key)
				for _, n := range f.Nested {
					reach(side, n, seen, visit)
				}
			}
		}
	}
	add := func(m map[string]map[string][]Place, key, svc string, acc Place) {
		if m[key] == nil {
			m[key] = map[string][]Place{}
		}
		m[key][svc] = append(m[key][svc], acc)
	}
	// The contracts whose types each package declares, per side: a service
	// that includes the package uses them.
	var byPkg [2]map[string][]*contractState
	for _, side := range Sides {
		byPkg[side] = map[string][]*contractState{}
		for t, cs := range byType[side] {
			pkg := t[:strings.LastIndex(t, ".")]
			byPkg[side][pkg] = append(byPkg[side][pkg], cs...)
		}
	}
	for _, svc := range sortedKeys(keysOf(a.services)) {
		for _, side := range Sides {
			pkgs := a.services[svc][side]
			// Only the functions the service can run count; when the graph
			// is incomplete (type errors), every function does.
			runs, ok := st[side].calls.Reachable(a.mains[svc], pkgs)
			for _, p := range pkgs {
				for _, c := range byPkg[side][p] {
					c.importers[side][svc] = true
				}
				for _, acc := range st[side].facts[p] {
					if ok && !runs[acc.Func] {
						continue
					}
					pub := Place{Pos: Pos{File: acc.File, Line: acc.Line}, Func: acc.Func, Via: acc.Via}
					record := func(c *contractState, key string) {
						if acc.Write {
							add(c.writers[side], key, svc, pub)
						}
						if acc.Read {
							p := pub
							p.Guards = guardKeys(byRef[side], c, acc.Guards)
							add(c.readers[side], key, svc, p)
						}
					}
					if acc.Whole != "" {
						reach(side, acc.Whole, map[string]bool{}, record)
						continue
					}
					for _, sl := range byRef[side][acc.Path[0]] {
						if hasPrefix(sl.refs, acc.Path) {
							record(sl.c, sl.key)
						}
					}
				}
			}
		}
	}
	var out []*Contract
	for _, id := range sortedKeys(keysOf(states)) {
		c := states[id]
		con := &Contract{ID: c.id, Name: c.name, Kind: c.kind, Types: sortedKeys(c.types), Custom: c.custom, Bound: c.bound}
		for _, side := range Sides {
			con.Importers[side] = sortedKeys(c.importers[side])
		}
		for t := range c.types {
			con.GoOnlyChange = con.GoOnlyChange || a.declChanged[t]
		}
		keys := map[string]bool{}
		for _, side := range Sides {
			for k := range c.fields[side] {
				keys[k] = true
			}
		}
		changed := false
		ordered := sortedKeys(keys)
		sort.SliceStable(ordered, func(i, j int) bool { return keyLess(ordered[i], ordered[j]) })
		for _, k := range ordered {
			key := &Element{Key: k}
			for _, side := range Sides {
				if f := c.fields[side][k]; f != nil {
					key.Type[side], key.Decl[side] = f.Type, Pos{File: f.File, Line: f.Line}
					key.Name = f.Name
					key.Nested = mergeSorted(key.Nested, f.Nested)
				}
				key.Providers[side] = nonNilRoles(c.writers[side][k])
				key.Consumers[side] = nonNilRoles(c.readers[side][k])
			}
			if b, h := c.fields[Base][k], c.fields[Head][k]; b != nil && h != nil && b.Name != h.Name {
				key.RenamedFrom = b.Name
			}
			if key.Type[Base] != "" && key.Type[Head] != "" && key.Type[Base] != key.Type[Head] {
				// An incompatible wire type change: the old key goes and a new
				// one comes, on both sides at once.
				old, cur := *key, *key
				old.Type[Head], old.Providers[Head], old.Consumers[Head] = "", Roles{}, Roles{}
				cur.Type[Base], cur.Providers[Base], cur.Consumers[Base] = "", Roles{}, Roles{}
				old.Changed, cur.Changed = true, true
				con.Elements = append(con.Elements, &old, &cur)
				con.GoOnlyChange = false
				changed = true
				continue
			}
			if key.Type[Base] != key.Type[Head] {
				con.GoOnlyChange = false
			}
			key.Changed = key.Type[Base] != key.Type[Head] || !sameServices(key.Providers) || !sameServices(key.Consumers)
			changed = changed || key.Changed
			con.Elements = append(con.Elements, key)
		}
		if changed || con.GoOnlyChange {
			out = append(out, con)
		}
	}
	// People read Type.key; the package joins the name only when two
	// contracts share a type name.
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
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
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
