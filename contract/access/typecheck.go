package access

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

// Source is where one package's source comes from in one universe.
type Source struct {
	Path    string   // import path
	Files   []string // display names: repo-relative in the repository, else absolute
	Read    func(string) ([]byte, error)
	Imports map[string]string // import path as written -> package path, where they differ
	Bodies  bool              // type-check function bodies and record types.Info
}

// Package is a type-checked package.
type Package struct {
	Src   *Source
	Types *types.Package
	Files []*ast.File // kept only when bodies were checked
	Info  *types.Info // nil unless bodies were checked
	Errs  []string    // type errors (first few), for packages with bodies
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

	mu         sync.Mutex
	parsed     map[string]*ast.File // by file display name
	parseErrs  map[string]error
	pkgs       map[string]*Package
	inProgress map[string]bool
	sizes      types.Sizes
}

func NewUniverse(name string, fset *token.FileSet, source func(string) (*Source, bool)) *Universe {
	return &Universe{name: name, fset: fset, source: source, parsed: map[string]*ast.File{}, parseErrs: map[string]error{},
		pkgs: map[string]*Package{}, inProgress: map[string]bool{}, sizes: types.SizesFor("gc", runtime.GOARCH)}
}

// Prefetch parses the files of the given packages in parallel, so that the
// (sequential) type-checking that follows finds them ready.
func (u *Universe) Prefetch(paths []string) {
	type job struct {
		name  string
		read  func(string) ([]byte, error)
		strip bool
	}
	var jobs []job
	for _, p := range paths {
		if u.Parent != nil && !u.Local(p) {
			continue
		}
		src, ok := u.source(p)
		if !ok {
			continue
		}
		for _, f := range src.Files {
			if _, done := u.parsed[f]; !done {
				jobs = append(jobs, job{f, src.Read, !src.Bodies})
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
	for _, name := range src.Files {
		f, err := u.parseOne(name, src.Read, !src.Bodies)
		if err != nil && len(errs) < 3 {
			errs = append(errs, err.Error())
		}
		if f != nil {
			files = append(files, f)
		}
	}
	tp := &Package{Src: src}
	conf := types.Config{
		Importer:         importerFunc(func(p string) (*types.Package, error) { return u.resolve(src, p) }),
		IgnoreFuncBodies: !src.Bodies,
		FakeImportC:      true,
		Sizes:            u.sizes,
		Error: func(err error) {
			if src.Bodies && len(errs) < 3 {
				errs = append(errs, err.Error())
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
		}
		tp.Files, tp.Info = files, info
	}
	tp.Types, _ = conf.Check(ip, u.fset, files, info)
	tp.Errs = errs
	if !src.Bodies {
		u.mu.Lock()
		for _, name := range src.Files {
			delete(u.parsed, name) // the types are kept; the syntax is no longer needed
		}
		u.mu.Unlock()
	}
	u.pkgs[ip] = tp
	return tp
}

// Checked returns a package the universe has already type-checked, or nil;
// it checks nothing.
func (u *Universe) Checked(ip string) *Package { return u.pkgs[ip] }

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
	return &Package{Types: p}
}
