package contract

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"slices"
	"strings"
	"unicode"

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
	// Helpers first, so that calls of the package's own helpers count,
	// also those that call each other.
	for range 3 {
		grew := false
		for _, d := range decls {
			pw := newProgramWalker(fset, info, funcFullName(info, d), d, d.Body, helpers)
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
		out = append(out, newProgramWalker(fset, info, funcFullName(info, d), d, d.Body, helpers).facts()...)
	}
	for _, d := range vars {
		out = append(out, newProgramWalker(fset, info, pkgPath+".init", nil, d, helpers).facts()...)
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
	parent  map[ast.Node]ast.Node
	ifs     []*ast.IfStmt
	out     []fact
}

func newProgramWalker(fset *token.FileSet, info *types.Info, fn string, decl *ast.FuncDecl, body ast.Node, helpers map[string][]envHelper) *programWalker {
	pw := &programWalker{fset: fset, info: info, fn: fn, decl: decl, body: body, helpers: helpers, parent: map[ast.Node]ast.Node{}}
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
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
	return pw
}

// envRead reports whether a call reads a variable, and which argument
// names it.
func (pw *programWalker) envRead(call *ast.CallExpr) (callee string, arg int, required bool, ok bool) {
	f, _ := typeutil.Callee(pw.info, call).(*types.Func)
	if f == nil {
		return "", 0, false, false
	}
	name := f.Origin().FullName()
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
	if as, ok := pw.parent[ix].(*ast.AssignStmt); ok && slices.Contains(as.Lhs, ast.Expr(ix)) {
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

// envStruct reads the variables a struct-tag library parses into the
// struct a call is given.
func (pw *programWalker) envStruct(call *ast.CallExpr, f *types.Func, pkg string) {
	var target ast.Expr
	prefix := ""
	switch {
	case strings.Contains(pkg, "kelseyhightower/envconfig") && (f.Name() == "Process" || f.Name() == "MustProcess") && len(call.Args) == 2:
		prefix, target = constString(pw.info, call.Args[0]), call.Args[1]
	case strings.Contains(pkg, "sethvargo/go-envconfig") && (f.Name() == "Process" || f.Name() == "MustProcess") && len(call.Args) >= 2:
		target = call.Args[1]
	case strings.Contains(pkg, "caarlos0/env") && strings.HasPrefix(f.Name(), "Parse") && len(call.Args) >= 1:
		target = call.Args[0]
	}
	var t types.Type
	if target != nil {
		t = pw.info.TypeOf(target)
	} else if inst, ok := pw.info.Instances[calleeIdent(call.Fun)]; ok && inst.TypeArgs.Len() == 1 {
		t = inst.TypeArgs.At(0) // env.ParseAs[Config]()
	}
	st, ok := types.Unalias(derefType(t)).Underlying().(*types.Struct)
	if t == nil || !ok {
		return
	}
	lib := "caarlos0"
	switch {
	case strings.Contains(pkg, "kelseyhightower"):
		lib = "envconfig"
	case strings.Contains(pkg, "sethvargo"):
		lib = "sethvargo"
	}
	if prefix != "" {
		prefix = strings.ToUpper(prefix) + "_"
	}
	pw.tagFields(st, lib, prefix, 0)
}

func calleeIdent(fun ast.Expr) *ast.Ident {
	switch x := ast.Unparen(fun).(type) {
	case *ast.IndexExpr:
		return calleeIdent(x.X)
	case *ast.IndexListExpr:
		return calleeIdent(x.X)
	case *ast.Ident:
		return x
	case *ast.SelectorExpr:
		return x.Sel
	}
	return nil
}

// tagFields reads a struct's fields as a struct-tag library does: lib is
// caarlos0 (env:"NAME,required", envPrefix on nested structs), envconfig
// (kelseyhightower: every exported field, envconfig:"name",
// split_words:"true", required:"true", default) or sethvargo
// (env:"NAME,required", env:",prefix=P_").
func (pw *programWalker) tagFields(st *types.Struct, lib, prefix string, depth int) {
	if depth > 4 {
		return
	}
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		tag := reflect.StructTag(st.Tag(i))
		nested, isStruct := types.Unalias(derefType(f.Type())).Underlying().(*types.Struct)
		if isStruct && (isTimeOrURL(f.Type())) {
			isStruct = false
		}
		switch lib {
		case "envconfig":
			if !f.Exported() || tag.Get("ignored") == "true" {
				continue
			}
			name := tag.Get("envconfig")
			if name == "" {
				name = f.Name()
				if tag.Get("split_words") == "true" {
					name = splitWords(name)
				}
			}
			key := strings.ToUpper(prefix + name)
			if isStruct {
				p := prefix
				if !f.Anonymous() {
					p = key + "_"
				}
				pw.tagFields(nested, lib, p, depth+1)
				continue
			}
			_, hasDefault := tag.Lookup("default")
			pw.add(Env, key, false, f.Pos(), "a struct tag", !(tag.Get("required") == "true" && !hasDefault))
		default:
			env, hasTag := tag.Lookup("env")
			name, opts, _ := strings.Cut(env, ",")
			name = strings.TrimSpace(name)
			if isStruct && name == "" {
				p := prefix + tag.Get("envPrefix")
				for _, o := range strings.Split(opts, ",") {
					if v, ok := strings.CutPrefix(strings.TrimSpace(o), "prefix="); ok {
						p = prefix + v
					}
				}
				pw.tagFields(nested, lib, p, depth+1)
				continue
			}
			if !hasTag || name == "" {
				continue
			}
			required, hasDefault := false, false
			for _, o := range strings.Split(opts, ",") {
				switch o = strings.TrimSpace(o); {
				case o == "required" || o == "notEmpty":
					required = true
				case strings.HasPrefix(o, "default="):
					hasDefault = true
				}
			}
			if _, ok := tag.Lookup("envDefault"); ok {
				hasDefault = true
			}
			pw.add(Env, prefix+name, false, f.Pos(), "a struct tag", !(required && !hasDefault))
		}
	}
}

func isTimeOrURL(t types.Type) bool {
	n, ok := types.Unalias(derefType(t)).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	switch n.Obj().Pkg().Path() + "." + n.Obj().Name() {
	case "time.Time", "time.Duration", "net/url.URL":
		return true
	}
	return false
}

// splitWords is envconfig's split_words: "MaxRetryCount" -> "Max_Retry_Count".
func splitWords(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// requiredUse reports whether the program fails when a read (a call or an
// index expression) comes back empty: its value, or the ok that comes
// with it, is tested for empty in the same function, and the branch taken
// when it is empty returns an error, panics, exits or logs fatally; or the
// value is parsed by a call whose error fails the program
// (checkErr(json.Unmarshal([]byte(os.Getenv("T")), &t)), or
// d, err := time.Parse(layout, v) with if err != nil { return err }),
// outside a branch taken only when it is set.
func (pw *programWalker) requiredUse(read ast.Expr) bool {
	subject := map[types.Object]bool{}
	direct := func(e ast.Expr) bool { return ast.Unparen(e) == read }
	switch p := pw.parent[read].(type) {
	case *ast.AssignStmt:
		if len(p.Rhs) == 1 {
			for _, l := range p.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					if o := pw.info.ObjectOf(id); o != nil {
						subject[o] = true
					}
				}
			}
		}
	case *ast.ValueSpec:
		if len(p.Values) == 1 {
			for _, id := range p.Names {
				if o := pw.info.ObjectOf(id); o != nil {
					subject[o] = true
				}
			}
		}
	}
	is := func(e ast.Expr) bool {
		if direct(e) {
			return true
		}
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && subject[pw.info.Uses[id]]
	}
	for _, s := range pw.ifs {
		empty, set := pw.emptyTest(s.Cond, is)
		if empty && rejects(pw.info, s.Body.List) {
			return true
		}
		if set && s.Else != nil {
			if b, ok := s.Else.(*ast.BlockStmt); ok && rejects(pw.info, b.List) {
				return true
			}
		}
	}
	// Parsed, and failing when the parse does.
	uses := []ast.Expr{read}
	if len(subject) > 0 {
		uses = nil
		ast.Inspect(pw.body, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && subject[pw.info.Uses[id]] && isString(pw.info.TypeOf(id)) {
				uses = append(uses, id)
			}
			return true
		})
	}
	for _, u := range uses {
		if pw.guardedBySet(u, is) {
			continue
		}
		if c := pw.parsingCall(u); c != nil && pw.errorFails(c) {
			return true
		}
	}
	return false
}

// guardedBySet reports whether an expression sits in the branch of an if
// that is taken only when the value is set.
func (pw *programWalker) guardedBySet(e ast.Node, is func(ast.Expr) bool) bool {
	for n := pw.parent[e]; n != nil; n = pw.parent[n] {
		if s, ok := n.(*ast.IfStmt); ok {
			if _, set := pw.emptyTest(s.Cond, is); set && s.Body.Pos() <= e.Pos() && e.End() <= s.Body.End() {
				return true
			}
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
	}
	return false
}

// parsingCall is the call that takes a value as an argument (through
// parentheses and conversions) and returns an error last; nil if none.
func (pw *programWalker) parsingCall(e ast.Expr) *ast.CallExpr {
	var cur ast.Node = e
	for range 4 {
		p := pw.parent[cur]
		switch x := p.(type) {
		case *ast.ParenExpr:
			cur = x
			continue
		case *ast.CallExpr:
			if x.Fun == cur {
				return nil
			}
			if tv, ok := pw.info.Types[x.Fun]; ok && tv.IsType() {
				cur = x // a conversion: []byte(v)
				continue
			}
			t := pw.info.TypeOf(x.Fun)
			if t == nil {
				return nil
			}
			sig, ok := t.Underlying().(*types.Signature)
			if !ok || sig.Results().Len() == 0 || !isErrorType(sig.Results().At(sig.Results().Len()-1).Type()) {
				return nil
			}
			return x
		}
		return nil
	}
	return nil
}

// errorFails reports whether the error a call returns fails the program:
// the call is handed to a checker (checkErr, Must, log.Fatal), or its
// error is assigned and then handed to one, or tested with if err != nil
// and a branch that fails.
func (pw *programWalker) errorFails(c *ast.CallExpr) bool {
	checker := func(call *ast.CallExpr) bool {
		name := ""
		switch f := ast.Unparen(call.Fun).(type) {
		case *ast.Ident:
			name = f.Name
		case *ast.SelectorExpr:
			name = f.Sel.Name
		}
		lower := strings.ToLower(name)
		return strings.HasPrefix(lower, "check") || strings.HasPrefix(lower, "must") || strings.HasPrefix(name, "Fatal") || name == "panic"
	}
	switch p := pw.parent[c].(type) {
	case *ast.CallExpr:
		return checker(p)
	case *ast.AssignStmt:
		if len(p.Rhs) != 1 || len(p.Lhs) == 0 {
			return false
		}
		id, ok := p.Lhs[len(p.Lhs)-1].(*ast.Ident)
		if !ok {
			return false
		}
		errObj := pw.info.ObjectOf(id)
		if errObj == nil {
			return false
		}
		isErr := func(e ast.Expr) bool {
			x, ok := ast.Unparen(e).(*ast.Ident)
			return ok && pw.info.Uses[x] == errObj
		}
		for _, s := range pw.ifs {
			if b, ok := ast.Unparen(s.Cond).(*ast.BinaryExpr); ok && b.Op == token.NEQ && (isErr(b.X) && isNil(pw.info, b.Y) || isErr(b.Y) && isNil(pw.info, b.X)) && rejects(pw.info, s.Body.List) {
				return true
			}
		}
		found := false
		ast.Inspect(pw.body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok && checker(call) && slices.ContainsFunc(call.Args, isErr) {
				found = true
			}
			return !found
		})
		return found
	}
	return false
}

// emptyTest reads a condition about a value: empty when it holds if the
// value is empty (v == "", len(v) == 0, !ok, one of them in a ||), set
// when it holds only if the value is set (v != "", ok, one of them in a
// &&).
func (pw *programWalker) emptyTest(cond ast.Expr, is func(ast.Expr) bool) (empty, set bool) {
	switch c := ast.Unparen(cond).(type) {
	case *ast.UnaryExpr:
		if c.Op == token.NOT && is(c.X) && isBool(pw.info.TypeOf(c.X)) {
			return true, false
		}
	case *ast.Ident:
		if is(c) && isBool(pw.info.TypeOf(c)) {
			return false, true
		}
	case *ast.BinaryExpr:
		switch c.Op {
		case token.LOR:
			e1, _ := pw.emptyTest(c.X, is)
			e2, _ := pw.emptyTest(c.Y, is)
			return e1 || e2, false
		case token.LAND:
			_, s1 := pw.emptyTest(c.X, is)
			_, s2 := pw.emptyTest(c.Y, is)
			return false, s1 || s2
		case token.EQL, token.NEQ, token.GTR, token.LSS:
			x, y := c.X, c.Y
			if pw.isEmptyValue(x) {
				x, y = y, x
			}
			subj := is(x)
			if call, ok := ast.Unparen(x).(*ast.CallExpr); ok && len(call.Args) == 1 {
				if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && id.Name == "len" {
					subj = is(call.Args[0])
				}
			}
			if !subj || !pw.isEmptyValue(y) {
				return false, false
			}
			if isBool(pw.info.TypeOf(x)) { // ok == false
				return c.Op == token.EQL, c.Op == token.NEQ
			}
			return c.Op == token.EQL, c.Op == token.NEQ || c.Op == token.GTR
		}
	}
	return false, false
}

// isEmptyValue reports whether e is "", 0 or false.
func (pw *programWalker) isEmptyValue(e ast.Expr) bool {
	tv, ok := pw.info.Types[e]
	if !ok || tv.Value == nil {
		return false
	}
	switch s := tv.Value.ExactString(); s {
	case `""`, "0", "false":
		return true
	}
	return false
}

func isBool(t types.Type) bool {
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsBoolean != 0
}

// rejects reports whether statements fail: return a non-nil error, panic,
// exit or log fatally (in any logging package).
func rejects(info *types.Info, stmts []ast.Stmt) bool {
	found := false
	for _, st := range stmts {
		ast.Inspect(st, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				if len(n.Results) > 0 {
					last := n.Results[len(n.Results)-1]
					if t := info.TypeOf(last); t != nil && isErrorType(t) && !isNil(info, last) {
						found = true
					}
				}
			case *ast.CallExpr:
				if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok && id.Name == "panic" {
					found = true
				}
				if f, ok := typeutil.Callee(info, n).(*types.Func); ok {
					name := f.Name()
					if f.Origin().FullName() == "os.Exit" || strings.HasPrefix(name, "Fatal") || strings.HasPrefix(name, "Panic") || name == "Exit" || name == "Exitf" {
						found = true
					}
				}
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}
