package render

import (
	"fmt"
	"strings"

	"github.com/deployorder/deployorder/planner"
)

// maxWhere is how many elements the text and Markdown show the places of,
// and maxWhereLines how many lines (a service's role at a side) of each.
const (
	maxWhere      = 5
	maxWhereLines = 8
)

// whereElement is the evidence behind one element an edge of the plan
// orders: where each service's code provides or consumes it.
type whereElement struct {
	name  string
	lines []whereLine
	more  int // lines left out
}

// whereLine is one service's role at one side, with its places:
// "head  billing  reads  cmd/billing/main.go:23".
type whereLine struct {
	side, service, verb string
	places              []string // file:line, with " (via)" when the access is indirect
	unproven            bool     // the service's code does not all type-check: it may never run these
}

// whereEvidence returns the places behind the elements the plan's edges
// order, in the order the edges first name them, at most maxWhere of
// them, and how many were left out.
func whereEvidence(p *planner.Plan) ([]whereElement, int) {
	changes := map[string]planner.Change{}
	verbs := map[string][2]string{}
	for _, c := range p.Contracts {
		v := c.Kind.Verbs()
		for _, ch := range c.Changes {
			if ch.Element != "" {
				changes[ch.Element] = ch
				verbs[ch.Element] = [2]string{v.Provides, v.Consumes}
			}
		}
	}
	var names []string
	seen := map[string]bool{}
	for _, e := range p.Edges {
		for _, k := range e.Keys {
			if _, ok := changes[k]; ok && !seen[k] {
				seen[k] = true
				names = append(names, k)
			}
		}
	}
	more := 0
	if len(names) > maxWhere {
		more = len(names) - maxWhere
		names = names[:maxWhere]
	}
	var out []whereElement
	for _, name := range names {
		we := whereElement{name: name}
		for _, pl := range changes[name].Places {
			verb := verbs[name][0]
			if pl.Role == "consumes" {
				verb = verbs[name][1]
			}
			at := quotePath(pl.File)
			if pl.Line > 0 {
				at = fmt.Sprintf("%s:%d", at, pl.Line)
			}
			if pl.Via != "" {
				at += " (" + pl.Via + ")"
			}
			n := len(we.lines)
			if n > 0 && we.lines[n-1].side == pl.Side && we.lines[n-1].service == pl.Service && we.lines[n-1].verb == verb {
				we.lines[n-1].places = append(we.lines[n-1].places, at)
				continue
			}
			we.lines = append(we.lines, whereLine{side: pl.Side, service: pl.Service, verb: verb, places: []string{at}, unproven: pl.Unproven})
		}
		if len(we.lines) > maxWhereLines {
			we.more = len(we.lines) - maxWhereLines
			we.lines = we.lines[:maxWhereLines]
		}
		if len(we.lines) > 0 {
			out = append(out, we)
		}
	}
	return out, more
}

// joinPlaces lists a line's places: "a.go:3, b.go:9", marked when the
// service may never run them.
func (l whereLine) joinPlaces() string {
	s := strings.Join(l.places, ", ")
	if l.unproven {
		s += "  (unproven)"
	}
	return s
}

// unprovenNote explains the mark, when a line has it.
func unprovenNote(ws []whereElement) string {
	for _, we := range ws {
		for _, l := range we.lines {
			if l.unproven {
				return "unproven: the service's code does not all type-check (see the findings), so every function it links counts, whether it runs or not"
			}
		}
	}
	return ""
}
