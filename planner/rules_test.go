package planner

import (
	"slices"
	"testing"

	"github.com/deployorder/deployorder/contract"
	"github.com/google/go-cmp/cmp"
)

// ruleCase is a base/head pair of elements and what one rule makes of it.
type ruleCase struct {
	name        string
	els         []el
	constraints []string // constraintStrings of the constraints the rule adds
	findings    []string // findingStrings of the findings with the rule's code
}

// runRule checks the cases, comparing only what the rule under test
// produced.
func runRule(t *testing.T, id RuleID, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch := checked(res(tc.els...))
			var cons []Constraint
			for _, c := range ch.constraints {
				if c.Rule == id {
					cons = append(cons, c)
				}
			}
			var fs []Finding
			for _, f := range ch.findings {
				if f.Code == string(id) {
					fs = append(fs, f)
				}
			}
			if diff := cmp.Diff(tc.constraints, constraintStrings(cons)); diff != "" {
				t.Errorf("constraints (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.findings, findingStrings(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRuleProvideBeforeConsume(t *testing.T) {
	runRule(t, ProvideBeforeConsume, []ruleCase{
		{name: "a new key: its writer deploys before its new readers",
			els:         []el{{key: "v2", base: "-", head: "p: meta; c: billing front"}},
			constraints: []string{"meta>billing PROVIDE_BEFORE_CONSUME T.v2", "meta>front PROVIDE_BEFORE_CONSUME T.v2"}},
		{name: "a reader of a key already written needs no order",
			els: []el{{key: "id", base: "p: meta", head: "p: meta; c: billing"}}},
		{name: "a writer that starts writing what nobody reads yet needs no order",
			els: []el{{key: "id", base: "-", head: "p: meta"}}},
		{name: "a service that writes what it reads needs no order",
			els: []el{{key: "x", base: "-", head: "p: a; c: a"}}},
		{name: "a new reader of a key nobody writes at head is blocked",
			els:      []el{{key: "ghost", base: "-", head: "c: billing"}},
			findings: []string{"error PROVIDE_BEFORE_CONSUME billing starts reading T.ghost, but no service writes it at head; write it first, in an earlier change"}},
		{name: "a second writer starting alongside an existing one still goes first",
			els:         []el{{key: "k", base: "p: a", head: "p: a b; c: r"}},
			constraints: []string{"b>r PROVIDE_BEFORE_CONSUME T.k"}},
	})
}

func TestRuleStopConsumeBeforeStopProvide(t *testing.T) {
	runRule(t, StopConsumeBeforeStopProvide, []ruleCase{
		{name: "readers stop before the writer stops",
			els:         []el{{key: "old", base: "p: meta; c: billing front", head: "-"}},
			constraints: []string{"billing>meta STOP_CONSUME_BEFORE_STOP_PROVIDE T.old", "front>meta STOP_CONSUME_BEFORE_STOP_PROVIDE T.old"}},
		{name: "a reader that still reads what nobody writes at head blocks the plan",
			els:      []el{{key: "old", base: "p: meta; c: billing", head: "p: ; c: billing"}},
			findings: []string{"error STOP_CONSUME_BEFORE_STOP_PROVIDE billing still reads T.old at head, but meta stop writing it and no service writes it at head; stop reading it first, in an earlier change"}},
		{name: "another writer keeps providing it: no order",
			els: []el{{key: "k", base: "p: a b; c: r", head: "p: b; c: r"}}},
		{name: "a writer that stops writing what it alone reads needs no order",
			els: []el{{key: "k", base: "p: a; c: a", head: "-"}}},
	})
}

func TestRuleTolerantConsumer(t *testing.T) {
	runRule(t, TolerantConsumer, []ruleCase{
		{name: "a reader that stops reading an old key only under a guard on its replacement warns",
			els: []el{
				{key: "old", base: "p: meta; c: billing", head: "p: ; c: billing[guard=new]"},
				{key: "new", base: "p: meta; c: billing", head: "p: meta; c: billing"},
			},
			findings: []string{"warning TOLERANT_CONSUMER billing still reads T.old as a fallback next to T.new, and no service writes it at head; drop the fallback in a later change"}},
	})
	// The constraint a fallback makes non-critical is the provider-first
	// one.
	ch := checked(res(
		el{key: "old", base: "p: meta; c: billing", head: "p: meta; c: billing[guard=new]"},
		el{key: "new", base: "-", head: "p: meta; c: billing"},
	))
	if diff := cmp.Diff([]string{"meta>billing PROVIDE_BEFORE_CONSUME T.new tolerant"}, constraintStrings(ch.constraints)); diff != "" {
		t.Errorf("fallback: constraints (-want +got):\n%s", diff)
	}
	// Without the guard there is no proof of a fallback, whatever the names.
	ch = checked(res(
		el{key: "country", base: "p: geo; c: shop", head: "p: geo; c: shop"},
		el{key: "country_code", base: "-", head: "p: geo; c: shop"},
	))
	if diff := cmp.Diff([]string{"geo>shop PROVIDE_BEFORE_CONSUME T.country_code"}, constraintStrings(ch.constraints)); diff != "" {
		t.Errorf("no guard: constraints (-want +got):\n%s", diff)
	}
	// A guard on an old key nobody wrote at base proves nothing either.
	ch = checked(res(
		el{key: "old", base: "c: shop", head: "c: shop[guard=new]"},
		el{key: "new", base: "-", head: "p: geo; c: shop"},
	))
	if diff := cmp.Diff([]string{"geo>shop PROVIDE_BEFORE_CONSUME T.new"}, constraintStrings(ch.constraints)); diff != "" {
		t.Errorf("unwritten old key: constraints (-want +got):\n%s", diff)
	}
}

func TestRuleWireKeyChanged(t *testing.T) {
	ch := checked(res(
		el{key: "user_id", name: "UserID", base: "p: a; c: b", head: "-"},
		el{key: "userId", name: "UserID", base: "-", head: "p: a; c: b"},
		el{key: "other", name: "Other", base: "-", head: "p: a"},
	))
	var marked []string
	for _, ec := range ch.elements {
		if ec.rules[WireKeyChanged] {
			marked = append(marked, ec.e.Key)
		}
	}
	slices.Sort(marked)
	if diff := cmp.Diff([]string{"userId", "user_id"}, marked); diff != "" {
		t.Errorf("marked (-want +got):\n%s", diff)
	}
	for _, c := range planContracts(ch)[0].Changes {
		if want := map[string]Compat{"user_id": Breaking, "userId": Breaking, "other": Additive}[c.Key]; c.Compat != want {
			t.Errorf("%s: compat %s, want %s", c.Key, c.Compat, want)
		}
	}
}

func TestRuleWireIdentical(t *testing.T) {
	r := res(el{key: "id", name: "ID", base: "p: a; c: b", head: "p: a; c: b"})
	r.Contracts[0].GoOnlyChange = true
	r.Contracts[0].Elements[0].RenamedFrom = "Id"
	got := findingStrings(check(r, []string{"a", "b"}).findings)
	want := []string{"info WIRE_IDENTICAL T changed in Go but not on the wire (Go fields renamed with their keys kept: Id -> ID); this alone needs no ordering"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestRuleRebuildOnly(t *testing.T) {
	r := res(el{key: "k", base: "-", head: "p: a; c: b"})
	r.Contracts[0].Importers[contract.Head] = []string{"a", "b", "c", "d"}
	var got []string
	for _, f := range check(r, []string{"a", "b", "c"}).findings {
		if f.Code == string(RebuildOnly) {
			got = append(got, f.Message)
		}
	}
	// d imports it but is not deployed by the range: not named.
	want := []string{"c uses T but neither writes nor reads a changed key: it only rebuilds, with no ordering constraint"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestRuleGuessedKeys(t *testing.T) {
	for _, custom := range []bool{false, true} {
		r := res(el{key: "k", base: "-", head: "p: a; c: b"})
		r.Contracts[0].Custom = custom
		n := 0
		for _, f := range checked(r).findings {
			if f.Code == string(GuessedKeys) {
				n++
				if f.Severity != Warning {
					t.Errorf("severity %s, want the registry's warning", f.Severity)
				}
			}
		}
		if want := map[bool]int{false: 0, true: 1}[custom]; n != want {
			t.Errorf("custom=%v: %d GUESSED_KEYS findings, want %d", custom, n, want)
		}
	}
}

func TestRuleSplitCycle(t *testing.T) {
	// The seed's rename: one writer replaces a key, both readers switch.
	ch := checked(res(
		el{key: "metadata", base: "p: meta; c: billing front", head: "-"},
		el{key: "metadata_v2", base: "-", head: "p: meta; c: billing front"},
	))
	var waves []string
	for _, w := range ch.sched.waves {
		var names []string
		for _, n := range w {
			names = append(names, string(partPhase[n.part])+":"+n.service)
		}
		waves = append(waves, joinNames(names))
	}
	want := []string{"expand:meta", "switch:billing and switch:front", "contract:meta"}
	if diff := cmp.Diff(want, waves); diff != "" {
		t.Errorf("waves (-want +got):\n%s", diff)
	}
}

func TestRuleUnsplittableCycle(t *testing.T) {
	// No element rule makes such a cycle (providers expand before consumers
	// switch, consumers switch before providers contract); the rule guards
	// the scheduler's result all the same.
	ch := &checker{deployable: map[string]bool{"a": true, "b": true}}
	ch.constraints = []Constraint{
		{From: "a", FromPart: ContractPart, To: "b", ToPart: ExpandPart, Rule: ProvideBeforeConsume, Critical: true},
		{From: "b", FromPart: ContractPart, To: "a", ToPart: ExpandPart, Rule: ProvideBeforeConsume, Critical: true},
	}
	checkSplitCycle(ch)
	checkUnsplittableCycle(ch)
	want := []string{"error UNSPLITTABLE_CYCLE services a and b depend on each other in a way no split resolves; break the cycle by hand"}
	if diff := cmp.Diff(want, findingStrings(ch.findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestRegistryIsComplete checks that every rule ID is in the registry
// once, with a purpose and a check.
func TestRegistryIsComplete(t *testing.T) {
	ids := []RuleID{WireKeyChanged, TolerantConsumer, ProvideBeforeConsume, StopConsumeBeforeStopProvide,
		WireIdentical, RebuildOnly, GuessedKeys, SplitCycle, UnsplittableCycle}
	seen := map[RuleID]int{}
	for _, r := range Rules {
		seen[r.ID]++
		if r.Purpose == "" || r.Check == nil || r.Severity == "" {
			t.Errorf("rule %s lacks a purpose, a check or a severity", r.ID)
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("rule %s appears %d times in the registry", id, seen[id])
		}
	}
	if len(Rules) != len(ids) {
		t.Errorf("the registry has %d rules, the test knows %d", len(Rules), len(ids))
	}
}
