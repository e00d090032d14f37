package access

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"golang.org/x/tools/go/gcexportdata"

	"github.com/deployorder/deployorder/internal/cachefile"
)

// ExportCache keeps, from one run to the next, the type information of
// dependencies whose files never change (Source.Stable: the module
// cache's, a released Go's GOROOT) and whose imports, all the way down,
// are such packages too: what go build keeps in GOCACHE as export data.
// On etcd, parsing and checking those dependencies (pruned to what the
// repository's code names) is half of what a plan type-checks.
//
// An entry is a package's export data (gcexportdata, with what it needs
// of the packages it imports), checked without bodies and with every
// exported name (what any importer can name), under a key
// that hashes the build context, its import path, its files and,
// recursively, its imports' keys: a module version's files never change,
// so an entry is valid for as long as its key is the same. Prepare uses
// the cache for the stable packages the repository's packages import
// (the frontier) when every one of them has an entry: it reads them and
// leaves everything below them unparsed. When one misses, the run checks
// from source as without a cache (a package's types cannot come from both
// export data and source in one run), with the frontier packages that
// lack an entry checked with all their exported names, and saves an entry
// for each of them that parsed; the
// next plan with the same frontier reads them. A missing, unreadable or
// foreign entry is a miss, and deleting the cache is always safe.
type ExportCache struct {
	dir  string
	salt string

	mu      sync.Mutex
	imports map[string]*types.Package // every package the entries read made, by path
	read    int
	saved   int
}

// exportFormat changes whenever an entry would be read differently, or a
// build would check a stable package differently (how its files are
// blanked and parsed, what of it is kept): a build without version control
// information has no other way to tell its entries from another's.
const exportFormat = "types-v1"

// NewExportCache returns the cache kept under dir (a cache directory) for
// one build context (key).
func NewExportCache(dir, key string) *ExportCache {
	return &ExportCache{dir: filepath.Join(dir, exportFormat), salt: exportFormat + "\n" + key + "\n" + toolchain()}
}

var toolchainOnce = sync.OnceValue(func() string {
	// The export data format is x/tools', read by the same code that
	// wrote it; the go/types of the binary, and how deployorder blanks
	// and parses a dependency's files, decide what was checked: a build
	// of another commit keeps its own entries (exportFormat changes with
	// what a build without version control information would read
	// differently).
	v := runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		v += " " + bi.Main.Version
		for _, d := range bi.Deps {
			if d.Path == "golang.org/x/tools" {
				v += " " + d.Version
			}
		}
		for _, st := range bi.Settings {
			if st.Key == "vcs.revision" {
				v += " " + st.Value
			}
		}
	}
	return v
})

func toolchain() string { return toolchainOnce() }

// Stats returns how many packages this run read from the cache and saved
// to it.
func (c *ExportCache) Stats() (read, saved int) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.read, c.saved
}

func (c *ExportCache) file(key string) string {
	return filepath.Join(c.dir, key[:2], key+".x")
}

// lookup returns a package an entry's reading made (whole or in part).
func (c *ExportCache) lookup(ip string) *types.Package {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.imports[ip]
}

// writable reports whether entries can be saved: without that, checking
// the frontier for them would cost every plan.
func (c *ExportCache) writable() bool {
	if os.MkdirAll(c.dir, 0o755) != nil {
		return false
	}
	f, err := os.CreateTemp(c.dir, "probe-*.tmp")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// has reports whether an entry exists.
func (c *ExportCache) has(key string) bool {
	_, err := os.Stat(c.file(key))
	return err == nil
}

// readAll reads the entries of the frontier packages (path -> key), in
// path order, into one set of packages. Any entry that does not read
// fails them all: it is removed, and the run checks from source.
func (c *ExportCache) readAll(fset *token.FileSet, keys map[string]string) (map[string]*types.Package, bool) {
	imports := map[string]*types.Package{}
	out := map[string]*types.Package{}
	now := time.Now()
	for _, ip := range slices.Sorted(maps.Keys(keys)) {
		name := c.file(keys[ip])
		data, err := os.ReadFile(name)
		var tp *types.Package
		if err == nil {
			tp, err = readExport(data, fset, imports, ip)
		}
		if err != nil {
			os.Remove(name)
			return nil, false
		}
		out[ip] = tp
		// The entries in use stay; trim removes the others in time.
		if fi, err := os.Stat(name); err == nil && now.Sub(fi.ModTime()) > time.Hour {
			os.Chtimes(name, now, now)
		}
	}
	c.mu.Lock()
	c.imports = imports
	c.read += len(out)
	c.mu.Unlock()
	return out, true
}

// readExport reads one entry, turning a panic of the reader on data it
// does not expect into an error.
func readExport(data []byte, fset *token.FileSet, imports map[string]*types.Package, ip string) (tp *types.Package, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reading the types of %s: %v", ip, r)
		}
	}()
	return gcexportdata.Read(bytes.NewReader(data), fset, imports, ip)
}

// save writes a package's entry (see cachefile.Write). A cache directory
// that cannot be written saves nothing.
func (c *ExportCache) save(fset *token.FileSet, key string, tp *types.Package) {
	var buf bytes.Buffer
	if writeExport(&buf, fset, tp) != nil || cachefile.Write(c.file(key), buf.Bytes()) != nil {
		return
	}
	c.mu.Lock()
	c.saved++
	c.mu.Unlock()
}

func writeExport(w io.Writer, fset *token.FileSet, tp *types.Package) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("writing the types of %s: %v", tp.Path(), r)
		}
	}()
	return gcexportdata.Write(w, fset, tp)
}

// keepDays is how long an entry no run read stays: trim removes older
// ones, at most once a day, so the cache stays about the size of what the
// plans of the last weeks read (each module bump adds its module's).
const keepDays = 14

// Trim removes the entries that no run has read for keepDays, at most
// once a day (a marker file's time says when it last did).
func (c *ExportCache) Trim() {
	if c == nil {
		return
	}
	marker := filepath.Join(c.dir, "trimmed")
	now := time.Now()
	if fi, err := os.Stat(marker); err == nil && now.Sub(fi.ModTime()) < 24*time.Hour {
		return
	}
	if _, err := os.Stat(c.dir); err != nil {
		return
	}
	if os.WriteFile(marker, nil, 0o644) != nil {
		return
	}
	os.Chtimes(marker, now, now)
	filepath.WalkDir(c.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".x" && filepath.Ext(path) != ".tmp" {
			return nil
		}
		if fi, err := d.Info(); err == nil && now.Sub(fi.ModTime()) > keepDays*24*time.Hour {
			os.Remove(path)
		}
		return nil
	})
}

// packageKey hashes what a stable package's types depend on: the build
// context, its path, its files and its imports' keys.
func (c *ExportCache) packageKey(ip string, files []string, imports [][2]string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", c.salt, ip)
	for _, f := range files {
		fmt.Fprintf(h, "f %s\n", f)
	}
	slices.SortFunc(imports, func(a, b [2]string) int {
		if a[0] < b[0] {
			return -1
		}
		if a[0] > b[0] {
			return 1
		}
		return 0
	})
	for _, im := range imports {
		fmt.Fprintf(h, "i %s %s\n", im[0], im[1])
	}
	return hex.EncodeToString(h.Sum(nil))
}
