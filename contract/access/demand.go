package access

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
)

// Root is a package that a universe checks whole: a target (with bodies)
// or a package whose declarations the analysis reads (a contract type's).
type Root struct {
	U    *Universe
	Path string
}

// Prepare parses, before any type-checking, the roots and the part of their
// dependencies that they can reach, and keeps that syntax for Get: of a
// dependency, only the declarations that the code importing it names
// (pkg.Name), and what those declarations name in turn (the types of a
// function's signature, a type's fields and all its methods, a
// variable's type and initialiser, a constant group), are kept; a
// dependency nothing names is not parsed at all. Type-checking then does
// a fraction of the work, and keeps a fraction of the memory, that
// checking every declaration of every dependency would.
//
// Packages are processed top down (every importer before the packages it
// imports, along the universes' Meta imports), in parallel. A package that
// is named later than its import graph said (Meta was wrong) is processed
// again with the union of what is needed. Then the packages are
// type-checked bottom up, in parallel: each as soon as what it imports is
// checked. Get checks what is left (a package whose imports were not all
// checked first, an import cycle) one at a time, and falls back to parsing
// a package whole when Prepare did not see it.
//
// With an export cache (Universe.Exports), the stable packages that the
// others import are read from it instead, and nothing below them is
// parsed, when it has all of them; else they are checked from source and
// saved (see ExportCache).
func Prepare(roots []Root) {
	p := newPreparer(roots)
	read := p.exports(true)
	p.run()
	if !read() {
		// An entry of the export cache did not read (it is removed):
		// start over, checking everything from source.
		for _, n := range p.nodes {
			if n.ready {
				n.u.mu.Lock()
				delete(n.u.prepared, n.ip)
				n.u.mu.Unlock()
			}
		}
		p = newPreparer(roots)
		p.exports(false)
		p.run()
	}
	p.check()
}

// newPreparer makes the import graph of what the roots reach, with each
// node's number of importers.
func newPreparer(roots []Root) *preparer {
	p := &preparer{nodes: map[nodeKey]*node{}}
	var stack []*node
	for _, r := range roots {
		n := p.node(r.U, r.Path)
		if n == nil {
			continue
		}
		n.all = true
		stack = append(stack, n)
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.walked {
			continue
		}
		n.walked = true
		_, imports := n.u.meta(n.ip)
		for _, imp := range imports {
			m := p.node(n.u, imp)
			if m == nil || n.edges[imp] != nil {
				continue
			}
			n.edges[imp] = m
			m.indeg++
			stack = append(stack, m)
		}
	}
	return p
}

type nodeKey struct {
	u  *Universe
	ip string
}

// node is one package of one universe in the preparation.
type node struct {
	u      *Universe
	ip     string
	all    bool            // needed whole
	names  map[string]bool // else the package-level names needed
	load   bool            // imported by kept code: read it even if no name is needed
	ready  bool            // Prepare made its syntax ready
	edges  map[string]*node
	indeg  int // importers not processed yet
	walked bool
	state  int  // waiting, queued (or being processed), done
	dirty  bool // more was needed while it was being processed
	once   bool // its importees were released
	cached bool // its types were read from the export cache: not parsed, and nothing below it is needed through it
	save   bool // a stable package the others import, checked with all its exported names to save its types (key)
	key    string
	keyed  int // how many imports its key covers: one more found later (Meta was wrong) leaves it unsaved
}

const (
	waiting = iota
	queued
	done
)

type preparer struct {
	nodes map[nodeKey]*node
}

// node returns the node of a package as imported from u: in the universe
// that checks it (u, or a parent for what u does not check itself).
func (p *preparer) node(u *Universe, ip string) *node {
	if ip == "unsafe" || ip == "C" {
		return nil
	}
	for u.Parent != nil && !u.Local(ip) {
		u = u.Parent
	}
	k := nodeKey{u, ip}
	n := p.nodes[k]
	if n == nil {
		n = &node{u: u, ip: ip, names: map[string]bool{}, edges: map[string]*node{}}
		p.nodes[k] = n
	}
	return n
}

// exports decides how the stable packages that the others import (the
// frontier; see ExportCache) get their types: all read from the cache when
// it has every one of them (and use is true), else all checked from
// source, and those it lacks with every exported name, to save them for
// the next run. The entries are read while the other packages are parsed:
// the function it returns waits for them, and reports false when one did
// not read (nothing was read then).
func (p *preparer) exports(use bool) (read func() bool) {
	read = func() bool { return true }
	var c *ExportCache
	var u *Universe
	for _, n := range p.nodes {
		if n.u.Exports != nil {
			c, u = n.u.Exports, n.u
			break
		}
	}
	if c == nil {
		return read
	}
	keys := map[*node]string{}
	visiting := map[*node]bool{}
	var keyOf func(n *node) string
	keyOf = func(n *node) string {
		if k, ok := keys[n]; ok {
			return k
		}
		if visiting[n] {
			return "" // an import cycle: code that does not compile
		}
		visiting[n] = true
		k := ""
		if src, ok := n.u.source(n.ip); ok && src.Stable && !src.Bodies && n.u == u {
			imports := make([][2]string, 0, len(n.edges))
			for ip, m := range n.edges {
				mk := keyOf(m)
				if mk == "" {
					imports = nil
					break
				}
				imports = append(imports, [2]string{ip, mk})
			}
			if imports != nil {
				k = c.packageKey(n.ip, src.Files, imports)
			}
		}
		delete(visiting, n)
		keys[n] = k
		return k
	}
	frontier := map[*node]bool{}
	for _, n := range p.nodes {
		if keyOf(n) != "" {
			if n.all {
				frontier[n] = true // a root
			}
			continue
		}
		for _, m := range n.edges {
			if keyOf(m) != "" {
				frontier[m] = true
			}
		}
	}
	if len(frontier) == 0 {
		return read
	}
	var missing []*node
	for n := range frontier {
		if !use || !c.has(keys[n]) {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		byPath := map[string]string{}
		srcs := map[string]*Source{}
		for n := range frontier {
			n.cached = true
			byPath[n.ip] = keys[n]
			srcs[n.ip], _ = u.source(n.ip)
		}
		done := make(chan bool, 1)
		go func() {
			pkgs, ok := c.readAll(u.fset, byPath)
			if ok {
				u.mu.Lock()
				for ip, tp := range pkgs {
					u.pkgs[ip] = &Package{Src: srcs[ip], Types: tp}
				}
				u.mu.Unlock()
			}
			done <- ok
		}()
		return func() bool { return <-done }
	}
	// The packages that have an entry are checked as if there were no
	// cache (pruned to what is needed); those without are checked with
	// every exported name (what any importer can name), and saved.
	if !c.writable() {
		return read
	}
	for _, n := range missing {
		n.save, n.key, n.keyed = true, keys[n], len(n.edges)
	}
	return read
}

// job is a node to parse and prune, with what it needs now.
type job struct {
	n     *node
	all   bool
	api   bool // keep every exported name too
	names map[string]bool
}

// result is what processing a node gave: its pruned syntax and what it
// needs of the packages it imports.
type result struct {
	n     *node
	prep  *prepared
	needs map[string]*needSet // resolved import path -> names
}

type needSet struct {
	all   bool
	names map[string]bool
	load  bool // imported, if only for its side effects (import _ "p")
}

// run processes the nodes top down: a coordinator (this goroutine) owns
// the graph; workers parse and prune.
func (p *preparer) run() {
	results := make(chan result)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	inflight := 0
	dispatch := func(n *node) {
		if n.cached || !n.all && !n.save && !n.load && len(n.names) == 0 {
			// Its types are read whole, or nothing names it: no need to
			// read it.
			results2 := result{n: n}
			inflight++
			go func() { results <- results2 }()
			return
		}
		j := job{n: n, all: n.all, api: n.save, names: cloneSet(n.names)}
		inflight++
		go func() {
			sem <- struct{}{}
			r := process(j)
			<-sem
			results <- r
		}()
	}
	need := func(m *node, s *needSet) {
		grew := s.all && !m.all || s.load && !m.load
		if s.all {
			m.all = true
		}
		if s.load {
			m.load = true
		}
		for name := range s.names {
			if !m.names[name] {
				m.names[name] = true
				grew = true
			}
		}
		if !grew {
			return
		}
		switch m.state {
		case queued:
			m.dirty = true
		case done:
			m.state = queued
			dispatch(m)
		}
	}
	for _, n := range p.nodes {
		if n.indeg == 0 {
			n.state = queued
			dispatch(n)
		}
	}
	for {
		for inflight > 0 {
			r := <-results
			inflight--
			n := r.n
			if r.prep != nil {
				n.u.prepare(n.ip, r.prep)
				n.ready = true
			}
			for imp, s := range r.needs {
				m := n.edges[imp]
				if m == nil {
					// An import the graph did not have: add it.
					if m = p.node(n.u, imp); m == nil {
						continue
					}
					n.edges[imp] = m
					if m.state == waiting && !m.walked {
						m.walked = true
						m.state = done // nothing else points to it yet; need below re-queues it
					}
				}
				need(m, s)
			}
			if n.dirty {
				n.dirty = false
				dispatch(n)
				continue
			}
			n.state = done
			if !n.once {
				n.once = true
				for _, m := range n.edges {
					m.indeg--
					if m.indeg <= 0 && m.state == waiting {
						m.state = queued
						dispatch(m)
					}
				}
			}
		}
		// What is left waits on an import cycle (code that does not
		// compile): take it whole.
		var left []*node
		for _, n := range p.nodes {
			if n.state == waiting {
				left = append(left, n)
			}
		}
		if len(left) == 0 {
			return
		}
		for _, n := range left {
			n.all, n.state = true, queued
			dispatch(n)
		}
	}
}

func cloneSet(s map[string]bool) map[string]bool {
	out := make(map[string]bool, len(s))
	for k := range s {
		out[k] = true
	}
	return out
}

// prepared is a package's syntax made ready by Prepare.
type prepared struct {
	files []*ast.File
	errs  []string
}

// process parses a node's package (without bodies unless it is checked
// with bodies) and prunes it to what is needed. Of a dependency pruned to
// some names, a file is parsed only when it declares a name the kept
// declarations need, or a method of a type they need (declIndex says which,
// from its text).
func process(j job) result {
	n := j.n
	src, ok := n.u.source(n.ip)
	if !ok {
		return result{n: n}
	}
	prep := &prepared{}
	fail := func(err error) {
		if err != nil && len(prep.errs) < 3 {
			prep.errs = append(prep.errs, err.Error())
		}
	}
	resolve := func(written string) string {
		if m, ok := src.Imports[written]; ok {
			return m
		}
		return written
	}
	if j.all || src.Bodies {
		var files []*ast.File
		for _, name := range src.Files {
			f, err := n.u.parseFile(name, src.Read, !src.Bodies)
			fail(err)
			if f != nil {
				files = append(files, f)
			}
		}
		pr := newPruner(files, resolve, n.u.nameOf)
		pr.keepAll()
		prep.files = pr.files()
		return result{n: n, prep: prep, needs: pr.needs}
	}
	pr := newPruner(nil, resolve, n.u.nameOf)
	lz := &lazyFiles{declared: map[string][]int{}, methodsOf: map[string][]int{}}
	var unread []int // files declIndex could not read: parsed whatever is needed
	for i, name := range src.Files {
		data, err := src.Read(name)
		if err != nil {
			fail(err)
			continue
		}
		data = stripBodies(data)
		k := len(lz.names)
		lz.names = append(lz.names, name)
		lz.data = append(lz.data, data)
		lz.order = append(lz.order, i)
		names, recvs, ok := declIndex(data)
		if !ok {
			unread = append(unread, k)
			continue
		}
		for _, nm := range names {
			lz.declared[nm] = append(lz.declared[nm], k)
		}
		for _, r := range recvs {
			lz.methodsOf[r] = append(lz.methodsOf[r], k)
		}
	}
	lz.loaded = make([]bool, len(lz.names))
	lz.parse = func(k int) *ast.File {
		f, err := n.u.parseStripped(lz.names[k], lz.data[k])
		fail(err)
		return f
	}
	pr.lazy = lz
	for _, k := range unread {
		pr.load(k)
	}
	for name := range j.names {
		pr.keep(name)
	}
	if j.api {
		// What any importer can name: the package's exported names (and,
		// as always, what they name in turn).
		for name := range lz.declared {
			if token.IsExported(name) {
				pr.keep(name)
			}
		}
		for name := range pr.objs { // of the files declIndex could not read
			if token.IsExported(name) {
				pr.keep(name)
			}
		}
	}
	pr.drain()
	if len(pr.src) == 0 && len(lz.names) > 0 {
		pr.load(0) // nothing is needed, but the package has a name
	}
	prep.files = pr.files()
	return result{n: n, prep: prep, needs: pr.needs}
}

// lazyFiles are a dependency's files, stripped and not parsed yet: the
// pruner parses one when it needs what it declares.
type lazyFiles struct {
	names     []string
	data      [][]byte
	order     []int // each file's index in the package's file list
	loaded    []bool
	declared  map[string][]int // package-level name -> the files that declare it
	methodsOf map[string][]int // receiver type -> the files with methods on it
	parse     func(k int) *ast.File
}

// load parses file k of the lazy files into the pruner, once.
func (pr *pruner) load(k int) {
	lz := pr.lazy
	if lz.loaded[k] {
		return
	}
	lz.loaded[k] = true
	if f := lz.parse(k); f != nil {
		pr.addFile(f, lz.order[k])
	}
	lz.data[k] = nil
}

// isLocal reports whether a name is declared at the package's level.
func (pr *pruner) isLocal(name string) bool {
	if _, ok := pr.objs[name]; ok {
		return true
	}
	return pr.lazy != nil && len(pr.lazy.declared[name]) > 0
}

// parseFile parses one file for Prepare: without comments and bodies for
// a dependency.
func (u *Universe) parseFile(name string, read func(string) ([]byte, error), strip bool) (*ast.File, error) {
	if !strip {
		if f, err, ok := u.Preparsed.take(name); ok {
			return f, err
		}
	}
	data, err := read(name)
	if err != nil {
		return nil, err
	}
	mode := parser.SkipObjectResolution | parser.ParseComments
	if strip {
		data = stripBodies(data)
		mode = parser.SkipObjectResolution
	}
	f, err := parser.ParseFile(u.fset, name, data, mode)
	if f != nil && strip && filepath.IsAbs(name) {
		forgetLines(u.fset, f)
	}
	return f, err
}

// parseStripped parses a dependency's file whose bodies stripBodies
// blanked, as parseFile does.
func (u *Universe) parseStripped(name string, data []byte) (*ast.File, error) {
	f, err := parser.ParseFile(u.fset, name, data, parser.SkipObjectResolution)
	if f != nil && filepath.IsAbs(name) {
		forgetLines(u.fset, f)
	}
	return f, err
}

// forgetLines drops the line table of a file outside the repository (the
// module cache, GOROOT): nothing reports a position in one, and the tables
// of every file of every dependency read are a tenth of the memory of a
// plan. Its positions then all say line 1.
func forgetLines(fset *token.FileSet, f *ast.File) {
	if tf := fset.File(f.FileStart); tf != nil {
		tf.SetLines([]int{0})
	}
}

// pruner keeps the declarations of one package that needed names reach.
type pruner struct {
	src     []*ast.File
	resolve func(written string) string
	nameOf  func(ip string) string

	objs    map[string][]ast.Node // package-level name -> its FuncDecl, TypeSpec, ValueSpec or whole const GenDecl
	methods map[string][]*ast.FuncDecl
	fileOf  map[ast.Node]int
	imports []map[string]string // per file: local name -> resolved import path
	dots    []map[string]bool   // per file: dot-imported paths
	blanks  [][]string          // per file: paths imported for their side effects

	all       bool // every declaration is kept, and every import
	kept      map[ast.Node]bool
	keptNames map[string]bool
	work      []string
	usedImps  []map[string]bool // per file: local import names that kept code uses
	needs     map[string]*needSet
	order     []int      // per file: its index in the package's file list (files are added out of order when lazy)
	lazy      *lazyFiles // files not parsed yet; nil when every file is in src
}

func newPruner(files []*ast.File, resolve func(string) string, nameOf func(string) string) *pruner {
	pr := &pruner{resolve: resolve, nameOf: nameOf,
		objs: map[string][]ast.Node{}, methods: map[string][]*ast.FuncDecl{}, fileOf: map[ast.Node]int{},
		kept: map[ast.Node]bool{}, keptNames: map[string]bool{}, needs: map[string]*needSet{}}
	for i, f := range files {
		pr.addFile(f, i)
	}
	return pr
}

// addFile adds a parsed file (order: its index in the package's file
// list) to what the pruner can keep.
func (pr *pruner) addFile(f *ast.File, order int) {
	i := len(pr.src)
	pr.src = append(pr.src, f)
	pr.order = append(pr.order, order)
	imps, dots := map[string]string{}, map[string]bool{}
	var blanks []string
	for _, spec := range f.Imports {
		written, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		ip := pr.resolve(written)
		switch {
		case spec.Name == nil:
			imps[pr.nameOf(ip)] = ip
		case spec.Name.Name == ".":
			dots[ip] = true
		case spec.Name.Name == "_":
			blanks = append(blanks, ip)
		default:
			imps[spec.Name.Name] = ip
		}
	}
	pr.imports = append(pr.imports, imps)
	pr.dots = append(pr.dots, dots)
	pr.blanks = append(pr.blanks, blanks)
	pr.usedImps = append(pr.usedImps, map[string]bool{})
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			pr.fileOf[d] = i
			if d.Recv == nil {
				pr.objs[d.Name.Name] = append(pr.objs[d.Name.Name], d)
			} else if t := RecvType(d.Recv); t != "" {
				pr.methods[t] = append(pr.methods[t], d)
			}
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			pr.fileOf[d] = i
			for _, s := range d.Specs {
				pr.fileOf[s] = i
				switch s := s.(type) {
				case *ast.TypeSpec:
					pr.objs[s.Name.Name] = append(pr.objs[s.Name.Name], s)
				case *ast.ValueSpec:
					var ref ast.Node = s
					if d.Tok == token.CONST {
						ref = d // iota and implicit repetition: the group stays whole
					}
					for _, id := range s.Names {
						pr.objs[id.Name] = append(pr.objs[id.Name], ref)
					}
				}
			}
		}
	}
	for ip := range dots {
		if s := pr.needs[ip]; s != nil {
			s.all = true
		} else {
			pr.needs[ip] = &needSet{all: true}
		}
	}
}

// RecvType is the name of a method's receiver type.
func RecvType(fl *ast.FieldList) string {
	if len(fl.List) == 0 {
		return ""
	}
	t := fl.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// keep marks a package-level name needed.
func (pr *pruner) keep(name string) {
	if name == "_" || pr.keptNames[name] {
		return
	}
	pr.keptNames[name] = true
	if lz := pr.lazy; lz != nil {
		for _, k := range lz.declared[name] {
			pr.load(k)
		}
		for _, k := range lz.methodsOf[name] {
			pr.load(k)
		}
	}
	pr.work = append(pr.work, name)
}

// drain keeps the declarations of the needed names, and what they name,
// until nothing more is needed.
func (pr *pruner) drain() {
	for len(pr.work) > 0 {
		name := pr.work[len(pr.work)-1]
		pr.work = pr.work[:len(pr.work)-1]
		for _, d := range pr.objs[name] {
			pr.keepNode(d)
			if _, ok := d.(*ast.TypeSpec); ok {
				for _, m := range pr.methods[name] {
					pr.keepNode(m)
				}
			}
		}
	}
}

// keepAll keeps every declaration (a package checked whole).
func (pr *pruner) keepAll() {
	pr.all = true
	for i := range pr.src {
		for _, ip := range pr.imports[i] {
			pr.needOf(ip).load = true
		}
		for _, ip := range pr.blanks[i] {
			pr.needOf(ip).load = true
		}
	}
	for _, f := range pr.src {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
				continue
			}
			pr.keepNode(d)
		}
	}
	pr.drain()
}

// keepNode keeps one declaration and records what it names: names of the
// package, and pkg.Name of imported packages.
func (pr *pruner) keepNode(d ast.Node) {
	if pr.kept[d] {
		return
	}
	pr.kept[d] = true
	fi := pr.fileOf[d]
	imps := pr.imports[fi]
	ast.Inspect(d, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok {
				if ip, ok := imps[id.Name]; ok {
					pr.usedImps[fi][id.Name] = true
					s := pr.needOf(ip)
					s.load = true
					s.names[x.Sel.Name] = true
				}
				if pr.isLocal(id.Name) {
					pr.keep(id.Name)
				}
				return false // x.Sel is a field, method or qualified name
			}
		case *ast.Ident:
			if pr.isLocal(x.Name) {
				pr.keep(x.Name)
			}
		}
		return true
	})
}

// needOf returns what is needed of an import, making it.
func (pr *pruner) needOf(ip string) *needSet {
	s := pr.needs[ip]
	if s == nil {
		s = &needSet{}
		pr.needs[ip] = s
	}
	if s.names == nil {
		s.names = map[string]bool{}
	}
	return s
}

// files returns the package's files with only the kept declarations and
// the imports they use.
func (pr *pruner) files() []*ast.File {
	if pr.all {
		return pr.src
	}
	out := make([]*ast.File, 0, len(pr.src))
	byOrder := make([]int, len(pr.src))
	for i := range byOrder {
		byOrder[i] = i
	}
	slices.SortFunc(byOrder, func(a, b int) int { return pr.order[a] - pr.order[b] })
	for _, i := range byOrder {
		f := pr.src[i]
		nf := *f
		nf.Decls = nil
		nf.Imports = nil
		nf.Comments = nil
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if pr.kept[d] {
					nf.Decls = append(nf.Decls, d)
				}
			case *ast.GenDecl:
				if d.Tok == token.IMPORT {
					nd := *d
					nd.Specs = nil
					for _, s := range d.Specs {
						if pr.importUsed(i, s.(*ast.ImportSpec)) {
							nd.Specs = append(nd.Specs, s)
							nf.Imports = append(nf.Imports, s.(*ast.ImportSpec))
						}
					}
					if len(nd.Specs) > 0 {
						nf.Decls = append(nf.Decls, &nd)
					}
					continue
				}
				if pr.kept[d] {
					nf.Decls = append(nf.Decls, d)
					continue
				}
				nd := *d
				nd.Specs = nil
				for _, s := range d.Specs {
					if pr.kept[s] {
						nd.Specs = append(nd.Specs, s)
					}
				}
				if len(nd.Specs) > 0 {
					nf.Decls = append(nf.Decls, &nd)
				}
			}
		}
		out = append(out, &nf)
	}
	return out
}

// importUsed reports whether kept code uses an import of file i (dot
// imports are kept; blank ones are not needed to type-check).
func (pr *pruner) importUsed(i int, s *ast.ImportSpec) bool {
	if s.Name != nil {
		switch s.Name.Name {
		case ".":
			return true
		case "_":
			return false
		}
		return pr.usedImps[i][s.Name.Name]
	}
	written, err := strconv.Unquote(s.Path.Value)
	if err != nil {
		return false
	}
	return pr.usedImps[i][pr.nameOf(pr.resolve(written))]
}

// check type-checks the prepared packages bottom up, in parallel: a
// package as soon as every prepared package it imports is checked. A
// package that imports one that is not checked yet (the import graph was
// wrong) is left to Get, as is everything in an import cycle: the
// parallel checks never wait for each other.
func (p *preparer) check() {
	waits := map[*node]int{}
	importers := map[*node][]*node{}
	var ready []*node
	for _, n := range p.nodes {
		if !n.ready {
			continue
		}
		for _, m := range n.edges {
			if m.ready && m != n {
				waits[n]++
				importers[m] = append(importers[m], n)
			}
		}
		if waits[n] == 0 {
			ready = append(ready, n)
		}
	}
	done := make(chan *node)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	inflight := 0
	start := func(n *node) {
		inflight++
		go func() {
			sem <- struct{}{}
			n.u.checkReady(n)
			<-sem
			done <- n
		}()
	}
	for _, n := range ready {
		start(n)
	}
	for inflight > 0 {
		n := <-done
		inflight--
		for _, m := range importers[n] {
			if waits[m]--; waits[m] == 0 {
				start(m)
			}
		}
	}
}

// checkReady type-checks a prepared package whose prepared imports are
// checked. If it imports a package that is not checked (nor without
// source), the result is dropped and the syntax put back for Get.
func (u *Universe) checkReady(n *node) {
	src, ok := u.source(n.ip)
	if !ok {
		return
	}
	u.mu.Lock()
	prep := u.prepared[n.ip]
	u.mu.Unlock()
	missed := false
	importer := func(written string) (*types.Package, error) {
		ip := written
		if m, ok := src.Imports[written]; ok {
			ip = m
		}
		if ip == "unsafe" {
			return types.Unsafe, nil
		}
		if m := n.edges[ip]; m != nil {
			if tp := m.u.Checked(ip); tp != nil && tp.Types != nil {
				return tp.Types, nil
			}
		}
		owner := u
		if m := n.edges[ip]; m != nil {
			owner = m.u
		}
		if _, ok := owner.source(ip); !ok {
			owner.setMissing(ip)
			return fakePkg(ip).Types, nil
		}
		missed = true
		return fakePkg(ip).Types, nil
	}
	tp := u.check(n.ip, src, importer)
	// Type errors do not stop a save: those of a package checked without
	// bodies are its stripped declarations' (a composite literal's
	// elements blanked), the same on every run. A file that did not read
	// or parse, an import checked too late or one its key does not cover
	// does.
	if n.save && !missed && len(tp.Errs) == 0 && len(n.edges) == n.keyed {
		u.Exports.save(u.fset, n.key, tp.Types)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if missed {
		if prep != nil {
			u.prepared[n.ip] = prep // Get checks it again, importing as it goes
		}
		return
	}
	u.pkgs[n.ip] = tp
}
