package contract

import (
	"fmt"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/deployorder/deployorder/contract/access"
	"github.com/deployorder/deployorder/graph"
)

// headSource reads packages as the head load saw them: in-repo files from
// the loaded root, other files from the module cache and GOROOT. The
// standard library always has its files (from GOROOT, when go list did not
// give them; see graph.Workspace.Package), so the only packages without
// source are those of modules missing from the module cache.
func headSource(ws *graph.Workspace, deps *graph.Deps, bodies map[string]bool) func(string) (*access.Source, bool) {
	read := repoReader(ws)
	stable := deps.Stable()
	return func(ip string) (*access.Source, bool) {
		p := ws.Package(ip, deps)
		if p == nil || len(p.GoFiles) == 0 {
			return nil, false
		}
		return &access.Source{Path: ip, Files: p.GoFiles, Read: read, Imports: p.ImportMap, Bodies: bodies[ip],
			Stable: !p.InRepo && stable.Covers(p.GoFiles[0])}, true
	}
}

// repoReader reads a file of the head by its display name: relative to the
// repository's root, or absolute outside it (module cache, GOROOT).
func repoReader(ws *graph.Workspace) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if filepath.IsAbs(name) {
			return os.ReadFile(name)
		}
		return os.ReadFile(filepath.Join(ws.Root, filepath.FromSlash(name)))
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

// missingModules reports, once per module, the modules that are not in the
// module cache and that leave type-checked packages partial: the packages
// whose imports (directly or through other packages) reach one of its
// packages, which the type checker saw as empty. Their type errors that
// only follow from it are not reported again as TYPE_ERRORS.
func (a *analysis) missingModules(st [2]*sideState, targets [2]map[string]bool) {
	partial := map[graph.Missing]map[string]bool{}
	for _, side := range Sides {
		u := st[side].u
		memo := map[string][]string{}
		var reach func(p *types.Package) []string
		reach = func(p *types.Package) []string {
			if r, ok := memo[p.Path()]; ok {
				return r
			}
			memo[p.Path()] = nil // cycles
			set := map[string]bool{}
			for _, imp := range p.Imports() {
				if u.IsMissing(imp.Path()) {
					set[imp.Path()] = true
					continue
				}
				for _, m := range reach(imp) {
					set[m] = true
				}
			}
			r := sortedKeys(set)
			memo[p.Path()] = r
			return r
		}
		for _, tp := range topo(u, targets[side]) {
			for _, ip := range reach(tp.Types) {
				m, ok := a.deps.Missing(ip)
				if !ok {
					continue // not a module missing from the cache: a load warning says why
				}
				if partial[m] == nil {
					partial[m] = map[string]bool{}
				}
				partial[m][tp.Src.Path] = true
			}
		}
	}
	mods := make([]graph.Missing, 0, len(partial))
	for m := range partial {
		mods = append(mods, m)
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Module+mods[i].By.Dir < mods[j].Module+mods[j].By.Dir })
	for _, m := range mods {
		pkgs := partial[m]
		var services []string
		for name, sides := range a.services {
			for _, side := range Sides {
				if anyIn(sides[side], pkgs) {
					services = append(services, name)
					break
				}
			}
		}
		sort.Strings(services)
		verb := "type-check"
		if len(pkgs) == 1 {
			verb = "type-checks"
		}
		a.warn("MODULE_MISSING", m.GoMod(), m.Line, "%s of %s (%s) %s without %s %s, which is not in the module cache%s: field accesses through it may be missed; to fix it: go mod download %s %s (or plan without --offline)",
			plural(len(pkgs), "package"), plural(len(services), "service"), strings.Join(services, ", "), verb, m.Module, m.Version, reasonSuffix(m.Reason),
			m.Module, where(m.By))
	}
}

func anyIn(list []string, set map[string]bool) bool {
	for _, s := range list {
		if set[s] {
			return true
		}
	}
	return false
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return " (go list: " + reason + ")"
}

func where(m graph.Module) string {
	if m.Dir == "." {
		return "at the repository root"
	}
	return "in " + m.Dir
}
