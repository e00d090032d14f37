package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFindBundles(t *testing.T) {
	set := func(ps ...string) map[string]bool {
		out := map[string]bool{}
		for _, p := range ps {
			out[p] = true
		}
		return out
	}
	closures := map[string]map[string]bool{
		// minimatch links backend's and frontend's own code and what they share.
		"backend":   set("app/backend", "pb", "log"),
		"frontend":  set("app/frontend", "pb", "log"),
		"minimatch": set("app/minimatch", "app/backend", "app/frontend", "app/query", "pb", "log"),
		// A tool that uses only shared code is inside every service, and
		// bundled by none: it has no code of its own.
		"tool": set("log"),
		// One service inside another is no all-in-one build: it takes two.
		"cli":    set("app/cli", "pb"),
		"server": set("app/cli", "app/server", "pb"),
		// query's code is linked by minimatch and by debug: it is nobody's
		// part.
		"query": set("app/query", "pb"),
		"debug": set("app/query", "app/debug", "pb"),
		"empty": set(),
	}
	want := []Bundle{{Service: "minimatch", Parts: []string{"backend", "frontend"}}}
	if diff := cmp.Diff(want, FindBundles(closures)); diff != "" {
		t.Errorf("FindBundles (-want +got):\n%s", diff)
	}
}
