package gitdiff

import (
	"crypto/sha1"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// WorktreeChanges lists up to limit Go and module files where the worktree
// does not hold commit rev's content: staged or unstaged changes, deleted
// files, merge conflicts, and untracked files (which would change the
// packages a load sees). It reads only: file metadata
// first, as git does, and the content only of files whose size or time
// differs from the index, or that were written too close to it to tell.
// nil means the worktree can stand for rev.
func (r *Repo) WorktreeChanges(rev string, limit int) ([]string, error) {
	if r.root == "" {
		return nil, nil
	}
	c, err := r.commit(plumbing.NewHash(rev))
	if err != nil {
		return nil, err
	}
	want := map[string]object.TreeEntry{}
	if err := r.walkFiles(c.TreeHash, "", func(name string, e object.TreeEntry) error {
		want[name] = e
		return nil
	}); err != nil {
		return nil, err
	}
	idx, err := r.storage.Index()
	if err != nil {
		return nil, err
	}
	wc := &worktreeCheck{limit: limit, tracked: map[string]bool{}}
	check := wc.staged(idx, want)
	if wc.full() {
		return wc.out, nil
	}
	for _, e := range r.modified(idx, check) {
		if wc.add(e) {
			return wc.out, nil
		}
	}
	var missing []string
	for name, e := range want {
		if !wc.tracked[name] && e.Mode != filemode.Submodule && relevant(name) {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	for _, name := range missing {
		if wc.add(name) {
			return wc.out, nil
		}
	}
	err = r.untracked(wc)
	return wc.out, err
}

// worktreeCheck collects the paths that differ, up to limit.
type worktreeCheck struct {
	limit   int
	out     []string
	tracked map[string]bool // paths in the index
}

func (wc *worktreeCheck) add(p string) bool {
	wc.out = append(wc.out, p)
	return wc.full()
}

func (wc *worktreeCheck) full() bool { return len(wc.out) >= wc.limit }

// staged adds the index entries that differ from rev (conflicts, intents to
// add, staged changes) and returns the others, whose worktree content must
// be compared.
func (wc *worktreeCheck) staged(idx *index.Index, want map[string]object.TreeEntry) []*index.Entry {
	var check []*index.Entry
	for _, e := range idx.Entries {
		wc.tracked[e.Name] = true
		if !relevant(e.Name) || wc.full() {
			continue
		}
		w, ok := want[e.Name]
		switch {
		case e.Stage != 0 || e.IntentToAdd:
			wc.add(e.Name)
		case e.SkipWorktree || e.Mode == filemode.Submodule:
		case !ok || w.Hash != e.Hash:
			wc.add(e.Name) // staged
		default:
			check = append(check, e)
		}
	}
	return check
}

// modified compares, in parallel, the worktree files of index entries with
// their content, metadata first as git does; it returns the names of the
// files that differ, in index order.
func (r *Repo) modified(idx *index.Index, check []*index.Entry) []string {
	indexTime := time.Time{}
	if fi, err := os.Stat(filepath.Join(r.storage.Filesystem().Root(), "index")); err == nil {
		indexTime = fi.ModTime()
	}
	differs := make([]bool, len(check))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				e := check[k]
				differs[k] = !sameContent(filepath.Join(r.root, filepath.FromSlash(e.Name)), e.Hash, int64(e.Size), e.ModifiedAt, indexTime, e.Mode)
			}
		}()
	}
	for k := range check {
		next <- k
	}
	close(next)
	wg.Wait()
	var out []string
	for k, d := range differs {
		if d {
			out = append(out, check[k].Name)
		}
	}
	return out
}

// untracked adds the untracked Go and module files: they change what a
// package load sees.
func (r *Repo) untracked(wc *worktreeCheck) error {
	return filepath.WalkDir(r.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != r.root && (name == ".git" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !relevant(name) {
			return nil
		}
		rel, err := filepath.Rel(r.root, p)
		if err != nil {
			return nil
		}
		if rel = filepath.ToSlash(rel); !wc.tracked[rel] && wc.add(rel) {
			return fs.SkipAll
		}
		return nil
	})
}

// relevant reports whether a path's worktree content can change a plan:
// the Go files a package load reads and the module files. (Other paths map
// to services by the range's diff, which comes from git objects.)
func relevant(p string) bool {
	name := p[strings.LastIndex(p, "/")+1:]
	switch name {
	case "go.mod", "go.sum", "go.work", "go.work.sum":
		return true
	}
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

// sameContent reports whether the file at p holds the blob h, looking at
// its content only when its metadata does not settle it.
func sameContent(p string, h plumbing.Hash, size int64, mtime, indexTime time.Time, mode filemode.FileMode) bool {
	fi, err := os.Lstat(p)
	if err != nil {
		return false
	}
	if mode == filemode.Symlink {
		if fi.Mode()&os.ModeSymlink == 0 {
			return false
		}
		target, err := os.Readlink(p)
		return err == nil && blobHash([]byte(filepath.ToSlash(target))) == h
	}
	if !fi.Mode().IsRegular() {
		return false
	}
	racy := !mtime.Before(indexTime)
	if fi.Size() == size && fi.ModTime().Equal(mtime) && !racy {
		return true
	}
	if fi.Size() != size && size != 0 {
		return false
	}
	data, err := os.ReadFile(p)
	return err == nil && blobHash(data) == h
}

// blobHash is git's object name of content stored as a blob.
func blobHash(data []byte) plumbing.Hash {
	s := sha1.New()
	fmt.Fprintf(s, "blob %d\x00", len(data))
	s.Write(data)
	var h plumbing.Hash
	copy(h[:], s.Sum(nil))
	return h
}
