package gen

import (
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
)

// An opKind is one kind of first-parent commit.
type opKind int

const (
	opLibEdit     opKind = iota // edit function bodies in 1-3 libraries
	opServiceEdit               // edit a service's work function or version
	opDeploy                    // edit a service's Dockerfile or config.yaml
	opDocs                      // edit docs/ or README.md
	opMerge                     // merge a side branch of 2-5 commits
	opRename                    // rename a file within a library
	opAddPkg                    // add a library and import it from a service
	opDeletePkg                 // delete a library and its imports
	opContract                  // change a contract, its writers and readers
)

// mix is the weight of each kind of ordinary commit.
var mix = []struct {
	kind   opKind
	weight int
}{
	{opLibEdit, 46}, {opServiceEdit, 12}, {opDeploy, 10}, {opDocs, 8},
	{opMerge, 8}, {opRename, 6}, {opAddPkg, 5}, {opDeletePkg, 5},
}

// draw picks an ordinary kind by weight; side branches never merge.
func draw(rng *rand.Rand, merges bool) opKind {
	total := 0
	for _, e := range mix {
		if merges || e.kind != opMerge {
			total += e.weight
		}
	}
	x := rng.IntN(total)
	for _, e := range mix {
		if !merges && e.kind == opMerge {
			continue
		}
		if x < e.weight {
			return e.kind
		}
		x -= e.weight
	}
	panic("unreachable")
}

// apply makes one ordinary change to the model, touching no unit in avoid,
// and returns the commit message and the units it touched. A change that
// is not possible becomes a library edit.
func (m *model) apply(rng *rand.Rand, kind opKind, avoid []unit) (string, []unit) {
	ok := func(u unit) bool {
		for _, a := range avoid {
			if a == u {
				return false
			}
		}
		return u.kind != unitLib || !m.libs[u.id].gone
	}
	svc := func() int {
		for {
			if i := rng.IntN(len(m.svcs)); ok(unit{unitService, i}) {
				return i
			}
		}
	}
	libUnit := func() unit {
		for {
			if u := (unit{unitLib, rng.IntN(len(m.libs))}); ok(u) {
				return u
			}
		}
	}
	switch kind {
	case opServiceEdit:
		i := svc()
		s := m.svcs[i]
		if rng.IntN(5) < 3 {
			s.variant++
			return fmt.Sprintf("%s: retune the work loop", s.dir), []unit{{unitService, i}}
		}
		s.version++
		return fmt.Sprintf("%s: release 1.%d.0", s.dir, s.version), []unit{{unitService, i}}
	case opDeploy:
		i := svc()
		s := m.svcs[i]
		if rng.IntN(2) == 0 {
			s.docker++
			return fmt.Sprintf("%s: Dockerfile: adjust runtime settings", s.dir), []unit{{unitService, i}}
		}
		s.config++
		return fmt.Sprintf("%s: config: tune replicas and timeouts", s.dir), []unit{{unitService, i}}
	case opDocs:
		if rng.IntN(5) == 0 {
			m.readme++
			return "README: add a note", []unit{{unitRoot, 0}}
		}
		d := pick(rng, m.docs)
		d.variant++
		return fmt.Sprintf("docs: update %s", d.name), []unit{{unitDocs, 0}}
	case opRename:
		u := libUnit()
		l := m.libs[u.id]
		f := pick(rng, l.files)
		used := map[string]bool{l.name: true}
		for _, g := range l.files {
			used[strings.TrimSuffix(g.name, ".go")] = true
		}
		name := pick(rng, nouns)
		for _, c := range shuffled(rng, nouns) {
			if !used[c] {
				name = c
				break
			}
		}
		name = unique(name, func(s string) bool { return used[s] }) + ".go"
		old := f.name
		f.name = name
		return fmt.Sprintf("%s: rename %s to %s", l.dir, old, name), []unit{u}
	case opAddPkg:
		return m.addLib(rng, svc())
	case opDeletePkg:
		if msg, us := m.deleteLib(rng, ok); msg != "" {
			return msg, us
		}
	}
	n := 1
	if x := rng.IntN(10); x >= 7 {
		n = 2 + b2i(x == 9)
	}
	var us []unit
	var names []string
	for len(us) < n {
		u := libUnit()
		if contains(unitIDs(us), u.id) {
			continue
		}
		l := m.libs[u.id]
		f := pick(rng, l.files)
		d := pick(rng, f.decls)
		d.variant++
		name := d.name
		if d.kind == declType {
			name = d.name + "." + d.method
		}
		us = append(us, u)
		names = append(names, path.Base(l.dir)+"."+name)
	}
	if n == 1 {
		return fmt.Sprintf("%s: tune %s", m.libs[us[0].id].dir, strings.SplitN(names[0], ".", 2)[1]), us
	}
	return fmt.Sprintf("lib: tune %s", strings.Join(names, ", ")), us
}

func unitIDs(us []unit) []int {
	var out []int
	for _, u := range us {
		out = append(out, u.id)
	}
	return out
}

// addLib adds a leaf library, importing at most one core library, and
// makes service i import it.
func (m *model) addLib(rng *rand.Rand, i int) (string, []unit) {
	name := m.pkgNames.take(libCandidates(rng))
	l := &lib{dir: path.Join("lib", pick(rng, areas), name), name: name, layer: -1}
	var core []int
	for j, c := range m.libs {
		if c.layer == 0 && !c.gone {
			core = append(core, j)
		}
	}
	if len(core) > 0 && rng.IntN(2) == 0 {
		l.deps = []int{pick(rng, core)}
	}
	l.files = newFiles(rng, name, l.deps)
	m.libs = append(m.libs, l)
	s := m.svcs[i]
	s.libs = append(s.libs, len(m.libs)-1)
	return fmt.Sprintf("%s: new package, used by %s", l.dir, s.dir), []unit{{unitLib, len(m.libs) - 1}, {unitService, i}}
}

// deleteLib deletes a library that no library imports, with its imports
// in the services that use it; it returns "" when none can go.
func (m *model) deleteLib(rng *rand.Rand, ok func(unit) bool) (string, []unit) {
	importedByLib := map[int]bool{}
	for _, l := range m.libs {
		if !l.gone {
			for _, d := range l.deps {
				importedByLib[d] = true
			}
		}
	}
	var cands []int
	for i, l := range m.libs {
		if l.gone || importedByLib[i] || !ok(unit{unitLib, i}) {
			continue
		}
		users := 0
		fine := true
		for j, s := range m.svcs {
			if contains(s.libs, i) {
				users++
				fine = fine && ok(unit{unitService, j}) && len(m.liveLibs(s.libs)) > 1
			}
		}
		if fine && users > 0 {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return "", nil
	}
	i := pick(rng, cands)
	l := m.libs[i]
	l.gone = true
	us := []unit{{unitLib, i}}
	var dirs []string
	for j, s := range m.svcs {
		if contains(s.libs, i) {
			s.libs = remove(s.libs, i)
			us = append(us, unit{unitService, j})
			dirs = append(dirs, s.dir)
		}
	}
	verb := "stops"
	if len(dirs) > 1 {
		verb = "stop"
	}
	return fmt.Sprintf("%s: delete the package; %s %s importing it", l.dir, strings.Join(dirs, ", "), verb), us
}
