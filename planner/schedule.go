package planner

import (
	"sort"

	"github.com/deployorder/deployorder/contract"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
)

// Part is the part of a service's change that a constraint concerns. A
// service that must be split deploys its parts in the order below; a
// service that need not be split ships all parts in one deploy.
type Part int

const (
	Whole        Part = iota // the service's whole change
	ExpandPart               // starts writing keys (additive writes)
	SwitchPart               // starts or stops reading keys
	ContractPart             // stops writing keys
)

var partPhase = map[Part]Phase{Whole: PhaseDeploy, ExpandPart: PhaseExpand, SwitchPart: PhaseSwitch, ContractPart: PhaseContract}

// Constraint says that one service's part must be running before another
// service's part deploys.
type Constraint struct {
	From, To         string // services
	FromPart, ToPart Part
	Rule             RuleID
	Kind             contract.Kind // of the element: it says what providers and consumers do
	Request          bool          // the element is a key of a request: its readers provide it
	Required         string        // a key of a request that this server requires: its writers still go first
	Contract, Key    string        // what it is about (display names)
	Nested           bool          // the key sits inside another changed key's value (listed after it)
	Critical         bool          // false for a tolerant reader: keep the order, but never split for it
	Fallback         string        // for a tolerant reader: the old key it falls back to
	Why              string        // one line, e.g. "metadata writes metadata_v2 before billing reads it"
}

// node is a (service, part) pair of the constraint graph.
type node struct {
	id      int64
	service string
	part    Part
}

func (n node) ID() int64 { return n.id }

// schedule is the result of ordering services under constraints.
type schedule struct {
	waves  [][]node        // in deploy order; nodes in a wave are independent, one phase per wave
	split  map[string]bool // services deployed in several parts
	cycle  []string        // services of a cycle that splitting cannot break; nil if none
	edges  []Constraint    // constraints that hold in the schedule (self edges dropped)
	waveOf map[node]int
}

// plan orders services: a service in a cycle of critical constraints is
// split into its parts; waves come from a stable topological sort (ties by
// service name), each node as early as its constraints allow.
func plan(services []string, cons []Constraint) schedule {
	sc := schedule{split: map[string]bool{}, waveOf: map[node]int{}}
	for _, c := range cons {
		if c.From != c.To {
			sc.edges = append(sc.edges, c)
		}
	}
	sc.findSplits(services)
	g := sc.partGraph(services)
	order, err := topo.SortStabilized(g, func(ns []graph.Node) {
		sort.Slice(ns, func(i, j int) bool { return less(ns[i].(node), ns[j].(node)) })
	})
	if err != nil {
		sc.cycle = cycleMembers(err)
		return sc
	}
	sc.placeWaves(g, order)
	return sc
}

// findSplits marks the services that must deploy in several parts: the
// members of cycles of critical constraints.
func (sc *schedule) findSplits(services []string) {
	merged := simple.NewDirectedGraph()
	idx := map[string]int64{}
	for i, s := range services {
		idx[s] = int64(i)
		merged.AddNode(simple.Node(i))
	}
	for _, c := range sc.edges {
		if c.Critical {
			merged.SetEdge(simple.Edge{F: simple.Node(idx[c.From]), T: simple.Node(idx[c.To])})
		}
	}
	for _, scc := range topo.TarjanSCC(merged) {
		if len(scc) > 1 {
			for _, n := range scc {
				sc.split[services[n.ID()]] = true
			}
		}
	}
}

// partGraph is the constraint graph over (service, part) nodes: a split
// service's parts in order, the critical constraints, and the tolerant
// ones where they close no cycle.
func (sc *schedule) partGraph(services []string) *simple.DirectedGraph {
	g := simple.NewDirectedGraph()
	nodes := map[[2]any]node{}
	get := func(s string, p Part) node {
		if !sc.split[s] {
			p = Whole
		}
		k := [2]any{s, p}
		if n, ok := nodes[k]; ok {
			return n
		}
		n := node{id: int64(len(nodes)), service: s, part: p}
		nodes[k] = n
		g.AddNode(n)
		return n
	}
	for _, s := range services {
		if !sc.split[s] {
			get(s, Whole)
		}
	}
	for _, c := range sc.edges {
		if c.Critical {
			g.SetEdge(g.NewEdge(get(c.From, c.FromPart), get(c.To, c.ToPart)))
		}
	}
	for _, s := range services {
		if !sc.split[s] {
			continue
		}
		var parts []node
		for _, p := range []Part{ExpandPart, SwitchPart, ContractPart} {
			if n, ok := nodes[[2]any{s, p}]; ok {
				parts = append(parts, n)
			}
		}
		for i := 1; i < len(parts); i++ {
			g.SetEdge(g.NewEdge(parts[i-1], parts[i]))
		}
	}
	// Tolerant constraints that form a cycle among themselves (services
	// that each start writing and reading one element) order nothing: any
	// order leaves one reader meeting an old writer, which the reader
	// tolerates. The others are added where they close no cycle.
	tolerant := simple.NewDirectedGraph()
	for _, c := range sc.edges {
		f, t := get(c.From, c.FromPart), get(c.To, c.ToPart)
		if c.Critical || f.id == t.id {
			continue
		}
		for _, n := range []node{f, t} {
			if tolerant.Node(n.id) == nil {
				tolerant.AddNode(n)
			}
		}
		tolerant.SetEdge(tolerant.NewEdge(f, t))
	}
	mutual := map[int64]int{}
	for i, scc := range topo.TarjanSCC(tolerant) {
		if len(scc) > 1 {
			for _, n := range scc {
				mutual[n.ID()] = i + 1
			}
		}
	}
	for _, c := range sc.edges {
		if !c.Critical {
			f, t := get(c.From, c.FromPart), get(c.To, c.ToPart)
			if m := mutual[f.id]; m != 0 && m == mutual[t.id] {
				continue
			}
			if f.id != t.id && !topo.PathExistsIn(g, t, f) {
				g.SetEdge(g.NewEdge(f, t))
			}
		}
	}
	return g
}

// cycleMembers names the services of the cycles a topological sort met.
func cycleMembers(err error) []string {
	seen := map[string]bool{}
	if u, ok := err.(topo.Unorderable); ok {
		for _, comp := range u {
			for _, n := range comp {
				seen[n.(node).service] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// placeWaves puts each node at its longest-path level from the sources, and
// makes one wave per level and phase, phases in part order.
func (sc *schedule) placeWaves(g *simple.DirectedGraph, order []graph.Node) {
	level := map[int64]int{}
	maxLevel := 0
	for _, n := range order {
		l := 0
		for it := g.To(n.ID()); it.Next(); {
			l = max(l, level[it.Node().ID()]+1)
		}
		level[n.ID()] = l
		maxLevel = max(maxLevel, l)
	}
	for l := 0; l <= maxLevel; l++ {
		for _, p := range []Part{Whole, ExpandPart, SwitchPart, ContractPart} {
			var wave []node
			for _, n := range order {
				if nn := n.(node); level[nn.id] == l && nn.part == p {
					wave = append(wave, nn)
				}
			}
			if len(wave) == 0 {
				continue
			}
			sort.Slice(wave, func(i, j int) bool { return wave[i].service < wave[j].service })
			for _, n := range wave {
				sc.waveOf[n] = len(sc.waves)
			}
			sc.waves = append(sc.waves, wave)
		}
	}
}

func less(a, b node) bool {
	if a.service != b.service {
		return a.service < b.service
	}
	return a.part < b.part
}

// nodeOf returns the node that carries a service's part in the schedule.
func (sc schedule) nodeOf(service string, p Part) (node, bool) {
	if !sc.split[service] {
		p = Whole
	}
	for n := range sc.waveOf {
		if n.service == service && n.part == p {
			return n, true
		}
	}
	return node{}, false
}

// waveOfConstraint returns the waves of a constraint's two ends.
func (sc schedule) waveOfConstraint(c Constraint) (from, to int, ok bool) {
	f, ok1 := sc.nodeOf(c.From, c.FromPart)
	t, ok2 := sc.nodeOf(c.To, c.ToPart)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	return sc.waveOf[f], sc.waveOf[t], true
}
