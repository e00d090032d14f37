package render

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/deployorder/deployorder/planner"
)

// Mermaid writes the plan as a Mermaid flowchart (the raw `flowchart LR`
// text, without a Markdown fence): one subgraph per step, in order, with a
// node per service, and an edge for each ordering constraint.
type Mermaid struct{}

func (Mermaid) Render(w io.Writer, p *planner.Plan) error {
	_, err := io.WriteString(w, mermaidGraph(p))
	return err
}

// Edge is one ordering constraint as the graph draws it: From's deploy in
// step FromStep must be running before To's in step ToStep. FromStep is
// always less than ToStep.
type Edge struct {
	From, To         string // services
	FromStep, ToStep int    // step indexes, from 1
	Key              string // the elements (Contract.key, a method, a route)
	Rule             planner.RuleID
	Tolerant         bool // a tolerant reader: the order is kept but nothing breaks without it
}

// Label is the edge's text in the graph.
func (e Edge) Label() string {
	switch {
	case e.Key != "" && e.Rule != "":
		return e.Key + " (" + string(e.Rule) + ")"
	case e.Key != "":
		return e.Key
	}
	return string(e.Rule)
}

// planEdges returns the plan's ordering edges in the graph's form: one
// edge per pair of nodes and rule, its label naming the keys.
func planEdges(p *planner.Plan) []Edge {
	type pair struct {
		from, to         string
		fromStep, toStep int
		rule             planner.RuleID
	}
	keys := map[pair][]string{}
	tolerant := map[pair]bool{}
	var order []pair
	for _, e := range p.Edges {
		k := pair{e.From, e.To, e.FromStep, e.ToStep, e.Rule}
		if _, ok := keys[k]; !ok {
			order = append(order, k)
			tolerant[k] = true
		}
		keys[k] = append(keys[k], e.Key)
		tolerant[k] = tolerant[k] && !e.Critical
	}
	var out []Edge
	for _, k := range order {
		ks := keys[k]
		label := strings.Join(ks, ", ")
		if len(ks) > 2 {
			label = fmt.Sprintf("%s, %s +%d", ks[0], ks[1], len(ks)-2)
		}
		out = append(out, Edge{From: k.from, To: k.to, FromStep: k.fromStep, ToStep: k.toStep, Key: label, Rule: k.rule, Tolerant: tolerant[k]})
	}
	sortEdges(out)
	return out
}

func sortEdges(es []Edge) {
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.FromStep != b.FromStep {
			return a.FromStep < b.FromStep
		}
		if a.ToStep != b.ToStep {
			return a.ToStep < b.ToStep
		}
		if a.From != b.From {
			return a.From < b.From
		}
		if a.To != b.To {
			return a.To < b.To
		}
		return a.Rule < b.Rule
	})
}

// mermaidGraph is the flowchart text, ending in a newline.
func mermaidGraph(p *planner.Plan) string {
	b := &strings.Builder{}
	b.WriteString("flowchart LR\n")
	if len(p.Steps) == 0 {
		fmt.Fprintf(b, "  none[%s]\n", mermaidText("nothing to deploy"))
		return b.String()
	}
	ids := nodeIDs(p.Steps)
	for _, st := range p.Steps {
		title := fmt.Sprintf("step %d: %s", st.Index, st.Phase)
		if st.Soak != "" {
			title += fmt.Sprintf(" after %s soak", st.Soak)
		}
		fmt.Fprintf(b, "  subgraph step%d [%s]\n    direction TB\n", st.Index, mermaidText(title))
		for _, s := range st.Services {
			fmt.Fprintf(b, "    %s[%s]\n", ids[nodeKey{st.Index, s}], mermaidText(s))
		}
		b.WriteString("  end\n")
	}
	// Invisible links keep the steps in order when no edge joins them.
	for i := 1; i < len(p.Steps); i++ {
		fmt.Fprintf(b, "  step%d ~~~ step%d\n", p.Steps[i-1].Index, p.Steps[i].Index)
	}
	for _, e := range planEdges(p) {
		arrow := "-->"
		if e.Tolerant {
			arrow = "-.->"
		}
		fmt.Fprintf(b, "  %s %s|%s| %s\n", ids[nodeKey{e.FromStep, e.From}], arrow, mermaidText(e.Label()), ids[nodeKey{e.ToStep, e.To}])
	}
	return b.String()
}

type nodeKey struct {
	step    int
	service string
}

// nodeIDs names each (step, service) node "s<step>_<service>", with the
// service reduced to letters, digits and underscores; a clash gets a number.
func nodeIDs(steps []planner.Step) map[nodeKey]string {
	ids := map[nodeKey]string{}
	used := map[string]bool{}
	for _, st := range steps {
		for _, s := range st.Services {
			base := fmt.Sprintf("s%d_%s", st.Index, strings.Map(func(r rune) rune {
				if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
					return r
				}
				return '_'
			}, s))
			id := base
			for n := 2; used[id]; n++ {
				id = fmt.Sprintf("%s_%d", base, n)
			}
			used[id] = true
			ids[nodeKey{st.Index, s}] = id
		}
	}
	return ids
}

// mermaidText quotes a label, with the characters that end a label or
// that Mermaid reads as markup written as entity codes.
func mermaidText(s string) string {
	s = strings.NewReplacer("#", "#35;", `"`, "#quot;", "`", "#96;", "<", "#lt;", ">", "#gt;", "|", "#124;", "\r", " ", "\n", " ").Replace(s)
	return `"` + s + `"`
}
