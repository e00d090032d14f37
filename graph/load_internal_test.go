package graph

import (
	"testing"

	"golang.org/x/tools/go/packages"
)

// TestConvertOtherDropsForeignFiles: go list can report a package it could
// not find (its module refused by the proxy) with the files of the package
// that imports it. Type-checked as its own, they redeclare names and leave
// the missing package's undefined; the package must come out without files,
// so that the module cache is tried and, failing that, it is missing.
func TestConvertOtherDropsForeignFiles(t *testing.T) {
	w := &Workspace{}
	for _, tt := range []struct {
		name string
		lp   *packages.Package
		want int
	}{
		{"missing, no directory", &packages.Package{PkgPath: "example.com/kit/logger", GoFiles: []string{"/repo/cmd/app/main.go"},
			Errors: []packages.Error{{Msg: "cannot find module providing package example.com/kit/logger"}}}, 0},
		{"errors, files elsewhere", &packages.Package{PkgPath: "example.com/kit/logger", Dir: "/cache/example.com/kit/logger", GoFiles: []string{"/repo/cmd/app/main.go", "/cache/example.com/kit/logger/log.go"},
			Errors: []packages.Error{{Msg: "some error"}}}, 1},
		{"no errors: kept whole", &packages.Package{PkgPath: "example.com/kit/logger", Dir: "/cache/example.com/kit/logger", GoFiles: []string{"/cache/example.com/kit/logger/log.go", "/cache/gen/x.go"}}, 2},
	} {
		p, _ := w.convertOther(tt.lp, &Package{ImportPath: tt.lp.PkgPath})
		if len(p.GoFiles) != tt.want {
			t.Errorf("%s: GoFiles %v, want %d files", tt.name, p.GoFiles, tt.want)
		}
	}
}
