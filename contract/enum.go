package contract

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"

	"github.com/deployorder/deployorder/contract/access"
)

// Enum values are elements too: the values of a named string or integer
// type with constants (a protobuf enum, a typed string) that a contract
// field carries. Their roles run the other way round from a field's: a
// service that starts writing a new value breaks the consumers that switch
// on the field and reject values they do not know, so those consumers are
// the providers of the value (they accept it) and the writers consume it.
//
// A service accepts a value when its code has a switch over the type with a
// case for it and a default that rejects the others (returns an error,
// panics, exits); a switch whose default accepts unknown values, or that
// has none, is tolerant and plays no role. A service writes a value when
// its code uses the constant other than as a case or in a comparison.

// enumTypes are the named basic types of the fields of the contracts'
// layouts at a side: importpath.Type -> the named type.
func enumTypes(layouts map[string]*Layout, u *access.Universe) map[string]*types.Named {
	out := map[string]*types.Named{}
	for _, l := range layouts {
		for _, f := range l.Fields {
			for _, t := range f.Enums {
				if _, ok := out[t]; ok {
					continue
				}
				i := lastDot(t)
				tp := u.Get(t[:i])
				if tp == nil || tp.Types == nil {
					continue
				}
				if tn, ok := tp.Types.Scope().Lookup(t[i+1:]).(*types.TypeName); ok {
					if n, ok := types.Unalias(tn.Type()).(*types.Named); ok {
						out[t] = n
					}
				}
			}
		}
	}
	return out
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// enumValues are the constants of an enum type in its package.
func enumValues(n *types.Named) []*types.Const {
	var out []*types.Const
	pkg := n.Obj().Pkg()
	if pkg == nil {
		return nil
	}
	for _, name := range pkg.Scope().Names() {
		if c, ok := pkg.Scope().Lookup(name).(*types.Const); ok && types.Identical(c.Type(), n) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

func enumContractID(t string) string { return "enum:" + t }

// defineEnums records each enum type's values as elements of a side.
func defineEnums(fset *token.FileSet, enums map[string]*types.Named, ks *kindSide) {
	for t, n := range enums {
		for _, c := range enumValues(n) {
			p := fset.Position(c.Pos())
			ks.define(enumContractID(t), n.Obj().Name(), Enum, c.Val().ExactString(),
				elementDef{typ: "value", name: c.Name(), decl: Pos{File: p.Filename, Line: p.Line}})
		}
	}
}

// enumFacts finds where a package's own code accepts (a rejecting switch
// with a case) and writes (any other use of the constant) enum values.
func enumFacts(fset *token.FileSet, tp *access.Package, enums map[string]*types.Named) []fact {
	if tp.Info == nil || len(enums) == 0 {
		return nil
	}
	byType := map[*types.Named]string{}
	for t, n := range enums {
		byType[n] = t
	}
	enumOf := func(t types.Type) (string, bool) {
		n, ok := types.Unalias(t).(*types.Named)
		if !ok {
			return "", false
		}
		for cand, key := range byType {
			if types.Identical(n, cand) {
				return key, true
			}
		}
		return "", false
	}
	var out []fact
	for _, f := range tp.Files {
		if ast.IsGenerated(f) {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			fn := funcFullName(tp.Info, fd)
			cases := map[*ast.Ident]bool{} // constants read as cases or in comparisons
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SwitchStmt:
					if n.Tag == nil {
						return true
					}
					t, ok := enumOf(tp.Info.TypeOf(n.Tag))
					if !ok {
						return true
					}
					rejects := rejectsOthers(tp.Info, n)
					for _, s := range n.Body.List {
						cc := s.(*ast.CaseClause)
						for _, e := range cc.List {
							id := constIdent(e)
							if id == nil {
								continue
							}
							cases[id] = true
							if c, ok := tp.Info.Uses[id].(*types.Const); ok && rejects {
								out = append(out, fact{contract: enumContractID(t), key: c.Val().ExactString(), provide: true,
									place: placeAt(fset, e.Pos(), fn, "a switch that rejects other values")})
							}
						}
					}
				case *ast.BinaryExpr:
					if n.Op == token.EQL || n.Op == token.NEQ {
						for _, e := range []ast.Expr{n.X, n.Y} {
							if id := constIdent(e); id != nil {
								cases[id] = true
							}
						}
					}
				}
				return true
			})
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				e, ok := n.(ast.Expr)
				if !ok {
					return true
				}
				id := constIdent(e)
				if id == nil || cases[id] {
					return true
				}
				c, ok := tp.Info.Uses[id].(*types.Const)
				if !ok {
					return true
				}
				if t, ok := enumOf(c.Type()); ok {
					out = append(out, fact{contract: enumContractID(t), key: c.Val().ExactString(), place: placeAt(fset, e.Pos(), fn, "")})
				}
				return false
			})
		}
	}
	return out
}

// constIdent is the identifier of a constant reference (X or pkg.X).
func constIdent(e ast.Expr) *ast.Ident {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return x
	case *ast.SelectorExpr:
		return x.Sel
	}
	return nil
}

// rejectsOthers reports whether a switch's default rejects the values no
// case names: it returns a non-nil error, panics or exits.
func rejectsOthers(info *types.Info, sw *ast.SwitchStmt) bool {
	for _, s := range sw.Body.List {
		cc := s.(*ast.CaseClause)
		if cc.List != nil {
			continue
		}
		return rejects(info, cc.Body)
	}
	return false // no default: Go ignores the other values
}

func isErrorType(t types.Type) bool {
	return types.Implements(t, types.Universe.Lookup("error").Type().Underlying().(*types.Interface)) && types.IsInterface(t) || t.String() == "error"
}

func isNil(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[e]
	return ok && tv.IsNil()
}
