package contract

import (
	"context"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/deployorder/deployorder/graph"
	"github.com/google/go-cmp/cmp"
)

func TestReachable(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"lib/lib.go": `package lib

var table = map[string]func() int{"x": fromTable}

func fromTable() int { return 1 }

func Used() int { return helper() }

func helper() int { return 2 }

func Unused() int { return 3 }

type Handler struct{}

func (Handler) Serve() int { return 4 }

type Other struct{}

func (Other) Serve() int { return 5 }

func New() *Made { return &Made{} }

type Made struct{}

func (*Made) Run() int { return 6 }
`,
		"cmd/app/main.go": `package main

import "example.com/m/lib"

type server interface{ Serve() int }

func init() { setup() }

func setup() {}

func main() {
	var s server = lib.Handler{}
	_ = s.Serve()
	_ = lib.Used()
	m := lib.New()
	_ = m
}
`,
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(src), 0o644)
	}
	ws, err := graph.Load(context.Background(), graph.LoadOptions{Root: dir, Modules: true})
	if err != nil {
		t.Fatal(err)
	}
	pkgs := []string{"example.com/m/cmd/app", "example.com/m/lib"}
	bodies := map[string]bool{pkgs[0]: true, pkgs[1]: true}
	u := newUniverse("head", token.NewFileSet(), headSource(ws, nil, bodies))
	cg := newCallGraph()
	for _, p := range pkgs {
		cg.addPackage(u.get(p))
	}
	runs, ok := cg.reachable("example.com/m/cmd/app", pkgs)
	if !ok {
		t.Fatal("reachable: graph reported incomplete")
	}
	var got []string
	for f := range runs {
		got = append(got, f)
	}
	sort.Strings(got)
	want := []string{
		"(*example.com/m/lib.Made).Run",        // its type is returned by New, which runs
		"(example.com/m/cmd/app.server).Serve", // the interface method called (no body: a leaf)
		"(example.com/m/lib.Handler).Serve",    // a method of a type the code builds
		"example.com/m/cmd/app.init",
		"example.com/m/cmd/app.main",
		"example.com/m/cmd/app.setup",
		"example.com/m/lib.New",
		"example.com/m/lib.Used",
		"example.com/m/lib.fromTable", // referenced by a package-level initialiser
		"example.com/m/lib.helper",
		"example.com/m/lib.init",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reachable (-want +got):\n%s", diff)
	}
	cg.broken["example.com/m/lib"] = true
	if _, ok := cg.reachable("example.com/m/cmd/app", pkgs); ok {
		t.Error("reachable ignored a package with type errors")
	}
}
