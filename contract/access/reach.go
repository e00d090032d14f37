package access

import (
	"go/ast"
	"go/types"
	"sort"
)

// funcRefs is what one function's code refers to: the functions it calls or
// takes as values, and the named types it names. The reachability of a
// service's functions follows them.
type funcRefs struct {
	funcs []string // types.Func.FullName of the origin
	types []string // importpath.Type
}

// CallGraph is the reference graph of the type-checked packages of one
// side: enough to tell which functions a service can run.
type CallGraph struct {
	refs    map[string]*funcRefs // function -> what it refers to; "pkg.init" for package-level initialisers
	methods map[string][]string  // named type -> its methods
	sig     map[string][]string  // function -> the named types of its parameters and results
	fields  map[string][]string  // named struct type -> the named types of its fields
	Broken  map[string]bool      // packages whose references are incomplete (type errors)

	reached map[string]reachResult // main package -> what Reachable found (the graph no longer changes once asked)
}

type reachResult struct {
	runs  map[string]bool
	types map[string]bool
	ok    bool
}

func NewCallGraph() *CallGraph {
	return &CallGraph{refs: map[string]*funcRefs{}, methods: map[string][]string{}, sig: map[string][]string{},
		fields: map[string][]string{}, Broken: map[string]bool{}}
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
	for k, v := range other.Broken {
		cg.Broken[k] = v
	}
}

// AddPackage records a type-checked package's declarations and references.
func (cg *CallGraph) AddPackage(tp *Package) {
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
				cg.collect(info, name, d)
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
					if vs, ok := s.(*ast.ValueSpec); !ok || !assertionOnly(info, vs) {
						cg.collect(info, initName, s)
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
func (cg *CallGraph) collect(info *types.Info, name string, n ast.Node) {
	r := cg.refs[name]
	if r == nil {
		r = &funcRefs{}
		cg.refs[name] = r
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			switch obj := info.Uses[n].(type) {
			case *types.Func:
				r.funcs = append(r.funcs, obj.Origin().FullName())
			case *types.TypeName:
				r.types = append(r.types, typeKeyOf(obj))
			}
		case *ast.CompositeLit:
			if k := namedOf(info.TypeOf(n)); k != "" {
				r.types = append(r.types, k)
			}
		}
		return true
	})
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
func (cg *CallGraph) Reachable(main string, pkgs []string) (map[string]bool, bool) {
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

func (cg *CallGraph) reachable(main string, pkgs []string) (map[string]bool, map[string]bool, bool) {
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
		for _, g := range r.funcs {
			push(g)
		}
		for _, t := range r.types {
			markType(t)
		}
	}
	return seen, typesSeen, true
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
