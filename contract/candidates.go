package contract

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/contract/access"
)

// hasWireTagText reports whether Go source may declare a tagged struct.
func hasWireTagText(data []byte) bool {
	return bytes.Contains(data, []byte(`json:"`)) || bytes.Contains(data, []byte(`protobuf:"`))
}

// declaredStruct is a struct type as the syntax shows it, for the cheap
// pass that decides whether anything needs type-checking.
type declaredStruct struct {
	name   string
	fields []string   // Go field names, embedded ones by type name
	types  []ast.Expr // each field's type, as written
	tagged bool
	// the accessors of its fields the package declares on the type (at
	// either side; see accessorsOf), when known: a changed line's call of
	// GetX or SetX names field X only through such a method (a generated
	// protobuf getter)
	methods map[string]bool
	file    string
	from    int // lines of the declaration
	to      int
}

// declaredStructs lists the struct types a file declares at package level.
func declaredStructs(fset *token.FileSet, f *ast.File, file string) []declaredStruct {
	var out []declaredStruct
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			ts, ok := s.(*ast.TypeSpec)
			if !ok {
				continue
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			ds := declaredStruct{name: ts.Name.Name, file: file,
				from: fset.Position(ts.Pos()).Line, to: fset.Position(ts.End()).Line}
			for _, fld := range st.Fields.List {
				if fld.Tag != nil {
					tag, _ := strconv.Unquote(fld.Tag.Value)
					st := reflect.StructTag(tag)
					if _, ok := st.Lookup("json"); ok {
						ds.tagged = true
					}
					if _, ok := st.Lookup("protobuf"); ok {
						ds.tagged = true
					}
				}
				for _, n := range fld.Names {
					ds.fields = append(ds.fields, n.Name)
					ds.types = append(ds.types, fld.Type)
				}
				if len(fld.Names) == 0 {
					ds.fields = append(ds.fields, embeddedName(fld.Type))
					ds.types = append(ds.types, fld.Type)
				}
			}
			out = append(out, ds)
		}
	}
	return out
}

// accessorsOf returns the accessors of a struct's fields among the
// methods the package declares on it (name -> signature): GetX taking
// nothing and returning the type of field X, SetX taking it and returning
// nothing (or the element of a pointer field: a proto2 scalar's GetX
// returns the value), HasX taking nothing. A method that only shares the
// name is none: etcd's embed.Config has a Logger string field and a
// GetLogger method returning the *zap.Logger it builds, and the client
// packages that call their own GetLogger were analysed with bodies for a
// change to the config.
func accessorsOf(ds declaredStruct, methods map[string]*ast.FuncType) map[string]bool {
	out := map[string]bool{}
	for i, f := range ds.fields {
		typ := ds.types[i]
		if m := methods["Get"+f]; m != nil && m.Params.NumFields() == 0 && m.Results.NumFields() == 1 && sameOrElem(m.Results.List[0].Type, typ) {
			out["Get"+f] = true
		}
		if m := methods["Set"+f]; m != nil && m.Params.NumFields() == 1 && m.Results.NumFields() == 0 && sameOrElem(m.Params.List[0].Type, typ) {
			out["Set"+f] = true
		}
		if m := methods["Has"+f]; m != nil && m.Params.NumFields() == 0 {
			out["Has"+f] = true
		}
	}
	return out
}

// sameOrElem reports whether an accessor's type t is written as field type
// field, or as what field points to.
func sameOrElem(t, field ast.Expr) bool {
	ts := types.ExprString(t)
	if ts == types.ExprString(field) {
		return true
	}
	star, ok := field.(*ast.StarExpr)
	return ok && ts == types.ExprString(star.X)
}

func embeddedName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return embeddedName(x.X)
	case *ast.SelectorExpr:
		return x.Sel.Name
	case *ast.Ident:
		return x.Name
	case *ast.IndexExpr:
		return embeddedName(x.X)
	}
	return ""
}

// changedText is what the changed lines of the range's Go files mention.
type changedText struct {
	uses        map[string]nameUses  // directory -> the identifiers on the changed lines of its files, sorted by what they can name
	paths       map[string][]string  // directory -> the strings on its changed lines that look like a URL or an HTTP path
	calls       map[string][]callRef // directory -> the functions its files' changed lines call
	imports     map[string]bool      // import paths on changed import lines
	fileImports map[string][]string  // file (its head path) -> the import paths on its changed import lines
	sinks       map[string]bool      // directories of files whose changed lines call an encoder, decoder or template
	broken      map[string]bool      // directories of files that do not parse: assume they mention everything
	lines       map[string][][2]int  // file -> changed line ranges at its side (for definitions)
	process     processText          // what the changed lines say about launched programs
}

// maxParsed is the size above which a changed file is not parsed.
const maxParsed = 2 << 20

var sinkWords = map[string]bool{"Marshal": true, "MarshalIndent": true, "Unmarshal": true, "Encode": true, "Decode": true,
	"NewEncoder": true, "NewDecoder": true, "Execute": true, "ExecuteTemplate": true}

// scanChanged parses the changed Go files at one side and collects what
// their changed lines mention. content returns the file at that side.
// pkgName returns the name of an imported package when it is known ("" if
// not).
func scanChanged(files []change.File, hunks map[string][]change.Hunk, side Side, content func(string) []byte, pkgName func(string) string) changedText {
	ct := changedText{uses: map[string]nameUses{}, paths: map[string][]string{}, calls: map[string][]callRef{}, imports: map[string]bool{}, sinks: map[string]bool{}, broken: map[string]bool{}, lines: map[string][][2]int{},
		fileImports: map[string][]string{}, process: newProcessText()}
	fset := token.NewFileSet()
	for _, fc := range files {
		p := fc.Path
		if side == Base {
			if fc.Status == change.Added {
				continue
			}
			if fc.OldPath != "" {
				p = fc.OldPath
			}
		} else if fc.Status == change.Deleted {
			continue
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			continue
		}
		data := content(p)
		if data == nil || len(data) > maxParsed {
			continue // absent, or too large to parse (a warning names it)
		}
		var ranges [][2]int
		whole := fc.Status == change.Added || fc.Status == change.Deleted || fc.Status == change.Renamed
		if !whole {
			for _, h := range hunks[fc.Path] {
				if side == Base && h.OldLines > 0 {
					ranges = append(ranges, [2]int{h.OldStart, h.OldStart + h.OldLines - 1})
				}
				if side == Head && h.NewLines > 0 {
					ranges = append(ranges, [2]int{h.NewStart, h.NewStart + h.NewLines - 1})
				}
			}
		} else {
			ranges = [][2]int{{1, 1 << 30}}
		}
		ct.lines[p] = ranges
		in := func(pos token.Pos) bool {
			l := fset.Position(pos).Line
			for _, r := range ranges {
				if l >= r[0] && l <= r[1] {
					return true
				}
			}
			return false
		}
		f, err := parser.ParseFile(fset, p, data, parser.SkipObjectResolution)
		if err != nil {
			if f == nil || len(f.Decls) == 0 {
				ct.broken[path.Dir(p)] = true // unparsable: assume it mentions everything
				continue
			}
		}
		for _, imp := range f.Imports {
			if in(imp.Pos()) || in(imp.End()) {
				if ip, err := strconv.Unquote(imp.Path.Value); err == nil {
					ct.imports[ip] = true
					ct.fileImports[fc.Path] = append(ct.fileImports[fc.Path], ip)
				}
			}
		}
		dir := path.Dir(p)
		imports := importNames(f, pkgName)
		names := ct.names(dir).noter(imports)
		ct.process.scan(f, dir, imports, in)
		ast.Inspect(f, func(n ast.Node) bool {
			if n != nil && in(n.Pos()) {
				names.note(n)
			}
			switch n := n.(type) {
			case *ast.Ident:
				if in(n.Pos()) {
					if sinkWords[n.Name] {
						ct.sinks[dir] = true
					}
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING && in(n.Pos()) && looksLikeURL(n.Value) {
					s, _ := strconv.Unquote(n.Value)
					ct.paths[dir] = append(ct.paths[dir], s)
				}
			case *ast.CallExpr:
				if in(n.Pos()) {
					if ref, ok := calledFunc(n, imports); ok {
						ct.calls[dir] = append(ct.calls[dir], ref)
					}
				}
			}
			return true
		})
	}
	return ct
}

// nameUses are the identifiers some code names, sorted by what they can
// name. A field is only ever named as a selector on a value (x.F) or a
// composite literal's key (T{F: v}); x.F() calls a method (a contract's
// fields are data), though x.GetF() is an accessor of field F. A type is
// named by an identifier, in its own package, or by a qualified
// identifier (pkg.T), never by a selector on a value.
type nameUses struct {
	idents    map[string]bool // every identifier
	types     map[string]bool // unqualified identifiers: they can name a type of the code's own package
	qualified map[string]bool // importpath.Name of the qualified identifiers (and of a dot import's names)
	fields    map[string]bool // names that can name a field
	calls     map[string]bool // methods called on values (x.M())
}

func newNameUses() nameUses {
	return nameUses{idents: map[string]bool{}, types: map[string]bool{}, qualified: map[string]bool{},
		fields: map[string]bool{}, calls: map[string]bool{}}
}

// namesType reports whether the code names the type name of package ip,
// the code being in package ip when own is true.
func (u nameUses) namesType(ip, name string, own bool) bool {
	return u.qualified[ip+"."+name] || own && u.types[name]
}

// noter sorts the identifiers of one file's code into a nameUses.
type noter struct {
	nameUses
	imports map[string]string          // the file's import names -> paths
	sel     map[*ast.Ident]bool        // selectors' names, already sorted
	called  map[*ast.SelectorExpr]bool // selectors in call position
}

func (u nameUses) noter(imports map[string]string) *noter {
	return &noter{nameUses: u, imports: imports, sel: map[*ast.Ident]bool{}, called: map[*ast.SelectorExpr]bool{}}
}

// note records what a node names; ast.Inspect's order (a node before its
// children) is assumed.
func (no *noter) note(n ast.Node) {
	switch n := n.(type) {
	case *ast.CallExpr:
		if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok {
			no.called[sel] = true
		}
	case *ast.SelectorExpr:
		no.sel[n.Sel] = true
		name := n.Sel.Name
		no.idents[name] = true
		if x, ok := n.X.(*ast.Ident); ok && no.imports[x.Name] != "" {
			no.qualified[no.imports[x.Name]+"."+name] = true
			return
		}
		if no.called[n] {
			no.calls[name] = true
		} else {
			no.fields[name] = true
		}
	case *ast.KeyValueExpr:
		if id, ok := n.Key.(*ast.Ident); ok {
			no.fields[id.Name] = true
		}
	case *ast.Ident:
		if !no.sel[n] {
			no.idents[n.Name] = true
			no.types[n.Name] = true
			if dot := no.imports["."]; dot != "" {
				no.qualified[dot+"."+n.Name] = true
			}
		}
	}
}

func (u nameUses) add(other nameUses) {
	maps.Copy(u.idents, other.idents)
	maps.Copy(u.types, other.types)
	maps.Copy(u.qualified, other.qualified)
	maps.Copy(u.fields, other.fields)
	maps.Copy(u.calls, other.calls)
}

// names returns the names used on a directory's changed lines.
func (ct changedText) names(dir string) nameUses {
	if _, ok := ct.uses[dir]; !ok {
		ct.uses[dir] = newNameUses()
	}
	return ct.uses[dir]
}

// importNames maps the names a file's code may use for its imports to
// their paths: the alias, or the package's name when pkgName knows it,
// else the name goimports would assume (access.AssumedName) and the other
// usual spellings of a versioned or dashed path (clientv3 for
// .../client/v3, foobar for go-foo-bar), so that a qualified identifier is
// recognised.
func importNames(f *ast.File, pkgName func(string) string) map[string]string {
	out := map[string]string{}
	for _, imp := range f.Imports {
		ip, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		if imp.Name != nil {
			out[imp.Name.Name] = ip
			continue
		}
		if n := pkgName(ip); n != "" {
			out[n] = ip
			continue
		}
		out[access.AssumedName(ip)] = ip
		base := path.Base(ip)
		if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" && path.Dir(ip) != "." {
			out[access.AssumedName(path.Dir(ip))+base] = ip
			base = path.Base(path.Dir(ip))
		}
		out[strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(base, "go-"), "-go"), "-", "")] = ip
	}
	return out
}

// overlaps reports whether a declaration's lines meet a changed range.
func (ct changedText) overlaps(ds declaredStruct) bool {
	for _, r := range ct.lines[ds.file] {
		if ds.from <= r[1] && r[0] <= ds.to {
			return true
		}
	}
	return false
}

// mentions reports whether changed lines, in a directory whose package can
// see the struct of package ip (sees reports that; own whether the
// directory is ip's), name the struct or one of its fields (or a GetX/SetX
// accessor).
func (ct changedText) mentions(ip string, ds declaredStruct, sees, own func(dir string) bool) bool {
	for dir, u := range ct.uses {
		if !sees(dir) {
			continue
		}
		if u.namesType(ip, ds.name, own(dir)) {
			return true
		}
		for _, f := range ds.fields {
			if u.fields[f] {
				return true
			}
			for _, acc := range [...]string{"Get" + f, "Set" + f} {
				if (u.calls[acc] || u.fields[acc]) && (ds.methods == nil || ds.methods[acc]) {
					return true
				}
			}
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// looksLikeURL reports whether a string literal (quoted) may name an HTTP
// route or URL: "/v1/items", "GET /items/{id}", "http://svc:8080/x".
func looksLikeURL(lit string) bool {
	s, err := strconv.Unquote(lit)
	if err != nil || len(s) < 2 {
		return false
	}
	if strings.Contains(s, "://") {
		return true
	}
	if _, rest, ok := strings.Cut(s, " /"); ok && !strings.Contains(rest, " ") {
		return true // METHOD /path
	}
	return s[0] == '/' && !strings.ContainsAny(s, " \n\t")
}

// callRef is a function a changed line calls: by its package's import path
// ("" for the file's own package) and name.
type callRef struct {
	pkg, name string
}

// calledFunc reads the callee of a call: F(...) or pkg.F(...) (imports
// maps the file's import names to paths); method calls are not followed.
func calledFunc(call *ast.CallExpr, imports map[string]string) (callRef, bool) {
	switch fn := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return callRef{name: fn.Name}, true
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok {
			if ip, ok := imports[x.Name]; ok {
				return callRef{pkg: ip, name: fn.Sel.Name}, true
			}
		}
	}
	return callRef{}, false
}
