package access

import (
	"go/token"
	"go/types"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPrepareKeepsWhatIsNamed checks that Prepare keeps, of a dependency,
// the declarations the targets name and what those name in turn (a
// signature's types, a type's fields and all its methods, a constant
// group), that a dependency nothing names is never read, and that the
// targets still type-check without errors; also when the import graph
// that Meta gives lacks edges (needs found later are met all the same).
func TestPrepareKeepsWhatIsNamed(t *testing.T) {
	for _, name := range []string{"import graph", "no import graph"} {
		t.Run(name, func(t *testing.T) { testPrepare(t, name == "import graph") })
	}
}

func testPrepare(t *testing.T, withGraph bool) {
	pkgs := map[string]string{
		"example.com/m/cmd/app": `package main

import (
	"fmt"

	"example.com/m/lib"
	_ "example.com/m/side"
)

func main() {
	c := lib.New(lib.Config{Addr: "x"})
	r := c.Run()
	fmt.Println(r.Code, lib.First)
}
`,
		"example.com/m/lib": `package lib

import (
	"example.com/m/heavy"
	logx "example.com/m/logx"
	"example.com/m/other"
)

type Config struct{ Addr string }

type Client struct {
	cfg Config
	log logx.Logger
}

func New(cfg Config) *Client { return &Client{cfg: cfg} }

func (c *Client) Run() Result { return Result{} }

func (c *Client) helper() other.T { return other.T{} }

type Result struct{ Code int }

const (
	First = iota
	Second
)

var Table = map[string]int{"a": 1}

func Unused() heavy.Big { return heavy.Big{} }

type UnusedType struct{ X heavy.Big }
`,
		"example.com/m/logx": `package logx

type Logger interface{ Log(string) }

func Unrelated() {}
`,
		"example.com/m/other": `package other

type T struct{}
`,
		"example.com/m/heavy": `package heavy

type Big struct{}
`,
		"example.com/m/side": `package side

import "example.com/m/heavy"

var Registered = heavy.Big{}

func init() {}
`,
		"fmt": `package fmt

func Println(a ...any) {}
`,
	}
	imports := map[string][]string{
		"example.com/m/cmd/app": {"example.com/m/lib", "example.com/m/side", "fmt"},
		"example.com/m/side":    {"example.com/m/heavy"},
		"example.com/m/lib":     {"example.com/m/heavy", "example.com/m/logx", "example.com/m/other"},
	}
	var mu sync.Mutex
	read := map[string]bool{}
	mem := memSource(pkgs)
	src := func(ip string) (*Source, bool) {
		s, ok := mem(ip)
		if !ok {
			return nil, false
		}
		cp := *s
		cp.Bodies = ip == "example.com/m/cmd/app"
		cp.Read = func(name string) ([]byte, error) {
			mu.Lock()
			read[ip] = true
			mu.Unlock()
			return s.Read(name)
		}
		return &cp, true
	}
	u := NewUniverse("head", token.NewFileSet(), src)
	u.Meta = func(ip string) (string, []string) {
		if !withGraph {
			return "", nil
		}
		return "", imports[ip]
	}
	Prepare([]Root{{U: u, Path: "example.com/m/cmd/app"}})
	app := u.Get("example.com/m/cmd/app")
	if len(app.Errs) > 0 || app.Partial > 0 {
		t.Fatalf("the target does not type-check: %q (%d partial)", app.Errs, app.Partial)
	}
	scope := func(ip string) []string {
		tp := u.Checked(ip)
		if tp == nil {
			return nil
		}
		names := tp.Types.Scope().Names()
		if len(names) == 0 {
			return nil
		}
		sort.Strings(names)
		return names
	}
	want := map[string][]string{
		"example.com/m/lib":   {"Client", "Config", "First", "New", "Result", "Second"},
		"example.com/m/logx":  {"Logger"},
		"example.com/m/other": {"T"},
		"example.com/m/heavy": nil,
		"example.com/m/side":  nil,
	}
	got := map[string][]string{}
	for ip := range want {
		got[ip] = scope(ip)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("declarations kept (-want +got):\n%s", diff)
	}
	if read["example.com/m/heavy"] {
		t.Error("a package nothing names was read")
	}
	// A package imported for its side effects is read (the import must
	// resolve), but none of its declarations is checked.
	if u.Checked("example.com/m/side") == nil {
		t.Error("a package imported for its side effects was not prepared")
	}
	if tp := u.Checked("example.com/m/lib"); tp != nil {
		if obj := tp.Types.Scope().Lookup("Client"); obj == nil || !hasMethodNamed(obj.Type(), "helper") {
			t.Error("a kept type lost a method")
		}
	}
}

func hasMethodNamed(t types.Type, name string) bool {
	n, ok := t.(*types.Named)
	if !ok {
		return false
	}
	for i := range n.NumMethods() {
		if n.Method(i).Name() == name {
			return true
		}
	}
	return false
}

// Of a dependency, only the files that declare a name the checked code
// needs (or a method of a type it needs) are parsed.
func TestPrepareParsesOnlyDeclaringFiles(t *testing.T) {
	files := map[string]string{
		"app/main.go":   "package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { var c lib.Client; c.Do(lib.Limit) }\n",
		"lib/client.go": "package lib\n\ntype Client struct{ opts Options }\n",
		"lib/do.go":     "package lib\n\nfunc (c Client) Do(n int) {}\n",
		"lib/opts.go":   "package lib\n\ntype Options struct{ N int }\n\nconst Limit = 10\n",
		"lib/other.go":  "package lib\n\nimport \"example.com/m/heavy\"\n\nfunc Other() heavy.Big { return heavy.Big{} }\n",
		"heavy/big.go":  "package heavy\n\ntype Big struct{}\n",
	}
	dirs := map[string][]string{
		"example.com/m/app":   {"app/main.go"},
		"example.com/m/lib":   {"lib/client.go", "lib/do.go", "lib/opts.go", "lib/other.go"},
		"example.com/m/heavy": {"heavy/big.go"},
	}
	src := func(ip string) (*Source, bool) {
		names, ok := dirs[ip]
		if !ok {
			return nil, false
		}
		return &Source{Path: ip, Files: names, Bodies: ip == "example.com/m/app",
			Read: func(name string) ([]byte, error) { return []byte(files[name]), nil }}, true
	}
	fset := token.NewFileSet()
	u := NewUniverse("head", fset, src)
	Prepare([]Root{{U: u, Path: "example.com/m/app"}})
	app := u.Get("example.com/m/app")
	if len(app.Errs) > 0 || app.Partial > 0 {
		t.Fatalf("the target does not type-check: %q (%d partial)", app.Errs, app.Partial)
	}
	var parsed []string
	fset.Iterate(func(f *token.File) bool {
		parsed = append(parsed, f.Name())
		return true
	})
	slices.Sort(parsed)
	want := []string{"app/main.go", "lib/client.go", "lib/do.go", "lib/opts.go"}
	if diff := cmp.Diff(want, parsed); diff != "" {
		t.Errorf("files parsed (-want +got):\n%s", diff)
	}
}
