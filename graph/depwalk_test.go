package graph

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWalkDepsMatchesGoList reads the dependencies of deployorder's own
// command without go list and checks them against go list -deps: the same
// packages, each with the same files, imports, module and version.
func TestWalkDepsMatchesGoList(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	const main = "github.com/deployorder/deployorder/cmd/deployorder"
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Dir,GoFiles,Imports,Module,Standard", main)
	cmd.Dir, cmd.Env = root, SafeEnv(os.Environ(), true)
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	type pkg struct {
		GoFiles, Imports []string
		Module, Version  string
	}
	want := map[string]pkg{}
	for dec := json.NewDecoder(strings.NewReader(string(out))); dec.More(); {
		var p struct {
			ImportPath, Dir  string
			GoFiles, Imports []string
			Module           *struct{ Path, Version string }
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.ImportPath, "github.com/deployorder/deployorder") {
			continue // the repository's own
		}
		q := pkg{GoFiles: p.GoFiles, Imports: p.Imports}
		if p.Module != nil {
			q.Module, q.Version = p.Module.Path, p.Module.Version
		}
		sort.Strings(q.Imports)
		want[p.ImportPath] = q
	}
	ws, err := Load(context.Background(), LoadOptions{Root: root, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	deps, err := ws.LoadDeps(context.Background(), []string{main})
	if err != nil {
		t.Fatal(err)
	}
	if deps.Listed != "" {
		t.Fatalf("go list read the dependencies, because %s; want them read without it", deps.Listed)
	}
	got := map[string]pkg{}
	for ip, p := range deps.packages {
		q := pkg{Imports: p.Imports, Module: p.Module, Version: p.Version}
		for _, f := range p.GoFiles {
			q.GoFiles = append(q.GoFiles, filepath.Base(f))
		}
		got[ip] = q
	}
	if len(want) < 100 {
		t.Fatalf("go list gave %d dependencies; the test needs deployorder's", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dependencies (-go list +walkDeps):\n%s", diff)
	}
}

// TestWalkDepsLeavesToGoList checks that the dependencies are read without
// go list only when go list could say nothing more: a module missing from
// the cache, a missing go.sum line, an import no requirement provides, a go
// line newer than the go command's each leave them to go list, with why.
func TestWalkDepsLeavesToGoList(t *testing.T) {
	cache := t.TempDir()
	writeFiles(t, cache, map[string]string{
		"example.com/dep@v1.0.0/go.mod":    "module example.com/dep\n",
		"example.com/dep@v1.0.0/dep.go":    "package dep\n\nimport \"strings\"\n\nvar Up = strings.ToUpper\n",
		"example.com/dep@v1.0.0/x_test.go": "package dep\n\nimport \"example.com/never\"\n",
	})
	const gomod = "module example.com/mono\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n"
	const sum = "example.com/dep v1.0.0 h1:AAAA=\nexample.com/dep v1.0.0/go.mod h1:BBBB=\n"
	tests := []struct {
		name   string
		files  map[string]string
		listed string // in why go list ran; "" when it did not
	}{
		{name: "read without go list", files: map[string]string{"go.mod": gomod, "go.sum": sum,
			"svc/main.go": "package main\n\nimport \"example.com/dep\"\n\nfunc main() { _ = dep.Up }\n"}},
		{name: "go.sum line missing", listed: "go.sum has no line for example.com/dep v1.0.0", files: map[string]string{"go.mod": gomod,
			"go.sum":      "example.com/dep v1.0.0/go.mod h1:BBBB=\n",
			"svc/main.go": "package main\n\nimport \"example.com/dep\"\n\nfunc main() { _ = dep.Up }\n"}},
		{name: "module not in the cache", listed: "module example.com/gone@v1.0.0 is not in the module cache", files: map[string]string{
			"go.mod":      "module example.com/mono\n\ngo 1.22\n\nrequire example.com/gone v1.0.0\n",
			"go.sum":      "example.com/gone v1.0.0 h1:AAAA=\n",
			"svc/main.go": "package main\n\nimport \"example.com/gone\"\n\nfunc main() { gone.F() }\n"}},
		{name: "import not required", listed: "no requirement provides package example.com/other", files: map[string]string{"go.mod": gomod, "go.sum": sum,
			"svc/main.go": "package main\n\nimport \"example.com/other\"\n\nfunc main() { other.F() }\n"}},
		{name: "newer go line", listed: "asks for go 1.999", files: map[string]string{"go.mod": "module example.com/mono\n\ngo 1.999\n",
			"svc/main.go": "package main\n\nfunc main() {}\n"}},
		{name: "no such package in the repository", listed: "example.com/mono/nosuch is no package of the repository's modules", files: map[string]string{"go.mod": gomod,
			"svc/main.go": "package main\n\nimport \"example.com/mono/nosuch\"\n\nfunc main() { nosuch.F() }\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tt.files)
			env := append(os.Environ(), "GOMODCACHE="+cache)
			ws, err := Load(context.Background(), LoadOptions{Root: root, Env: env, Offline: true})
			if err != nil {
				t.Fatal(err)
			}
			deps, err := ws.LoadDeps(context.Background(), []string{"example.com/mono/svc"})
			if err != nil {
				t.Fatal(err)
			}
			if tt.listed == "" {
				if deps.Listed != "" {
					t.Fatalf("go list ran, because %s", deps.Listed)
				}
				p := ws.Package("example.com/dep", deps)
				if p == nil || p.Version != "v1.0.0" || len(p.GoFiles) != 1 || filepath.Base(p.GoFiles[0]) != "dep.go" {
					t.Fatalf("example.com/dep read as %+v; want v1.0.0 with dep.go (no test file)", p)
				}
				if ws.Package("strings", deps) == nil {
					t.Fatal("strings, imported by example.com/dep, was not read")
				}
				return
			}
			if !strings.Contains(deps.Listed, tt.listed) {
				t.Errorf("go list ran because %q; want it to say %q", deps.Listed, tt.listed)
			}
		})
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWalkDepsPerModule checks that without a go.work each module's
// packages depend on the versions that module requires, and that with one
// the workspace's highest requirement is read for all.
func TestWalkDepsPerModule(t *testing.T) {
	cache := t.TempDir()
	writeFiles(t, cache, map[string]string{
		"example.com/dep@v1.0.0/dep.go": "package dep\n\nconst V = 1\n",
		"example.com/dep@v1.1.0/dep.go": "package dep\n\nconst V = 2\n",
	})
	files := map[string]string{
		"a/go.mod":  "module example.com/a\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n",
		"a/go.sum":  "example.com/dep v1.0.0 h1:AAAA=\n",
		"a/main.go": "package main\n\nimport \"example.com/dep\"\n\nfunc main() { _ = dep.V }\n",
		"b/go.mod":  "module example.com/b\n\ngo 1.22\n\nrequire example.com/dep v1.1.0\n",
		"b/go.sum":  "example.com/dep v1.1.0 h1:AAAA=\n",
		"b/main.go": "package main\n\nimport \"example.com/dep\"\n\nfunc main() { _ = dep.V }\n",
	}
	for _, work := range []bool{false, true} {
		root := t.TempDir()
		writeFiles(t, root, files)
		want := "v1.0.0"
		if work {
			writeFiles(t, root, map[string]string{"go.work": "go 1.22\n\nuse (\n\t./a\n\t./b\n)\n"})
			want = "v1.1.0"
		}
		ws, err := Load(context.Background(), LoadOptions{Root: root, Env: append(os.Environ(), "GOMODCACHE="+cache), Offline: true})
		if err != nil {
			t.Fatal(err)
		}
		deps, err := ws.LoadDeps(context.Background(), []string{"example.com/a"})
		if err != nil {
			t.Fatal(err)
		}
		if deps.Listed != "" {
			t.Fatalf("go.work %v: go list ran, because %s", work, deps.Listed)
		}
		if p := ws.Package("example.com/dep", deps); p == nil || p.Version != want {
			t.Errorf("go.work %v: module a's example.com/dep read as %+v; want %s", work, p, want)
		}
	}
}
