package graph

import (
	"bufio"
	"context"
	"fmt"
	"go/version"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/mod/modfile"
)

// walkDeps reads the packages that pkgs (in-repo import paths) depend on
// outside the repository the way go list reads them, without running it:
// the standard library from GOROOT, other modules from vendor directories,
// replacement directories and the module cache at the version go.mod
// requires (each module's own without a go.work; with one, the highest any
// of its modules requires). Directories are read in parallel; test files
// are not read.
//
// It gives up, with the reason, where go list could know better or say
// more: an import no requirement provides (an untidy go.mod), a module
// that is not in the module cache (go list downloads it, or says why it
// cannot), a module whose go.sum line is missing, a go line newer than the
// go command, an import of the repository's modules that names no package.
// LoadDeps then runs go list as before; a repository that builds is read
// whole here.
func (w *Workspace) walkDeps(ctx context.Context, pkgs []string) (map[string]*Package, string) {
	r := w.res
	r.once.Do(r.setup)
	if why := r.goLinesNewer(); why != "" {
		return nil, why
	}
	// Without a go.work, each module's packages depend on what that
	// module requires; where two modules' packages need one import path at
	// two versions, the later module's wins, as when go list's runs are
	// merged.
	var order []*resolver
	groups := map[*resolver][]string{}
	for _, ip := range pkgs {
		m, _ := w.moduleOfImportPath(ip)
		s := r.scope(m)
		if groups[s] == nil {
			order = append(order, s)
		}
		groups[s] = append(groups[s], ip)
	}
	out := map[string]*Package{}
	for _, s := range order {
		found, why := w.walkScope(ctx, s, groups[s])
		if why != "" {
			return nil, why
		}
		maps.Copy(out, found)
	}
	return out, ""
}

// walkScope reads the dependencies of pkgs with the requirements of one
// resolver.
func (w *Workspace) walkScope(ctx context.Context, r *resolver, pkgs []string) (map[string]*Package, string) {
	var (
		mu     sync.Mutex
		seen   = map[string]bool{}
		out    = map[string]*Package{}
		reason string
		wg     sync.WaitGroup
		sem    = make(chan struct{}, runtime.GOMAXPROCS(0))
	)
	fail := func(why string) {
		mu.Lock()
		if reason == "" {
			reason = why
		}
		mu.Unlock()
	}
	var visit func(ip string)
	visit = func(ip string) {
		mu.Lock()
		stop := seen[ip] || reason != ""
		seen[ip] = true
		mu.Unlock()
		if stop || ip == "C" {
			return
		}
		if ctx.Err() != nil {
			fail(ctx.Err().Error())
			return
		}
		if p := w.Packages[ip]; p != nil && p.InRepo {
			for _, imp := range p.Imports {
				visit(imp)
			}
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			p, why := w.depPackage(r, ip)
			<-sem
			if why != "" {
				fail(why)
				return
			}
			mu.Lock()
			out[ip] = p
			mu.Unlock()
			for _, imp := range p.Imports {
				visit(imp)
			}
		}()
	}
	for _, ip := range pkgs {
		visit(ip)
	}
	wg.Wait()
	if reason != "" {
		return nil, reason
	}
	return out, ""
}

// depPackage reads one package outside the repository, or says why go
// list should.
func (w *Workspace) depPackage(r *resolver, ip string) (*Package, string) {
	if _, ok := w.moduleOfImportPath(ip); ok {
		return nil, fmt.Sprintf("%s is no package of the repository's modules", ip)
	}
	p := r.find(ip)
	if p == nil {
		if m, ok := r.missingFor(ip); ok {
			return nil, fmt.Sprintf("module %s@%s is not in the module cache", m.Module, m.Version)
		}
		return nil, fmt.Sprintf("no requirement provides package %s", ip)
	}
	if isStd(ip) || r.vendored(p) {
		return p, ""
	}
	req, _ := r.requirement(ip)
	if req.dir == "" && !r.summed(req) {
		return nil, fmt.Sprintf("go.sum has no line for %s %s", req.path, req.version)
	}
	return p, ""
}

// vendored reports whether a package was read from one of the repository's
// vendor directories.
func (r *resolver) vendored(p *Package) bool {
	for _, v := range r.vendors {
		if strings.HasPrefix(p.Dir, v+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// summed reports whether a go.sum of the repository (or go.work.sum) has
// the hash of a required module's files: go list refuses to load a
// package of a module without one.
func (r *resolver) summed(req requirement) bool {
	r.sumOnce.Do(r.readSums)
	mod := req.path
	if req.target != "" {
		mod = req.target
	}
	return r.sums[mod+" "+req.version]
}

// readSums reads the module hashes of every go.sum of the repository's
// modules and of go.work.sum.
func (r *resolver) readSums() {
	r.sums = map[string]bool{}
	files := []string{}
	for _, m := range r.modules {
		files = append(files, filepath.Join(r.root, filepath.FromSlash(m.Dir), "go.sum"))
	}
	if r.work != "" {
		files = append(files, r.work+".sum")
	}
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) == 3 && !strings.HasSuffix(fields[1], "/go.mod") {
				r.sums[fields[0]+" "+fields[1]] = true
			}
		}
		f.Close()
	}
}

// goLinesNewer names a go.mod or go.work whose go line asks for a newer Go
// than the go command's: go list refuses to load its packages.
func (r *resolver) goLinesNewer() string {
	if !version.IsValid(r.goVersion) {
		return ""
	}
	files := []string{}
	for _, m := range r.modules {
		files = append(files, filepath.Join(r.root, filepath.FromSlash(m.Dir), "go.mod"))
	}
	if r.work != "" {
		files = append(files, r.work)
	}
	for _, file := range files {
		var goLine string
		if file == r.work {
			if data, err := os.ReadFile(file); err == nil {
				if wf, err := modfile.ParseWork(file, data, nil); err == nil && wf.Go != nil {
					goLine = wf.Go.Version
				}
			}
		} else if mf := parseModFile(file); mf != nil && mf.Go != nil {
			goLine = mf.Go.Version
		}
		if want := "go" + goLine; goLine != "" && version.IsValid(want) && version.Compare(want, r.goVersion) > 0 {
			return fmt.Sprintf("%s asks for go %s, newer than the go command's %s", file, goLine, r.goVersion)
		}
	}
	return ""
}
