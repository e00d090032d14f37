package planner

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// build is Build, failing the test on an error.
func build(t *testing.T, in Input) *Plan {
	t.Helper()
	p, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStepReasonsAndRollback(t *testing.T) {
	in := input([]string{"billing", "frontend", "metadata"}, res(
		el{key: "metadata", base: "p: metadata; c: billing frontend", head: "-"},
		el{key: "metadata_v2", base: "-", head: "p: metadata; c: billing frontend"},
	))
	in.Soak = 24 * time.Hour
	p := build(t, in)
	if got, want := p.Steps[1].Reason, "metadata writes T.metadata_v2 before billing and frontend read it (PROVIDE_BEFORE_CONSUME)"; got != want {
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
		"1 metadata: write T.metadata_v2 and keep writing `T.metadata` until step 3",
		"2 billing: read `T.metadata_v2`, which earlier steps write",
		"2 frontend: read `T.metadata_v2`, which earlier steps write",
		"3 metadata: stop writing `T.metadata`, now that no reader needs it",
	}
	if diff := cmp.Diff(wantParts, parts); diff != "" {
		t.Errorf("split parts (-want +got):\n%s", diff)
	}
}

func TestVerdictBlockedByErrorFinding(t *testing.T) {
	in := input([]string{"a", "w"}, res(el{key: "k", base: "p: w; c: a", head: "c: a"}))
	if p := build(t, in); p.Verdict != Blocked || !strings.HasPrefix(p.Summary, "Blocked: 1 break") {
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
	p := build(t, input(nil, nil))
	if p.Steps == nil || p.Splits == nil || p.Rollback == nil || p.Findings == nil || p.Contracts == nil || p.Range.Commits == nil {
		t.Errorf("a list is nil in %+v", p)
	}
}
