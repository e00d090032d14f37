package access

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// Record is one read or write of a contract field, or (Whole) of every key
// of a type, by one package's code.
type Record struct {
	Path  []FieldRef // the field, after the embedded fields it is promoted through; nil when Whole is set
	Whole string     // importpath.Type whose every key reflection sees
	Read  bool
	Write bool
	File  string
	Line  int
	Func  string // enclosing function (types.Func.FullName), for fallback detection
	Via   string // how, when not a selector or literal: "GetName()", "a template", "a relay"
	// Guards are the fields read by the conditions that a read sits under,
	// in the same function: the if statements whose body or else holds it,
	// the left operands of && and || it is the right operand of, and
	// switch tags; a local variable in a condition stands for the fields
	// its definition reads (v := x.New; if v == "" { v = x.Old }).
	Guards [][]FieldRef
	// Optional marks a read that does without the fields when they are
	// absent: printing a value whole (fmt, log), or relaying it.
	Optional bool
	// MapKeys are the constant keys of a map[string]... value that the code
	// encodes: it writes those keys of the contract that has them all.
	MapKeys []string
	// Needs is set on an access made by calling a method through an
	// interface value (m.GetTenant() with m of an interface type): the
	// contract type (importpath.Type) whose method it would be. It counts
	// for a service only when that type reaches the service's code.
	Needs string
	// Calls is set on a call of a method through an interface value until
	// ExpandInterfaceCalls replaces the record by the accesses of that
	// method of each contract type that has all the interface's methods:
	// those types' summaries may come from packages walked later.
	Calls *InterfaceCall
}

// InterfaceCall is a method called through an interface value.
type InterfaceCall struct {
	Method  string   // the method called
	Methods []string // every method of the interface
}

// ExpandInterfaceCalls replaces the records of calls through interface
// values by what each contract type whose method may run there accesses,
// with the final summaries of one side: at the call, counting for a
// service only when the type reaches it (Needs).
func ExpandInterfaceCalls(recs []Record, sum *Summaries) []Record {
	if !slices.ContainsFunc(recs, func(r Record) bool { return r.Calls != nil }) {
		return recs
	}
	out := make([]Record, 0, len(recs))
	for _, r := range recs {
		if r.Calls == nil {
			out = append(out, r)
			continue
		}
		for _, m := range sum.ByName[r.Calls.Method] {
			t := sum.Receiver[m]
			has := sum.MethodNames[t]
			if !all(r.Calls.Methods, func(name string) bool { return has[name] }) {
				continue
			}
			for _, a := range sum.Methods[m] {
				a.Via = r.Calls.Method + "() through an interface"
				a.Needs = t
				a.File, a.Line, a.Func = r.File, r.Line, r.Func
				a.Guards = nil
				if a.Read {
					a.Guards = r.Guards
				}
				out = append(out, a)
			}
		}
	}
	return out
}

func all[T any](s []T, f func(T) bool) bool {
	for _, x := range s {
		if !f(x) {
			return false
		}
	}
	return true
}

// Summaries carry what one package's analysis tells the packages that
// import it. They are filled in dependency order.
type Summaries struct {
	Methods map[string][]Record // method of a contract type -> the receiver fields it accesses
	Decoded map[string]bool     // function -> returns a value it decoded from the wire
	// Generic are the methods a generic function calls on values of its
	// type parameters (in.SetInstanceId() with in of type T): each
	// instantiation with a contract type accesses what that type's method
	// does.
	Generic map[string][]GenericCall
	// ByName lists the summarised methods by their name, and MethodNames
	// the names of every method of each contract type: a call through an
	// interface value may run the methods of the types that have them all.
	ByName      map[string][]string        // method name -> summarised methods (FullName)
	Receiver    map[string]string          // summarised method -> its receiver type (importpath.Type)
	MethodNames map[string]map[string]bool // contract type -> the names of its methods
}

// GenericCall is a call of a method on a value whose type is a type
// parameter of a generic function.
type GenericCall struct {
	TypeParam int    // index in the function's type parameters
	Method    string // the method's name
	File      string
	Line      int
	pkg       *types.Package // for unexported method names
}

func NewSummaries() *Summaries {
	return &Summaries{Methods: map[string][]Record{}, Decoded: map[string]bool{}, Generic: map[string][]GenericCall{},
		ByName: map[string][]string{}, Receiver: map[string]string{}, MethodNames: map[string]map[string]bool{}}
}

// Copy copies other's summaries into s: the base side starts from head's.
func (s *Summaries) Copy(other *Summaries) {
	maps.Copy(s.Methods, other.Methods)
	maps.Copy(s.Decoded, other.Decoded)
	maps.Copy(s.Generic, other.Generic)
	maps.Copy(s.Receiver, other.Receiver)
	for name, ms := range other.ByName {
		s.ByName[name] = slices.Clone(ms)
	}
	for t, names := range other.MethodNames {
		s.MethodNames[t] = maps.Clone(names)
	}
}

// walker records the field accesses of one package.
type walker struct {
	fset    *token.FileSet
	info    *types.Info
	tracked map[string]bool // type keys whose fields are recorded
	sum     *Summaries

	out     []Record
	fn      string                // current function
	recv    types.Object          // receiver of the current method, when its type is tracked
	recvOut *[]Record             // phase 1: where receiver accesses go; nil in phase 2 (dropped)
	calls   *[]string             // phase 1: receiver methods the method calls
	decoded map[types.Object]bool // values decoded in the current function
	stack   []ast.Node

	defs   map[types.Object][][]FieldRef // current function: local variable -> the fields its definition reads
	guards map[ast.Node][][]FieldRef     // condition -> the fields it reads

	generated map[*token.File]bool // the package's generated files

	names       map[*types.Func]string                   // FullName of each function's origin, built once
	decodedOf   map[*ast.BlockStmt]map[types.Object]bool // phase 1's collectDecoded of each body, for phase 2
	decodedAt   map[*ast.BlockStmt]int                   // decodedSeen when it was read
	decodedSeen int                                      // the functions phase 1 found to return decoded values, so far
}

// fullName is f.Origin().FullName(), memoised: building it allocates, and
// every call in a package asks.
func (w *walker) fullName(f *types.Func) string {
	if n, ok := w.names[f]; ok {
		return n
	}
	n := f.Origin().FullName()
	w.names[f] = n
	return n
}

// decodedIn returns the values decoded in a function body. Phase 1 reads
// each body once; phase 2 reuses that unless a function found later in
// phase 1 to return decoded values may change the answer.
func (w *walker) decodedIn(body *ast.BlockStmt) map[types.Object]bool {
	if d, ok := w.decodedOf[body]; ok && w.decodedAt[body] == w.decodedSeen {
		return d
	}
	d := w.collectDecoded(body)
	w.decodedOf[body], w.decodedAt[body] = d, w.decodedSeen
	return d
}

// Walk returns the accesses recorded in a type-checked package
// and adds its method and decoder summaries to sum.
func Walk(fset *token.FileSet, tp *Package, tracked map[string]bool, sum *Summaries) []Record {
	w := &walker{fset: fset, info: tp.Info, tracked: tracked, sum: sum, names: map[*types.Func]string{},
		decodedOf: map[*ast.BlockStmt]map[types.Object]bool{}, decodedAt: map[*ast.BlockStmt]int{}}
	// Phase 1: summaries — what each method of a contract type does to its
	// receiver, and which functions return decoded values.
	direct := map[string][]Record{}
	calls := map[string][]string{}
	for _, f := range tp.Files {
		generated := ast.IsGenerated(f)
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			name := w.funcName(fd)
			recvKey := w.trackedRecvType(fd)
			if recvKey != "" {
				if sum.MethodNames[recvKey] == nil {
					sum.MethodNames[recvKey] = map[string]bool{}
				}
				sum.MethodNames[recvKey][fd.Name.Name] = true
			}
			w.decoded = w.decodedIn(fd.Body)
			if w.returnsDecoded(fd.Body) {
				sum.Decoded[name] = true
				w.decodedSeen++
			}
			if generated && !isAccessor(fd.Name.Name) {
				// Generated code is transport: Marshal, Unmarshal, Size,
				// String, Validate... touch every field, and calling them is
				// not reading or writing those fields. Generated accessors
				// (GetX, SetX) do stand for their field.
				continue
			}
			if recv := w.trackedRecv(fd); recv != nil {
				var acc []Record
				var cs []string
				w.fn, w.recv, w.recvOut, w.calls = name, recv, &acc, &cs
				w.walk(fd.Body)
				direct[name], calls[name] = acc, cs
				w.recv, w.recvOut, w.calls = nil, nil, nil
				if !slices.Contains(sum.ByName[fd.Name.Name], name) {
					sum.ByName[fd.Name.Name] = append(sum.ByName[fd.Name.Name], name)
				}
				sum.Receiver[name] = recvKey
			}
		}
	}
	for name := range direct {
		sum.Methods[name] = closeOver(name, direct, calls)
	}
	// Phase 2: the accesses, in the code people wrote: generated code never
	// makes a service a provider or a consumer; the service's own calls
	// into it do.
	w.out = nil
	w.generated = map[*token.File]bool{}
	for _, f := range tp.Files {
		if ast.IsGenerated(f) {
			w.generated[fset.File(f.FileStart)] = true
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Body == nil {
					continue
				}
				w.fn = w.funcName(d)
				w.recv = w.trackedRecv(d)
				w.decoded = w.decodedIn(d.Body)
				w.defs, w.guards = nil, nil
				w.walk(d.Body)
			case *ast.GenDecl:
				w.fn, w.recv = tp.Src.Path+".init", nil
				w.decoded = w.collectDecoded(d)
				w.walk(d)
			}
		}
	}
	w.instantiations()
	return w.out
}

// instantiations records, for each instantiation of a generic function
// in this package's code with a contract type, what the function's calls
// of methods on that type parameter access: workflowInModifier[*Req]
// calling in.SetInstanceId() writes Req.InstanceId, at the call.
func (w *walker) instantiations() {
	w.recv, w.recvOut = nil, nil
	var ids []*ast.Ident
	for id := range w.info.Instances {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].Pos() < ids[j].Pos() })
	for _, id := range ids {
		if w.generated[w.fset.File(id.Pos())] {
			continue
		}
		fn, ok := w.info.Uses[id].(*types.Func)
		if !ok {
			continue
		}
		name := fn.Origin().FullName()
		calls := w.sum.Generic[name]
		if len(calls) == 0 {
			continue
		}
		args := w.info.Instances[id].TypeArgs
		for _, c := range calls {
			if c.TypeParam >= args.Len() {
				continue
			}
			arg := args.At(c.TypeParam)
			if n, _ := NamedStruct(arg); n == nil || !w.tracked[TypeKey(n)] {
				continue
			}
			obj, _, _ := types.LookupFieldOrMethod(arg, true, c.pkg, c.Method)
			m, ok := obj.(*types.Func)
			if !ok {
				continue
			}
			for _, a := range w.sum.Methods[m.Origin().FullName()] {
				a.Via = c.Method + "() in " + fn.Name()
				a.File, a.Line, a.Func = c.File, c.Line, name
				w.out = append(w.out, a)
			}
		}
	}
}

// isAccessor reports whether a generated method's name is an accessor's:
// GetX, SetX, HasX, ClearX.
func isAccessor(name string) bool {
	for _, p := range []string{"Get", "Set", "Has", "Clear"} {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" {
			return true
		}
	}
	return false
}

// closeOver merges the accesses of the receiver methods a method calls.
func closeOver(name string, direct map[string][]Record, calls map[string][]string) []Record {
	seen := map[string]bool{}
	var out []Record
	var visit func(string)
	visit = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		out = append(out, direct[n]...)
		for _, c := range calls[n] {
			visit(c)
		}
	}
	visit(name)
	return out
}

func (w *walker) funcName(fd *ast.FuncDecl) string {
	if obj, ok := w.info.Defs[fd.Name].(*types.Func); ok {
		return w.fullName(obj)
	}
	return fd.Name.Name
}

// trackedRecvType returns the receiver type of a method whose receiver
// type is tracked, or "".
func (w *walker) trackedRecvType(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) != 1 {
		return ""
	}
	if n, _ := NamedStruct(w.info.TypeOf(fd.Recv.List[0].Type)); n != nil && w.tracked[TypeKey(n)] {
		return TypeKey(n)
	}
	return ""
}

// trackedRecv returns the receiver object of a method whose receiver type
// is tracked.
func (w *walker) trackedRecv(fd *ast.FuncDecl) types.Object {
	if fd.Recv == nil || len(fd.Recv.List) == 0 || len(fd.Recv.List[0].Names) == 0 {
		return nil
	}
	obj := w.info.Defs[fd.Recv.List[0].Names[0]]
	if obj == nil {
		return nil
	}
	if n, _ := NamedStruct(obj.Type()); n != nil && w.tracked[TypeKey(n)] {
		return obj
	}
	return nil
}

// walk visits a subtree with a parent stack.
func (w *walker) walk(root ast.Node) {
	ast.Inspect(root, func(n ast.Node) bool {
		if n == nil {
			w.stack = w.stack[:len(w.stack)-1]
			return true
		}
		w.stack = append(w.stack, n)
		w.visit(n)
		return true
	})
}

func (w *walker) visit(n ast.Node) {
	switch n := n.(type) {
	case *ast.SelectorExpr:
		sel := w.info.Selections[n]
		if sel == nil {
			return
		}
		switch sel.Kind() {
		case types.FieldVal:
			if w.embeddedOperand(n) {
				return // x.Embedded.F: the outer selector records the key
			}
			path, ok := w.fieldPath(sel)
			if !ok {
				return
			}
			read, write := w.context(len(w.stack) - 1)
			w.record(n.X, Record{Path: path, Read: read, Write: write}, n.Sel.Pos())
		case types.MethodVal:
			f, ok := sel.Obj().(*types.Func)
			if !ok {
				return
			}
			name := w.fullName(f)
			if w.recvOut != nil && w.rootObj(n.X) == w.recv {
				*w.calls = append(*w.calls, name)
				return
			}
			if w.recv != nil && w.rootObj(n.X) == w.recv {
				return // part of this method's own summary
			}
			if tp, ok := types.Unalias(sel.Recv()).(*types.TypeParam); ok && w.recvOut == nil {
				p := w.fset.Position(n.Sel.Pos())
				w.sum.Generic[w.fn] = append(w.sum.Generic[w.fn], GenericCall{TypeParam: tp.Index(), Method: n.Sel.Name, File: p.Filename, Line: p.Line, pkg: f.Pkg()})
				return
			}
			if iface, ok := sel.Recv().Underlying().(*types.Interface); ok {
				if w.recvOut == nil {
					w.throughInterface(n, iface)
				}
				return
			}
			for _, a := range w.sum.Methods[name] {
				a.Via = n.Sel.Name + "()"
				w.record(n.X, a, n.Sel.Pos())
			}
		}
	case *ast.CompositeLit:
		w.compositeLit(n)
	case *ast.CallExpr:
		w.call(n)
	}
}

// throughInterface records what a method called through an interface
// value (m.GetTenant() with m of an interface type) would access, for
// each contract type that has every method of the interface: the
// accesses count for a service only when that type reaches its code.
func (w *walker) throughInterface(n *ast.SelectorExpr, iface *types.Interface) {
	call := &InterfaceCall{Method: n.Sel.Name}
	for i := 0; i < iface.NumMethods(); i++ {
		call.Methods = append(call.Methods, iface.Method(i).Name())
	}
	p := w.fset.Position(n.Sel.Pos())
	w.out = append(w.out, Record{Calls: call, File: p.Filename, Line: p.Line, Func: w.fn, Guards: w.guardsHere()})
}

// fieldPath returns the fields a selection goes through: the embedded
// fields it is promoted through, then the selected field, each named by the
// struct type that declares it. Leading hops through types that are not
// contracts are dropped (a local struct embedding a contract type).
func (w *walker) fieldPath(sel *types.Selection) ([]FieldRef, bool) {
	t := sel.Recv()
	var path []FieldRef
	for _, j := range sel.Index() {
		n, st := NamedStruct(t)
		if st == nil {
			u := types.Unalias(t)
			if p, ok := u.(*types.Pointer); ok {
				u = p.Elem()
			}
			st, _ = u.Underlying().(*types.Struct)
			if st == nil || j >= st.NumFields() {
				return nil, false
			}
		}
		f := st.Field(j)
		if n == nil || !w.tracked[TypeKey(n)] {
			path = nil
		} else {
			path = append(path, FieldRef{Type: TypeKey(n), Field: f.Name()})
		}
		t = f.Type()
	}
	return path, len(path) > 0
}

// embeddedOperand reports whether the selector at the top of the stack
// selects an embedded field only to select further through it.
func (w *walker) embeddedOperand(n *ast.SelectorExpr) bool {
	if len(w.stack) < 2 {
		return false
	}
	outer, ok := w.stack[len(w.stack)-2].(*ast.SelectorExpr)
	if !ok || outer.X != n {
		return false
	}
	if osel := w.info.Selections[outer]; osel == nil || osel.Kind() != types.FieldVal {
		return false
	}
	v, ok := w.info.Selections[n].Obj().(*types.Var)
	return ok && v.Embedded()
}

// context classifies the use of the expression at stack[i]: read, write,
// or both.
func (w *walker) context(i int) (read, write bool) {
	if i == 0 {
		return true, false
	}
	n, parent := w.stack[i], w.stack[i-1]
	switch p := parent.(type) {
	case *ast.AssignStmt:
		for _, l := range p.Lhs {
			if l == n {
				if p.Tok == token.ASSIGN || p.Tok == token.DEFINE {
					return false, true
				}
				return true, true
			}
		}
	case *ast.IncDecStmt:
		return true, true
	case *ast.UnaryExpr:
		if p.Op == token.AND {
			return false, true // taking the address: the field is filled through it
		}
	case *ast.ParenExpr, *ast.StarExpr:
		return w.context(i - 1)
	case *ast.SelectorExpr:
		if p.X == n {
			// n.G: writing G of a struct value held in n writes n; through
			// a pointer it only reads n.
			if _, pw := w.context(i - 1); pw && !isPointer(w.info.TypeOf(p.X)) {
				if sel := w.info.Selections[p]; sel != nil && sel.Kind() == types.FieldVal {
					return false, true
				}
			}
		}
	case *ast.IndexExpr:
		if p.X == n {
			if _, pw := w.context(i - 1); pw {
				return false, true // setting an element of a map or slice field
			}
		}
	case *ast.RangeStmt:
		if p.Key == n || p.Value == n {
			return false, true
		}
	}
	return true, false
}

func isPointer(t types.Type) bool {
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Pointer)
	return ok
}

// record adds an access at pos, or sends it to the receiver summary when
// the expression is rooted at the receiver of a method being summarised.
func (w *walker) record(x ast.Expr, a Record, pos token.Pos) {
	if w.recv != nil && x != nil && w.rootObj(x) == w.recv {
		if w.recvOut != nil {
			*w.recvOut = append(*w.recvOut, a)
		}
		return
	}
	if w.recvOut != nil {
		return // phase 1 keeps receiver accesses only
	}
	p := w.fset.Position(pos)
	a.File, a.Line, a.Func = p.Filename, p.Line, w.fn
	if a.Read {
		a.Guards = w.guardsHere()
	}
	w.out = append(w.out, a)
}

// guardsHere returns the fields read by the conditions the node at the top
// of the stack sits under.
func (w *walker) guardsHere() [][]FieldRef {
	var out [][]FieldRef
	for i := len(w.stack) - 2; i >= 0; i-- {
		child := w.stack[i+1]
		switch p := w.stack[i].(type) {
		case *ast.IfStmt:
			if child == p.Body || child == p.Else {
				out = append(out, w.guardOf(p.Cond)...)
			}
		case *ast.BinaryExpr:
			if (p.Op == token.LAND || p.Op == token.LOR) && child == p.Y {
				out = append(out, w.guardOf(p.X)...)
			}
		case *ast.SwitchStmt:
			if child == p.Body && p.Tag != nil {
				out = append(out, w.guardOf(p.Tag)...)
			}
		case *ast.CaseClause:
			for _, e := range p.List {
				out = append(out, w.guardOf(e)...)
			}
		case *ast.FuncLit, *ast.FuncDecl:
			return out // conditions outside a closure do not guard its body
		}
	}
	return out
}

// guardOf returns the fields a condition reads: selectors of tracked
// fields, getters with summaries, and local variables defined from them.
func (w *walker) guardOf(cond ast.Expr) [][]FieldRef {
	if cond == nil {
		return nil
	}
	if g, ok := w.guards[cond]; ok {
		return g
	}
	var out [][]FieldRef
	ast.Inspect(cond, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			out = append(out, w.readPaths(n)...)
		case *ast.Ident:
			if o, ok := w.info.Uses[n].(*types.Var); ok {
				out = append(out, w.definitions()[o]...)
			}
		}
		return true
	})
	if w.guards == nil {
		w.guards = map[ast.Node][][]FieldRef{}
	}
	w.guards[cond] = out
	return out
}

// readPaths returns the tracked fields a selector reads: a field, or the
// receiver fields a getter with a summary reads.
func (w *walker) readPaths(n *ast.SelectorExpr) [][]FieldRef {
	sel := w.info.Selections[n]
	if sel == nil {
		return nil
	}
	switch sel.Kind() {
	case types.FieldVal:
		if path, ok := w.fieldPath(sel); ok {
			return [][]FieldRef{path}
		}
	case types.MethodVal:
		if f, ok := sel.Obj().(*types.Func); ok {
			var out [][]FieldRef
			for _, a := range w.sum.Methods[w.fullName(f)] {
				if a.Read && a.Path != nil {
					out = append(out, a.Path)
				}
			}
			return out
		}
	}
	return nil
}

// definitions maps the current function's local variables to the tracked
// fields their definitions (v := x.F, var v = x.GetF()) read.
func (w *walker) definitions() map[types.Object][][]FieldRef {
	if w.defs != nil {
		return w.defs
	}
	w.defs = map[types.Object][][]FieldRef{}
	if len(w.stack) == 0 {
		return w.defs
	}
	body := w.stack[0] // the root of the walk: the function's body

	reads := func(e ast.Expr) [][]FieldRef {
		var out [][]FieldRef
		ast.Inspect(e, func(n ast.Node) bool {
			if s, ok := n.(*ast.SelectorExpr); ok {
				out = append(out, w.readPaths(s)...)
			}
			return true
		})
		return out
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						if o := w.info.ObjectOf(id); o != nil {
							w.defs[o] = append(w.defs[o], reads(n.Rhs[i])...)
						}
					}
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == len(n.Values) {
				for i, id := range n.Names {
					if o := w.info.Defs[id]; o != nil {
						w.defs[o] = append(w.defs[o], reads(n.Values[i])...)
					}
				}
			}
		}
		return true
	})
	return w.defs
}

// rootObj returns the variable an expression is rooted at: v in v, &v,
// *v, v.f.g, v[i].
func (w *walker) rootObj(e ast.Expr) types.Object {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.UnaryExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.SelectorExpr:
			if w.info.Selections[x] == nil {
				return w.info.Uses[x.Sel]
			}
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.Ident:
			if o := w.info.Uses[x]; o != nil {
				return o
			}
			return w.info.Defs[x]
		default:
			return nil
		}
	}
}

// compositeLit records the fields a struct literal sets: the keyed ones,
// or every field of an unkeyed literal.
func (w *walker) compositeLit(lit *ast.CompositeLit) {
	n, st := NamedStruct(w.info.TypeOf(lit))
	if st == nil || !w.tracked[TypeKey(n)] || len(lit.Elts) == 0 {
		return
	}
	key := TypeKey(n)
	if _, keyed := lit.Elts[0].(*ast.KeyValueExpr); !keyed {
		for i := 0; i < st.NumFields(); i++ {
			w.record(nil, Record{Path: []FieldRef{{Type: key, Field: st.Field(i).Name()}}, Write: true}, lit.Lbrace)
		}
		return
	}
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if id, ok := kv.Key.(*ast.Ident); ok {
			w.record(nil, Record{Path: []FieldRef{{Type: key, Field: id.Name}}, Write: true}, id.Pos())
		}
	}
}

// call handles values handed whole to reflection, and conversions.
func (w *walker) call(call *ast.CallExpr) {
	if tv, ok := w.info.Types[call.Fun]; ok && tv.IsType() && len(call.Args) == 1 {
		to, _ := NamedStruct(tv.Type)
		from, _ := NamedStruct(w.info.TypeOf(call.Args[0]))
		if to != nil && from != nil && TypeKey(to) != TypeKey(from) {
			if w.tracked[TypeKey(to)] {
				w.record(nil, Record{Whole: TypeKey(to), Write: true, Via: "a conversion from " + from.Obj().Name()}, call.Pos())
			}
			if w.tracked[TypeKey(from)] {
				w.record(nil, Record{Whole: TypeKey(from), Read: true, Via: "a conversion to " + to.Obj().Name()}, call.Pos())
			}
		}
		return
	}
	f, ok := typeutil.Callee(w.info, call).(*types.Func)
	if !ok {
		return
	}
	name := w.fullName(f)
	if i, ok := encodeSinks[name]; ok && i < len(call.Args) {
		if o := w.rootObj(call.Args[i]); o != nil && w.decoded[o] {
			for _, t := range w.wholeTypes(w.info.TypeOf(call.Args[i])) {
				w.record(nil, Record{Whole: t, Read: true, Write: true, Optional: true, Via: "re-encoding a value it decoded (a relay)"}, call.Pos())
			}
		}
		if keys := w.mapKeys(call.Args[i]); len(keys) > 0 {
			w.record(nil, Record{MapKeys: keys, Write: true, Via: "a map it encodes"}, call.Args[i].Pos())
		}
		return
	}
	if i, ok := readSinks[name]; ok {
		args := call.Args
		if i >= 0 {
			if i >= len(args) {
				return
			}
			args = args[i : i+1]
		}
		kind := sinkKind(name)
		for _, arg := range args {
			for _, t := range w.wholeTypes(w.info.TypeOf(arg)) {
				w.record(nil, Record{Whole: t, Read: true, Via: kind, Optional: kind != "a template"}, arg.Pos())
			}
		}
	}
}

// wholeTypes lists the tracked named struct types a value of type t holds
// at its top level (through pointers, slices, arrays and maps).
func (w *walker) wholeTypes(t types.Type) []string {
	var out []string
	for _, k := range NestedStructs(t) {
		if w.tracked[k] {
			out = append(out, k)
		}
	}
	return out
}

// collectDecoded returns the variables a function fills from the wire:
// passed to a decoder, or assigned from a function that returns decoded
// values.
func (w *walker) collectDecoded(root ast.Node) map[types.Object]bool {
	out := map[types.Object]bool{}
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if f, ok := typeutil.Callee(w.info, n).(*types.Func); ok {
				if i, ok := decodeSinks[w.fullName(f)]; ok && i < len(n.Args) {
					if o := w.rootObj(n.Args[i]); o != nil {
						out[o] = true
					}
				}
			}
		case *ast.AssignStmt:
			if len(n.Rhs) == 1 && w.callsDecoder(n.Rhs[0]) {
				for _, l := range n.Lhs {
					if o := w.rootObj(l); o != nil {
						out[o] = true
					}
				}
			}
		case *ast.ValueSpec:
			if len(n.Values) == 1 && w.callsDecoder(n.Values[0]) {
				for _, id := range n.Names {
					if o := w.info.Defs[id]; o != nil {
						out[o] = true
					}
				}
			}
		}
		return true
	})
	return out
}

// mapKeys returns the constant string keys of a map value handed to an
// encoder: a map literal, or a local map variable filled with a literal and
// m["key"] = v in the same function.
func (w *walker) mapKeys(e ast.Expr) []string {
	t := w.info.TypeOf(e)
	if t == nil {
		return nil // an argument that does not type-check (a package missing from the module cache)
	}
	m, ok := types.Unalias(t).Underlying().(*types.Map)
	if !ok {
		return nil
	}
	if b, ok := m.Key().Underlying().(*types.Basic); !ok || b.Info()&types.IsString == 0 {
		return nil
	}
	keys := map[string]bool{}
	fromLit := func(x ast.Expr) {
		lit, ok := ast.Unparen(x).(*ast.CompositeLit)
		if !ok {
			return
		}
		for _, el := range lit.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if tv, ok := w.info.Types[kv.Key]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
					keys[constant.StringVal(tv.Value)] = true
				}
			}
		}
	}
	fromLit(e)
	if id, ok := ast.Unparen(e).(*ast.Ident); ok && len(w.stack) > 0 {
		obj := w.info.ObjectOf(id)
		ast.Inspect(w.stack[0], func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok {
				return true
			}
			for i, l := range as.Lhs {
				switch l := ast.Unparen(l).(type) {
				case *ast.Ident:
					if w.info.ObjectOf(l) == obj && i < len(as.Rhs) {
						fromLit(as.Rhs[i])
					}
				case *ast.IndexExpr:
					if x, ok := ast.Unparen(l.X).(*ast.Ident); ok && w.info.ObjectOf(x) == obj {
						if tv, ok := w.info.Types[l.Index]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
							keys[constant.StringVal(tv.Value)] = true
						}
					}
				}
			}
			return true
		})
	}
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (w *walker) callsDecoder(e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	f, ok := typeutil.Callee(w.info, call).(*types.Func)
	return ok && w.sum.Decoded[w.fullName(f)]
}

// returnsDecoded reports whether a function body returns a decoded value.
func (w *walker) returnsDecoded(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if _, lit := n.(*ast.FuncLit); lit {
			return false
		}
		if r, ok := n.(*ast.ReturnStmt); ok {
			for _, e := range r.Results {
				if o := w.rootObj(e); o != nil && w.decoded[o] || w.callsDecoder(e) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}
