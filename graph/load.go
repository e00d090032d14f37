package graph

import (
	"cmp"
	"context"
	"fmt"
	"go/version"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"

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
	if len(w.Modules) > 0 {
		if opts.Modules {
			w.full = true
			if err := w.loadPackages(ctx, layout, w.env); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				w.full = false
				w.warn(Warning{Code: "GO_LIST_FAILED", Message: fmt.Sprintf("go list failed, so packages were read from source headers instead (imports of other modules are not followed): %s", firstLine(err.Error()))})
				w.scan(layout)
			}
		} else {
			w.scan(layout)
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

// loadPackages loads every package with go list into the workspace.
func (w *Workspace) loadPackages(ctx context.Context, l layout, env []string) error {
	results, err := w.goList(ctx, l, env, nil)
	if err != nil {
		return err
	}
	for _, roots := range results {
		packages.Visit(roots, nil, func(lp *packages.Package) {
			p, warnings := w.convert(lp)
			w.addPackage(p)
			w.Warnings = append(w.Warnings, warnings...)
		})
	}
	return nil
}

// goList runs go/packages: once for the root module or the workspace, once
// per module for nested modules without a workspace. With patterns (in-repo
// import paths), only those packages and their dependencies load.
func (w *Workspace) goList(ctx context.Context, l layout, env []string, patterns []string) ([][]*packages.Package, error) {
	type job struct {
		dir      string
		patterns []string
		env      []string
	}
	var jobs []job
	switch {
	case l.work != "":
		pats := []string{"work"}
		if patterns != nil {
			pats = patterns
		}
		jobs = append(jobs, job{w.Root, pats, append(env, "GOWORK="+l.work)})
	default:
		for _, m := range l.modules {
			pats := []string{"./..."}
			if patterns != nil {
				pats = nil
				for _, p := range patterns {
					if mm, ok := w.moduleOfImportPath(p); ok && mm.Dir == m.Dir {
						pats = append(pats, p)
					}
				}
				if len(pats) == 0 {
					continue
				}
			}
			jobs = append(jobs, job{filepath.Join(w.Root, filepath.FromSlash(m.Dir)), pats, append(env, "GOWORK=off")})
		}
	}
	results := make([][]*packages.Package, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, 2)
	done := make(chan int)
	for i, j := range jobs {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- i }()
			cfg := &packages.Config{Mode: loadMode, Context: ctx, Dir: j.dir, Env: j.env}
			results[i], errs[i] = packages.Load(cfg, j.patterns...)
		}()
	}
	for range jobs {
		<-done
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", relOr(w.Root, jobs[i].dir), err)
		}
	}
	return results, nil
}

// Deps are the packages that some in-repo packages depend on and that the
// workspace's load did not read: packages of other modules and of the
// standard library, read by go list for type-checking. A Workspace never
// changes after Load; its dependencies come back as this separate value.
type Deps struct {
	Packages map[string]*Package // by import path
}

// Package returns an import path's package from the workspace, else from
// deps (which may be nil).
func (w *Workspace) Package(ip string, deps *Deps) *Package {
	if p := w.Packages[ip]; p != nil {
		return p
	}
	if deps != nil {
		return deps.Packages[ip]
	}
	return nil
}

// LoadDeps reads, with go list, the packages that pkgs (in-repo import
// paths) depend on in other modules and the standard library, with their
// files, for type-checking. When Load already ran go list on everything,
// there is nothing more to read.
func (w *Workspace) LoadDeps(ctx context.Context, pkgs []string) (*Deps, error) {
	deps := &Deps{Packages: map[string]*Package{}}
	if w.full || len(pkgs) == 0 {
		return deps, nil
	}
	results, err := w.goList(ctx, w.layout, w.env, pkgs)
	if err != nil {
		return deps, fmt.Errorf("loading the dependencies of the packages to type-check: %w", err)
	}
	for _, roots := range results {
		packages.Visit(roots, nil, func(lp *packages.Package) {
			// The repository's packages were read already, with their
			// warnings.
			if known := w.Packages[lp.PkgPath]; known != nil && known.InRepo {
				return
			}
			p, _ := w.convert(lp)
			deps.Packages[p.ImportPath] = p
		})
	}
	return deps, nil
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
	p.Files = w.relAll(files, p.InRepo)
	p.GoFiles = w.relAll(lp.GoFiles, p.InRepo)
	p.Embeds = w.relAll(lp.EmbedFiles, p.InRepo)
	for written, ip := range lp.Imports {
		p.Imports = append(p.Imports, ip.PkgPath)
		if written != ip.PkgPath {
			if p.ImportMap == nil {
				p.ImportMap = map[string]string{}
			}
			p.ImportMap[written] = ip.PkgPath
		}
	}
	sort.Strings(p.Imports)
	for _, e := range lp.Errors {
		p.Errors = append(p.Errors, e.Msg)
	}
	if !p.InRepo {
		// A package that failed to load because in-repo code imports it
		// (a missing module, a typo): say where it is imported.
		if len(lp.Errors) > 0 && lp.Module == nil {
			if file, line := errorPos(w, lp.Errors[0].Pos); file != "" {
				warnings = append(warnings, Warning{Code: "PACKAGE_LOAD_ERROR", File: file, Line: line,
					Message: fmt.Sprintf("package %s, imported here, could not be loaded (%s); the importing package is still mapped by its files", p.ImportPath, firstLine(lp.Errors[0].Msg))})
			}
		}
		return p, warnings
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
	for _, root := range []string{w.Root, evalSymlinks(w.Root)} {
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

func evalSymlinks(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

func relOr(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return filepath.ToSlash(r)
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
