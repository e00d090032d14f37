package graph

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/config"
)

// ReasonKind says how a changed path reaches a service.
type ReasonKind string

const (
	ViaPackage   ReasonKind = "package"    // the path is a file of a package the service depends on
	ViaEmbed     ReasonKind = "embed"      // the path is embedded (//go:embed) by such a package
	ViaOwned     ReasonKind = "owned"      // the path lies in the service's directory tree or config paths
	ViaModule    ReasonKind = "module"     // go.mod/go.work changed the version of a module the service imports
	ViaGoVersion ReasonKind = "go-version" // go.mod/go.work changed the go or toolchain line of the service's module
	ViaAdded     ReasonKind = "added"      // the service's main package is new in the range
	ViaRemoved   ReasonKind = "removed"    // the service's main package is gone at head
)

// Reason is one way a changed path affects a service.
type Reason struct {
	Kind  ReasonKind
	Path  string   // the changed path
	Chain []string // the path, then the import paths from its package to the main package
	// For ViaModule: the module and its versions at base and head ("" when
	// absent on that side).
	Module, From, To string
}

// Status is what the range does to a service.
type Status string

const (
	Unchanged Status = "unchanged"
	Changed   Status = "changed"
	Added     Status = "added"
	Removed   Status = "removed"
)

// ServiceImpact is one service's part in a range.
type ServiceImpact struct {
	Service *Service
	Status  Status
	Reasons []Reason // sorted by kind, then the shortest chain (the service's own files first), then path
}

// Affected reports whether the service must be deployed (or removed).
func (s *ServiceImpact) Affected() bool { return s.Status != Unchanged }

// Impact is what a range does to the workspace's services.
type Impact struct {
	Services   []*ServiceImpact    // every service, and services removed in the range; sorted by name
	Commits    map[string][]string // commit SHA -> the services whose deploy it changes, sorted
	Unaffected []PathNote          // changed paths that affect no service, with why
	Warnings   []Warning
}

// PathNote says why a changed path affects no service.
type PathNote struct {
	Path string
	Why  string
}

// FileReader reads a file at a revision (gitdiff.Repo implements it).
type FileReader interface {
	ReadFile(rev, path string) ([]byte, error)
}

// impactor maps changed paths to services; it memoises per path and per
// seed package, so per-commit questions after the range's are cheap.
type impactor struct {
	w         *Workspace
	cfg       *config.Config
	base      *Base
	byMain    map[string]*Service            // main import path -> service
	baseEdges map[string]map[string]bool     // imported -> importers, from base versions of changed files
	baseMain  map[string]string              // dir -> a file whose base version says package main
	seeds     map[string]map[string][]string // seed package -> service name -> chain from seed to main
	paths     map[string][]serviceReason     // changed path -> what it affects
	declared  []*Service                     // services with config paths
	warnings  []Warning
	// repoImports are, per imported package, the repository's packages
	// that import it (repoImporters fills it on first use).
	repoImports map[string][]*Package
}

// Impact says which services a range affects and why, and which services
// each commit of the range changes. base is the range's base (ReadBase):
// deleted packages and removed services are found there.
func (w *Workspace) Impact(rg *change.Range, base *Base, cfg *config.Config) *Impact {
	if cfg == nil {
		cfg = &config.Config{}
	}
	im := &impactor{w: w, cfg: cfg, base: base,
		byMain: map[string]*Service{}, baseEdges: map[string]map[string]bool{},
		baseMain: map[string]string{}, seeds: map[string]map[string][]string{}, paths: map[string][]serviceReason{}}
	for _, s := range w.Services {
		if s.Main != "" {
			im.byMain[s.Main] = s
		}
		if len(s.Paths) > 0 {
			im.declared = append(im.declared, s)
		}
	}
	im.readBase()
	out := im.impact(rg)
	out.Commits = map[string][]string{}
	for _, c := range rg.Commits {
		seen := map[string]bool{}
		for _, fc := range c.Files {
			for _, r := range im.change(fc) {
				seen[r.service] = true
			}
		}
		out.Commits[c.SHA] = sortedKeys(seen)
	}
	return out
}

func (im *impactor) impact(rg *change.Range) *Impact {
	out := &Impact{}
	by := map[string]*ServiceImpact{}
	for _, s := range im.w.Services {
		by[s.Name] = &ServiceImpact{Service: s, Status: Unchanged}
	}
	moduleReasons := im.modules(rg.Files)
	viaModules := map[string]bool{} // go.mod and go.work paths that affect a service
	for _, r := range moduleReasons {
		if si := by[r.service]; si != nil {
			si.Reasons = append(si.Reasons, r.Reason)
			viaModules[r.Path] = true
		}
	}
	for _, fc := range rg.Files {
		rs := im.change(fc)
		for _, r := range rs {
			si := by[r.service]
			if si == nil {
				continue
			}
			si.Reasons = append(si.Reasons, r.Reason)
		}
		if len(rs) == 0 {
			for _, p := range fc.Paths() {
				if !viaModules[p] {
					out.Unaffected = append(out.Unaffected, PathNote{Path: p, Why: im.why(p)})
				}
			}
		}
	}
	added := addedPaths(rg.Files)
	for _, si := range by {
		if len(si.Reasons) > 0 {
			si.Status = Changed
		}
		if s := si.Service; s.Main != "" && im.isNew(s, added) {
			si.Status = Added
			si.Reasons = append(si.Reasons, Reason{Kind: ViaAdded, Path: s.Dir, Chain: []string{s.Dir, s.Main}})
		}
		sortReasons(si.Reasons)
		out.Services = append(out.Services, si)
	}
	out.Services = append(out.Services, im.removed()...)
	sort.Slice(out.Services, func(i, j int) bool { return out.Services[i].Service.Name < out.Services[j].Service.Name })
	sort.Slice(out.Unaffected, func(i, j int) bool { return out.Unaffected[i].Path < out.Unaffected[j].Path })
	out.Warnings = append(out.Warnings, im.warnings...)
	SortWarnings(out.Warnings)
	return out
}

type serviceReason struct {
	service string
	Reason
}

// change maps one file change to the services it affects: the head path at
// head, and a deleted or renamed-away path at base.
func (im *impactor) change(fc change.File) []serviceReason {
	var out []serviceReason
	for _, p := range fc.Paths() {
		out = append(out, im.path(p)...)
	}
	return dedupe(out)
}

// path maps one changed path to services, once.
func (im *impactor) path(p string) []serviceReason {
	if r, ok := im.paths[p]; ok {
		return r
	}
	r := im.mapPath(p)
	im.paths[p] = r
	return r
}

func (im *impactor) mapPath(p string) []serviceReason {
	if config.MatchAny(im.cfg.Ignore, p) || isModFile(p) {
		return nil
	}
	ref, known := im.w.files[p]
	if !known && testOnly(p) {
		return nil
	}
	var out []serviceReason
	reached := map[string]bool{}
	seed, kind := "", ViaPackage
	switch {
	case known:
		seed = ref.pkg
		if ref.embed {
			kind = ViaEmbed
		}
	case strings.HasSuffix(p, ".go"):
		seed = im.w.ImportPathOfDir(path.Dir(p))
	}
	if seed != "" {
		for svc, chain := range im.reach(seed) {
			reached[svc] = true
			out = append(out, serviceReason{svc, Reason{Kind: kind, Path: p, Chain: append([]string{p}, chain...)}})
		}
	}
	if testOnly(p) {
		return out
	}
	owned := func(s *Service) {
		if reached[s.Name] {
			return
		}
		reached[s.Name] = true
		chain := []string{p}
		if s.Main != "" {
			chain = append(chain, s.Main)
		}
		out = append(out, serviceReason{s.Name, Reason{Kind: ViaOwned, Path: p, Chain: chain}})
	}
	if o := im.w.Owner(p); o != nil {
		owned(o)
	}
	for _, s := range im.declared {
		if config.MatchAny(s.Paths, p) {
			owned(s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].service < out[j].service })
	return out
}

// why explains a changed path that affects no service.
func (im *impactor) why(p string) string {
	switch {
	case config.MatchAny(im.cfg.Ignore, p):
		return "ignored by the config"
	case strings.HasSuffix(p, "/go.sum") || p == "go.sum" || strings.HasSuffix(p, "go.work.sum"):
		return "checksums only; no module version changed"
	case isModFile(p):
		return "no module version that a service imports changed"
	case testOnly(p):
		return "test-only file"
	}
	return "no service's packages or owned paths include it"
}

// reach returns, for each service whose main package depends on seed (or is
// seed), the import chain from seed to the main package. Dependents come
// from the head graph plus the base imports of changed files.
func (im *impactor) reach(seed string) map[string][]string {
	if r, ok := im.seeds[seed]; ok {
		return r
	}
	parent := map[string]string{seed: ""}
	queue := []string{seed}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, imp := range im.importers(cur) {
			if _, ok := parent[imp]; ok {
				continue
			}
			parent[imp] = cur
			queue = append(queue, imp)
		}
	}
	out := map[string][]string{}
	for pkg := range parent {
		s := im.byMain[pkg]
		if s == nil {
			continue
		}
		var chain []string
		for p := pkg; p != ""; p = parent[p] {
			chain = append(chain, p)
		}
		for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
			chain[i], chain[j] = chain[j], chain[i]
		}
		out[s.Name] = chain
	}
	im.seeds[seed] = out
	return out
}

// importers lists the packages importing p at head or (for changed files)
// at base, in a stable order so chains are deterministic.
func (im *impactor) importers(p string) []string {
	out := im.w.Importers(p)
	for imp := range im.baseEdges[p] {
		out = append(out, imp)
	}
	sort.Strings(out)
	return out
}

// readBase turns the base's changed packages into extra dependency edges
// (so a deleted package still reaches the services that used it) and finds
// the main packages of the base (for removed services).
func (im *impactor) readBase() {
	if im.base == nil {
		return
	}
	for _, ip := range sortedKeys(im.base.Changed) {
		for _, imp := range im.base.Imports[ip] {
			if im.baseEdges[imp] == nil {
				im.baseEdges[imp] = map[string]bool{}
			}
			im.baseEdges[imp][ip] = true
		}
	}
	for dir, ip := range im.base.Dirs {
		if im.base.Names[ip] == "main" {
			im.baseMain[dir] = im.base.Files[ip][0]
		}
	}
}

// removed returns the services whose main package existed at base and is
// gone at head.
func (im *impactor) removed() []*ServiceImpact {
	var out []*ServiceImpact
	var dirs []string
	for dir := range im.baseMain {
		if p := im.w.Packages[im.w.dirs[dir]]; p != nil && p.Name == "main" {
			continue
		}
		if hiddenDir(dir) || config.MatchAny(im.cfg.Exclude, dir) {
			continue
		}
		dirs = append(dirs, dir)
	}
	// Named as findServices names them, among the head's mains and the
	// removed ones: by the directory's last element, or by the path when
	// another main shares it (go-zero-looklook removed app/identity/cmd/api
	// and .../rpc beside app/usercenter/cmd/api: not "api" and "rpc").
	count := map[string]int{}
	for _, s := range im.w.Services {
		if s.Dir != "" {
			count[path.Base(s.Dir)]++
		}
	}
	for _, dir := range dirs {
		count[path.Base(dir)]++
	}
	for _, dir := range dirs {
		file := im.baseMain[dir]
		name := path.Base(dir)
		if count[name] > 1 {
			name = dir
		}
		for _, cs := range im.cfg.Services {
			if strings.TrimPrefix(path.Clean(cs.Main), "./") == dir {
				name = cs.Name
			}
		}
		if im.w.ServiceByName(name) != nil {
			name = dir
		}
		s := &Service{Name: name, Dir: dir, Main: im.w.ImportPathOfDir(dir)}
		out = append(out, &ServiceImpact{Service: s, Status: Removed,
			Reasons: []Reason{{Kind: ViaRemoved, Path: file, Chain: []string{file, s.Main}}}})
	}
	return out
}

// isNew reports whether every Go file of s's main package is added in the
// range (a rename within the same directory does not count).
func (im *impactor) isNew(s *Service, added map[string]bool) bool {
	p := im.w.Packages[s.Main]
	if p == nil {
		return false
	}
	n := 0
	for _, f := range p.Files {
		if !strings.HasSuffix(f, ".go") {
			continue
		}
		if !added[f] {
			return false
		}
		n++
	}
	return n > 0 && im.baseMain[s.Dir] == ""
}

// addedPaths is the set of head paths that did not exist at base in their
// directory.
func addedPaths(files []change.File) map[string]bool {
	out := map[string]bool{}
	for _, fc := range files {
		if fc.Status == change.Added || fc.Status == change.Renamed && path.Dir(fc.OldPath) != path.Dir(fc.Path) {
			out[fc.Path] = true
		}
	}
	return out
}

// testOnly reports files that never reach a deployed binary: Go test files
// and anything under a testdata directory.
func testOnly(p string) bool {
	if strings.HasSuffix(p, "_test.go") {
		return true
	}
	for _, e := range strings.Split(path.Dir(p), "/") {
		if e == "testdata" {
			return true
		}
	}
	return false
}

func isModFile(p string) bool {
	switch path.Base(p) {
	case "go.mod", "go.sum", "go.work", "go.work.sum":
		return true
	}
	return false
}

var kindOrder = map[ReasonKind]int{ViaAdded: 0, ViaRemoved: 0, ViaModule: 1, ViaGoVersion: 1, ViaPackage: 2, ViaEmbed: 2, ViaOwned: 3}

func sortReasons(rs []Reason) {
	slices.SortStableFunc(rs, func(a, b Reason) int {
		return cmp.Or(
			cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]),
			cmp.Compare(len(a.Chain), len(b.Chain)), // the service's own files first
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Module, b.Module),
		)
	})
}

func dedupe(rs []serviceReason) []serviceReason {
	seen := map[string]bool{}
	out := rs[:0]
	for _, r := range rs {
		k := fmt.Sprint(r.service, r.Kind, r.Path)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}
