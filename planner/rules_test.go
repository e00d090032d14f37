package planner

import (
	"slices"
	"strings"
	"testing"
	"time"

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
			els:         []el{{key: "v2", base: "-", head: "p: meta; c: billing front"}, {key: "id", base: "", head: ""}},
			constraints: []string{"meta>billing PROVIDE_BEFORE_CONSUME T.v2", "meta>front PROVIDE_BEFORE_CONSUME T.v2"}},
		{name: "a reader of a key already written needs no order",
			els: []el{{key: "id", base: "p: meta", head: "p: meta; c: billing"}}},
		{name: "a writer that starts writing what nobody reads yet needs no order",
			els: []el{{key: "id", base: "-", head: "p: meta"}}},
		{name: "a service that writes what it reads needs no order",
			els: []el{{key: "x", base: "-", head: "p: a; c: a"}}},
		{name: "a new reader of a key nobody in the repository writes needs no order",
			els: []el{{key: "ghost", base: "-", head: "c: billing"}}},
		{name: "a reader that starts reading only optionally (printing a value whole) needs no order",
			els: []el{{key: "v2", base: "-", head: "p: meta; c: log[optional]"}}},
		{name: "a second writer starting alongside an existing one still goes first",
			els:         []el{{key: "k", base: "p: a", head: "p: a b; c: r"}},
			constraints: []string{"b>r PROVIDE_BEFORE_CONSUME T.k"}},
	})
}

// TestRequestKeys: the keys of a type that travels only in requests are
// provided by the servers that read them, so every order runs the other
// way round from a response's (an old server drops a key it does not
// know); a client still writing a key no server reads is blocked unless it
// writes its replacement beside it, and a server still reading a key the
// repository's clients stop writing blocks nothing.
func TestRequestKeys(t *testing.T) {
	rules := []RuleID{ProvideBeforeConsume, StopConsumeBeforeStopProvide, OutsideProvider, TolerantConsumer}
	for _, tc := range []struct {
		name        string
		els         []el
		outside     []string // parties outside the repository that read the keys (external: consumes)
		constraints []string
		findings    []string
	}{
		{name: "a new key: the server that reads it deploys before the client that writes it",
			els:         []el{{key: "window", base: "-", head: "p: cli; c: scheduler", request: true}, {key: "id", base: "", head: ""}},
			constraints: []string{"scheduler>cli PROVIDE_BEFORE_CONSUME T.window"}},
		{name: "the same key in a response: the writer first",
			els:         []el{{key: "window", base: "-", head: "p: cli; c: scheduler"}, {key: "id", base: "", head: ""}},
			constraints: []string{"cli>scheduler PROVIDE_BEFORE_CONSUME T.window"}},
		{name: "a key removed on both sides: the client stops writing first",
			els:         []el{{key: "window", base: "p: cli; c: scheduler", head: "-", request: true}},
			constraints: []string{"cli>scheduler STOP_CONSUME_BEFORE_STOP_PROVIDE T.window"}},
		{name: "the server stops reading what the client still writes: blocked",
			els:      []el{{key: "window", base: "p: cli; c: scheduler", head: "p: cli", request: true}},
			findings: []string{"error STOP_CONSUME_BEFORE_STOP_PROVIDE T.window: cli still writes T.window at head, but scheduler stops reading it and no service reads it at head; stop writing it first, in an earlier change"}},
		{name: "unless the client writes the key's replacement beside it",
			els: []el{{key: "prefix", base: "p: cli; c: store", head: "p: cli", request: true},
				{key: "starts_with", base: "-", head: "p: cli; c: store", request: true}},
			constraints: []string{"store>cli PROVIDE_BEFORE_CONSUME T.starts_with"}},
		{name: "or a party outside the repository reads it",
			els:     []el{{key: "window", base: "p: cli; c: scheduler", head: "p: cli", request: true}},
			outside: []string{"partner"}},
		{name: "the client stops writing what the server still reads: nothing to order",
			els: []el{{key: "window", base: "p: cli; c: scheduler", head: "c: scheduler", request: true}}},
		{name: "a server that starts reading what no service writes: users' SDKs do",
			els:      []el{{key: "window", base: "-", head: "c: scheduler", request: true}},
			findings: []string{"info OUTSIDE_PROVIDER T.window: scheduler starts reading T.window, which no service of this repository writes: outside code does (users' SDKs, UIs, another system); no deploy order applies to it"}},
		{name: "a server that rejects a request without the new key: the client first",
			els:         []el{{key: "window", base: "-", head: "p: cli; c: scheduler[required]", request: true}, {key: "id", base: "", head: ""}},
			constraints: []string{"cli>scheduler PROVIDE_BEFORE_CONSUME T.window"}},
		{name: "a server's fallback to an old key leaves the new key's order critical",
			els: []el{{key: "old", base: "p: cli; c: store", head: "c: store[guard=new]", request: true},
				{key: "new", base: "-", head: "p: cli; c: store", request: true}},
			constraints: []string{"store>cli PROVIDE_BEFORE_CONSUME T.new"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := res(tc.els...)
			for _, c := range r.Contracts {
				c.Outside.Consumers = tc.outside
			}
			ch := checked(r)
			var cons []Constraint
			for _, c := range ch.constraints {
				if slices.Contains(rules, c.Rule) {
					cons = append(cons, c)
				}
			}
			var fs []Finding
			for _, f := range ch.findings {
				if slices.Contains(rules, RuleID(f.Code)) {
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

func TestRuleOutsideProvider(t *testing.T) {
	runRule(t, OutsideProvider, []ruleCase{
		{name: "a server starts reading a request field only users' SDKs send",
			els:      []el{{key: "filter", base: "-", head: "c: api"}},
			findings: []string{"info OUTSIDE_PROVIDER T.filter: api starts reading T.filter, which no service of this repository writes: outside code does (users' SDKs, UIs, another system); no deploy order applies to it"}},
		{name: "a key written in the repository is not outside",
			els: []el{{key: "k", base: "p: a", head: "p: a; c: b"}}},
		{name: "the keys of one contract a service starts reading make one finding",
			els: []el{{key: "took", base: "-", head: "c: api"}, {key: "errors", base: "-", head: "c: api"}, {key: "items", base: "-", head: "c: api; c: ui"},
				{key: "a", base: "-", head: "c: api"}, {key: "b", base: "-", head: "c: api"}},
			findings: []string{
				"info OUTSIDE_PROVIDER T.items: ui starts reading T.items, which no service of this repository writes: outside code does (users' SDKs, UIs, another system); no deploy order applies to it",
				"info OUTSIDE_PROVIDER api starts reading T.took, T.errors, T.items and 2 more keys of T, which no service of this repository writes: outside code does (users' SDKs, UIs, another system); no deploy order applies to them",
			}},
		{name: "a key whose writer stopped is a break, not an outside key",
			els: []el{{key: "k", base: "p: a; c: b", head: "c: b"}}},
	})
	r := res(el{key: "filter", base: "-", head: "c: api"})
	r.Contracts[0].Outside.Providers = []string{"sdk"}
	want := []string{"info OUTSIDE_PROVIDER T.filter: api starts reading T.filter, which no service of this repository writes: sdk does (external in the config); no deploy order applies to it"}
	if diff := cmp.Diff(want, findingStrings(checked(r).findings)); diff != "" {
		t.Errorf("declared provider: findings (-want +got):\n%s", diff)
	}
}

// TestProcessRules checks the generic rules on the elements of launched
// programs: variables (launchers set, the program reads) and flags (the
// program accepts, launchers pass).
func TestProcessRules(t *testing.T) {
	env := func(key, base, head string) el {
		return el{kind: contract.Env, contract: "proxy", key: key, base: base, head: head}
	}
	flag := func(key, base, head string) el {
		return el{kind: contract.Flag, contract: "proxy", key: key, base: base, head: head}
	}
	tests := []struct {
		name        string
		els         []el
		constraints []string
		findings    []string
	}{
		{name: "a program that starts requiring a variable deploys after the launcher that starts setting it",
			els:         []el{env("PORT", "-", "p: operator; c: proxy")},
			constraints: []string{"operator>proxy PROVIDE_BEFORE_CONSUME proxy $PORT"}},
		{name: "an optional read imposes no order",
			els: []el{env("PORT", "-", "p: operator; c: proxy[optional]")}},
		{name: "a launcher that stops setting a variable the program still requires is blocked",
			els:      []el{env("PORT", "p: operator; c: proxy", "c: proxy")},
			findings: []string{"error STOP_CONSUME_BEFORE_STOP_PROVIDE proxy $PORT: proxy still reads proxy $PORT at head, but operator stops setting it and no service sets it at head; stop reading it first, in an earlier change"}},
		{name: "the program stops reading, then the launcher stops setting",
			els:         []el{env("PORT", "p: operator; c: proxy", "-")},
			constraints: []string{"proxy>operator STOP_CONSUME_BEFORE_STOP_PROVIDE proxy $PORT"}},
		{name: "a variable only the deployment's manifests set is outside",
			els:      []el{env("PORT", "-", "c: proxy")},
			findings: []string{"info OUTSIDE_PROVIDER proxy $PORT: proxy starts reading proxy $PORT, which no service of this repository sets: the deployment's manifests or the environment do; no deploy order applies to it"}},
		{name: "a new flag: the program defines it before a launcher passes it",
			els:         []el{flag("mode", "-", "p: proxy; c: operator")},
			constraints: []string{"proxy>operator PROVIDE_BEFORE_CONSUME proxy --mode"}},
		{name: "a flag removed while a launcher still passes it is blocked",
			els:      []el{flag("mode", "p: proxy; c: operator", "c: operator")},
			findings: []string{"error STOP_CONSUME_BEFORE_STOP_PROVIDE proxy --mode: operator still passes proxy --mode at head, but proxy stops accepting it and no service accepts it at head; stop passing it first, in an earlier change"}},
		{name: "a flag renamed on both sides is a cycle: define both, switch, remove",
			els:         []el{flag("old", "p: proxy; c: operator", "-"), flag("new", "-", "p: proxy; c: operator")},
			constraints: []string{"operator>proxy STOP_CONSUME_BEFORE_STOP_PROVIDE proxy --old", "proxy>operator PROVIDE_BEFORE_CONSUME proxy --new"}},
		{name: "a launcher that starts passing a flag the program defines nowhere is a warning, not an outside party",
			els:      []el{flag("v", "-", "c: operator")},
			findings: []string{"warning UNDEFINED_FLAG proxy -v: operator starts passing proxy -v, which proxy defines nowhere in its code: a library it links may define it, or proxy rejects it at start; check that proxy accepts it before this deploys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := checked(res(tt.els...))
			var fs []Finding
			for _, f := range ch.findings {
				if f.Code != string(RebuildOnly) {
					fs = append(fs, f)
				}
			}
			if diff := cmp.Diff(tt.constraints, constraintStrings(ch.constraints)); diff != "" {
				t.Errorf("constraints (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.findings, findingStrings(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRuleFollowsMethod(t *testing.T) {
	// A new method Put: the client writes PutRequest's keys, the server
	// reads them. Without the rule the keys would put the client first;
	// with it only the method orders the two: server first.
	build := func(putExistedAtBase bool) *checker {
		base := "-"
		if putExistedAtBase {
			base = "p: store"
		}
		r := res(
			el{kind: contract.RPC, contract: "api.KV", key: "/api.KV/Put", base: base, head: "p: store; c: cli"},
			el{contract: "PutRequest", key: "key", base: "-", head: "p: cli; c: store"},
		)
		for _, c := range r.Contracts {
			if c.Kind == contract.RPC {
				c.Elements[0].Carries = []string{"example.com/api.PutRequest"}
			}
		}
		return checked(r)
	}
	ch := build(false)
	if diff := cmp.Diff([]string{"store>cli PROVIDE_BEFORE_CONSUME /api.KV/Put"}, constraintStrings(ch.constraints)); diff != "" {
		t.Errorf("new method: constraints (-want +got):\n%s", diff)
	}
	want := []string{"info FOLLOWS_METHOD PutRequest travels only in /api.KV/Put, new in this range: its fields follow the method's order (server first)"}
	var got []string
	for _, f := range findingStrings(ch.findings) {
		if strings.Contains(f, string(FollowsMethod)) {
			got = append(got, f)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("new method: findings (-want +got):\n%s", diff)
	}
	// A message that also travels in a method that existed keeps the order
	// of its own keys: the request is written by the client first.
	ch = build(true)
	if diff := cmp.Diff([]string{"cli>store PROVIDE_BEFORE_CONSUME PutRequest.key"}, constraintStrings(ch.constraints)); diff != "" {
		t.Errorf("existing method: constraints (-want +got):\n%s", diff)
	}
}

func TestRuleFollowsField(t *testing.T) {
	// Query gains a field filter of a new type Filter (with a oneof member
	// wrapper Filter_Attr): the client writes them, the server reads them,
	// and the server answers a new capability the client reads. Filter's
	// keys cannot reach the server before filter itself does: they follow
	// it, and the plan names only the outer fields.
	build := func(filterAtBase string, alsoTopLevel bool, opHead ...string) *checker {
		op := "p: cli; c: store"
		if len(opHead) > 0 {
			op = opHead[0]
		}
		r := res(
			el{contract: "Query", key: "q", base: "p: cli; c: store", head: "p: cli; c: store"},
			el{contract: "Query", key: "filter", base: "-", head: "p: cli; c: store", nested: []string{"example.com/api.Filter"}},
			el{contract: "Filter", key: "op", base: filterAtBase, head: op},
			el{contract: "Filter", key: "args", base: "-", head: "p: cli; c: store", nested: []string{"example.com/api.Filter"}},
			el{contract: "Filter_Attr", key: "attr", base: "-", head: "p: cli; c: store"},
		)
		if alsoTopLevel {
			r.Contracts = append(r.Contracts, &contract.Contract{Name: "Old", Kind: contract.JSON, Types: []string{"example.com/api.Old"},
				Elements: []*contract.Element{{Key: "f", Nested: []string{"example.com/api.Filter"}}}})
		}
		return checked(r)
	}
	ch := build("-", false)
	if diff := cmp.Diff([]string{"cli>store PROVIDE_BEFORE_CONSUME Query.filter"}, constraintStrings(ch.constraints)); diff != "" {
		t.Errorf("new type: constraints (-want +got):\n%s", diff)
	}
	want := []string{
		"info FOLLOWS_FIELD Filter travels only inside fields new in this range (Query.filter): its fields follow their order",
		"info FOLLOWS_FIELD Filter_Attr travels only inside fields new in this range (Query.filter): its fields follow their order",
	}
	var got []string
	for _, f := range findingStrings(ch.findings) {
		if strings.Contains(f, string(FollowsField)) {
			got = append(got, f)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("new type: findings (-want +got):\n%s", diff)
	}
	// A type inside a field no service of the repository writes (another
	// system's response) is outside, not new: FOLLOWS_FIELD leaves it to
	// OUTSIDE_PROVIDER.
	outside := checked(res(
		el{contract: "Resp", key: "items", base: "-", head: "c: store", nested: []string{"example.com/api.Item"}},
		el{contract: "Item", key: "status", base: "-", head: "c: store"},
	))
	for _, f := range findingStrings(outside.findings) {
		if strings.Contains(f, string(FollowsField)) {
			t.Errorf("a type inside an outside response follows it: %s", f)
		}
	}
	// A type some service wrote at base, or one an unchanged field also
	// carries, orders its own keys.
	// ... and so does one that a service needs without needing the field
	// that carries it (a read of the carrier the analysis missed).
	for name, ch := range map[string]*checker{"written at base": build("p: cli; c: store", false), "carried elsewhere": build("-", true),
		"a reader of the type only": build("-", false, "p: cli; c: store audit")} {
		if !slices.ContainsFunc(ch.constraints, func(c Constraint) bool { return c.Contract == "Filter" }) {
			t.Errorf("%s: Filter's keys follow Query.filter: %v", name, constraintStrings(ch.constraints))
		}
	}
}

func TestRuleOutsideConsumer(t *testing.T) {
	removed := func(outside contract.Parties) *contract.Result {
		r := res(el{key: "plan", base: "p: meta", head: "-"})
		r.Contracts[0].Outside = outside
		return r
	}
	for _, tt := range []struct {
		name    string
		outside contract.Parties
		want    []string
	}{
		{"nobody outside reads it: removing it breaks nothing", contract.Parties{}, nil},
		{"a mobile app reads it: removing it blocks", contract.Parties{Consumers: []string{"mobile-app"}},
			[]string{"error OUTSIDE_CONSUMER T.plan: meta stops writing T.plan, which mobile-app reads (external in the config): no deploy order keeps mobile-app working; keep writing it, or accept the break"}},
		{"an outside party also writes it: no break", contract.Parties{Consumers: []string{"app"}, Providers: []string{"sdk"}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range findingStrings(checked(removed(tt.outside)).findings) {
				if strings.Contains(f, string(OutsideConsumer)) {
					got = append(got, f)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRuleSelfServed: a JSON key each service that writes it also reads,
// at both sides, orders nothing (etcd's embed.Config, filled and used by
// every program that embeds a server); one writer or reader more, or a
// protobuf field, and the usual rules apply.
func TestRuleSelfServed(t *testing.T) {
	const note = "warning SELF_SERVED T.a and T.b: server and tool read the keys they write (T): they cross no service boundary the code shows (a configuration each program fills for itself), so they impose no order; if these services share them through storage or messages, deploy the writers of new keys first"
	runRule(t, SelfServed, []ruleCase{
		{name: "both stop writing and reading",
			els:      []el{{key: "a", base: "p: server tool; c: server tool", head: "-"}, {key: "b", base: "-", head: "p: server tool; c: server tool"}},
			findings: []string{note}},
		{name: "one service only reads it: a real reader",
			els: []el{{key: "a", base: "p: server tool; c: server tool web", head: "-"}}},
		{name: "one service only writes it: a real writer",
			els: []el{{key: "a", base: "-", head: "p: server api; c: server"}}},
		{name: "protobuf fields travel",
			els: []el{{key: "1", kind: contract.Protobuf, base: "p: server tool; c: server tool", head: "-"}}},
		{name: "a service joining those that write and read a key orders nothing: no note",
			els: []el{{key: "a", base: "p: server tool; c: server tool", head: "p: server tool e2e; c: server tool e2e"}}},
	})
	for _, tc := range []struct {
		name string
		els  []el
		want int
	}{
		{"self-served: no constraint", []el{{key: "a", base: "p: server tool; c: server tool", head: "-"}}, 0},
		{"a real reader: it stops first", []el{{key: "a", base: "p: server; c: server web", head: "-"}}, 1},
	} {
		if got := len(checked(res(tc.els...)).constraints); got != tc.want {
			t.Errorf("%s: %d constraints, want %d", tc.name, got, tc.want)
		}
	}
}

func TestRuleStopConsumeBeforeStopProvide(t *testing.T) {
	runRule(t, StopConsumeBeforeStopProvide, []ruleCase{
		{name: "readers stop before the writer stops",
			els:         []el{{key: "old", base: "p: meta; c: billing front", head: "-"}},
			constraints: []string{"billing>meta STOP_CONSUME_BEFORE_STOP_PROVIDE T.old", "front>meta STOP_CONSUME_BEFORE_STOP_PROVIDE T.old"}},
		{name: "a reader that still reads what nobody writes at head blocks the plan",
			els:      []el{{key: "old", base: "p: meta; c: billing", head: "p: ; c: billing"}},
			findings: []string{"error STOP_CONSUME_BEFORE_STOP_PROVIDE T.old: billing still reads T.old at head, but meta stops writing it and no service writes it at head; stop reading it first, in an earlier change"}},
		{name: "another writer keeps providing it: no order",
			els: []el{{key: "k", base: "p: a b; c: r", head: "p: b; c: r"}}},
		{name: "a writer that stops writing what it alone reads needs no order",
			els: []el{{key: "k", base: "p: a; c: a", head: "-"}}},
		{name: "a service that still prints the key (optionally) does not block",
			els:         []el{{key: "old", base: "p: meta; c: billing", head: "c: billing[optional]"}},
			constraints: []string{"billing>meta STOP_CONSUME_BEFORE_STOP_PROVIDE T.old"}},
	})
}

// TestRuleRemovedWriter: a key whose only writers were removed services
// orders nothing; a writer renamed (removed, and an added service writes
// the type) or one that stays still blocks, and so does a removed server
// of a method its clients still call.
func TestRuleRemovedWriter(t *testing.T) {
	for _, tc := range []struct {
		name     string
		els      []el
		removed  []string
		findings []string
	}{
		{name: "a removed client was the last writer of what the server still reads",
			els:      []el{{key: "content", base: "p: tool; c: api", head: "c: api"}, {key: "id", base: "p: tool; c: api cmd", head: "c: api cmd"}},
			removed:  []string{"tool"},
			findings: []string{"info REMOVED_WRITER tool, removed in this range, was the last service of the repository that wrote T.content and T.id; api and cmd still read them, from callers outside the repository if any: a removed writer sends nothing that a reader could misread, so this orders nothing"}},
		{name: "many keys are counted after three",
			els: []el{{key: "a", base: "p: t1 t2; c: api", head: "c: api"}, {key: "b", base: "p: t1; c: api", head: "c: api"},
				{key: "c", base: "p: t1; c: api", head: "c: api"}, {key: "d", base: "p: t2; c: api", head: "c: api"}},
			removed:  []string{"t1", "t2"},
			findings: []string{"info REMOVED_WRITER t1 and t2, removed in this range, were the last services of the repository that wrote T.a, T.b, T.c and 1 more; api still reads them, from callers outside the repository if any: a removed writer sends nothing that a reader could misread, so this orders nothing"}},
		{name: "a writer renamed: the added service writes the type without the key",
			els:      []el{{key: "content", base: "p: old; c: api", head: "c: api"}, {key: "id", base: "p: old; c: api", head: "p: new; c: api"}},
			removed:  []string{"old"},
			findings: []string{"error STOP_CONSUME_BEFORE_STOP_PROVIDE T.content: api still reads T.content at head, but old stops writing it and no service writes it at head; stop reading it first, in an earlier change"}},
		{name: "a writer that stays and stops writing the key",
			els:      []el{{key: "content", base: "p: tool; c: api", head: "c: api"}},
			removed:  []string{"other"},
			findings: []string{"error STOP_CONSUME_BEFORE_STOP_PROVIDE T.content: api still reads T.content at head, but tool stops writing it and no service writes it at head; stop reading it first, in an earlier change"}},
		{name: "one of the writers that stop stays",
			els:      []el{{key: "content", base: "p: tool keeper; c: api", head: "p: ; c: api"}, {key: "id", base: "p: keeper", head: "p: keeper"}},
			removed:  []string{"tool"},
			findings: []string{"error STOP_CONSUME_BEFORE_STOP_PROVIDE T.content: api still reads T.content at head, but keeper and tool stop writing it and no service writes it at head; stop reading it first, in an earlier change"}},
		{name: "a removed server of a method its client still calls",
			els:      []el{{kind: contract.RPC, contract: "api.Svc", key: "/api.Svc/Get", base: "p: server; c: client", head: "c: client"}},
			removed:  []string{"server"},
			findings: []string{"error STOP_CONSUME_BEFORE_STOP_PROVIDE /api.Svc/Get: client still calls /api.Svc/Get at head, but server stops serving it and no service serves it at head; stop calling it first, in an earlier change"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := res(tc.els...)
			all := checked(r).deployable
			var deployable []string
			for s := range all {
				if !slices.Contains(tc.removed, s) {
					deployable = append(deployable, s)
				}
			}
			ch := checkWith(r, deployable, tc.removed, nil, time.Time{})
			var fs []Finding
			for _, f := range ch.findings {
				if f.Code == string(RemovedWriter) || f.Code == string(StopConsumeBeforeStopProvide) {
					fs = append(fs, f)
				}
			}
			if diff := cmp.Diff(tc.findings, findingStrings(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRuleTolerantConsumer(t *testing.T) {
	runRule(t, TolerantConsumer, []ruleCase{
		{name: "a reader that stops reading an old key only under a guard on its replacement warns",
			els: []el{
				{key: "old", base: "p: meta; c: billing", head: "p: ; c: billing[guard=new]"},
				{key: "new", base: "p: meta; c: billing", head: "p: meta; c: billing"},
			},
			findings: []string{"warning TOLERANT_CONSUMER T.old: billing still reads T.old as a fallback next to T.new, and no service writes it at head; drop the fallback in a later change"}},
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

func TestRuleKeyReused(t *testing.T) {
	fix := "no version can write both, and in any order old and new versions read each other's values as the wrong field; give tags a key of its own (a protobuf field: a new number, and reserve this one), or stop every use of T.4 in one release and reuse it in a later one"
	runRule(t, KeyReused, []ruleCase{
		{name: "a writer and a reader of the key at both sides cannot be ordered",
			els: []el{{key: "4", name: "CreateTime", base: "p: a; c: b", head: "-"}, {key: "4", name: "Tags", base: "-", head: "p: a; c: b"}},
			findings: []string{"error KEY_REUSED T.4: T.4 was CreateTime (string) at base and is Tags (string) at head, and a and b both write or read it: " +
				strings.ReplaceAll(fix, "give tags", "give Tags")}},
		{name: "a key that no service uses at head is removed as usual",
			els: []el{{key: "4", name: "CreateTime", base: "p: a b; c: a b c", head: "-"}, {key: "4", name: "Tags", base: "-", head: ""}}},
		{name: "the old field's reader stops before its writer writes the new one",
			els:         []el{{key: "4", name: "CreateTime", base: "p: a; c: b", head: "-"}, {key: "4", name: "Tags", base: "-", head: "p: a"}},
			constraints: []string{"b>a KEY_REUSED T.4"}},
		{name: "a JSON value whose type changes in place misreads as the wrong type",
			els: []el{{key: "total", name: "Total", base: "p: a; c: b", head: "-"}, {key: "total", name: "Total", base: "-", head: "p: a; c: b"}},
			findings: []string{"error KEY_REUSED T.total: T.total was Total (string) at base and is Total (string) at head, and a and b both write or read it: " +
				strings.NewReplacer("give tags", "give Total", "as the wrong field", "as the wrong type", "T.4", "T.total").Replace(fix)}},
		{name: "an old writer that stops and a reader that moves to the new field are a cycle",
			els: []el{{key: "4", name: "CreateTime", base: "p: x; c: y", head: "-"}, {key: "4", name: "Tags", base: "-", head: "p: y; c: y"}},
			findings: []string{"error KEY_REUSED T.4: T.4 was CreateTime (string) at base and is Tags (string) at head, and x and y both write or read it: " +
				strings.ReplaceAll(fix, "give tags", "give Tags")}},
	})
}

func TestRuleNewType(t *testing.T) {
	runRule(t, NewType, []ruleCase{
		{name: "a type new in the range that nothing carries orders nothing",
			els:      []el{{key: "a", base: "-", head: "p: x y; c: x y"}, {key: "b", base: "-", head: "p: x; c: y"}},
			findings: []string{"info NEW_TYPE T is new in this range and no field or RPC method carries it (it travels through storage, a queue or a request from outside the repository): old versions neither write nor read it, so its keys order nothing"}},
		{name: "a type that has a key at base is not new",
			els: []el{{key: "a", base: "-", head: "p: x; c: y"}, {key: "id", base: "", head: ""}}},
		{name: "a new type inside a field follows that field instead",
			els: []el{{contract: "Inner", key: "a", base: "-", head: "p: x; c: y"},
				{contract: "Outer", key: "inner", base: "-", head: "p: x; c: y", nested: []string{"example.com/api.Inner"}}, {contract: "Outer", key: "id", base: "", head: ""}}},
	})
	// The keys of a new type impose no order.
	ch := checked(res(el{key: "a", base: "-", head: "p: x y; c: x y"}, el{key: "b", base: "-", head: "p: x; c: y"}))
	if got := constraintStrings(ch.constraints); len(got) != 0 {
		t.Errorf("constraints = %v, want none", got)
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
	ids := []RuleID{WireKeyChanged, KeyReused, OutsideProvider, UndefinedFlag, OutsideConsumer, FollowsMethod, FollowsField, NewType, SelfServed, TolerantConsumer, ProvideBeforeConsume, RemovedWriter, StopConsumeBeforeStopProvide,
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
