package graph

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// resolver reads the packages that go list did not give, the way go list
// would have found them: the standard library from GOROOT (always there),
// other modules from the module cache at the version the repository's
// go.mod files (and go.work) require, or from their replacement directory.
// It never runs more than one go command (go env, once) and never
// downloads anything.
type resolver struct {
	root    string
	modules []Module
	work    string // go.work, if any
	env     []string

	once      sync.Once
	ctxt      build.Context
	goroot    string
	modcache  string
	goVersion string                 // the go command's version ("go1.26.8"), if go env said
	reqs      map[string]requirement // module path -> what the repository requires
	vendors   []string               // absolute vendor directories of the repository's modules

	indexDir string               // where the dependency index is kept ("" for none)
	index    *depIndex            // nil without one
	scopes   map[string]*resolver // module directory -> the resolver of its own requirements, without a go.work

	sumOnce sync.Once
	sums    map[string]bool // "module version" pairs the go.sum files hash

	mu      sync.Mutex
	found   map[string]*Package // by import path; nil when not found
	missing map[string]Missing  // import path -> the module it needs and that is not in the cache
}

// requirement is a module the repository requires: the highest version
// any of its go.mod files asks for (minimal version selection picks it),
// or a replacement.
type requirement struct {
	path, version string
	line          int    // in by's go.mod
	dir           string // a replacement directory (absolute), if any
	target        string // a replacement module read at version instead of path, if any
	by            Module // the repository module that requires it
}

// Missing is a module that some packages need and that is not in the
// module cache.
type Missing struct {
	Module  string // module path
	Version string
	By      Module // the repository module that requires it
	Line    int    // the line of its go.mod that requires it (0 if unknown)
	Reason  string // what go list said about it, if it said something
}

// GoMod is the repository-relative go.mod that requires the module.
func (m Missing) GoMod() string { return gomodFile(m.By) }

func newResolver(root string, l layout, env []string) *resolver {
	return &resolver{root: root, modules: l.modules, work: l.work, env: env,
		found: map[string]*Package{}, missing: map[string]Missing{}}
}

// setup asks the go command where GOROOT and the module cache are, and for
// which platform it builds, and reads the repository's requirements.
func (r *resolver) setup() {
	r.ctxt = build.Default
	r.ctxt.CgoEnabled = false
	r.ctxt.GOPATH = ""
	r.ctxt.ReadDir = readDirNoTests
	r.goroot = build.Default.GOROOT // where deployorder was built, if go env cannot say
	r.modcache = ""
	var env struct{ GOROOT, GOMODCACHE, GOOS, GOARCH, GOVERSION string }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "env", "-json", "GOROOT", "GOMODCACHE", "GOOS", "GOARCH", "GOVERSION")
	cmd.Dir, cmd.Env = r.root, r.env
	if out, err := cmd.Output(); err == nil && json.Unmarshal(out, &env) == nil {
		r.goroot, r.modcache = cmp.Or(env.GOROOT, r.goroot), env.GOMODCACHE
		r.ctxt.GOOS, r.ctxt.GOARCH = cmp.Or(env.GOOS, r.ctxt.GOOS), cmp.Or(env.GOARCH, r.ctxt.GOARCH)
		r.goVersion = env.GOVERSION
		if tags := releaseTags(env.GOVERSION); tags != nil {
			r.ctxt.ReleaseTags = tags
		}
	}
	r.ctxt.GOROOT = r.goroot
	r.index = newDepIndex(r.indexDir, &r.ctxt, r.goVersion, r.modcache)
	if r.modcache == "" {
		if gp := build.Default.GOPATH; gp != "" {
			r.modcache = filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod")
		}
	}
	r.reqs, r.vendors = requirements(r.root, r.modules, r.work)
	if r.work == "" && len(r.modules) > 1 {
		// Without a go.work each module builds alone, with its own
		// requirements and vendor directory.
		r.scopes = map[string]*resolver{}
		for _, m := range r.modules {
			c := newResolver(r.root, layout{modules: []Module{m}}, r.env)
			c.once.Do(func() {})
			c.ctxt, c.goroot, c.modcache, c.goVersion, c.index = r.ctxt, r.goroot, r.modcache, r.goVersion, r.index
			c.reqs, c.vendors = requirements(r.root, c.modules, "")
			r.scopes[m.Dir] = c
		}
	}
}

// scope is the resolver for the dependencies of module m's packages: its
// own, when each module builds alone (no go.work), else r.
func (r *resolver) scope(m Module) *resolver {
	r.once.Do(r.setup)
	if c := r.scopes[m.Dir]; c != nil {
		return c
	}
	return r
}

// requirements reads what the modules (and go.work, if any) require: for
// each module path, the highest version a go.mod asks for (minimal version
// selection picks it), or its replacement; and the modules' vendor
// directories.
func requirements(root string, modules []Module, work string) (map[string]requirement, []string) {
	reqs := map[string]requirement{}
	var vendors []string
	var replaces []requirement
	for _, m := range modules {
		dir := filepath.Join(root, filepath.FromSlash(m.Dir))
		mf := parseModFile(filepath.Join(dir, "go.mod"))
		if mf == nil {
			continue
		}
		for _, req := range mf.Require {
			if cur, ok := reqs[req.Mod.Path]; !ok || semver.Compare(req.Mod.Version, cur.version) > 0 {
				line := 0
				if req.Syntax != nil {
					line = req.Syntax.Start.Line
				}
				reqs[req.Mod.Path] = requirement{path: req.Mod.Path, version: req.Mod.Version, by: m, line: line}
			}
		}
		for _, rep := range mf.Replace {
			replaces = append(replaces, replacement(dir, m, rep.Old, rep.New))
		}
		if _, err := os.Stat(filepath.Join(dir, "vendor", "modules.txt")); err == nil {
			vendors = append(vendors, filepath.Join(dir, "vendor"))
		}
	}
	if work != "" {
		if data, err := os.ReadFile(work); err == nil {
			if wf, err := modfile.ParseWork(work, data, nil); err == nil {
				for _, rep := range wf.Replace {
					// go.work's replacements win over the modules' own.
					replaces = append([]requirement{replacement(filepath.Dir(work), Module{Dir: "."}, rep.Old, rep.New)}, replaces...)
				}
			}
		}
	}
	for i := len(replaces) - 1; i >= 0; i-- { // the first replacement wins
		rep := replaces[i]
		if cur, ok := reqs[rep.path]; ok {
			rep.by, rep.line = cur.by, cur.line
			if rep.version == "" {
				rep.version = cur.version
			}
		}
		reqs[rep.path] = rep
	}
	return reqs, vendors
}

// replacement is a replace directive of the module in dir as a
// requirement: a directory, or another module at a version.
func replacement(dir string, m Module, old, new module.Version) requirement {
	if modfile.IsDirectoryPath(new.Path) {
		d := new.Path
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, filepath.FromSlash(d))
		}
		return requirement{path: old.Path, dir: d, by: m}
	}
	return requirement{path: old.Path, version: new.Version, target: new.Path, by: m}
}

func parseModFile(file string) *modfile.File {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	if mf, err := modfile.Parse(file, data, nil); err == nil {
		return mf
	}
	mf, _ := modfile.ParseLax(file, data, nil)
	return mf
}

// releaseTags are the go1.N build tags of a Go version ("go1.26.8").
func releaseTags(v string) []string {
	var major, minor int
	if _, err := fmt.Sscanf(v, "go%d.%d", &major, &minor); err != nil || major != 1 {
		return nil
	}
	var tags []string
	for i := 1; i <= minor; i++ {
		tags = append(tags, fmt.Sprintf("go1.%d", i))
	}
	return tags
}

// isStd reports whether an import path names a standard-library package
// (its first element has no dot), or one that the standard library
// vendors.
func isStd(ip string) bool {
	first, _, _ := strings.Cut(ip, "/")
	return !strings.Contains(first, ".") && ip != "C"
}

// find returns the package of an import path, or nil. Results are kept.
func (r *resolver) find(ip string) *Package {
	r.once.Do(r.setup)
	r.mu.Lock()
	p, done := r.found[ip]
	r.mu.Unlock()
	if done {
		return p
	}
	p = r.read(ip)
	r.mu.Lock()
	r.found[ip] = p
	r.mu.Unlock()
	return p
}

func (r *resolver) read(ip string) *Package {
	if isStd(ip) {
		p := r.readDir(ip, filepath.Join(r.goroot, "src", filepath.FromSlash(ip)))
		if p != nil {
			r.vendorStd(p)
		}
		return p
	}
	for _, v := range r.vendors {
		if p := r.readDir(ip, filepath.Join(v, filepath.FromSlash(ip))); p != nil {
			return p
		}
	}
	req, ok := r.requirement(ip)
	if !ok {
		return nil
	}
	root := req.dir
	if root == "" {
		mod := cmp.Or(req.target, req.path)
		escPath, err1 := module.EscapePath(mod)
		escVer, err2 := module.EscapeVersion(req.version)
		if err1 != nil || err2 != nil || r.modcache == "" {
			return nil
		}
		root = filepath.Join(r.modcache, escPath+"@"+escVer)
	}
	if _, err := os.Stat(root); err != nil {
		r.mu.Lock()
		r.missing[ip] = Missing{Module: req.path, Version: req.version, By: req.by, Line: req.line}
		r.mu.Unlock()
		return nil
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(ip, req.path), "/")
	p := r.readDir(ip, filepath.Join(root, filepath.FromSlash(rest)))
	if p != nil {
		p.Module, p.Version = req.path, req.version
	}
	return p
}

// requirement returns the requirement whose module path is the longest
// prefix of an import path.
func (r *resolver) requirement(ip string) (requirement, bool) {
	for p := ip; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		if req, ok := r.reqs[p]; ok {
			return req, true
		}
	}
	return requirement{}, false
}

// readDirNoTests lists a directory for go/build without its _test.go
// files: a dependency's tests are never type-checked, and go/build would
// open each one to read its package clause. Entries are not stat'ed.
func readDirNoTests(dir string) ([]fs.FileInfo, error) {
	entries, err := os.ReadDir(dir)
	var out []fs.FileInfo
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), "_test.go") {
			out = append(out, entryInfo{e})
		}
	}
	return out, err
}

// entryInfo is a directory entry as the fs.FileInfo go/build asks for: it
// reads only names and types.
type entryInfo struct{ fs.DirEntry }

func (e entryInfo) Size() int64        { return 0 }
func (e entryInfo) Mode() fs.FileMode  { return e.Type() }
func (e entryInfo) ModTime() time.Time { return time.Time{} }
func (e entryInfo) Sys() any           { return nil }

// readDir reads the package in dir as go list would with CGO_ENABLED=0,
// or takes it from the index when dir never changes.
func (r *resolver) readDir(ip, dir string) *Package {
	indexed := r.index.covers(dir)
	if indexed {
		if e, ok := r.index.get(dir); ok {
			return e.pkg(ip, dir)
		}
	}
	bp, err := r.ctxt.ImportDir(dir, 0)
	var e indexEntry
	if err != nil {
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			if indexed {
				r.index.put(dir, e) // no package there, and never will be
			}
			return nil
		}
		if bp == nil || len(bp.GoFiles) == 0 {
			return nil
		}
	}
	e = indexEntry{Name: bp.Name, GoFiles: bp.GoFiles, Imports: bp.Imports}
	if indexed {
		r.index.put(dir, e)
	}
	return e.pkg(ip, dir)
}

// pkg is the package an entry describes, with files under dir.
func (e indexEntry) pkg(ip, dir string) *Package {
	if e.Name == "" {
		return nil
	}
	p := &Package{ImportPath: ip, Name: e.Name, Dir: dir}
	for _, f := range e.GoFiles {
		p.GoFiles = append(p.GoFiles, filepath.Join(dir, f))
	}
	p.Files = append([]string(nil), p.GoFiles...)
	p.Imports = append(p.Imports, e.Imports...)
	return p
}

// vendorStd maps a standard-library package's imports of the modules the
// standard library vendors (golang.org/x/net/...) to their vendor/ paths,
// as go list reports them.
func (r *resolver) vendorStd(p *Package) {
	for i, imp := range p.Imports {
		if isStd(imp) {
			continue
		}
		v := "vendor/" + imp
		if st, err := os.Stat(filepath.Join(r.goroot, "src", filepath.FromSlash(v))); err == nil && st.IsDir() {
			if p.ImportMap == nil {
				p.ImportMap = map[string]string{}
			}
			p.ImportMap[imp] = v
			p.Imports[i] = v
		}
	}
	sort.Strings(p.Imports)
}

// missingFor returns the module an import path needs that is missing from
// the module cache.
func (r *resolver) missingFor(ip string) (Missing, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m, ok := r.missing[ip]
	return m, ok
}

// missingModules returns the modules a go command message names
// (module@version) when every one of them is required by the repository
// and absent from the module cache: the message is then only about
// modules missing from the cache. Otherwise it returns nil.
func (r *resolver) missingModules(msg string) []string {
	r.once.Do(r.setup)
	var mods []string
	for _, s := range moduleAtRE.FindAllStringSubmatch(msg, -1) {
		req, ok := r.reqs[s[1]]
		if !ok || req.dir != "" {
			return nil
		}
		escPath, err1 := module.EscapePath(cmp.Or(req.target, req.path))
		escVer, err2 := module.EscapeVersion(req.version)
		if err1 != nil || err2 != nil || r.modcache == "" {
			return nil
		}
		if _, err := os.Stat(filepath.Join(r.modcache, escPath+"@"+escVer)); err == nil {
			return nil
		}
		mods = append(mods, s[1])
	}
	return mods
}
