package contract

import (
	"bytes"
	"go/build"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/deployorder/deployorder/gitdiff"
	"github.com/deployorder/deployorder/graph"
)

// headSource reads packages as the head load saw them: in-repo files from
// the loaded root, other files from the module cache and GOROOT.
func headSource(ws *graph.Workspace, bodies map[string]bool) func(string) (*pkgSource, bool) {
	read := func(name string) ([]byte, error) {
		if filepath.IsAbs(name) {
			return os.ReadFile(name)
		}
		return os.ReadFile(filepath.Join(ws.Root, filepath.FromSlash(name)))
	}
	return func(ip string) (*pkgSource, bool) {
		p := ws.Packages[ip]
		if p == nil || len(p.GoFiles) == 0 {
			return nil, false
		}
		return &pkgSource{path: ip, files: p.GoFiles, read: read, imports: p.ImportMap, bodies: bodies[ip]}, true
	}
}

// baseView is the repository at the range's base: the packages whose
// files changed are read from git objects, with build constraints
// evaluated on their base content; every other package is as at head.
type baseView struct {
	ws      *graph.Workspace
	repo    *gitdiff.Repo
	rev     string
	changed map[string]bool     // in-repo import paths with changed Go files
	files   map[string][]string // changed package -> its Go files at base
	imports map[string][]string // changed package -> its imports at base
	blobs   map[string][]byte   // base content of the files read
	vendor  map[string]string   // import path as written -> resolved, from head's import maps
	head    func(string) (*pkgSource, bool)
}

func newBaseView(ws *graph.Workspace, repo *gitdiff.Repo, rev string, changedDirs map[string]bool) *baseView {
	v := &baseView{ws: ws, repo: repo, rev: rev, changed: map[string]bool{}, files: map[string][]string{},
		imports: map[string][]string{}, blobs: map[string][]byte{}, vendor: map[string]string{}}
	for _, p := range ws.Packages {
		for w, r := range p.ImportMap {
			v.vendor[w] = r
		}
	}
	ctxt := build.Default
	ctxt.CgoEnabled = false
	ctxt.GOPATH = ""
	ctxt.OpenFile = func(p string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(v.blobs[filepath.ToSlash(p)])), nil
	}
	ctxt.JoinPath = path.Join
	dirs := make([]string, 0, len(changedDirs))
	for d := range changedDirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		ip := ws.ImportPathOfDir(dir)
		if ip == "" || rev == "" {
			continue
		}
		names, _ := repo.ListDir(rev, dir)
		var files []string
		imports := map[string]bool{}
		for _, n := range names {
			if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
				continue
			}
			file := path.Join(dir, n)
			if dir == "." {
				file = n
			}
			data, err := repo.ReadFile(rev, file)
			if err != nil {
				continue
			}
			v.blobs[file] = data
			if ok, err := ctxt.MatchFile(dir, n); err != nil || !ok {
				continue
			}
			files = append(files, file)
			for _, imp := range importsOf(data) {
				imports[imp] = true
			}
		}
		if len(files) == 0 {
			continue
		}
		v.changed[ip] = true
		v.files[ip] = files
		for imp := range imports {
			v.imports[ip] = append(v.imports[ip], imp)
		}
		sort.Strings(v.imports[ip])
	}
	return v
}

// source returns a package's base source.
func (v *baseView) source(bodies map[string]bool) func(string) (*pkgSource, bool) {
	return func(ip string) (*pkgSource, bool) {
		if files, ok := v.files[ip]; ok {
			return &pkgSource{path: ip, files: files, bodies: bodies[ip], imports: v.vendor,
				read: func(name string) ([]byte, error) { return v.blobs[name], nil }}, true
		}
		src, ok := v.head(ip)
		if ok {
			cp := *src
			cp.bodies = bodies[ip]
			return &cp, true
		}
		return nil, false
	}
}

// importsAt returns a package's imports at base.
func (v *baseView) importsAt(ip string) []string {
	if imps, ok := v.imports[ip]; ok {
		return imps
	}
	if p := v.ws.Packages[ip]; p != nil {
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
		r := v.changed[ip]
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
