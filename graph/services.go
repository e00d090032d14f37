package graph

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/deployorder/deployorder/config"
)

// findServices turns main packages into services and applies the config:
// exclusions, renames, extra owned paths, paths-only services.
func (w *Workspace) findServices(cfg *config.Config) error {
	var mains []*Package
	for _, p := range w.Packages {
		if p.InRepo && p.Name == "main" && !hiddenDir(p.Dir) && !config.MatchAny(cfg.Exclude, p.Dir) {
			mains = append(mains, p)
		}
	}
	sort.Slice(mains, func(i, j int) bool { return mains[i].Dir < mains[j].Dir })
	base := map[string]int{}
	for _, p := range mains {
		base[baseName(p)]++
	}
	byMain := map[string]*Service{}
	for _, p := range mains {
		name := baseName(p)
		if base[name] > 1 {
			name = p.Dir // on a collision, the path from the root
		}
		s := &Service{Name: name, Main: p.ImportPath, Dir: p.Dir}
		w.Services = append(w.Services, s)
		byMain[p.Dir] = s
		byMain[p.ImportPath] = s
	}
	for _, cs := range cfg.Services {
		if cs.Main == "" {
			w.Services = append(w.Services, &Service{Name: cs.Name, Paths: cs.Paths, Declared: true})
			continue
		}
		key := strings.TrimSuffix(strings.TrimPrefix(path.Clean(cs.Main), "./"), "/")
		s := byMain[key]
		if s == nil {
			return &config.ParseError{File: configName(cfg), Line: cs.Line,
				Msg: fmt.Sprintf("service %q: main %q is not a main package in this repository; give the directory of a package main (e.g. cmd/%s) or its import path", cs.Name, cs.Main, cs.Name)}
		}
		if s.Declared {
			return &config.ParseError{File: configName(cfg), Line: cs.Line,
				Msg: fmt.Sprintf("service %q: main %q is already the main of service %q", cs.Name, cs.Main, s.Name)}
		}
		s.Name, s.Paths, s.Declared = cs.Name, cs.Paths, true
	}
	sort.Slice(w.Services, func(i, j int) bool { return w.Services[i].Name < w.Services[j].Name })
	for i := 1; i < len(w.Services); i++ {
		if a, b := w.Services[i-1], w.Services[i]; a.Name == b.Name {
			return &config.ParseError{File: configName(cfg),
				Msg: fmt.Sprintf("two services are named %q (%s and %s); rename one in the config", a.Name, where(a), where(b))}
		}
	}
	return nil
}

func where(s *Service) string {
	if s.Dir != "" {
		return s.Dir
	}
	return "paths " + strings.Join(s.Paths, ", ")
}

func configName(cfg *config.Config) string {
	if cfg.Name != "" {
		return cfg.Name
	}
	return config.FileName
}

// baseName is a main package's default service name: its directory's base
// name, or the module's last element for a main package at a module root.
func baseName(p *Package) string {
	if p.Dir == "." {
		return path.Base(p.ImportPath)
	}
	return path.Base(p.Dir)
}

// hiddenDir reports whether a repo-relative directory lies in testdata,
// vendor, or a directory starting with _ or . (the go command skips these
// in patterns, but a go.work use can still reach them).
func hiddenDir(dir string) bool {
	for _, e := range strings.Split(dir, "/") {
		if e != "." && skipDir(e) {
			return true
		}
	}
	return false
}

// Owner returns the service whose main package directory tree contains the
// repo-relative path p: the deepest such directory. A main package at the
// repository root owns only its own files, not the whole tree.
func (w *Workspace) Owner(p string) *Service {
	if w.owners == nil {
		w.owners = map[string]*Service{}
		for _, s := range w.Services {
			if s.Dir != "" && s.Dir != "." {
				w.owners[s.Dir] = s
			}
		}
	}
	for dir := path.Dir(p); dir != "." && dir != "/" && dir != ""; dir = path.Dir(dir) {
		if s := w.owners[dir]; s != nil {
			return s
		}
	}
	return nil
}
