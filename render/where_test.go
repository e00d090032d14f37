package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/contract"
	"github.com/deployorder/deployorder/planner"
)

// wherePlan orders n elements of one JSON contract, each written by api
// and read by web (and by ops, which does not all type-check, for the
// first), plus one element no edge names.
func wherePlan(n int) *planner.Plan {
	p := &planner.Plan{}
	c := planner.Contract{Name: "User", Kind: contract.JSON}
	var keys []string
	for i := range n {
		el := fmt.Sprintf("User.k%d", i)
		keys = append(keys, el)
		ch := planner.Change{Key: fmt.Sprintf("k%d", i), Element: el, Places: []planner.Place{
			{Side: "head", Service: "api", Role: "provides", File: "api/user.go", Line: 10 + i},
			{Side: "head", Service: "web", Role: "consumes", File: "web/a.go", Line: 3, Via: "GetK()"},
			{Side: "head", Service: "web", Role: "consumes", File: "web/b.go", Line: 9},
		}}
		if i == 0 {
			ch.Places = append(ch.Places, planner.Place{Side: "head", Service: "ops", Role: "consumes", File: "ops/x.go", Line: 7, Unproven: true})
		}
		c.Changes = append(c.Changes, ch)
	}
	c.Changes = append(c.Changes, planner.Change{Key: "other", Element: "User.other", Places: []planner.Place{
		{Side: "base", Service: "api", Role: "provides", File: "api/user.go", Line: 2}}})
	p.Contracts = []planner.Contract{c}
	p.Edges = []planner.Edge{{From: "api", FromStep: 1, To: "web", ToStep: 2, Keys: keys, Rule: planner.ProvideBeforeConsume, Critical: true}}
	return p
}

func TestWhereEvidence(t *testing.T) {
	ws, more := whereEvidence(wherePlan(7))
	if len(ws) != maxWhere || more != 2 {
		t.Fatalf("%d elements, %d more; want %d and 2", len(ws), more, maxWhere)
	}
	if ws[0].name != "User.k0" || ws[4].name != "User.k4" {
		t.Errorf("elements %q ... %q, want the edges' order", ws[0].name, ws[4].name)
	}
	var lines []string
	for _, l := range ws[0].lines {
		lines = append(lines, strings.Join([]string{l.side, l.service, l.verb, l.joinPlaces()}, " | "))
	}
	want := []string{
		"head | api | writes | api/user.go:10",
		"head | web | reads | web/a.go:3 (GetK()), web/b.go:9",
		"head | ops | reads | ops/x.go:7  (unproven)",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines of User.k0:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if unprovenNote(ws) == "" || unprovenNote(ws[1:]) != "" {
		t.Errorf("the unproven note is said only when a line is unproven")
	}
	for _, we := range ws {
		if we.name == "User.other" {
			t.Errorf("an element no edge orders is shown")
		}
	}
}

func TestWhereSection(t *testing.T) {
	contains := func(format, got string, wants ...string) {
		t.Helper()
		for _, s := range wants {
			if !strings.Contains(got, s) {
				t.Errorf("%s lacks %q:\n%s", format, s, got)
			}
		}
	}
	contains("text", render(t, Text{}, wherePlan(6)),
		"\nwhere the code does it\n  User.k0\n    head  api  writes  api/user.go:10\n",
		"    head  web  reads   web/a.go:3 (GetK()), web/b.go:9\n",
		"  (+1 more; -o json lists every place)\n",
		"  (unproven: the service's code does not all type-check")
	contains("markdown", render(t, Markdown{}, wherePlan(1)),
		"<details><summary>Where the code does it</summary>",
		"| head | web | reads | `web/a.go:3 (GetK())`, `web/b.go:9` |",
		"| head | ops | reads | `ops/x.go:7` (unproven) |",
		"_unproven: the service")
	// Twelve readers: the first maxWhereLines lines, and how many more.
	wide := wherePlan(1)
	for i := range 11 {
		wide.Contracts[0].Changes[0].Places = append(wide.Contracts[0].Changes[0].Places,
			planner.Place{Side: "head", Service: fmt.Sprintf("r%02d", i), Role: "consumes", File: "r.go", Line: i + 1})
	}
	if text := render(t, Text{}, wide); strings.Count(text, " reads ") != maxWhereLines-1 || !strings.Contains(text, "    (+6 more)\n") {
		t.Errorf("a wide element is not cut at %d lines:\n%s", maxWhereLines, text)
	}
	if strings.Contains(render(t, Text{}, &planner.Plan{}), "where the code") {
		t.Errorf("a plan without edges has a where section")
	}
}
