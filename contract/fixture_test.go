package contract

import (
	"context"
	"flag"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/config"
	"github.com/deployorder/deployorder/contract/access"
	"github.com/deployorder/deployorder/graph"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

var fixtureFilter = flag.String("fixture", "", "run only the analysis fixtures whose name contains this")

// TestAnalysisFixtures runs the access analysis on each module in
// testdata/analysis/*.txtar and compares what it records with the
// `// want "writes T.key" "reads T.key"` comments on each line, like
// x/tools' analysistest. Every tagged struct in a non-main package is a
// contract; a deployorder.yaml in the archive binds types as the config
// does.
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
			dir := t.TempDir()
			for _, f := range ar.Files {
				p := filepath.Join(dir, f.Name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := config.Load(dir, "")
			if err != nil {
				t.Fatal(err)
			}
			want := wants(t, ar)
			got := observe(t, dir, cfg)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("accesses (-want +got):\n%s", diff)
			}
		})
	}
}

var wantRE = regexp.MustCompile(`// want((?: "[^"]*")+)\s*$`)

// wants reads the expectations: file:line -> sorted "writes T.k" strings.
func wants(t *testing.T, ar *txtar.Archive) map[string][]string {
	out := map[string][]string{}
	for _, f := range ar.Files {
		for i, line := range strings.Split(string(f.Data), "\n") {
			m := wantRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			for _, q := range regexp.MustCompile(`"[^"]*"`).FindAllString(m[1], -1) {
				s, _ := strconv.Unquote(q)
				out[fmt.Sprintf("%s:%d", f.Name, i+1)] = append(out[fmt.Sprintf("%s:%d", f.Name, i+1)], s)
			}
		}
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// observe runs the analysis on every in-repo package of the module and
// renders each access as "writes T.key" at its line.
func observe(t *testing.T, dir string, cfg *config.Config) map[string][]string {
	ws, err := graph.Load(context.Background(), graph.LoadOptions{Root: dir, Config: cfg, Modules: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws.Warnings {
		t.Logf("load warning: %s", w.Message)
	}
	a := &analysis{ws: ws, cfg: cfg, fset: token.NewFileSet(), interest: map[string]bool{}, bound: map[string]string{}, res: &Result{}}
	for _, c := range cfg.Contracts {
		for _, ty := range c.Types {
			a.interest[ty] = true
			if c.Name != "" {
				a.bound[ty] = c.Name
			}
		}
	}
	all := map[string]bool{}
	for ip, p := range ws.Packages {
		if p.InRepo {
			all[ip] = true
		}
	}
	u := access.NewUniverse("head", a.fset, headSource(ws, nil, all))
	for _, ip := range sortedKeys(all) {
		tp := u.Get(ip)
		for _, e := range tp.Errs {
			t.Errorf("type error in fixture: %s", e)
		}
		if tp.Types == nil || ws.Packages[ip].Name == "main" {
			continue
		}
		for _, n := range tp.Types.Scope().Names() {
			if tn, ok := tp.Types.Scope().Lookup(n).(interface{ Name() string }); ok {
				if _, st := access.NamedStruct(tp.Types.Scope().Lookup(n).Type()); st != nil {
					if j, p := hasWireTags(st); j || p {
						a.interest[ip+"."+tn.Name()] = true
					}
				}
			}
		}
	}
	layouts := a.layouts(u)
	tracked := map[string]bool{}
	for ty, l := range layouts {
		tracked[ty] = true
		for _, f := range l.Fields {
			for _, r := range f.Refs {
				tracked[r.Type] = true
			}
		}
	}
	names := map[string]string{} // type -> contract display name
	for ty := range layouts {
		names[ty] = ty[strings.LastIndex(ty, ".")+1:]
		if b, ok := a.bound[ty]; ok {
			names[ty] = b
		}
	}
	type keyPath struct {
		name string
		refs []access.FieldRef
	}
	var paths []keyPath
	for ty, l := range layouts {
		for _, f := range l.Fields {
			paths = append(paths, keyPath{names[ty] + "." + f.Key, f.Refs})
		}
	}
	sum := access.NewSummaries()
	out := map[string][]string{}
	for _, tp := range topo(u, all) {
		for _, acc := range access.Walk(a.fset, tp, tracked, sum) {
			var keys []string
			if acc.Whole != "" {
				seen := map[string]bool{}
				var walk func(string)
				walk = func(ty string) {
					if seen[ty] || layouts[ty] == nil {
						return
					}
					seen[ty] = true
					for _, f := range layouts[ty].Fields {
						keys = append(keys, names[ty]+"."+f.Key)
						for _, n := range f.Nested {
							walk(n)
						}
					}
				}
				walk(acc.Whole)
			} else {
				for _, kp := range paths {
					if hasPrefix(kp.refs, acc.Path) {
						keys = append(keys, kp.name)
					}
				}
			}
			where := fmt.Sprintf("%s:%d", acc.File, acc.Line)
			for _, k := range keys {
				if acc.Write {
					out[where] = append(out[where], "writes "+k)
				}
				if acc.Read {
					out[where] = append(out[where], "reads "+k)
				}
			}
		}
	}
	for k := range out {
		sort.Strings(out[k])
		out[k] = dedupeStrings(out[k])
	}
	return out
}

func dedupeStrings(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
