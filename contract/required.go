package contract

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// Whether a read of a variable or an annotation is required: the program
// fails without the value.

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
	switch p := pw.parentOf(read).(type) {
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
	for _, s := range pw.ifStmts() {
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
	for n := pw.parentOf(e); n != nil; n = pw.parentOf(n) {
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
		p := pw.parentOf(cur)
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
	switch p := pw.parentOf(c).(type) {
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
		for _, s := range pw.ifStmts() {
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
// exit, log fatally (in any logging package) or answer with an HTTP error
// (http.Error).
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
					if full := f.Origin().FullName(); full == "os.Exit" || full == "net/http.Error" || strings.HasPrefix(name, "Fatal") || strings.HasPrefix(name, "Panic") || name == "Exit" || name == "Exitf" {
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
