package access

import (
	"go/token"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReachable(t *testing.T) {
	src := memSource(map[string]string{
		"example.com/m/lib": `package lib

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

// Compile-time assertions run nothing: Asserted's methods stay unreachable.
var _ interface{ Serve() int } = (*Asserted)(nil)
var _, _ = Asserted{}, &Asserted{}

type Asserted struct{}

func (*Asserted) Serve() int { return 7 }

// A blank var whose value calls a function does run it.
var _ = register(Registered{})

func register(any) bool { return true }

type Registered struct{}

func (Registered) Serve() int { return 8 }
`,
		"example.com/m/cmd/app": `package main

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
	})
	pkgs := []string{"example.com/m/cmd/app", "example.com/m/lib"}
	u := NewUniverse("head", token.NewFileSet(), src)
	cg := NewCallGraph()
	for _, p := range pkgs {
		cg.AddPackage(u.Get(p))
	}
	runs, ok := cg.Reachable("example.com/m/cmd/app", pkgs)
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
		"(example.com/m/lib.Registered).Serve", // built in a blank var's initialiser that calls register
		"example.com/m/cmd/app.init",
		"example.com/m/cmd/app.main",
		"example.com/m/cmd/app.setup",
		"example.com/m/lib.New",
		"example.com/m/lib.Used",
		"example.com/m/lib.fromTable", // referenced by a package-level initialiser
		"example.com/m/lib.helper",
		"example.com/m/lib.init",
		"example.com/m/lib.register",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reachable (-want +got):\n%s", diff)
	}
	cg.Broken["example.com/m/lib"] = true
	cg.reached = nil // as AddPackage of a package with errors does
	if _, ok := cg.Reachable("example.com/m/cmd/app", pkgs); ok {
		t.Error("reachable ignored a package with type errors")
	}
}

// memSource serves packages from memory, one file each (import path ->
// source), type-checked with bodies.
func memSource(pkgs map[string]string) func(string) (*Source, bool) {
	return func(ip string) (*Source, bool) {
		text, ok := pkgs[ip]
		if !ok {
			return nil, false
		}
		name := ip + "/x.go"
		return &Source{Path: ip, Files: []string{name}, Bodies: true,
			Read: func(string) ([]byte, error) { return []byte(text), nil }}, true
	}
}
