package render

import (
	"fmt"
	"io"
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

// edgeLabel is an edge's text in the graph: its elements (the first two,
// and how many more) and its rule.
func edgeLabel(e planner.Edge) string {
	keys := strings.Join(e.Keys, ", ")
	if len(e.Keys) > 2 {
		keys = fmt.Sprintf("%s, %s +%d", e.Keys[0], e.Keys[1], len(e.Keys)-2)
	}
	switch {
	case keys != "" && e.Rule != "":
		return keys + " (" + string(e.Rule) + ")"
	case keys != "":
		return keys
	}
	return string(e.Rule)
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
	for _, e := range p.Edges {
		arrow := "-->"
		if !e.Critical {
			arrow = "-.->"
		}
		fmt.Fprintf(b, "  %s %s|%s| %s\n", ids[nodeKey{e.FromStep, e.From}], arrow, mermaidText(edgeLabel(e)), ids[nodeKey{e.ToStep, e.To}])
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
