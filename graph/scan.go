package graph

import (
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// scan reads packages from source headers with go/build, without the go
// command. It is the fallback when go list cannot run (a go.mod that asks
// for a newer Go than the installed one, say): in-repo imports and files are
// exact, imports of other modules are recorded but not followed.
func (w *Workspace) scan(l layout) {
	ctxt := build.Default
	ctxt.CgoEnabled = false
	ctxt.GOPATH = ""
	moduleDirs := map[string]bool{}
	for _, m := range l.modules {
		moduleDirs[m.Dir] = true
	}
	for _, m := range l.modules {
		top := filepath.Join(w.Root, filepath.FromSlash(m.Dir))
		filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			rel, _ := w.rel(p)
			if p != top && (skipDir(d.Name()) || moduleDirs[rel]) {
				return filepath.SkipDir
			}
			w.scanDir(&ctxt, m, p, rel)
			return nil
		})
	}
}

func (w *Workspace) scanDir(ctxt *build.Context, m Module, abs, rel string) {
	bp, err := ctxt.ImportDir(abs, 0)
	var noGo *build.NoGoError
	if errors.As(err, &noGo) {
		return
	}
	ip := m.Path
	if rel != m.Dir {
		ip = path.Join(m.Path, strings.TrimPrefix(rel, m.Dir+"/"))
		if m.Dir == "." {
			ip = path.Join(m.Path, rel)
		}
	}
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
		w.warn(Warning{Code: "PACKAGE_LOAD_ERROR", File: rel,
			Message: fmt.Sprintf("package %s did not load cleanly (%s); it is mapped by its files", ip, firstLine(err.Error()))})
	}
	w.addPackage(p)
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
