package graph

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"go/build"
	"go/version"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/deployorder/deployorder/internal/cachefile"
)

// depIndex keeps, from one run to the next, what go/build read of the
// directories that never change: the module cache's (each holds one
// version of a module, read-only) and GOROOT's of a released Go. Reading a
// dependency's directory opens every Go file of it; on etcd or jaeger the
// dependencies' closure is thousands of files, read again on every plan.
// The go command keeps such an index too (its module index, in GOCACHE).
//
// One file holds the entries of one build context (GOROOT, Go version,
// platform, tags, module cache), in the cache directory; a missing,
// unreadable or foreign file is an empty index, and deleting it is always
// safe.
type depIndex struct {
	dir      string // the cache directory
	key      string // the build context's hash
	file     string // where the index is kept
	roots    []string
	mu       sync.Mutex
	entries  map[string]indexEntry // absolute directory -> what it holds
	used     map[string]bool       // the directories this run read or added
	added    bool
	loadOnce sync.Once
}

// indexEntry is a directory's package as go/build reads it (CGO_ENABLED=0,
// test files left out); no Name means no Go package.
type indexEntry struct {
	Name    string
	GoFiles []string // base names
	Imports []string
}

// indexFormat changes whenever an entry would be read differently.
const indexFormat = "deps-v1"

// maxIndexEntries bounds the index, which would otherwise keep every
// directory of every module version it ever read (each bump adds its
// module's): past it, the index is written back with only the directories
// the run used, so it stays about the size of what a plan reads (jaeger's
// 2,500 packages: 0.9 MB) and loads in milliseconds.
var maxIndexEntries = 20000

// newDepIndex returns the index of a build context, kept under dir, or nil
// when there is no dir. GOROOT's directories are indexed only for a
// released Go (a development toolchain's sources change).
func newDepIndex(dir string, ctxt *build.Context, goVersion, modcache string) *depIndex {
	if dir == "" {
		return nil
	}
	var roots []string
	if modcache != "" {
		roots = append(roots, filepath.Clean(modcache)+string(filepath.Separator))
	}
	if version.IsValid(goVersion) && ctxt.GOROOT != "" {
		roots = append(roots, filepath.Join(ctxt.GOROOT, "src")+string(filepath.Separator))
	}
	if len(roots) == 0 {
		return nil
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n%s/%s\ncgo=%v\n%q\n%q\n%s\n", indexFormat, ctxt.GOROOT, goVersion, ctxt.GOOS, ctxt.GOARCH,
		ctxt.CgoEnabled, ctxt.ReleaseTags, slices.Concat(ctxt.ToolTags, ctxt.BuildTags), modcache)
	key := hex.EncodeToString(h.Sum(nil))[:24]
	return &depIndex{dir: dir, key: key, file: filepath.Join(dir, indexFormat, key+".gob"), roots: roots}
}

// covers reports whether a directory never changes, and may be indexed.
func (x *depIndex) covers(dir string) bool {
	if x == nil {
		return false
	}
	for _, r := range x.roots {
		if strings.HasPrefix(dir, r) {
			return true
		}
	}
	return false
}

func (x *depIndex) load() {
	x.entries = map[string]indexEntry{}
	data, err := os.ReadFile(x.file)
	if err != nil {
		return
	}
	var entries map[string]indexEntry
	if gob.NewDecoder(bytes.NewReader(data)).Decode(&entries) == nil {
		x.entries = entries
	}
}

// get returns a directory's entry, if the index has it.
func (x *depIndex) get(dir string) (indexEntry, bool) {
	x.loadOnce.Do(x.load)
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.entries[dir]
	if ok {
		x.use(dir)
	}
	return e, ok
}

func (x *depIndex) use(dir string) {
	if x.used == nil {
		x.used = map[string]bool{}
	}
	x.used[dir] = true
}

// put records a directory's entry.
func (x *depIndex) put(dir string, e indexEntry) {
	x.loadOnce.Do(x.load)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.entries[dir] = e
	x.use(dir)
	x.added = true
}

// save writes the index back when it gained entries: to a temporary file
// renamed over the old one, so that a reader never sees half of it and two
// runs at once lose at most the other's additions. A cache directory that
// cannot be written leaves the index as it was.
func (x *depIndex) save() {
	if x == nil {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.entries) > maxIndexEntries {
		maps.DeleteFunc(x.entries, func(dir string, _ indexEntry) bool { return !x.used[dir] })
		x.added = true
	}
	if !x.added {
		return
	}
	var buf bytes.Buffer
	if gob.NewEncoder(&buf).Encode(x.entries) != nil {
		return
	}
	if cachefile.Write(x.file, buf.Bytes()) != nil {
		return
	}
	x.added = false
}

// Stable says where the files that never change lie (the module cache, a
// released Go's GOROOT: what the dependency index covers) and which build
// context reads them: what is derived from such files alone may be kept
// between runs, in Dir, under Key. The zero Stable covers nothing (no
// cache directory).
type Stable struct {
	Dir   string // the cache directory
	Key   string // the build context's hash (GOROOT, Go version, platform, tags, module cache)
	roots []string
}

// Covers reports whether an absolute file name lies where nothing changes.
func (s Stable) Covers(file string) bool {
	for _, r := range s.roots {
		if strings.HasPrefix(file, r) {
			return true
		}
	}
	return false
}

// Stable returns where the dependencies' files never change, for what is
// kept between runs; the zero Stable when nothing is kept.
func (d *Deps) Stable() Stable {
	if d == nil || d.res == nil {
		return Stable{}
	}
	d.res.once.Do(d.res.setup)
	x := d.res.index
	if x == nil {
		return Stable{}
	}
	return Stable{Dir: x.dir, Key: x.key, roots: x.roots}
}
