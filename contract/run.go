package contract

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"unicode"

	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"

	"github.com/deployorder/deployorder/contract/access"
	"github.com/deployorder/deployorder/graph"
	"github.com/deployorder/deployorder/internal/panicsite"
)

func parserParse(fset *token.FileSet, name string, data []byte) (*ast.File, error) {
	return parser.ParseFile(fset, name, data, parser.SkipObjectResolution)
}

// sideState is one side's type-checked view.
type sideState struct {
	u       *access.Universe
	layouts map[string]*Layout // importpath.Type -> layout, for the types of interest present at this side
	tracked map[string]bool
	facts   map[string][]access.Record // package -> accesses
	calls   *access.CallGraph          // which functions each service can run
}

// run type-checks the packages that can touch the contract types of
// interest, at head and (for changed packages) at base, and diffs roles.
func (a *analysis) run(ctx context.Context) (*Result, error) {
	targets := a.targets()
	// The repository's packages are parsed while go list reads what they
	// depend on: it runs in another process, and mostly waits.
	var files []string
	for _, ip := range sortedKeys(targets[Head]) {
		if p := a.ws.Package(ip, nil); p != nil && p.InRepo {
			files = append(files, p.GoFiles...)
		}
	}
	a.preparsed = access.Preparse(a.fset, files, repoReader(a.ws), 1, a.headParsed)
	a.headParsed = nil // what the type check takes is handed over; the rest is garbage
	defer a.preparsed.Stop()
	// Type-checking needs the files of every dependency, in other modules
	// and the standard library too.
	done := a.phase("reading dependencies")
	deps, err := a.ws.LoadDeps(ctx, sortedKeys(targets[Head]))
	if err != nil {
		return nil, err // the context's, or the export's: a module that fails to load fails alone, with a warning
	}
	done()
	if deps.Listed != "" {
		a.phase("dependencies read with go list, because " + deps.Listed)()
	}
	a.deps, a.base.deps = deps, deps
	a.res.Warnings = append(a.res.Warnings, deps.Warnings...)
	st, err := a.typeCheck(ctx, targets)
	if err != nil {
		return nil, err
	}
	// The other kinds' extractors read the checked syntax as the field
	// accesses do, and write nothing they read: they run alongside.
	kinds := len(a.rpc) > 0 || len(a.http) > 0 || len(a.interest) > 0 || len(a.process) > 0
	var ks [2]*kindSide
	var failed any // a panic of the extraction, raised again here with where it happened
	extracted := make(chan struct{})
	go func() {
		defer close(extracted)
		defer func() {
			if r := recover(); r != nil {
				failed = fmt.Sprintf("%v (%s)", r, panicsite.Site(2, ""))
			}
		}()
		if extractHook != nil {
			extractHook()
		}
		if kinds {
			ks = a.extract(st, targets)
		}
	}()
	a.facts(st, targets)
	a.missingModules(st, targets)
	a.res.Contracts = a.diff(st)
	<-extracted
	if failed != nil {
		panic(failed)
	}
	if kinds {
		a.res.Contracts = append(a.res.Contracts, a.kindContracts(st, ks)...)
		markRequests(a.res.Contracts, st, ks)
		a.markRequiredReads(a.res.Contracts, st[Head], targets[Head])
		slices.SortStableFunc(a.res.Contracts, func(x, y *Contract) int { return strings.Compare(x.Name, y.Name) })
	}
	a.trustCheckedSide()
	graph.SortWarnings(a.res.Warnings)
	return a.res, nil
}

// phase reports a step of the analysis, if the caller asked.
func (a *analysis) phase(name string) func() {
	if a.in.Phase == nil {
		return func() {}
	}
	return a.in.Phase(name)
}

// extractHook runs at the start of the extraction's goroutine (tests).
var extractHook func()

// targets are, per side, the packages to type-check with bodies: the
// packages of the types of interest and every package of a service that
// imports them. Unchanged packages read the same at both sides: only
// changed ones are analysed again at base.
func (a *analysis) targets() [2]map[string]bool {
	interestPkgs := map[string]bool{}
	for t := range a.interest {
		interestPkgs[t[:strings.LastIndex(t, ".")]] = true
	}
	for p := range a.rpc {
		interestPkgs[p] = true
	}
	for p := range a.http {
		interestPkgs[p] = true
	}
	for p := range a.process {
		interestPkgs[p] = true
	}
	accessors := a.accessorNames()
	var targets [2]map[string]bool
	for _, side := range Sides {
		targets[side] = map[string]bool{}
		imports := a.importsFunc(side)
		memo := map[string]bool{}
		var reaches func(string) bool
		reaches = func(ip string) bool {
			if r, ok := memo[ip]; ok {
				return r
			}
			memo[ip] = false
			r := interestPkgs[ip]
			for _, imp := range imports(ip) {
				if _, inRepo := a.ws.DirOfImportPath(imp); inRepo && reaches(imp) {
					r = true
				}
			}
			memo[ip] = r
			return r
		}
		for _, sides := range a.services {
			for _, p := range sides[side] {
				if reaches(p) {
					targets[side][p] = true
				}
			}
		}
		for p := range interestPkgs {
			targets[side][p] = true
		}
		// A package that calls an accessor of a type of interest by name
		// may call it through an interface (a middleware reading
		// req.GetTenant()), without importing the type's package.
		if len(accessors) > 0 {
			read := map[string]bool{} // a package many services share is read once
			for _, sides := range a.services {
				for _, p := range sides[side] {
					if read[p] {
						continue
					}
					read[p] = true
					if !targets[side][p] && (side == Head || a.base.Changed[p]) && a.callsAccessor(p, side, accessors) {
						targets[side][p] = true
						a.byAccessor[side][p] = true
					}
				}
			}
		}
		if len(a.interest) > 0 {
			// A changed encoder call may write a map payload of a contract
			// its package does not import.
			for p := range a.encoders {
				targets[side][p] = true
			}
		}
	}
	for p := range targets[Base] {
		if !a.base.Changed[p] {
			delete(targets[Base], p)
		}
	}
	return targets
}

// typeCheck checks the targets of both sides and computes the layouts of
// the types of interest there. The base universe takes every package that
// did not change (and does not depend on one that did) from the head's.
func (a *analysis) typeCheck(ctx context.Context, targets [2]map[string]bool) ([2]*sideState, error) {
	var st [2]*sideState
	a.base.head = headSource(a.ws, a.deps, nil)
	head := access.NewUniverse("head", a.fset, headSource(a.ws, a.deps, targets[Head]))
	head.Preparsed = a.preparsed
	if stable := a.deps.Stable(); stable.Dir != "" {
		head.Exports = access.NewExportCache(stable.Dir, stable.Key)
	}
	base := access.NewUniverse("base", a.fset, a.base.source(targets[Base]))
	base.Parent, base.Local = head, a.base.localFunc()
	head.Meta, base.Meta = a.metaFunc(Head), a.metaFunc(Base)
	// A package without source: of a module missing from the module cache,
	// or of the repository's own modules with no package there (generated
	// code that is not committed). The load's warnings name both; the type
	// errors that only follow from them are not reported again.
	absent := func(ip string) bool {
		if _, ok := a.deps.Missing(ip); ok {
			return true
		}
		p := a.ws.Packages[ip]
		_, inRepo := a.ws.DirOfImportPath(ip)
		return inRepo && (p == nil || !p.InRepo)
	}
	head.Absent, base.Absent = absent, absent
	// Both sides' needs are known before anything is checked: the base
	// takes most packages from the head, with what base code needs of them.
	var roots []access.Root
	for side, u := range map[Side]*access.Universe{Head: head, Base: base} {
		for _, t := range sortedKeys(targets[side]) {
			roots = append(roots, access.Root{U: u, Path: t})
		}
		for t := range a.interest {
			roots = append(roots, access.Root{U: u, Path: t[:strings.LastIndex(t, ".")]})
		}
	}
	access.Prepare(roots)
	if read, saved := head.Exports.Stats(); read+saved > 0 {
		a.phase(fmt.Sprintf("types of %d dependencies read from the cache, %d saved to it", read, saved))()
		if saved > 0 {
			head.Exports.Trim()
		}
	}
	if err := a.check(ctx, head, targets[Head]); err != nil {
		return st, err
	}
	if err := a.check(ctx, base, targets[Base]); err != nil {
		return st, err
	}
	st[Head], st[Base] = &sideState{u: head}, &sideState{u: base}
	for _, side := range Sides {
		s := st[side]
		s.layouts = a.layouts(s.u)
		s.tracked = map[string]bool{}
		for t, l := range s.layouts {
			s.tracked[t] = true
			for _, f := range l.Fields {
				for _, r := range f.Refs {
					s.tracked[r.Type] = true
				}
			}
		}
	}
	return st, nil
}

// accessorNames are the names of the accessors (GetX, SetX, HasX) that
// the types of interest declare for their fields: an interface's method
// reaches a field only through such a method of the type.
func (a *analysis) accessorNames() map[string]bool {
	out := map[string]bool{}
	for t := range a.interest {
		for name := range a.accessors[t] {
			out[name] = true
		}
	}
	return out
}

// callsAccessor reports whether a package's files at a side call one of
// the named methods: .Name( in the text.
func (a *analysis) callsAccessor(ip string, side Side, names map[string]bool) bool {
	for _, file := range a.goFiles(ip, side) {
		data := a.content(file, side)
		for i := bytes.IndexByte(data, '.'); i >= 0; {
			j := i + 1
			for j < len(data) && (data[j] == '_' || unicode.IsLetter(rune(data[j])) || unicode.IsDigit(rune(data[j]))) {
				j++
			}
			if j < len(data) && data[j] == '(' && names[string(data[i+1:j])] {
				return true
			}
			k := bytes.IndexByte(data[j:], '.')
			if k < 0 {
				break
			}
			i = j + k
		}
	}
	return false
}

// facts walks the targets for their accesses and call graphs: head first,
// whose summaries and facts serve base for the packages that did not
// change.
func (a *analysis) facts(st [2]*sideState, targets [2]map[string]bool) {
	head, base := st[Head], st[Base]
	head.facts = map[string][]access.Record{}
	head.calls = access.NewCallGraph()
	head.calls.MayExecute = a.mayExecute(Head)
	headSum := access.NewSummaries()
	for _, tp := range topo(head.u, targets[Head]) {
		head.facts[tp.Src.Path] = access.Walk(a.fset, tp, head.tracked, headSum)
		head.calls.AddPackage(a.fset, tp)
		a.typeErrors(tp, Head)
	}
	for p, recs := range head.facts {
		head.facts[p] = access.ExpandInterfaceCalls(recs, headSum)
	}
	baseSum := access.NewSummaries()
	baseSum.Copy(headSum)
	base.facts = maps.Clone(head.facts)
	base.calls = access.NewCallGraph()
	base.calls.MayExecute = a.mayExecute(Base)
	base.calls.Merge(head.calls)
	baseCalls := access.NewCallGraph()
	for _, tp := range topo(base.u, targets[Base]) {
		base.facts[tp.Src.Path] = access.Walk(a.fset, tp, base.tracked, baseSum)
		baseCalls.AddPackage(a.fset, tp)
		a.typeErrors(tp, Base)
	}
	for _, tp := range topo(base.u, targets[Base]) {
		base.facts[tp.Src.Path] = access.ExpandInterfaceCalls(base.facts[tp.Src.Path], baseSum)
	}
	for p := range a.base.Changed {
		delete(base.calls.Broken, p) // a changed package is judged at base by its base version
	}
	base.calls.Merge(baseCalls)
	for p := range a.base.Changed {
		if !targets[Base][p] {
			delete(base.facts, p) // changed, and out of reach of the contracts at base
		}
	}
}

// mayExecute answers access.CallGraph.MayExecute at a side: a function a
// cobra command is handed to may execute it when its package's text calls
// an Execute method (cmd.Execute(), ExecuteC(), ExecuteContext(ctx)); a
// package whose files cannot be read may.
func (a *analysis) mayExecute(side Side) func(string) bool {
	memo := map[string]bool{}
	read := repoReader(a.ws)
	calls := [][]byte{[]byte(".Execute()"), []byte(".ExecuteC()"), []byte(".ExecuteContext("), []byte(".ExecuteContextC(")}
	return func(ip string) bool {
		if r, ok := memo[ip]; ok {
			return r
		}
		var texts [][]byte
		if _, inRepo := a.ws.DirOfImportPath(ip); inRepo {
			for _, file := range a.goFiles(ip, side) {
				texts = append(texts, a.content(file, side))
			}
		} else if p := a.ws.Package(ip, a.deps); p != nil {
			for _, file := range p.GoFiles {
				if data, err := read(file); err == nil {
					texts = append(texts, data)
				}
			}
		}
		r := len(texts) == 0
		for _, data := range texts {
			for _, c := range calls {
				r = r || bytes.Contains(data, c)
			}
		}
		memo[ip] = r
		return r
	}
}

// extract runs the extractors of the non-field kinds at both sides: head
// first, whose facts serve base for the packages that did not change.
func (a *analysis) extract(st [2]*sideState, targets [2]map[string]bool) [2]*kindSide {
	generated := map[string]bool{}
	for _, side := range Sides {
		for _, tp := range topo(st[side].u, targets[side]) {
			for _, f := range tp.Files {
				if ast.IsGenerated(f) {
					generated[a.fset.Position(f.Pos()).Filename] = true
				}
			}
		}
	}
	var ks [2]*kindSide
	var requests [2]map[string][]request // package -> the requests it sends
	var sums [2]*launchSums              // launch summaries of the functions analysed
	var helpers [2]map[string][]envHelper
	programs := a.programNames()
	for _, side := range []Side{Head, Base} {
		ks[side] = newKindSide()
		requests[side] = map[string][]request{}
		sums[side], helpers[side] = newLaunchSums(), map[string][]envHelper{}
		var services []*rpcService
		for _, ip := range sortedKeys(a.rpc) {
			if tp := st[side].u.Get(ip); tp != nil && tp.Info != nil {
				services = append(services, rpcServices(a.fset, tp)...)
			}
		}
		x := newRPCIndex(services)
		x.define(ks[side])
		ks[side].services = services
		enums := enumTypes(st[side].layouts, st[side].u)
		defineEnums(a.fset, enums, ks[side])
		if side == Base {
			maps.Copy(ks[Base].facts, ks[Head].facts)
			maps.Copy(ks[Base].launches, ks[Head].launches)
			maps.Copy(requests[Base], requests[Head])
			sums[Base], helpers[Base] = sums[Head].clone(), maps.Clone(helpers[Head])
		}
		registrars := map[string][]string{}
		for _, tp := range topo(st[side].u, targets[side]) {
			if !a.rpc[tp.Src.Path] {
				// Services the range leaves alone still say which
				// messages travel in requests (markRequests).
				ks[side].services = append(ks[side].services, rpcServices(a.fset, tp)...)
			}
			for t, d := range bodyDirections(tp) {
				ks[side].bodies[t] |= d
			}
			facts := append(rpcFacts(a.fset, tp, x, generated), enumFacts(a.fset, tp, enums)...)
			if len(a.http) > 0 {
				hf := httpExtract(a.fset, tp, registrars)
				facts = append(facts, hf.serves...)
				requests[side][tp.Src.Path] = hf.requests
				if side == Head {
					a.unknownRequests(hf.unknown)
				}
			}
			if len(a.process) > 0 {
				facts = append(facts, programFacts(a.fset, tp.Info, tp.Files, tp.Src.Path, helpers[side])...)
				lf, marks := a.launchFacts(launchExtract(a.fset, tp.Info, tp.Types, tp.Files, sums[side]), programs, side)
				facts = append(facts, lf...)
				ks[side].launches[tp.Src.Path] = marks
			}
			ks[side].facts[tp.Src.Path] = facts
		}
	}
	for p := range a.base.Changed {
		if !targets[Base][p] {
			delete(ks[Base].facts, p)
			delete(ks[Base].launches, p)
			delete(requests[Base], p)
		}
	}
	// Routes are the patterns some package registers at a side; requests
	// call the ones they match.
	var routes [2]map[string]route
	for _, side := range Sides {
		routes[side] = map[string]route{}
		for _, facts := range ks[side].facts {
			for _, f := range facts {
				if f.contract == httpContractID && f.provide {
					routes[side][f.key] = parseRoute(f.key)
					ks[side].define(httpContractID, "HTTP", HTTP, f.key, elementDef{typ: "route", decl: f.place.Pos})
				}
			}
		}
	}
	for _, side := range Sides {
		for p, reqs := range requests[side] {
			ks[side].facts[p] = append(ks[side].facts[p], resolveRequests(reqs, routes, side)...)
		}
	}
	return ks
}

// unknownRequests notes the requests on changed lines whose path cannot be
// known: they are not matched to any route.
func (a *analysis) unknownRequests(reqs []request) {
	for _, r := range reqs {
		for _, lr := range a.changedLines[r.place.File] {
			if r.place.Line >= lr[0] && r.place.Line <= lr[1] {
				a.res.Notes = append(a.res.Notes, graph.Warning{Code: "HTTP_PATH_UNKNOWN", File: r.place.File, Line: r.place.Line,
					Message: "the path of this request cannot be known from the code (a URL from configuration or built at run time); it is matched to no route, so it imposes no order"})
				break
			}
		}
	}
}

// check type-checks the targets (and, on demand, what they import), from
// the syntax Prepare made ready.
func (a *analysis) check(ctx context.Context, u *access.Universe, targets map[string]bool) error {
	for _, t := range sortedKeys(targets) {
		if err := ctx.Err(); err != nil {
			return err
		}
		u.Get(t)
	}
	return nil
}

// metaFunc returns a package's name and imports at a side, for
// access.Prepare.
func (a *analysis) metaFunc(side Side) func(string) (string, []string) {
	imports := a.importsFunc(side)
	return func(ip string) (string, []string) {
		name := ""
		if p := a.ws.Package(ip, a.deps); p != nil {
			name = p.Name
		}
		return name, imports(ip)
	}
}

// importsFunc returns a package's in-repo and other imports at a side.
func (a *analysis) importsFunc(side Side) func(string) []string {
	if side == Base {
		return a.base.importsAt
	}
	return func(ip string) []string {
		if p := a.ws.Package(ip, a.deps); p != nil {
			return p.Imports
		}
		return nil
	}
}

// topo returns the checked packages of a set in dependency order.
func topo(u *access.Universe, set map[string]bool) []*access.Package {
	var out []*access.Package
	seen := map[string]bool{}
	var visit func(string)
	visit = func(ip string) {
		if seen[ip] {
			return
		}
		seen[ip] = true
		tp := u.Checked(ip)
		if tp == nil || tp.Types == nil {
			return
		}
		for _, imp := range tp.Types.Imports() {
			if set[imp.Path()] {
				visit(imp.Path())
			}
		}
		if tp.Info != nil {
			out = append(out, tp)
		}
	}
	for _, ip := range sortedKeys(set) {
		visit(ip)
	}
	return out
}

// layouts computes the wire layouts of the types of interest that exist in
// a universe.
func (a *analysis) layouts(u *access.Universe) map[string]*Layout {
	out := map[string]*Layout{}
	pos := func(v *types.Var) (string, int) {
		p := a.fset.Position(v.Pos())
		return p.Filename, p.Line
	}
	for _, t := range sortedKeys(a.interest) {
		i := strings.LastIndex(t, ".")
		tp := u.Get(t[:i])
		if tp.Types == nil {
			continue
		}
		obj, ok := tp.Types.Scope().Lookup(t[i+1:]).(*types.TypeName)
		if !ok {
			continue
		}
		// A generic type (Page[T]) is one contract: its keys are the same for
		// every instantiation, and a field of type T has the wire type any.
		n, ok := types.Unalias(obj.Type()).(*types.Named)
		if !ok {
			continue
		}
		if l := layoutOf(n, pos); l != nil {
			out[t] = l
		}
	}
	return out
}

func (a *analysis) typeErrors(tp *access.Package, side Side) {
	if len(tp.Errs) == 0 && tp.Partial == 0 {
		return
	}
	// Partial (its errors follow from a package without source, which
	// MODULE_MISSING or PACKAGE_LOAD_ERROR names) is broken all the same:
	// its call graph is incomplete, and a package deleted at head that a
	// service still imports must not read as the service's roles changing.
	if a.broken[side] == nil {
		a.broken[side] = map[string]bool{}
	}
	a.broken[side][tp.Src.Path] = true
	if len(tp.Errs) == 0 {
		return
	}
	if a.byAccessor[side][tp.Src.Path] && !a.base.Changed[tp.Src.Path] {
		return // read only for its calls through interfaces, and the same at both sides: no warning on every plan
	}
	file, line, msg := splitPosition(tp.Errs[0])
	a.warnCause("TYPE_ERRORS", file, line, fmt.Sprintf("packages do not type-check at %s (%s); their field accesses may be incomplete", side, msg),
		"package %s does not type-check at %s (%s); its field accesses may be incomplete", tp.Src.Path, side, msg)
}

// splitPosition splits a go/types or go/parser error "file:line:col: msg"
// (the column may be missing) into its place and message.
func splitPosition(err string) (file string, line int, msg string) {
	m := positionRE.FindStringSubmatch(err)
	if m == nil {
		return "", 0, err
	}
	line, _ = strconv.Atoi(m[2])
	return m[1], line, m[3]
}

var positionRE = regexp.MustCompile(`^(.*?):(\d+)(?::\d+)?: (.*)$`)
