package graph

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// listJob is one run of go list: one of the repository's modules, or the
// whole go.work workspace.
type listJob struct {
	module   *Module // the module it loads; nil for the workspace's "work" job
	dir      string  // absolute directory go list runs in
	patterns []string
	env      []string
}

// listResult is what one job loaded.
type listResult struct {
	job   listJob
	roots []*packages.Package
}

// moduleProblem is why one of the repository's modules did not load whole.
type moduleProblem struct {
	module Module
	failed bool     // go list failed for the whole module; else some packages it depends on did not load
	msgs   []string // the go command's messages, whole and distinct, in the order met
}

// goList runs go/packages: once for the root module or the workspace, once
// per module for nested modules without a workspace. With patterns (in-repo
// import paths), only those packages and their dependencies load. A module
// whose go list fails fails alone: the others' packages are kept, and the
// failure comes back as a problem of that module. When the workspace's
// single run fails (its module graph is broken: a module that needs a
// newer Go, two modules with one path), every module is tried on its own,
// without the workspace, so that one broken module no longer takes the
// others with it. The error is only ever the context's.
func (w *Workspace) goList(ctx context.Context, l layout, env []string, patterns []string) ([]listResult, []moduleProblem, error) {
	jobs := w.listJobs(l, env, patterns)
	results, errs := runJobs(ctx, jobs)
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	var out []listResult
	var problems []moduleProblem
	for i, err := range errs {
		if err == nil {
			out = append(out, results[i])
			continue
		}
		if jobs[i].module != nil {
			problems = append(problems, moduleProblem{module: *jobs[i].module, failed: true, msgs: []string{goMessage(err)}})
			continue
		}
		retry := w.moduleJobs(l, append(slices.Clip(env), "GOWORK=off"), patterns)
		rres, rerrs := runJobs(ctx, retry)
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		for j, err := range rerrs {
			if err != nil {
				problems = append(problems, moduleProblem{module: *retry[j].module, failed: true, msgs: []string{goMessage(err)}})
			} else {
				out = append(out, rres[j])
			}
		}
	}
	return out, problems, nil
}

// listJobs is the go list runs that load the layout: the workspace's
// "work" (or the patterns) at the root, or one run per module.
func (w *Workspace) listJobs(l layout, env []string, patterns []string) []listJob {
	if l.work == "" {
		return w.moduleJobs(l, append(slices.Clip(env), "GOWORK=off"), patterns)
	}
	pats := []string{"work"}
	if patterns != nil {
		pats = patterns
	}
	return []listJob{{dir: w.Root, patterns: pats, env: append(slices.Clip(env), "GOWORK="+l.work)}}
}

// moduleJobs is one go list run per module ("./..." in its directory, or
// the patterns that lie in it), with env.
func (w *Workspace) moduleJobs(l layout, env []string, patterns []string) []listJob {
	var jobs []listJob
	for i := range l.modules {
		m := &l.modules[i]
		pats := []string{"./..."}
		if patterns != nil {
			pats = nil
			for _, p := range patterns {
				if mm, ok := w.moduleOfImportPath(p); ok && mm.Dir == m.Dir {
					pats = append(pats, p)
				}
			}
			if len(pats) == 0 {
				continue
			}
		}
		jobs = append(jobs, listJob{module: m, dir: filepath.Join(w.Root, filepath.FromSlash(m.Dir)), patterns: pats, env: env})
	}
	return jobs
}

// runJobs runs the jobs, two at a time.
func runJobs(ctx context.Context, jobs []listJob) ([]listResult, []error) {
	results := make([]listResult, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, 2)
	done := make(chan int)
	for i, j := range jobs {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- i }()
			cfg := &packages.Config{Mode: loadMode, Context: ctx, Dir: j.dir, Env: j.env}
			results[i].job = j
			results[i].roots, errs[i] = packages.Load(cfg, j.patterns...)
		}()
	}
	for range jobs {
		<-done
	}
	return results, errs
}

// packageProblems finds, in loaded results, the packages of other modules
// that did not load for a reason of their module (a missing go.sum entry,
// a module the cache does not have and may not download), and groups their
// messages by the repository module that depends on them: one problem per
// module, however many packages. Packages for which skip (if not nil) is
// true are left out.
func (w *Workspace) packageProblems(results []listResult, skip func(ip string) bool) []moduleProblem {
	byDir := map[string]*moduleProblem{}
	var order []string
	add := func(m Module, msg string) {
		p := byDir[m.Dir]
		if p == nil {
			p = &moduleProblem{module: m}
			byDir[m.Dir] = p
			order = append(order, m.Dir)
		}
		if !slices.Contains(p.msgs, msg) {
			p.msgs = append(p.msgs, msg)
		}
	}
	for _, r := range results {
		// The roots by the repository module they belong to, each group
		// visited once (a job's roots share most of their dependencies).
		groups := map[string][]*packages.Package{}
		mods := map[string]Module{}
		for _, root := range r.roots {
			m, ok := Module{}, false
			if r.job.module != nil {
				m, ok = *r.job.module, true
			} else if rel, inRepo := w.rel(root.Dir); inRepo && root.Dir != "" {
				m, ok = w.ModuleOf(rel)
			}
			if ok {
				groups[m.Dir] = append(groups[m.Dir], root)
				mods[m.Dir] = m
			}
		}
		for _, dir := range slices.Sorted(maps.Keys(groups)) {
			m := mods[dir]
			packages.Visit(groups[dir], nil, func(lp *packages.Package) {
				if len(lp.Errors) == 0 || lp.Module != nil && len(lp.GoFiles) > 0 {
					return
				}
				if _, inRepo := w.rel(lp.Dir); inRepo && lp.Dir != "" {
					return
				}
				if skip != nil && skip(lp.PkgPath) {
					return
				}
				if msg := flatten(lp.Errors[0].Msg); isModuleProblem(msg) {
					add(m, msg)
				}
			})
		}
	}
	out := make([]moduleProblem, 0, len(order))
	for _, d := range order {
		out = append(out, *byDir[d])
	}
	return out
}

// isModuleProblem reports whether a go command message is about a module
// rather than one package: its go.sum entry, its download, go.mod itself.
func isModuleProblem(msg string) bool {
	for _, s := range []string{"missing go.sum entry", "module lookup disabled", "updates to go.mod needed",
		"verifying module", "verifying go.mod", "reading https://", "Forbidden", "not available", "Not Found", "unrecognized import path",
		"no such host", "unknown revision", "invalid version", "checksum mismatch", "no matching versions"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// isDownloadProblem reports whether a go command message only says that a
// module could not be downloaded: --offline, or a proxy that refuses it.
func isDownloadProblem(msg string) bool {
	for _, s := range []string{"module lookup disabled", "reading https://", "Forbidden", "not available", "Not Found", "410 Gone", "no such host", "dial tcp"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// problemWarnings turns module problems into one warning each, skipping modules
// already warned about (seen, updated).
func (w *Workspace) problemWarnings(problems []moduleProblem, seen map[string]bool) []Warning {
	var out []Warning
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].module.Dir < problems[j].module.Dir })
	for _, p := range problems {
		if seen[p.module.Dir] {
			continue
		}
		seen[p.module.Dir] = true
		out = append(out, w.problemWarning(p))
	}
	return out
}

// relative rewrites the go command's absolute paths inside the
// repository as relative ones: a temporary export's directory means
// nothing to the reader, and the same plan then says the same words.
func (w *Workspace) relative(msg string) string {
	roots := []string{w.Root, w.real}
	if len(w.real) > len(w.Root) {
		roots[0], roots[1] = w.real, w.Root // the longer first: one may end the other
	}
	for _, root := range roots {
		if root != "" {
			msg = strings.ReplaceAll(msg, root+string(filepath.Separator), "")
		}
	}
	return msg
}

func (w *Workspace) problemWarning(p moduleProblem) Warning {
	m := p.module
	where := "in " + m.Dir
	if m.Dir == "." {
		where = "at the repository root"
	}
	msgs := p.msgs
	more := ""
	if len(msgs) > 3 {
		more = fmt.Sprintf(" (and %d more like it)", len(msgs)-3)
		msgs = msgs[:3]
	}
	said := w.relative(strings.Join(msgs, " | ") + more)
	fix := fixFor(p.msgs, m, w.offline)
	// What several modules that fail alike share (the plan groups them in
	// one line): the go command's words and the fix, for each of them.
	each := fixFor(p.msgs, Module{Path: "each module", Dir: "each module's directory"}, w.offline)
	file := gomodFile(m)
	if p.failed {
		others := ""
		if len(w.Modules) > 1 {
			others = "; the other modules loaded whole"
		}
		return Warning{Code: "GO_LIST_FAILED", File: file,
			Message: fmt.Sprintf("go list failed for module %s %s, so its packages were read from source headers, and their imports from GOROOT and the module cache%s: %s; to fix it: %s", m.Path, where, others, said, fix),
			Cause:   fmt.Sprintf("go list failed for these modules, so their packages were read from source headers, and their imports from GOROOT and the module cache%s: %s; to fix it: %s", others, said, each)}
	}
	return Warning{Code: "GO_LIST_FAILED", File: file,
		Message: fmt.Sprintf("module %s %s does not load whole: packages it depends on failed in go list and were read from the module cache where it has them: %s; to fix it: %s", m.Path, where, said, fix),
		Cause:   fmt.Sprintf("these modules do not load whole: packages they depend on failed in go list and were read from the module cache where it has them: %s; to fix it: %s", said, each)}
}

func gomodFile(m Module) string {
	if m.Dir == "." {
		return "go.mod"
	}
	return m.Dir + "/go.mod"
}

var (
	downloadRE = regexp.MustCompile(`go mod download (\S+)`)
	moduleAtRE = regexp.MustCompile(`(?:^|\s)([^\s:@]+)@(v\d[^\s:]*):`)
	needsGoRE  = regexp.MustCompile(`requires go >= (\S+)`)
)

// fixFor is what to run to fix a module's problems, from what the go
// command said.
func fixFor(msgs []string, m Module, offline bool) string {
	in := " in " + m.Dir
	if m.Dir == "." {
		in = " at the repository root"
	}
	all := strings.Join(msgs, "\n")
	var mods []string
	for _, s := range downloadRE.FindAllStringSubmatch(all, -1) {
		if !slices.Contains(mods, s[1]) {
			mods = append(mods, s[1])
		}
	}
	var named []string
	for _, s := range moduleAtRE.FindAllStringSubmatch(all, -1) {
		if !slices.Contains(named, s[1]) {
			named = append(named, s[1])
		}
	}
	var fixes []string
	switch {
	case needsGoRE.MatchString(all):
		v := needsGoRE.FindStringSubmatch(all)[1]
		fixes = append(fixes, fmt.Sprintf("run deployorder with Go %s or newer (it never lets go list download a toolchain), or lower the go line of %s", v, gomodFile(m)))
	case strings.Contains(all, "module lookup disabled"):
		target := strings.Join(named, " ")
		if target == "" {
			target = "all"
		}
		fixes = append(fixes, fmt.Sprintf("go mod download %s%s (the module cache lacks it), or plan without --offline", target, in))
	case strings.Contains(all, "missing go.sum entry") && len(mods) > 0:
		fixes = append(fixes, fmt.Sprintf("go mod download %s%s, then commit go.sum", strings.Join(mods, " "), in))
	case strings.Contains(all, "missing go.sum entry") || strings.Contains(all, "updates to go.mod needed"):
		fixes = append(fixes, fmt.Sprintf("go mod tidy%s, then commit go.mod and go.sum", in))
	case strings.Contains(all, "Forbidden") || strings.Contains(all, "not available") || strings.Contains(all, "Not Found") || strings.Contains(all, "unrecognized import path"):
		fixes = append(fixes, fmt.Sprintf("the module proxy does not serve %s: set GOPROXY, GOPRIVATE or GONOSUMDB so that it can be downloaded, or download it%s with go mod download", strings.Join(named, " "), in))
	default:
		fixes = append(fixes, fmt.Sprintf("run go list -e -deps ./...%s and fix what it reports", in))
	}
	if offline && !strings.Contains(fixes[0], "--offline") && strings.Contains(all, "GOPROXY=off") {
		fixes = append(fixes, "or plan without --offline")
	}
	return strings.Join(fixes, ", ")
}

var goPrefixRE = regexp.MustCompile(`^(?:err: )?exit status \d+: stderr: `)

// goMessage is the go command's whole message from a go/packages error.
func goMessage(err error) string { return flatten(err.Error()) }

// flatten makes a go command message one line: it drops go/packages'
// "err: exit status 1: stderr:" prefix and the go command's progress lines
// ("go: downloading ..."), and joins the rest, keeping every word.
func flatten(msg string) string {
	msg = goPrefixRE.ReplaceAllString(strings.TrimSpace(msg), "")
	var lines []string
	for _, line := range strings.Split(msg, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "go: downloading ") || strings.HasPrefix(t, "go: finding ") || strings.HasPrefix(t, "go: extracting ") {
			continue
		}
		if len(lines) > 0 && (strings.HasPrefix(line, "\t") || strings.HasSuffix(lines[len(lines)-1], ":")) {
			lines[len(lines)-1] += " " + t
			continue
		}
		lines = append(lines, t)
	}
	return strings.Join(lines, "; ")
}
