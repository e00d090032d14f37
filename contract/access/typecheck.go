package access

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// Source is where one package's source comes from in one universe.
type Source struct {
	Path    string   // import path
	Files   []string // display names: repo-relative in the repository, else absolute
	Read    func(string) ([]byte, error)
	Imports map[string]string // import path as written -> package path, where they differ
	Bodies  bool              // type-check function bodies and record types.Info
	Stable  bool              // its files never change (module cache, a released Go's GOROOT): its types may be kept (ExportCache)
}

// Package is a type-checked package.
type Package struct {
	Src   *Source
	Types *types.Package
	Files []*ast.File // kept only when bodies were checked
	Info  *types.Info // nil unless bodies were checked
	Errs  []string    // type errors (first few), for packages with bodies; none that only follow from a missing import
	// Partial counts the type errors that only follow from imports
	// without source whose module is absent from the module cache
	// (undefined: pkg.Name), which are reported once, by missing module,
	// not as type errors.
	Partial int
}

// Universe type-checks packages from source on demand. A base Universe
// has a parent (head): packages that are not local (unchanged, and not
// depending on a changed package) are taken from the parent, so the
// standard library and unchanged code are checked once.
type Universe struct {
	name   string
	fset   *token.FileSet
	source func(path string) (*Source, bool)
	Parent *Universe
	Local  func(path string) bool
	// Absent reports whether a package has no source for a reason
	// reported once elsewhere (its module is missing from the module
	// cache; the repository does not have it): the type errors that only
	// follow from importing it are counted as Partial, not reported.
	// Nil: none is.
	Absent func(path string) bool
	// Meta returns a package's name and the import paths of its imports
	// (as resolved, vendoring applied), from the load: Prepare follows it
	// before anything is parsed. Nil: every package is read whole.
	Meta func(path string) (name string, imports []string)
	// Preparsed holds files parsed ahead of time (nil: none).
	Preparsed *Preparsed
	// Exports keeps the types of stable dependencies between runs (nil:
	// none is kept). Only a universe without a parent has one.
	Exports *ExportCache

	mu         sync.Mutex
	parsed     map[string]*ast.File // by file display name
	parseErrs  map[string]error
	pkgs       map[string]*Package
	inProgress map[string]bool
	missing    map[string]bool      // import paths without source, made empty fakes
	prepared   map[string]*prepared // syntax that Prepare made ready, until Get checks it
	sizes      types.Sizes
}

func NewUniverse(name string, fset *token.FileSet, source func(string) (*Source, bool)) *Universe {
	return &Universe{name: name, fset: fset, source: source, parsed: map[string]*ast.File{}, parseErrs: map[string]error{},
		pkgs: map[string]*Package{}, inProgress: map[string]bool{}, missing: map[string]bool{}, prepared: map[string]*prepared{}, sizes: types.SizesFor("gc", runtime.GOARCH)}
}

// meta returns a package's name and imports, as Meta says.
func (u *Universe) meta(ip string) (string, []string) {
	if u.Meta == nil {
		return AssumedName(ip), nil
	}
	name, imports := u.Meta(ip)
	if name == "" {
		name = AssumedName(ip)
	}
	return name, imports
}

// nameOf returns the name a package is imported under by default.
func (u *Universe) nameOf(ip string) string {
	name, _ := u.meta(ip)
	return name
}

func (u *Universe) prepare(ip string, p *prepared) {
	u.mu.Lock()
	u.prepared[ip] = p
	u.mu.Unlock()
}

func (u *Universe) parseOne(name string, read func(string) ([]byte, error), strip bool) (*ast.File, error) {
	u.mu.Lock()
	f, ok := u.parsed[name]
	err := u.parseErrs[name]
	u.mu.Unlock()
	if ok || err != nil {
		return f, err
	}
	data, err := read(name)
	if err == nil && strip {
		data = stripBodies(data)
	}
	if err == nil {
		mode := parser.SkipObjectResolution | parser.ParseComments
		if strip {
			mode = parser.SkipObjectResolution
		}
		f, err = parser.ParseFile(u.fset, name, data, mode)
		if f != nil && strip && filepath.IsAbs(name) {
			forgetLines(u.fset, f)
		}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if f != nil {
		u.parsed[name] = f
	}
	if err != nil {
		u.parseErrs[name] = err
	}
	return f, err
}

// Get returns the type-checked package, checking it (and its imports) if
// needed. Packages without source become empty fakes: code that uses them
// still type-checks in part, and its other field accesses are still seen.
func (u *Universe) Get(ip string) *Package {
	if ip == "unsafe" {
		return &Package{Types: types.Unsafe}
	}
	if u.Parent != nil && !u.Local(ip) {
		return u.Parent.Get(ip)
	}
	if tp := u.Checked(ip); tp != nil {
		return tp
	}
	src, ok := u.source(ip)
	if !ok {
		u.setMissing(ip)
		return fakePkg(ip)
	}
	if src.Stable && u.Exports != nil {
		// A package the cache's entries made in part (what the packages
		// read whole need of it): checking it from source would give two
		// packages of one path.
		if t := u.Exports.lookup(ip); t != nil {
			tp := &Package{Src: src, Types: t}
			u.mu.Lock()
			u.pkgs[ip] = tp
			u.mu.Unlock()
			return tp
		}
	}
	if u.inProgress[ip] {
		return fakePkg(ip)
	}
	u.inProgress[ip] = true
	defer delete(u.inProgress, ip)
	tp := u.check(ip, src, func(p string) (*types.Package, error) { return u.resolve(src, p) })
	u.mu.Lock()
	u.pkgs[ip] = tp
	u.mu.Unlock()
	return tp
}

// check type-checks one package, from the syntax Prepare made ready or
// else from its files, with imports from importer.
func (u *Universe) check(ip string, src *Source, importer importerFunc) *Package {
	var files []*ast.File
	var errs []string
	u.mu.Lock()
	prep := u.prepared[ip]
	delete(u.prepared, ip)
	u.mu.Unlock()
	if prep != nil {
		files, errs = prep.files, prep.errs
	} else {
		for _, name := range src.Files {
			f, err := u.parseOne(name, src.Read, !src.Bodies)
			if err != nil && len(errs) < 3 {
				errs = append(errs, err.Error())
			}
			if f != nil {
				files = append(files, f)
			}
		}
	}
	tp := &Package{Src: src}
	var typeErrs []types.Error
	conf := types.Config{
		Importer:         importer,
		IgnoreFuncBodies: !src.Bodies,
		FakeImportC:      true,
		Sizes:            u.sizes,
		Error: func(err error) {
			if te, ok := err.(types.Error); ok && src.Bodies {
				typeErrs = append(typeErrs, te)
			}
		},
	}
	var info *types.Info
	if src.Bodies {
		info = &types.Info{
			Types:      map[ast.Expr]types.TypeAndValue{},
			Defs:       map[*ast.Ident]types.Object{},
			Uses:       map[*ast.Ident]types.Object{},
			Selections: map[*ast.SelectorExpr]*types.Selection{},
			Implicits:  map[ast.Node]types.Object{},
			Instances:  map[*ast.Ident]types.Instance{},
		}
		tp.Files, tp.Info = files, info
	}
	tp.Types, _ = conf.Check(ip, u.fset, files, info)
	missing := u.missingNames(src, files)
	embedding := embedsMissing(files, missing)
	used := usedButMissing(files, missing)
	for _, te := range typeErrs {
		switch {
		case followsFromMissing(te.Msg, missing), lacksPromoted(te.Msg, embedding), used(te.Msg):
			tp.Partial++
		case len(errs) < 3:
			errs = append(errs, te.Error())
		}
	}
	tp.Errs = errs
	if !src.Bodies {
		u.mu.Lock()
		for _, name := range src.Files {
			delete(u.parsed, name) // the types are kept; the syntax is no longer needed
		}
		u.mu.Unlock()
	}
	return tp
}

func (u *Universe) setMissing(ip string) {
	u.mu.Lock()
	u.missing[ip] = true
	u.mu.Unlock()
}

// IsMissing reports whether an import path had no source in the universe
// (or its parent), so that its package is an empty fake.
func (u *Universe) IsMissing(ip string) bool {
	for ; u != nil; u = u.Parent {
		u.mu.Lock()
		m := u.missing[ip]
		u.mu.Unlock()
		if m {
			return true
		}
	}
	return false
}

// missingNames returns the names under which files import packages that
// have no source because their module is absent from the module cache.
func (u *Universe) missingNames(src *Source, files []*ast.File) map[string]bool {
	names := map[string]bool{}
	for _, f := range files {
		for _, spec := range f.Imports {
			written, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				continue
			}
			ip := written
			if m, ok := src.Imports[written]; ok {
				ip = m
			}
			if !u.IsMissing(ip) || u.Absent == nil || !u.Absent(ip) {
				continue
			}
			if spec.Name != nil {
				names[spec.Name.Name] = true
			} else {
				names[AssumedName(ip)] = true
			}
		}
	}
	return names
}

var undefinedQualifiedRE = regexp.MustCompile(`^undefined: (\w+)\.\w+$`)

// followsFromMissing reports whether a type error only says that a name of
// a package without source is undefined.
func followsFromMissing(msg string, missing map[string]bool) bool {
	m := undefinedQualifiedRE.FindStringSubmatch(msg)
	return m != nil && missing[m[1]]
}

// embedsMissing names the struct types of files that embed a type of a
// package without source: their promoted fields and methods are unknown.
func embedsMissing(files []*ast.File, missing map[string]bool) map[string]bool {
	out := map[string]bool{}
	if len(missing) == 0 {
		return out
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fld := range st.Fields.List {
				if len(fld.Names) > 0 {
					continue
				}
				t := fld.Type
				if star, ok := t.(*ast.StarExpr); ok {
					t = star.X
				}
				if sel, ok := t.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && missing[id.Name] {
						out[ts.Name.Name] = true
					}
				}
			}
			return true
		})
	}
	return out
}

var unusedImportRE = regexp.MustCompile(`^"([^"]+)" imported (?:as \w+ )?and not used$`)

// usedButMissing returns a test of whether a type error says an import is
// not used where the code does name it (pkg.X), in a package that imports
// a package without source: the uses sit in expressions the missing
// package made invalid (loop.Interface[loops.EventStream]), so the checker
// never saw them.
func usedButMissing(files []*ast.File, missing map[string]bool) func(string) bool {
	if len(missing) == 0 {
		return func(string) bool { return false }
	}
	named := map[string]string{} // import path -> the name files use
	referenced := map[string]bool{}
	for _, f := range files {
		for _, spec := range f.Imports {
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				continue
			}
			if spec.Name != nil {
				named[p] = spec.Name.Name
			} else {
				named[p] = AssumedName(p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok {
					referenced[id.Name] = true
				}
			}
			return true
		})
	}
	return func(msg string) bool {
		m := unusedImportRE.FindStringSubmatch(msg)
		return m != nil && referenced[named[m[1]]]
	}
}

var lacksFieldRE = regexp.MustCompile(`\(type \*?(\w+) has no field or method \w+`)

// lacksPromoted reports whether a type error says that a struct type that
// embeds a type of a package without source lacks a field or method: one
// it would have promoted.
func lacksPromoted(msg string, embedding map[string]bool) bool {
	m := lacksFieldRE.FindStringSubmatch(msg)
	return m != nil && embedding[m[1]]
}

// Checked returns a package the universe has already type-checked, or nil;
// it checks nothing.
func (u *Universe) Checked(ip string) *Package {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.pkgs[ip]
}

func (u *Universe) resolve(from *Source, written string) (*types.Package, error) {
	ip := written
	if m, ok := from.Imports[written]; ok {
		ip = m
	}
	tp := u.Get(ip)
	if tp.Types == nil {
		return nil, fmt.Errorf("no package %s", ip)
	}
	return tp.Types, nil
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func fakePkg(ip string) *Package {
	p := types.NewPackage(ip, AssumedName(ip))
	p.MarkComplete()
	return &Package{Types: p}
}

// AssumedName guesses a package's name from its import path, as goimports
// does: the last element, without a /vN major version, a go- prefix or
// what follows the first character that cannot be in an identifier
// (gopkg.in/yaml.v3 is yaml, github.com/mattn/go-sqlite3 is sqlite3).
func AssumedName(ip string) string {
	base := path.Base(ip)
	if strings.HasPrefix(base, "v") && len(base) > 1 && strings.Trim(base[1:], "0123456789") == "" {
		if dir := path.Dir(ip); dir != "." {
			base = path.Base(dir)
		}
	}
	base = strings.TrimPrefix(base, "go-")
	if i := strings.IndexFunc(base, func(r rune) bool {
		return !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r))
	}); i >= 0 {
		base = base[:i]
	}
	if base == "" {
		base = "_"
	}
	return base
}
