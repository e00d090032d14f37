package render

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/planner"
	"github.com/google/go-cmp/cmp"
)

// typeErrors is n TYPE_ERRORS warnings, one per package, with one cause.
func typeErrors(n int) []planner.Finding {
	var out []planner.Finding
	for i := range n {
		out = append(out, planner.Finding{Severity: planner.Warning, Code: "TYPE_ERRORS", File: fmt.Sprintf("pkg%02d/x.go", i), Line: 3,
			Message: fmt.Sprintf("package example.com/mono/pkg%02d does not type-check at head (undefined: context.Context); its field accesses may be incomplete", i),
			Cause:   "packages do not type-check at head (undefined: context.Context); their field accesses may be incomplete"})
	}
	return out
}

// numbered is n findings of one severity, each with its own message.
func numbered(sev planner.Severity, code string, n int) []planner.Finding {
	var out []planner.Finding
	for i := range n {
		out = append(out, planner.Finding{Severity: sev, Code: code, Message: fmt.Sprintf("%s %d", code, i)})
	}
	return out
}

func TestDigestFindings(t *testing.T) {
	tests := []struct {
		name     string
		findings []planner.Finding
		want     []string // severity and textFinding of each line shown
		omitted  int
	}{
		{name: "30 type errors with one cause are one line",
			findings: typeErrors(30),
			want:     []string{"warning x30: packages do not type-check at head (undefined: context.Context); their field accesses may be incomplete (first at pkg00/x.go:3, pkg01/x.go:3, pkg02/x.go:3, ...) [TYPE_ERRORS]"}},
		{name: "one finding keeps its own message and place",
			findings: typeErrors(1),
			want:     []string{"warning pkg00/x.go:3: package example.com/mono/pkg00 does not type-check at head (undefined: context.Context); its field accesses may be incomplete [TYPE_ERRORS]"}},
		{name: "two causes of one code are two lines",
			findings: append(typeErrors(2), planner.Finding{Severity: planner.Warning, Code: "TYPE_ERRORS", File: "z/z.go", Line: 1,
				Message: "package example.com/mono/z does not type-check at head (undefined: x); its field accesses may be incomplete",
				Cause:   "packages do not type-check at head (undefined: x); their field accesses may be incomplete"}),
			want: []string{
				"warning x2: packages do not type-check at head (undefined: context.Context); their field accesses may be incomplete (first at pkg00/x.go:3, pkg01/x.go:3) [TYPE_ERRORS]",
				"warning z/z.go:1: package example.com/mono/z does not type-check at head (undefined: x); its field accesses may be incomplete [TYPE_ERRORS]",
			}},
		{name: "identical messages without a cause group, and name no place when they have none",
			findings: []planner.Finding{{Severity: planner.Info, Code: "NOTE", Message: "same"}, {Severity: planner.Info, Code: "NOTE", Message: "same"}},
			want:     []string{"info x2: same [NOTE]"}},
		{name: "one cause under two codes is two lines",
			findings: []planner.Finding{{Severity: planner.Warning, Code: "A", Message: "m", Cause: "c"}, {Severity: planner.Warning, Code: "B", Message: "m", Cause: "c"}},
			want:     []string{"warning m [A]", "warning m [B]"}},
		{name: "every error, five warnings, five infos, and a count of the rest",
			findings: append(append(numbered(planner.Error, "E", 7), numbered(planner.Warning, "W", 8)...), numbered(planner.Info, "I", 6)...),
			want: []string{
				"error E 0 [E]", "error E 1 [E]", "error E 2 [E]", "error E 3 [E]", "error E 4 [E]", "error E 5 [E]", "error E 6 [E]",
				"warning W 0 [W]", "warning W 1 [W]", "warning W 2 [W]", "warning W 3 [W]", "warning W 4 [W]",
				"info I 0 [I]", "info I 1 [I]", "info I 2 [I]", "info I 3 [I]", "info I 4 [I]",
			},
			omitted: 4},
		{name: "the limit counts lines, and the rest counts findings",
			findings: append(append(numbered(planner.Warning, "W", 5), typeErrors(30)...), numbered(planner.Warning, "X", 1)...),
			want:     []string{"warning W 0 [W]", "warning W 1 [W]", "warning W 2 [W]", "warning W 3 [W]", "warning W 4 [W]"},
			omitted:  31},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := digestFindings(tt.findings)
			var got []string
			for _, g := range d.groups {
				got = append(got, string(g.first.Severity)+" "+textFinding(g))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if d.total() != tt.omitted {
				t.Errorf("%d findings left out, want %d", d.total(), tt.omitted)
			}
		})
	}
}

// TestFindingsOf30TypeErrors renders a plan of 30 type errors in each
// format: text and Markdown say it in one line, JSON lists all 30.
func TestFindingsOf30TypeErrors(t *testing.T) {
	p := cleanPlan()
	p.Findings = append(typeErrors(30), numbered(planner.Warning, "W", 6)...)
	text := render(t, Text{}, p)
	for _, want := range []string{
		"\n  warning x30: packages do not type-check at head (undefined: context.Context); their field accesses may be incomplete (first at pkg00/x.go:3, pkg01/x.go:3, pkg02/x.go:3, ...) [TYPE_ERRORS]\n",
		"\n  (+2 more; -o json lists all)\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "TYPE_ERRORS"); n != 1 {
		t.Errorf("the text names TYPE_ERRORS %d times, want once:\n%s", n, text)
	}
	md := render(t, Markdown{}, p)
	for _, want := range []string{
		"- **warning** `TYPE_ERRORS` x30: packages do not type-check at head (undefined: context.Context); their field accesses may be incomplete (first at `pkg00/x.go:3`, `pkg01/x.go:3`, `pkg02/x.go:3`, ...)\n",
		"- (+2 more; -o json lists all)\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md)
		}
	}
	var got planner.Plan
	if err := json.Unmarshal([]byte(render(t, JSON{}, p)), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p.Findings, got.Findings); diff != "" {
		t.Errorf("JSON findings (-want +got):\n%s", diff)
	}
}

// TestAcceptedFindings checks that an accepted finding is shown as
// accepted, after the findings still in force, in each format for people.
func TestAcceptedFindings(t *testing.T) {
	accepted := &planner.Accepted{Reason: "invoices reads a cached copy until v2", File: "deployorder.yaml", Line: 4, Expires: "2026-12-31"}
	p := cleanPlan()
	p.Findings = []planner.Finding{
		{Severity: planner.Error, Code: "STOP_CONSUME_BEFORE_STOP_PROVIDE", File: "cmd/invoices/main.go", Line: 14, Element: "Order.note",
			Message: "invoices still reads Order.note at head", Accepted: accepted},
		{Severity: planner.Error, Code: "STOP_CONSUME_BEFORE_STOP_PROVIDE", File: "cmd/shipping/main.go", Line: 9, Element: "Order.note",
			Message: "shipping still reads Order.note at head"},
		{Severity: planner.Error, Code: "PROVIDE_BEFORE_CONSUME", File: "cmd/x/main.go", Line: 2, Element: "Order.a",
			Message: "x starts reading Order.a", Accepted: &planner.Accepted{Reason: "behind a flag", Commit: renameSHA}},
	}
	var lines []string
	for _, g := range digestFindings(p.Findings).groups {
		lines = append(lines, textFinding(g))
	}
	want := []string{
		"cmd/shipping/main.go:9: shipping still reads Order.note at head [STOP_CONSUME_BEFORE_STOP_PROVIDE]",
		"cmd/invoices/main.go:14: invoices still reads Order.note at head [STOP_CONSUME_BEFORE_STOP_PROVIDE]",
		"cmd/x/main.go:2: x starts reading Order.a [PROVIDE_BEFORE_CONSUME]",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	for name, want := range map[string][]string{
		"text": {
			"  error   cmd/invoices/main.go:14: invoices still reads Order.note at head [STOP_CONSUME_BEFORE_STOP_PROVIDE]\n          accepted in deployorder.yaml:4 until 2026-12-31: invoices reads a cached copy until v2\n",
			"          accepted in commit c0ffee001111: behind a flag\n",
		},
		"markdown": {"- **error** `STOP_CONSUME_BEFORE_STOP_PROVIDE` `cmd/invoices/main.go:14`: invoices still reads Order.note at head — **accepted in deployorder.yaml:4 until 2026-12-31: invoices reads a cached copy until v2**\n"},
		"github": {
			"::notice file=cmd/invoices/main.go,line=14,title=STOP_CONSUME_BEFORE_STOP_PROVIDE::invoices still reads Order.note at head (accepted in deployorder.yaml:4 until 2026-12-31: invoices reads a cached copy until v2)\n",
			"::error file=cmd/shipping/main.go,line=9,title=STOP_CONSUME_BEFORE_STOP_PROVIDE::shipping still reads Order.note at head\n",
		},
	} {
		r, _ := For(name)
		got := render(t, r, p)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("-o %s lacks %q:\n%s", name, w, got)
			}
		}
	}
}
