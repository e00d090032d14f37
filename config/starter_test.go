package config

import (
	"testing"

	"github.com/deployorder/deployorder/internal/golden"
	"github.com/google/go-cmp/cmp"
)

func TestProposals(t *testing.T) {
	found := []Found{
		{Name: "billing", Dir: "cmd/billing"},
		{Name: "runner", Dir: "e2e/runner"},
		{Name: "e2e/load", Dir: "e2e/tools/load"},
		{Name: "gen", Dir: "internal/tools/gen"},
		{Name: "tools", Dir: "tools"},
		{Name: "hello", Dir: "Examples/hello"},
		{Name: "contest", Dir: "cmd/contest"},         // "test" inside a name is not a segment
		{Name: "testsvc", Dir: "cmd/testsvc"},         // nor is a prefix
		{Name: "demo", Dir: "cmd/demo"},               // not on the list: may well be deployed
		{Name: "server", Dir: "we[ird]/fakes/server"}, // glob characters are escaped
		// A harness around example code (open-match's cmd/scale-backend),
		// whatever else it imports; not a main importing a library under
		// pkg/tools or pkg/fake, nor one importing its own subpackage.
		{Name: "scale-backend", Dir: "cmd/scale-backend", Imports: []string{"internal/appmain", "examples/scale/backend"}},
		{Name: "api", Dir: "cmd/api", Imports: []string{"internal/api", "pkg/tools/retry", "pkg/fake/clock"}},
		{Name: "loadgen", Dir: "cmd/loadgen", Imports: []string{"cmd/loadgen/tests"}},
		{Name: "root", Dir: ".", Imports: []string{"examples/x"}},
	}
	want := []Proposal{
		{Glob: "Examples/**", Dir: "Examples", Why: "examples", Mains: []string{"Examples/hello"}},
		{Glob: "cmd/scale-backend/**", Dir: "cmd/scale-backend", Why: "examples", Mains: []string{"cmd/scale-backend"}, Via: "examples/scale/backend"},
		{Glob: "e2e/**", Dir: "e2e", Why: "end-to-end tests", Mains: []string{"e2e/runner", "e2e/tools/load"}},
		{Glob: "internal/tools/**", Dir: "internal/tools", Why: "developer tools", Mains: []string{"internal/tools/gen"}},
		{Glob: "tools/**", Dir: "tools", Why: "developer tools", Mains: []string{"tools"}},
		{Glob: `we\[ird\]/fakes/**`, Dir: "we[ird]/fakes", Why: "fakes for tests", Mains: []string{"we[ird]/fakes/server"}},
	}
	if diff := cmp.Diff(want, Proposals(found)); diff != "" {
		t.Errorf("Proposals (-want +got):\n%s", diff)
	}
}

// TestStarterParses checks that what Starter writes parses, and excludes
// exactly the main packages it proposes to exclude.
func TestStarterParses(t *testing.T) {
	tests := []struct {
		name     string
		found    []Found
		excluded []string
	}{
		{name: "no main package"},
		{name: "services only", found: []Found{{Name: "api", Dir: "cmd/api"}, {Name: "shop", Dir: "."}}},
		{name: "test-looking mains",
			found:    []Found{{Name: "api", Dir: "cmd/api"}, {Name: "runner", Dir: "e2e/runner"}, {Name: "gen", Dir: "hack/gen"}, {Name: "tools", Dir: "tools"}},
			excluded: []string{"e2e/runner", "hack/gen", "tools"}},
		{name: "a main around example code",
			found:    []Found{{Name: "api", Dir: "cmd/api"}, {Name: "scale", Dir: "cmd/scale", Imports: []string{"examples/scale"}}},
			excluded: []string{"cmd/scale"}},
		{name: "odd names",
			found: []Found{
				{Name: "null", Dir: "cmd/null"}, {Name: "a b", Dir: "cmd/a b"}, {Name: `q"uote`, Dir: `cmd/q"uote`},
				{Name: "new\nline", Dir: "tests/new\nline"}, {Name: "star", Dir: "examples/*/star"}, {Name: "x#y", Dir: "mocks/x#y: z"},
			},
			excluded: []string{"tests/new\nline", "examples/*/star", "mocks/x#y: z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := Starter(tt.found)
			c, err := Parse(FileName, data)
			if err != nil {
				t.Fatalf("Parse(Starter) = %v\n%s", err, data)
			}
			if len(c.Services) > 0 || len(c.Ignore) > 0 || len(c.Accept) > 0 {
				t.Errorf("Starter declares more than excludes: %+v", c)
			}
			var excluded []string
			for _, f := range tt.found {
				if MatchAny(c.Exclude, f.Dir) {
					excluded = append(excluded, f.Dir)
				}
			}
			if diff := cmp.Diff(tt.excluded, excluded); diff != "" {
				t.Errorf("excluded (-want +got):\n%s\n%s", diff, data)
			}
		})
	}
}

func TestStarterGolden(t *testing.T) {
	got := Starter([]Found{
		{Name: "billing", Dir: "cmd/billing"}, {Name: "frontend", Dir: "cmd/frontend"},
		{Name: "payments", Dir: "services/payments"},
		{Name: "runner", Dir: "e2e/runner"}, {Name: "load", Dir: "e2e/load"},
		{Name: "hello", Dir: "examples/hello"}, {Name: "gen", Dir: "hack/gen"},
		{Name: "scale", Dir: "cmd/scale", Imports: []string{"internal/app", "examples/scale/backend"}},
		{Name: "cmd", Dir: "cmd"}, {Name: "shop", Dir: "."},
	})
	golden.Check(t, "testdata/starter.yaml", string(got))
}
