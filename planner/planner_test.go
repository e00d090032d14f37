package planner

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/graph"
	"github.com/google/go-cmp/cmp"
)

// input builds an Input where each named service is changed by one commit.
func input(services []string, cons []Constraint) Input {
	rg := &change.Range{Spec: "HEAD", Head: strings.Repeat("b", 40), Base: strings.Repeat("a", 40),
		Commits: []change.Commit{{SHA: strings.Repeat("c", 40), Subject: "change"}}}
	im := &graph.Impact{Commits: map[string][]string{strings.Repeat("c", 40): services}}
	for _, s := range services {
		im.Services = append(im.Services, &graph.ServiceImpact{Service: &graph.Service{Name: s, Main: "example.com/" + s}, Status: graph.Changed})
	}
	im.Services = append(im.Services, &graph.ServiceImpact{Service: &graph.Service{Name: "zz-idle"}, Status: graph.Unchanged})
	return Input{Range: rg, Impact: im, Constraints: cons}
}

// waves renders steps as "phase:svc,svc" strings.
func waves(p *Plan) []string {
	var out []string
	for _, st := range p.Steps {
		out = append(out, string(st.Phase)+":"+strings.Join(st.Services, ","))
	}
	return out
}

func writeBeforeRead(w, r, key string) Constraint {
	return Constraint{From: w, FromPart: ExpandPart, To: r, ToPart: SwitchPart, Rule: "WRITE_BEFORE_READ", Key: key, Critical: true,
		Why: w + " writes " + key + " before " + r + " reads it"}
}

func stopReadBeforeWrite(r, w, key string) Constraint {
	return Constraint{From: r, FromPart: SwitchPart, To: w, ToPart: ContractPart, Rule: "STOP_READ_BEFORE_STOP_WRITE", Key: key, Critical: true,
		Why: r + " stops reading " + key + " before " + w + " stops writing it"}
}

func TestBuildSchedules(t *testing.T) {
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
			p := Build(input(tt.services, tt.cons))
			if p.Verdict != tt.verdict {
				t.Errorf("verdict = %s, want %s", p.Verdict, tt.verdict)
			}
			if diff := cmp.Diff(tt.waves, waves(p)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			for i, st := range p.Steps {
				if st.Index != i+1 {
					t.Errorf("step %d has index %d", i, st.Index)
				}
			}
			if len(p.Rollback) != len(p.Steps) {
				t.Errorf("rollback has %d steps, plan has %d", len(p.Rollback), len(p.Steps))
			}
		})
	}
}

func TestStepReasonsAndRollback(t *testing.T) {
	in := input([]string{"billing", "frontend", "metadata"}, []Constraint{
		writeBeforeRead("metadata", "billing", "metadata_v2"), writeBeforeRead("metadata", "frontend", "metadata_v2"),
		stopReadBeforeWrite("billing", "metadata", "metadata"), stopReadBeforeWrite("frontend", "metadata", "metadata"),
	})
	in.Soak = 24 * time.Hour
	p := Build(in)
	if got, want := p.Steps[1].Reason, "metadata writes metadata_v2 before billing and frontend read it (WRITE_BEFORE_READ)"; got != want {
		t.Errorf("step 2 reason = %q\nwant %q", got, want)
	}
	if p.Steps[2].Soak != "1d" || p.Steps[0].Soak != "" {
		t.Errorf("soak on steps = %q %q %q, want only the contract step", p.Steps[0].Soak, p.Steps[1].Soak, p.Steps[2].Soak)
	}
	var got []string
	for _, rb := range p.Rollback {
		got = append(got, strings.Join(rb.Services, ",")+" unsafe="+map[bool]string{true: "yes", false: "no"}[rb.Unsafe])
	}
	// Undo contract, then switch, then expand. Undoing the expand alone while
	// readers run the switch breaks them; undoing the switch alone while the
	// contract runs breaks the readers too.
	want := []string{"metadata unsafe=no", "billing,frontend unsafe=yes", "metadata unsafe=yes"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rollback (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(p.Rollback[2].Reason, "rolling back step 1 while step 2 runs breaks billing") {
		t.Errorf("rollback reason = %q", p.Rollback[2].Reason)
	}
	if len(p.Splits) != 1 || p.Splits[0].Commit != strings.Repeat("c", 40) || !cmp.Equal(p.Splits[0].Steps, []int{1, 2, 3}) {
		t.Fatalf("splits = %+v, want the commit split over steps 1, 2 and 3", p.Splits)
	}
	var parts []string
	for _, part := range p.Splits[0].Parts {
		parts = append(parts, fmt.Sprintf("%d %s: %s", part.Step, part.Service, part.Keep))
	}
	wantParts := []string{
		"1 metadata: write metadata_v2 and keep writing `metadata` until step 3",
		"2 billing: read `metadata_v2`, which earlier steps write",
		"2 frontend: read `metadata_v2`, which earlier steps write",
		"3 metadata: stop writing `metadata`, now that no reader needs it",
	}
	if diff := cmp.Diff(wantParts, parts); diff != "" {
		t.Errorf("split parts (-want +got):\n%s", diff)
	}
}

func TestVerdictBlockedByErrorFinding(t *testing.T) {
	in := input([]string{"a"}, nil)
	in.Findings = []Finding{{Severity: Error, Code: "READ_WITHOUT_WRITER", Message: "a reads k, nobody writes it"}}
	if p := Build(in); p.Verdict != Blocked || !strings.HasPrefix(p.Summary, "Blocked: 1 break") {
		t.Errorf("verdict = %s (%s), want blocked", p.Verdict, p.Summary)
	}
}

func TestFailLevel(t *testing.T) {
	tests := []struct {
		level   string
		verdict Verdict
		fails   bool
	}{
		{"split_required", Ordered, false},
		{"split_required", SplitRequired, true},
		{"split_required", Blocked, true},
		{"noop", Noop, true},
		{"never", Blocked, false},
		{"safe", Noop, false},
	}
	for _, tt := range tests {
		f, err := ParseFailLevel(tt.level)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Fails(tt.verdict); got != tt.fails {
			t.Errorf("--fail-on %s with %s: fails = %v, want %v", tt.level, tt.verdict, got, tt.fails)
		}
	}
	if _, err := ParseFailLevel("often"); err == nil {
		t.Error("ParseFailLevel(often) succeeded")
	}
}

func TestPlanListsAreNeverNil(t *testing.T) {
	p := Build(input(nil, nil))
	if p.Steps == nil || p.Splits == nil || p.Rollback == nil || p.Findings == nil || p.Contracts == nil || p.Range.Commits == nil {
		t.Errorf("a list is nil in %+v", p)
	}
}
