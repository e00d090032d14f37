package contract

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/deployorder/deployorder/change"
)

// hasWireTagText reports whether Go source may declare a tagged struct.
func hasWireTagText(data []byte) bool {
	return bytes.Contains(data, []byte(`json:"`)) || bytes.Contains(data, []byte(`protobuf:"`))
}

// declaredStruct is a struct type as the syntax shows it, for the cheap
// pass that decides whether anything needs type-checking.
type declaredStruct struct {
	name   string
	fields []string // Go field names, embedded ones by type name
	tagged bool
	file   string
	from   int // lines of the declaration
	to     int
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
				}
				if len(fld.Names) == 0 {
					ds.fields = append(ds.fields, embeddedName(fld.Type))
				}
			}
			out = append(out, ds)
		}
	}
	return out
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
	idents      map[string]map[string]bool // directory -> identifiers on the changed lines of its files
	fields      map[string]map[string]bool // directory -> the identifiers of those that can name a field: selectors (x.F) and composite literal keys (F: v)
	paths       map[string][]string        // directory -> the strings on its changed lines that look like a URL or an HTTP path
	calls       map[string][]callRef       // directory -> the functions its files' changed lines call
	imports     map[string]bool            // import paths on changed import lines
	fileImports map[string][]string        // file (its head path) -> the import paths on its changed import lines
	sinks       map[string]bool            // directories of files whose changed lines call an encoder, decoder or template
	broken      map[string]bool            // directories of files that do not parse: assume they mention everything
	lines       map[string][][2]int        // file -> changed line ranges at its side (for definitions)
	process     processText                // what the changed lines say about launched programs
}

// maxParsed is the size above which a changed file is not parsed.
const maxParsed = 2 << 20

var sinkWords = map[string]bool{"Marshal": true, "MarshalIndent": true, "Unmarshal": true, "Encode": true, "Decode": true,
	"NewEncoder": true, "NewDecoder": true, "Execute": true, "ExecuteTemplate": true}

// scanChanged parses the changed Go files at one side and collects what
// their changed lines mention. content returns the file at that side.
func scanChanged(files []change.File, hunks map[string][]change.Hunk, side Side, content func(string) []byte) changedText {
	ct := changedText{idents: map[string]map[string]bool{}, fields: map[string]map[string]bool{}, paths: map[string][]string{}, calls: map[string][]callRef{}, imports: map[string]bool{}, sinks: map[string]bool{}, broken: map[string]bool{}, lines: map[string][][2]int{},
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
		imports := map[string]string{} // name in the file -> import path
		for _, imp := range f.Imports {
			ip, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				continue
			}
			name := path.Base(ip)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			imports[name] = ip
		}
		names := ct.names(dir)
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

// nameUses are the identifiers some code names, and those of them that
// can name a struct field: a field is only ever named as a selector (x.F,
// x.GetF()) or as a composite literal's key (T{F: v}).
type nameUses struct {
	idents map[string]bool
	fields map[string]bool
}

func newNameUses() nameUses {
	return nameUses{idents: map[string]bool{}, fields: map[string]bool{}}
}

// note records an identifier, or the field a selector or key names.
func (u nameUses) note(n ast.Node) {
	switch n := n.(type) {
	case *ast.Ident:
		u.idents[n.Name] = true
	case *ast.SelectorExpr:
		u.fields[n.Sel.Name] = true
	case *ast.KeyValueExpr:
		if id, ok := n.Key.(*ast.Ident); ok {
			u.fields[id.Name] = true
		}
	}
}

func (u nameUses) add(other nameUses) {
	maps.Copy(u.idents, other.idents)
	maps.Copy(u.fields, other.fields)
}

// names returns the names used on a directory's changed lines.
func (ct changedText) names(dir string) nameUses {
	if ct.idents[dir] == nil {
		ct.idents[dir] = map[string]bool{}
		ct.fields[dir] = map[string]bool{}
	}
	return nameUses{idents: ct.idents[dir], fields: ct.fields[dir]}
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
// see the struct (sees reports that), name the struct or one of its fields
// (or a GetX/SetX accessor).
func (ct changedText) mentions(ds declaredStruct, sees func(dir string) bool) bool {
	for dir, idents := range ct.idents {
		if !sees(dir) {
			continue
		}
		if idents[ds.name] {
			return true
		}
		fields := ct.fields[dir]
		for _, f := range ds.fields {
			if fields[f] || fields["Get"+f] || fields["Set"+f] {
				return true
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
