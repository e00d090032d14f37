package graph

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/deployorder/deployorder/change"
	"golang.org/x/mod/modfile"
)

// modChange is one module whose version a go.mod or go.work change moves.
type modChange struct {
	file       string // the go.mod or go.work that changed
	module     string
	from, to   string
	moduleDirs []string // repo modules the change applies to ("" for all, from go.work)
}

// modules maps go.mod and go.work changes to the services that import a
// module whose version (or replacement) changed, and to every service of a
// module whose go or toolchain line changed.
func (im *impactor) modules(files []change.File) []serviceReason {
	var changes []modChange
	var goLines []modChange // go/toolchain line changes: module = the repo module dir
	for _, fc := range files {
		name := path.Base(fc.Path)
		if name != "go.mod" && name != "go.work" {
			continue
		}
		old, cur := im.read(fc, true), im.read(fc, false)
		dir := path.Dir(fc.Path)
		var oldV, curV versions
		var err error
		if oldV, err = parseVersions(fc.Path, old); err == nil {
			curV, err = parseVersions(fc.Path, cur)
		}
		if err != nil {
			im.warnings = append(im.warnings, Warning{Code: "GO_MOD_UNREADABLE", File: fc.Path,
				Message: fmt.Sprintf("%s could not be parsed (%v); module version changes in it are not mapped to services", fc.Path, firstLine(err.Error()))})
			continue
		}
		scope := []string{dir}
		if name == "go.work" {
			scope = nil
		}
		for _, m := range diffVersions(oldV.mods, curV.mods) {
			m.file, m.moduleDirs = fc.Path, scope
			changes = append(changes, m)
		}
		if oldV.goLine != curV.goLine {
			goLines = append(goLines, modChange{file: fc.Path, from: oldV.goLine, to: curV.goLine, moduleDirs: scope})
		}
	}
	var out []serviceReason
	for _, c := range changes {
		reached := map[string]bool{}
		for _, seed := range im.moduleSeeds(c) {
			for svc, chain := range im.reach(seed) {
				reached[svc] = true
				out = append(out, serviceReason{svc, Reason{Kind: ViaModule, Path: c.file, Module: c.module, From: c.from, To: c.to,
					Chain: append([]string{c.file}, chain...)}})
			}
		}
		if w, ok := im.moduleContracts(c, reached); ok {
			im.warnings = append(im.warnings, w)
		}
	}
	for _, c := range goLines {
		for _, s := range im.w.Services {
			p := im.w.Packages[s.Main]
			if p == nil || !inScope(im.w, p.Dir, c.moduleDirs) {
				continue
			}
			out = append(out, serviceReason{s.Name, Reason{Kind: ViaGoVersion, Path: c.file, From: c.from, To: c.to,
				Chain: []string{c.file, s.Main}}})
		}
	}
	return dedupe(out)
}

// read returns a changed go.mod/go.work at base or head (nil when absent
// there).
func (im *impactor) read(fc change.File, atBase bool) []byte {
	if atBase {
		if fc.Status == change.Added {
			return nil
		}
		return im.base.Blobs[fc.BasePath()]
	}
	if fc.Status == change.Deleted {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(im.w.Root, filepath.FromSlash(fc.Path)))
	if err != nil {
		return nil
	}
	return data
}

// moduleSeeds returns the packages through which a module change enters
// the repository: the module's loaded packages, and in-repo packages that
// import a path of the module (which covers loads that did not follow
// other modules).
func (im *impactor) moduleSeeds(c modChange) []string {
	var out []string
	for _, p := range im.w.Packages {
		switch {
		case !p.InRepo && p.Module == c.module:
			out = append(out, p.ImportPath)
		case p.InRepo && inScope(im.w, p.Dir, c.moduleDirs):
			for _, imp := range p.Imports {
				if imp == c.module || strings.HasPrefix(imp, c.module+"/") {
					if q := im.w.Packages[imp]; q == nil || q.Module == "" || q.Module == c.module {
						out = append(out, p.ImportPath)
						break
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// inScope reports whether a repo-relative package directory belongs to one
// of the repo modules in dirs (nil: all of them).
func inScope(w *Workspace, dir string, dirs []string) bool {
	if dirs == nil {
		return true
	}
	m, ok := w.ModuleOf(dir)
	if !ok {
		return false
	}
	for _, d := range dirs {
		if m.Dir == d {
			return true
		}
	}
	return false
}

type versions struct {
	mods   map[string]string // module path -> version, or "=> replacement"
	goLine string            // "go 1.22 toolchain go1.22.3"
}

func parseVersions(name string, data []byte) (versions, error) {
	v := versions{mods: map[string]string{}}
	if data == nil {
		return v, nil
	}
	if path.Base(name) == "go.work" {
		wf, err := modfile.ParseWork(name, data, nil)
		if err != nil {
			return v, err
		}
		if wf.Go != nil {
			v.goLine = "go " + wf.Go.Version
		}
		if wf.Toolchain != nil {
			v.goLine += " toolchain " + wf.Toolchain.Name
		}
		for _, r := range wf.Replace {
			v.mods[r.Old.Path] = "=> " + r.New.Path + " " + r.New.Version
		}
		return v, nil
	}
	// modfile.Parse, not ParseLax: the lax parser drops replace and
	// toolchain lines, which decide what builds.
	mf, err := modfile.Parse(name, data, nil)
	if err != nil {
		return v, err
	}
	if mf.Go != nil {
		v.goLine = "go " + mf.Go.Version
	}
	if mf.Toolchain != nil {
		v.goLine += " toolchain " + mf.Toolchain.Name
	}
	for _, r := range mf.Require {
		v.mods[r.Mod.Path] = r.Mod.Version
	}
	for _, r := range mf.Replace {
		// A replacement decides the code that builds; record it on top of the version.
		v.mods[r.Old.Path] = strings.TrimSpace(v.mods[r.Old.Path] + " => " + r.New.Path + " " + r.New.Version)
	}
	return v, nil
}

func diffVersions(old, cur map[string]string) []modChange {
	var out []modChange
	for m, o := range old {
		if c := cur[m]; c != o {
			out = append(out, modChange{module: m, from: o, to: c})
		}
	}
	for m, c := range cur {
		if _, ok := old[m]; !ok {
			out = append(out, modChange{module: m, to: c})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].module < out[j].module })
	return out
}
