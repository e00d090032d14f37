package contract

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/config"
	"github.com/deployorder/deployorder/contract/access"
	"github.com/deployorder/deployorder/graph"
)

// Input is what the analysis reads.
type Input struct {
	Range     *change.Range
	Workspace *graph.Workspace // the head, loaded
	Base      *graph.Base      // the base, as far as the range changes it
	Impact    *graph.Impact    // which services exist at base and head
	Config    *config.Config
	// Phase reports the start of a named step and returns the function
	// that reports its end (DEPLOYORDER_TRACE); nil reports nothing.
	Phase func(name string) (done func())
}

// analysis is the state of one Analyze call.
type analysis struct {
	in           Input
	ws           *graph.Workspace
	cfg          *config.Config
	fset         *token.FileSet
	changedDirs  map[string]bool
	base         *baseView
	deps         *graph.Deps                // packages of other modules and the standard library, once loaded
	preparsed    *access.Preparsed          // the head's own packages, parsed while go list runs
	headParsed   map[string]*ast.File       // head files the pre-pass parsed (with comments, into fset), for the type check
	interest     map[string]bool            // importpath.Type of contract types the range may change
	rpc          map[string]bool            // packages whose generated RPC services the range may change
	http         map[string]bool            // packages that register routes or send requests, when the range may change one
	process      map[string]bool            // packages that read variables or annotations, define flags or launch programs, when the range may change one
	encoders     map[string]bool            // changed packages whose changed lines call an encoder: they may write a map payload
	bound        map[string]string          // importpath.Type -> config contract name
	declChanged  map[string]bool            // importpath.Type whose declaration lines changed
	accessors    map[string]map[string]bool // importpath.Type -> the accessors (GetX, SetX, HasX of a field X) the candidate contract type declares
	byAccessor   [2]map[string]bool         // per side, the targets that are only there because they call an accessor by name
	services     map[string][2][]string     // per service: its in-repo packages at base and head
	mains        map[string]string          // service -> main package
	changedLines map[string][][2]int        // head file -> its changed line ranges
	broken       [2]map[string]bool         // per side, the packages that do not type-check there
	res          *Result
}

// Analyze works out the contract changes of a range.
func Analyze(ctx context.Context, in Input) (*Result, error) {
	a := newAnalysis(in)
	if len(a.changedDirs) == 0 {
		return a.res, nil
	}
	a.syntaxWarnings()
	pp := a.prepass()
	if !pp.any {
		return a.res, nil
	}
	a.changedLines = pp.ct[Head].lines
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return a.run(ctx)
}

func newAnalysis(in Input) *analysis {
	a := &analysis{in: in, ws: in.Workspace, cfg: in.Config, fset: token.NewFileSet(), res: &Result{},
		changedDirs: map[string]bool{}, interest: map[string]bool{}, rpc: map[string]bool{}, http: map[string]bool{}, process: map[string]bool{}, encoders: map[string]bool{}, bound: map[string]string{}, declChanged: map[string]bool{},
		accessors: map[string]map[string]bool{}, byAccessor: [2]map[string]bool{{}, {}}, headParsed: map[string]*ast.File{}}
	if a.cfg == nil {
		a.cfg = &config.Config{}
	}
	for _, c := range a.cfg.Contracts {
		for _, t := range c.Types {
			if c.Name != "" {
				a.bound[t] = c.Name
			}
		}
	}
	for _, dir := range graph.ChangedGoDirs(in.Range.Files) {
		if !a.vendored(dir) {
			a.changedDirs[dir] = true
		}
	}
	return a
}

// vendored reports whether a directory is inside a module's vendor
// directory (one with a modules.txt): a change there is a dependency
// bump, which the analysis treats as it treats one through go.mod alone
// (the services that import the module rebuild; no dependency type
// becomes a contract of the range).
func (a *analysis) vendored(dir string) bool {
	parts := strings.Split(dir, "/")
	for i, p := range parts {
		if p != "vendor" {
			continue
		}
		root := strings.Join(parts[:i+1], "/")
		if _, err := os.Stat(filepath.Join(a.ws.Root, filepath.FromSlash(root), "modules.txt")); err == nil {
			return true
		}
	}
	return false
}

// prepass decides from syntax alone what the range may change, and so
// what to type-check.
func (a *analysis) prepass() *prepass {
	a.base = newBaseView(a.ws, a.in.Base)
	a.services = a.closures()
	pp := a.newPrepass(a.candidatePackages())
	fields := pp.fieldInterest()
	rpc := pp.rpcInterest()
	http := pp.httpInterest()
	process := pp.processInterest()
	pp.any = fields || rpc || http || process
	return pp
}

// syntaxWarnings names the changed Go files that do not parse at head:
// every later step reads them as far as it can.
func (a *analysis) syntaxWarnings() {
	fset := token.NewFileSet()
	for _, fc := range a.in.Range.Files {
		if fc.Status == change.Deleted || !strings.HasSuffix(fc.Path, ".go") || strings.HasSuffix(fc.Path, "_test.go") || inTestdata(fc.Path) {
			continue
		}
		data := a.content(fc.Path, Head)
		if data == nil || len(data) > maxParsed {
			continue
		}
		if _, err := parser.ParseFile(fset, fc.Path, data, parser.SkipObjectResolution); err != nil {
			if el, ok := err.(scanner.ErrorList); ok && len(el) > 0 {
				a.warnCause("SYNTAX_ERROR", fc.Path, el[0].Pos.Line, fmt.Sprintf("files do not parse at head (%s); deployorder read what it could of them", el[0].Msg),
					"%s does not parse at head (%s); deployorder read what it could of it", fc.Path, el[0].Msg)
			}
		}
	}
}

func inTestdata(p string) bool {
	for _, e := range strings.Split(path.Dir(p), "/") {
		if e == "testdata" {
			return true
		}
	}
	return false
}

// closures returns each service's in-repo packages at base and at head.
func (a *analysis) closures() map[string][2][]string {
	out := map[string][2][]string{}
	status := map[string]graph.Status{}
	mains := map[string]string{}
	if a.in.Impact != nil {
		for _, si := range a.in.Impact.Services {
			status[si.Service.Name] = si.Status
			if si.Service.Main != "" {
				mains[si.Service.Name] = si.Service.Main
			}
		}
	}
	for _, s := range a.ws.Services {
		if s.Main != "" {
			mains[s.Name] = s.Main
		}
	}
	for name, main := range mains {
		var sides [2][]string
		if status[name] != graph.Added {
			sides[Base] = a.closureAt(main, a.base.importsAt)
		}
		if status[name] != graph.Removed {
			sides[Head] = a.closureAt(main, func(ip string) []string {
				if p := a.ws.Packages[ip]; p != nil {
					return p.Imports
				}
				return nil
			})
		}
		out[name] = sides
	}
	a.mains = mains
	return out
}

func (a *analysis) closureAt(main string, imports func(string) []string) []string {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(ip string) {
		if seen[ip] {
			return
		}
		if _, inRepo := a.ws.DirOfImportPath(ip); !inRepo {
			return
		}
		seen[ip] = true
		for _, imp := range imports(ip) {
			visit(imp)
		}
	}
	visit(main)
	return sortedKeys(seen)
}

// candidatePackages returns the in-repo non-main packages that the changed
// packages depend on (at base or head), used by two or more services, whose
// source has json or protobuf tags, plus the packages of configured types.
func (a *analysis) candidatePackages() []string {
	deps := map[string]bool{}
	for dir := range a.changedDirs {
		ip := a.ws.ImportPathOfDir(dir)
		if ip == "" {
			continue
		}
		for d := range a.ws.InRepoDeps(ip) {
			deps[d] = true
		}
		deps[ip] = true
		for _, imp := range a.base.importsAt(ip) {
			for d := range a.ws.InRepoDeps(imp) {
				deps[d] = true
			}
			if _, ok := a.ws.DirOfImportPath(imp); ok {
				deps[imp] = true
			}
		}
	}
	users := map[string]int{}
	for _, sides := range a.services {
		seen := map[string]bool{}
		for _, side := range sides {
			for _, p := range side {
				if !seen[p] {
					seen[p] = true
					users[p]++
				}
			}
		}
	}
	configured := map[string]bool{}
	for _, c := range a.cfg.Contracts {
		for _, t := range c.Types {
			configured[t[:strings.LastIndex(t, ".")]] = true
		}
	}
	var out []string
	for ip := range deps {
		if p := a.ws.Packages[ip]; p != nil && p.Name == "main" {
			continue
		}
		if configured[ip] || users[ip] >= 2 && a.hasTags(ip) {
			out = append(out, ip)
		}
	}
	sort.Strings(out)
	return out
}

// hasTags reports whether a package's source (at head, or at base for a
// changed one) has a json or protobuf struct tag.
func (a *analysis) hasTags(ip string) bool {
	for _, side := range []Side{Head, Base} {
		for _, f := range a.goFiles(ip, side) {
			if data := a.content(f, side); hasWireTagText(data) {
				return true
			}
		}
	}
	return false
}

// goFiles returns a package's Go files at a side.
func (a *analysis) goFiles(ip string, side Side) []string {
	if side == Base {
		if fs, ok := a.base.Files[ip]; ok {
			return fs
		}
		if a.base.Changed[ip] {
			return nil
		}
	}
	if p := a.ws.Packages[ip]; p != nil {
		return p.GoFiles
	}
	return nil
}

// content reads a repo-relative file at a side; nil when absent.
func (a *analysis) content(file string, side Side) []byte {
	if side == Base {
		if data, ok := a.base.Blobs[file]; ok {
			return data
		}
		if a.in.Range.Base == "" || a.changedDirs[path.Dir(file)] {
			return nil // not there at base
		}
	}
	data, err := os.ReadFile(filepath.Join(a.ws.Root, filepath.FromSlash(file)))
	if err != nil {
		return nil
	}
	return data
}

// fieldInterest decides, from syntax alone, which contract types the range
// may change: those whose declaration lines changed, or whose name, fields
// or accessors a changed line mentions; every candidate a package can
// see when a changed line of it calls an encoder, decoder or template, or
// adds or drops an import of a package that joins or leaves a service
// (or swaps imports). It reports false when there are none.
func (pp *prepass) fieldInterest() bool {
	a := pp.a
	if len(pp.candidate) == 0 {
		return false
	}
	whole := pp.wholePackages()
	pp.followCalls(whole)
	for _, ip := range sortedKeys(pp.candidate) {
		pp.markTypes(ip, whole[ip])
	}
	// A bound contract is analysed whole.
	for t, name := range a.bound {
		if a.interest[t] {
			for u, n := range a.bound {
				if n == name && !a.ignored(u) {
					a.interest[u] = true
				}
			}
		}
	}
	return len(a.interest) > 0
}

// newPrepass reads what the changed lines of the range mention, at both
// sides, for the syntax-only pass.
func (a *analysis) newPrepass(candidates []string) *prepass {
	pp := &prepass{a: a, candidate: map[string]bool{}, sees: map[string]map[string]bool{}}
	for _, c := range candidates {
		pp.candidate[c] = true
	}
	for _, side := range Sides {
		pp.ct[side] = scanChanged(a.in.Range.Files, a.in.Range.Hunks, side, func(p string) []byte { return a.content(p, side) }, a.packageName)
	}
	return pp
}

// mentionsConst reports whether changed lines that can see a file's
// package name one of the typed constants it declares.
func (pp *prepass) mentionsConst(f *ast.File, canSee func(string) bool) bool {
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for _, n := range vs.Names {
				if n.Name == "_" {
					continue // const _ = ...: names nothing
				}
				for _, side := range Sides {
					for dir, u := range pp.ct[side].uses {
						if u.idents[n.Name] && canSee(dir) {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// prepass is the syntax-only pass that decides what to type-check.
type prepass struct {
	a         *analysis
	ct        [2]changedText
	candidate map[string]bool            // candidate contract packages
	sees      map[string]map[string]bool // changed directory -> the candidates its package can see
	any       bool                       // the range may change a contract of some kind
}

// wholePackages returns the candidates that a changed import, encoder call
// or unparsable file can reach: such changes can change roles without
// naming a field, so those packages are analysed whole.
func (pp *prepass) wholePackages() map[string]bool {
	whole := map[string]bool{}
	reachFrom := func(ip string) {
		deps := pp.a.ws.InRepoDeps(ip)
		deps[ip] = true
		for _, imp := range pp.a.base.importsAt(ip) {
			deps[imp] = true
		}
		for d := range deps {
			if pp.candidate[d] {
				whole[d] = true
			}
		}
	}
	// An import added or dropped changes what runs only when the package
	// joins or leaves a service (its code, and what it accesses, with it),
	// or when the file swaps one import for another (unchanged lines may
	// then name another package's types): otherwise the changed lines that
	// use it say what changes, and followCalls reads the calls.
	moved := pp.movedPackages()
	files := map[string]bool{}
	for _, side := range Sides {
		for file := range pp.ct[side].fileImports {
			files[file] = true
		}
	}
	for file := range files {
		at := [2][]string{pp.ct[Base].fileImports[file], pp.ct[Head].fileImports[file]}
		var changed [2][]string // dropped, added: a line only reformatted is neither
		for _, side := range Sides {
			for _, ip := range at[side] {
				if !slices.Contains(at[1-side], ip) {
					changed[side] = append(changed[side], ip)
				}
			}
		}
		swap := len(changed[Base]) > 0 && len(changed[Head]) > 0
		for _, ip := range append(changed[Base], changed[Head]...) {
			switch {
			case swap || moved[ip]:
				reachFrom(ip)
			case pp.candidate[ip]:
				whole[ip] = true
			}
		}
	}
	for _, side := range Sides {
		for dir := range pp.ct[side].sinks {
			if ip := pp.a.ws.ImportPathOfDir(dir); ip != "" {
				pp.a.encoders[ip] = true
			}
		}
		for _, m := range []map[string]bool{pp.ct[side].sinks, pp.ct[side].broken} {
			for dir := range m {
				if ip := pp.a.ws.ImportPathOfDir(dir); ip != "" {
					reachFrom(ip)
				}
			}
		}
	}
	return whole
}

// touches reports whether the range changes lines of a candidate
// package's files, or lines that can see it.
func (pp *prepass) touches(ip string, canSee func(string) bool) bool {
	for _, side := range Sides {
		for _, file := range pp.a.goFiles(ip, side) {
			if len(pp.ct[side].lines[file]) > 0 {
				return true
			}
		}
		for dir := range pp.ct[side].uses {
			if canSee(dir) {
				return true
			}
		}
	}
	return false
}

// movedPackages returns the packages that are in a service's closure at
// one side and not at the other.
func (pp *prepass) movedPackages() map[string]bool {
	moved := map[string]bool{}
	for _, sides := range pp.a.services {
		at := [2]map[string]bool{{}, {}}
		for _, side := range Sides {
			for _, p := range sides[side] {
				at[side][p] = true
			}
		}
		for _, side := range Sides {
			for p := range at[side] {
				if !at[1-side][p] {
					moved[p] = true
				}
			}
		}
	}
	return moved
}

// followCalls reads the functions that changed lines call: deleting the
// only call to a helper that writes a contract field changes roles without
// naming the field. A call of a function of a contract's package makes the
// package whole; the body of another in-repo function counts as changed
// text of its package, so the contract types it names are of interest.
func (pp *prepass) followCalls(whole map[string]bool) {
	a := pp.a
	bodies := map[callRef]nameUses{}
	for _, side := range Sides {
		for dir, refs := range pp.ct[side].calls {
			for _, ref := range refs {
				ip := ref.pkg
				if ip == "" {
					ip = a.ws.ImportPathOfDir(dir)
				}
				calleeDir, inRepo := a.ws.DirOfImportPath(ip)
				if !inRepo {
					continue
				}
				if pp.candidate[ip] {
					whole[ip] = true
					continue
				}
				key := callRef{ip, ref.name}
				uses, ok := bodies[key]
				if !ok {
					uses = pp.funcIdents(ip, ref.name)
					bodies[key] = uses
				}
				if len(uses.idents) == 0 {
					continue
				}
				pp.ct[side].names(calleeDir).add(uses)
			}
		}
	}
}

// packageName returns the name of a package of the repository, or of a
// dependency when the load read it ("" if unknown).
func (a *analysis) packageName(ip string) string {
	if p := a.ws.Package(ip, nil); p != nil {
		return p.Name
	}
	return ""
}

// funcIdents are the identifiers in the bodies of the functions and
// methods named name of package ip, at base and head.
func (pp *prepass) funcIdents(ip, name string) nameUses {
	out := newNameUses()
	for _, side := range Sides {
		for _, file := range pp.a.goFiles(ip, side) {
			data := pp.a.content(file, side)
			if data == nil || !bytes.Contains(data, []byte(name)) {
				continue
			}
			f, _ := parserParse(token.NewFileSet(), file, data)
			if f == nil {
				continue
			}
			no := out.noter(importNames(f, pp.a.packageName))
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == name && fd.Body != nil {
					ast.Inspect(fd.Body, func(n ast.Node) bool {
						no.note(n)
						return true
					})
				}
			}
		}
	}
	return out
}

// visible returns the candidate packages a changed directory's package can
// see, at base or head.
func (pp *prepass) visible(dir string) map[string]bool {
	if m, ok := pp.sees[dir]; ok {
		return m
	}
	m := map[string]bool{}
	if ip := pp.a.ws.ImportPathOfDir(dir); ip != "" {
		deps := pp.a.ws.InRepoDeps(ip)
		deps[ip] = true
		for _, imp := range pp.a.base.importsAt(ip) {
			for d := range pp.a.ws.InRepoDeps(imp) {
				deps[d] = true
			}
			deps[imp] = true
		}
		for d := range deps {
			if pp.candidate[d] {
				m[d] = true
			}
		}
	}
	pp.sees[dir] = m
	return m
}

// markTypes marks the contract types of candidate package ip that the
// range may change: those whose declaration changed (also noted in
// declChanged), those a changed line that can see them mentions, and all of
// them when whole.
func (pp *prepass) markTypes(ip string, whole bool) {
	a := pp.a
	canSee := func(dir string) bool { return pp.visible(dir)[ip] }
	own := func(dir string) bool { return a.ws.ImportPathOfDir(dir) == ip || pp.baseDir(ip) == dir }
	if !whole && !pp.touches(ip, canSee) {
		return // nothing changed can name its types: not worth parsing
	}
	type parsed struct {
		f    *ast.File
		file string
		side Side
	}
	// A file whose package did not change reads the same at both sides:
	// it is parsed once, at base, and that syntax serves head too.
	same := func(file string) bool {
		_, blob := a.base.Blobs[file]
		return !blob && a.in.Range.Base != "" && !a.changedDirs[path.Dir(file)]
	}
	var files []parsed
	for _, side := range Sides {
		for _, file := range a.goFiles(ip, side) {
			if side == Base && a.headParsed[file] != nil && !a.changedDirs[path.Dir(file)] {
				continue // the same content as at head, read the same
			}
			var f *ast.File
			if side == Head {
				f = a.headParsed[file]
			}
			if f == nil {
				if data := a.content(file, side); data != nil {
					// With comments, as the type check parses the head's
					// packages, which takes this parse instead of its own.
					f, _ = parser.ParseFile(a.fset, file, data, parser.SkipObjectResolution|parser.ParseComments)
				}
				if f != nil && (side == Head || same(file)) {
					a.headParsed[file] = f
				}
			}
			if f != nil {
				files = append(files, parsed{f, file, side})
				// A changed line that names a constant of the package
				// (an enum value) can change what its contracts carry.
				whole = whole || pp.mentionsConst(f, canSee)
			}
		}
	}
	// The methods each type has, at either side: a call of GetX names a
	// struct's field X only if the struct has that accessor.
	methods := map[string]map[string]*ast.FuncType{}
	for _, p := range files {
		for _, d := range p.f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
				recv := access.RecvType(fd.Recv)
				if methods[recv] == nil {
					methods[recv] = map[string]*ast.FuncType{}
				}
				methods[recv][fd.Name.Name] = fd.Type
			}
		}
	}
	for _, p := range files {
		f, file, side := p.f, p.file, p.side
		{
			for _, ds := range declaredStructs(a.fset, f, file) {
				ds.methods = accessorsOf(ds, methods[ds.name])
				key := ip + "." + ds.name
				if !ds.tagged && !a.configured(key) || a.ignored(key) {
					continue
				}
				if a.accessors[key] == nil {
					a.accessors[key] = map[string]bool{}
				}
				maps.Copy(a.accessors[key], ds.methods)
				if pp.ct[side].overlaps(ds) {
					a.declChanged[key] = true
					a.interest[key] = true
				}
				if whole || pp.ct[Base].mentions(ip, ds, canSee, own) || pp.ct[Head].mentions(ip, ds, canSee, own) {
					a.interest[key] = true
				}
			}
		}
	}
}

func (a *analysis) configured(typeKey string) bool {
	for _, c := range a.cfg.Contracts {
		for _, t := range c.Types {
			if t == typeKey {
				return true
			}
		}
	}
	return false
}

func (a *analysis) ignored(typeKey string) bool {
	return config.MatchAny(a.cfg.IgnoreContracts, typeKey)
}

func (a *analysis) warn(code, file string, line int, format string, args ...any) {
	a.warnCause(code, file, line, "", format, args...)
}

// warnCause adds a warning with its cause: the message without what is
// particular to its place (see graph.Warning.Cause).
func (a *analysis) warnCause(code, file string, line int, cause, format string, args ...any) {
	a.res.Warnings = append(a.res.Warnings, graph.Warning{Code: code, File: file, Line: line, Message: fmt.Sprintf(format, args...), Cause: cause})
}
