package access

import (
	"go/parser"
	"go/token"
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
