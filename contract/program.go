package contract

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// The program side: what a program's own code reads from its environment
// and annotations, and which command-line flags it defines. These facts
// are about the program that runs the code, whichever service that is:
// their contract IDs end in ":" ("env:", "flag:", "annotation:"), and
// each service that can run the code gets them for its own contract.
//
// A variable is read by os.Getenv, os.LookupEnv and syscall.Getenv with a
// constant name, by a function of the repository that hands its parameter
// to one of them (getenvOrDie("X")), and by the struct-tag libraries
// (github.com/caarlos0/env, github.com/kelseyhightower/envconfig with its
// prefix and split_words, github.com/sethvargo/go-envconfig) for the
// struct a call parses. A read is required when the program fails without
// the variable: the value (or the ok of LookupEnv) is tested for empty in
// the same function and that branch returns an error, panics, exits or
// logs fatally; or the value is parsed by a call whose error does so; or a
// tag says required (and no default). Other reads are optional, and impose
// no order.
//
// A flag is defined by the standard flag package and spf13/pflag (the
// package functions, FlagSet methods, cobra's Flags() and
// PersistentFlags(), the P variants' shorthands), kingpin's Flag, a
// urfave/cli ...Flag literal's Name and Aliases, and a call of a function
// value shaped like flag.StringVar (func(p *T, name string, value T, usage
// string)) that a package hands its flags to.
//
// An annotation or label is read by indexing an object's Annotations or
// Labels (or GetAnnotations(), GetLabels()) with a constant key.

// selfID is the contract ID of a fact about the program that runs it.
func selfID(k Kind) string { return string(k) + ":" }

// processID is the contract of a kind for a launched program.
func processID(k Kind, program string) string { return string(k) + ":" + program }

// envHelper says that a function reads the variable its parameter names.
type envHelper struct {
	param    int
	required bool
}

// programFacts finds the variables and annotations a package's own code
// reads and the flags it defines. helpers are the functions that read the
// variable a parameter names (importpath-qualified full names); the
// package's own are added.
func programFacts(fset *token.FileSet, info *types.Info, files []*ast.File, pkgPath string, helpers map[string][]envHelper) []fact {
	var decls []*ast.FuncDecl
	var vars []*ast.GenDecl
	for _, f := range files {
		if ast.IsGenerated(f) {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Body != nil {
					decls = append(decls, d)
				}
			case *ast.GenDecl:
				if d.Tok == token.VAR {
					vars = append(vars, d)
				}
			}
		}
	}
	names := funcNames{}
	// Helpers first, so that calls of the package's own helpers count,
	// also those that call each other.
	for range 3 {
		grew := false
		for _, d := range decls {
			pw := newProgramWalker(fset, info, funcFullName(info, d), d, d.Body, helpers, names)
			if found := pw.helperParams(); len(found) > 0 && len(helpers[pw.fn]) != len(found) {
				helpers[pw.fn] = found
				grew = true
			}
		}
		if !grew {
			break
		}
	}
	var out []fact
	for _, d := range decls {
		out = append(out, newProgramWalker(fset, info, funcFullName(info, d), d, d.Body, helpers, names).facts()...)
	}
	for _, d := range vars {
		out = append(out, newProgramWalker(fset, info, pkgPath+".init", nil, d, helpers, names).facts()...)
	}
	return out
}

// programWalker reads one function (or the package's variable
// declarations).
type programWalker struct {
	fset    *token.FileSet
	info    *types.Info
	fn      string
	decl    *ast.FuncDecl
	body    ast.Node
	helpers map[string][]envHelper
	names   funcNames
	parent  map[ast.Node]ast.Node
	ifs     []*ast.IfStmt
	out     []fact
}

func newProgramWalker(fset *token.FileSet, info *types.Info, fn string, decl *ast.FuncDecl, body ast.Node, helpers map[string][]envHelper, names funcNames) *programWalker {
	return &programWalker{fset: fset, info: info, fn: fn, decl: decl, body: body, helpers: helpers, names: names}
}

// index records each node's parent and the function's if statements, the
// first time a check asks: most functions read no variable and never do.
func (pw *programWalker) index() {
	if pw.parent != nil {
		return
	}
	pw.parent = map[ast.Node]ast.Node{}
	var stack []ast.Node
	ast.Inspect(pw.body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if len(stack) > 0 {
			pw.parent[n] = stack[len(stack)-1]
		}
		if s, ok := n.(*ast.IfStmt); ok {
			pw.ifs = append(pw.ifs, s)
		}
		stack = append(stack, n)
		return true
	})
}

// parentOf is the node that holds n in the function's body.
func (pw *programWalker) parentOf(n ast.Node) ast.Node {
	pw.index()
	return pw.parent[n]
}

// ifStmts are the function's if statements.
func (pw *programWalker) ifStmts() []*ast.IfStmt {
	pw.index()
	return pw.ifs
}

// envRead reports whether a call reads a variable, and which argument
// names it.
func (pw *programWalker) envRead(call *ast.CallExpr) (callee string, arg int, required bool, ok bool) {
	f, _ := typeutil.Callee(pw.info, call).(*types.Func)
	if f == nil {
		return "", 0, false, false
	}
	name := pw.names.of(f)
	switch name {
	case "os.Getenv", "os.LookupEnv", "syscall.Getenv":
		return name, 0, false, len(call.Args) == 1
	}
	for _, h := range pw.helpers[name] {
		if h.param < len(call.Args) {
			return name, h.param, h.required, true
		}
	}
	return "", 0, false, false
}

// helperParams finds the parameters the function reads variables by.
func (pw *programWalker) helperParams() []envHelper {
	if pw.decl == nil {
		return nil
	}
	fn, ok := pw.info.Defs[pw.decl.Name].(*types.Func)
	if !ok {
		return nil
	}
	params := fn.Type().(*types.Signature).Params()
	var out []envHelper
	ast.Inspect(pw.body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		_, arg, required, ok := pw.envRead(call)
		if !ok {
			return true
		}
		id, ok := ast.Unparen(call.Args[arg]).(*ast.Ident)
		if !ok {
			return true
		}
		for i := 0; i < params.Len(); i++ {
			if pw.info.Uses[id] == params.At(i) {
				h := envHelper{param: i, required: required || pw.requiredUse(call)}
				if !slices.Contains(out, h) {
					out = append(out, h)
				}
			}
		}
		return true
	})
	return out
}

// facts are the function's reads and flag definitions.
func (pw *programWalker) facts() []fact {
	ast.Inspect(pw.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			pw.call(n)
		case *ast.IndexExpr:
			pw.annotationRead(n)
		case *ast.CompositeLit:
			pw.cliFlag(n)
		}
		return true
	})
	return pw.out
}

func (pw *programWalker) add(k Kind, key string, provide bool, pos token.Pos, via string, optional bool) {
	p := placeAt(pw.fset, pos, pw.fn, via)
	p.Optional = optional && !provide
	pw.out = append(pw.out, fact{contract: selfID(k), key: key, provide: provide, place: p})
}

func (pw *programWalker) call(call *ast.CallExpr) {
	if _, arg, required, ok := pw.envRead(call); ok {
		if key := constString(pw.info, call.Args[arg]); key != "" {
			pw.add(Env, key, false, call.Pos(), "", !(required || pw.requiredUse(call)))
		}
		return
	}
	f, _ := typeutil.Callee(pw.info, call).(*types.Func)
	if f == nil {
		pw.flagFuncValue(call)
		return
	}
	pkg := ""
	if f.Pkg() != nil {
		pkg = f.Pkg().Path()
	}
	switch {
	case pkg == "flag" || pkg == "github.com/spf13/pflag" || strings.HasSuffix(pkg, "/pflag"):
		pw.flagDef(call, f)
	case strings.Contains(pkg, "kingpin") && f.Name() == "Flag" && len(call.Args) > 0:
		if s := constString(pw.info, call.Args[0]); isFlagName(s) {
			pw.add(Flag, s, true, call.Args[0].Pos(), "", false)
		}
	case strings.Contains(pkg, "caarlos0/env"), strings.Contains(pkg, "kelseyhightower/envconfig"), strings.Contains(pkg, "sethvargo/go-envconfig"):
		pw.envStruct(call, f, pkg)
	case strings.HasSuffix(f.Name(), "HasAnnotation") || strings.HasSuffix(f.Name(), "HasLabel"):
		if len(call.Args) == 2 {
			if s := constString(pw.info, call.Args[1]); s != "" {
				pw.add(Annotation, s, false, call.Args[1].Pos(), "", true)
			}
		}
	}
}

// flagNotDefining are the prefixes of flag-package functions with a name
// parameter that look a flag up rather than define it.
var flagNotDefining = []string{"Get", "Lookup", "Set", "Mark", "Changed", "Parse", "Visit", "Shorthand", "Arg", "Has"}

// flagDef reads a definition of the flag and pflag packages: the name
// argument, and the shorthand of pflag's P variants.
func (pw *programWalker) flagDef(call *ast.CallExpr, f *types.Func) {
	for _, p := range flagNotDefining {
		if strings.HasPrefix(f.Name(), p) {
			return
		}
	}
	params := f.Type().(*types.Signature).Params()
	for i := 0; i < params.Len() && i < len(call.Args); i++ {
		p := params.At(i)
		if (p.Name() != "name" && p.Name() != "shorthand") || !isString(p.Type()) {
			continue
		}
		if s := constString(pw.info, call.Args[i]); isFlagName(s) {
			pw.add(Flag, s, true, call.Args[i].Pos(), "", false)
		}
	}
}

// flagFuncValue reads a call of a function value shaped like
// flag.StringVar (p *T, name string, value T, usage string): a package
// that defines its flags on whatever FlagSet it is handed.
func (pw *programWalker) flagFuncValue(call *ast.CallExpr) {
	t := pw.info.TypeOf(call.Fun)
	if t == nil {
		return
	}
	sig, ok := t.Underlying().(*types.Signature)
	if !ok || sig.Params().Len() != 4 || len(call.Args) != 4 {
		return
	}
	ps := sig.Params()
	ptr, ok := ps.At(0).Type().Underlying().(*types.Pointer)
	if !ok || !isString(ps.At(1).Type()) || !types.Identical(ptr.Elem(), ps.At(2).Type()) || !isString(ps.At(3).Type()) {
		return
	}
	if s := constString(pw.info, call.Args[1]); isFlagName(s) {
		pw.add(Flag, s, true, call.Args[1].Pos(), "", false)
	}
}

// cliFlag reads a urfave/cli flag literal: &cli.StringFlag{Name: "x",
// Aliases: []string{"y"}} (v1: Name: "x, y").
func (pw *programWalker) cliFlag(lit *ast.CompositeLit) {
	n, ok := types.Unalias(pw.info.TypeOf(lit)).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || !strings.Contains(n.Obj().Pkg().Path(), "urfave/cli") || !strings.HasSuffix(n.Obj().Name(), "Flag") {
		return
	}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key, _ := kv.Key.(*ast.Ident)
		if key == nil {
			continue
		}
		var names []ast.Expr
		switch key.Name {
		case "Name":
			names = []ast.Expr{kv.Value}
		case "Aliases":
			if l, ok := kv.Value.(*ast.CompositeLit); ok {
				names = l.Elts
			}
		}
		for _, e := range names {
			for _, s := range strings.Split(constString(pw.info, e), ",") {
				if s = strings.TrimSpace(s); isFlagName(s) {
					pw.add(Flag, s, true, e.Pos(), "", false)
				}
			}
		}
	}
}

// annotationRead reads obj.Annotations[K], obj.GetLabels()[K] and the like.
func (pw *programWalker) annotationRead(ix *ast.IndexExpr) {
	if as, ok := pw.parentOf(ix).(*ast.AssignStmt); ok && slices.Contains(as.Lhs, ast.Expr(ix)) {
		return // a write
	}
	var name string
	switch x := ast.Unparen(ix.X).(type) {
	case *ast.SelectorExpr:
		name = x.Sel.Name
	case *ast.CallExpr:
		if sel, ok := ast.Unparen(x.Fun).(*ast.SelectorExpr); ok && len(x.Args) == 0 {
			name = strings.TrimPrefix(sel.Sel.Name, "Get")
		}
	}
	if name != "Annotations" && name != "Labels" {
		return
	}
	if t := pw.info.TypeOf(ix.X); t == nil {
		return
	} else if m, ok := t.Underlying().(*types.Map); !ok || !isString(m.Key()) || !isString(m.Elem()) {
		return
	}
	if s := constString(pw.info, ix.Index); s != "" {
		pw.add(Annotation, s, false, ix.Pos(), "", !pw.requiredUse(ix))
	}
}
