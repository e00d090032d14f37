package planner

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"

	"github.com/deployorder/deployorder/contract"
)

// RuleID names a rule of the registry.
type RuleID string

const (
	WireKeyChanged               RuleID = "WIRE_KEY_CHANGED"
	KeyReused                    RuleID = "KEY_REUSED"
	OutsideProvider              RuleID = "OUTSIDE_PROVIDER"
	OutsideConsumer              RuleID = "OUTSIDE_CONSUMER"
	UndefinedFlag                RuleID = "UNDEFINED_FLAG"
	FollowsMethod                RuleID = "FOLLOWS_METHOD"
	FollowsField                 RuleID = "FOLLOWS_FIELD"
	NewType                      RuleID = "NEW_TYPE"
	SelfServed                   RuleID = "SELF_SERVED"
	TolerantConsumer             RuleID = "TOLERANT_CONSUMER"
	ProvideBeforeConsume         RuleID = "PROVIDE_BEFORE_CONSUME"
	RemovedWriter                RuleID = "REMOVED_WRITER"
	StopConsumeBeforeStopProvide RuleID = "STOP_CONSUME_BEFORE_STOP_PROVIDE"
	WireIdentical                RuleID = "WIRE_IDENTICAL"
	RebuildOnly                  RuleID = "REBUILD_ONLY"
	GuessedKeys                  RuleID = "GUESSED_KEYS"
	SplitCycle                   RuleID = "SPLIT_CYCLE"
	UnsplittableCycle            RuleID = "UNSPLITTABLE_CYCLE"
)

// Rule is one entry of the rules registry: what deployorder decides about
// the changed contract elements of a range, reading elements only (their
// providers and consumers at base and head), whatever their kind.
type Rule struct {
	ID       RuleID
	Severity Severity // of every finding the rule raises
	Purpose  string
	Check    func(*checker)
	// Acceptable: each finding of the rule is about one element, which it
	// names, so that an acceptance can name it too.
	Acceptable bool
}

// Rules is the registry. check applies it in this order, in one loop:
// each rule reads what the rules before it decided. (It is filled in init:
// the checks raise findings with the severities of this very table.)
var Rules []Rule

func init() {
	Rules = []Rule{
		{ID: WireKeyChanged, Severity: Info, Check: checkWireKeyChanged,
			Purpose: "Changing an existing field's wire key (json tag renamed, untagged Go field renamed, protobuf number changed) or its wire type incompatibly (number -> string, scalar -> list) is a removal plus an addition, on both sides at once."},
		{ID: KeyReused, Severity: Error, Check: checkKeyReused, Acceptable: true,
			Purpose: "A wire key that one field leaves and another takes with an incompatible wire type (a protobuf number given to another field, a JSON key whose value turns from a number to a string) cannot carry both at once, so no service can provide old and new side by side: a service that uses the key at both sides switches in its one deploy (one that uses it at one side splits as usual), old writers must be gone before new readers come and old readers before new writers. When those orders form a cycle, no deploy order and no split avoids old and new versions misreading each other's values: the plan is blocked until the new field gets a key of its own (reserve the old protobuf number), or the break is accepted."},
		{ID: OutsideProvider, Severity: Info, Check: checkOutsideProvider,
			Purpose: "An element a service starts consuming that no service of the repository provides, before or after the range (a request field users' SDKs send, a field of a third-party system's response, an object users' manifests write, a variable the deployment's manifests set), is provided outside the repository: no deploy order applies, and the plan says so. The config's external: parties with provides: true say it for a contract."},
		{ID: UndefinedFlag, Severity: Warning, Check: checkUndefinedFlag,
			Purpose: "A launcher that starts passing a flag that the launched program, a service of this repository, defines nowhere in its code at base or head: a library the program links may define it (klog, a logger's or metrics' options), or the program rejects it at start (flag provided but not defined, unknown flag). No deploy order fixes the second; the plan says which flag to check."},
		{ID: OutsideConsumer, Severity: Error, Check: checkOutsideConsumer, Acceptable: true,
			Purpose: "An element that an outside party consumes (external: in the config, with consumes: true: a mobile app, users' SDKs) and that the repository stops providing breaks that party, whatever the deploy order: the plan is blocked until the change keeps providing it, or the break is accepted."},
		{ID: FollowsMethod, Severity: Info, Check: checkFollowsMethod,
			Purpose: "The fields of a message that travels only in RPC methods the range adds (no service served them at base) or removes (no service serves them at head), the request and response and the messages inside them, follow those methods' order and impose none of their own: the client that writes a new request's fields cannot run before the server has the method anyway, and stops writing them when it stops calling."},
		{ID: FollowsField, Severity: Info, Check: checkFollowsField,
			Purpose: "The fields of a message type that no service wrote at base and that travels only inside fields no service wrote at base either (a new filter tree in a new request field) follow the order of the fields that carry them, and impose none of their own: an old writer cannot send them, since it sends no value of the type at all. The same holds the other way for a type that travels only in fields removed in the range."},
		{ID: NewType, Severity: Info, Check: checkNewType,
			Purpose: "The fields of a message type new in the range (none of its keys exists at base) that no field and no RPC method carries (it travels through storage or a queue, as open-match's BackfillInternal in Redis, or comes from outside, as a webhook's payload) impose no order: old versions neither write nor read the type, so every value a new reader sees comes from a new writer."},
		{ID: SelfServed, Severity: Warning, Check: checkSelfServed,
			Purpose: "A JSON key that, at base and at head, every service writing it also reads and every service reading it also writes (a configuration struct each program fills and uses in its own process, the options of a library each one embeds) crosses no service boundary that the code shows: its changes impose no order between services. If the services share it through storage or messages, the writers of a new key deploy first; the plan says so instead of ordering."},
		{ID: TolerantConsumer, Severity: Warning, Check: checkTolerantConsumer, Acceptable: true,
			Purpose: "A consumer that, in the same function, reads an old element where its replacement is missing (a fallback proven from the code: the read of one sits under a condition on the other) keeps the provider-first order but makes it non-critical: it forces no split, and rolling the provider back stays safe. A consumer left with only the fallback is a warning."},
		{ID: ProvideBeforeConsume, Severity: Info, Check: checkProvideBeforeConsume, Acceptable: true,
			Purpose: "An element a service starts consuming must be provided first: every service that starts providing it (writes a key, serves a method) deploys strictly before that consumer. (An element that no service provides any more is a break of STOP_CONSUME_BEFORE_STOP_PROVIDE; one that no service of the repository ever provided is OUTSIDE_PROVIDER's.) Accepting it for an element says that its new consumers do without it while old providers run (absent reads as 'not supported', as in capability negotiation): the order stays, marked not critical, and it forces no split. The keys of a type that travels only in requests (an RPC method's parameter, an HTTP request's decoded body, or a message inside one) are provided the other way round: the servers that read a key provide it and the clients that write it consume it, since an old server drops a key it does not know (a new client's filter or time window would be ignored), while a new server reads a key an old client does not send as unset; so the server that starts reading deploys before the client that starts writing. A server that rejects a request without the key would break old clients instead: then the client that writes it deploys first."},
		{ID: RemovedWriter, Severity: Info, Check: checkRemovedWriter,
			Purpose: "A key whose only writers in the repository were services the range removes (a client, a tool or a demo deleted while the server that reads the requests it sent stays), and whose type no service starts writing, orders nothing: a removed writer sends nothing that an old or a new reader could misread, and what the readers still read comes from outside the repository (users' SDKs) or not at all. A writer that stays and stops writing the key is STOP_CONSUME_BEFORE_STOP_PROVIDE's, and so is a key whose type a service starts writing in the range (a writer renamed or replaced)."},
		{ID: StopConsumeBeforeStopProvide, Severity: Error, Check: checkStopConsumeBeforeStopProvide, Acceptable: true,
			Purpose: "An element providers stop providing must first stop being consumed: consumers that stop deploy strictly before the providers that stop. A service that still consumes it at head while no service provides it blocks the plan. For a key of a type that travels only in requests, the clients that stop writing it deploy before the servers that stop reading it; a client still writing it at head while no server reads it blocks the plan (a new server would drop it), unless the client writes, beside it, a key of the same request that it starts writing and a server reads (its replacement, kept for old servers); a server still reading it while the repository's clients stop writing it blocks nothing (callers outside the repository may send it, and a missing key reads as unset)."},
		{ID: WireIdentical, Severity: Info, Check: checkWireIdentical,
			Purpose: "Changes that leave the wire the same are not breaking: pointer <-> value, a Go field renamed with its json tag kept, a protobuf field renamed with its number kept, a type replaced by an identical one, regenerated code."},
		{ID: RebuildOnly, Severity: Info, Check: checkRebuildOnly,
			Purpose: "A service that uses a changed contract but neither provides nor consumes a changed element only rebuilds: it is affected, with no ordering constraint."},
		{ID: GuessedKeys, Severity: Warning, Check: checkGuessedKeys,
			Purpose: "A contract type that marshals itself (MarshalJSON, UnmarshalJSON) puts keys on the wire that its struct tags may not show: the plan rests on the tags, a guess, and says so."},
		{ID: SplitCycle, Severity: Info, Check: checkSplitCycle,
			Purpose: "Constraints that form a cycle are split: the provider's change becomes an expand step (provide both old and new), the consumers switch in a later step, and the provider's removal becomes a contract step."},
		{ID: UnsplittableCycle, Severity: Error, Check: checkUnsplittableCycle,
			Purpose: "Constraints that still form a cycle once every service in it is split into expand, switch and contract parts cannot be ordered: the plan is blocked, and the finding names the services of the cycle."},
	}
	for i := range Rules {
		ruleByID[Rules[i].ID] = &Rules[i]
	}
}

// ruleByID indexes the registry.
var ruleByID = map[RuleID]*Rule{}

// elementChange is one changed element of a contract.
type elementChange struct {
	c     *contract.Contract
	e     *contract.Element
	name  string // for people: Contract.key, or the method or route
	rules map[RuleID]bool
	// nested: the element's contract sits inside another changed element's
	// value (a new list's entries); such elements are listed after it.
	nested bool
	// follows names the new RPC method whose order the element follows
	// (FOLLOWS_METHOD), or says that each service serves itself
	// (SELF_SERVED): it imposes no order of its own.
	follows string
	// isRequest: the element's readers provide it (request); requiredBy
	// names a server that rejects a request without it.
	isRequest  bool
	requiredBy string
}

// writers and readers are the element's roles as the code plays them:
// for a field, the services that write and read its key (for the other
// kinds, providers and consumers). An optional reader does without the
// element and is left out.
func (ec *elementChange) writers(s contract.Side) contract.Roles { return ec.e.Providers[s] }
func (ec *elementChange) readers(s contract.Side) contract.Roles {
	return required(ec.e.Consumers[s])
}

// providers and consumers are the roles the orders read: a provider's new
// element deploys before its consumers use it, and they stop using it
// before it goes. They are the writers and the readers, but for a key
// that travels only in requests (contract.Contract.Request), where the
// servers that read it provide it (an old server drops a key it does not
// know) and the clients that write it consume it.
func (ec *elementChange) providers(s contract.Side) contract.Roles {
	if ec.request() {
		return ec.readers(s)
	}
	return ec.writers(s)
}
func (ec *elementChange) consumers(s contract.Side) contract.Roles {
	if ec.request() {
		return ec.writers(s)
	}
	return ec.readers(s)
}
func (ec *elementChange) verbs() contract.Verbs { return verbsOf(ec.c.Kind, ec.request()) }

// request reports whether the readers of the element provide it: it is a
// key of a request (contract.Contract.Request) that no server requires at
// head. A server that rejects a request without the key breaks old
// clients, so the clients that write it keep going first (an old server
// ignores it meanwhile, as it always did).
func (ec *elementChange) request() bool { return ec.isRequest }

// requiredBy names a service that, at head, rejects a request without
// the key of a request's element; "" when none does.
func requiredBy(c *contract.Contract, e *contract.Element) string {
	if !c.Request {
		return ""
	}
	for _, svc := range sortedSet(e.Consumers[contract.Head]) {
		for _, p := range e.Consumers[contract.Head][svc] {
			if p.Required {
				return svc
			}
		}
	}
	return ""
}

// outsideProviders are the parties outside the repository that the
// config says provide the element: for a request's key, those that read it.
func (ec *elementChange) outsideProviders() []string {
	if ec.request() {
		return ec.c.Outside.Consumers
	}
	return ec.c.Outside.Providers
}

// writesReplacement reports whether writer w of a request's key, still
// writing it at head, starts writing another key of the same request that
// a server reads at head: it writes old and new side by side, for old
// servers, and the old key's last reader may go first.
func (ch *checker) writesReplacement(ec *elementChange, w string) bool {
	if !ec.request() {
		return false
	}
	for _, o := range ch.elements {
		if o.c == ec.c && o != ec && o.consumers(contract.Head).Has(w) && !o.consumers(contract.Base).Has(w) && len(o.providers(contract.Head)) > 0 {
			return true
		}
	}
	return false
}

// verbsOf are the words for what the providers and consumers of a kind's
// elements do; a request's keys are provided by their readers.
func verbsOf(k contract.Kind, request bool) contract.Verbs {
	v := k.Verbs()
	if request {
		return contract.Verbs{Provide: v.Consume, Provides: v.Consumes, Consume: v.Provide, Consumes: v.Provides, Consumer: "writer"}
	}
	return v
}

// checker is the state the rules read and add to.
type checker struct {
	res        *contract.Result
	deployable map[string]bool
	elements   []*elementChange

	// What the rules decided.
	constraints []Constraint
	findings    []Finding
	// fallback[ec][consumer] is the old element a consumer of a new element
	// falls back to (TOLERANT_CONSUMER).
	fallback map[*elementChange]map[string]string
	// onlyFallback[ec][consumer] is the replacement next to which a consumer
	// still reads an old element, as a fallback (TOLERANT_CONSUMER).
	onlyFallback map[*elementChange]map[string]string
	sched        schedule // set by SPLIT_CYCLE

	// The team's acceptances, and the day they expire against: an
	// accepted PROVIDE_BEFORE_CONSUME makes its consumers tolerant.
	accept []Acceptance
	today  time.Time

	// removed are the services the range removes (REMOVED_WRITER).
	removed map[string]bool
}

// finding adds a finding of a rule, with the rule's severity.
func (ch *checker) finding(id RuleID, pos contract.Pos, format string, args ...any) {
	ch.findings = append(ch.findings, Finding{Severity: ruleByID[id].Severity, Code: string(id), File: pos.File, Line: pos.Line,
		Message: fmt.Sprintf(format, args...)})
}

// elementFinding adds a finding of a rule about one changed element,
// which it names as edges do. Only the registry's Acceptable rules raise
// them.
func (ch *checker) elementFinding(id RuleID, ec *elementChange, pos contract.Pos, format string, args ...any) {
	ch.finding(id, pos, format, args...)
	ch.findings[len(ch.findings)-1].Element = ec.name
}

// check applies the registry to the changed elements of a contract
// analysis. deployable are the services the range deploys.
func check(res *contract.Result, deployable []string) *checker {
	return checkWith(res, deployable, nil, nil, time.Time{})
}

// checkWith is check with the team's acceptances, which rules that
// relax an order for an accepted element read.
func checkWith(res *contract.Result, deployable, removed []string, accept []Acceptance, today time.Time) *checker {
	if res == nil {
		res = &contract.Result{}
	}
	ch := &checker{res: res, deployable: map[string]bool{}, accept: accept, today: today, removed: map[string]bool{},
		fallback: map[*elementChange]map[string]string{}, onlyFallback: map[*elementChange]map[string]string{}}
	for _, s := range deployable {
		ch.deployable[s] = true
	}
	for _, s := range removed {
		ch.removed[s] = true
	}
	for _, c := range res.Contracts {
		for _, e := range c.Elements {
			if e.Changed {
				ec := &elementChange{c: c, e: e, name: contract.ElementName(c, e), rules: map[RuleID]bool{}}
				ec.requiredBy = requiredBy(c, e)
				ec.isRequest = c.Request && ec.requiredBy == ""
				ch.elements = append(ch.elements, ec)
			}
		}
	}
	for _, ec := range ch.elements {
		for _, outer := range ch.elements {
			if outer.c != ec.c && nests(outer.e, ec.c) {
				ec.nested = true
			}
		}
	}
	for _, r := range Rules {
		r.Check(ch)
	}
	return ch
}

// constraint adds an ordering constraint between two deployable services.
func (ch *checker) constraint(c Constraint) {
	if ch.deployable[c.From] && ch.deployable[c.To] {
		ch.constraints = append(ch.constraints, c)
	}
}

// checkWireKeyChanged marks elements that appear or disappear because a
// field's wire key or wire type changed.
func checkWireKeyChanged(ch *checker) {
	for _, ec := range ch.elements {
		if !ec.c.Kind.IsField() || ec.e.Exists(contract.Base) == ec.e.Exists(contract.Head) {
			continue
		}
		for _, other := range ec.c.Elements {
			if other != ec.e && other.Name == ec.e.Name && other.Name != "" && other.Exists(contract.Base) != other.Exists(contract.Head) {
				ec.rules[WireKeyChanged] = true
			}
		}
	}
}

// checkKeyReused blocks a key reused by an incompatible field (see the
// registry) when the orders it needs form a cycle. The contract analysis
// splits such a key into two elements of one key: the old field, at base
// only, and the new one, at head only.
func checkKeyReused(ch *checker) {
	type reuse struct{ old, cur *elementChange }
	byKey := map[string]*reuse{}
	for _, ec := range ch.elements {
		b, h := ec.e.Exists(contract.Base), ec.e.Exists(contract.Head)
		if !ec.c.Kind.IsField() || b == h {
			continue
		}
		k := ec.c.ID + "\x00" + ec.e.Key
		if byKey[k] == nil {
			byKey[k] = &reuse{}
		}
		if b {
			byKey[k].old = ec
		} else {
			byKey[k].cur = ec
		}
	}
	for _, k := range sortedSet(byKey) {
		old, cur := byKey[k].old, byKey[k].cur
		if old == nil || cur == nil {
			continue
		}
		cycle, cross := reuseOrders(old, cur)
		if cycle == nil {
			for _, c := range cross {
				ch.constraint(c)
			}
			continue
		}
		// The usual orders of the two fields stay, but no split can serve
		// both: they force none (see checkProvideBeforeConsume).
		old.rules[KeyReused], cur.rules[KeyReused] = true, true
		both := "all"
		if len(cycle) == 2 {
			both = "both"
		}
		wrong := "field" // a protobuf number given to another field
		if fieldName(old) == fieldName(cur) {
			wrong = "type" // a JSON value turned from a number to a string
		}
		ch.elementFinding(KeyReused, cur, cur.e.Decl[contract.Head],
			"%s was %s (%s) at base and is %s (%s) at head, and %s %s write or read it: no version can write both, and in any order old and new versions read each other's values as the wrong %s; give %s a key of its own (a protobuf field: a new number, and reserve this one), or stop every use of %s in one release and reuse it in a later one",
			ec2key(cur), fieldName(old), old.e.Type[contract.Base], fieldName(cur), cur.e.Type[contract.Head], joinNames(cycle), both, wrong, fieldName(cur), ec2key(cur))
	}
}

// reuseOrders returns the services of a cycle of the orders a reused key
// needs, if any, and the orders across its two fields (that the plan
// keeps when there is no cycle). No version can write both fields under
// one key, so a service that uses the key at both sides cannot be split
// into expand, switch and contract for it: it moves from the old field to
// the new one in one deploy. One that uses it at one side only is split
// as usual (stop reading, then stop writing the old field; write, then
// read the new one).
func reuseOrders(old, cur *elementChange) (cycle []string, cross []Constraint) {
	ow, or := old.writers(contract.Base), old.readers(contract.Base)
	nw, nr := cur.writers(contract.Head), cur.readers(contract.Head)
	atomic := map[string]bool{}
	for _, roles := range []contract.Roles{ow, or} {
		for s := range roles {
			_, w := nw[s]
			_, r := nr[s]
			atomic[s] = w || r
		}
	}
	type partOf struct {
		service string
		part    Part // Whole for a service that moves in one deploy
	}
	g := simple.NewDirectedGraph()
	var nodes []partOf
	ids := map[partOf]int64{}
	node := func(s string, p Part) graph.Node {
		k := partOf{s, p}
		if atomic[s] {
			k.part = Whole
		}
		if _, ok := ids[k]; !ok {
			ids[k] = int64(len(nodes))
			nodes = append(nodes, k)
			g.AddNode(simple.Node(ids[k]))
		}
		return g.Node(ids[k])
	}
	edge := func(from contract.Roles, fp Part, to contract.Roles, tp Part, why string) {
		for _, a := range sortedSet(from) {
			for _, b := range sortedSet(to) {
				if a == b {
					continue
				}
				g.SetEdge(simple.Edge{F: node(a, fp), T: node(b, tp)})
				if why != "" {
					cross = append(cross, Constraint{From: a, FromPart: fp, To: b, ToPart: tp, Rule: KeyReused,
						Kind: old.c.Kind, Contract: old.c.Name, Key: ec2key(old), Nested: old.nested, Critical: true,
						Why: fmt.Sprintf(why, a, b)})
				}
			}
		}
	}
	edge(ow, ContractPart, nr, SwitchPart, "%s stops writing "+old.name+" before %s reads "+cur.name+" under the same key")
	edge(or, SwitchPart, nw, ExpandPart, "%s stops reading "+old.name+" before %s writes "+cur.name+" under the same key")
	edge(or, SwitchPart, ow, ContractPart, "") // readers stop reading the old field before its writers stop
	edge(nw, ExpandPart, nr, SwitchPart, "")   // writers write the new field before its readers read it
	// (A split service's own parts need no edges: no order leads into its
	// part that stops reading the old field or out of the one that starts
	// reading the new, so none of them closes a cycle.)
	for _, scc := range topo.TarjanSCC(g) {
		if len(scc) < 2 {
			continue
		}
		for _, n := range scc {
			if s := nodes[n.ID()].service; !slices.Contains(cycle, s) {
				cycle = append(cycle, s)
			}
		}
		slices.Sort(cycle)
		return cycle, nil
	}
	return nil, cross
}

// notSplit makes an order of an element whose key a blocked reuse shares
// (KEY_REUSED) force no split: no version can provide both fields of one
// key, which the expand step would ask for.
func notSplit(ec *elementChange, c *Constraint) {
	if ec.rules[KeyReused] && c.Critical {
		c.Critical = false
		c.Why += " (not split: the key is reused, see KEY_REUSED)"
	}
}

// ec2key names an element's key for people: Contract.#N for a protobuf
// field, Contract.key for a JSON one.
func ec2key(ec *elementChange) string {
	if ec.c.Kind == contract.Protobuf {
		return ec.c.Name + ".#" + ec.e.Key
	}
	return ec.c.Name + "." + ec.e.Key
}

// fieldName is the Go field (or protobuf field) an element is.
func fieldName(ec *elementChange) string {
	if ec.e.Name != "" {
		return ec.e.Name
	}
	return ec.e.Key
}

// checkFollowsMethod marks the fields of the messages that travel only
// in RPC methods new in the range.
func checkFollowsMethod(ch *checker) {
	carriedBy := map[string][]*contract.Element{} // message type -> the methods that carry it
	nested := map[string][]string{}               // message type -> the types inside its fields
	for _, c := range ch.res.Contracts {
		for _, e := range c.Elements {
			if c.Kind == contract.RPC {
				for _, t := range e.Carries {
					carriedBy[t] = append(carriedBy[t], e)
				}
			}
			if c.Kind.IsField() {
				for _, t := range c.Types {
					nested[t] = append(nested[t], e.Nested...)
				}
			}
		}
	}
	// A type inside a carried message travels in the same methods.
	for changed := true; changed; {
		changed = false
		for t, methods := range carriedBy {
			for _, n := range nested[t] {
				for _, m := range methods {
					if !slices.Contains(carriedBy[n], m) {
						carriedBy[n] = append(carriedBy[n], m)
						changed = true
					}
				}
			}
		}
	}
	noted := map[*contract.Contract]bool{}
	for _, ec := range ch.elements {
		if !ec.c.Kind.IsField() {
			continue
		}
		var methods []*contract.Element
		for _, t := range ec.c.Types {
			methods = append(methods, carriedBy[t]...)
		}
		// A method is new when no service served it at base (its generated
		// code may be older than its first server), and gone when no service
		// serves it at head.
		servedAt := func(s contract.Side) func(*contract.Element) bool {
			return func(m *contract.Element) bool { return len(m.Providers[s]) > 0 }
		}
		how := "new in"
		switch {
		case len(methods) == 0:
			continue
		case !slices.ContainsFunc(methods, servedAt(contract.Base)):
		case !slices.ContainsFunc(methods, servedAt(contract.Head)):
			how = "removed in"
		default:
			continue
		}
		ec.follows = methods[0].Key
		ec.rules[FollowsMethod] = true
		if !noted[ec.c] {
			noted[ec.c] = true
			var names []string
			for _, m := range methods {
				if !slices.Contains(names, m.Key) {
					names = append(names, m.Key)
				}
			}
			slices.Sort(names)
			whose := "method's"
			if len(names) > 1 {
				whose = "methods'"
			}
			order := "server first"
			if how == "removed in" {
				order = "clients stop first"
			}
			ch.finding(FollowsMethod, contract.Pos{}, "%s travels only in %s, %s this range: its fields follow the %s order (%s)",
				ec.c.Name, joinNames(names), how, whose, order)
		}
	}
}

// carriers indexes what holds each contract type: the changed field
// elements whose values hold it, and whether an unchanged field element or
// an RPC method holds it too.
func (ch *checker) carriers() (changed map[string][]*elementChange, elsewhere map[string]bool) {
	changed, elsewhere = map[string][]*elementChange{}, map[string]bool{}
	for _, c := range ch.res.Contracts {
		for _, e := range c.Elements {
			if c.Kind == contract.RPC {
				for _, t := range e.Carries {
					elsewhere[t] = true
				}
			}
			if !c.Kind.IsField() || e.Changed {
				continue
			}
			for _, t := range e.Nested {
				elsewhere[t] = true
			}
		}
	}
	for _, ec := range ch.elements {
		if ec.c.Kind.IsField() {
			for _, t := range ec.e.Nested {
				changed[t] = append(changed[t], ec)
			}
		}
	}
	return changed, elsewhere
}

// checkFollowsField marks the fields of the message types that travel only
// inside fields new in the range (or only inside fields removed in it).
func checkFollowsField(ch *checker) {
	carriers, carriedElsewhere := ch.carriers()
	// A protobuf oneof member's wrapper (Msg_Member: the Go struct that
	// holds one member of Msg's oneof) travels wherever Msg does: the
	// oneof field itself has no wire key, so no element carries it.
	carriersOf := func(t string) ([]*elementChange, bool) {
		cs, elsewhere := carriers[t], carriedElsewhere[t]
		for i := strings.LastIndex(t, "_"); len(cs) == 0 && !elsewhere && i > strings.LastIndex(t, "."); i = strings.LastIndex(t[:i], "_") {
			cs, elsewhere = carriers[t[:i]], carriedElsewhere[t[:i]]
		}
		return cs, elsewhere
	}
	// follows lists the fields that carry a contract's values when they
	// are written nowhere at side s (Base: new in the range), and neither
	// are those fields.
	follows := func(c *contract.Contract, s contract.Side) []*elementChange {
		var outers []*elementChange
		for _, t := range c.Types {
			cs, elsewhere := carriersOf(t)
			if elsewhere {
				return nil
			}
			for _, cr := range cs {
				// A carrier no service writes at either side is
				// provided outside the repository (OUTSIDE_PROVIDER): it
				// is not new in the range, and orders nothing.
				if len(cr.writers(s)) > 0 || len(cr.writers(1-s)) == 0 {
					return nil
				}
				if cr.c != c {
					outers = append(outers, cr)
				}
			}
		}
		for _, e := range c.Elements {
			if len(e.Providers[s]) > 0 {
				return nil
			}
		}
		// The carriers' order covers the type's only if every service
		// that writes or needs its keys writes or needs a carrier too (a
		// read of the carrier the analysis cannot see would otherwise
		// leave the inner keys with no order at all; the writer of a
		// carrier may well read the values it builds).
		other := 1 - s
		carrierRoles := contract.Roles{}
		for _, o := range outers {
			maps.Copy(carrierRoles, o.writers(other))
			maps.Copy(carrierRoles, o.readers(other))
		}
		for _, ec := range ch.elements {
			if ec.c == c && (len(minus(ec.writers(other), carrierRoles)) > 0 || len(minus(ec.readers(other), carrierRoles)) > 0) {
				return nil
			}
		}
		return outers
	}
	type following struct {
		how    string
		outers []*elementChange
	}
	found := map[*contract.Contract]following{}
	for _, ec := range ch.elements {
		if _, done := found[ec.c]; done || ec.follows != "" || !ec.c.Kind.IsField() || len(ec.c.Outside.Providers)+len(ec.c.Outside.Consumers) > 0 {
			continue
		}
		if outers := follows(ec.c, contract.Base); len(outers) > 0 {
			found[ec.c] = following{"new in", outers}
		} else if outers := follows(ec.c, contract.Head); len(outers) > 0 {
			found[ec.c] = following{"removed in", outers}
		}
	}
	for _, ec := range ch.elements {
		f, ok := found[ec.c]
		if !ok || ec.follows != "" {
			continue
		}
		// Name the outermost carrier: one whose own type does not follow.
		outer := f.outers[0]
		for _, o := range f.outers {
			if _, inner := found[o.c]; !inner {
				outer = o
				break
			}
		}
		ec.follows = outer.name
		ec.rules[FollowsField] = true
	}
	for _, c := range ch.res.Contracts {
		f, ok := found[c]
		if !ok {
			continue
		}
		for _, ec := range ch.elements {
			if ec.c == c {
				ch.finding(FollowsField, contract.Pos{}, "%s travels only inside fields %s this range (%s): its fields follow their order", c.Name, f.how, ec.follows)
				break
			}
		}
	}
}

// checkNewType marks the keys of the message types new in the range that
// nothing the analysis sees carries: they order nothing.
func checkNewType(ch *checker) {
	changed, elsewhere := ch.carriers()
	carried := func(t string) bool { return len(changed[t]) > 0 || elsewhere[t] }
	isNew := func(c *contract.Contract) bool {
		if !c.Kind.IsField() || len(c.Types) == 0 || len(c.Outside.Providers)+len(c.Outside.Consumers) > 0 {
			return false
		}
		for _, t := range c.Types {
			// A oneof member's wrapper (Msg_Member) travels inside Msg.
			if carried(t) || strings.Contains(t[strings.LastIndex(t, ".")+1:], "_") {
				return false
			}
		}
		for _, e := range c.Elements {
			if e.Exists(contract.Base) {
				return false
			}
		}
		return true
	}
	for _, c := range ch.res.Contracts {
		if !isNew(c) {
			continue
		}
		marked := false
		for _, ec := range ch.elements {
			if ec.c == c && ec.follows == "" {
				ec.follows, ec.rules[NewType] = "new", true
				marked = true
			}
		}
		if marked {
			ch.finding(NewType, contract.Pos{}, "%s is new in this range and no field or RPC method carries it (it travels through storage, a queue or a request from outside the repository): old versions neither write nor read it, so its keys order nothing", c.Name)
		}
	}
}

// checkSelfServed finds the JSON keys that every service which writes
// them also reads, and the other way round, at both sides: one note per
// contract, and no order.
func checkSelfServed(ch *checker) {
	keys := map[*contract.Contract][]string{}
	var order []*contract.Contract
	for _, ec := range ch.elements {
		if ec.follows != "" || ec.c.Kind != contract.JSON || len(ec.c.Outside.Providers)+len(ec.c.Outside.Consumers) > 0 {
			continue
		}
		self, services := true, map[string]bool{}
		for _, s := range contract.Sides {
			p, c := sortedSet(ec.writers(s)), sortedSet(ec.e.Consumers[s])
			self = self && slices.Equal(p, c)
			for _, svc := range p {
				services[svc] = true
			}
		}
		if !self || len(services) < 2 {
			continue // one service alone orders nothing anyway
		}
		if !ordersOthers(ec) {
			continue // nothing to say: the usual rules order nothing either
		}
		ec.follows = "self"
		ec.rules[SelfServed] = true
		if keys[ec.c] == nil {
			order = append(order, ec.c)
		}
		keys[ec.c] = append(keys[ec.c], ec.name)
	}
	for _, c := range order {
		var svcs []string
		for _, ec := range ch.elements {
			if ec.c == c && ec.follows == "self" {
				for _, s := range contract.Sides {
					svcs = append(svcs, sortedSet(ec.writers(s))...)
				}
			}
		}
		slices.Sort(svcs)
		svcs = slices.Compact(svcs)
		ch.finding(SelfServed, contract.Pos{}, "%s: %s read%s the keys %s write%s (%s): they cross no service boundary the code shows (a configuration each program fills for itself), so they impose no order; if these services share them through storage or messages, deploy the writers of new keys first",
			joinNames(keys[c]), joinNames(svcs), pluralS(len(svcs)), pronounThey(len(svcs)), pluralS(len(svcs)), c.Name)
	}
}

// ordersOthers reports whether the usual rules would order two services
// for an element: one starts (or stops) providing it and another starts
// (or stops) consuming it.
func ordersOthers(ec *elementChange) bool {
	pairs := func(a, b []string) bool {
		for _, x := range a {
			for _, y := range b {
				if x != y {
					return true
				}
			}
		}
		return false
	}
	start := pairs(minus(ec.writers(contract.Head), ec.writers(contract.Base)), minus(ec.e.Consumers[contract.Head], ec.e.Consumers[contract.Base]))
	stop := pairs(minus(ec.writers(contract.Base), ec.writers(contract.Head)), minus(ec.e.Consumers[contract.Base], ec.e.Consumers[contract.Head]))
	return start || stop
}

// pluralS is the verb ending of a subject of n services: "s" for one.
func pluralS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

func pronounThey(n int) string {
	if n == 1 {
		return "it"
	}
	return "they"
}

// checkTolerantConsumer finds the consumers that fall back, in the same
// function, from a new element to an old one it replaces, and those that
// still consume an old element only as a fallback next to its replacement.
// A fallback is proven from the code: one of the two reads sits under a
// condition that reads the other (if x.New == nil { use x.Old }).
func checkTolerantConsumer(ch *checker) {
	for _, ec := range ch.elements {
		for _, r := range sortedSet(ec.consumers(contract.Head)) {
			if old, ok := ch.fallsBackTo(ec, r, 0); ok {
				setIn(ch.fallback, ec, r, old)
			}
			if len(ec.providers(contract.Head)) > 0 {
				continue
			}
			if cur, ok := fallbackNextTo(ec, r); ok {
				setIn(ch.onlyFallback, ec, r, cur)
			}
		}
	}
}

func setIn(m map[*elementChange]map[string]string, ec *elementChange, svc, v string) {
	if m[ec] == nil {
		m[ec] = map[string]string{}
	}
	m[ec][svc] = v
}

// fallsBackTo reports whether consumer r of element ec, at head, falls back
// to another element of the same contract that the base provides: in the
// mixed state, with the new consumer and an old provider, it reads that
// one. An element inside the value of an element consumed tolerantly (the
// entries of a new list) is consumed tolerantly too.
func (ch *checker) fallsBackTo(ec *elementChange, r string, depth int) (string, bool) {
	for _, old := range ec.c.Elements {
		if old == ec.e || len(old.Providers[contract.Base]) == 0 {
			continue
		}
		if guarded(ec.e.Consumers[contract.Head][r], old.Key) || guarded(old.Consumers[contract.Head][r], ec.e.Key) {
			return contract.ElementName(ec.c, old), true
		}
	}
	if depth > 3 {
		return "", false
	}
	for _, outer := range ch.elements {
		if outer == ec || outer.c == ec.c || !nests(outer.e, ec.c) {
			continue
		}
		if old, ok := ch.fallsBackTo(outer, r, depth+1); ok {
			return old, true
		}
	}
	return "", false
}

// fallbackNextTo reports whether consumer r reads the old element ec under
// a condition on a replacement that a service provides at head.
func fallbackNextTo(ec *elementChange, r string) (string, bool) {
	for _, cur := range ec.c.Elements {
		if cur == ec.e || len(cur.Providers[contract.Head]) == 0 {
			continue
		}
		if guarded(ec.e.Consumers[contract.Head][r], cur.Key) {
			return contract.ElementName(ec.c, cur), true
		}
	}
	return "", false
}

// guarded reports whether one of the places sits under a condition that
// reads key (in the same function, by construction of Place.Guards).
func guarded(places []contract.Place, key string) bool {
	for _, p := range places {
		if slices.Contains(p.Guards, key) {
			return true
		}
	}
	return false
}

// checkProvideBeforeConsume: the services that start providing an element
// deploy before the services that start consuming it.
func checkProvideBeforeConsume(ch *checker) {
	for _, ec := range ch.elements {
		if ec.follows != "" {
			continue
		}
		startConsumers := minus(ec.consumers(contract.Head), ec.consumers(contract.Base))
		if len(startConsumers) == 0 {
			continue
		}
		v := ec.verbs()
		startProviders := minus(ec.providers(contract.Head), ec.providers(contract.Base))
		acc, live := ch.accepted(ProvideBeforeConsume, ec)
		var tolerated []string // the consumers an acceptance makes tolerant
		for _, r := range startConsumers {
			if !ec.providers(contract.Head).HasOther(r) {
				// Nobody else provides it at head: the service provides it
				// itself, or a provider stopped (STOP_CONSUME_BEFORE_STOP_PROVIDE),
				// or it comes from outside (OUTSIDE_PROVIDER).
				continue
			}
			for _, w := range startProviders {
				if w == r {
					continue
				}
				ec.rules[ProvideBeforeConsume] = true
				c := Constraint{From: w, FromPart: ExpandPart, To: r, ToPart: SwitchPart, Rule: ProvideBeforeConsume,
					Kind: ec.c.Kind, Request: ec.request(), Contract: ec.c.Name, Key: ec.name, Nested: ec.nested, Critical: true,
					Why: fmt.Sprintf("%s %s %s before %s %s it", w, v.Provides, ec.name, r, v.Consumes)}
				if ec.request() {
					c.Why += fmt.Sprintf(" (in a request: an old %s would drop it)", w)
				} else if svc := ec.requiredBy; svc != "" {
					c.Required = svc
					c.Why += fmt.Sprintf(" (%s rejects a request without it)", svc)
				}
				if old, ok := ch.fallback[ec][r]; ok {
					c.Critical = false
					c.Why += fmt.Sprintf(" (it falls back to %s)", old)
					c.Fallback = old
					ec.rules[TolerantConsumer] = true
				} else if live {
					c.Critical = false
					c.Why += " (accepted: it does without it)"
				}
				notSplit(ec, &c)
				ch.constraint(c)
			}
			if acc && slices.ContainsFunc(startProviders, func(w string) bool { return w != r }) {
				tolerated = append(tolerated, r)
			}
		}
		if len(tolerated) > 0 {
			starts, does := "starts", "does"
			if len(tolerated) > 1 {
				starts, does = "start", "do"
			}
			ch.elementFinding(ProvideBeforeConsume, ec, first(ec.consumers(contract.Head)[tolerated[0]]), "%s %s %s %s while services that do not %s it yet may run: the team accepts that %s without it, so the order it asks for is not critical and forces no split",
				joinNames(tolerated), starts, gerund(v.Consume), ec.name, v.Provide, pronounThey(len(tolerated))+" "+does)
		}
	}
}

// accepted reports whether an acceptance of rule names an element (any),
// and whether one that has not expired does (live).
func (ch *checker) accepted(rule RuleID, ec *elementChange) (any, live bool) {
	for _, a := range ch.accept {
		if a.Rule != rule {
			continue
		}
		if ok, _ := doublestar.Match(a.Element, ec.name); ok {
			any = true
			live = live || !a.expired(ch.today)
		}
	}
	return any, live
}

// checkOutsideProvider notes the consumers that start consuming an element
// that no service of the repository provides, at base or at head.
func checkOutsideProvider(ch *checker) {
	// One finding per service and contract, naming its keys: a response
	// of another system a service starts reading has many.
	type group struct {
		c     *contract.Contract
		svc   string
		pos   contract.Pos
		elems []*elementChange
	}
	var groups []*group
	byKey := map[[2]string]*group{}
	for _, ec := range ch.elements {
		if len(ec.writers(contract.Base)) > 0 || len(ec.writers(contract.Head)) > 0 {
			continue
		}
		if ec.c.Kind == contract.Flag {
			continue // the program is in the repository: UNDEFINED_FLAG
		}
		for _, r := range minus(ec.readers(contract.Head), ec.readers(contract.Base)) {
			ec.rules[OutsideProvider] = true
			k := [2]string{ec.c.ID + "\x00" + ec.c.Name, r}
			g := byKey[k]
			if g == nil {
				g = &group{c: ec.c, svc: r, pos: first(ec.readers(contract.Head)[r])}
				byKey[k] = g
				groups = append(groups, g)
			}
			g.elems = append(g.elems, ec)
		}
	}
	for _, g := range groups {
		v := g.c.Kind.Verbs()
		from := "outside code does (users' SDKs, UIs, another system)"
		switch g.c.Kind {
		case contract.Env:
			from = "the deployment's manifests or the environment do"
		case contract.Annotation:
			from = "users' manifests or another controller do"
		}
		if ps := g.c.Outside.Providers; len(ps) > 0 {
			from = joinNames(ps) + " does (external in the config)"
		}
		var names []string
		for _, ec := range g.elems {
			names = append(names, ec.name)
		}
		if len(names) > 4 {
			names = append(names[:3:3], fmt.Sprintf("%d more keys of %s", len(names)-3, g.c.Name))
		}
		ch.finding(OutsideProvider, g.pos, "%s starts %s %s, which no service of this repository %s: %s; no deploy order applies to %s",
			g.svc, gerund(v.Consume), joinNames(names), v.Provides, from, pronounIt(len(g.elems)))
		if len(g.elems) == 1 {
			ch.findings[len(ch.findings)-1].Element = g.elems[0].name
		}
	}
}

// pronounIt is the object pronoun of n elements.
func pronounIt(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// checkUndefinedFlag warns about a launcher that starts passing a flag
// its program defines nowhere in the repository's code.
func checkUndefinedFlag(ch *checker) {
	for _, ec := range ch.elements {
		if ec.c.Kind != contract.Flag || len(ec.providers(contract.Base)) > 0 || len(ec.providers(contract.Head)) > 0 || len(ec.c.Outside.Providers) > 0 {
			continue
		}
		prog := contract.ProgramOf(ec.c)
		for _, r := range minus(ec.consumers(contract.Head), ec.consumers(contract.Base)) {
			ec.rules[UndefinedFlag] = true
			ch.elementFinding(UndefinedFlag, ec, first(ec.consumers(contract.Head)[r]), "%s starts passing %s, which %s defines nowhere in its code: a library it links may define it, or %s rejects it at start; check that %s accepts it before this deploys",
				r, ec.name, prog, prog, prog)
		}
	}
}

// checkOutsideConsumer blocks a plan that stops providing an element an
// outside party consumes.
func checkOutsideConsumer(ch *checker) {
	for _, ec := range ch.elements {
		parties := ec.c.Outside.Consumers
		if len(parties) == 0 || len(ec.writers(contract.Base)) == 0 || len(ec.writers(contract.Head)) > 0 || len(ec.c.Outside.Providers) > 0 {
			continue
		}
		v := ec.c.Kind.Verbs()
		ec.rules[OutsideConsumer] = true
		pos := ec.e.Decl[contract.Base]
		if ps := ec.writers(contract.Base); len(ps) > 0 {
			pos = first(ps[sortedSet(ps)[0]])
		}
		stoppers := minus(ec.writers(contract.Base), ec.writers(contract.Head))
		ch.elementFinding(OutsideConsumer, ec, pos, "%s %s %s %s, which %s %s (external in the config): no deploy order keeps %s working; keep %s it, or accept the break",
			joinNames(stoppers), stopVerb(len(stoppers)), gerund(v.Provide), ec.name, joinNames(parties), thirdPerson(v, len(parties)), joinNames(parties), gerund(v.Provide))
	}
}

// stopVerb is "stops" for one service and "stop" for several.
func stopVerb(n int) string {
	if n == 1 {
		return "stops"
	}
	return "stop"
}

// checkRemovedWriter marks the keys whose writers at base that stop
// writing them are all removed in the range, that no service writes at
// head while some service still reads them, of a type no service starts
// writing: one note per contract, and no order (REMOVED_WRITER).
func checkRemovedWriter(ch *checker) {
	if len(ch.removed) == 0 {
		return
	}
	writers := func(c *contract.Contract, s contract.Side) map[string]bool {
		out := map[string]bool{}
		for _, e := range c.Elements {
			for svc := range e.Providers[s] {
				out[svc] = true
			}
		}
		return out
	}
	startsWriting := map[*contract.Contract]bool{}
	for _, c := range ch.res.Contracts {
		base := writers(c, contract.Base)
		for svc := range writers(c, contract.Head) {
			startsWriting[c] = startsWriting[c] || !base[svc]
		}
	}
	var order []*contract.Contract
	keys := map[*contract.Contract][]string{}
	gone := map[*contract.Contract]map[string]bool{}
	readers := map[*contract.Contract]map[string]bool{}
	for _, ec := range ch.elements {
		if ec.follows != "" || !ec.c.Kind.IsField() || len(ec.c.Outside.Providers) > 0 || startsWriting[ec.c] ||
			len(ec.writers(contract.Head)) > 0 || len(ec.readers(contract.Head)) == 0 {
			continue
		}
		stop := minus(ec.writers(contract.Base), ec.writers(contract.Head))
		if len(stop) == 0 || slices.ContainsFunc(stop, func(s string) bool { return !ch.removed[s] }) {
			continue
		}
		ec.rules[RemovedWriter] = true
		if keys[ec.c] == nil {
			order = append(order, ec.c)
			gone[ec.c], readers[ec.c] = map[string]bool{}, map[string]bool{}
		}
		keys[ec.c] = append(keys[ec.c], ec.name)
		for _, s := range stop {
			gone[ec.c][s] = true
		}
		for r := range ec.readers(contract.Head) {
			readers[ec.c][r] = true
		}
	}
	for _, c := range order {
		ws, rs, ks := sortedSet(gone[c]), sortedSet(readers[c]), keys[c]
		if len(ks) > 3 {
			ks = append(ks[:3:3], fmt.Sprintf("%d more", len(keys[c])-3))
		}
		ch.finding(RemovedWriter, contract.Pos{}, "%s, removed in this range, %s the last service%s of the repository that wrote %s; %s still read%s %s, from callers outside the repository if any: a removed writer sends nothing that a reader could misread, so this orders nothing",
			joinNames(ws), oneOr(len(ws), "was", "were"), oneOr(len(ws), "", "s"), joinNames(ks), joinNames(rs), pluralS(len(rs)), oneOr(len(keys[c]), "it", "them"))
	}
}

// oneOr is one for a single service (or key), many for several.
func oneOr(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkStopConsumeBeforeStopProvide: the services that stop consuming an
// element deploy before the services that stop providing it; a service
// that still consumes it with nobody providing it blocks the plan.
func checkStopConsumeBeforeStopProvide(ch *checker) {
	for _, ec := range ch.elements {
		if ec.follows != "" || ec.rules[RemovedWriter] {
			continue
		}
		stopProviders := minus(ec.providers(contract.Base), ec.providers(contract.Head))
		if len(stopProviders) == 0 {
			continue
		}
		v := ec.verbs()
		ec.rules[StopConsumeBeforeStopProvide] = true
		for _, r := range sortedSet(ec.consumers(contract.Head)) {
			if len(ec.providers(contract.Head)) > 0 || len(ec.outsideProviders()) > 0 || ch.writesReplacement(ec, r) {
				continue
			}
			at := first(ec.consumers(contract.Head)[r])
			if cur, ok := ch.onlyFallback[ec][r]; ok {
				ec.rules[TolerantConsumer] = true
				ch.elementFinding(TolerantConsumer, ec, at, "%s still %s %s as a fallback next to %s, and no service %s it at head; drop the fallback in a later change",
					r, v.Consumes, ec.name, cur, v.Provides)
				continue
			}
			ch.elementFinding(StopConsumeBeforeStopProvide, ec, at, "%s still %s %s at head, but %s %s %s it and no service %s it at head; stop %s it first, in an earlier change",
				r, v.Consumes, ec.name, joinNames(stopProviders), stopVerb(len(stopProviders)), gerund(v.Provide), v.Provides, gerund(v.Consume))
		}
		for _, r := range minus(ec.consumers(contract.Base), ec.consumers(contract.Head)) {
			for _, w := range stopProviders {
				if w == r {
					continue
				}
				c := Constraint{From: r, FromPart: SwitchPart, To: w, ToPart: ContractPart,
					Rule: StopConsumeBeforeStopProvide, Kind: ec.c.Kind, Request: ec.request(), Contract: ec.c.Name, Key: ec.name, Nested: ec.nested, Critical: true,
					Why: fmt.Sprintf("%s stops %s %s before %s stops %s it", r, gerund(v.Consume), ec.name, w, gerund(v.Provide))}
				if ec.request() {
					c.Why += fmt.Sprintf(" (in a request: a new %s would drop what an old %s still sends)", w, r)
				}
				notSplit(ec, &c)
				ch.constraint(c)
			}
		}
	}
}

// checkWireIdentical notes a contract whose Go declaration changed while
// its wire stayed the same.
func checkWireIdentical(ch *checker) {
	for _, c := range ch.res.Contracts {
		if !c.GoOnlyChange {
			continue
		}
		var renamed []string
		for _, e := range c.Elements {
			if e.RenamedFrom != "" {
				renamed = append(renamed, fmt.Sprintf("%s -> %s", e.RenamedFrom, e.Name))
			}
		}
		msg := fmt.Sprintf("%s changed in Go but not on the wire", c.Name)
		if len(renamed) > 0 {
			msg += fmt.Sprintf(" (Go fields renamed with their keys kept: %s)", strings.Join(renamed, ", "))
		}
		ch.finding(WireIdentical, contract.Pos{}, "%s; this alone needs no ordering", msg)
	}
}

// checkRebuildOnly names the services that use a changed contract without
// providing or consuming any of its changed elements.
func checkRebuildOnly(ch *checker) {
	involved := map[*contract.Contract]map[string]bool{}
	for _, ec := range ch.elements {
		m := involved[ec.c]
		if m == nil {
			m = map[string]bool{}
			involved[ec.c] = m
		}
		for _, s := range contract.Sides {
			for svc := range ec.providers(s) {
				m[svc] = true
			}
			for svc := range ec.consumers(s) {
				m[svc] = true
			}
		}
	}
	for _, c := range ch.res.Contracts {
		m, changed := involved[c]
		if !changed {
			continue
		}
		var only []string
		for _, s := range c.Importers[contract.Head] {
			if !m[s] && ch.deployable[s] {
				only = append(only, s)
			}
		}
		switch len(only) {
		case 0:
		case 1:
			ch.finding(RebuildOnly, contract.Pos{}, "%s uses %s but neither %s nor %s a changed %s: it only rebuilds, with no ordering constraint",
				only[0], c.Name, c.Kind.Verbs().Provides, c.Kind.Verbs().Consumes, c.Kind.Noun())
		default:
			ch.finding(RebuildOnly, contract.Pos{}, "%s use %s but neither %s nor %s a changed %s: they only rebuild, with no ordering constraint",
				joinNames(only), c.Name, c.Kind.Verbs().Provide, c.Kind.Verbs().Consume, c.Kind.Noun())
		}
	}
}

// checkGuessedKeys says when a plan rests on the keys of a type that
// marshals itself.
func checkGuessedKeys(ch *checker) {
	for _, c := range ch.res.Contracts {
		if !c.Custom || !hasChange(ch, c) {
			continue
		}
		ch.finding(GuessedKeys, contract.Pos{}, "%s marshals itself (MarshalJSON or UnmarshalJSON), so its keys on the wire may differ from its struct tags; the plan assumes the tags (declare the real keys with a contract binding in deployorder.yaml if they differ)", c.Name)
	}
}

func hasChange(ch *checker, c *contract.Contract) bool {
	for _, ec := range ch.elements {
		if ec.c == c {
			return true
		}
	}
	return false
}

// checkSplitCycle orders the deployable services under the constraints,
// splitting those in a cycle of critical constraints into their parts.
func checkSplitCycle(ch *checker) {
	var services []string
	for s := range ch.deployable {
		services = append(services, s)
	}
	slices.Sort(services)
	ch.sched = plan(services, ch.constraints)
}

// checkUnsplittableCycle blocks a plan whose constraints still form a cycle
// after splitting.
func checkUnsplittableCycle(ch *checker) {
	if ch.sched.cycle != nil {
		ch.finding(UnsplittableCycle, contract.Pos{}, "services %s depend on each other in a way no split resolves; break the cycle by hand", joinNames(ch.sched.cycle))
	}
}

// nests reports whether an element's value holds a type of contract c.
func nests(e *contract.Element, c *contract.Contract) bool {
	for _, n := range e.Nested {
		if slices.Contains(c.Types, n) {
			return true
		}
	}
	return false
}

// gerund is the -ing form of a verb of contract.Verbs.
func gerund(verb string) string {
	switch {
	case verb == "set":
		return "setting"
	case strings.HasSuffix(verb, "e") && !strings.HasSuffix(verb, "ee"):
		return verb[:len(verb)-1] + "ing"
	}
	return verb + "ing"
}

func first(ps []contract.Place) contract.Pos {
	if len(ps) == 0 {
		return contract.Pos{}
	}
	return ps[0].Pos
}

// required keeps the consumers with a place that needs the element: an
// optional consumer (it prints or relays a value whole, or reads an
// optional variable) does without it and imposes no order.
func required(r contract.Roles) contract.Roles {
	out := contract.Roles{}
	for svc, places := range r {
		for _, p := range places {
			if !p.Optional {
				out[svc] = places
				break
			}
		}
	}
	return out
}

// minus lists the services of a that are not in b, sorted.
func minus(a, b contract.Roles) []string {
	var out []string
	for _, s := range sortedSet(a) {
		if _, ok := b[s]; !ok {
			out = append(out, s)
		}
	}
	return out
}
