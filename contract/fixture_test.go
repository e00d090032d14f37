package contract_test

import (
	"context"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/config"
	"github.com/deployorder/deployorder/contract"
	"github.com/deployorder/deployorder/gitdiff"
	"github.com/deployorder/deployorder/graph"
	"github.com/deployorder/deployorder/internal/testrepo"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/tools/txtar"
)

var fixtureFilter = flag.String("fixture", "", "run only the analysis fixtures whose name contains this")

// TestAnalysisFixtures runs the real analysis (contract.Analyze on a git
// range, as the pipeline does) on each module in testdata/analysis/*.txtar
// and compares what it reports with the `// want "writes T.key"` comments
// on the lines, like x/tools' analysistest.
//
// Files named base/PATH exist only at the base of the range, head/PATH only
// at its head, and the others at both; an archive with no base/ file plans
// its first commit (the base is empty). A want comment is about the side
// of the file's version: head for head/ and shared files, base for base/
// files; "base: reads T.k" in a shared file is about its base. A read under
// a condition on another key of the contract says so: "reads T.old if
// T.new"; an optional read of a process contract (a variable or an
// annotation the program does without, an RPC call that handles
// Unimplemented) ends in " optionally"; a note of
// the analysis on a line is "note CODE". Only the
// elements of contracts that the range changes are reported, as by the
// plan. Every tagged struct type in a non-main package is a contract (as
// if configured); a deployorder.yaml in the archive binds types as the
// config does.
func TestAnalysisFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/analysis/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		if !strings.Contains(name, *fixtureFilter) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			res := analyzeFixture(t, ar)
			for _, w := range res.Warnings {
				t.Errorf("analysis warning: %s [%s]", w.Message, w.Code)
			}
			if diff := cmp.Diff(wants(ar), observed(res)); diff != "" {
				t.Errorf("accesses (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPrepassInterest checks, on each archive in testdata/prepass, the
// contract types that the syntax-only pass finds of interest (the
// archive comment's "interest:" line, space-separated): fewer, and the
// analysis type-checks less; too few, and it misses a change.
func TestPrepassInterest(t *testing.T) {
	files, err := filepath.Glob("testdata/prepass/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m := regexp.MustCompile(`(?m)^interest:(.*)$`).FindSubmatch(ar.Comment)
			if m == nil {
				t.Fatal("no interest: line in the archive comment")
			}
			want := strings.Fields(string(m[1]))
			in := fixtureInput(t, ar)
			got := contract.InterestOf(in)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("types of interest (-want +got):\n%s", diff)
			}
			// An optional targets: line lists the packages checked with
			// bodies at head.
			if m := regexp.MustCompile(`(?m)^targets:(.*)$`).FindSubmatch(ar.Comment); m != nil {
				want := strings.Fields(string(m[1]))
				if diff := cmp.Diff(want, contract.TargetsOf(in), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("targets at head (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// sideOf splits an archive file name into its side ("" for both) and path.
func sideOf(name string) (string, string) {
	for _, side := range []string{"base", "head"} {
		if p, ok := strings.CutPrefix(name, side+"/"); ok {
			return side, p
		}
	}
	return "", name
}

// analyzeFixture builds the archive's base and head as two commits and
// analyses the range between them.
func analyzeFixture(t *testing.T, ar *txtar.Archive) *contract.Result {
	t.Helper()
	res, err := contract.Analyze(context.Background(), fixtureInput(t, ar))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// fixtureInput builds the archive's base and head as two commits and
// returns the input of the analysis of the range between them.
func fixtureInput(t *testing.T, ar *txtar.Archive) contract.Input {
	t.Helper()
	r := testrepo.New(t)
	files := map[string]map[string]string{"base": {}, "head": {}}
	hasBase := false
	for _, f := range ar.Files {
		side, p := sideOf(f.Name)
		hasBase = hasBase || side == "base"
		for _, s := range []string{"base", "head"} {
			if side == "" || side == s {
				files[s][p] = string(f.Data)
			}
		}
	}
	spec := "HEAD"
	if hasBase {
		r.CommitFiles("base", files["base"])
		for p := range files["base"] {
			if _, ok := files["head"][p]; !ok {
				r.Remove(p)
			}
		}
		spec = "HEAD~1..HEAD"
	}
	r.CommitFiles("head", files["head"])

	cfg, err := config.Load(r.Dir, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Contracts = append(cfg.Contracts, taggedTypes(t, files)...)
	repo, err := gitdiff.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { repo.Close() })
	rg, err := repo.ResolveCommits(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Diff(rg); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ws, err := graph.Load(ctx, graph.LoadOptions{Root: r.Dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws.Warnings {
		t.Logf("load warning: %s", w.Message)
	}
	base := ws.ReadBase(rg, repo)
	return contract.Input{Range: rg, Workspace: ws, Base: base, Impact: ws.Impact(rg, base, cfg), Config: cfg}
}

// taggedTypes lists, as configured contracts, the struct types with json or
// protobuf tags declared in the non-main packages of the archive's module.
func taggedTypes(t *testing.T, files map[string]map[string]string) []config.Contract {
	module := ""
	for _, side := range []string{"head", "base"} {
		if m := regexp.MustCompile(`(?m)^module (\S+)`).FindStringSubmatch(files[side]["go.mod"]); m != nil {
			module = m[1]
		}
	}
	seen := map[string]bool{}
	var out []config.Contract
	for _, side := range []string{"base", "head"} {
		for p, src := range files[side] {
			if !strings.HasSuffix(p, ".go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), p, src, parser.SkipObjectResolution)
			if err != nil {
				t.Fatalf("%s does not parse: %v", p, err)
			}
			if f.Name.Name == "main" {
				continue
			}
			for _, d := range f.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok {
					continue
				}
				for _, s := range gd.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok || !tagged(st) {
						continue
					}
					key := path.Join(module, path.Dir(p)) + "." + ts.Name.Name
					if !seen[key] {
						seen[key] = true
						out = append(out, config.Contract{Types: []string{key}})
					}
				}
			}
		}
	}
	return out
}

func tagged(st *ast.StructType) bool {
	for _, f := range st.Fields.List {
		if f.Tag == nil {
			continue
		}
		tag, _ := strconv.Unquote(f.Tag.Value)
		if _, ok := reflect.StructTag(tag).Lookup("json"); ok {
			return true
		}
		if _, ok := reflect.StructTag(tag).Lookup("protobuf"); ok {
			return true
		}
	}
	return false
}

var (
	wantRE   = regexp.MustCompile(`// want((?: "[^"]*")+)\s*$`)
	quotedRE = regexp.MustCompile(`"[^"]*"`)
)

// wants reads the expectations: "side file:line" -> sorted "writes T.k".
func wants(ar *txtar.Archive) map[string][]string {
	out := map[string][]string{}
	for _, f := range ar.Files {
		side, p := sideOf(f.Name)
		for i, line := range strings.Split(string(f.Data), "\n") {
			m := wantRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			for _, q := range quotedRE.FindAllString(m[1], -1) {
				s, _ := strconv.Unquote(q)
				at := side
				if rest, ok := strings.CutPrefix(s, "base: "); ok {
					s, at = rest, "base"
				}
				if at == "" {
					at = "head"
				}
				k := fmt.Sprintf("%s %s:%d", at, p, i+1)
				out[k] = append(out[k], s)
			}
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// observed renders what the analysis reports: "side file:line" -> sorted
// "writes T.k" / "reads T.k", for every element of every contract it
// returns; a read under conditions on other keys ends in " if T.g" for
// each.
func observed(res *contract.Result) map[string][]string {
	out := map[string][]string{}
	for _, c := range res.Contracts {
		add := func(side contract.Side, roles contract.Roles, verb, name string) {
			for _, places := range roles {
				for _, p := range places {
					k := fmt.Sprintf("%s %s:%d", side, p.File, p.Line)
					s := verb + " " + name
					for _, g := range p.Guards {
						s += " if " + c.Name + "." + g
					}
					if p.Optional && (c.Kind.IsProcess() || c.Kind == contract.RPC) {
						s += " optionally"
					}
					out[k] = append(out[k], s)
				}
			}
		}
		for _, e := range c.Elements {
			name := c.Name + "." + e.Key
			if !c.Kind.IsField() {
				name = contract.ElementName(c, e)
			}
			v := c.Kind.Verbs()
			for _, side := range contract.Sides {
				add(side, e.Providers[side], v.Provides, name)
				add(side, e.Consumers[side], v.Consumes, name)
			}
		}
	}
	for _, n := range res.Notes {
		side := "head"
		if n.Code == "LAUNCH_GONE" {
			side = "base" // about a launch site at base
		}
		k := fmt.Sprintf("%s %s:%d", side, n.File, n.Line)
		out[k] = append(out[k], "note "+n.Code)
	}
	for k := range out {
		slices.Sort(out[k])
		out[k] = slices.Compact(out[k])
	}
	return out
}

// TestRolesPerService checks which service each access counts for: a
// package with both sides of a protocol does not make every main both a
// writer and a reader (both_sides), and a method called through an
// interface counts for a service only with the types that reach it there
// (interfaces).
func TestRolesPerService(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		want    map[string][]string
	}{
		{"both_sides", map[string][]string{
			"asker":    {"reads Resp.answer", "writes Req.query"},
			"answerer": {"reads Req.query", "writes Resp.answer"},
		}},
		{"cobra_docs", map[string][]string{
			"app": {"reads Settings.mode", "writes Settings.mode"},
		}},
		{"interfaces", map[string][]string{
			"orders":  {"reads Order.region", "reads Order.tenant"},
			"refunds": {"reads Refund.tenant"},
		}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			ar, err := txtar.ParseFile("testdata/analysis/" + tc.fixture + ".txtar")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, c := range analyzeFixture(t, ar).Contracts {
				for _, e := range c.Elements {
					name := c.Name + "." + e.Key
					for svc := range e.Providers[contract.Head] {
						got[svc] = append(got[svc], "writes "+name)
					}
					for svc := range e.Consumers[contract.Head] {
						got[svc] = append(got[svc], "reads "+name)
					}
				}
			}
			for k := range got {
				slices.Sort(got[k])
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("roles per service (-want +got):\n%s", diff)
			}
		})
	}
}

// A panic of the extraction, which runs on a goroutine of its own, is
// raised again on the caller's, with the place it happened in: main turns
// it into one line instead of a crash with a stack.
func TestExtractionPanicReachesCaller(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/analysis/both_sides.txtar")
	if err != nil {
		t.Fatal(err)
	}
	in := fixtureInput(t, ar)
	defer contract.SetExtractHook(func() { panic("boom") })()
	defer func() {
		r := recover()
		msg, _ := r.(string)
		if !strings.HasPrefix(msg, "boom (") || !strings.Contains(msg, "fixture_test.go:") {
			t.Errorf("recovered %#v, want the panic with the place it happened", r)
		}
	}()
	contract.Analyze(context.Background(), in)
	t.Error("Analyze returned")
}
