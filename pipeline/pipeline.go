package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/config"
	"github.com/deployorder/deployorder/contract"
	"github.com/deployorder/deployorder/gitdiff"
	"github.com/deployorder/deployorder/graph"
	"github.com/deployorder/deployorder/planner"
)

// Options configure a run of the pipeline.
type Options struct {
	Dir     string // a checkout of the monorepo, or a directory in it; "" means "."
	Config  string // config file; "" means deployorder.yaml at the repository root, if present
	Offline bool   // never download modules (GOPROXY=off for go list)
	NoCache bool   // compute the plan even if a cached one exists
	// Today is the day acceptances expire against; the caller reads the
	// clock (the zero time expires none).
	Today time.Time

	// Getenv reads the environment: the default range in GitHub Actions,
	// the cache settings. nil reads nothing.
	Getenv func(string) string
	// Environ is the base environment for go list; the safety overrides
	// are applied on top (graph.SafeEnv). nil means os.Environ().
	Environ []string
	// Phase reports the start of a named phase and returns the function
	// that reports its end; nil reports nothing.
	Phase func(name string) (done func())

	// analysed runs after each contract analysis (the heap profile, once).
	analysed func()
}

func (o Options) getenv(k string) string {
	if o.Getenv == nil {
		return ""
	}
	return o.Getenv(k)
}

func (o Options) phase(name string) func() {
	if o.Phase == nil {
		return func() {}
	}
	return o.Phase(name)
}

// Plan computes the rollout plan of a range spelled as git spells it ("" for
// the default range: see gitdiff.Repo.DefaultSpec).
func Plan(ctx context.Context, spec string, opts Options) (*planner.Plan, error) {
	stopCPU, writeHeap := profiles(opts)
	defer stopCPU()
	opts.analysed = sync.OnceFunc(writeHeap)
	done := opts.phase("reading the repository")
	cache := newPlanCache(opts)
	cache.prepare()
	repo, cfg, err := open(opts)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	rg, err := resolve(repo, spec, opts)
	if err != nil {
		return nil, err
	}
	// Bad acceptances fail before the slow stages.
	accept, err := planner.Acceptances(configAcceptances(cfg), rg.Commits)
	if err != nil {
		return nil, err
	}
	wt := worktreeState(repo, rg.Head)
	key := cache.key(rg, cfg.Path, opts, wt, expiryDay(accept, opts.Today))
	if p := cache.get(key); p != nil {
		done()
		p.Range.Spec = rg.Spec
		return p, nil
	}
	if err := repo.Diff(rg); err != nil {
		return nil, userError(err)
	}
	done()
	p, err := planRange(ctx, repo, cfg, rg, wt, accept, opts)
	if err != nil {
		return nil, err
	}
	if p.Verdict == planner.SplitRequired && len(rg.Commits) > 1 && rg.Base != "" {
		done := opts.phase("planning the range's commits")
		if p, err = stage(ctx, repo, cfg, rg, p, opts); err != nil {
			return nil, err
		}
		done()
	}
	cache.put(key, p)
	return p, nil
}

// planRange runs the stages on one resolved and diffed range.
func planRange(ctx context.Context, repo *gitdiff.Repo, cfg *config.Config, rg *change.Range, wt worktree, accept []planner.Acceptance, opts Options) (*planner.Plan, error) {
	done := opts.phase("loading packages")
	ws, cleanup, err := loadHead(ctx, repo, cfg, rg.Head, wt, opts, changesModules(rg))
	if err != nil {
		return nil, err
	}
	defer cleanup()
	done()

	done = opts.phase("mapping changes to services")
	base := ws.ReadBase(rg, repo)
	inspected := inspectRange(repo, rg)
	repo.DropCaches() // nothing is left to read from git; the contract analysis needs the memory
	impact := ws.Impact(rg, base, cfg)
	done()

	done = opts.phase("analysing contracts")
	cres, err := contract.Analyze(ctx, contract.Input{Range: rg, Workspace: ws, Base: base, Impact: impact, Config: cfg, Phase: opts.Phase})
	if err != nil {
		return nil, err
	}
	done()
	if opts.analysed != nil {
		opts.analysed()
	}

	defer opts.phase("planning")()
	return planner.Build(planner.Input{
		Range:     rg,
		Impact:    impact,
		Warnings:  append(append([]graph.Warning{}, ws.Warnings...), inspected...),
		Soak:      cfg.Soak,
		Contracts: cres,
		Accept:    accept,
		Today:     opts.Today,
		Proposed:  proposed(cfg, ws),
		Bundles:   bundles(ws),
	})
}

// bundles are the services that link the code of several others.
func bundles(ws *graph.Workspace) []planner.Bundle {
	closures := map[string]map[string]bool{}
	dirs := map[string]string{}
	for _, s := range ws.Services {
		if s.Main == "" {
			continue
		}
		c := ws.InRepoDeps(s.Main)
		delete(c, s.Main)
		closures[s.Name], dirs[s.Name] = c, s.Dir
	}
	out := planner.FindBundles(closures)
	for i := range out {
		out[i].Glob = config.DirGlob(dirs[out[i].Service])
	}
	return out
}

// proposed are the services `deployorder init` would propose to exclude,
// when the repository has no config.
func proposed(cfg *config.Config, ws *graph.Workspace) []planner.Proposed {
	if cfg.Path != "" {
		return nil
	}
	found := FoundMains(ws)
	byDir := map[string][]string{}
	for _, f := range found {
		byDir[f.Dir] = append(byDir[f.Dir], f.Name)
	}
	var out []planner.Proposed
	for _, p := range config.Proposals(found) {
		for _, dir := range p.Mains {
			for _, svc := range byDir[dir] {
				out = append(out, planner.Proposed{Service: svc, Glob: p.Glob, Why: p.Why})
			}
		}
	}
	return out
}

// FoundMains lists the services with a main package, for init's
// proposals: each with its directory and the directories of the
// repository's packages its main imports.
func FoundMains(ws *graph.Workspace) []config.Found {
	var found []config.Found
	for _, s := range ws.Services {
		if s.Dir == "" {
			continue
		}
		f := config.Found{Name: s.Name, Dir: s.Dir}
		if p := ws.Packages[s.Main]; p != nil {
			for _, ip := range p.Imports {
				if q := ws.Packages[ip]; q != nil && q.InRepo {
					f.Imports = append(f.Imports, q.Dir)
				}
			}
		}
		found = append(found, f)
	}
	return found
}

// configAcceptances are the config's accept entries, for the planner,
// each at its place in the config file as messages name it.
func configAcceptances(cfg *config.Config) []planner.Acceptance {
	var out []planner.Acceptance
	for _, a := range cfg.Accept {
		out = append(out, planner.Acceptance{Rule: planner.RuleID(a.Rule), Element: a.Element, Reason: a.Reason, Expires: a.Expires,
			File: cfg.Name, Line: a.Line})
	}
	return out
}

// expiryDay is the day that decides the plan, for the plan cache: today,
// when an acceptance can expire; "" when none can, so that the cache
// outlives the day.
func expiryDay(accept []planner.Acceptance, today time.Time) string {
	for _, a := range accept {
		if !a.Expires.IsZero() {
			return today.Format(time.DateOnly)
		}
	}
	return ""
}

// Workspace loads the packages and services at HEAD, for `services`. Call
// the returned function when done with it.
func Workspace(ctx context.Context, opts Options) (*graph.Workspace, func(), error) {
	repo, cfg, err := open(opts)
	if err != nil {
		return nil, nil, err
	}
	defer repo.Close()
	head, err := repo.Head()
	if err != nil {
		return nil, nil, userError(err)
	}
	return loadHead(ctx, repo, cfg, head.String(), worktreeState(repo, head.String()), opts, false)
}

// Root returns the root of the checkout that contains opts.Dir: where
// deployorder.yaml belongs.
func Root(opts Options) (string, error) {
	repo, err := openRepo(opts)
	if err != nil {
		return "", err
	}
	defer repo.Close()
	return repo.Root(), nil
}

// openRepo opens the checkout that contains opts.Dir.
func openRepo(opts Options) (*gitdiff.Repo, error) {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	repo, err := gitdiff.Open(dir)
	if err != nil {
		return nil, userError(err)
	}
	if repo.Root() == "" {
		repo.Close()
		return nil, fmt.Errorf("%s is a bare repository; run deployorder in a checkout (git clone, or git worktree add)", dir)
	}
	return repo, nil
}

// open opens the repository that contains opts.Dir, with its config.
func open(opts Options) (*gitdiff.Repo, *config.Config, error) {
	repo, err := openRepo(opts)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := config.Load(repo.Root(), opts.Config)
	if err != nil {
		repo.Close()
		return nil, nil, err
	}
	return repo, cfg, nil
}

// resolve resolves the range and lists its commits.
func resolve(repo *gitdiff.Repo, spec string, opts Options) (*change.Range, error) {
	defaulted := spec == ""
	if defaulted {
		var err error
		if spec, err = repo.DefaultSpec(opts.getenv); err != nil {
			return nil, userError(err)
		}
	}
	rg, err := repo.ResolveCommits(spec)
	var ge *gitdiff.Error
	if defaulted && errors.As(err, &ge) && ge.Kind == gitdiff.EmptyRange {
		return nil, fmt.Errorf("no range given, and %s has nothing to plan (HEAD is on the default branch, or merged into it); give a range, e.g. deployorder plan HEAD for the last commit, or deployorder plan HEAD~3..HEAD", spec)
	}
	if err != nil {
		return nil, userError(err)
	}
	return rg, nil
}

// worktree says whether the worktree holds a revision's content.
type worktree struct {
	isHead  bool     // HEAD is the revision
	changed []string // paths that differ from it (at most 4); nil when the worktree holds it
	err     error    // the comparison failed
}

// clean reports whether the revision can be read from the worktree.
func (w worktree) clean() bool { return w.isHead && w.err == nil && len(w.changed) == 0 }

// String is the state in the plan cache's key.
func (w worktree) String() string {
	switch {
	case !w.isHead:
		return "export"
	case w.err != nil:
		return "unknown"
	case len(w.changed) > 0:
		return "changed " + strings.Join(w.changed, "\x00")
	}
	return "clean"
}

func worktreeState(repo *gitdiff.Repo, rev string) worktree {
	head, err := repo.Head()
	if err != nil || head.String() != rev {
		return worktree{}
	}
	changed, err := repo.WorktreeChanges(rev, 4)
	return worktree{isHead: true, changed: changed, err: err}
}

// loadHead loads the workspace at commit rev: from the worktree when it
// holds rev, else from a temporary export of rev that is removed by the
// returned function. modules asks for other modules' packages too (see
// graph.LoadOptions).
func loadHead(ctx context.Context, repo *gitdiff.Repo, cfg *config.Config, rev string, wt worktree, opts Options, modules bool) (*graph.Workspace, func(), error) {
	lo := graph.LoadOptions{Root: repo.Root(), Config: cfg, Env: opts.Environ, Offline: opts.Offline, Modules: modules, IndexDir: cacheDir(opts)}
	if wt.clean() {
		ws, err := graph.Load(ctx, lo)
		if err != nil {
			return nil, nil, err
		}
		return checked(ws, repo, cfg, rev, func() {})
	}
	var warnings []graph.Warning
	switch {
	case wt.err != nil:
		warnings = append(warnings, graph.Warning{Code: "WORKTREE_CHANGED",
			Message: fmt.Sprintf("could not compare the worktree with HEAD (%v); deployorder planned the committed head, read from a temporary export", wt.err)})
	case len(wt.changed) > 0:
		list := strings.Join(wt.changed, ", ")
		if len(wt.changed) >= 4 {
			list += ", ..."
		}
		warnings = append(warnings, graph.Warning{Code: "WORKTREE_CHANGED", File: wt.changed[0],
			Message: fmt.Sprintf("the worktree differs from HEAD (%s); deployorder planned the committed head, read from a temporary export, and left your changes alone", list)})
	}
	tmp, err := os.MkdirTemp("", "deployorder-head-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	// vendor/ trees are written only if the plan reads other modules'
	// packages (go list, or a contract analysis's dependencies).
	missing, vendor, err := repo.ExportGoDeferVendor(rev, tmp)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("exporting %.12s: %w", rev, err)
	}
	lo.BeforeDeps = func() error {
		err := vendor()
		// The repository is idle while contracts are analysed: what
		// go-git cached for the export is garbage to the analysis.
		repo.DropCaches()
		if err != nil {
			return fmt.Errorf("exporting %.12s: %w", rev, err)
		}
		return nil
	}
	if len(missing) > 0 {
		list := missing
		if len(list) > 3 {
			list = append(list[:3:3], fmt.Sprintf("and %d more", len(missing)-3))
		}
		warnings = append(warnings, graph.Warning{Code: "MISSING_OBJECTS", File: missing[0],
			Message: fmt.Sprintf("%d file(s) of %.12s are not in this clone (%s): a partial clone or a trimmed snapshot; they are mapped to services by path only", len(missing), rev, strings.Join(list, ", "))})
	}
	lo.Root = tmp
	ws, err := graph.Load(ctx, lo)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	ws.Warnings = append(ws.Warnings, warnings...)
	graph.SortWarnings(ws.Warnings)
	return checked(ws, repo, cfg, rev, cleanup)
}

// checked refuses a workspace with nothing deployorder can plan.
func checked(ws *graph.Workspace, repo *gitdiff.Repo, cfg *config.Config, rev string, cleanup func()) (*graph.Workspace, func(), error) {
	if len(ws.Modules) == 0 && len(cfg.Services) == 0 {
		cleanup()
		return nil, nil, fmt.Errorf("no Go module in %s (no go.mod or go.work at %.12s) and no services in a deployorder.yaml; run deployorder in a Go monorepo, or declare services with paths in deployorder.yaml", repo.Root(), rev)
	}
	return ws, cleanup, nil
}

// changesModules reports whether a range changes go.mod, go.sum or
// go.work: then module versions may move, and mapping them to services
// needs the packages of other modules.
func changesModules(rg *change.Range) bool {
	for _, fc := range rg.Files {
		for _, p := range fc.Paths() {
			switch path.Base(p) {
			case "go.mod", "go.sum", "go.work", "go.work.sum":
				return true
			}
		}
	}
	return false
}

// userError unwraps gitdiff errors so that their message stands alone.
func userError(err error) error {
	var ge *gitdiff.Error
	if errors.As(err, &ge) {
		return ge
	}
	return err
}
