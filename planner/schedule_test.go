package planner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeBeforeRead(w, r, key string) Constraint {
	return Constraint{From: w, FromPart: ExpandPart, To: r, ToPart: SwitchPart, Rule: ProvideBeforeConsume, Key: key, Critical: true,
		Why: w + " writes " + key + " before " + r + " reads it"}
}

func stopReadBeforeWrite(r, w, key string) Constraint {
	return Constraint{From: r, FromPart: SwitchPart, To: w, ToPart: ContractPart, Rule: StopConsumeBeforeStopProvide, Key: key, Critical: true,
		Why: r + " stops reading " + key + " before " + w + " stops writing it"}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		name     string
		services []string
		cons     []Constraint
		verdict  Verdict
		waves    []string
	}{
		{name: "nothing affected", verdict: Noop},
		{name: "no constraints", services: []string{"b", "a"}, verdict: Safe, waves: []string{"deploy:a,b"}},
		{name: "self constraints are ignored", services: []string{"a"}, cons: []Constraint{writeBeforeRead("a", "a", "k")}, verdict: Safe, waves: []string{"deploy:a"}},
		{
			name: "writer before readers", services: []string{"billing", "frontend", "metadata", "other"},
			cons:    []Constraint{writeBeforeRead("metadata", "billing", "v2"), writeBeforeRead("metadata", "frontend", "v2")},
			verdict: Ordered, waves: []string{"deploy:metadata,other", "deploy:billing,frontend"},
		},
		{
			name: "chain", services: []string{"a", "b", "c"},
			cons:    []Constraint{writeBeforeRead("a", "b", "x"), writeBeforeRead("b", "c", "y")},
			verdict: Ordered, waves: []string{"deploy:a", "deploy:b", "deploy:c"},
		},
		{
			name: "the seed's rename splits the writer", services: []string{"billing", "frontend", "metadata"},
			cons: []Constraint{
				writeBeforeRead("metadata", "billing", "metadata_v2"), writeBeforeRead("metadata", "frontend", "metadata_v2"),
				stopReadBeforeWrite("billing", "metadata", "metadata"), stopReadBeforeWrite("frontend", "metadata", "metadata"),
			},
			verdict: SplitRequired, waves: []string{"expand:metadata", "switch:billing,frontend", "contract:metadata"},
		},
		{
			name: "two services each add a field the other reads", services: []string{"a", "b"},
			cons:    []Constraint{writeBeforeRead("a", "b", "x"), writeBeforeRead("b", "a", "y")},
			verdict: SplitRequired, waves: []string{"expand:a,b", "switch:a,b"},
		},
		{
			name: "a tolerant reader forces no split", services: []string{"r", "w"},
			cons: []Constraint{
				func() Constraint { c := writeBeforeRead("w", "r", "new"); c.Critical = false; return c }(),
				stopReadBeforeWrite("r", "w", "old"),
			},
			verdict: Ordered, waves: []string{"deploy:r", "deploy:w"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := plan(tt.services, tt.cons)
			if got := verdict(tt.services, sc, nil); got != tt.verdict {
				t.Errorf("verdict = %s, want %s", got, tt.verdict)
			}
			var waves []string
			for _, w := range sc.waves {
				var names []string
				for _, n := range w {
					names = append(names, n.service)
				}
				waves = append(waves, string(partPhase[w[0].part])+":"+strings.Join(names, ","))
			}
			if diff := cmp.Diff(tt.waves, waves); diff != "" {
				t.Errorf("waves (-want +got):\n%s", diff)
			}
		})
	}
}
