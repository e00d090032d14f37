package contract

import (
	"go/ast"
	"go/token"
	"go/types"
	"path"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// The walker of one function of the launch analysis: a union-find over
// the expressions of launch types, what each class holds, and the
// function's summary and classes once it is read.

// launchWalker reads one function: a union-find over its launch values.
type launchWalker struct {
	lp     *launchPkg
	fn     string
	decl   *ast.FuncDecl
	parent []int
	own    []*launchContent
	param  []int // node -> parameter index it is rooted at; -2 for none
	ret    map[int]bool
	byKey  map[string]int
	byExpr map[ast.Node]int
	edges  []launchEdge
	lits   []*ast.FuncLit
}

// launchEdge moves what one class holds into another in a role: the
// "K=V" strings of an exec.Cmd's Env become variables, the keys of an
// object's annotation map become annotations.
type launchEdge struct {
	from, to int
	role     string // "env" or "annot"
}

const noParam = -2

func (lp *launchPkg) walker(fn string, d *ast.FuncDecl) *launchWalker {
	return &launchWalker{lp: lp, fn: fn, decl: d, ret: map[int]bool{}, byKey: map[string]int{}, byExpr: map[ast.Node]int{}}
}

func (w *launchWalker) newNode(param int) int {
	w.parent = append(w.parent, len(w.parent))
	w.own = append(w.own, &launchContent{})
	w.param = append(w.param, param)
	return len(w.parent) - 1
}

func (w *launchWalker) find(n int) int {
	for w.parent[n] != n {
		w.parent[n] = w.parent[w.parent[n]]
		n = w.parent[n]
	}
	return n
}

func (w *launchWalker) union(a, b int) int {
	if a < 0 {
		return b
	}
	if b < 0 {
		return a
	}
	ra, rb := w.find(a), w.find(b)
	if ra != rb {
		w.parent[rb] = ra
	}
	return ra
}

func (w *launchWalker) item(s string, e ast.Node) launchItem {
	return launchItem{s: s, place: placeAt(w.lp.fset, e.Pos(), w.fn, "")}
}

func (w *launchWalker) kind(e ast.Expr) launchKind {
	return w.lp.sums.types.kindOf(w.lp.info.TypeOf(e))
}

func objKey(v *types.Var) string {
	return v.Name() + "@" + strconv.Itoa(int(v.Pos()))
}

func varKey(v *types.Var) string {
	if v.Pkg() == nil {
		return v.Name()
	}
	return v.Pkg().Path() + "." + v.Name()
}

// paramIndex is a variable's index among the function's parameters (-1
// for the receiver), or noParam.
func (w *launchWalker) paramIndex(v *types.Var) int {
	if w.decl == nil {
		return noParam
	}
	fn, ok := w.lp.info.Defs[w.decl.Name].(*types.Func)
	if !ok {
		return noParam
	}
	sig := fn.Type().(*types.Signature)
	if r := sig.Recv(); r != nil && r == v {
		return -1
	}
	for i := 0; i < sig.Params().Len(); i++ {
		if sig.Params().At(i) == v {
			return i
		}
	}
	return noParam
}

// varNode is the node of a variable (a path of fields below it when
// fields is not empty).
func (w *launchWalker) varNode(v *types.Var, fields string) int {
	key := objKey(v) + fields
	if n, ok := w.byKey[key]; ok {
		return n
	}
	n := w.newNode(w.paramIndex(v))
	w.byKey[key] = n
	if fields == "" && v.Parent() == v.Pkg().Scope() {
		// A package variable: what its initialiser holds.
		if c := w.lp.sums.vars[varKey(v)]; c != nil {
			w.own[n].add(c)
		}
	}
	return n
}

// node is the class node of an expression of a launch type; -1 when the
// expression is not one.
func (w *launchWalker) node(e ast.Expr) int {
	e = ast.Unparen(e)
	switch x := e.(type) {
	case *ast.StarExpr:
		return w.node(x.X)
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return w.node(x.X)
		}
	case *ast.Ident:
		if v, ok := w.lp.info.ObjectOf(x).(*types.Var); ok && v.Pkg() != nil && w.kind(x) != notLaunch {
			return w.varNode(v, "")
		}
		return -1
	case *ast.SelectorExpr:
		if sel := w.lp.info.Selections[x]; sel == nil {
			if v, ok := w.lp.info.Uses[x.Sel].(*types.Var); ok && v.Pkg() != nil && w.kind(x) != notLaunch {
				return w.varNode(v, "") // pkg.Var
			}
			return -1
		} else if sel.Kind() == types.FieldVal {
			return w.fieldNode(x)
		}
	case *ast.IndexExpr:
		if w.kind(x.X) == listType && w.kind(x) != notLaunch {
			return w.node(x.X) // an element of a list of containers
		}
	case *ast.SliceExpr:
		return w.node(x.X)
	case *ast.CompositeLit:
		return w.lit(x)
	case *ast.CallExpr:
		return w.call(x)
	}
	if w.kind(e) == notLaunch {
		return -1
	}
	if n, ok := w.byExpr[e]; ok {
		return n
	}
	n := w.newNode(noParam)
	w.byExpr[e] = n
	return n
}

// fieldNode is the node of a field selection: the node of the first
// launch object on its path (a container's Args are the container's, a
// pod's Spec.Containers are the pod's), else of the whole path. An
// object's annotations and labels, and an exec.Cmd's Env, are nodes of
// their own that feed the object in their role.
func (w *launchWalker) fieldNode(x *ast.SelectorExpr) int {
	var chain []*ast.SelectorExpr // root.f1, root.f1.f2, ..., x
	var cur ast.Expr = x
	for {
		s, ok := ast.Unparen(cur).(*ast.SelectorExpr)
		if !ok {
			break
		}
		if sel := w.lp.info.Selections[s]; sel == nil || sel.Kind() != types.FieldVal {
			break
		}
		chain = append([]*ast.SelectorExpr{s}, chain...)
		cur = s.X
	}
	root := ast.Unparen(cur)
	for {
		st, ok := root.(*ast.StarExpr)
		if !ok {
			break
		}
		root = ast.Unparen(st.X)
	}
	var rootVar *types.Var
	if id, ok := root.(*ast.Ident); ok {
		if v, ok := w.lp.info.ObjectOf(id).(*types.Var); ok && v.Pkg() != nil {
			rootVar = v
		}
	}
	// at is the node of the path's first i fields (0: the root).
	at := func(i int) int {
		switch {
		case i == 0:
			return w.node(root)
		case rootVar != nil:
			return w.varNode(rootVar, fieldPath(chain[:i]))
		}
		return w.exprNode(chain[i-1])
	}
	holder := -1 // the object whose ObjectMeta the path names explicitly
	for i := range chain {
		var e ast.Expr = root
		if i > 0 {
			e = chain[i-1]
		}
		if k := w.kind(e); k != objectType && k != containerType {
			continue
		}
		obj := at(i)
		if holder >= 0 {
			obj = holder
		}
		role := ""
		switch next := chain[i].Sel.Name; {
		case next == "ObjectMeta" && i+1 < len(chain):
			// pod.ObjectMeta.Annotations is pod.Annotations.
			holder = obj
			continue
		case (next == "Annotations" || next == "Labels") && w.kind(chain[i]) == mapType:
			role = "annot"
		case next == "Env" && isExecCmd(w.lp.info.TypeOf(e)):
			role = "env"
		}
		if role == "" {
			return obj
		}
		sub := at(i + 1)
		w.edge(sub, obj, role)
		return sub
	}
	if w.kind(x) == notLaunch {
		return -1
	}
	return at(len(chain))
}

func fieldPath(chain []*ast.SelectorExpr) string {
	var b strings.Builder
	for _, s := range chain {
		b.WriteString(".")
		b.WriteString(s.Sel.Name)
	}
	return b.String()
}

// exprNode is a node of its own for an expression.
func (w *launchWalker) exprNode(e ast.Expr) int {
	if n, ok := w.byExpr[e]; ok {
		return n
	}
	n := w.newNode(noParam)
	w.byExpr[e] = n
	return n
}

func (w *launchWalker) edge(from, to int, role string) {
	if from < 0 || to < 0 {
		return
	}
	for _, e := range w.edges {
		if e.from == from && e.to == to && e.role == role {
			return
		}
	}
	w.edges = append(w.edges, launchEdge{from, to, role})
}

// str adds a string element of a command line to a node: a constant, or
// the constant prefix of a concatenation ("--level=" + v).
func (w *launchWalker) str(n int, e ast.Expr, first bool, line string) {
	s, ok := w.constPrefix(e)
	if !ok {
		return
	}
	it := w.item(s, e)
	it.line = line
	w.own[n].strs = append(w.own[n].strs, it)
	if first && isHead(s) {
		w.own[n].heads = append(w.own[n].heads, it)
	}
}

// isHead reports whether a command line's first string can name a program.
func isHead(s string) bool {
	return s != "" && !strings.HasPrefix(s, "-") && !strings.ContainsAny(s, " =")
}

// lineHead is the command name a string list literal starts with, "" if
// its first element is not a constant one.
func (w *launchWalker) lineHead(x *ast.CompositeLit) string {
	if len(x.Elts) == 0 {
		return ""
	}
	if s := constString(w.lp.info, x.Elts[0]); isHead(s) {
		return path.Base(s)
	}
	return ""
}

// constPrefix is a string expression's constant value, or the constant
// left part of a concatenation.
func (w *launchWalker) constPrefix(e ast.Expr) (string, bool) {
	if tv, ok := w.lp.info.Types[e]; ok && tv.Value != nil {
		s := constString(w.lp.info, e)
		return s, s != ""
	}
	if b, ok := ast.Unparen(e).(*ast.BinaryExpr); ok && b.Op == token.ADD {
		if s, ok := w.constPrefix(b.X); ok && strings.Contains(s, "=") {
			return s, true
		}
	}
	return "", false
}

// lit is the node of a composite literal, with what it holds.
func (w *launchWalker) lit(x *ast.CompositeLit) int {
	if n, ok := w.byExpr[x]; ok {
		return n
	}
	t := w.lp.info.TypeOf(x)
	k := w.lp.sums.types.kindOf(t)
	if k == notLaunch {
		return -1
	}
	n := w.newNode(noParam)
	w.byExpr[x] = n
	switch u := types.Unalias(derefType(t)).Underlying().(type) {
	case *types.Struct:
		cmd := isExecCmd(t)
		if k == containerType || cmd {
			w.own[n].sites = append(w.own[n].sites, placeAt(w.lp.fset, x.Pos(), w.fn, ""))
		}
		for _, el := range x.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			key, ok := kv.Key.(*ast.Ident)
			if !ok {
				continue
			}
			switch f := key.Name; {
			case k == containerType && f == "Name":
				if s := constString(w.lp.info, kv.Value); s != "" {
					w.own[n].names = append(w.own[n].names, w.item(s, kv.Value))
				}
			case k == containerType && f == "Image":
				if s := constString(w.lp.info, kv.Value); s != "" {
					w.own[n].images = append(w.own[n].images, w.item(s, kv.Value))
				}
			case k == envVarType && f == "Name":
				if s := constString(w.lp.info, kv.Value); s != "" {
					w.own[n].env = append(w.own[n].env, w.item(s, kv.Value))
				}
			case (f == "Annotations" || f == "Labels") && w.kind(kv.Value) == mapType:
				w.edge(w.node(kv.Value), n, "annot")
			case cmd && f == "Env":
				w.edge(w.node(kv.Value), n, "env")
			case cmd && f == "Path":
				if s := constString(w.lp.info, kv.Value); s != "" {
					w.own[n].heads = append(w.own[n].heads, w.item(s, kv.Value))
				}
			default:
				if w.kind(kv.Value) != mapType {
					w.union(n, w.node(kv.Value))
				}
			}
		}
	case *types.Slice:
		line := w.lineHead(x)
		for i, el := range x.Elts {
			if isString(u.Elem()) {
				w.str(n, el, i == 0, line)
				continue
			}
			w.union(n, w.node(el))
		}
	case *types.Map:
		for _, el := range x.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if s := constString(w.lp.info, kv.Key); s != "" {
					w.own[n].mapKeys = append(w.own[n].mapKeys, w.item(s, kv.Key))
				}
			}
		}
	}
	return n
}

// call is the node of a call's result, after applying what the call does
// to its arguments.
func (w *launchWalker) call(x *ast.CallExpr) int {
	if n, ok := w.byExpr[x]; ok {
		return n
	}
	info := w.lp.info
	if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			if b.Name() != "append" || len(x.Args) == 0 {
				return -1
			}
			n := w.newNode(noParam)
			w.byExpr[x] = n
			w.union(n, w.node(x.Args[0]))
			strs := isString(elemOf(info.TypeOf(x.Args[0])))
			for i, a := range x.Args[1:] {
				if x.Ellipsis.IsValid() && i == len(x.Args)-2 {
					w.union(n, w.node(a))
					continue
				}
				if strs {
					w.str(n, a, false, "")
					continue
				}
				w.union(n, w.node(a))
			}
			return n
		}
	}
	if tv, ok := info.Types[x.Fun]; ok && tv.IsType() {
		if len(x.Args) == 1 {
			return w.node(x.Args[0]) // a conversion
		}
		return -1
	}
	callee, _ := typeutil.Callee(info, x).(*types.Func)
	n := -1
	if w.kind(x) != notLaunch {
		n = w.newNode(noParam)
	}
	w.byExpr[x] = n
	if callee == nil {
		return n
	}
	switch w.lp.names.of(callee) {
	case "os/exec.Command", "os/exec.CommandContext":
		args := x.Args
		if callee.Name() == "CommandContext" && len(args) > 0 {
			args = args[1:]
		}
		if len(args) == 0 || n < 0 {
			return n
		}
		w.own[n].sites = append(w.own[n].sites, placeAt(w.lp.fset, x.Pos(), w.fn, ""))
		line := ""
		if s := constString(info, args[0]); s != "" {
			w.own[n].heads = append(w.own[n].heads, w.item(s, args[0]))
			line = path.Base(s)
		}
		for i, a := range args[1:] {
			if x.Ellipsis.IsValid() && i == len(args)-2 {
				w.union(n, w.node(a))
				continue
			}
			w.str(n, a, false, line)
		}
		return n
	}
	if strings.HasSuffix(callee.Name(), "SetMetaDataAnnotation") || strings.HasSuffix(callee.Name(), "SetMetaDataLabel") {
		if len(x.Args) >= 2 {
			if s := constString(info, x.Args[1]); s != "" {
				if m := w.node(x.Args[0]); m >= 0 {
					w.own[m].annots = append(w.own[m].annots, w.item(s, x.Args[1]))
				}
			}
		}
		return n
	}
	if (callee.Name() == "SetAnnotations" || callee.Name() == "SetLabels") && len(x.Args) == 1 {
		if sel, ok := ast.Unparen(x.Fun).(*ast.SelectorExpr); ok {
			w.edge(w.node(x.Args[0]), w.node(sel.X), "annot")
		}
		return n
	}
	for _, s := range w.summariesOf(x, callee) {
		if s == nil {
			continue
		}
		if n >= 0 {
			w.own[n].add(s.ret)
		}
		for i, c := range s.params {
			var arg ast.Expr
			switch {
			case i == -1:
				if sel, ok := ast.Unparen(x.Fun).(*ast.SelectorExpr); ok {
					arg = sel.X
				}
			case i < len(x.Args):
				arg = x.Args[i]
			}
			if arg == nil {
				continue
			}
			if m := w.node(arg); m >= 0 {
				w.own[m].add(c)
			}
		}
	}
	return n
}

// summariesOf are the summaries of what a call may run: the function, or,
// for a method called through an interface, the methods of that name in
// the package whose receivers implement it.
func (w *launchWalker) summariesOf(x *ast.CallExpr, callee *types.Func) []*launchSummary {
	sig := callee.Type().(*types.Signature)
	if r := sig.Recv(); r != nil && types.IsInterface(r.Type()) {
		iface, _ := r.Type().Underlying().(*types.Interface)
		var out []*launchSummary
		for _, m := range w.lp.methods[callee.Name()] {
			recv := m.Type().(*types.Signature).Recv().Type()
			if iface != nil && (types.Implements(recv, iface) || types.Implements(types.NewPointer(recv), iface)) {
				out = append(out, w.lp.summary(m))
			}
		}
		return out
	}
	if _, local := w.lp.decls[callee.Origin()]; local {
		return []*launchSummary{w.lp.summary(callee.Origin())}
	}
	return []*launchSummary{w.lp.sums.funcs[w.lp.names.of(callee)]}
}

// walk reads a function body (or package variable declarations).
func (w *launchWalker) walk(body ast.Node) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			w.lits = append(w.lits, n)
		case *ast.AssignStmt:
			w.assign(n.Lhs, n.Rhs)
		case *ast.ValueSpec:
			var lhs []ast.Expr
			for _, id := range n.Names {
				lhs = append(lhs, id)
			}
			w.assign(lhs, n.Values)
		case *ast.RangeStmt:
			if n.Value != nil && (w.kind(n.X) == listType) {
				w.union(w.node(n.Value), w.node(n.X))
			}
		case *ast.ReturnStmt:
			if !w.inLit(n) {
				for _, r := range n.Results {
					if m := w.node(r); m >= 0 {
						w.ret[m] = true
					}
				}
			}
		case *ast.CompositeLit:
			w.lit(n)
		case *ast.CallExpr:
			w.call(n)
		}
		return true
	})
}

func (w *launchWalker) inLit(n ast.Node) bool {
	for _, l := range w.lits {
		if l.Pos() <= n.Pos() && n.End() <= l.End() {
			return true
		}
	}
	return false
}

// assign unites what is assigned with where it goes; a constant key of
// a map index is a key of that map.
func (w *launchWalker) assign(lhs, rhs []ast.Expr) {
	for i, l := range lhs {
		var r ast.Expr
		switch {
		case len(lhs) == len(rhs):
			r = rhs[i]
		case len(rhs) == 1:
			r = rhs[0] // a, b := f()
		default:
			continue
		}
		if ix, ok := ast.Unparen(l).(*ast.IndexExpr); ok && w.kind(ix.X) == mapType {
			if s := constString(w.lp.info, ix.Index); s != "" {
				if m := w.node(ix.X); m >= 0 {
					w.own[m].mapKeys = append(w.own[m].mapKeys, w.item(s, ix.Index))
				}
			}
			continue
		}
		if sel, ok := ast.Unparen(l).(*ast.SelectorExpr); ok && w.lp.info.Selections[sel] != nil {
			if w.lp.sums.types.kindOf(w.lp.info.TypeOf(sel.X)) == containerType {
				switch sel.Sel.Name {
				case "Name", "Image":
					if s, m := constString(w.lp.info, r), w.node(sel.X); s != "" && m >= 0 {
						if sel.Sel.Name == "Name" {
							w.own[m].names = append(w.own[m].names, w.item(s, r))
						} else {
							w.own[m].images = append(w.own[m].images, w.item(s, r))
						}
					}
					continue
				}
			}
		}
		ln := w.node(l)
		if ln < 0 {
			continue
		}
		w.union(ln, w.node(r))
	}
}

// final is the content of each class, by its root, with the edges applied.
func (w *launchWalker) final() map[int]*launchContent {
	out := map[int]*launchContent{}
	for n := range w.parent {
		r := w.find(n)
		if out[r] == nil {
			out[r] = &launchContent{}
		}
		out[r].add(w.own[n])
	}
	for _, e := range w.edges {
		from, to := out[w.find(e.from)], out[w.find(e.to)]
		if from == nil || to == nil {
			continue
		}
		switch e.role {
		case "env":
			for _, it := range from.strs {
				if k, _, ok := strings.Cut(it.s, "="); ok && isEnvName(k) {
					to.env = append(to.env, launchItem{s: k, place: it.place})
				}
			}
		case "annot":
			to.annots = append(to.annots, from.mapKeys...)
		}
	}
	for _, c := range out {
		c.compact()
	}
	return out
}

// summarize is the function's summary: what its returned launch values
// hold, and what it adds to those it is passed.
func (w *launchWalker) summarize() *launchSummary {
	s := &launchSummary{ret: &launchContent{}, params: map[int]*launchContent{}}
	fin := w.final()
	retRoots := map[int]bool{}
	for n := range w.ret {
		retRoots[w.find(n)] = true
	}
	for r := range retRoots {
		s.ret.add(fin[r])
	}
	paramRoots := map[int]map[int]bool{}
	for n, p := range w.param {
		if p == noParam {
			continue
		}
		if paramRoots[p] == nil {
			paramRoots[p] = map[int]bool{}
		}
		paramRoots[p][w.find(n)] = true
	}
	for p, roots := range paramRoots {
		c := &launchContent{}
		for r := range roots {
			c.add(fin[r])
		}
		if !c.empty() {
			s.params[p] = c
		}
	}
	s.ret.compact()
	return s
}

// classes are the function's classes that hold something to hand a
// program.
func (w *launchWalker) classes() []launchClass {
	fin := w.final()
	escapes := map[int]bool{}
	for n := range w.ret {
		escapes[w.find(n)] = true
	}
	for n, p := range w.param {
		if p != noParam {
			escapes[w.find(n)] = true
		}
	}
	roots := make([]int, 0, len(fin))
	for r := range fin {
		roots = append(roots, r)
	}
	slices.Sort(roots)
	var out []launchClass
	for _, r := range roots {
		c := fin[r]
		if len(c.env)+len(c.strs)+len(c.annots) == 0 {
			continue
		}
		if len(c.names)+len(c.images)+len(c.heads)+len(c.sites) == 0 {
			continue
		}
		out = append(out, launchClass{fn: w.fn, content: c, escapes: escapes[r]})
	}
	return out
}
