package gitdiff

import (
	"strings"

	"github.com/deployorder/deployorder/change"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Resolve resolves a range spelled as git spells it (see ParseSpec) and
// computes its commits and changed files.
func (r *Repo) Resolve(text string) (*change.Range, error) {
	rg, err := r.ResolveCommits(text)
	if err != nil {
		return nil, err
	}
	if err := r.Diff(rg); err != nil {
		return nil, err
	}
	return rg, nil
}

// ResolveCommits resolves a range and lists its commits, without diffing
// anything: Files are left empty (see Diff).
func (r *Repo) ResolveCommits(text string) (*change.Range, error) {
	spec, err := ParseSpec(text)
	if err != nil {
		return nil, err
	}
	head, err := r.ResolveCommit(spec.To)
	if err != nil {
		return nil, err
	}
	var base *object.Commit // nil: the empty tree
	switch spec.Kind {
	case Single:
		if base, err = r.firstParent(head); err != nil {
			return nil, err
		}
	case TwoDot:
		if base, err = r.ResolveCommit(spec.From); err != nil {
			return nil, err
		}
		if base.Hash == head.Hash {
			return nil, errorf(EmptyRange, nil, "range %s is empty: %s and %s are the same commit (%s); give a range with commits, e.g. %s~1..%s",
				spec.Text, spec.From, spec.To, short(head.Hash), spec.To, spec.To)
		}
	case ThreeDot:
		from, err := r.ResolveCommit(spec.From)
		if err != nil {
			return nil, err
		}
		if base, err = r.mergeBase(from, head); err != nil {
			return nil, err
		}
		if base == nil {
			if r.IsShallow() {
				return nil, errorf(ShallowClone, nil, "no common ancestor of %s and %s in this shallow clone; %s", spec.From, spec.To, shallowHint)
			}
			return nil, errorf(NoCommonHistory, nil, "%s and %s share no history, so %s has no merge base; use %s..%s to diff them directly",
				spec.From, spec.To, spec.Text, spec.From, spec.To)
		}
		if base.Hash == head.Hash {
			return nil, errorf(EmptyRange, nil, "range %s is empty: %s has no commits that %s lacks", spec.Text, spec.To, spec.From)
		}
	}
	commits, err := r.commitsBetween(base, head)
	if err != nil {
		return nil, err
	}
	if len(commits) == 0 {
		return nil, errorf(ReversedRange, nil, "range %s is reversed: %s is an ancestor of %s, so the range has no commits; did you mean %s..%s?",
			spec.Text, spec.To, spec.From, spec.To, spec.From)
	}
	rg := &change.Range{Spec: spec.Text, Head: head.Hash.String(), HeadTree: head.TreeHash.String()}
	if base != nil {
		rg.Base, rg.BaseTree = base.Hash.String(), base.TreeHash.String()
	}
	for _, c := range commits {
		rc := change.Commit{SHA: c.Hash.String(), Subject: subject(c.Message), Merge: len(c.ParentHashes) > 1, Trailers: change.ParseTrailers(c.Message)}
		if len(c.ParentHashes) > 0 {
			rc.Parent = c.ParentHashes[0].String()
		}
		rg.Commits = append(rg.Commits, rc)
	}
	return rg, nil
}

// Diff fills in the files the range changes, in total and per commit.
func (r *Repo) Diff(rg *change.Range) error {
	var err error
	baseTree := plumbing.ZeroHash
	if rg.BaseTree != "" {
		baseTree = plumbing.NewHash(rg.BaseTree)
	}
	if rg.Files, err = r.diffTrees(baseTree, plumbing.NewHash(rg.HeadTree)); err != nil {
		return err
	}
	for i := range rg.Commits {
		c, err := r.commit(plumbing.NewHash(rg.Commits[i].SHA))
		if err != nil {
			return err
		}
		var parent plumbing.Hash
		if rg.Commits[i].Parent != "" {
			parent = plumbing.NewHash(rg.Commits[i].Parent)
		}
		if rg.Commits[i].Files, err = r.diffCommits(parent, c); err != nil {
			return err
		}
	}
	rg.Hunks = map[string][]change.Hunk{}
	for _, fc := range rg.Files {
		if fc.Status != change.Modified || !strings.HasSuffix(fc.Path, ".go") || fc.Kind == change.Submodule {
			continue
		}
		if size, _, err := r.BlobInfo(fc.NewBlob, 0); err != nil || size > MaxParsed {
			continue
		}
		hunks, binary, err := r.Hunks(fc)
		if err != nil {
			return err
		}
		if !binary {
			rg.Hunks[fc.Path] = hunks
		}
	}
	return nil
}

// MaxParsed is the size above which a changed Go file is neither diffed
// line by line nor parsed: it is still mapped to services by its path.
const MaxParsed = 2 << 20

// commitsBetween walks head's first-parent chain back to the first commit
// reachable from base (nil: to the root) and returns the commits oldest
// first.
func (r *Repo) commitsBetween(base, head *object.Commit) ([]*object.Commit, error) {
	anc := newAncestry(r, base)
	var out []*object.Commit
	for c := head; c != nil; {
		if base != nil {
			in, err := anc.reaches(c)
			if err != nil {
				return nil, err
			}
			if in {
				break
			}
		}
		out = append(out, c)
		p, err := r.firstParent(c)
		if err != nil {
			return nil, err
		}
		c = p
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

func subject(msg string) string {
	s, _, _ := strings.Cut(strings.TrimSpace(msg), "\n")
	return strings.TrimSpace(s)
}

func short(h plumbing.Hash) string { return h.String()[:12] }
