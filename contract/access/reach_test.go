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

// A type declaration runs nothing: a type it names (here itself, through
// a field's signature, and another through an interface's method) is not
// built by it, so their methods stay unreachable.
type Server struct {
	ready func(s *Server) error
	peer  Peer
}

func (*Server) push() int { return 9 }

type Peer interface{ Send(*Message) }

type Message struct{}

func (*Message) Size() int { return 10 }
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
	fset := token.NewFileSet()
	u := NewUniverse("head", fset, src)
	cg := NewCallGraph()
	for _, p := range pkgs {
		cg.AddPackage(fset, u.Get(p))
	}
	runs, ok := cg.Reachable("example.com/m/cmd/app", pkgs)
	if !ok {
		t.Fatal("reachable: graph reported incomplete")
	}
	var got []string
	for f := range runs.Funcs {
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

// A cobra command's bodies run only in a program that executes a command
// (or hands it to code outside the graph, which may): a documentation
// generator that builds the command tree to print it runs none of them.
func TestReachableCobraCommands(t *testing.T) {
	src := memSource(map[string]string{
		"github.com/spf13/cobra": `package cobra

type Command struct {
	Use  string
	Run  func(*Command, []string)
	RunE func(*Command, []string) error
}

func (c *Command) Execute() error { return nil }
func (c *Command) AddCommand(cmds ...*Command) {}
`,
		"github.com/spf13/cobra/doc": `package doc

import "github.com/spf13/cobra"

func GenMarkdownTree(c *cobra.Command, dir string) error { return nil }
`,
		"example.com/ext/cli": `package cli

import "github.com/spf13/cobra"

func Run(c *cobra.Command) int { _ = c.Execute(); return 0 }
`,
		"example.com/m/cmds": `package cmds

import "github.com/spf13/cobra"

func New() *cobra.Command {
	root := &cobra.Command{Use: "app", Run: func(*cobra.Command, []string) { flags() }}
	serve := &cobra.Command{Use: "serve", RunE: runServe}
	late := &cobra.Command{Use: "late"}
	late.RunE = func(*cobra.Command, []string) error {
		return lateBody()
	}
	wrapped := &cobra.Command{Use: "wrapped", RunE: withCtx(func() error {
		return wrappedBody()
	})}
	root.AddCommand(serve, late, wrapped)
	return root
}

func withCtx(f func() error) func(*cobra.Command, []string) error {
	return func(*cobra.Command, []string) error { return f() }
}

func wrappedBody() error { return nil }

func flags() {}

func runServe(*cobra.Command, []string) error { return nil }

func lateBody() error { return nil }
`,
		"example.com/m/cmd/app": `package main

import "example.com/m/cmds"

func main() { _ = cmds.New().Execute() }
`,
		"example.com/m/cmd/docs": `package main

import (
	"github.com/spf13/cobra/doc"

	"example.com/m/cmds"
)

func main() { _ = doc.GenMarkdownTree(cmds.New(), "docs") }
`,
		"example.com/m/cmd/wrapped": `package main

import (
	"example.com/ext/cli"

	"example.com/m/cmds"
)

func main() { cli.Run(cmds.New()) }
`,
	})
	fset := token.NewFileSet()
	u := NewUniverse("head", fset, src)
	cg := NewCallGraph()
	for _, p := range []string{"example.com/m/cmds", "example.com/m/cmd/app", "example.com/m/cmd/docs", "example.com/m/cmd/wrapped"} {
		tp := u.Get(p)
		if len(tp.Errs) > 0 {
			t.Fatalf("%s: %v", p, tp.Errs)
		}
		cg.AddPackage(fset, tp)
	}
	bodies := []string{"example.com/m/cmds.flags", "example.com/m/cmds.runServe", "example.com/m/cmds.lateBody", "example.com/m/cmds.withCtx", "example.com/m/cmds.wrappedBody"}
	for _, tc := range []struct {
		main string
		runs bool
	}{
		{"example.com/m/cmd/app", true},     // executes the command
		{"example.com/m/cmd/docs", false},   // prints it with cobra/doc
		{"example.com/m/cmd/wrapped", true}, // hands it to code outside the graph
	} {
		runs, ok := cg.Reachable(tc.main, []string{tc.main, "example.com/m/cmds"})
		if !ok {
			t.Fatalf("%s: graph reported incomplete", tc.main)
		}
		if !runs.Funcs["example.com/m/cmds.New"] {
			t.Errorf("%s: the command constructor does not run", tc.main)
		}
		for _, b := range bodies {
			if runs.Funcs[b] != tc.runs {
				t.Errorf("%s: runs %s = %v, want %v", tc.main, b, runs.Funcs[b], tc.runs)
			}
		}
		// The line inside the literal Run of root (line 6 of cmds/x.go),
		// the body of late.RunE (line 10) and the literal handed to
		// withCtx (line 13) run only when commands do; the constructor's
		// own lines always.
		file := "example.com/m/cmds/x.go"
		for _, l := range []struct {
			line int
			runs bool
		}{{6, tc.runs}, {10, tc.runs}, {13, tc.runs}, {15, true}, {16, true}} {
			if got := runs.Has("example.com/m/cmds.New", file, l.line); got != l.runs {
				t.Errorf("%s: line %d of New runs = %v, want %v", tc.main, l.line, got, l.runs)
			}
		}
	}
}

// A function literal held by a package variable runs when the variable is
// used, not when the package is initialised.
func TestReachablePackageFuncVars(t *testing.T) {
	src := memSource(map[string]string{
		"example.com/m/lib": `package lib

var (
	Used = func() int { return usedBody() }
	lazy = func() int {
		return lazyBody()
	}
	plain = helper()
)

func usedBody() int { return 1 }

func lazyBody() int { return 2 }

func helper() int { return 3 }
`,
		"example.com/m/cmd/app": `package main

import "example.com/m/lib"

func main() { _ = lib.Used() }
`,
	})
	fset := token.NewFileSet()
	u := NewUniverse("head", fset, src)
	cg := NewCallGraph()
	pkgs := []string{"example.com/m/cmd/app", "example.com/m/lib"}
	for _, p := range pkgs {
		cg.AddPackage(fset, u.Get(p))
	}
	runs, ok := cg.Reachable("example.com/m/cmd/app", pkgs)
	if !ok {
		t.Fatal("reachable: graph reported incomplete")
	}
	for f, want := range map[string]bool{
		"example.com/m/lib.usedBody": true,  // its variable is called
		"example.com/m/lib.helper":   true,  // an initialiser's call runs
		"example.com/m/lib.lazyBody": false, // its variable is never used
	} {
		if runs.Funcs[f] != want {
			t.Errorf("runs %s = %v, want %v", f, runs.Funcs[f], want)
		}
	}
	file := "example.com/m/lib/x.go"
	for line, want := range map[int]bool{4: true, 6: false, 8: true} {
		if got := runs.Has("example.com/m/lib.init", file, line); got != want {
			t.Errorf("line %d of the initialisers runs = %v, want %v", line, got, want)
		}
	}
}
