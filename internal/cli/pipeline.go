package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/deployorder/deployorder/config"
	"github.com/deployorder/deployorder/contract"
	"github.com/deployorder/deployorder/gitdiff"
	"github.com/deployorder/deployorder/graph"
	"github.com/deployorder/deployorder/planner"
)

// source is the shared flags of the commands that read a repository.
type source struct {
	dir     string // -C
	config  string // --config
	offline bool   // --offline
	quiet   bool   // -q
	noCache bool   // --no-cache
}

// opened is a repository with its config.
type opened struct {
	repo *gitdiff.Repo
	cfg  *config.Config
}

func (s source) open() (*opened, error) {
	dir := s.dir
	if dir == "" {
		dir = "."
	}
	repo, err := gitdiff.Open(dir)
	if err != nil {
		return nil, err
	}
	if repo.Root() == "" {
		repo.Close()
		return nil, fmt.Errorf("%s is a bare repository; run deployorder in a checkout (git clone, or git worktree add)", dir)
	}
	cfgPath := s.config
	cfg, err := config.Load(repo.Root(), cfgPath)
	if err != nil {
		repo.Close()
		return nil, err
	}
	return &opened{repo: repo, cfg: cfg}, nil
}

// loadAt loads the workspace at commit rev: from the worktree when HEAD is
// rev, else from a temporary export of rev that is removed afterwards.
// modules asks for other modules' packages too (see graph.LoadOptions).
func (o *opened) loadAt(ctx context.Context, e *env, s source, rev string, modules bool) (*graph.Workspace, func(), error) {
	opts := graph.LoadOptions{Root: o.repo.Root(), Config: o.cfg, Env: e.environ(), Offline: s.offline, Modules: modules}
	var warnings []graph.Warning
	if head, err := o.repo.Head(); err == nil && head.String() == rev {
		// Load the worktree while checking, in parallel, that it holds
		// HEAD's content; it almost always does.
		type check struct {
			changed []string
			err     error
		}
		checked := make(chan check, 1)
		go func() {
			changed, err := o.repo.WorktreeChanges(rev, 4)
			checked <- check{changed, err}
		}()
		ws, err := graph.Load(ctx, opts)
		c := <-checked
		switch {
		case c.err != nil:
			warnings = append(warnings, graph.Warning{Code: "WORKTREE_CHANGED",
				Message: fmt.Sprintf("could not compare the worktree with HEAD (%v); deployorder planned the committed head, read from a temporary export", c.err)})
		case len(c.changed) > 0:
			list := strings.Join(c.changed, ", ")
			if len(c.changed) >= 4 {
				list += ", ..."
			}
			warnings = append(warnings, graph.Warning{Code: "WORKTREE_CHANGED", File: c.changed[0],
				Message: fmt.Sprintf("the worktree differs from HEAD (%s); deployorder planned the committed head, read from a temporary export, and left your changes alone", list)})
		default:
			if err != nil {
				return nil, func() {}, err
			}
			return o.checked(ws, rev, func() {})
		}
	}
	tmp, err := os.MkdirTemp("", "deployorder-head-")
	if err != nil {
		return nil, func() {}, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	if err := o.repo.Export(rev, tmp); err != nil {
		cleanup()
		return nil, func() {}, fmt.Errorf("exporting %.12s: %w", rev, err)
	}
	opts.Root = tmp
	ws, err := graph.Load(ctx, opts)
	if err != nil {
		cleanup()
		return nil, func() {}, err
	}
	ws.Warnings = append(ws.Warnings, warnings...)
	return o.checked(ws, rev, cleanup)
}

// checked refuses a workspace with nothing deployorder can plan.
func (o *opened) checked(ws *graph.Workspace, rev string, cleanup func()) (*graph.Workspace, func(), error) {
	if len(ws.Modules) == 0 && len(o.cfg.Services) == 0 {
		cleanup()
		return nil, func() {}, fmt.Errorf("no Go module in %s (no go.mod or go.work at %.12s) and no services in a deployorder.yaml; run deployorder in a Go monorepo, or declare services with paths in deployorder.yaml", o.repo.Root(), rev)
	}
	return ws, cleanup, nil
}

// computePlan runs the whole pipeline for a range spec ("" for the default
// range).
func computePlan(ctx context.Context, e *env, s source, spec string) (*planner.Plan, error) {
	prog := newProgress(e, s.quiet)
	done := prog.phase("reading the repository")
	o, err := s.open()
	if err != nil {
		return nil, err
	}
	defer o.repo.Close()
	defaulted := spec == ""
	if defaulted {
		if spec, err = o.repo.DefaultSpec(e.getenv); err != nil {
			return nil, err
		}
	}
	rg, err := o.repo.ResolveCommits(spec)
	var ge *gitdiff.Error
	if defaulted && errors.As(err, &ge) && ge.Kind == gitdiff.EmptyRange {
		return nil, fmt.Errorf("no range given, and %s has nothing to plan (HEAD is on the default branch, or merged into it); give a range, e.g. deployorder plan HEAD for the last commit, or deployorder plan HEAD~3..HEAD", spec)
	}
	if err != nil {
		return nil, err
	}
	cache := newPlanCache(e, s.noCache)
	key := cache.key(rg, o.cfg.Path, s)
	if p := cache.get(key); p != nil {
		done()
		p.Range.Spec = rg.Spec
		return p, nil
	}
	if err := o.repo.Diff(rg); err != nil {
		return nil, err
	}
	done()
	done = prog.phase("loading packages")
	ws, cleanup, err := o.loadAt(ctx, e, s, rg.Head, changesModules(rg))
	if err != nil {
		return nil, err
	}
	defer cleanup()
	done()
	done = prog.phase("mapping changes to services")
	an := ws.NewAnalyzer(rg, o.repo, o.cfg)
	impact := an.Impact(rg)
	commitServices := map[string][]string{}
	for _, c := range rg.Commits {
		seen := map[string]bool{}
		for _, fc := range c.Files {
			for _, svc := range an.Services(fc) {
				seen[svc] = true
			}
		}
		var names []string
		for n := range seen {
			names = append(names, n)
		}
		sort.Strings(names)
		commitServices[c.SHA] = names
	}
	done()
	done = prog.phase("analysing contracts")
	cres, err := contract.Analyze(ctx, contract.Input{Range: rg, Repo: o.repo, Workspace: ws, Impact: impact, Config: o.cfg})
	if err != nil {
		return nil, err
	}
	done()
	defer prog.phase("planning")()
	p := planner.Build(planner.Input{
		Range:          rg,
		Impact:         impact,
		Warnings:       append(append([]graph.Warning{}, ws.Warnings...), inspectRange(o.repo, rg)...),
		CommitServices: commitServices,
		Soak:           o.cfg.Soak,
		Contracts:      cres,
		Hunks:          rangeHunks(o.repo, rg),
	})
	cache.put(key, p)
	return p, nil
}

// changesModules reports whether a range changes go.mod, go.sum or
// go.work: then module versions may move, and mapping them to services
// needs the packages of other modules.
func changesModules(rg *gitdiff.Range) bool {
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

// rangeHunks returns the hunks of a path over the whole range, memoised.
func rangeHunks(repo *gitdiff.Repo, rg *gitdiff.Range) func(string) []gitdiff.Hunk {
	memo := map[string][]gitdiff.Hunk{}
	return func(p string) []gitdiff.Hunk {
		if h, ok := memo[p]; ok {
			return h
		}
		for _, fc := range rg.Files {
			if fc.Path == p || fc.OldPath == p {
				h, _, err := repo.Hunks(fc)
				if err == nil {
					memo[p] = h
				}
				return h
			}
		}
		memo[p] = nil
		return nil
	}
}

// userError unwraps gitdiff errors so their message stands alone.
func userError(err error) error {
	var ge *gitdiff.Error
	if errors.As(err, &ge) {
		return ge
	}
	return err
}
