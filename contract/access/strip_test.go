package access

import (
	"bytes"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStripBodies(t *testing.T) {
	src := `package p

import "fmt"

type T struct{ A int }

func (t T) M(x struct{ b int }) interface{ N() } {
	fmt.Println("}{", '}', ` + "`\n}`" + `)
	return nil
}

func G[X interface{ ~int }](x X) map[string]struct{} { if true { return nil }; return nil }

func Asm(x int) int

var F = func() int {
	return 1
}

var table = map[string]struct{ a, b int }{
	"x": {1, 2},
}

var (
	list = []int{1, 2, 3}
	pt   = struct{ X int }{X: 4}
)

type Fn func(int) error
`
	got := string(stripBodies([]byte(src)))
	if strings.Count(got, "\n") != strings.Count(src, "\n") {
		t.Fatalf("lines changed:\n%s", got)
	}
	for _, gone := range []string{"Println", "return nil", "return 1", `"x"`, "1, 2, 3", "X: 4"} {
		if strings.Contains(got, gone) {
			t.Errorf("body text %q survived:\n%s", gone, got)
		}
	}
	for _, kept := range []string{"struct{ A int }", "struct{ b int }", "interface{ N() }", "interface{ ~int }", "map[string]struct{}", "func Asm(x int) int", "type Fn func(int) error", "map[string]struct{ a, b int }{", "[]int{", "struct{ X int }{"} {
		if !strings.Contains(got, kept) {
			t.Errorf("declaration text %q lost:\n%s", kept, got)
		}
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", got, 0)
	if err != nil {
		t.Fatalf("stripped source does not parse: %v\n%s", err, got)
	}
	if line := fset.Position(f.Decls[len(f.Decls)-1].Pos()).Line; line != strings.Count(src[:strings.Index(src, "type Fn")], "\n")+1 {
		t.Errorf("last declaration moved to line %d", line)
	}
}

// TestStripBodiesMatchesScanner checks the byte-level stripper against the
// go/scanner one it replaced, on the standard library's files (strings,
// raw strings, runes, comments, automatic semicolons, generics, and code
// in every style) and on hand-written corner cases.
func TestStripBodiesMatchesScanner(t *testing.T) {
	cases := map[string]string{
		"block comment ends a statement": "package p\n\nfunc Asm() int /* no body\n */\n\nfunc F() { x() }\n",
		"rune and string with braces":    "package p\n\nvar r = '{'\n\nfunc F() string { return \"}\\\"{\" + `}` }\n\nvar m = map[rune]string{'}': \"{\"}\n",
		"unicode identifiers":            "package p\n\nvar funcé = 1\n\nfunc Ünï() struct{ é int } { return struct{ é int }{} }\n",
		"increment before a newline":     "package p\n\nvar x = func() int { i := 0; i++\n return i }()\n\nfunc G()\n\nfunc H() {}\n",
		"numbers":                        "package p\n\nconst f = 1e-5 + 0x1p-2 + .5i + 1_000\n\nfunc F() { _ = 0x_ff }\n",
		"unterminated":                   "package p\n\nfunc F() { \"x\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			if got, want := string(stripBodies([]byte(src))), string(stripBodiesScanner([]byte(src))); got != want {
				t.Errorf("byte-level:\n%s\ngo/scanner:\n%s", got, want)
			}
		})
	}
	root := filepath.Join(build.Default.GOROOT, "src")
	n := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || n >= 3000 {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		n++
		if got, want := stripBodies(src), stripBodiesScanner(src); !bytes.Equal(got, want) {
			t.Errorf("%s: the byte-level stripper differs from go/scanner's", p)
		}
		return nil
	})
	if n < 1000 {
		t.Errorf("only %d files of GOROOT compared", n)
	}
}
