package gitdiff

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Writing is for `deployorder split` only, which writes commits when it
// is asked to (--branch) and otherwise into a shadow repository of its
// own. Nothing here moves HEAD, the index or the worktree of a user's
// repository.

// CommitMeta is what a commit says besides its tree and parents.
type CommitMeta struct {
	Author, Committer object.Signature
	Message           string
}

// CommitInfo reads a commit's metadata and parents.
func (r *Repo) CommitInfo(rev string) (CommitMeta, []string, error) {
	c, err := r.commit(plumbing.NewHash(rev))
	if err != nil {
		return CommitMeta{}, nil, err
	}
	var parents []string
	for _, p := range c.ParentHashes {
		parents = append(parents, p.String())
	}
	return CommitMeta{Author: c.Author, Committer: c.Committer, Message: c.Message}, parents, nil
}

// TreeOf returns a commit's tree hash.
func (r *Repo) TreeOf(rev string) (string, error) {
	c, err := r.commit(plumbing.NewHash(rev))
	if err != nil {
		return "", err
	}
	return c.TreeHash.String(), nil
}

// WriteTree writes the tree of commit base with files changed: content
// for a new or changed file (its mode kept, else a regular file), nil to
// delete it. It returns the new tree's hash.
func (r *Repo) WriteTree(base string, files map[string][]byte) (string, error) {
	c, err := r.commit(plumbing.NewHash(base))
	if err != nil {
		return "", err
	}
	byDir := map[string]map[string][]byte{}
	for p, data := range files {
		dir, name := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		if byDir[dir] == nil {
			byDir[dir] = map[string][]byte{}
		}
		byDir[dir][name] = data
	}
	h, _, err := r.writeTree(c.TreeHash, "", byDir)
	return h.String(), err
}

// writeTree rewrites the tree at dir (hash t, zero when new) with the
// changes under it; empty reports a tree left with no entries.
func (r *Repo) writeTree(t plumbing.Hash, dir string, byDir map[string]map[string][]byte) (h plumbing.Hash, empty bool, err error) {
	entries := map[string]object.TreeEntry{}
	if !t.IsZero() {
		old, err := r.entries(t)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		for k, v := range old {
			entries[k] = v
		}
	}
	for name, data := range byDir[dir] {
		if data == nil {
			delete(entries, name)
			continue
		}
		bh, err := r.writeObject(plumbing.BlobObject, data)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		mode := filemode.Regular
		if e, ok := entries[name]; ok && e.Mode == filemode.Executable {
			mode = filemode.Executable
		}
		entries[name] = object.TreeEntry{Name: name, Mode: mode, Hash: bh}
	}
	// Subdirectories with changes under them.
	subs := map[string]bool{}
	for d := range byDir {
		var rest string
		switch {
		case dir == "" && d != "":
			rest = d
		case strings.HasPrefix(d, dir+"/"):
			rest = strings.TrimPrefix(d, dir+"/")
		default:
			continue
		}
		subs[strings.SplitN(rest, "/", 2)[0]] = true
	}
	for name := range subs {
		child := name
		if dir != "" {
			child = dir + "/" + name
		}
		var sub plumbing.Hash
		if e, ok := entries[name]; ok && e.Mode == filemode.Dir {
			sub = e.Hash
		}
		sh, subEmpty, err := r.writeTree(sub, child, byDir)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		if subEmpty {
			delete(entries, name)
		} else {
			entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: sh}
		}
	}
	tree := &object.Tree{}
	for _, e := range entries {
		tree.Entries = append(tree.Entries, e)
	}
	// Git orders entries by name, a directory's name as if it ended in /.
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(tree.Entries, func(i, j int) bool { return key(tree.Entries[i]) < key(tree.Entries[j]) })
	obj := r.storage.NewEncodedObject()
	if err := tree.Encode(obj); err != nil {
		return plumbing.ZeroHash, false, err
	}
	h, err = r.storage.SetEncodedObject(obj)
	return h, len(tree.Entries) == 0, err
}

func (r *Repo) writeObject(t plumbing.ObjectType, data []byte) (plumbing.Hash, error) {
	obj := r.storage.NewEncodedObject()
	obj.SetType(t)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.storage.SetEncodedObject(obj)
}

// WriteCommit writes a commit object with the tree and parents.
func (r *Repo) WriteCommit(tree string, parents []string, meta CommitMeta) (string, error) {
	c := &object.Commit{Author: meta.Author, Committer: meta.Committer, Message: meta.Message, TreeHash: plumbing.NewHash(tree)}
	for _, p := range parents {
		c.ParentHashes = append(c.ParentHashes, plumbing.NewHash(p))
	}
	obj := r.storage.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return "", err
	}
	h, err := r.storage.SetEncodedObject(obj)
	return h.String(), err
}

// BranchExists reports whether refs/heads/name exists.
func (r *Repo) BranchExists(name string) bool {
	_, err := r.storage.Reference(plumbing.NewBranchReferenceName(name))
	return err == nil
}

// CreateBranch creates refs/heads/name at rev; it refuses an existing
// branch and a name git would refuse.
func (r *Repo) CreateBranch(name, rev string) error {
	ref := plumbing.NewBranchReferenceName(name)
	if name == "" || strings.HasPrefix(name, "-") || strings.ContainsAny(name, " ~^:?*[\\") || ref.Validate() != nil {
		return fmt.Errorf("%q is not a valid branch name; choose another with --branch", name)
	}
	if r.BranchExists(name) {
		return fmt.Errorf("branch %s already exists; choose another name with --branch (deployorder never moves an existing branch)", name)
	}
	return r.storage.SetReference(plumbing.NewHashReference(ref, plumbing.NewHash(rev)))
}

// Shadow creates, in dir, a repository that shares r's objects (through
// objects/info/alternates) and has none of its refs: commits written there
// never touch r. Close the returned repository when done.
func (r *Repo) Shadow(dir string) (*Repo, error) {
	if _, err := git.PlainInit(dir, false); err != nil {
		return nil, err
	}
	info := filepath.Join(dir, ".git", "objects", "info")
	if err := os.MkdirAll(info, 0o755); err != nil {
		return nil, err
	}
	src := filepath.Join(r.storage.Filesystem().Root(), "objects")
	// The repository may borrow objects itself (git clone --shared or
	// --reference): the shadow borrows from the same places, as go-git
	// does not follow a borrowed repository's own alternates.
	alternates := src + "\n"
	if data, err := os.ReadFile(filepath.Join(src, "info", "alternates")); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if !filepath.IsAbs(line) {
				line = filepath.Join(src, line)
			}
			alternates += line + "\n"
		}
	}
	if err := os.WriteFile(filepath.Join(info, "alternates"), []byte(alternates), 0o644); err != nil {
		return nil, err
	}
	return Open(dir)
}

// SetHead points a shadow repository's HEAD at a new branch at rev.
func (r *Repo) SetHead(branch, rev string) error {
	ref := plumbing.NewBranchReferenceName(branch)
	if err := r.storage.SetReference(plumbing.NewHashReference(ref, plumbing.NewHash(rev))); err != nil {
		return err
	}
	return r.storage.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, ref))
}
