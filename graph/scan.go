package graph

import (
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"golang.org/x/mod/modfile"
)

// scan reads the repository's packages from source headers with go/build,
// as go list would with CGO_ENABLED=0, without running the go command:
// files, build constraints, imports and embeds are exact for the
// repository's own packages; imports of other modules are recorded but not
// followed (LoadDeps reads them when needed). Directories are read in
// parallel. With only, just those modules (by directory) are read.
func (w *Workspace) scan(l layout, only map[string]bool) {
	type job struct {
		m        Module
		abs, rel string
	}
	var jobs []job
	moduleDirs := map[string]bool{}
	for _, m := range l.modules {
		moduleDirs[m.Dir] = true
	}
	for _, m := range l.modules {
		if only != nil && !only[m.Dir] {
			continue
		}
		top := filepath.Join(w.Root, filepath.FromSlash(m.Dir))
		filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			rel, _ := w.rel(p)
			if p != top && (skipDir(d.Name()) || moduleDirs[rel]) {
				return filepath.SkipDir
			}
			jobs = append(jobs, job{m, p, rel})
			return nil
		})
	}
	results := make([]scanned, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctxt := build.Default
			ctxt.CgoEnabled = false
			ctxt.GOPATH = ""
			for i := range next {
				j := jobs[i]
				results[i] = scanDir(&ctxt, j.m, j.abs, j.rel)
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	scannedPkgs := map[string]bool{}
	for _, r := range results {
		if r.pkg == nil {
			continue
		}
		w.addPackage(r.pkg)
		w.Warnings = append(w.Warnings, r.warnings...)
		scannedPkgs[r.pkg.ImportPath] = true
	}
	w.checkImports(l, scannedPkgs)
}

// scanned is one directory's package, or nil.
type scanned struct {
	pkg      *Package
	warnings []Warning
}

func scanDir(ctxt *build.Context, m Module, abs, rel string) scanned {
	bp, err := ctxt.ImportDir(abs, 0)
	var noGo *build.NoGoError
	if errors.As(err, &noGo) {
		return scanned{}
	}
	ip := m.Path
	if rel != m.Dir {
		ip = path.Join(m.Path, strings.TrimPrefix(rel, m.Dir+"/"))
		if m.Dir == "." {
			ip = path.Join(m.Path, rel)
		}
	}
	var out scanned
	p := &Package{ImportPath: ip, Name: bp.Name, Dir: rel, InRepo: true, Module: m.Path}
	for _, group := range [][]string{bp.GoFiles, bp.CgoFiles, bp.IgnoredGoFiles, bp.InvalidGoFiles, bp.IgnoredOtherFiles,
		bp.CFiles, bp.CXXFiles, bp.HFiles, bp.SFiles, bp.SysoFiles} {
		for _, f := range group {
			p.Files = append(p.Files, path.Join(rel, f))
		}
	}
	sort.Strings(p.Files)
	for _, f := range bp.GoFiles {
		p.GoFiles = append(p.GoFiles, path.Join(rel, f))
	}
	p.Imports = append(p.Imports, bp.Imports...)
	p.Embeds = embedFiles(abs, rel, bp.EmbedPatterns)
	if err != nil {
		p.Errors = append(p.Errors, err.Error())
		out.warnings = append(out.warnings, Warning{Code: "PACKAGE_LOAD_ERROR", File: rel,
			Message: fmt.Sprintf("package %s did not load cleanly (%s); it is mapped by its files", ip, firstLine(err.Error())),
			Cause:   fmt.Sprintf("packages did not load cleanly (%s); they are mapped by their files", firstLine(err.Error()))})
	}
	cgo := 0
	for _, f := range bp.IgnoredGoFiles {
		if usesCgo(filepath.Join(abs, f)) {
			cgo++
		}
	}
	if cgo > 0 {
		out.warnings = append(out.warnings, cgoWarning(p, cgo))
	}
	out.pkg = p
	return out
}

func cgoWarning(p *Package, n int) Warning {
	return Warning{Code: "CGO_DISABLED", File: p.Dir,
		Message: fmt.Sprintf("package %s has %d cgo file(s) that were not analysed, because deployorder reads packages with CGO_ENABLED=0; changes to them still map to the package", p.ImportPath, n),
		Cause:   "packages have cgo files that were not analysed, because deployorder reads packages with CGO_ENABLED=0; changes to them still map to their packages"}
}

// checkImports reports imports that nothing provides, as go list would: an
// import of the repository's own module path with no package there, or of
// a path that no module in go.mod (or go.work) requires. Only the scanned
// packages are checked (go list checked the others).
func (w *Workspace) checkImports(l layout, scanned map[string]bool) {
	var required []string
	for _, m := range l.modules {
		required = append(required, m.Path)
		data, err := os.ReadFile(filepath.Join(w.Root, filepath.FromSlash(m.Dir), "go.mod"))
		if err != nil {
			continue
		}
		if mf, err := modfile.ParseLax("go.mod", data, nil); err == nil {
			for _, r := range mf.Require {
				required = append(required, r.Mod.Path)
			}
			for _, r := range mf.Replace {
				required = append(required, r.Old.Path)
			}
		}
	}
	provided := func(ip string) bool {
		for _, m := range required {
			if ip == m || strings.HasPrefix(ip, m+"/") {
				return true
			}
		}
		return false
	}
	var dirs []string
	for ip := range scanned {
		dirs = append(dirs, ip)
	}
	sort.Strings(dirs)
	for _, ip := range dirs {
		p := w.Packages[ip]
		for _, imp := range p.Imports {
			first, _, _ := strings.Cut(imp, "/")
			switch {
			case imp == "C" || !strings.Contains(first, "."):
				continue // the standard library
			case w.Packages[imp] != nil && w.Packages[imp].InRepo:
				continue
			case provided(imp):
				if _, inRepo := w.moduleOfImportPath(imp); !inRepo {
					continue
				}
			}
			w.warn(w.unprovidedWarning(ip, p.Dir, imp))
		}
	}
}

// unprovidedWarning is the warning for an import of package ip (in
// directory dir) that no package of the repository or module provides.
func (w *Workspace) unprovidedWarning(ip, dir, imp string) Warning {
	if root, ok := w.missingDir(imp); ok {
		// A tree the repository does not have: most often code generated
		// at build time (an OpenAPI server, protobuf stubs) and not
		// committed. One problem, however many of its packages are
		// imported.
		return Warning{Code: "PACKAGE_LOAD_ERROR", File: dir,
			Message: fmt.Sprintf("package %s imports %s, but the repository has no directory %s (generated code that is not committed?); the importing package is still mapped by its files, and contracts in code it cannot type-check are not read; to fix it: commit the generated code, or generate it before planning", ip, imp, root),
			Cause:   fmt.Sprintf("packages import packages under %s, a directory the repository does not have (generated code that is not committed?); the importing packages are still mapped by their files, and contracts in code they cannot type-check are not read; to fix it: commit the generated code, or generate it before planning", root)}
	}
	return Warning{Code: "PACKAGE_LOAD_ERROR", File: dir,
		Message: fmt.Sprintf("package %s imports %s, which no package of the repository or module in go.mod provides; the importing package is still mapped by its files", ip, imp),
		Cause:   fmt.Sprintf("packages import %s, which no package of the repository or module in go.mod provides; the importing packages are still mapped by their files", imp)}
}

// checkListedImports reports, for the repository's packages that go list
// loaded (listed), the imports of the repository's own modules that no
// package of the repository provides. go list says so itself when the
// module's requirements load; when they do not (a module the proxy
// refuses), it blames every import it cannot place on that module, and
// these would go unsaid.
func (w *Workspace) checkListedImports(listed []string) {
	for _, ip := range listed {
		p := w.Packages[ip]
		if p == nil || !p.InRepo {
			continue
		}
		for _, imp := range p.Imports {
			if q := w.Packages[imp]; q != nil && q.InRepo {
				continue
			}
			if _, ok := w.moduleOfImportPath(imp); !ok {
				continue // another module's: go list's to say
			}
			said := false
			for _, wn := range w.Warnings {
				said = said || wn.File == p.Dir && strings.Contains(wn.Message, imp)
			}
			if !said {
				w.warn(w.unprovidedWarning(ip, p.Dir, imp))
			}
		}
	}
}

// missingDir reports, for an import path of one of the repository's
// modules, the outermost directory on the way to its package that the
// repository does not have (repo-relative, slash-separated).
func (w *Workspace) missingDir(ip string) (string, bool) {
	m, ok := w.moduleOfImportPath(ip)
	if !ok {
		return "", false
	}
	dir := m.Dir
	if dir == "" {
		dir = "."
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(ip, m.Path), "/")
	if rest == "" {
		return "", false
	}
	for _, elem := range strings.Split(rest, "/") {
		dir = path.Join(dir, elem)
		if _, err := os.Stat(filepath.Join(w.Root, filepath.FromSlash(dir))); err != nil {
			return dir, true
		}
	}
	return "", false
}

// embedFiles expands //go:embed patterns as the go command does: globs
// relative to the package directory; a directory embeds its tree, without
// files starting with . or _ unless the pattern starts with all:.
func embedFiles(abs, rel string, patterns []string) []string {
	seen := map[string]bool{}
	for _, pat := range patterns {
		all := strings.HasPrefix(pat, "all:")
		pat = strings.TrimPrefix(pat, "all:")
		matches, _ := filepath.Glob(filepath.Join(abs, filepath.FromSlash(pat)))
		for _, m := range matches {
			filepath.WalkDir(m, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil
				}
				name := d.Name()
				if p != m && !all && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if !d.IsDir() {
					r, _ := filepath.Rel(abs, p)
					seen[path.Join(rel, filepath.ToSlash(r))] = true
				}
				return nil
			})
		}
	}
	var out []string
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
