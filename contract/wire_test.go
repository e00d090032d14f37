package contract

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A field is Validated when a validation tag requires it: gin's binding
// tag or go-playground/validator's validate tag, with a required rule
// among others; a conditional rule or an optional field is not.
func TestLayoutValidated(t *testing.T) {
	const src = `package p

type Req struct {
	A string ` + "`json:\"a\" binding:\"required\"`" + `
	B string ` + "`json:\"b\" validate:\"required,min=2\"`" + `
	C string ` + "`json:\"c\" validate:\"required_if=A x\"`" + `
	D string ` + "`json:\"d\" binding:\"omitempty,max=3\"`" + `
	E string ` + "`json:\"e\"`" + `
	F string ` + "`json:\"f\" form:\"required\"`" + `
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := pkg.Scope().Lookup("Req").Type().(*types.Named)
	got := map[string]bool{}
	for _, wf := range layoutOf(n, func(*types.Var) (string, int) { return "p.go", 1 }).Fields {
		got[wf.Key] = wf.Validated
	}
	want := map[string]bool{"a": true, "b": true, "c": false, "d": false, "e": false, "f": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Validated by key (-want +got):\n%s", diff)
	}
}
