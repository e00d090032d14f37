package gitdiff

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// Repo is a git repository opened read-only.
type Repo struct {
	git         *git.Repository
	storage     *filesystem.Storage
	objectStore *objectStore                                  // storage, with git's pack lookups: what r.git reads
	objects     cache.Object                                  // the storage's object cache
	root        string                                        // absolute worktree root; "" for a bare repository
	worktree    billy.Filesystem                              // nil for a bare repository
	shallow     map[plumbing.Hash]bool                        // commits whose parents this clone lacks
	dirs        map[plumbing.Hash]map[string]object.TreeEntry // tree -> entries by name, read once
}

// Open opens the repository that contains dir (dir itself or a parent).
// Bare repositories open too; Root is then empty.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, errorf(NotRepository, err, "%s is not a directory; pass -C with the path of a checkout of your monorepo", dir)
	}
	probe, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) && looksBare(abs) {
		probe, err = git.PlainOpen(abs)
	}
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, errorf(NotRepository, err, "%s is not inside a git repository; run deployorder in a checkout of your monorepo or pass -C DIR", dir)
	}
	if err != nil {
		return nil, errorf(NotRepository, err, "cannot open the git repository at %s: %v", dir, err)
	}
	fsStore, ok := probe.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("unexpected git storage %T", probe.Storer)
	}
	objects := cache.NewObjectLRU(96 * cache.MiByte)
	r := &Repo{objects: objects, shallow: map[plumbing.Hash]bool{}}
	if wt, err := probe.Worktree(); err == nil {
		r.root = wt.Filesystem.Root()
		r.worktree = wt.Filesystem
	} else if !errors.Is(err, git.ErrIsBareRepository) {
		return nil, err
	}
	if err := r.open(fsStore.Filesystem()); err != nil {
		return nil, err
	}
	st := r.storage
	if hashes, err := st.Shallow(); err == nil {
		for _, h := range hashes {
			r.shallow[h] = true
		}
	}
	return r, nil
}

// open (re)opens the object storage at fs (the .git directory).
// KeepDescriptors keeps pack files open across object reads; without it
// go-git reopens the pack for every object, which dominates range walks.
// AlternatesFS lets objects/info/alternates name any directory (a clone
// made with --shared or --reference, or split's shadow repository). The
// repository reads objects through objectStore (see packs.go).
func (r *Repo) open(fs billy.Filesystem) error {
	st := filesystem.NewStorageWithOptions(fs, r.objects,
		filesystem.Options{KeepDescriptors: true, AlternatesFS: osfs.New("/")})
	objects := &objectStore{Storage: st, packs: newPackSet(dotgit.New(fs), r.objects)}
	repo, err := git.Open(objects, r.worktree)
	if err != nil {
		return err
	}
	r.storage, r.objectStore, r.git = st, objects, repo
	return nil
}

// looksBare reports whether dir has the layout of a bare repository.
func looksBare(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

// Close releases the pack files the repository keeps open.
func (r *Repo) Close() error { return r.objectStore.Close() }

// DropCaches forgets the objects and trees read so far: up to 96 MiB of
// them once the head is exported, which a plan then holds for nothing
// while it type-checks. It also reopens the storage: it keeps each pack's
// index (7 MiB on etcd's history; go-git's own, for the objects the packs
// read in place leave to it, with a map from offsets to hashes of 33 MiB)
// for as long as it lives. Later reads read the indexes again.
func (r *Repo) DropCaches() {
	r.objects.Clear()
	r.dirs = nil
	old := r.objectStore
	if err := r.open(old.Filesystem()); err != nil {
		return // keep the storage that works
	}
	old.Close()
}

// Root is the absolute path of the worktree, or "" for a bare repository.
func (r *Repo) Root() string { return r.root }

// IsShallow reports whether the clone's history is cut off.
func (r *Repo) IsShallow() bool { return len(r.shallow) > 0 }

// Head returns the commit HEAD points at.
func (r *Repo) Head() (plumbing.Hash, error) {
	c, err := r.ResolveCommit("HEAD")
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return c.Hash, nil
}

// ResolveCommit resolves any name git accepts for a commit: a branch, tag,
// remote branch, full or short hash, HEAD~3, @, or a combination.
func (r *Repo) ResolveCommit(name string) (*object.Commit, error) {
	if name == "" {
		return nil, errorf(UnknownRevision, nil, "empty revision name; give a branch, tag or commit")
	}
	rev := name
	if rev == "@" || strings.HasPrefix(rev, "@~") || strings.HasPrefix(rev, "@^") {
		rev = "HEAD" + rev[1:]
	}
	base, suffix := rev, ""
	if i := strings.IndexAny(rev, "~^"); i >= 0 {
		base, suffix = rev[:i], rev[i:]
	}
	// As in git, a ref wins over a hash prefix of the same spelling.
	if ref := r.dwimRef(base); ref != "" {
		rev = ref + suffix
	} else {
		full, err := r.expandHex(name, base)
		if err != nil {
			return nil, err
		}
		if full != "" {
			rev = full + suffix
		} else if isHex(base) {
			rev = strings.ToLower(base) + suffix
		}
	}
	if base == "HEAD" {
		if _, err := r.git.Head(); errors.Is(err, plumbing.ErrReferenceNotFound) {
			return nil, errorf(UnknownRevision, err, "the repository has no commits yet; commit something, then plan a range")
		}
	}
	h, err := r.git.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, r.revisionError(name, err)
	}
	c, err := r.commit(*h)
	if err != nil {
		return nil, r.revisionError(name, err)
	}
	return c, nil
}

// revisionError turns a go-git resolution failure into advice.
func (r *Repo) revisionError(name string, err error) error {
	if r.IsShallow() && (errors.Is(err, plumbing.ErrObjectNotFound) || strings.Contains(name, "~") || strings.Contains(name, "^")) {
		return errorf(ShallowClone, err, "revision %q is not in this shallow clone; %s", name, shallowHint)
	}
	if r.IsShallow() {
		return errorf(UnknownRevision, err, "unknown revision %q, and this clone is shallow: fetch it (git fetch origin %s) or %s", name, strings.TrimPrefix(name, "origin/"), shallowHint)
	}
	return errorf(UnknownRevision, err, "unknown revision %q: no branch, tag or commit of that name here; check the name or fetch it (git fetch)", name)
}

// dwimRef returns the full name of the ref that name means, following
// git's rules (refs/, refs/tags/, refs/heads/, refs/remotes/,
// refs/remotes/<name>/HEAD), or "".
func (r *Repo) dwimRef(name string) string {
	if name == "" || name == "HEAD" {
		return ""
	}
	for _, f := range []string{"%s", "refs/%s", "refs/tags/%s", "refs/heads/%s", "refs/remotes/%s", "refs/remotes/%s/HEAD"} {
		full := fmt.Sprintf(f, name)
		if _, err := r.git.Reference(plumbing.ReferenceName(full), true); err == nil {
			return full
		}
	}
	return ""
}

// expandHex returns the full hash of the one commit a short hash (4 to
// 39 hex digits) names, or "" when it names none (it may still be a ref);
// several are an error: go-git silently takes the first.
func (r *Repo) expandHex(name, base string) (string, error) {
	if len(base) < 4 || len(base) >= 40 || !isHex(base) {
		return "", nil
	}
	hashes, err := objectsWithPrefix(r.objectStore.packs.dir, r.objectStore.packs, strings.ToLower(base))
	if err != nil {
		hashes, err = r.storage.HashesWithPrefix(mustHex(base))
		if err != nil {
			return "", nil // go-git's resolution says what is wrong
		}
	}
	var commits []string
	for _, h := range hashes {
		if !strings.HasPrefix(h.String(), strings.ToLower(base)) {
			continue
		}
		if _, err := r.git.CommitObject(h); err == nil {
			commits = append(commits, h.String())
		}
	}
	switch len(commits) {
	case 0:
		return "", nil
	case 1:
		return commits[0], nil
	}
	sort.Strings(commits)
	for i, c := range commits {
		commits[i] = c[:12]
	}
	return "", errorf(AmbiguousRevision, nil, "short hash %q is ambiguous: it matches commits %s; give more digits", name, strings.Join(commits, ", "))
}

// mustHex decodes the even-length head of hex digits s.
func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s[:len(s)&^1])
	return b
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// commit loads a commit object, translating a missing object in a shallow
// clone into advice.
func (r *Repo) commit(h plumbing.Hash) (*object.Commit, error) {
	c, err := r.git.CommitObject(h)
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) && r.IsShallow() {
			return nil, errorf(ShallowClone, err, "commit %s is not in this shallow clone; %s", h.String()[:12], shallowHint)
		}
		return nil, err
	}
	return c, nil
}

// firstParent returns c's first parent, nil for a root commit, and a
// ShallowClone error at the shallow boundary.
func (r *Repo) firstParent(c *object.Commit) (*object.Commit, error) {
	if len(c.ParentHashes) == 0 {
		if r.shallow[c.Hash] {
			return nil, errorf(ShallowClone, nil, "the history before commit %s is cut off by this shallow clone; %s", c.Hash.String()[:12], shallowHint)
		}
		return nil, nil
	}
	return r.commit(c.ParentHashes[0])
}

// ReadFile returns the content of path at commit rev, without a checkout.
func (r *Repo) ReadFile(rev, path string) ([]byte, error) {
	e, err := r.entryAt(rev, path)
	if err != nil {
		return nil, fmt.Errorf("%s at %.12s: %w", path, rev, err)
	}
	if e.Mode == filemode.Dir || e.Mode == filemode.Submodule {
		return nil, fmt.Errorf("%s at %.12s is not a file", path, rev)
	}
	return r.ReadBlob(e.Hash)
}

// entryAt finds a path's tree entry at a commit, reading each directory's
// tree once (many files of the same directories are read in a plan).
func (r *Repo) entryAt(rev, p string) (object.TreeEntry, error) {
	c, err := r.commit(plumbing.NewHash(rev))
	if err != nil {
		return object.TreeEntry{}, err
	}
	tree := c.TreeHash
	parts := strings.Split(p, "/")
	for i, name := range parts {
		entries, err := r.entries(tree)
		if err != nil {
			return object.TreeEntry{}, err
		}
		e, ok := entries[name]
		if !ok {
			return object.TreeEntry{}, object.ErrFileNotFound
		}
		if i == len(parts)-1 {
			return e, nil
		}
		if e.Mode != filemode.Dir {
			return object.TreeEntry{}, object.ErrFileNotFound
		}
		tree = e.Hash
	}
	return object.TreeEntry{}, object.ErrFileNotFound
}

// entries returns a tree's entries by name, cached.
func (r *Repo) entries(tree plumbing.Hash) (map[string]object.TreeEntry, error) {
	if m, ok := r.dirs[tree]; ok {
		return m, nil
	}
	t, err := r.tree(tree)
	if err != nil {
		return nil, err
	}
	m := make(map[string]object.TreeEntry, len(t.Entries))
	for _, e := range t.Entries {
		m[e.Name] = e
	}
	if r.dirs == nil {
		r.dirs = map[plumbing.Hash]map[string]object.TreeEntry{}
	}
	r.dirs[tree] = m
	return m, nil
}

// ReadBlob returns the content of a blob.
func (r *Repo) ReadBlob(h plumbing.Hash) ([]byte, error) {
	b, err := r.git.BlobObject(h)
	if err != nil {
		return nil, err
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// Export writes the files of commit rev into dir (which must exist), for
// tools that need a directory; the repository itself is not touched.
// A symbolic link to a file of the same commit is written as a copy of
// that file (Go code shares files that way: signal_linux.go -> a common
// file); other links are skipped, since they could point outside the
// export, and so are submodules, whose content is not in this repository. Names that
// could escape the directory are skipped too. A blob the clone lacks (a
// partial clone, a snapshot without its largest files) is skipped and
// listed in missing, unless it is a Go or module file, which the plan
// needs: that is an error naming it.
func (r *Repo) Export(rev, dir string) (missing []string, err error) {
	return r.export(rev, dir, false, nil)
}

// ExportGo is Export of the files the go command and the contract
// analysis read: Go, module and workspace files, the other source files a
// package may hold (assembly, cgo, .syso), everything under vendor/, and
// every file under a directory whose Go code embeds files (//go:embed).
// Creating files is what an export costs (a millisecond each on some file
// systems), and a repository's documentation, images and front-end code
// are often most of its files.
func (r *Repo) ExportGo(rev, dir string) (missing []string, err error) {
	return r.export(rev, dir, true, nil)
}

// ExportGoDeferVendor is ExportGo but for the files of vendor/ directories
// (their modules.txt is written), which the returned function writes,
// once, when called: a plan that analyses no contract never reads them,
// and a vendored tree is most of some repositories' files (grafana/tempo:
// 11,000 of 15,700, 12 s to write). A vendored file the clone lacks is an
// error if it is Go code, else left out.
func (r *Repo) ExportGoDeferVendor(rev, dir string) (missing []string, vendor func() error, err error) {
	var deferred []exportFile
	missing, err = r.export(rev, dir, true, &deferred)
	var once sync.Once
	var verr error
	vendor = func() error {
		once.Do(func() {
			// Written while the plan analyses contracts: each blob is read
			// once, and a full object cache would only add to the
			// analysis's memory.
			if lru, ok := r.objects.(*cache.ObjectLRU); ok {
				old := lru.MaxSize
				lru.MaxSize = 8 * cache.MiByte
				defer func() { lru.Clear(); lru.MaxSize = old }()
			}
			w := newExportWriter(dir)
			_, verr = r.writeBlobs(w, deferred, nil)
			if werr := w.wait(); verr == nil {
				verr = werr
			}
		})
		return verr
	}
	return missing, vendor, err
}

// inVendor reports whether a file lies in a vendor directory, but for its
// modules.txt.
func inVendor(name string) bool {
	return underVendor(name) && path.Base(name) != "modules.txt"
}

// underVendor reports whether a file lies in a vendor directory.
func underVendor(name string) bool {
	return strings.HasPrefix(name, "vendor/") || strings.Contains(name, "/vendor/")
}

// goNeeds reports whether the go command may read a file of a package
// directory: its sources, whatever their language, and module files.
func goNeeds(name string) bool {
	base := path.Base(name)
	switch base {
	case "go.mod", "go.sum", "go.work", "go.work.sum":
		return true
	}
	if underVendor(name) {
		return true
	}
	switch path.Ext(base) {
	case ".go", ".s", ".S", ".sx", ".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx", ".m", ".f", ".F", ".for", ".f90", ".syso", ".swig", ".swigcxx":
		return true
	}
	return false
}

// exportFile is one regular file to write.
type exportFile struct {
	name string
	hash plumbing.Hash
	mode os.FileMode
}

func (r *Repo) export(rev, dir string, goOnly bool, deferred *[]exportFile) (missing []string, err error) {
	c, err := r.commit(plumbing.NewHash(rev))
	if err != nil {
		return nil, err
	}
	links := map[string]plumbing.Hash{} // link name -> the blob holding its target
	var files, others []exportFile
	err = r.walkFiles(c.TreeHash, "", func(name string, e object.TreeEntry) error {
		if e.Mode == filemode.Symlink {
			links[name] = e.Hash
			return nil
		}
		if e.Mode != filemode.Regular && e.Mode != filemode.Executable && e.Mode != filemode.Deprecated {
			return nil
		}
		f := exportFile{name: name, hash: e.Hash, mode: 0o644}
		if e.Mode == filemode.Executable {
			f.mode = 0o755
		}
		switch {
		case goOnly && !goNeeds(name):
			others = append(others, f)
		case deferred != nil && inVendor(name):
			*deferred = append(*deferred, f)
		default:
			files = append(files, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	w := newExportWriter(dir)
	var embeds map[string]bool // directories whose Go code embeds files
	if goOnly {
		embeds = map[string]bool{}
	}
	missing, err = r.writeBlobs(w, files, embeds)
	if err != nil {
		w.wait()
		return missing, err
	}
	for _, f := range others {
		if !embedded(embeds, f.name) {
			continue
		}
		data, err := r.ReadBlob(f.hash)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			missing = append(missing, f.name)
			continue
		}
		if err != nil {
			w.wait()
			return missing, fmt.Errorf("%s: %w", f.name, err)
		}
		w.write(f, data)
	}
	if err := w.wait(); err != nil {
		return missing, err
	}
	return missing, r.exportLinks(c, links, dir)
}

// writeBlobs hands files to w, noting in embeds (if not nil) the
// directories whose Go code embeds files. A missing blob is listed in
// missing, or an error for a Go or module file.
func (r *Repo) writeBlobs(w *exportWriter, files []exportFile, embeds map[string]bool) (missing []string, err error) {
	for _, f := range files {
		b, err := r.git.BlobObject(f.hash)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			if base := path.Base(f.name); strings.HasSuffix(base, ".go") || base == "go.mod" || base == "go.sum" || base == "go.work" {
				return nil, fmt.Errorf("%s is not in this clone (object %s is missing); fetch it (a partial clone: git fetch, or git clone without --filter)", f.name, f.hash)
			}
			missing = append(missing, f.name)
			continue
		}
		if err != nil {
			return missing, fmt.Errorf("%s: %w", f.name, err)
		}
		data, err := readAll(b)
		if err != nil {
			return missing, fmt.Errorf("%s: %w", f.name, err)
		}
		if embeds != nil && strings.HasSuffix(f.name, ".go") && bytes.Contains(data, []byte("go:embed")) {
			embeds[path.Dir(f.name)] = true
		}
		w.write(f, data)
	}
	return missing, nil
}

// embedded reports whether a file lies under one of the directories.
func embedded(dirs map[string]bool, name string) bool {
	for d := path.Dir(name); ; d = path.Dir(d) {
		if dirs[d] {
			return true
		}
		if d == "." || d == "/" {
			return false
		}
	}
}

func readAll(b *object.Blob) ([]byte, error) {
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// exportWriter writes files on a few goroutines: creating a file is a
// system call that waits on the file system, and they overlap well.
type exportWriter struct {
	dir  string
	jobs chan exportJob
	wg   sync.WaitGroup
	mu   sync.Mutex
	dirs map[string]bool // directories already made
	err  error
}

type exportJob struct {
	f    exportFile
	data []byte
}

func newExportWriter(dir string) *exportWriter {
	jobs := make(chan exportJob, 64)
	w := &exportWriter{dir: dir, jobs: jobs, dirs: map[string]bool{".": true}}
	for range 4 {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for j := range jobs { // not w.jobs: wait sets it to nil
				if err := w.writeFile(j); err != nil {
					w.mu.Lock()
					if w.err == nil {
						w.err = err
					}
					w.mu.Unlock()
				}
			}
		}()
	}
	return w
}

func (w *exportWriter) write(f exportFile, data []byte) { w.jobs <- exportJob{f, data} }

func (w *exportWriter) writeFile(j exportJob) error {
	d := path.Dir(j.f.name)
	w.mu.Lock()
	made := w.dirs[d]
	w.mu.Unlock()
	if !made {
		if err := os.MkdirAll(filepath.Join(w.dir, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
		w.mu.Lock()
		w.dirs[d] = true
		w.mu.Unlock()
	}
	return os.WriteFile(filepath.Join(w.dir, filepath.FromSlash(j.f.name)), j.data, j.f.mode)
}

// wait lets the writers finish and returns the first error.
func (w *exportWriter) wait() error {
	if w.jobs != nil {
		close(w.jobs)
		w.jobs = nil
	}
	w.wg.Wait()
	return w.err
}

// exportLinks writes each link that names a regular file of the commit,
// by a relative path that stays in the repository, as a copy of it.
func (r *Repo) exportLinks(c *object.Commit, links map[string]plumbing.Hash, dir string) error {
	if len(links) == 0 {
		return nil
	}
	tree, err := c.Tree()
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(links)) {
		target, err := r.ReadBlob(links[name])
		if err != nil || len(target) == 0 || path.IsAbs(string(target)) {
			continue
		}
		to := path.Clean(path.Join(path.Dir(name), string(target)))
		if to == ".." || strings.HasPrefix(to, "../") {
			continue
		}
		f, err := tree.File(to)
		if err != nil || (f.Mode != filemode.Regular && f.Mode != filemode.Executable) {
			continue
		}
		data, err := f.Contents()
		if err != nil {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// walkFiles calls fn for every non-directory entry under a tree, with its
// slash path. Unlike go-git's walkers it accepts every name git stores
// (newlines included), but skips names that could escape a directory.
func (r *Repo) walkFiles(tree plumbing.Hash, prefix string, fn func(string, object.TreeEntry) error) error {
	t, err := r.tree(tree)
	if err != nil {
		return err
	}
	for _, e := range t.Entries {
		if e.Name == "" || e.Name == "." || e.Name == ".." || strings.ContainsAny(e.Name, "/\x00") {
			continue
		}
		name := e.Name
		if prefix != "" {
			name = prefix + "/" + e.Name
		}
		if e.Mode == filemode.Dir {
			if err := r.walkFiles(e.Hash, name, fn); err != nil {
				return err
			}
			continue
		}
		if err := fn(name, e); err != nil {
			return err
		}
	}
	return nil
}

// ListDir returns the names of the files (not directories) directly in dir
// at commit rev, sorted; nil when dir does not exist there.
func (r *Repo) ListDir(rev, dir string) ([]string, error) {
	c, err := r.commit(plumbing.NewHash(rev))
	if err != nil {
		return nil, err
	}
	tree := c.TreeHash
	if dir != "." && dir != "" {
		e, err := r.entryAt(rev, dir)
		if err != nil || e.Mode != filemode.Dir {
			return nil, nil
		}
		tree = e.Hash
	}
	entries, err := r.entries(tree)
	if err != nil {
		return nil, err
	}
	var out []string
	for name, e := range entries {
		if e.Mode.IsFile() {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// BlobInfo returns a blob's size and its first n bytes, without reading the
// rest.
func (r *Repo) BlobInfo(hash string, n int) (size int64, head []byte, err error) {
	b, err := r.git.BlobObject(plumbing.NewHash(hash))
	if err != nil {
		return 0, nil, err
	}
	rd, err := b.Reader()
	if err != nil {
		return 0, nil, err
	}
	defer rd.Close()
	head = make([]byte, n)
	k, err := io.ReadFull(rd, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return 0, nil, err
	}
	return b.Size, head[:k], nil
}
