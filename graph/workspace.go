package graph

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"gonum.org/v1/gonum/graph/simple"
)

// Workspace is a repository's Go packages and services at one revision.
type Workspace struct {
	Root     string              // absolute repository root
	Modules  []Module            // the repository's own modules, sorted by Dir
	Packages map[string]*Package // every loaded package by import path, in the repo or not
	Services []*Service          // sorted by Name
	Warnings []Warning           // problems met while loading, sorted

	// Imports has a node per package and an edge from each package to each
	// package it imports.
	Imports *simple.DirectedGraph
	ids     map[string]int64 // import path -> node ID in Imports
	paths   []string         // node ID -> import path

	layout    layout
	env       []string          // the safe environment go list runs with
	offline   bool              // go list may not download modules
	depsReady func() error      // makes the files of other modules ready (LoadOptions.BeforeDeps), once
	full      bool              // go list loaded every package, other modules included (but for failed modules)
	warned    map[string]bool   // module directories a GO_LIST_FAILED warning already names
	reasons   map[string]string // import or module path -> what go list said when it could not load it
	res       *resolver         // reads what go list did not give, from GOROOT and the module cache

	realOnce sync.Once
	real     string // Root with symbolic links resolved

	files  map[string]fileRef  // repo-relative file -> the package that uses it
	owners map[string]*Service // main package directory -> its service, built on first use
	dirs   map[string]string   // repo-relative directory -> in-repo import path
}

// Module is one of the repository's own Go modules.
type Module struct {
	Path string // module path
	Dir  string // directory relative to the root ("." for the root)
}

// Package is a Go package as the load saw it.
type Package struct {
	ImportPath string
	Name       string
	Dir        string            // relative to the root when InRepo, else absolute
	InRepo     bool              // the package's directory lies in the repository
	Module     string            // module path ("" for the standard library)
	Version    string            // module version ("" for the repo's own modules and std)
	Files      []string          // Go and other files, including ones build constraints leave out (repo-relative when InRepo)
	GoFiles    []string          // the Go files that compile (repo-relative when InRepo, else absolute)
	ImportMap  map[string]string // import path as written -> package import path, where they differ (vendoring)
	Embeds     []string          // files embedded with //go:embed (repo-relative)
	Imports    []string          // imported packages' import paths, sorted
	Errors     []string          // load errors
}

// Service is a deployable unit: a main package, or paths declared in the
// config.
type Service struct {
	Name     string   // unique
	Main     string   // import path of the main package; "" for a paths-only service
	Dir      string   // main package directory relative to the root; "" for a paths-only service
	Paths    []string // extra owned path globs from the config
	Declared bool     // named or declared in the config
}

// Warning is a problem that degrades the analysis without stopping it.
type Warning struct {
	Code    string // stable identifier, e.g. PACKAGE_LOAD_ERROR
	Message string
	File    string // repo-relative, if the problem has a place
	Line    int
	// Cause is the message without what is particular to its place (the
	// package, the file), written where the message is: warnings with one
	// Code and one Cause are one problem seen in several places, which
	// people read as one line. "" when the message has nothing particular
	// to its place; then only identical messages are one problem.
	Cause string
}

type fileRef struct {
	pkg   string // import path
	embed bool   // embedded, not compiled
}

// node returns the graph node ID of an import path, adding it if needed.
func (w *Workspace) node(importPath string) int64 {
	if id, ok := w.ids[importPath]; ok {
		return id
	}
	id := int64(len(w.paths))
	w.ids[importPath] = id
	w.paths = append(w.paths, importPath)
	w.Imports.AddNode(simple.Node(id))
	return id
}

// firstOr is the base name of the first file, or "".
func firstOr(files []string) string {
	if len(files) == 0 {
		return ""
	}
	return path.Base(files[0])
}

// addPackage records p, its files and its import edges.
func (w *Workspace) addPackage(p *Package) {
	if old, ok := w.Packages[p.ImportPath]; ok && old.InRepo && p.InRepo && old.Dir != p.Dir {
		// Two directories of the repository claim one import path (two
		// modules declare the same module path): they are two programs,
		// and their files together would declare everything twice. The
		// first is read; the other is mapped by its paths only.
		key := "dup\x00" + p.ImportPath
		if !w.warned[key] {
			w.warned[key] = true
			w.warn(Warning{Code: "DUPLICATE_IMPORT_PATH", File: path.Join(p.Dir, firstOr(p.GoFiles)),
				Message: fmt.Sprintf("%s and %s both hold package %s (their modules declare the same path); deployorder reads the one in %s, and maps the files of %s by their paths only; give one module another path", old.Dir, p.Dir, p.ImportPath, old.Dir, p.Dir),
				Cause:   "two directories hold one package (their modules declare the same path, a copied go.mod): deployorder reads the first and maps the other's files by their paths only; give one module another path"})
		}
		return
	}
	if old, ok := w.Packages[p.ImportPath]; ok {
		// The same package seen by two module loads: keep the union.
		old.Files = union(old.Files, p.Files)
		old.Embeds = union(old.Embeds, p.Embeds)
		old.Imports = union(old.Imports, p.Imports)
		old.Errors = union(old.Errors, p.Errors)
		old.GoFiles = union(old.GoFiles, p.GoFiles)
		p = old
	} else {
		w.Packages[p.ImportPath] = p
	}
	from := w.node(p.ImportPath)
	for _, imp := range p.Imports {
		if imp == p.ImportPath || imp == "C" || imp == "unsafe" {
			continue
		}
		w.Imports.SetEdge(simple.Edge{F: simple.Node(from), T: simple.Node(w.node(imp))})
	}
	if !p.InRepo {
		return
	}
	w.dirs[p.Dir] = p.ImportPath
	for _, f := range p.Files {
		if _, ok := w.files[f]; !ok {
			w.files[f] = fileRef{pkg: p.ImportPath}
		}
	}
	for _, f := range p.Embeds {
		if _, ok := w.files[f]; !ok {
			w.files[f] = fileRef{pkg: p.ImportPath, embed: true}
		}
	}
}

// Importers returns the import paths of the packages that import p, sorted.
func (w *Workspace) Importers(p string) []string {
	id, ok := w.ids[p]
	if !ok {
		return nil
	}
	var out []string
	for it := w.Imports.To(id); it.Next(); {
		out = append(out, w.paths[it.Node().ID()])
	}
	sort.Strings(out)
	return out
}

// ServiceByName returns the named service, or nil.
func (w *Workspace) ServiceByName(name string) *Service {
	for _, s := range w.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// ModuleOf returns the repository module that contains the repo-relative
// path p: the one with the longest directory prefix.
func (w *Workspace) ModuleOf(p string) (Module, bool) {
	best, ok := Module{}, false
	for _, m := range w.Modules {
		if within(p, m.Dir) && (!ok || len(m.Dir) > len(best.Dir) || best.Dir == ".") {
			best, ok = m, true
		}
	}
	return best, ok
}

// ImportPathOfDir derives the import path of a repo-relative directory from
// the module that contains it, for packages the load did not see (deleted
// ones, say).
func (w *Workspace) ImportPathOfDir(dir string) string {
	if p := w.dirs[dir]; p != "" {
		return p
	}
	m, ok := w.ModuleOf(dir)
	if !ok {
		return ""
	}
	if m.Dir == dir {
		return m.Path
	}
	rel := strings.TrimPrefix(dir, m.Dir+"/")
	if m.Dir == "." {
		rel = dir
	}
	return path.Join(m.Path, rel)
}

// within reports whether the slash path p is dir or lies below it ("."
// contains everything).
func within(p, dir string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string{}, a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// DirOfImportPath returns the repo-relative directory of an in-repo import
// path, also for packages the load did not see (from the module that
// contains it); ok is false for paths outside the repository's modules.
func (w *Workspace) DirOfImportPath(ip string) (string, bool) {
	if p := w.Packages[ip]; p != nil && p.InRepo {
		return p.Dir, true
	}
	best, found := w.moduleOfImportPath(ip)
	if !found {
		return "", false
	}
	return path.Join(best.Dir, strings.TrimPrefix(strings.TrimPrefix(ip, best.Path), "/")), true
}

// InRepoDeps returns the in-repo packages that pkg depends on, itself
// included.
func (w *Workspace) InRepoDeps(pkg string) map[string]bool {
	out := map[string]bool{}
	var visit func(string)
	visit = func(p string) {
		if out[p] {
			return
		}
		q := w.Packages[p]
		if q == nil || !q.InRepo {
			return
		}
		out[p] = true
		for _, imp := range q.Imports {
			visit(imp)
		}
	}
	visit(pkg)
	return out
}
