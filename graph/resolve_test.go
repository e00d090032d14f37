package graph

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestResolverReadsStdLikeGoList checks that the standard library read
// from GOROOT, without go list, has the files and imports go list gives it
// (CGO_ENABLED=0), vendored imports mapped to their vendor/ paths.
func TestResolverReadsStdLikeGoList(t *testing.T) {
	pkgs := []string{"context", "encoding/json", "net/http", "crypto/tls", "os", "runtime", "vendor/golang.org/x/net/http/httpguts"}
	cmd := exec.Command("go", append([]string{"list", "-json=ImportPath,GoFiles,Imports,ImportMap"}, pkgs...)...)
	cmd.Env = SafeEnv(os.Environ(), true)
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	type listed struct {
		ImportPath string
		GoFiles    []string
		Imports    []string
		ImportMap  map[string]string
	}
	want := map[string]listed{}
	for dec := json.NewDecoder(strings.NewReader(string(out))); dec.More(); {
		var p listed
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		sort.Strings(p.Imports) // go list sorts them as written, before vendor/ mapping
		want[p.ImportPath] = p
	}
	r := newResolver(t.TempDir(), layout{}, SafeEnv(os.Environ(), true))
	got := map[string]listed{}
	for _, ip := range pkgs {
		p := r.find(ip)
		if p == nil {
			t.Fatalf("find(%q) = nil", ip)
		}
		var files []string
		for _, f := range p.GoFiles {
			files = append(files, filepath.Base(f))
		}
		got[ip] = listed{ImportPath: p.ImportPath, GoFiles: files, Imports: p.Imports, ImportMap: p.ImportMap}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("standard library (-go list +resolver):\n%s", diff)
	}
}

// TestResolverReadsModuleCache checks that other modules are read from the
// module cache at the version go.mod requires (escaped as the cache
// escapes it), from a replacement directory, or reported missing with the
// go.mod line that requires them.
func TestResolverReadsModuleCache(t *testing.T) {
	root, cache := t.TempDir(), t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":               "module example.com/mono\n\ngo 1.22\n\nrequire (\n\texample.com/Upper v1.2.0\n\texample.com/gone v1.0.0\n\texample.com/local v1.0.0\n)\n\nreplace example.com/local => ./third/local\n",
		"svc/go.mod":           "module example.com/svc\n\ngo 1.22\n\nrequire example.com/Upper v1.3.0\n",
		"third/local/go.mod":   "module example.com/local\n",
		"third/local/local.go": "package local\n\nimport \"strings\"\n\nvar _ = strings.ToUpper\n",
	})
	writeFiles(t, cache, map[string]string{
		"example.com/!upper@v1.2.0/pkg/a.go":     "package pkg\n\nconst V = 2\n",
		"example.com/!upper@v1.3.0/pkg/a.go":     "package pkg\n\nimport \"fmt\"\n\nvar V = fmt.Sprint(3)\n",
		"example.com/!upper@v1.3.0/pkg/a_win.go": "//go:build windows\n\npackage pkg\n",
	})
	l := layout{modules: []Module{{Path: "example.com/mono", Dir: "."}, {Path: "example.com/svc", Dir: "svc"}}}
	r := newResolver(root, l, SafeEnv(append(os.Environ(), "GOMODCACHE="+cache), true))
	type found struct {
		Dir, Module, Version string
		GoFiles, Imports     []string
	}
	tests := []struct {
		ip      string
		want    *found
		missing *Missing
	}{
		{ip: "example.com/Upper/pkg", want: &found{Dir: filepath.Join(cache, "example.com/!upper@v1.3.0/pkg"), Module: "example.com/Upper", Version: "v1.3.0",
			GoFiles: []string{"a.go"}, Imports: []string{"fmt"}}},
		{ip: "example.com/local", want: &found{Dir: filepath.Join(root, "third/local"), Module: "example.com/local", Version: "v1.0.0",
			GoFiles: []string{"local.go"}, Imports: []string{"strings"}}},
		{ip: "example.com/gone/x", missing: &Missing{Module: "example.com/gone", Version: "v1.0.0", By: l.modules[0], Line: 7}},
		{ip: "example.com/unknown/x"},
		{ip: "example.com/Upper/nosuch"},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			var got *found
			if p := r.find(tt.ip); p != nil {
				got = &found{Dir: p.Dir, Module: p.Module, Version: p.Version, Imports: p.Imports}
				for _, f := range p.GoFiles {
					got.GoFiles = append(got.GoFiles, filepath.Base(f))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("find (-want +got):\n%s", diff)
			}
			var missing *Missing
			if m, ok := r.missingFor(tt.ip); ok {
				missing = &m
			}
			if diff := cmp.Diff(tt.missing, missing); diff != "" {
				t.Errorf("missingFor (-want +got):\n%s", diff)
			}
		})
	}
	if diff := cmp.Diff([]string{"example.com/gone"}, r.missingModules("go: example.com/gone@v1.0.0: module lookup disabled by GOPROXY=off")); diff != "" {
		t.Errorf("missingModules (-want +got):\n%s", diff)
	}
	if got := r.missingModules("go: example.com/Upper@v1.3.0: missing go.sum entry for go.mod file"); got != nil {
		t.Errorf("missingModules names a module that is in the cache: %v", got)
	}
}

// TestGoMessages checks that the go command's messages are kept whole, on
// one line, and turned into what to run.
func TestGoMessages(t *testing.T) {
	tools := Module{Path: "example.com/tools", Dir: "tools"}
	tests := []struct {
		name    string
		err     string
		offline bool
		msg     string
		fix     string
	}{
		{
			name: "go.sum entry missing for a go.mod in the graph",
			err:  "err: exit status 1: stderr: go: example.com/dep@v1.0.0 requires\n\texample.com/sub@v1.0.0: missing go.sum entry for go.mod file; to add it:\n\tgo mod download example.com/sub\n",
			msg:  "go: example.com/dep@v1.0.0 requires example.com/sub@v1.0.0: missing go.sum entry for go.mod file; to add it: go mod download example.com/sub",
			fix:  "go mod download example.com/sub in tools, then commit go.sum",
		},
		{
			name: "go.mod needs updates",
			err:  "err: exit status 1: stderr: go: updates to go.mod needed; to update it:\n\tgo mod tidy\n",
			msg:  "go: updates to go.mod needed; to update it: go mod tidy",
			fix:  "go mod tidy in tools, then commit go.mod and go.sum",
		},
		{
			name:    "offline, not in the cache, after download progress",
			err:     "err: exit status 1: stderr: go: downloading example.com/x v1.0.0\ngo: example.com/x@v1.0.0: module lookup disabled by GOPROXY=off\n",
			offline: true,
			msg:     "go: example.com/x@v1.0.0: module lookup disabled by GOPROXY=off",
			fix:     "go mod download example.com/x in tools (the module cache lacks it), or plan without --offline",
		},
		{
			name: "refused by the proxy",
			err:  "err: exit status 1: stderr: go: example.com/x@v1.0.0: reading https://proxy.golang.org/example.com/x/@v/v1.0.0.mod: 403 Forbidden\n\tserver response: This module version is not available.\n",
			msg:  "go: example.com/x@v1.0.0: reading https://proxy.golang.org/example.com/x/@v/v1.0.0.mod: 403 Forbidden server response: This module version is not available.",
			fix:  "the module proxy does not serve example.com/x: set GOPROXY, GOPRIVATE or GONOSUMDB so that it can be downloaded, or download it in tools with go mod download",
		},
		{
			name: "a newer Go",
			err:  "err: exit status 1: stderr: go: go.mod requires go >= 1.99 (running go 1.26.8; GOTOOLCHAIN=local)\n",
			msg:  "go: go.mod requires go >= 1.99 (running go 1.26.8; GOTOOLCHAIN=local)",
			fix:  "run deployorder with Go 1.99 or newer (it never lets go list download a toolchain), or lower the go line of tools/go.mod",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := goMessage(errors.New(tt.err))
			if diff := cmp.Diff(tt.msg, msg); diff != "" {
				t.Errorf("goMessage (-want +got):\n%s", diff)
			}
			if !isModuleProblem(msg) && !strings.Contains(msg, "requires go") {
				t.Errorf("isModuleProblem(%q) = false", msg)
			}
			if diff := cmp.Diff(tt.fix, fixFor([]string{msg}, tools, tt.offline)); diff != "" {
				t.Errorf("fixFor (-want +got):\n%s", diff)
			}
		})
	}
}
