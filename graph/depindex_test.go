package graph

import (
	"context"
	"go/version"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestDepIndex checks that what go/build read of the module cache is kept
// from one load to the next (a file deleted from the cache afterwards is
// still listed: the cache never changes, so the index is not checked
// against it), that a replacement directory, which can change, is read
// again every time, and that an unreadable index is an empty one.
func TestDepIndex(t *testing.T) {
	cache, index := t.TempDir(), t.TempDir()
	root := t.TempDir()
	writeFiles(t, cache, map[string]string{
		"example.com/dep@v1.0.0/dep.go":   "package dep\n\nimport \"example.com/local\"\n\nvar V = local.V\n",
		"example.com/dep@v1.0.0/extra.go": "package dep\n\nconst W = 2\n",
	})
	writeFiles(t, root, map[string]string{
		"go.mod":         "module example.com/mono\n\ngo 1.22\n\nrequire (\n\texample.com/dep v1.0.0\n\texample.com/local v1.0.0\n)\n\nreplace example.com/local => ./local\n",
		"go.sum":         "example.com/dep v1.0.0 h1:AAAA=\n",
		"local/go.mod":   "module example.com/local\n",
		"local/local.go": "package local\n\nconst V = 1\n",
		"svc/main.go":    "package main\n\nimport \"example.com/dep\"\n\nfunc main() { _ = dep.V }\n",
	})
	env := append(os.Environ(), "GOMODCACHE="+cache)
	load := func() (dep, local *Package) {
		t.Helper()
		ws, err := Load(context.Background(), LoadOptions{Root: root, Env: env, Offline: true, IndexDir: index})
		if err != nil {
			t.Fatal(err)
		}
		deps, err := ws.LoadDeps(context.Background(), []string{"example.com/mono/svc"})
		if err != nil {
			t.Fatal(err)
		}
		if deps.Listed != "" {
			t.Fatalf("go list ran, because %s", deps.Listed)
		}
		return ws.Package("example.com/dep", deps), ws.Package("example.com/local", deps)
	}
	names := func(p *Package) []string {
		var out []string
		for _, f := range p.GoFiles {
			out = append(out, filepath.Base(f))
		}
		return out
	}
	dep, _ := load()
	if got := names(dep); len(got) != 2 {
		t.Fatalf("first load: example.com/dep has files %v; want dep.go and extra.go", got)
	}
	files, _ := filepath.Glob(filepath.Join(index, indexFormat, "*.gob"))
	if len(files) != 1 {
		t.Fatalf("index files after the first load: %v; want one", files)
	}
	if err := os.Remove(filepath.Join(cache, "example.com/dep@v1.0.0/extra.go")); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, root, map[string]string{"local/more.go": "package local\n\nconst X = 3\n"})
	dep, local := load()
	if got := names(dep); len(got) != 2 {
		t.Errorf("second load: example.com/dep has files %v; want both, from the index", got)
	}
	if got := names(local); len(got) != 2 {
		t.Errorf("second load: the replacement example.com/local has files %v; want local.go and more.go, read again", got)
	}
	if err := os.WriteFile(files[0], []byte("not a gob"), 0o644); err != nil {
		t.Fatal(err)
	}
	if dep, _ := load(); len(names(dep)) != 1 {
		t.Errorf("after the index was overwritten: example.com/dep has files %v; want dep.go, read from the cache", names(dep))
	}
}

// TestDepIndexBounded checks that an index past its bound is written back
// with only the directories the run used.
func TestDepIndexBounded(t *testing.T) {
	defer func(n int) { maxIndexEntries = n }(maxIndexEntries)
	maxIndexEntries = 3
	x := &depIndex{file: filepath.Join(t.TempDir(), "index.gob"), roots: []string{"/cache/"}}
	for _, d := range []string{"/cache/a", "/cache/b", "/cache/c", "/cache/d"} {
		x.put(d, indexEntry{Name: "p"})
	}
	x.save()
	// A later run uses two of them, and reads nothing new.
	y := &depIndex{file: x.file, roots: x.roots}
	for _, d := range []string{"/cache/a", "/cache/c"} {
		if _, ok := y.get(d); !ok {
			t.Fatalf("%s is not in the index", d)
		}
	}
	y.save()
	z := &depIndex{file: x.file, roots: x.roots}
	z.loadOnce.Do(z.load)
	if len(z.entries) != 2 || z.entries["/cache/a"].Name != "p" || z.entries["/cache/c"].Name != "p" {
		t.Errorf("index after a run that used a and c: %v; want a and c only", z.entries)
	}
}

// TestStable checks what Deps.Stable says never changes: the module
// cache's files (and a released Go's GOROOT), not a replacement directory
// or the repository's, and nothing without a cache directory.
func TestStable(t *testing.T) {
	cache, index := t.TempDir(), t.TempDir()
	root := t.TempDir()
	writeFiles(t, cache, map[string]string{
		"example.com/dep@v1.0.0/dep.go": "package dep\n\nimport \"example.com/local\"\n\nvar V = local.V\n",
	})
	writeFiles(t, root, map[string]string{
		"go.mod":         "module example.com/mono\n\ngo 1.22\n\nrequire (\n\texample.com/dep v1.0.0\n\texample.com/local v1.0.0\n)\n\nreplace example.com/local => ./local\n",
		"go.sum":         "example.com/dep v1.0.0 h1:AAAA=\n",
		"local/go.mod":   "module example.com/local\n",
		"local/local.go": "package local\n\nconst V = 1\n",
		"svc/main.go":    "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/dep\"\n)\n\nfunc main() { fmt.Println(dep.V) }\n",
	})
	env := append(os.Environ(), "GOMODCACHE="+cache)
	stable := func(indexDir string) (Stable, *Workspace, *Deps) {
		t.Helper()
		ws, err := Load(context.Background(), LoadOptions{Root: root, Env: env, Offline: true, IndexDir: indexDir})
		if err != nil {
			t.Fatal(err)
		}
		deps, err := ws.LoadDeps(context.Background(), []string{"example.com/mono/svc"})
		if err != nil {
			t.Fatal(err)
		}
		return deps.Stable(), ws, deps
	}
	st, ws, deps := stable(index)
	if st.Dir != index || st.Key == "" {
		t.Fatalf("Stable() = %+v; want the index directory and a key", st)
	}
	want := map[string]bool{"example.com/dep": true, "example.com/local": false, "example.com/mono/svc": false}
	if version.IsValid(runtime.Version()) {
		want["fmt"] = true // a released Go's GOROOT
	}
	for ip, want := range want {
		p := ws.Package(ip, deps)
		if p == nil || len(p.GoFiles) == 0 {
			t.Fatalf("no package %s", ip)
		}
		if got := st.Covers(p.GoFiles[0]); got != want {
			t.Errorf("Covers(%s's %s) = %v, want %v", ip, p.GoFiles[0], got, want)
		}
	}
	if st, _, _ := stable(""); st.Dir != "" || st.Covers(filepath.Join(cache, "example.com/dep@v1.0.0/dep.go")) {
		t.Errorf("without a cache directory Stable() = %+v, covering the module cache", st)
	}
}
