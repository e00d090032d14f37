package contract

import (
	"os"
	"path/filepath"

	"github.com/deployorder/deployorder/contract/access"
	"github.com/deployorder/deployorder/graph"
)

// headSource reads packages as the head load saw them: in-repo files from
// the loaded root, other files from the module cache and GOROOT. The
// standard library always has its files (from GOROOT, when go list did not
// give them; see graph.Workspace.Package), and so do modules in the
// module cache.
func headSource(ws *graph.Workspace, deps *graph.Deps, bodies map[string]bool) func(string) (*access.Source, bool) {
	read := func(name string) ([]byte, error) {
		if filepath.IsAbs(name) {
			return os.ReadFile(name)
		}
		return os.ReadFile(filepath.Join(ws.Root, filepath.FromSlash(name)))
	}
	return func(ip string) (*access.Source, bool) {
		p := ws.Package(ip, deps)
		if p == nil || len(p.GoFiles) == 0 {
			return nil, false
		}
		return &access.Source{Path: ip, Files: p.GoFiles, Read: read, Imports: p.ImportMap, Bodies: bodies[ip]}, true
	}
}

// baseView is the repository at the range's base (graph.Base): the
// packages whose files changed as they were at base; every other package is
// as at head.
type baseView struct {
	*graph.Base
	ws     *graph.Workspace
	deps   *graph.Deps       // set once the dependencies are loaded
	vendor map[string]string // import path as written -> resolved, from head's import maps
	head   func(string) (*access.Source, bool)
}

func newBaseView(ws *graph.Workspace, base *graph.Base) *baseView {
	v := &baseView{Base: base, ws: ws, vendor: map[string]string{}}
	for _, p := range ws.Packages {
		for w, r := range p.ImportMap {
			v.vendor[w] = r
		}
	}
	return v
}

// source returns a package's base source.
func (v *baseView) source(bodies map[string]bool) func(string) (*access.Source, bool) {
	return func(ip string) (*access.Source, bool) {
		if v.Changed[ip] && len(v.Files[ip]) == 0 {
			return nil, false // new in the range: absent at base
		}
		if files, ok := v.Files[ip]; ok {
			return &access.Source{Path: ip, Files: files, Bodies: bodies[ip], Imports: v.vendor,
				Read: func(name string) ([]byte, error) { return v.Blobs[name], nil }}, true
		}
		src, ok := v.head(ip)
		if ok {
			cp := *src
			cp.Bodies = bodies[ip]
			return &cp, true
		}
		return nil, false
	}
}

// importsAt returns a package's imports at base.
func (v *baseView) importsAt(ip string) []string {
	if imps, ok := v.Imports[ip]; ok {
		return imps
	}
	if p := v.ws.Package(ip, v.deps); p != nil {
		return p.Imports
	}
	return nil
}

// local reports whether a package must be type-checked again at base: it
// changed, or it depends (at base) on a package that changed.
func (v *baseView) localFunc() func(string) bool {
	memo := map[string]bool{}
	var local func(string) bool
	local = func(ip string) bool {
		if r, ok := memo[ip]; ok {
			return r
		}
		memo[ip] = false // cycles: assume not
		r := v.Changed[ip]
		if !r {
			if p := v.ws.Packages[ip]; p == nil || p.InRepo {
				for _, imp := range v.importsAt(ip) {
					if local(imp) {
						r = true
						break
					}
				}
			}
		}
		memo[ip] = r
		return r
	}
	return local
}
