package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/deployorder/deployorder/contract"
)

func TestPlaces(t *testing.T) {
	pl := func(file string, line int) contract.Place {
		return contract.Place{Pos: contract.Pos{File: file, Line: line}, Func: "f"}
	}
	e := &contract.Element{Key: "k"}
	e.Providers[contract.Head] = contract.Roles{"api": {pl("b.go", 9), pl("a.go", 3)}}
	e.Consumers[contract.Head] = contract.Roles{
		// Five places, one twice and one without a file: the first three
		// in file order.
		"web": {pl("w.go", 40), pl("w.go", 7), pl("v.go", 1), pl("w.go", 7), pl("w.go", 12), pl("", 0)},
		"cli": {{Pos: contract.Pos{File: "c.go", Line: 2}, Via: "GetK()", Optional: true, Unproven: true}},
	}
	e.Consumers[contract.Base] = contract.Roles{"web": {pl("w.go", 5)}}
	got := places(e)
	want := []Place{
		{Side: "base", Service: "web", Role: "consumes", File: "w.go", Line: 5, Func: "f"},
		{Side: "head", Service: "api", Role: "provides", File: "a.go", Line: 3, Func: "f"},
		{Side: "head", Service: "api", Role: "provides", File: "b.go", Line: 9, Func: "f"},
		{Side: "head", Service: "cli", Role: "consumes", File: "c.go", Line: 2, Via: "GetK()", Optional: true, Unproven: true},
		{Side: "head", Service: "web", Role: "consumes", File: "v.go", Line: 1, Func: "f"},
		{Side: "head", Service: "web", Role: "consumes", File: "w.go", Line: 7, Func: "f"},
		{Side: "head", Service: "web", Role: "consumes", File: "w.go", Line: 12, Func: "f"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("places (-want +got):\n%s", diff)
	}
}
