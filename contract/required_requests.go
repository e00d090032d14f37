package contract

import (
	"go/ast"
	"go/types"
	"slices"

	"github.com/deployorder/deployorder/contract/access"
)

// markRequiredReads marks the places where a server reads a request's
// changed key and rejects a request without it (Place.Required): the read,
// or a variable it defines, is tested for empty and the branch taken when
// it is empty returns an error, writes an HTTP error, panics or exits; or
// it is parsed by a call whose error does; or the field that holds the key
// has a validation tag that requires it (binding:"required", which gin's
// binders check, or validate:"required"), and then every read of it is.
// Such a server breaks an old client that does not send the key, so the
// key is written before it is required (the planner keeps the writers
// first; a tag without a validator that checks it only keeps that order,
// which is safe for a new key too).
func (a *analysis) markRequiredReads(contracts []*Contract, st *sideState, targets map[string]bool) {
	type work struct {
		c      *Contract
		places []*Place
		names  map[string]bool // the Go fields that hold the key, and their getters
	}
	var todo []work
	for _, c := range contracts {
		if !c.Request {
			continue
		}
		for _, e := range c.Elements {
			if !e.Changed || len(e.Consumers[Head]) == 0 {
				continue
			}
			w := work{c: c, names: map[string]bool{}}
			validated := false
			for _, t := range c.Types {
				if l := st.layouts[t]; l != nil {
					for _, f := range l.Fields {
						if f.Key == e.Key && len(f.Refs) > 0 {
							name := f.Refs[len(f.Refs)-1].Field
							w.names[name], w.names["Get"+name] = true, true
							validated = validated || f.Validated
						}
					}
				}
			}
			for _, places := range e.Consumers[Head] {
				for i := range places {
					if validated {
						places[i].Required = true
					}
					w.places = append(w.places, &places[i])
				}
			}
			if validated {
				continue
			}
			if len(w.names) > 0 {
				todo = append(todo, w)
			}
		}
	}
	if len(todo) == 0 {
		return
	}
	type source struct {
		f    *ast.File
		info *types.Info
	}
	files := map[string]source{}
	for _, tp := range topo(st.u, targets) {
		if tp.Info == nil {
			continue
		}
		for _, f := range tp.Files {
			files[a.fset.Position(f.Pos()).Filename] = source{f, tp.Info}
		}
	}
	for _, w := range todo {
		for _, p := range w.places {
			if src, ok := files[p.File]; ok {
				p.Required = a.rejectsWithout(src.f, src.info, p.Line, w.c, w.names)
			}
		}
	}
}

// rejectsWithout reports whether the function of a file that reads one of
// a contract's fields (names) at a line rejects its absence there.
func (a *analysis) rejectsWithout(f *ast.File, info *types.Info, line int, c *Contract, names map[string]bool) bool {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || a.fset.Position(fd.Pos()).Line > line || a.fset.Position(fd.End()).Line < line {
			continue
		}
		pw := newProgramWalker(a.fset, info, "", fd, fd.Body, nil, funcNames{})
		found := false
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if found || !ok || !names[sel.Sel.Name] || a.fset.Position(sel.Sel.Pos()).Line != line {
				return !found
			}
			s := info.Selections[sel]
			if s == nil || !slices.Contains(c.Types, recvKey(s.Recv())) {
				return true
			}
			var read ast.Expr = sel
			if call, ok := pw.parentOf(sel).(*ast.CallExpr); ok && call.Fun == sel {
				read = call // a getter: req.GetRegion()
			} else if s.Kind() != types.FieldVal {
				return true
			}
			found = pw.requiredUse(read)
			return !found
		})
		return found
	}
	return false
}

// recvKey is the importpath.Type of a selection's receiver.
func recvKey(t types.Type) string {
	if n, _ := access.NamedStruct(t); n != nil {
		return access.TypeKey(n)
	}
	return ""
}
