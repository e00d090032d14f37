package graph

import (
	"strings"
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

// TestProblemWarningRelative: the go command names files by absolute path;
// inside the repository (or its temporary export) the warning names them
// relative to it, so that two plans of one commit say the same words.
func TestProblemWarningRelative(t *testing.T) {
	w := &Workspace{Root: "/tmp/deployorder-head-123", real: "/private/tmp/deployorder-head-123", Modules: []Module{{Path: "example.com/m", Dir: "."}}}
	p := moduleProblem{module: w.Modules[0], failed: true, msgs: []string{
		"malformed go.sum: /tmp/deployorder-head-123/go.sum:307: wrong number of fields 2",
		"/private/tmp/deployorder-head-123/cmd/app/main.go:3:2: no required module provides package example.com/x",
		"/elsewhere/go.sum:1: outside the repository",
	}}
	msg := w.problemWarning(p).Message
	for _, want := range []string{"malformed go.sum: go.sum:307: wrong", "| cmd/app/main.go:3:2: no required module", "| /elsewhere/go.sum:1: outside"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "deployorder-head") {
		t.Errorf("message names the export's directory:\n%s", msg)
	}
}
