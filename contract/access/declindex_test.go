package access

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// declsOf is what go/parser says a file declares at package level, as
// declIndex lists it.
func declsOf(f *ast.File) (names, recvs []string) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil {
				recvs = append(recvs, RecvType(d.Recv))
			} else {
				names = append(names, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names = append(names, s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names, recvs
}

func TestDeclIndex(t *testing.T) {
	cases := map[string]struct {
		src          string
		names, recvs []string
	}{
		"every kind": {`package p

import (
	"fmt"
	x "strings"
)
import "os"

const A, B = 1, 2
const (
	C = iota
	D
	E, F int = 1, 2
)
var (
	G = map[string]int{"a": 1}
	H, I = fmt.Sprint, x.ToUpper
	_ = os.Exit
)
var J struct{ K int }
type L struct{ M int }
type (
	N[T any] []T
	O = N[int]
	P interface{ Q() }
)
func R[T any](t T) (T, error) { return t, nil }
func (l *L) S() {}
func (n N[T]) U() {}
func (L) V() int
func init() {}
`, []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "_", "J", "L", "N", "O", "P", "R", "init"}, []string{"L", "N", "L"}},
		"one line group":   {"package p; var (a = 1; b = 2); func (*T) m() {}\n", []string{"a", "b"}, []string{"T"}},
		"a func value var": {"package p\n\nvar f = func() int {\n\treturn 1\n}()\n", []string{"f"}, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			names, recvs, ok := declIndex(stripBodies([]byte(tc.src)))
			if !ok {
				t.Fatal("declIndex gave up")
			}
			if diff := cmp.Diff(tc.names, names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.recvs, recvs); diff != "" {
				t.Errorf("receivers (-want +got):\n%s", diff)
			}
		})
	}
	if _, _, ok := declIndex([]byte("package p\n\nfunc (\n")); ok {
		t.Error("declIndex read a broken file")
	}
}

// On the standard library, declIndex lists what go/parser finds, file by
// file (or gives up, and the file is parsed).
func TestDeclIndexMatchesParser(t *testing.T) {
	root := filepath.Join(build.Default.GOROOT, "src")
	n, gaveUp := 0, 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.Contains(p, "testdata") || n >= 2500 {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, src, parser.SkipObjectResolution)
		if err != nil {
			return nil
		}
		n++
		names, recvs, ok := declIndex(stripBodies(src))
		if !ok {
			gaveUp++
			return nil
		}
		wantNames, wantRecvs := declsOf(f)
		slices.Sort(names)
		slices.Sort(recvs)
		slices.Sort(wantNames)
		slices.Sort(wantRecvs)
		if !slices.Equal(names, wantNames) || !slices.Equal(recvs, wantRecvs) {
			t.Errorf("%s: declIndex %v %v, go/parser %v %v", p, names, recvs, wantNames, wantRecvs)
		}
		return nil
	})
	if n < 1000 {
		t.Errorf("only %d files of GOROOT compared", n)
	}
	t.Logf("%d files compared, declIndex gave up on %d", n, gaveUp)
	if gaveUp > n/100 {
		t.Errorf("declIndex gave up on %d of %d files", gaveUp, n)
	}
}
