package graph_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/config"
	"github.com/deployorder/deployorder/gitdiff"
	"github.com/deployorder/deployorder/graph"
	"github.com/deployorder/deployorder/internal/testrepo"
	"github.com/google/go-cmp/cmp"
)

const gomod = "module example.com/mono\n\ngo 1.22\n"

func load(t *testing.T, dir string, cfg *config.Config) *graph.Workspace {
	t.Helper()
	ws, err := graph.Load(context.Background(), graph.LoadOptions{Root: dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func serviceNames(ws *graph.Workspace) []string {
	var out []string
	for _, s := range ws.Services {
		out = append(out, s.Name+"="+s.Dir)
	}
	return out
}

func codes(ws []graph.Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

func TestServicesNamingAndExclusion(t *testing.T) {
	r := testrepo.New(t)
	r.Write(map[string]string{
		"go.mod":                    gomod,
		"main.go":                   "package main\nfunc main() {}\n",
		"cmd/api/main.go":           "package main\nfunc main() {}\n",
		"a/worker/main.go":          "package main\nfunc main() {}\n",
		"b/worker/main.go":          "package main\nfunc main() {}\n",
		"tests/apps/e2e/main.go":    "package main\nfunc main() {}\n",
		"testdata/fixture/main.go":  "package main\nfunc main() {}\n",
		"_scratch/tool/main.go":     "package main\nfunc main() {}\n",
		"lib/util/util.go":          "package util\n",
		"cmd/api/internal/h/h.go":   "package h\n",
		"cmd/api/internal/h/a.html": "x",
	})
	ws := load(t, r.Dir, &config.Config{Exclude: []string{"tests/apps/**"}})
	want := []string{"a/worker=a/worker", "api=cmd/api", "b/worker=b/worker", "mono=."}
	if diff := cmp.Diff(want, serviceNames(ws)); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}
	if o := ws.Owner("cmd/api/internal/h/a.html"); o == nil || o.Name != "api" {
		t.Errorf("Owner(cmd/api/internal/h/a.html) = %v, want api", o)
	}
	if o := ws.Owner("README.md"); o != nil {
		t.Errorf("Owner(README.md) = %s; a root main package must not own the whole tree", o.Name)
	}
}

func TestConfigRenamesAndDeclares(t *testing.T) {
	r := testrepo.New(t)
	r.Write(map[string]string{
		"go.mod":              gomod,
		"cmd/billing/main.go": "package main\nfunc main() {}\n",
		"cmd/api/main.go":     "package main\nfunc main() {}\n",
	})
	cfg := &config.Config{Services: []config.Service{
		{Name: "billing-api", Main: "example.com/mono/cmd/billing", Paths: []string{"deploy/billing/**"}},
		{Name: "site", Paths: []string{"site/**"}},
	}}
	ws := load(t, r.Dir, cfg)
	want := []string{"api=cmd/api", "billing-api=cmd/billing", "site="}
	if diff := cmp.Diff(want, serviceNames(ws)); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}
	bad := &config.Config{Name: "deployorder.yaml", Services: []config.Service{{Name: "x", Main: "cmd/nope", Line: 4}}}
	_, err := graph.Load(context.Background(), graph.LoadOptions{Root: r.Dir, Config: bad})
	if err == nil || !strings.HasPrefix(err.Error(), "deployorder.yaml:4: service \"x\": main \"cmd/nope\" is not a main package") {
		t.Errorf("Load with a wrong main = %v", err)
	}
	clash := &config.Config{Services: []config.Service{{Name: "api", Paths: []string{"x/**"}}}}
	if _, err := graph.Load(context.Background(), graph.LoadOptions{Root: r.Dir, Config: clash}); err == nil || !strings.Contains(err.Error(), `two services are named "api"`) {
		t.Errorf("Load with a clashing name = %v", err)
	}
}

func TestBrokenPackageIsStillMapped(t *testing.T) {
	r := testrepo.New(t)
	r.Write(map[string]string{
		"go.mod":            gomod,
		"lib/broken/b.go":   "package broken\n\nimport \"example.com/mono/lib/missing\"\n\nvar X = missing.Y\n",
		"lib/syntax/s.go":   "package syntax\n\nfunc {\n",
		"cmd/api/main.go":   "package main\n\nimport _ \"example.com/mono/lib/broken\"\n\nfunc main() {}\n",
		"cmd/other/main.go": "package main\n\nimport _ \"example.com/mono/lib/syntax\"\n\nfunc main() {}\n",
	})
	ws := load(t, r.Dir, nil)
	got := codes(ws.Warnings)
	if len(got) == 0 || got[0] != "PACKAGE_LOAD_ERROR" {
		t.Fatalf("warnings = %v, want PACKAGE_LOAD_ERROR", got)
	}
	for _, dir := range []string{"lib/broken", "lib/syntax"} {
		if ws.ImportPathOfDir(dir) == "" || ws.Packages[ws.ImportPathOfDir(dir)] == nil {
			t.Errorf("package in %s is not mapped", dir)
		}
	}
	if imps := ws.Importers("example.com/mono/lib/broken"); len(imps) != 1 || imps[0] != "example.com/mono/cmd/api" {
		t.Errorf("Importers(lib/broken) = %v", imps)
	}
}

func TestNewerGoFallsBackToSourceHeaders(t *testing.T) {
	r := testrepo.New(t)
	r.Write(map[string]string{
		"go.mod":          "module example.com/mono\n\ngo 1.99\n",
		"lib/a/a.go":      "package a\n\nconst A = 1\n",
		"cmd/api/main.go": "package main\n\nimport \"example.com/mono/lib/a\"\n\nfunc main() { println(a.A) }\n",
	})
	// Read from source headers: the go line is named.
	ws := load(t, r.Dir, nil)
	if got := codes(ws.Warnings); len(got) != 1 || got[0] != "GO_VERSION_NEWER" || ws.Warnings[0].File != "go.mod" || ws.Warnings[0].Line != 3 {
		t.Fatalf("warnings = %+v, want GO_VERSION_NEWER at go.mod:3", ws.Warnings)
	}
	// With go list, which refuses the module, the load falls back to the
	// source headers and says why.
	ws, err := graph.Load(context.Background(), graph.LoadOptions{Root: r.Dir, Modules: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(ws.Warnings); len(got) != 2 || got[0] != "GO_LIST_FAILED" {
		t.Fatalf("warnings = %v, want GO_LIST_FAILED and GO_VERSION_NEWER", got)
	}
	if !strings.Contains(ws.Warnings[0].Message, "go.mod requires go >= 1.99") {
		t.Errorf("warning does not name the cause: %s", ws.Warnings[0].Message)
	}
	if imps := ws.Importers("example.com/mono/lib/a"); len(imps) != 1 || imps[0] != "example.com/mono/cmd/api" {
		t.Errorf("Importers(lib/a) from the fallback = %v", imps)
	}
	if diff := cmp.Diff([]string{"api=cmd/api"}, serviceNames(ws)); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}
}

func TestCgoFilesAreNamed(t *testing.T) {
	r := testrepo.New(t)
	r.Write(map[string]string{
		"go.mod":          gomod,
		"lib/c/c.go":      "package c\n\nconst Pure = 1\n",
		"lib/c/cgo.go":    "package c\n\n// int x() { return 1; }\nimport \"C\"\n\nfunc X() int { return int(C.x()) }\n",
		"cmd/api/main.go": "package main\n\nimport \"example.com/mono/lib/c\"\n\nfunc main() { println(c.Pure) }\n",
	})
	ws := load(t, r.Dir, nil)
	if got := codes(ws.Warnings); len(got) != 1 || got[0] != "CGO_DISABLED" {
		t.Fatalf("warnings = %v, want CGO_DISABLED", got)
	}
	// The cgo file still maps to its package.
	r.Commit("init")
	r.Write(map[string]string{"lib/c/cgo.go": "package c\n\n// int x() { return 2; }\nimport \"C\"\n\nfunc X() int { return int(C.x()) }\n"})
	r.Commit("change the cgo file")
	if got := affected(t, r, ws, "HEAD"); !cmp.Equal(got, []string{"api"}) {
		t.Errorf("affected by a cgo file change = %v, want [api]", got)
	}
}

func affected(t *testing.T, r *testrepo.Repo, ws *graph.Workspace, spec string) []string {
	t.Helper()
	repo, err := gitdiff.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	rg, err := repo.Resolve(spec)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, si := range ws.Impact(rg, ws.ReadBase(rg, repo), nil).Services {
		if si.Affected() {
			out = append(out, si.Service.Name)
		}
	}
	return out
}

func TestImpactChainsAndKinds(t *testing.T) {
	r := testrepo.New(t)
	r.CommitFiles("init", map[string]string{
		"go.mod":                 gomod,
		"lib/a/a.go":             "package a\n\nconst A = 1\n",
		"lib/b/b.go":             "package b\n\nimport \"example.com/mono/lib/a\"\n\nconst B = a.A\n",
		"lib/t/t.go":             "package t\n\nimport _ \"embed\"\n\n//go:embed x.tmpl\nvar T string\n",
		"lib/t/x.tmpl":           "x",
		"cmd/api/main.go":        "package main\n\nimport (\n\t\"example.com/mono/lib/b\"\n\t_ \"example.com/mono/lib/t\"\n)\n\nfunc main() { println(b.B) }\n",
		"cmd/api/Dockerfile":     "FROM scratch\n",
		"cmd/cron/main.go":       "package main\n\nfunc main() {}\n",
		"docs/notes.txt":         "notes",
		"lib/a/a_test.go":        "package a\n",
		"lib/a/testdata/x.json":  "{}",
		"cmd/cron/cron_test.go":  "package main\n",
		"cmd/cron/testdata/a.in": "a",
	})
	r.CommitFiles("change", map[string]string{
		"lib/a/a.go":             "package a\n\nconst A = 2\n",
		"lib/t/x.tmpl":           "y",
		"cmd/api/Dockerfile":     "FROM scratch\nCOPY api /\n",
		"docs/notes.txt":         "more notes",
		"lib/a/a_test.go":        "package a\n\n// more\n",
		"lib/a/testdata/x.json":  "[]",
		"cmd/cron/cron_test.go":  "package main\n\n// more\n",
		"cmd/cron/testdata/a.in": "b",
	})
	ws := load(t, r.Dir, nil)
	repo, err := gitdiff.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	rg, err := repo.Resolve("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	im := ws.Impact(rg, ws.ReadBase(rg, repo), nil)
	var api *graph.ServiceImpact
	for _, si := range im.Services {
		switch si.Service.Name {
		case "api":
			api = si
		case "cron":
			if si.Affected() {
				t.Errorf("cron is affected by test-only files: %+v", si.Reasons)
			}
		}
	}
	var got []string
	for _, r := range api.Reasons {
		got = append(got, string(r.Kind)+": "+strings.Join(r.Chain, " -> "))
	}
	want := []string{
		"embed: lib/t/x.tmpl -> example.com/mono/lib/t -> example.com/mono/cmd/api",
		"package: lib/a/a.go -> example.com/mono/lib/a -> example.com/mono/lib/b -> example.com/mono/cmd/api",
		"owned: cmd/api/Dockerfile -> example.com/mono/cmd/api",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("api reasons (-want +got):\n%s", diff)
	}
	var notes []string
	for _, u := range im.Unaffected {
		notes = append(notes, u.Path+": "+u.Why)
	}
	wantNotes := []string{
		"cmd/cron/cron_test.go: test-only file",
		"cmd/cron/testdata/a.in: test-only file",
		"docs/notes.txt: no service's packages or owned paths include it",
		"lib/a/a_test.go: test-only file",
		"lib/a/testdata/x.json: test-only file",
	}
	if diff := cmp.Diff(wantNotes, notes); diff != "" {
		t.Errorf("unaffected (-want +got):\n%s", diff)
	}
}

func TestSafeEnv(t *testing.T) {
	env := graph.SafeEnv([]string{"PATH=/bin", "GOFLAGS=-mod=vendor", "GOTOOLCHAIN=auto", "CGO_ENABLED=1", "GOPROXY=https://x"}, true)
	want := []string{"PATH=/bin", "GOTOOLCHAIN=local", "GOFLAGS=", "GOPACKAGESDRIVER=off", "CGO_ENABLED=0", "GOPROXY=off"}
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("SafeEnv (-want +got):\n%s", diff)
	}
}

// TestScanMatchesGoList checks that reading packages from source headers
// (the default) sees the repository's packages as go list does: the same
// files, compiled files, imports and embeds, across build tags, cgo,
// embeds, nested modules and a package main.
func TestScanMatchesGoList(t *testing.T) {
	r := testrepo.New(t)
	r.Write(map[string]string{
		"go.mod":                  gomod,
		"lib/a/a.go":              "package a\n\nimport (\n\t\"strings\"\n\n\t\"example.com/mono/lib/b\"\n)\n\nvar A = strings.ToUpper(b.B)\n",
		"lib/a/a_linux.go":        "package a\n\nconst OS = \"linux\"\n",
		"lib/a/a_windows.go":      "package a\n\nconst OS = \"windows\"\n",
		"lib/a/tagged.go":         "//go:build ignore\n\npackage a\n",
		"lib/a/cgo.go":            "package a\n\n// int x() { return 1; }\nimport \"C\"\n",
		"lib/a/notes.txt":         "x",
		"lib/b/b.go":              "package b\n\nimport _ \"embed\"\n\n//go:embed data/*.json\nvar B string\n",
		"lib/b/data/x.json":       "{}",
		"lib/b/data/.hidden.json": "{}",
		"cmd/api/main.go":         "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/mono/lib/a\"\n)\n\nfunc main() { fmt.Println(a.A, a.OS) }\n",
		"tools/go.mod":            "module example.com/tools\n\ngo 1.22\n",
		"tools/gen/main.go":       "package main\n\nimport \"os\"\n\nfunc main() { os.Exit(0) }\n",
		"testdata/x/main.go":      "package main\n",
		"_skip/y.go":              "package y\n",
	})
	scan := load(t, r.Dir, nil)
	list, err := graph.Load(context.Background(), graph.LoadOptions{Root: r.Dir, Modules: true})
	if err != nil {
		t.Fatal(err)
	}
	inRepo := func(ws *graph.Workspace) map[string]graph.Package {
		out := map[string]graph.Package{}
		for ip, p := range ws.Packages {
			if p.InRepo {
				q := *p
				q.Version, q.ImportMap, q.Errors = "", nil, nil
				out[ip] = q
			}
		}
		return out
	}
	if diff := cmp.Diff(inRepo(list), inRepo(scan)); diff != "" {
		t.Errorf("in-repo packages (-go list +scan):\n%s", diff)
	}
	if diff := cmp.Diff(codes(list.Warnings), codes(scan.Warnings)); diff != "" {
		t.Errorf("warnings (-go list +scan):\n%s", diff)
	}
}

// TestEmbedWithoutFilesLoadsQuietly: a package whose //go:embed names
// files that are not committed (a UI build's output) loads whole in go
// list (as Load runs it when the range changes modules), with an error
// that changes nothing for the plan: no warning.
func TestEmbedWithoutFilesLoadsQuietly(t *testing.T) {
	r := testrepo.New(t)
	r.Write(map[string]string{
		"go.mod":          gomod,
		"ui/embed.go":     "package ui\n\nimport \"embed\"\n\n//go:embed dist/app\nvar FS embed.FS\n",
		"cmd/api/main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/mono/ui\"\n)\n\nfunc main() { fmt.Println(ui.FS) }\n",
	})
	ws, err := graph.Load(context.Background(), graph.LoadOptions{Root: r.Dir, Modules: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(ws.Warnings); len(got) != 0 {
		t.Errorf("warnings = %v, want none", got)
	}
	p := ws.Packages["example.com/mono/ui"]
	if p == nil || len(p.GoFiles) != 1 || !slices.Contains(p.Imports, "embed") {
		t.Errorf("ui = %+v, want its file and its import of embed", p)
	}
}

// TestDuplicateImportPath: two modules that declare one module path (a
// copied go.mod) hold two programs; their files are not merged into one
// package (which would declare main twice): the first is read, and one
// warning names both directories.
func TestDuplicateImportPath(t *testing.T) {
	r := testrepo.New(t)
	r.Write(map[string]string{
		"go.mod":             gomod,
		"cmd/api/main.go":    "package main\n\nfunc main() {}\n",
		"perf/a/go.mod":      "module example.com/perf/tester\n\ngo 1.22\n",
		"perf/a/main.go":     "package main\n\nfunc main() {}\n",
		"perf/tester/go.mod": "module example.com/perf/tester\n\ngo 1.22\n",
		"perf/tester/app.go": "package main\n\nfunc main() {}\n",
	})
	ws := load(t, r.Dir, nil)
	p := ws.Packages["example.com/perf/tester"]
	if p == nil || !slices.Equal(p.GoFiles, []string{"perf/a/main.go"}) {
		t.Fatalf("package example.com/perf/tester = %+v, want the files of perf/a only", p)
	}
	if got := codes(ws.Warnings); !slices.Equal(got, []string{"DUPLICATE_IMPORT_PATH"}) {
		t.Errorf("warnings = %v, want one DUPLICATE_IMPORT_PATH", got)
	}
}
