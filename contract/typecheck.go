package contract

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path"
	"runtime"
	"strings"
	"sync"
)

// pkgSource is where one package's source comes from in one universe.
type pkgSource struct {
	path    string   // import path
	files   []string // display names: repo-relative in the repository, else absolute
	read    func(string) ([]byte, error)
	imports map[string]string // import path as written -> package path, where they differ
	bodies  bool              // type-check function bodies and record types.Info
}

// typedPkg is a type-checked package.
type typedPkg struct {
	src   *pkgSource
	types *types.Package
	files []*ast.File // kept only when bodies were checked
	info  *types.Info // nil unless bodies were checked
	errs  []string    // type errors (first few), for packages with bodies
}

// universe type-checks packages from source on demand. A base universe
// has a parent (head): packages that are not local (unchanged, and not
// depending on a changed package) are taken from the parent, so the
// standard library and unchanged code are checked once.
type universe struct {
	name   string
	fset   *token.FileSet
	source func(path string) (*pkgSource, bool)
	parent *universe
	local  func(path string) bool

	mu         sync.Mutex
	parsed     map[string]*ast.File // by file display name
	parseErrs  map[string]error
	pkgs       map[string]*typedPkg
	inProgress map[string]bool
	sizes      types.Sizes
}

func newUniverse(name string, fset *token.FileSet, source func(string) (*pkgSource, bool)) *universe {
	return &universe{name: name, fset: fset, source: source, parsed: map[string]*ast.File{}, parseErrs: map[string]error{},
		pkgs: map[string]*typedPkg{}, inProgress: map[string]bool{}, sizes: types.SizesFor("gc", runtime.GOARCH)}
}

// prefetch parses the files of the given packages in parallel, so that the
// (sequential) type-checking that follows finds them ready.
func (u *universe) prefetch(paths []string) {
	type job struct {
		name  string
		read  func(string) ([]byte, error)
		strip bool
	}
	var jobs []job
	for _, p := range paths {
		if u.parent != nil && !u.local(p) {
			continue
		}
		src, ok := u.source(p)
		if !ok {
			continue
		}
		for _, f := range src.files {
			if _, done := u.parsed[f]; !done {
				jobs = append(jobs, job{f, src.read, !src.bodies})
			}
		}
	}
	ch := make(chan job)
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				u.parseOne(j.name, j.read, j.strip)
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
}

func (u *universe) parseOne(name string, read func(string) ([]byte, error), strip bool) (*ast.File, error) {
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
		f, err = parser.ParseFile(u.fset, name, data, parser.SkipObjectResolution|parser.ParseComments)
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

// get returns the type-checked package, checking it (and its imports) if
// needed. Packages without source become empty fakes: code that uses them
// still type-checks in part, and its other field accesses are still seen.
func (u *universe) get(ip string) *typedPkg {
	if ip == "unsafe" {
		return &typedPkg{types: types.Unsafe}
	}
	if u.parent != nil && !u.local(ip) {
		return u.parent.get(ip)
	}
	if tp := u.pkgs[ip]; tp != nil {
		return tp
	}
	src, ok := u.source(ip)
	if !ok || u.inProgress[ip] {
		return fakePkg(ip)
	}
	u.inProgress[ip] = true
	defer delete(u.inProgress, ip)
	var files []*ast.File
	var errs []string
	for _, name := range src.files {
		f, err := u.parseOne(name, src.read, !src.bodies)
		if err != nil && len(errs) < 3 {
			errs = append(errs, err.Error())
		}
		if f != nil {
			files = append(files, f)
		}
	}
	tp := &typedPkg{src: src}
	conf := types.Config{
		Importer:         importerFunc(func(p string) (*types.Package, error) { return u.resolve(src, p) }),
		IgnoreFuncBodies: !src.bodies,
		FakeImportC:      true,
		Sizes:            u.sizes,
		Error: func(err error) {
			if src.bodies && len(errs) < 3 {
				errs = append(errs, err.Error())
			}
		},
	}
	var info *types.Info
	if src.bodies {
		info = &types.Info{
			Types:      map[ast.Expr]types.TypeAndValue{},
			Defs:       map[*ast.Ident]types.Object{},
			Uses:       map[*ast.Ident]types.Object{},
			Selections: map[*ast.SelectorExpr]*types.Selection{},
			Implicits:  map[ast.Node]types.Object{},
		}
		tp.files, tp.info = files, info
	}
	tp.types, _ = conf.Check(ip, u.fset, files, info)
	tp.errs = errs
	if !src.bodies {
		u.mu.Lock()
		for _, name := range src.files {
			delete(u.parsed, name) // the types are kept; the syntax is no longer needed
		}
		u.mu.Unlock()
	}
	u.pkgs[ip] = tp
	return tp
}

func (u *universe) resolve(from *pkgSource, written string) (*types.Package, error) {
	ip := written
	if m, ok := from.imports[written]; ok {
		ip = m
	}
	tp := u.get(ip)
	if tp.types == nil {
		return nil, fmt.Errorf("no package %s", ip)
	}
	return tp.types, nil
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func fakePkg(ip string) *typedPkg {
	name := path.Base(ip)
	if strings.HasPrefix(name, "v") && len(name) > 1 && strings.Trim(name[1:], "0123456789") == "" {
		name = path.Base(path.Dir(ip))
	}
	name = strings.Map(func(r rune) rune {
		if r == '-' || r == '.' {
			return '_'
		}
		return r
	}, name)
	p := types.NewPackage(ip, name)
	p.MarkComplete()
	return &typedPkg{types: p}
}
