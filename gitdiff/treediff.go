package gitdiff

import (
	"path"
	"sort"

	"github.com/deployorder/deployorder/change"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

func kindOf(m filemode.FileMode) change.Kind {
	switch m {
	case filemode.Symlink:
		return change.Symlink
	case filemode.Submodule:
		return change.Submodule
	case filemode.Executable:
		return change.Executable
	}
	return change.RegularFile
}

// treeDiffer diffs trees by walking only the subtrees whose hashes differ:
// the cost is proportional to the changed part of the tree, not its size.
type treeDiffer struct {
	repo *Repo
	out  []change.File
}

func (r *Repo) tree(h plumbing.Hash) (*object.Tree, error) {
	if h.IsZero() {
		return &object.Tree{}, nil
	}
	return object.GetTree(r.git.Storer, h)
}

// diffCommits returns the changes from commit a (zero: the empty tree) to b.
func (r *Repo) diffCommits(a plumbing.Hash, b *object.Commit) ([]change.File, error) {
	var at plumbing.Hash
	if !a.IsZero() {
		ac, err := r.commit(a)
		if err != nil {
			return nil, err
		}
		at = ac.TreeHash
	}
	return r.diffTrees(at, b.TreeHash)
}

// diffTrees returns the changes from tree a to tree b, sorted by path, with
// exact renames paired.
func (r *Repo) diffTrees(a, b plumbing.Hash) ([]change.File, error) {
	d := &treeDiffer{repo: r}
	if err := d.diff("", a, b); err != nil {
		return nil, err
	}
	return pairRenames(d.out), nil
}

func (d *treeDiffer) diff(prefix string, a, b plumbing.Hash) error {
	if a == b {
		return nil
	}
	ta, err := d.repo.tree(a)
	if err != nil {
		return err
	}
	tb, err := d.repo.tree(b)
	if err != nil {
		return err
	}
	byName := make(map[string]object.TreeEntry, len(ta.Entries))
	for _, e := range ta.Entries {
		byName[e.Name] = e
	}
	for _, eb := range tb.Entries {
		p := path.Join(prefix, eb.Name)
		ea, ok := byName[eb.Name]
		delete(byName, eb.Name)
		if !ok {
			if err := d.side(p, eb, change.Added); err != nil {
				return err
			}
			continue
		}
		if ea.Hash == eb.Hash && ea.Mode == eb.Mode {
			continue
		}
		aDir, bDir := ea.Mode == filemode.Dir, eb.Mode == filemode.Dir
		switch {
		case aDir && bDir:
			if err := d.diff(p, ea.Hash, eb.Hash); err != nil {
				return err
			}
		case !aDir && !bDir:
			d.out = append(d.out, change.File{Status: change.Modified, Path: p, OldBlob: ea.Hash.String(), NewBlob: eb.Hash.String(), Kind: kindOf(eb.Mode)})
		default: // a file became a directory or the reverse
			if err := d.side(p, ea, change.Deleted); err != nil {
				return err
			}
			if err := d.side(p, eb, change.Added); err != nil {
				return err
			}
		}
	}
	for _, ea := range ta.Entries { // in tree order, so output is deterministic
		if _, gone := byName[ea.Name]; !gone {
			continue
		}
		if err := d.side(path.Join(prefix, ea.Name), ea, change.Deleted); err != nil {
			return err
		}
	}
	return nil
}

// side records every file under an entry that exists on one side only.
func (d *treeDiffer) side(p string, e object.TreeEntry, st change.Status) error {
	if e.Mode != filemode.Dir {
		fc := change.File{Status: st, Path: p, Kind: kindOf(e.Mode)}
		if st == change.Added {
			fc.NewBlob = e.Hash.String()
		} else {
			fc.OldBlob = e.Hash.String()
		}
		d.out = append(d.out, fc)
		return nil
	}
	t, err := d.repo.tree(e.Hash)
	if err != nil {
		return err
	}
	for _, c := range t.Entries {
		if err := d.side(path.Join(p, c.Name), c, st); err != nil {
			return err
		}
	}
	return nil
}

// pairRenames turns a deletion and an addition of the same content into one
// rename. Only exact renames are paired: similarity detection is quadratic
// and took minutes on large moves; a moved-and-edited file stays a deletion
// plus an addition, and both paths count as changed either way.
func pairRenames(changes []change.File) []change.File {
	deleted := map[string][]int{} // blob -> indexes of deletions
	for i, c := range changes {
		if c.Status == change.Deleted && c.Kind != change.Submodule {
			deleted[c.OldBlob] = append(deleted[c.OldBlob], i)
		}
	}
	drop := map[int]bool{}
	if len(deleted) > 0 {
		for i := range changes {
			c := &changes[i]
			if c.Status != change.Added || c.Kind == change.Submodule {
				continue
			}
			cands := deleted[c.NewBlob]
			if len(cands) == 0 {
				continue
			}
			best := 0
			for k, j := range cands { // prefer the same base name
				if path.Base(changes[j].Path) == path.Base(c.Path) {
					best = k
					break
				}
			}
			j := cands[best]
			deleted[c.NewBlob] = append(cands[:best:best], cands[best+1:]...)
			c.Status, c.OldPath, c.OldBlob = change.Renamed, changes[j].Path, changes[j].OldBlob
			drop[j] = true
		}
	}
	out := changes[:0:0]
	for i, c := range changes {
		if !drop[i] {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
