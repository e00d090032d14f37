package contract

import (
	"strings"
	"testing"

	"github.com/deployorder/deployorder/graph"
	"github.com/google/go-cmp/cmp"
)

// TestTrustCheckedSide: a service whose packages type-check at one side
// only keeps its roles from that side, for the elements that exist at both;
// a service broken at both sides, or at neither, keeps what the code says.
func TestTrustCheckedSide(t *testing.T) {
	place := []Place{{Pos: Pos{File: "x.go", Line: 1}}}
	roles := func(svcs ...string) Roles {
		r := Roles{}
		for _, s := range svcs {
			r[s] = place
		}
		return r
	}
	kept := &Element{Key: "kept", Changed: true, Type: [2]string{"string", "string"},
		Providers: [2]Roles{roles("server", "both"), roles("both")}, // server's base is broken: its "stops writing" is not the code's
		Consumers: [2]Roles{roles("web"), roles("web", "ok")}}       // ok type-checks at both sides: it starts reading
	added := &Element{Key: "added", Changed: true, Type: [2]string{"", "string"},
		Providers: [2]Roles{{}, roles("server")}} // new at head: nothing to take from base
	healed := &Element{Key: "healed", Changed: true, Type: [2]string{"int", "int"},
		Providers: [2]Roles{roles("server"), {}}, Consumers: [2]Roles{roles("web"), roles("web")}}
	a := &analysis{
		res: &Result{Contracts: []*Contract{{Name: "T", Elements: []*Element{added, healed, kept}}}},
		services: map[string][2][]string{
			"server": {{"m/server", "m/lib"}, {"m/server", "m/lib"}},
			"both":   {{"m/both"}, {"m/both"}},
			"web":    {{"m/web", "m/lib2"}, {"m/web", "m/lib2"}},
			"ok":     {{"m/ok"}, {"m/ok"}},
		},
		broken: [2]map[string]bool{
			Base: {"m/server": true, "m/both": true},
			Head: {"m/both": true, "m/lib2": true}, // lib2 is unchanged: broken at base too
		},
		base: &baseView{Base: &graph.Base{Changed: map[string]bool{"m/server": true, "m/both": true, "m/web": true}}},
	}
	a.trustCheckedSide()

	names := func(r Roles) []string { return sortedKeys(keysOf(r)) }
	if diff := cmp.Diff([]string{"both"}, names(kept.Providers[Base])); diff != "" {
		t.Errorf("kept's providers at base (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ok", "web"}, names(kept.Consumers[Head])); diff != "" {
		t.Errorf("kept's consumers at head (-want +got):\n%s", diff)
	}
	if !kept.Changed {
		t.Errorf("kept: ok starts reading it, so it stays changed")
	}
	if healed.Changed || len(healed.Providers[Base]) != 0 {
		t.Errorf("healed: server's only difference came from its broken base, so the element is unchanged; got changed=%v, providers at base %v", healed.Changed, names(healed.Providers[Base]))
	}
	if !added.Changed || len(added.Providers[Base]) != 0 {
		t.Errorf("added: a new element keeps its roles; got changed=%v, providers at base %v", added.Changed, names(added.Providers[Base]))
	}
	var notes []string
	for _, n := range a.res.Notes {
		notes = append(notes, n.Code+" "+n.Message)
	}
	want := []string{"ROLES_FROM_ONE_SIDE server type-checks at head but not at base (see the warnings), so for the elements that exist at both sides its roles at base are taken from head: the plan assumes the range changes none of those; check it by hand"}
	if diff := cmp.Diff(want, notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	if strings.Contains(strings.Join(notes, "\n"), "web") {
		t.Errorf("web is broken at both sides (lib2 unchanged), so its roles are the code's")
	}
}
