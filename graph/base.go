package graph

import (
	"bytes"
	"go/build"
	"go/parser"
	"go/token"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/deployorder/deployorder/change"
)

// Base is the repository at a range's base revision, as far as the range
// changes it: every directory with a changed Go file (tests and testdata
// aside) is read from git objects, with build constraints evaluated on the
// base content, exactly as Load reads the head. Every other package is the
// same at base as at head. Both the impact mapping and the contract
// analysis read the base through this one value.
type Base struct {
	Rev     string              // the base commit; "" for the empty tree
	Changed map[string]bool     // in-repo import paths of the changed directories
	Files   map[string][]string // changed package -> its compiled Go files at base (repo-relative), sorted; none when it is new in the range
	Imports map[string][]string // changed package -> its imports at base, sorted
	Names   map[string]string   // changed package -> its package name at base
	Blobs   map[string][]byte   // base content of every non-test Go file of the changed directories, and of changed go.mod and go.work files
	Dirs    map[string]string   // changed directory -> its import path
}

// TreeReader reads a revision's files (gitdiff.Repo implements it).
type TreeReader interface {
	FileReader
	ListDir(rev, dir string) ([]string, error)
}

// ReadBase reads the base of a range: the directories of its changed Go
// files (not tests, not testdata), at rg.Base.
func (w *Workspace) ReadBase(rg *change.Range, src TreeReader) *Base {
	b := &Base{Rev: rg.Base, Changed: map[string]bool{}, Files: map[string][]string{}, Imports: map[string][]string{},
		Names: map[string]string{}, Blobs: map[string][]byte{}, Dirs: map[string]string{}}
	for _, dir := range ChangedGoDirs(rg.Files) {
		if ip := w.ImportPathOfDir(dir); ip != "" {
			b.Dirs[dir] = ip
		}
	}
	if rg.Base == "" || src == nil {
		return b
	}
	for _, fc := range rg.Files {
		if isModFile(fc.BasePath()) && fc.Status != change.Added {
			if data, err := src.ReadFile(rg.Base, fc.BasePath()); err == nil {
				b.Blobs[fc.BasePath()] = data
			}
		}
	}
	ctxt := build.Default
	ctxt.CgoEnabled = false
	ctxt.GOPATH = ""
	ctxt.OpenFile = func(p string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b.Blobs[filepath.ToSlash(p)])), nil
	}
	ctxt.JoinPath = path.Join
	for _, dir := range sortedKeys(b.Dirs) {
		ip := b.Dirs[dir]
		if p := w.Packages[ip]; p != nil && p.InRepo && p.Dir != dir {
			// Another directory holds the package that is read for this
			// import path (DUPLICATE_IMPORT_PATH): this one is mapped by
			// its paths only, at base as at head.
			continue
		}
		names, _ := src.ListDir(rg.Base, dir)
		var files []string
		imports := map[string]bool{}
		for _, n := range names {
			if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
				continue
			}
			file := path.Join(dir, n)
			data, err := src.ReadFile(rg.Base, file)
			if err != nil {
				continue
			}
			b.Blobs[file] = data
			if ok, err := ctxt.MatchFile(dir, n); err != nil || !ok {
				continue
			}
			files = append(files, file)
			name, imps := header(data)
			if b.Names[ip] == "" {
				b.Names[ip] = name
			}
			for _, imp := range imps {
				imports[imp] = true
			}
		}
		// A directory without Go files at base (a package new in the
		// range) is changed too: its package does not exist at base.
		b.Changed[ip] = true
		b.Files[ip] = files
		b.Imports[ip] = sortedKeys(imports)
	}
	return b
}

// ImportsAt returns a package's imports at base: its base imports when it
// changed, else its imports at head.
func (b *Base) ImportsAt(w *Workspace, ip string) []string {
	if imps, ok := b.Imports[ip]; ok {
		return imps
	}
	if p := w.Packages[ip]; p != nil {
		return p.Imports
	}
	return nil
}

// ChangedGoDirs returns the directories of a range's changed Go files that
// can reach a deployed binary (not tests, not testdata), sorted.
func ChangedGoDirs(files []change.File) []string {
	dirs := map[string]bool{}
	for _, fc := range files {
		if fc.Kind == change.Submodule {
			continue
		}
		for _, p := range fc.Paths() {
			if strings.HasSuffix(p, ".go") && !testOnly(p) {
				dirs[path.Dir(p)] = true
			}
		}
	}
	return sortedKeys(dirs)
}

// header reads a Go file's package name and imports.
func header(data []byte) (name string, imports []string) {
	f, err := parser.ParseFile(token.NewFileSet(), "", data, parser.ImportsOnly)
	if f == nil {
		return "", nil
	}
	_ = err // a partial header is still useful
	if f.Name != nil {
		name = f.Name.Name
	}
	for _, s := range f.Imports {
		if p, err := strconv.Unquote(s.Path.Value); err == nil {
			imports = append(imports, p)
		}
	}
	return name, imports
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
