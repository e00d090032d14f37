package access

import (
	"go/ast"
	"go/token"
	"go/types"
	"path"
	"sort"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// funcRefs is what one function's code refers to: the functions it calls or
// takes as values, and the named types it names. The reachability of a
// service's functions follows them.
type funcRefs struct {
	funcs []string // types.Func.FullName of the origin
	types []string // importpath.Type
	// onRun is what the function's cobra command bodies refer to (the
	// Run, RunE, PreRun... of a cobra.Command it builds): they run only
	// in a program that executes a command, so a documentation generator
	// that builds a command tree to print it runs none of them.
	onRun *funcRefs
	// hands are the functions the code hands a cobra command to; one
	// outside the graph (not cobra's own) may execute it.
	hands []hand
}

// hand is a function a cobra command is handed to: its package and full
// name ("" for both: a function value, which may be anything).
type hand struct{ pkg, fn string }

// A cobra command's bodies run when the program executes a command:
// these methods (or a function outside the graph it hands a command to).
var (
	cobraRunFields = map[string]bool{"Run": true, "RunE": true, "PreRun": true, "PreRunE": true, "PostRun": true, "PostRunE": true,
		"PersistentPreRun": true, "PersistentPreRunE": true, "PersistentPostRun": true, "PersistentPostRunE": true}
	cobraExecute = map[string]bool{"Execute": true, "ExecuteC": true, "ExecuteContext": true, "ExecuteContextC": true}
)

// isCobraPath reports whether an import path is spf13/cobra's (vendored or
// standing in for it in a test).
func isCobraPath(p string) bool {
	return p == "github.com/spf13/cobra" || strings.HasSuffix(p, "/github.com/spf13/cobra")
}

// isCobraCommand reports whether t is cobra.Command or a pointer to it.
func isCobraCommand(t types.Type) bool {
	if t == nil {
		return false
	}
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Name() == "Command" && n.Obj().Pkg() != nil && isCobraPath(n.Obj().Pkg().Path())
}

// Span is a stretch of lines of a file.
type Span struct {
	File     string
	From, To int
}

// gate is a stretch of a function's lines that runs only once node is
// reached: a function literal held by a package variable runs when the
// variable is used; "" stands for the execution of a cobra command
// (funcRefs.onRun).
type gate struct {
	Span
	node string
}

// Runs is what a service can run: the functions it reaches, less the
// command bodies of a program that never executes a command.
type Runs struct {
	Funcs map[string]bool
	skip  map[string][]Span // reached function -> its lines that do not run
}

// Has reports whether code of function fn at file:line runs.
func (r *Runs) Has(fn, file string, line int) bool {
	if !r.Funcs[fn] {
		return false
	}
	for _, s := range r.skip[fn] {
		if s.File == file && line >= s.From && line <= s.To {
			return false
		}
	}
	return true
}

// CallGraph is the reference graph of the type-checked packages of one
// side: enough to tell which functions a service can run.
type CallGraph struct {
	refs    map[string]*funcRefs // function -> what it refers to; "pkg.init" for package-level initialisers
	methods map[string][]string  // named type -> its methods
	sig     map[string][]string  // function -> the named types of its parameters and results
	fields  map[string][]string  // named struct type -> the named types of its fields
	gated   map[string][]gate    // function -> its lines that run only under a condition
	Broken  map[string]bool      // packages whose references are incomplete (type errors)
	// MayExecute reports whether a function of a package outside the
	// graph that is handed a cobra command may execute it (nil: any may).
	// The analysis answers from the package's text for the repository's
	// own packages (it names no Execute method: it cannot).
	MayExecute func(pkg string) bool

	reached map[string]reachResult // main package -> what Reachable found (the graph no longer changes once asked)
}

type reachResult struct {
	runs  *Runs
	types map[string]bool
	ok    bool
}

func NewCallGraph() *CallGraph {
	return &CallGraph{refs: map[string]*funcRefs{}, methods: map[string][]string{}, sig: map[string][]string{},
		fields: map[string][]string{}, gated: map[string][]gate{}, Broken: map[string]bool{}}
}

// Merge copies other's entries over cg's: the base side starts from head's
// graph and replaces what changed.
func (cg *CallGraph) Merge(other *CallGraph) {
	cg.reached = nil
	for k, v := range other.refs {
		cg.refs[k] = v
	}
	for k, v := range other.methods {
		cg.methods[k] = v
	}
	for k, v := range other.sig {
		cg.sig[k] = v
	}
	for k, v := range other.fields {
		cg.fields[k] = v
	}
	for k, v := range other.gated {
		cg.gated[k] = v
	}
	for k, v := range other.Broken {
		cg.Broken[k] = v
	}
}

// AddPackage records a type-checked package's declarations and references.
func (cg *CallGraph) AddPackage(fset *token.FileSet, tp *Package) {
	cg.reached = nil
	info := tp.Info
	if len(tp.Errs) > 0 || tp.Partial > 0 {
		cg.Broken[tp.Src.Path] = true
	}
	initName := tp.Src.Path + ".init"
	for _, f := range tp.Files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				fn, ok := info.Defs[d.Name].(*types.Func)
				if !ok {
					continue
				}
				name := fn.Origin().FullName()
				if d.Name.Name == "init" && d.Recv == nil {
					name = initName
				}
				cg.collect(fset, info, name, d)
				sig := fn.Type().(*types.Signature)
				var named []string
				for _, tup := range []*types.Tuple{sig.Params(), sig.Results()} {
					for i := 0; i < tup.Len(); i++ {
						named = append(named, namedIn(tup.At(i).Type())...)
					}
				}
				cg.sig[name] = named
				if r := sig.Recv(); r != nil {
					if n := namedOf(r.Type()); n != "" {
						cg.methods[n] = append(cg.methods[n], name)
					}
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if _, isType := s.(*ast.TypeSpec); isType || d.Tok == token.IMPORT {
						// Declaring a type (or importing) runs nothing: the
						// types it names are not built by it, and a type's
						// fields' types are reached with it (fields).
						continue
					}
					vs, ok := s.(*ast.ValueSpec)
					if ok && assertionOnly(info, vs) {
						continue
					}
					if !ok || len(vs.Names) != len(vs.Values) {
						cg.collect(fset, info, initName, s)
						continue
					}
					// var newClient = func(...) {...}: the literal runs
					// when the variable is used, not when the package
					// is initialised.
					for i, n := range vs.Names {
						v, isVar := info.Defs[n].(*types.Var)
						lit, isLit := ast.Unparen(vs.Values[i]).(*ast.FuncLit)
						if !isVar || !isLit || n.Name == "_" {
							cg.collect(fset, info, initName, vs.Values[i])
							continue
						}
						node := varNodeName(v)
						cg.collect(fset, info, node, lit)
						from, to := fset.Position(lit.Pos()), fset.Position(lit.End())
						cg.gated[initName] = append(cg.gated[initName], gate{Span{from.Filename, from.Line, to.Line}, node})
					}
					if vs.Type != nil {
						cg.collect(fset, info, initName, vs.Type)
					}
				}
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok {
						continue
					}
					obj, ok := info.Defs[ts.Name].(*types.TypeName)
					if !ok {
						continue
					}
					key := typeKeyOf(obj)
					if st, ok := obj.Type().Underlying().(*types.Struct); ok {
						for i := 0; i < st.NumFields(); i++ {
							cg.fields[key] = append(cg.fields[key], namedIn(st.Field(i).Type())...)
						}
					}
				}
			}
		}
	}
}

// collect adds what a declaration refers to, to function name's entry.
func (cg *CallGraph) collect(fset *token.FileSet, info *types.Info, name string, n ast.Node) {
	r := cg.refs[name]
	if r == nil {
		r = &funcRefs{}
		cg.refs[name] = r
	}
	c := collector{cg: cg, fset: fset, info: info, name: name}
	c.visit(r, n)
}

// collector gathers one function's references.
type collector struct {
	cg   *CallGraph
	fset *token.FileSet
	info *types.Info
	name string
}

func (c *collector) visit(r *funcRefs, n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			switch obj := c.info.Uses[n].(type) {
			case *types.Func:
				r.funcs = append(r.funcs, obj.Origin().FullName())
			case *types.TypeName:
				r.types = append(r.types, typeKeyOf(obj))
			case *types.Var:
				if obj.Pkg() != nil && obj.Parent() == obj.Pkg().Scope() {
					if _, isFunc := obj.Type().Underlying().(*types.Signature); isFunc {
						r.funcs = append(r.funcs, varNodeName(obj))
					}
				}
			}
		case *ast.CompositeLit:
			t := c.info.TypeOf(n)
			if k := namedOf(t); k != "" {
				r.types = append(r.types, k)
			}
			if isCobraCommand(t) {
				if n.Type != nil {
					c.visit(r, n.Type)
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if key, ok := kv.Key.(*ast.Ident); ok && cobraRunFields[key.Name] {
							c.onRun(r, kv.Value)
							continue
						}
					}
					c.visit(r, el)
				}
				return false
			}
		case *ast.AssignStmt:
			// cmd.RunE = func(...) error { ... }
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			gated := false
			for _, l := range n.Lhs {
				if sel, ok := ast.Unparen(l).(*ast.SelectorExpr); ok && cobraRunFields[sel.Sel.Name] && isCobraCommand(c.info.TypeOf(sel.X)) {
					gated = true
				}
			}
			if !gated {
				return true
			}
			for i, l := range n.Lhs {
				c.visit(r, l)
				if sel, ok := ast.Unparen(l).(*ast.SelectorExpr); ok && cobraRunFields[sel.Sel.Name] && isCobraCommand(c.info.TypeOf(sel.X)) {
					c.onRun(r, n.Rhs[i])
				} else {
					c.visit(r, n.Rhs[i])
				}
			}
			return false
		case *ast.CallExpr:
			for _, arg := range n.Args {
				if !isCobraCommand(c.info.TypeOf(arg)) {
					continue
				}
				f, _ := typeutil.Callee(c.info, n).(*types.Func)
				switch {
				case f == nil, f.Pkg() == nil:
					r.hands = append(r.hands, hand{}) // a function value: it may execute the command
				case !isCobraPath(f.Pkg().Path()) && !isCobraPath(path.Dir(f.Pkg().Path())):
					r.hands = append(r.hands, hand{f.Pkg().Path(), f.Origin().FullName()})
				}
				break
			}
		}
		return true
	})
}

// onRun records a command body: what it refers to counts once the program
// executes a command, and the lines of the function literals in it do not
// run until then.
func (c *collector) onRun(r *funcRefs, body ast.Expr) {
	if r.onRun == nil {
		r.onRun = &funcRefs{}
	}
	c.visit(r.onRun, body)
	// Its lines: a function literal, also one handed to a wrapper
	// (RunE: withSignals(func(...) {...})).
	hasLit := false
	ast.Inspect(body, func(n ast.Node) bool {
		_, isLit := n.(*ast.FuncLit)
		hasLit = hasLit || isLit
		return !hasLit
	})
	if hasLit && c.fset != nil {
		from, to := c.fset.Position(body.Pos()), c.fset.Position(body.End())
		c.cg.gated[c.name] = append(c.cg.gated[c.name], gate{Span{from.Filename, from.Line, to.Line}, ""})
	}
}

// assertionOnly reports whether a package-level var declaration only
// asserts at compile time that a type implements an interface
// (var _ io.Reader = (*T)(nil)): its names are all blank and its values
// call nothing, so it runs no code and must not make T's methods
// reachable in every program that links the package.
func assertionOnly(info *types.Info, vs *ast.ValueSpec) bool {
	for _, n := range vs.Names {
		if n.Name != "_" {
			return false
		}
	}
	calls := false
	for _, v := range vs.Values {
		ast.Inspect(v, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if tv, ok := info.Types[c.Fun]; !ok || !tv.IsType() {
					calls = true
				}
			}
			return !calls
		})
	}
	return !calls
}

// Reachable returns the functions a service can run, from its main
// package's main and every package initialiser in its closure, following
// references; a method counts once its receiver type is named, built or
// passed in the code that runs (so calls through interfaces are covered).
// ok is false when a package of the closure has type errors: the graph is
// then incomplete, and every function should count.
func (cg *CallGraph) Reachable(main string, pkgs []string) (*Runs, bool) {
	r := cg.reach(main, pkgs)
	return r.runs, r.ok
}

// ReachedTypes returns the named types that the functions a service can
// run name, build or pass (with the types of their fields), with
// Reachable's ok.
func (cg *CallGraph) ReachedTypes(main string, pkgs []string) (map[string]bool, bool) {
	r := cg.reach(main, pkgs)
	return r.types, r.ok
}

func (cg *CallGraph) reach(main string, pkgs []string) reachResult {
	if r, ok := cg.reached[main]; ok {
		return r
	}
	runs, types, ok := cg.reachable(main, pkgs)
	if cg.reached == nil {
		cg.reached = map[string]reachResult{}
	}
	r := reachResult{runs, types, ok}
	cg.reached[main] = r
	return r
}

func (cg *CallGraph) reachable(main string, pkgs []string) (*Runs, map[string]bool, bool) {
	for _, p := range pkgs {
		if cg.Broken[p] {
			return nil, nil, false
		}
	}
	seen := map[string]bool{}
	typesSeen := map[string]bool{}
	var queue []string
	push := func(f string) {
		if !seen[f] {
			seen[f] = true
			queue = append(queue, f)
		}
	}
	var markType func(string)
	markType = func(t string) {
		if typesSeen[t] {
			return
		}
		typesSeen[t] = true
		for _, m := range cg.methods[t] {
			push(m)
		}
		for _, ft := range cg.fields[t] {
			markType(ft)
		}
	}
	// Command bodies wait until the program's code calls a method that
	// executes a command (a call, not a method reached with its type).
	executes := false
	var waiting []*funcRefs
	var follow func(r *funcRefs)
	execute := func() {
		if executes {
			return
		}
		executes = true
		for _, w := range waiting {
			follow(w)
		}
		waiting = nil
	}
	follow = func(r *funcRefs) {
		for _, g := range r.funcs {
			if isCobraExecute(g) {
				execute()
			}
			push(g)
		}
		for _, t := range r.types {
			markType(t)
		}
	}
	push(main + ".main")
	for _, p := range pkgs {
		push(p + ".init")
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, t := range cg.sig[f] {
			markType(t)
		}
		r := cg.refs[f]
		if r == nil {
			continue
		}
		follow(r)
		for _, h := range r.hands {
			if h.fn == "" || cg.refs[h.fn] == nil && (cg.MayExecute == nil || cg.MayExecute(h.pkg)) {
				execute() // handed to code outside the graph, which may execute it
			}
		}
		if r.onRun != nil {
			if executes {
				follow(r.onRun)
			} else {
				waiting = append(waiting, r.onRun)
			}
		}
	}
	runs := &Runs{Funcs: seen}
	for f := range seen {
		for _, g := range cg.gated[f] {
			if g.node == "" && !executes || g.node != "" && !seen[g.node] {
				if runs.skip == nil {
					runs.skip = map[string][]Span{}
				}
				runs.skip[f] = append(runs.skip[f], g.Span)
			}
		}
	}
	return runs, typesSeen, true
}

// varNodeName is the graph node of a package variable that holds a
// function literal: "var:" and the variable's importpath.name.
func varNodeName(v *types.Var) string { return "var:" + v.Pkg().Path() + "." + v.Name() }

// isCobraExecute reports whether a function's full name is one of the
// methods that execute a cobra command.
func isCobraExecute(f string) bool {
	recv, method, ok := strings.Cut(strings.TrimPrefix(f, "(*"), ").")
	return ok && cobraExecute[method] && strings.HasSuffix(recv, ".Command") && isCobraPath(strings.TrimSuffix(recv, ".Command"))
}

// namedIn lists the named types inside t (through pointers, slices, arrays,
// maps, channels and function signatures).
func namedIn(t types.Type) []string {
	var out []string
	var walk func(types.Type, int)
	walk = func(t types.Type, depth int) {
		if depth > 5 || t == nil {
			return
		}
		switch u := types.Unalias(t).(type) {
		case *types.Named:
			out = append(out, typeKeyOf(u.Obj()))
			if args := u.TypeArgs(); args != nil {
				for i := 0; i < args.Len(); i++ {
					walk(args.At(i), depth+1)
				}
			}
		case *types.Pointer:
			walk(u.Elem(), depth+1)
		case *types.Slice:
			walk(u.Elem(), depth+1)
		case *types.Array:
			walk(u.Elem(), depth+1)
		case *types.Map:
			walk(u.Key(), depth+1)
			walk(u.Elem(), depth+1)
		case *types.Chan:
			walk(u.Elem(), depth+1)
		case *types.Signature:
			for _, tup := range []*types.Tuple{u.Params(), u.Results()} {
				for i := 0; i < tup.Len(); i++ {
					walk(tup.At(i).Type(), depth+1)
				}
			}
		}
	}
	walk(t, 0)
	sort.Strings(out)
	return out
}

// namedOf is the key of t's named type, through one pointer; "" if none.
func namedOf(t types.Type) string {
	if t == nil {
		return ""
	}
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return typeKeyOf(n.Obj())
	}
	return ""
}

// typeKeyOf is importpath.Name of a type name (the origin of generics).
func typeKeyOf(obj *types.TypeName) string {
	if n, ok := obj.Type().(*types.Named); ok {
		obj = n.Origin().Obj()
	}
	if obj.Pkg() == nil {
		return obj.Name()
	}
	return obj.Pkg().Path() + "." + obj.Name()
}
