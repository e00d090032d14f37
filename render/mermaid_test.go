package render

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/planner"
	"github.com/google/go-cmp/cmp"
)

// flowchart is a parsed Mermaid flowchart, as far as the tests need it.
type flowchart struct {
	steps []int                  // subgraph step numbers, in order of appearance
	nodes map[string]stepService // node ID -> its step and service
	edges [][3]string            // from ID, to ID, label
}

type stepService struct {
	step    int
	service string
}

var (
	subgraphRE = regexp.MustCompile(`^  subgraph step(\d+) \["step (\d+): [a-z]+[^"]*"\]$`)
	nodeRE     = regexp.MustCompile(`^    (\w+)\["([^"]*)"\]$`)
	edgeRE     = regexp.MustCompile(`^  (\w+) (?:-->|-\.->)\|"([^"]*)"\| (\w+)$`)
	orderRE    = regexp.MustCompile(`^  step(\d+) ~~~ step(\d+)$`)
)

// parseFlowchart reads the renderer's output strictly: every line must be
// one it writes.
func parseFlowchart(t *testing.T, text string) flowchart {
	t.Helper()
	fc := flowchart{nodes: map[string]stepService{}}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if lines[0] != "flowchart LR" {
		t.Fatalf("first line = %q, want flowchart LR", lines[0])
	}
	step := 0
	for _, l := range lines[1:] {
		switch {
		case subgraphRE.MatchString(l):
			m := subgraphRE.FindStringSubmatch(l)
			if m[1] != m[2] {
				t.Errorf("subgraph step%s is titled step %s", m[1], m[2])
			}
			step, _ = strconv.Atoi(m[1])
			fc.steps = append(fc.steps, step)
		case l == "    direction TB":
		case l == "  end":
			step = 0
		case nodeRE.MatchString(l):
			m := nodeRE.FindStringSubmatch(l)
			if step == 0 {
				t.Errorf("node outside a step: %q", l)
			}
			if _, dup := fc.nodes[m[1]]; dup {
				t.Errorf("node %s is declared twice", m[1])
			}
			fc.nodes[m[1]] = stepService{step, unescapeMermaid(m[2])}
		case edgeRE.MatchString(l):
			m := edgeRE.FindStringSubmatch(l)
			fc.edges = append(fc.edges, [3]string{m[1], m[3], m[2]})
		case orderRE.MatchString(l):
			m := orderRE.FindStringSubmatch(l)
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[2])
			if b != a+1 {
				t.Errorf("steps linked out of order: %q", l)
			}
		default:
			t.Errorf("unexpected line %q", l)
		}
	}
	return fc
}

func unescapeMermaid(s string) string {
	return strings.NewReplacer("#quot;", `"`, "#96;", "`", "#lt;", "<", "#gt;", ">", "#124;", "|", "#35;", "#").Replace(s)
}

// checkFlowchart asserts that every step and each of its services appears,
// and that every edge joins two declared nodes from a lower step to a
// higher one.
func checkFlowchart(t *testing.T, p *planner.Plan, fc flowchart) {
	t.Helper()
	var wantSteps []int
	want := map[stepService]bool{}
	for _, st := range p.Steps {
		wantSteps = append(wantSteps, st.Index)
		for _, s := range st.Services {
			want[stepService{st.Index, s}] = true
		}
	}
	if diff := cmp.Diff(wantSteps, fc.steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	got := map[stepService]bool{}
	for _, n := range fc.nodes {
		got[n] = true
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	for _, e := range fc.edges {
		from, ok1 := fc.nodes[e[0]]
		to, ok2 := fc.nodes[e[1]]
		if !ok1 || !ok2 {
			t.Errorf("edge %s -> %s joins an undeclared node", e[0], e[1])
			continue
		}
		if from.step >= to.step {
			t.Errorf("edge %s -> %s points from step %d to step %d", e[0], e[1], from.step, to.step)
		}
	}
}

func TestMermaidSplitPlan(t *testing.T) {
	p := splitPlan()
	text := render(t, Mermaid{}, p)
	if strings.Contains(text, "```") {
		t.Error("-o mermaid wrote a Markdown fence")
	}
	fc := parseFlowchart(t, text)
	checkFlowchart(t, p, fc)
	var edges []string
	for _, e := range fc.edges {
		edges = append(edges, fmt.Sprintf("%s@%d -> %s@%d: %s", fc.nodes[e[0]].service, fc.nodes[e[0]].step, fc.nodes[e[1]].service, fc.nodes[e[1]].step, e[2]))
	}
	want := []string{
		"metadata@1 -> billing@2: Response.metadata_v2 (PROVIDE_BEFORE_CONSUME)",
		"metadata@1 -> frontend@2: Response.metadata_v2 (PROVIDE_BEFORE_CONSUME)",
		"billing@2 -> metadata@3: Response.metadata (STOP_CONSUME_BEFORE_STOP_PROVIDE)",
		"frontend@2 -> metadata@3: Response.metadata (STOP_CONSUME_BEFORE_STOP_PROVIDE)",
	}
	if diff := cmp.Diff(want, edges); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
}

func TestMermaidShapes(t *testing.T) {
	tolerant := &planner.Plan{
		Steps: []planner.Step{
			{Index: 1, Phase: planner.PhaseDeploy, Services: []string{"r"}},
			{Index: 2, Phase: planner.PhaseDeploy, Services: []string{"w"}},
			{Index: 3, Phase: planner.PhaseDeploy, Services: []string{"x", "y"}},
		},
		Edges: []planner.Edge{
			{From: "r", FromStep: 1, To: "w", ToStep: 2, Keys: []string{"T.old"}, Rule: "STOP_CONSUME_BEFORE_STOP_PROVIDE", Critical: true},
			{From: "w", FromStep: 2, To: "x", ToStep: 3, Keys: []string{"T.new"}, Rule: "PROVIDE_BEFORE_CONSUME"},
		},
	}
	// Names that clash once reduced to an ID, and one that is a Mermaid keyword.
	clash := &planner.Plan{
		Steps: []planner.Step{
			{Index: 1, Phase: planner.PhaseExpand, Services: []string{"a-b", "a.b", "end"}},
			{Index: 2, Phase: planner.PhaseSwitch, Services: []string{"c|d", "end"}},
		},
		Edges: []planner.Edge{
			{From: "a-b", FromStep: 1, To: "c|d", ToStep: 2, Keys: []string{`T."k"`}, Rule: "R1", Critical: true},
			{From: "a.b", FromStep: 1, To: "end", ToStep: 2, Keys: []string{"T.k"}, Rule: "R2", Critical: true},
		},
	}
	// Several keys between the same two nodes are one edge; its label
	// names two of them.
	many := &planner.Plan{
		Steps: []planner.Step{
			{Index: 1, Phase: planner.PhaseDeploy, Services: []string{"m"}},
			{Index: 2, Phase: planner.PhaseDeploy, Services: []string{"b"}},
		},
		Edges: []planner.Edge{
			{From: "m", FromStep: 1, To: "b", ToStep: 2, Keys: []string{"T.a", "T.b", "T.c"}, Rule: "W", Critical: true},
		},
	}
	tests := []struct {
		name  string
		plan  *planner.Plan
		edges []string // "fromID arrow toID"
	}{
		{"noop", &planner.Plan{}, nil},
		{"tolerant reader", tolerant, []string{`s1_r -->|"T.old (STOP_CONSUME_BEFORE_STOP_PROVIDE)"| s2_w`,
			`s2_w -.->|"T.new (PROVIDE_BEFORE_CONSUME)"| s3_x`}},
		{"clashing names", clash, []string{`s1_a_b -->|"T.#quot;k#quot; (R1)"| s2_c_d`,
			`s1_a_b_2 -->|"T.k (R2)"| s2_end`}},
		{"keys merged", many, []string{`s1_m -->|"T.a, T.b +1 (W)"| s2_b`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := render(t, Mermaid{}, tt.plan)
			if len(tt.plan.Steps) == 0 {
				if text != "flowchart LR\n  none[\"nothing to deploy\"]\n" {
					t.Errorf("noop graph = %q", text)
				}
				return
			}
			checkFlowchart(t, tt.plan, parseFlowchart(t, text))
			var got []string
			for _, l := range strings.Split(text, "\n") {
				if edgeRE.MatchString(l) {
					got = append(got, strings.TrimSpace(l))
				}
			}
			if diff := cmp.Diff(tt.edges, got); diff != "" {
				t.Errorf("edges (-want +got):\n%s\n%s", diff, text)
			}
		})
	}
}

func TestEdgeLabel(t *testing.T) {
	if got := edgeLabel(planner.Edge{Keys: []string{"Response.metadata_v2"}, Rule: "PROVIDE_BEFORE_CONSUME"}); got != "Response.metadata_v2 (PROVIDE_BEFORE_CONSUME)" {
		t.Errorf("label = %q", got)
	}
}
