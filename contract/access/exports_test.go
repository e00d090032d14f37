package access

import (
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// exportsWorld is a target (app) that imports two stable dependencies:
// dep, whose imports are stable too (leaf, which app reaches only through
// dep's types), and dep2, which imports a package of the repository (lib)
// and so is never kept.
type exportsWorld struct {
	pkgs    map[string]string
	files   map[string][]string // import path -> its files, when not one x.go
	stable  map[string]bool
	imports map[string][]string // what Meta says each imports
}

func newExportsWorld() *exportsWorld {
	return &exportsWorld{
		pkgs: map[string]string{
			"example.com/m/app": `package app

import (
	"example.com/dep"
	"example.com/dep2"
)

func Use() int {
	r := dep.F()
	return r.L.X + r.L.Double() + dep.Answer + dep2.G().N
}
`,
			"example.com/dep": `package dep

import "example.com/leaf"

type R struct{ L leaf.T }

func F() R { return R{} }

const Answer = 42

// H is named by no code until the cache has dep's entry.
func H() leaf.T { return helper() }

func helper() leaf.T { return leaf.T{} }
`,
			"example.com/leaf": `package leaf

type T struct{ X int }

func (t T) Double() int { return 2 * t.X }

type Unused struct{}
`,
			"example.com/dep2": `package dep2

import "example.com/m/lib"

func G() lib.V { return lib.V{} }
`,
			"example.com/m/lib": `package lib

type V struct{ N int }
`,
		},
		files:  map[string][]string{},
		stable: map[string]bool{"example.com/dep": true, "example.com/leaf": true, "example.com/dep2": true},
		imports: map[string][]string{
			"example.com/m/app": {"example.com/dep", "example.com/dep2"},
			"example.com/dep":   {"example.com/leaf"},
			"example.com/dep2":  {"example.com/m/lib"},
		},
	}
}

// plan prepares and checks app in a new universe with the cache kept in
// dir, as one run would, and returns the universe and which packages it
// read files of.
func (w *exportsWorld) plan(t *testing.T, dir string) (*Universe, map[string]bool) {
	t.Helper()
	var mu sync.Mutex
	read := map[string]bool{}
	src := func(ip string) (*Source, bool) {
		text, ok := w.pkgs[ip]
		if !ok {
			return nil, false
		}
		files := w.files[ip]
		if files == nil {
			files = []string{ip + "/x.go"}
		}
		return &Source{Path: ip, Files: files, Bodies: ip == "example.com/m/app", Stable: w.stable[ip],
			Read: func(name string) ([]byte, error) {
				mu.Lock()
				read[ip] = true
				mu.Unlock()
				if name == files[0] {
					return []byte(text), nil
				}
				return []byte("package " + AssumedName(ip) + "\n"), nil
			}}, true
	}
	u := NewUniverse("head", token.NewFileSet(), src)
	u.Meta = func(ip string) (string, []string) { return "", w.imports[ip] }
	u.Exports = NewExportCache(dir, "test-context")
	Prepare([]Root{{U: u, Path: "example.com/m/app"}})
	app := u.Get("example.com/m/app")
	if len(app.Errs) > 0 || app.Partial > 0 {
		t.Fatalf("app does not type-check: %q (%d partial)", app.Errs, app.Partial)
	}
	return u, read
}

func stats(t *testing.T, u *Universe, wantRead, wantSaved int) {
	t.Helper()
	if read, saved := u.Exports.Stats(); read != wantRead || saved != wantSaved {
		t.Errorf("read %d and saved %d entries, want %d and %d", read, saved, wantRead, wantSaved)
	}
}

// TestExportCache checks that a run saves the types of the stable
// package the target imports (and only of a package whose imports are all
// stable), with every exported name, that the next run reads them and
// parses neither it nor what it imports, with one package per path, and
// that a changed import or an entry that does not read makes the run check
// from source again.
func TestExportCache(t *testing.T) {
	dir := t.TempDir()
	w := newExportsWorld()

	u, read := w.plan(t, dir)
	stats(t, u, 0, 1)
	if !read["example.com/dep"] || !read["example.com/leaf"] {
		t.Errorf("the first run did not check from source: read %v", read)
	}

	u, read = w.plan(t, dir)
	stats(t, u, 1, 0)
	for _, ip := range []string{"example.com/dep", "example.com/leaf"} {
		if read[ip] {
			t.Errorf("%s was read although its types are kept", ip)
		}
	}
	if !read["example.com/dep2"] || !read["example.com/m/lib"] {
		t.Errorf("a stable package importing the repository's was not checked from source: read %v", read)
	}
	// leaf exists only as what dep's entry needs of it: Get gives that
	// package, not a second one checked from source.
	leaf := u.Get("example.com/leaf")
	dep := u.Get("example.com/dep")
	r := dep.Types.Scope().Lookup("R")
	lt := leaf.Types.Scope().Lookup("T")
	if r == nil || lt == nil {
		t.Fatalf("dep.R or leaf.T missing: %v, %v", r, lt)
	}
	field := r.Type().Underlying().(*types.Struct).Field(0).Type()
	if !types.Identical(field, lt.Type()) {
		t.Errorf("dep.R.L is %v, not the leaf.T that Get gives", field)
	}
	if read["example.com/leaf"] {
		t.Error("Get checked leaf from source")
	}
	if dep.Types.Scope().Lookup("helper") != nil {
		t.Error("the entry kept an unexported function no exported name needs")
	}

	// The entry holds every exported name, not only those the saving run
	// needed: app now calls H too, and the entry still serves.
	w.pkgs["example.com/m/app"] = strings.Replace(w.pkgs["example.com/m/app"], "dep.Answer", "dep.Answer + dep.H().X", 1)
	u, read = w.plan(t, dir)
	stats(t, u, 1, 0)
	if read["example.com/dep"] {
		t.Error("dep was read although its types are kept")
	}

	// A new file in leaf changes dep's key: checked from source, saved.
	w.files["example.com/leaf"] = []string{"example.com/leaf/x.go", "example.com/leaf/y.go"}
	u, read = w.plan(t, dir)
	stats(t, u, 0, 1)
	if !read["example.com/leaf"] {
		t.Error("leaf changed, and was not read")
	}

	// An entry that does not read: removed, the run checks from source
	// and saves it again.
	entries, _ := filepath.Glob(filepath.Join(dir, exportFormat, "*", "*.x"))
	if len(entries) != 2 {
		t.Fatalf("%d entries, want 2: %v", len(entries), entries)
	}
	for _, e := range entries {
		if err := os.WriteFile(e, []byte("i\x00garbage"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	u, read = w.plan(t, dir)
	stats(t, u, 0, 1)
	if !read["example.com/dep"] {
		t.Error("dep's entry does not read, and dep was not checked from source")
	}
	u, _ = w.plan(t, dir)
	stats(t, u, 1, 0)
}

// TestExportCacheNeedsEveryEntry checks that the cache is used only when
// every stable package the repository imports has an entry: a package's
// types cannot come from export data and from source in one run.
func TestExportCacheNeedsEveryEntry(t *testing.T) {
	dir := t.TempDir()
	w := newExportsWorld()
	w.plan(t, dir)
	// app now imports leaf itself: leaf is on the frontier, without an
	// entry, so dep is checked from source too; leaf is saved.
	w.pkgs["example.com/m/app"] = `package app

import (
	"example.com/dep"
	"example.com/leaf"
)

func Use() int { var t leaf.T = dep.F().L; return t.X }
`
	w.imports["example.com/m/app"] = []string{"example.com/dep", "example.com/leaf"}
	u, read := w.plan(t, dir)
	stats(t, u, 0, 1) // leaf's; dep's entry is there
	if !read["example.com/dep"] {
		t.Error("dep was read from the cache while leaf was checked from source")
	}
	u, _ = w.plan(t, dir)
	stats(t, u, 2, 0)
}

// A stable package whose files do not parse is not kept (an error
// reading them may not be there next time), and so the cache is not
// used while the repository imports it.
func TestExportCacheSkipsBrokenPackages(t *testing.T) {
	dir := t.TempDir()
	w := newExportsWorld()
	w.pkgs["example.com/broken"] = "package broken\n\nfunc F( {\n"
	w.stable["example.com/broken"] = true
	w.pkgs["example.com/m/app"] = strings.Replace(w.pkgs["example.com/m/app"], `"example.com/dep2"`, `"example.com/dep2"
	_ "example.com/broken"`, 1)
	w.imports["example.com/m/app"] = append(w.imports["example.com/m/app"], "example.com/broken")
	u, _ := w.plan(t, dir)
	stats(t, u, 0, 1)
	u, _ = w.plan(t, dir)
	stats(t, u, 0, 0) // dep has its entry; broken never will
}

// A stable package that imports more than the import graph said is not
// kept: its key does not cover what it imports.
func TestExportCacheNeedsTheImportGraph(t *testing.T) {
	dir := t.TempDir()
	w := newExportsWorld()
	delete(w.imports, "example.com/dep")
	for range 2 {
		u, _ := w.plan(t, dir)
		stats(t, u, 0, 0)
	}
}

// A cache directory that cannot be written saves nothing, and costs
// nothing: the frontier is checked as without a cache, pruned to what the
// code names.
func TestExportCacheUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	w := newExportsWorld()
	u, _ := w.plan(t, filepath.Join(file, "cache"))
	stats(t, u, 0, 0)
	if dep := u.Checked("example.com/dep"); dep == nil || dep.Types.Scope().Lookup("H") != nil {
		t.Error("dep was checked with every exported name, to save an entry that cannot be written")
	}
}

// A package's key covers the build context, its files and its imports'
// keys.
func TestPackageKey(t *testing.T) {
	c := NewExportCache(t.TempDir(), "ctx")
	base := c.packageKey("p", []string{"/a.go"}, [][2]string{{"q", "k1"}, {"r", "k2"}})
	same := c.packageKey("p", []string{"/a.go"}, [][2]string{{"r", "k2"}, {"q", "k1"}})
	if base != same {
		t.Error("the key depends on the imports' order")
	}
	for name, k := range map[string]string{
		"context": NewExportCache(t.TempDir(), "other").packageKey("p", []string{"/a.go"}, [][2]string{{"q", "k1"}, {"r", "k2"}}),
		"path":    c.packageKey("p2", []string{"/a.go"}, [][2]string{{"q", "k1"}, {"r", "k2"}}),
		"files":   c.packageKey("p", []string{"/b.go"}, [][2]string{{"q", "k1"}, {"r", "k2"}}),
		"imports": c.packageKey("p", []string{"/a.go"}, [][2]string{{"q", "k1"}, {"r", "k3"}}),
	} {
		if k == base {
			t.Errorf("a different %s gives the same key", name)
		}
	}
}
