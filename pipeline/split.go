package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/gitdiff"
	"github.com/deployorder/deployorder/graph"
	"github.com/deployorder/deployorder/planner"
	"github.com/deployorder/deployorder/split"
)

// SplitOptions configure Split.
type SplitOptions struct {
	Options
	Branch string // create refs/heads/Branch with the series; "" writes nothing
	Verify bool   // build, vet and plan each commit of the series
}

// SplitCommit is one commit of a series.
type SplitCommit struct {
	SHA      string // in the shadow repository (and in the repository with --branch)
	Step     int
	Phase    planner.Phase
	Services []string
	Message  string
	Author   string // "Name <email>"
	Date     string // RFC 2822
	Diff     string // the unified diff against the previous commit of the series
	Kept     []string
}

// SplitResult is a split written as a series of commits.
type SplitResult struct {
	Original string        // the commit split
	Parent   string        // its parent, where the series starts
	Commits  []SplitCommit // the series, in order
	Rebased  []string      // with --branch: the commits that followed the original, re-parented on the series
	Branch   string        // the branch created, if any
	Plan     *planner.Plan // the series' plan (staged), when verified
}

// SplitError is a split that cannot be written line by line: the file and
// line need a hand edit.
type SplitError struct {
	File string
	Line int
	Msg  string
}

func (e *SplitError) Error() string {
	if e.File == "" {
		return e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Split computes the split that plan reports for a commit and writes it as
// a series of commits that replaces it: one commit per step of the split,
// the last one's tree exactly the commit's. The commits go to a shadow
// repository that shares the repository's objects; with Branch they are
// also written to the repository, with the commits that followed the
// original (up to HEAD) re-parented on top, and refs/heads/Branch is
// created: HEAD, the index, the worktree and every other ref stay as they
// are.
func Split(ctx context.Context, rev string, opts SplitOptions) (*SplitResult, error) {
	repo, cfg, err := open(opts.Options)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	c, err := repo.ResolveCommit(rev)
	if err != nil {
		return nil, userError(err)
	}
	sha := c.Hash.String()
	switch len(c.ParentHashes) {
	case 0:
		return nil, fmt.Errorf("commit %.12s is a root commit: there is nothing before it to split it against", sha)
	case 1:
	default:
		return nil, fmt.Errorf("commit %.12s is a merge; split one of the commits it merges instead", sha)
	}
	if opts.Branch != "" && repo.BranchExists(opts.Branch) {
		return nil, fmt.Errorf("branch %s already exists; choose another name with --branch (deployorder never moves an existing branch)", opts.Branch)
	}
	p, err := Plan(ctx, sha, opts.Options)
	if err != nil {
		return nil, err
	}
	var sp *planner.Split
	for i := range p.Splits {
		if p.Splits[i].Commit == sha {
			sp = &p.Splits[i]
		}
	}
	if sp == nil {
		return nil, fmt.Errorf("commit %.12s ships as one deploy (its plan is %s): there is nothing to split", sha, p.Verdict)
	}
	phases := map[int]planner.Phase{}
	for _, st := range p.Steps {
		phases[st.Index] = st.Phase
	}
	parent := c.ParentHashes[0].String()
	rg, err := repo.ResolveCommits(sha)
	if err != nil {
		return nil, userError(err)
	}
	if err := repo.Diff(rg); err != nil {
		return nil, userError(err)
	}
	files, err := readChanges(repo, rg)
	if err != nil {
		return nil, err
	}
	steps, err := split.Series(files, *sp, phases)
	if err != nil {
		return nil, err
	}
	meta, _, err := repo.CommitInfo(sha)
	if err != nil {
		return nil, err
	}
	res := &SplitResult{Original: sha, Parent: parent}
	tmp, err := os.MkdirTemp("", "deployorder-split-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	shadow, err := repo.Shadow(filepath.Join(tmp, "shadow"))
	if err != nil {
		return nil, fmt.Errorf("preparing the shadow repository: %w", err)
	}
	defer shadow.Close()
	if err := writeSeries(shadow, res, steps, files, meta, parent, sha); err != nil {
		return nil, err
	}
	if opts.Verify {
		if err := verifySeries(ctx, shadow, res, steps, cfg.Path, tmp, opts); err != nil {
			return nil, err
		}
	}
	if opts.Branch != "" {
		if err := writeBranch(repo, res, steps, meta, parent, sha, opts.Branch); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// readChanges reads the base and head of every file a commit changes.
func readChanges(repo *gitdiff.Repo, rg *change.Range) ([]split.File, error) {
	var files []split.File
	for _, fc := range rg.Files {
		if fc.Kind == change.Submodule || fc.Kind == change.Symlink {
			return nil, &SplitError{File: fc.Path, Msg: "a submodule or symbolic link changes in this commit; split it by hand"}
		}
		for _, p := range fc.Paths() {
			f := split.File{Path: p}
			var err error
			if fc.Status != change.Added && (p == fc.BasePath()) {
				if f.Base, err = repo.ReadFile(rg.Base, p); err != nil {
					return nil, err
				}
			}
			if fc.Status != change.Deleted && p == fc.Path {
				if f.Head, err = repo.ReadFile(rg.Head, p); err != nil {
					return nil, err
				}
			}
			files = append(files, f)
		}
	}
	return files, nil
}

// message is a step's commit message: the original subject with the step,
// the original body, and a trailer naming the original.
func message(orig string, k, n int, phase planner.Phase, sha string) string {
	subject, body, _ := strings.Cut(strings.TrimRight(orig, "\n"), "\n")
	msg := fmt.Sprintf("%s (step %d of %d: %s)\n", subject, k, n, phase)
	if body = strings.Trim(body, "\n"); body != "" {
		msg += "\n" + body + "\n"
	}
	return msg + "\nSplit-From: " + sha + "\n"
}

// writeSeries writes the steps as commits into repo (a shadow) and checks
// that the last one's tree is the original's.
func writeSeries(repo *gitdiff.Repo, res *SplitResult, steps []split.Step, files []split.File, meta gitdiff.CommitMeta, parent, sha string) error {
	prev, prevFiles := parent, map[string][]byte{}
	for _, f := range files {
		prevFiles[f.Path] = f.Base
	}
	for k, st := range steps {
		tree, err := repo.WriteTree(parent, st.Files)
		if err != nil {
			return fmt.Errorf("writing step %d: %w", st.Index, err)
		}
		m := meta
		m.Message = message(meta.Message, k+1, len(steps), st.Phase, sha)
		c, err := repo.WriteCommit(tree, []string{prev}, m)
		if err != nil {
			return fmt.Errorf("writing step %d: %w", st.Index, err)
		}
		sc := SplitCommit{SHA: c, Step: st.Index, Phase: st.Phase, Services: st.Services, Message: m.Message,
			Author: fmt.Sprintf("%s <%s>", meta.Author.Name, meta.Author.Email), Date: meta.Author.When.Format("Mon, 2 Jan 2006 15:04:05 -0700"), Kept: st.Kept}
		var diffs []string
		for _, f := range files {
			cur, ok := st.Files[f.Path]
			if !ok {
				cur = prevFiles[f.Path]
			}
			if d := split.UnifiedDiff(f.Path, prevFiles[f.Path], cur); d != "" {
				diffs = append(diffs, d)
			}
			prevFiles[f.Path] = cur
		}
		sc.Diff = strings.Join(diffs, "")
		res.Commits = append(res.Commits, sc)
		prev = c
	}
	last, err := repo.TreeOf(prev)
	if err != nil {
		return err
	}
	orig, err := repo.TreeOf(sha)
	if err != nil {
		return err
	}
	if last != orig {
		return fmt.Errorf("the split's last commit does not have the tree of %.12s (internal error; please report it)", sha)
	}
	return nil
}

var compileErrRE = regexp.MustCompile(`(?m)^(?:\./)?([^\s:]+\.go):(\d+)(?::\d+)?: (.*)$`)

// verifySeries checks each commit of the series: it builds and vets (in a
// temporary export, the modules it touches), it needs no further split
// against its parent, and the whole series plans staged.
func verifySeries(ctx context.Context, shadow *gitdiff.Repo, res *SplitResult, steps []split.Step, configPath, tmp string, opts SplitOptions) error {
	env := graph.SafeEnv(opts.Environ, opts.Offline)
	if opts.Environ == nil {
		env = graph.SafeEnv(os.Environ(), opts.Offline)
	}
	for k, c := range res.Commits[:len(res.Commits)-1] { // the last is the original's tree
		dir := filepath.Join(tmp, fmt.Sprintf("step%d", k+1))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if _, err := shadow.Export(c.SHA, dir); err != nil {
			return fmt.Errorf("exporting step %d: %w", c.Step, err)
		}
		for _, mod := range touchedModules(dir, steps[k].Files) {
			for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
				cmd := exec.CommandContext(ctx, "go", args...)
				cmd.Dir = filepath.Join(dir, filepath.FromSlash(mod))
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				if err == nil {
					continue
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return buildError(c, dir, mod, args[0], out)
			}
		}
		os.RemoveAll(dir)
	}
	sopts := opts.Options
	sopts.Dir, sopts.Config, sopts.NoCache, sopts.Phase = filepath.Dir(filepath.Join(tmp, "shadow", ".git")), configPath, true, nil
	last := res.Commits[len(res.Commits)-1].SHA
	if err := shadow.SetHead("split", last); err != nil {
		return err
	}
	for _, c := range res.Commits {
		p, err := Plan(ctx, c.SHA, sopts)
		if err != nil {
			return fmt.Errorf("planning step %d: %w", c.Step, err)
		}
		if p.Verdict.Level() >= planner.SplitRequired.Level() {
			return &SplitError{Msg: fmt.Sprintf("step %d (%s) still cannot ship as one deploy (its plan is %s: %s); split it by hand", c.Step, c.Phase, p.Verdict, p.Summary)}
		}
	}
	p, err := Plan(ctx, res.Parent+".."+last, sopts)
	if err != nil {
		return fmt.Errorf("planning the series: %w", err)
	}
	if p.Verdict.Level() >= planner.SplitRequired.Level() {
		return &SplitError{Msg: fmt.Sprintf("the series still plans %s (%s); split it by hand", p.Verdict, p.Summary)}
	}
	res.Plan = p
	return nil
}

// buildError names the place a step does not build: the first compiler or
// vet error, with the lines the step kept beside their replacement.
func buildError(c SplitCommit, dir, mod, what string, out []byte) error {
	msg := strings.TrimSpace(string(out))
	e := &SplitError{Msg: fmt.Sprintf("step %d (%s) does not %s: %s", c.Step, c.Phase, what, firstLine(msg))}
	if m := compileErrRE.FindStringSubmatch(msg); m != nil {
		e.File = path.Join(mod, m[1])
		fmt.Sscan(m[2], &e.Line)
		e.Msg = fmt.Sprintf("step %d (%s) does not %s (%s)", c.Step, c.Phase, what, m[3])
	}
	if len(c.Kept) > 0 {
		e.Msg += fmt.Sprintf("; it keeps the old lines %s beside their replacement, which cannot be divided line by line: edit the step by hand", strings.Join(c.Kept, ", "))
	}
	if e.File != "" {
		if src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.File))); err == nil {
			kept := map[int]bool{}
			for _, k := range c.Kept {
				if f, l, ok := strings.Cut(k, ":"); ok && f == e.File {
					n, _ := strconv.Atoi(l)
					kept[n] = true
				}
			}
			if hint := tagRenameHint(src, e.Line, kept); hint != "" {
				e.Msg += "; " + hint
			}
		}
	}
	return e
}

// fieldLineRE is a struct field line with a json tag: its name, its type
// and the tag's key.
var fieldLineRE = regexp.MustCompile("^\\s*([A-Za-z_]\\w*)\\s+([^`]+?)\\s+`[^`]*json:\"([^\",]*)")

// tagRenameHint explains the commonest change that cannot be divided line
// by line: a struct field whose JSON name changes and nothing else. The
// expand step keeps the old field beside the new one, which declares the
// field twice; the way out is a second field. line is the one the
// compiler names, kept the step's kept (old) lines in the same file.
func tagRenameHint(src []byte, line int, kept map[int]bool) string {
	lines := strings.Split(string(src), "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	m := fieldLineRE.FindStringSubmatch(lines[line-1])
	if m == nil {
		return ""
	}
	for i, l := range lines {
		o := fieldLineRE.FindStringSubmatch(l)
		if i == line-1 || o == nil || o[1] != m[1] || o[2] != m[2] || o[3] == m[3] {
			continue
		}
		old, cur := o[3], m[3]
		switch {
		case kept[line]:
			old, cur = cur, old
		case !kept[i+1]:
			return "" // neither is a kept old line: not a rename the split made
		}
		return fmt.Sprintf("the field %s changes only its JSON name (%q to %q) and one field cannot carry two names: write the expand step by hand with a second field tagged json:%q beside %s, set wherever %s is set, then the switch and the contract",
			m[1], old, cur, cur, m[1], m[1])
	}
	return ""
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// touchedModules lists the module directories (relative, slash) that hold
// the changed files, found by their nearest go.mod in the export.
func touchedModules(root string, files map[string][]byte) []string {
	seen := map[string]bool{}
	var out []string
	for p := range files {
		dir := path.Dir(p)
		for {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(dir), "go.mod")); err == nil {
				if !seen[dir] {
					seen[dir] = true
					out = append(out, dir)
				}
				break
			}
			if dir == "." || dir == "/" {
				break
			}
			dir = path.Dir(dir)
		}
	}
	return out
}

// writeBranch writes the series into the repository, re-parents the
// commits that followed the original up to HEAD on top of it, and creates
// the branch.
func writeBranch(repo *gitdiff.Repo, res *SplitResult, steps []split.Step, meta gitdiff.CommitMeta, parent, sha, branch string) error {
	prev := parent
	for k, st := range steps {
		tree, err := repo.WriteTree(parent, st.Files)
		if err != nil {
			return err
		}
		m := meta
		m.Message = res.Commits[k].Message
		if prev, err = repo.WriteCommit(tree, []string{prev}, m); err != nil {
			return err
		}
		if prev != res.Commits[k].SHA {
			return errors.New("the series written to the repository differs from the one checked (internal error; please report it)")
		}
	}
	if head, err := repo.Head(); err == nil && head.String() != sha {
		if later, err := repo.ResolveCommits(sha + ".." + head.String()); err == nil {
			for _, c := range later.Commits {
				m, parents, err := repo.CommitInfo(c.SHA)
				if err != nil {
					return err
				}
				tree, err := repo.TreeOf(c.SHA)
				if err != nil {
					return err
				}
				parents[0] = prev
				if prev, err = repo.WriteCommit(tree, parents, m); err != nil {
					return err
				}
				res.Rebased = append(res.Rebased, prev)
			}
		}
	}
	if err := repo.CreateBranch(branch, prev); err != nil {
		return err
	}
	res.Branch = branch
	return nil
}

// Mailbox writes a series as a patch mailbox, as git format-patch does:
// `git am` applies it on the original's parent.
func Mailbox(res *SplitResult) []byte {
	var b bytes.Buffer
	n := len(res.Commits)
	for k, c := range res.Commits {
		subject, body, _ := strings.Cut(c.Message, "\n")
		fmt.Fprintf(&b, "From %s Mon Sep 17 00:00:00 2001\n", c.SHA)
		fmt.Fprintf(&b, "From: %s\nDate: %s\nSubject: [PATCH %d/%d] %s\n\n", c.Author, c.Date, k+1, n, subject)
		if body = strings.Trim(body, "\n"); body != "" {
			b.WriteString(body + "\n")
		}
		b.WriteString("---\n")
		b.WriteString(c.Diff)
		b.WriteString("-- \ndeployorder split\n\n")
	}
	return b.Bytes()
}
