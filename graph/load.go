package graph

import (
	"cmp"
	"context"
	"fmt"
	"go/version"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/deployorder/deployorder/config"
	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/packages"
	"gonum.org/v1/gonum/graph/simple"
)

// LoadOptions configures Load.
type LoadOptions struct {
	Root   string         // repository root to load (a worktree or an export of one revision)
	Config *config.Config // services, exclusions; nil for none
	Env    []string       // base environment for go list (os.Environ() if nil); safety overrides are applied on top
	// Offline sets GOPROXY=off so that go list never downloads modules.
	Offline bool
	// IndexDir is where what the dependencies' directories hold is kept
	// from one run to the next (depIndex); "" keeps nothing.
	IndexDir string
	// BeforeDeps, if set, runs once before anything reads other modules'
	// packages from the root (go list, the dependencies' walk): an export
	// of the head writes its vendor/ trees then, and only then.
	BeforeDeps func() error
	// Modules asks for the packages of other modules and the standard
	// library too (go list), which a go.mod or go.work change needs to map
	// module versions to services. Without it the repository's packages are
	// read from source headers, in parallel, which is several times faster
	// than go list; LoadDeps reads the rest later when it is needed.
	Modules bool
}

// loadMode is the cheapest go/packages mode that answers "which files does
// each package use, and what does it import": no syntax, no types.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedImports |
	packages.NeedDeps | packages.NeedEmbedFiles | packages.NeedModule

// SafeEnv returns env with the overrides that make go list safe to run on
// untrusted code: no toolchain download (GOTOOLCHAIN=local), no flags from
// the environment (GOFLAGS), no external driver (GOPACKAGESDRIVER=off), no
// cgo (which would run pkg-config and the C compiler's preprocessor).
func SafeEnv(env []string, offline bool) []string {
	drop := map[string]bool{"GOTOOLCHAIN": true, "GOFLAGS": true, "GOPACKAGESDRIVER": true, "CGO_ENABLED": true, "GOWORK": true}
	if offline {
		drop["GOPROXY"] = true
	}
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	out = append(out, "GOTOOLCHAIN=local", "GOFLAGS=", "GOPACKAGESDRIVER=off", "CGO_ENABLED=0")
	if offline {
		out = append(out, "GOPROXY=off")
	}
	return out
}

// Load reads the Go packages and services under opts.Root.
func Load(ctx context.Context, opts LoadOptions) (*Workspace, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, err
	}
	w := &Workspace{
		Root:     root,
		Packages: map[string]*Package{},
		Imports:  simple.NewDirectedGraph(),
		ids:      map[string]int64{},
		files:    map[string]fileRef{},
		dirs:     map[string]string{},
		warned:   map[string]bool{},
		reasons:  map[string]string{},
	}
	layout, err := findModules(root)
	if err != nil {
		return nil, err
	}
	w.Modules = layout.modules
	w.layout = layout
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	w.env = SafeEnv(env, opts.Offline)
	w.offline = opts.Offline
	w.res = newResolver(root, layout, w.env)
	w.res.indexDir = opts.IndexDir
	if opts.BeforeDeps != nil {
		w.depsReady = sync.OnceValue(opts.BeforeDeps)
	}
	if len(w.Modules) > 0 {
		if opts.Modules {
			if err := w.loadPackages(ctx, layout); err != nil {
				return nil, err
			}
		} else {
			w.scan(layout, nil)
		}
		w.checkGoVersions()
	}
	if err := w.findServices(cfg); err != nil {
		return nil, err
	}
	SortWarnings(w.Warnings)
	return w, nil
}

// checkGoVersions warns about a module whose go line asks for a newer Go
// than the one deployorder was built with: its parser and type checker may
// not understand the code.
func (w *Workspace) checkGoVersions() {
	for _, m := range w.Modules {
		file := path.Join(m.Dir, "go.mod")
		data, err := os.ReadFile(filepath.Join(w.Root, filepath.FromSlash(file)))
		if err != nil {
			continue
		}
		mf, err := modfile.ParseLax(file, data, nil)
		if err != nil || mf.Go == nil {
			continue
		}
		if want := "go" + mf.Go.Version; version.IsValid(want) && version.Compare(want, runtime.Version()) > 0 {
			line := 0
			if mf.Go.Syntax != nil {
				line = mf.Go.Syntax.Start.Line
			}
			w.warn(Warning{Code: "GO_VERSION_NEWER", File: file, Line: line,
				Message: fmt.Sprintf("%s asks for go %s, newer than the %s deployorder was built with; packages were read as far as this Go understands them (install a newer deployorder to be exact)", file, mf.Go.Version, runtime.Version())})
		}
	}
}

// layout is where the repository's modules are.
type layout struct {
	modules []Module
	work    string // go.work at the root, if any
}

// findModules finds the repository's modules: those a root go.work uses, or
// every go.mod outside vendor, testdata and _/. directories.
func findModules(root string) (layout, error) {
	var l layout
	workPath := filepath.Join(root, "go.work")
	if data, err := os.ReadFile(workPath); err == nil {
		wf, err := modfile.ParseWork(workPath, data, nil)
		if err != nil {
			return l, fmt.Errorf("go.work: %v; fix it or remove it", err)
		}
		l.work = workPath
		for _, u := range wf.Use {
			dir := filepath.ToSlash(filepath.Clean(u.Path))
			if filepath.IsAbs(u.Path) || strings.HasPrefix(dir, "../") {
				continue // outside the repository
			}
			mp, _ := modulePath(filepath.Join(root, dir, "go.mod"))
			l.modules = append(l.modules, Module{Path: mp, Dir: dir})
		}
		sort.Slice(l.modules, func(i, j int) bool { return l.modules[i].Dir < l.modules[j].Dir })
		return l, nil
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable directories are skipped
		}
		if d.IsDir() {
			if p != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "go.mod" {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		mp, err := modulePath(p)
		if err != nil {
			return nil // a broken go.mod: go list will say so for its module
		}
		l.modules = append(l.modules, Module{Path: mp, Dir: filepath.ToSlash(rel)})
		return nil
	})
	sort.Slice(l.modules, func(i, j int) bool { return l.modules[i].Dir < l.modules[j].Dir })
	return l, err
}

// skipDir reports directories the go command ignores in patterns, plus
// node_modules.
func skipDir(name string) bool {
	return name == "vendor" || name == "testdata" || name == "node_modules" ||
		strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

func modulePath(gomod string) (string, error) {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	mp := modfile.ModulePath(data)
	if mp == "" {
		return "", fmt.Errorf("%s: no module line", gomod)
	}
	return mp, nil
}

// loadPackages loads every package with go list into the workspace. A
// module that go list cannot load is read from source headers instead,
// with one warning that says why and what to run; the other modules load
// whole.
func (w *Workspace) loadPackages(ctx context.Context, l layout) error {
	if err := w.readyDeps(); err != nil {
		return err
	}
	results, failed, err := w.goList(ctx, l, w.env, nil)
	if err != nil {
		return err
	}
	w.full = true
	var listed []string
	for _, r := range results {
		packages.Visit(r.roots, nil, func(lp *packages.Package) {
			p, warnings := w.convert(lp)
			if w.sibling(p) {
				return // another version of a repository module's package
			}
			w.addPackage(p)
			w.Warnings = append(w.Warnings, warnings...)
			w.noteReason(lp)
			if p.InRepo {
				listed = append(listed, p.ImportPath)
			}
		})
	}
	only := map[string]bool{}
	if len(failed) > 0 {
		for _, f := range failed {
			only[f.module.Dir] = true
		}
		w.scan(l, only)
	}
	listed = slices.DeleteFunc(listed, func(ip string) bool {
		m, _ := w.moduleOfImportPath(ip)
		return only[m.Dir] // scanned again, and checked then
	})
	slices.Sort(listed)
	w.checkListedImports(slices.Compact(listed))
	w.Warnings = append(w.Warnings, w.problemWarnings(w.notMissing(failed, results), w.warned)...)
	return nil
}

// readyDeps runs LoadOptions.BeforeDeps, once.
func (w *Workspace) readyDeps() error {
	if w.depsReady == nil {
		return nil
	}
	return w.depsReady()
}

// noteReason keeps what go list said about a package it could not load.
func (w *Workspace) noteReason(lp *packages.Package) {
	if len(lp.Errors) > 0 && len(lp.GoFiles) == 0 {
		w.reasons[lp.PkgPath] = flatten(lp.Errors[0].Msg)
	}
}

// notMissing returns the problems of failed go list runs and of the
// packages in results, but for those that only say that a module could
// not be downloaded (--offline, a proxy that refuses it) and that is not in
// the module cache: the contract analysis reports those where they leave
// type-checked packages partial (MODULE_MISSING), with what go list said
// (kept in w.reasons), so that one cause gives one finding. A missing
// go.sum entry is the repository's to fix, and always reported here.
func (w *Workspace) notMissing(failed []moduleProblem, results []listResult) []moduleProblem {
	failed = slices.DeleteFunc(failed, func(p moduleProblem) bool {
		if !isDownloadProblem(p.msgs[0]) {
			return false
		}
		mods := w.res.missingModules(p.msgs[0])
		for _, mod := range mods {
			w.reasons[mod] = p.msgs[0]
		}
		return len(mods) > 0
	})
	missing := func(ip string) bool {
		if !isDownloadProblem(w.reasons[ip]) || w.res.find(ip) != nil {
			return false
		}
		_, ok := w.res.missingFor(ip)
		return ok
	}
	return append(failed, w.packageProblems(results, missing)...)
}

// Deps are the packages that some in-repo packages depend on and that the
// workspace's load did not read: packages of other modules and of the
// standard library, read by go list for type-checking, and, where go list
// could not give them, from GOROOT and the module cache. A Workspace never
// changes after Load; its dependencies come back as this separate value.
type Deps struct {
	Warnings []Warning // modules go list could not load whole, one warning each (beyond those Load gave)
	// Listed says why go list read the dependencies ("" when they were
	// read without it: from GOROOT, vendor directories and the module
	// cache, as go list would have).
	Listed string

	mu       sync.Mutex
	packages map[string]*Package // by import path
	reasons  map[string]string   // import path or module path -> why go list could not load it
	res      *resolver
}

// Package returns an import path's package from the workspace, else from
// deps (which may be nil). A package that neither go list nor the
// workspace's load could read (a module that did not load, a missing
// go.sum entry, a go list that failed) is read from GOROOT or the module
// cache, when deps is given.
func (w *Workspace) Package(ip string, deps *Deps) *Package {
	p := w.Packages[ip]
	if p != nil && (p.InRepo || len(p.GoFiles) > 0 || len(p.Errors) == 0) {
		return p
	}
	if deps == nil {
		return p
	}
	if q := deps.lookup(ip); q != nil {
		return q
	}
	return p
}

func (d *Deps) lookup(ip string) *Package {
	d.mu.Lock()
	p, ok := d.packages[ip]
	d.mu.Unlock()
	if ok && (len(p.GoFiles) > 0 || len(p.Errors) == 0) {
		return p
	}
	if d.res == nil {
		return p
	}
	if q := d.res.find(ip); q != nil {
		d.mu.Lock()
		d.packages[ip] = q
		d.mu.Unlock()
		return q
	}
	return p
}

// Missing returns the module that an import path needs and that is not in
// the module cache, if that is why its package could not be read.
func (d *Deps) Missing(ip string) (Missing, bool) {
	if d == nil || d.res == nil {
		return Missing{}, false
	}
	m, ok := d.res.missingFor(ip)
	if ok {
		m.Reason = cmp.Or(d.reasons[ip], d.reasons[m.Module])
	}
	return m, ok
}

// LoadDeps reads the packages that pkgs (in-repo import paths) depend on
// in other modules and the standard library, with their files, for
// type-checking. When Load already ran go list on everything, there is
// nothing more to read. Otherwise they are read as go list would read them,
// without running it (walkDeps), unless go list could know better (a
// module not in the module cache, a missing go.sum line...): then go list
// reads them, and a module whose go list fails gives a warning (in
// Deps.Warnings) and leaves its dependencies to GOROOT and the module
// cache. The error is the context's, or LoadOptions.BeforeDeps's.
func (w *Workspace) LoadDeps(ctx context.Context, pkgs []string) (*Deps, error) {
	deps := &Deps{packages: map[string]*Package{}, reasons: w.reasons, res: w.res}
	if w.full || len(pkgs) == 0 {
		return deps, nil
	}
	if err := w.readyDeps(); err != nil {
		return deps, err
	}
	found, why := w.walkDeps(ctx, pkgs)
	w.res.index.save()
	if found != nil {
		deps.packages = found
		return deps, nil
	}
	if ctx.Err() != nil {
		return deps, ctx.Err()
	}
	deps.Listed = why
	results, failed, err := w.goList(ctx, w.layout, w.env, pkgs)
	if err != nil {
		return deps, err
	}
	for _, r := range results {
		packages.Visit(r.roots, nil, func(lp *packages.Package) {
			// The repository's packages were read already, with their
			// warnings.
			if known := w.Packages[lp.PkgPath]; known != nil && known.InRepo {
				return
			}
			p, _ := w.convert(lp)
			if w.sibling(p) {
				return
			}
			deps.packages[p.ImportPath] = p
			w.noteReason(lp)
		})
	}
	deps.Warnings = w.problemWarnings(w.notMissing(failed, results), maps.Clone(w.warned))
	return deps, nil
}

// sibling reports whether a package read from outside the repository has
// the import path of one of the repository's modules: a copy of a sibling
// module, read from the module cache by a module loaded without its
// workspace, or by one that requires a released version of another module
// of the repository (dapr's test apps require github.com/dapr/dapr at a
// tag). The repository's own package is the one to keep: a union of both
// would declare everything twice.
func (w *Workspace) sibling(p *Package) bool {
	if p.InRepo {
		return false
	}
	_, ok := w.moduleOfImportPath(p.ImportPath)
	return ok
}

// moduleOfImportPath returns the repository module an import path belongs
// to: the one with the longest matching module path.
func (w *Workspace) moduleOfImportPath(ip string) (Module, bool) {
	best, found := Module{}, false
	for _, m := range w.Modules {
		if (ip == m.Path || strings.HasPrefix(ip, m.Path+"/")) && (!found || len(m.Path) > len(best.Path)) {
			best, found = m, true
		}
	}
	return best, found
}

// convert turns a go/packages package into a Package, with the warnings
// its load errors raise.
func (w *Workspace) convert(lp *packages.Package) (*Package, []Warning) {
	var warnings []Warning
	p := &Package{ImportPath: lp.PkgPath, Name: lp.Name, Dir: lp.Dir}
	if p.ImportPath == "" {
		p.ImportPath = lp.ID
	}
	if lp.Module != nil {
		p.Module, p.Version = lp.Module.Path, lp.Module.Version
		if lp.Module.Replace != nil && lp.Module.Replace.Version != "" {
			p.Version = lp.Module.Replace.Version
		}
	}
	if rel, ok := w.rel(lp.Dir); ok && lp.Dir != "" {
		p.InRepo, p.Dir = true, rel
	}
	if !p.InRepo {
		return w.convertOther(lp, p)
	}
	var files []string
	for _, group := range [][]string{lp.GoFiles, lp.OtherFiles, lp.IgnoredFiles} {
		files = append(files, group...)
	}
	cgoDropped := 0
	for _, f := range lp.IgnoredFiles {
		if strings.HasSuffix(f, ".go") && usesCgo(f) {
			cgoDropped++
		}
	}
	p.Files = w.relAll(files, true)
	p.GoFiles = w.relAll(lp.GoFiles, true)
	p.Embeds = w.relAll(lp.EmbedFiles, true)
	p.Imports, p.ImportMap = importsOf(lp)
	for _, e := range lp.Errors {
		p.Errors = append(p.Errors, e.Msg)
	}
	if len(p.Errors) > 0 && !slices.ContainsFunc(lp.Errors, func(e packages.Error) bool { return !embedOnly(e.Msg) }) {
		// The files a //go:embed names are missing (a UI build's output,
		// which is not committed): go list read the package's files and
		// imports whole, and what it embeds is no contract.
		p.Errors = nil
	}
	if len(p.Errors) > 0 {
		file, line := errorPos(w, lp.Errors[0].Pos)
		warnings = append(warnings, Warning{Code: "PACKAGE_LOAD_ERROR", File: file, Line: line,
			Message: fmt.Sprintf("package %s did not load cleanly (%s); it is mapped by its files, but its imports may be incomplete", p.ImportPath, firstLine(lp.Errors[0].Msg)),
			Cause:   fmt.Sprintf("packages did not load cleanly (%s); they are mapped by their files, but their imports may be incomplete", firstLine(lp.Errors[0].Msg))})
	}
	if cgoDropped > 0 {
		warnings = append(warnings, cgoWarning(p, cgoDropped))
	}
	return p, warnings
}

// convertOther converts a package outside the repository (another
// module's, the standard library's): its files stay absolute. A package
// that failed to load because in-repo code imports it (a typo, a module
// that provides no such package) gets a warning where it is imported.
func (w *Workspace) convertOther(lp *packages.Package, p *Package) (*Package, []Warning) {
	if len(lp.Errors) > 0 {
		// A package that could not be found (its module is not in the
		// cache) can come back with the files of the package that imports
		// it: they are not its own, and type-checked as its own they would redeclare
		// names and leave others undefined.
		foreign := func(f string) bool { return lp.Dir == "" || filepath.Dir(f) != lp.Dir }
		lp.GoFiles = slices.DeleteFunc(slices.Clone(lp.GoFiles), foreign)
		lp.OtherFiles = slices.DeleteFunc(slices.Clone(lp.OtherFiles), foreign)
		lp.IgnoredFiles = slices.DeleteFunc(slices.Clone(lp.IgnoredFiles), foreign)
	}
	p.GoFiles = slices.Sorted(slices.Values(lp.GoFiles))
	p.Files = slices.Sorted(slices.Values(slices.Concat(lp.GoFiles, lp.OtherFiles, lp.IgnoredFiles)))
	p.Imports, p.ImportMap = importsOf(lp)
	var warnings []Warning
	for _, e := range lp.Errors {
		p.Errors = append(p.Errors, e.Msg)
	}
	if len(lp.Errors) > 0 && lp.Module == nil && !isModuleProblem(lp.Errors[0].Msg) {
		if file, line := errorPos(w, lp.Errors[0].Pos); file != "" {
			warnings = append(warnings, Warning{Code: "PACKAGE_LOAD_ERROR", File: file, Line: line,
				Message: fmt.Sprintf("package %s, imported here, could not be loaded (%s); the importing package is still mapped by its files", p.ImportPath, firstLine(lp.Errors[0].Msg))})
		}
	}
	return p, warnings
}

// importsOf lists the import paths a package's imports resolve to, sorted,
// and maps those written otherwise (vendored) to what they resolve to.
func importsOf(lp *packages.Package) (imports []string, importMap map[string]string) {
	for written, ip := range lp.Imports {
		imports = append(imports, ip.PkgPath)
		if written != ip.PkgPath {
			if importMap == nil {
				importMap = map[string]string{}
			}
			importMap[written] = ip.PkgPath
		}
	}
	sort.Strings(imports)
	return imports, importMap
}

// embedOnly reports whether a package error of go list only says that a
// //go:embed pattern matches no file.
func embedOnly(msg string) bool {
	return embedPattern.MatchString(strings.TrimSpace(msg))
}

var embedPattern = regexp.MustCompile(`^pattern [^\n]+: (no matching files found|cannot embed [^\n]+)$`)

// usesCgo reports whether a Go file imports "C" (a cheap textual check on
// a file build constraints left out).
func usesCgo(file string) bool {
	data, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	return strings.Contains(string(data), `import "C"`) || strings.Contains(string(data), "\n\t\"C\"\n")
}

func errorPos(w *Workspace, pos string) (string, int) {
	if pos == "" || pos == "-" {
		return "", 0
	}
	file, rest, _ := strings.Cut(pos, ":")
	line := 0
	fmt.Sscanf(rest, "%d", &line)
	if !filepath.IsAbs(file) {
		// go list reports positions relative to the directory it ran in:
		// the root or a module directory.
		for _, m := range append([]Module{{Dir: "."}}, w.Modules...) {
			abs := filepath.Join(w.Root, filepath.FromSlash(m.Dir), file)
			if _, err := os.Stat(abs); err == nil {
				file = abs
				break
			}
		}
	}
	if rel, ok := w.rel(file); ok {
		return rel, line
	}
	return "", 0
}

// rel returns the repo-relative slash path of an absolute path under the
// root.
func (w *Workspace) rel(abs string) (string, bool) {
	if abs == "" {
		return "", false
	}
	for _, root := range []string{w.Root, w.realRoot()} {
		r, err := filepath.Rel(root, abs)
		if err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(r), true
		}
	}
	return "", false
}

func (w *Workspace) relAll(files []string, inRepo bool) []string {
	var out []string
	for _, f := range files {
		if r, ok := w.rel(f); ok {
			out = append(out, r)
		} else if !inRepo {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// realRoot is the root with symbolic links resolved (go list reports
// resolved paths), evaluated once: rel runs for every file of every
// package.
func (w *Workspace) realRoot() string {
	w.realOnce.Do(func() { w.real = evalSymlinks(w.Root) })
	return w.real
}

func evalSymlinks(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

func (w *Workspace) warn(x Warning) { w.Warnings = append(w.Warnings, x) }

// SortWarnings orders warnings by place, then code and message.
func SortWarnings(ws []Warning) {
	slices.SortStableFunc(ws, func(a, b Warning) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Code, b.Code), cmp.Compare(a.Message, b.Message))
	})
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
