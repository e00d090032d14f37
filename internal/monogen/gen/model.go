package gen

import (
	"math"
	"math/rand/v2"
	"path"
	"sort"
)

// module is the generated repository's module path.
const module = "example.com/mono"

// A model is the monorepo at one commit of one branch: every file is
// rendered from it. Entities are never removed from the slices (a deleted
// library is marked gone), so an index names an entity for a whole branch.
type model struct {
	libs   []*lib
	apis   []*contract
	svcs   []*service
	docs   []*docFile
	readme int // variant of README.md

	pkgNames *namer // library and contract package names, one namespace
	svcNames *namer // service directory names
}

// A lib is a library package under lib/. Its deps are in lower layers, so
// the import graph has no cycles.
type lib struct {
	dir, name string
	layer     int
	deps      []int // lib indices, each called from exactly one declCalls
	files     []*goFile
	gone      bool
}

// entry is the function other packages call: the first plain function.
func (l *lib) entry() string {
	for _, f := range l.files {
		for _, d := range f.decls {
			if d.kind == declFunc {
				return d.name
			}
		}
	}
	panic("lib " + l.dir + " has no function")
}

// A goFile is one .go file of a library.
type goFile struct {
	name  string
	decls []*decl
}

type declKind int

const (
	declFunc  declKind = iota // func Name(n int) int from a template
	declCalls                 // func Name(n int) int that calls deps' entries
	declType                  // a struct type, its constructor and one method
)

// A decl is one top-level declaration. Editing it bumps variant, which
// changes constants (and sometimes a statement) in its body only.
type decl struct {
	kind    declKind
	name    string
	method  string // declType: the method's name
	tmpl    int    // declFunc: which template
	variant int
	k       [4]int
	word    string
	calls   []int // declCalls: lib indices
}

// A contract is a package under api/ whose struct types services exchange
// as JSON.
type contract struct {
	dir, name string
	types     []*msgType
}

type kind int

const (
	kString kind = iota
	kInt
	kFloat
	kBool
)

// goType is the field's Go type.
func (k kind) goType() string {
	return [...]string{"string", "int", "float64", "bool"}[k]
}

// A field is a scalar field of a message type.
type field struct {
	goName, tag string
	kind        kind
}

// A msgType is a top-level message of a contract. Its first field is ID.
// items adds Items []<Name>Item; meta adds Meta <Name>Meta.
type msgType struct {
	name        string
	fields      []*field
	items, meta bool
	writers     []writer
	readers     []*reader
}

// A writer builds the message with a keyed literal and encodes it, with a
// json.Encoder (stream) or json.Marshal.
type writer struct {
	svc    int
	stream bool
}

// A reader decodes the message, with a json.Decoder (stream) or
// json.Unmarshal, and reads some of its fields.
type reader struct {
	svc         int
	stream      bool
	reads       []*field
	items, meta bool
}

// A service is a main package under services/ with a Dockerfile and a
// config.yaml in its directory.
type service struct {
	dir, name        string
	libs             []int
	k                [3]int
	variant, version int
	docker, config   int
}

// A docFile is a page under docs/.
type docFile struct {
	name    string
	variant int
}

var fieldPool = []field{
	{"Name", "name", kString}, {"Status", "status", kString}, {"Region", "region", kString},
	{"Currency", "currency", kString}, {"Owner", "owner", kString}, {"Channel", "channel", kString},
	{"Tier", "tier", kString}, {"CreatedAt", "created_at", kString}, {"Total", "total", kInt},
	{"Count", "count", kInt}, {"Priority", "priority", kInt}, {"Attempts", "attempts", kInt},
	{"Version", "version", kInt}, {"Quantity", "quantity", kInt}, {"Weight", "weight", kFloat},
	{"Score", "score", kFloat}, {"Ratio", "ratio", kFloat}, {"Enabled", "enabled", kBool},
	{"Urgent", "urgent", kBool}, {"Archived", "archived", kBool},
}

// newModel builds the base revision. It depends only on cfg, so both
// branches start from identical models.
func newModel(cfg Config) *model {
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6d6f6e6f))
	m := &model{pkgNames: newNamer(), svcNames: newNamer()}
	m.pkgNames.reserve(areas...)
	m.pkgNames.reserve("core")
	for _, d := range docs {
		m.docs = append(m.docs, &docFile{name: d})
	}
	for range cfg.Services {
		name := m.svcNames.take(serviceCandidates(rng))
		m.svcs = append(m.svcs, &service{dir: "services/" + name, name: name, k: consts3(rng)})
	}
	for i := range cfg.Contracts {
		m.apis = append(m.apis, newContract(rng, m, i))
	}
	m.buildLibs(rng, cfg.Packages-cfg.Services-cfg.Contracts)
	m.assignRoles(rng)
	return m
}

func consts3(rng *rand.Rand) [3]int {
	return [3]int{3 + rng.IntN(40), 50 + rng.IntN(900), 2 + rng.IntN(9)}
}

// layerSizes splits n libraries into layers: a small core, three middle
// layers, and a top layer that services import directly.
func layerSizes(n, services int) []int {
	core := max(2, n/50)
	top := min(max(1, n/3), services*3)
	mid := n - core - top
	sizes := []int{core}
	for i := range 3 {
		if s := mid/3 + b2i(i < mid%3); s > 0 {
			sizes = append(sizes, s)
		}
	}
	return append(sizes, top)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// buildLibs creates n libraries in layers. Imports go only to lower
// layers: mostly to a few popular packages (a log-uniform draw over the
// lower indices, so lib 0 is the most imported), sometimes to the layer
// just below. Every library below the top layer gets at least one importer,
// and the top layer is spread over the services.
func (m *model) buildLibs(rng *rand.Rand, n int) {
	sizes := layerSizes(n, len(m.svcs))
	start := make([]int, len(sizes)+1)
	for i, s := range sizes {
		start[i+1] = start[i] + s
	}
	for layer, size := range sizes {
		for range size {
			area := "core"
			if layer > 0 {
				area = pick(rng, areas)
			}
			name := m.pkgNames.take(libCandidates(rng))
			l := &lib{dir: path.Join("lib", area, name), name: name, layer: layer}
			if layer > 0 {
				lower := start[layer]
				for range 1 + rng.IntN(4) {
					var d int
					if rng.IntN(10) < 6 {
						d = int(math.Exp(rng.Float64()*math.Log(float64(lower+1)))) - 1
						d = min(max(d, 0), lower-1)
					} else {
						d = start[layer-1] + rng.IntN(sizes[layer-1])
					}
					if !contains(l.deps, d) {
						l.deps = append(l.deps, d)
					}
				}
			}
			m.libs = append(m.libs, l)
		}
	}
	imported := make([]bool, n)
	for _, l := range m.libs {
		for _, d := range l.deps {
			imported[d] = true
		}
	}
	top := len(sizes) - 1
	for i, l := range m.libs {
		if imported[i] || l.layer == top {
			continue
		}
		up := l.layer + 1
		j := start[up] + rng.IntN(sizes[up])
		m.libs[j].deps = append(m.libs[j].deps, i)
	}
	for _, l := range m.libs {
		sort.Ints(l.deps)
		l.files = newFiles(rng, l.name, l.deps)
	}
	tops := shuffled(rng, seq(start[top], start[top+1]))
	for i, t := range tops {
		s := m.svcs[i%len(m.svcs)]
		s.libs = append(s.libs, t)
	}
	for _, s := range m.svcs {
		for range 1 + rng.IntN(2) {
			if d := rng.IntN(start[top]); !contains(s.libs, d) {
				s.libs = append(s.libs, d)
			}
		}
		sort.Ints(s.libs)
	}
}

// newFiles lays out a library's declarations over 1-4 files; the first
// file holds the entry function, each dep is called from one file.
func newFiles(rng *rand.Rand, pkg string, deps []int) []*goFile {
	names := newNamer()
	names.reserve(pkg)
	files := []*goFile{{name: pkg + ".go"}}
	for range rng.IntN(4) {
		files = append(files, &goFile{name: names.take([]string{pick(rng, nouns)}) + ".go"})
	}
	decls := newNamer()
	for i, f := range files {
		for j := range 1 + rng.IntN(2) {
			if i > 0 && j == 0 && rng.IntN(2) == 0 {
				t := decls.take([]string{pascal(pick(rng, nouns))})
				decls.reserve("New" + t)
				f.decls = append(f.decls, &decl{kind: declType, name: t, method: pick(rng, methods), k: consts4(rng), word: pick(rng, nouns)})
				continue
			}
			name := decls.take([]string{pick(rng, verbs) + pascal(pick(rng, nouns))})
			f.decls = append(f.decls, &decl{kind: declFunc, name: name, tmpl: rng.IntN(numTemplates), k: consts4(rng), word: pick(rng, nouns)})
		}
	}
	byFile := map[int][]int{}
	for _, d := range deps {
		i := rng.IntN(len(files))
		byFile[i] = append(byFile[i], d)
	}
	for i, f := range files {
		if calls := byFile[i]; len(calls) > 0 {
			name := decls.take([]string{pick(rng, verbs) + pascal(pick(rng, nouns))})
			f.decls = append(f.decls, &decl{kind: declCalls, name: name, k: consts4(rng), calls: calls})
		}
	}
	return files
}

func consts4(rng *rand.Rand) [4]int {
	return [4]int{2 + rng.IntN(9), 3 + rng.IntN(40), 10 + rng.IntN(90), 100 + rng.IntN(900)}
}

func seq(lo, hi int) []int {
	out := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
