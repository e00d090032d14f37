package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/deployorder/deployorder/planner"
)

// Text writes a short, aligned plan for a terminal.
type Text struct{}

func (Text) Render(w io.Writer, p *planner.Plan) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "deployorder plan %s  (%s, %s..%s)\n\n", p.Range.Spec,
		plural(len(p.Range.Commits), "commit", "commits"), Short(p.Range.Base), Short(p.Range.Head))
	fmt.Fprintf(b, "%s\n", p.Summary)

	aff, unchanged := affected(p)
	if len(aff) > 0 {
		fmt.Fprintf(b, "\nservices\n")
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, s := range aff {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Name, s.Status, whyLine(s))
		}
		tw.Flush()
	}
	if unchanged > 0 {
		fmt.Fprintf(b, "  (%s unchanged)\n", plural(unchanged, "service", "services"))
	}
	if len(p.Steps) > 0 {
		fmt.Fprintf(b, "\nsteps\n")
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, st := range p.Steps {
			if st.Soak != "" {
				fmt.Fprintf(tw, "  \twait %s\t\t\n", st.Soak)
			}
			if p.Verdict == planner.Staged {
				fmt.Fprintf(tw, "  %d\t%s\t%s\tat %s\t%s\n", st.Index, st.Phase, strings.Join(st.Services, ", "), Short(st.Revision), st.Reason)
				continue
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", st.Index, st.Phase, strings.Join(st.Services, ", "), st.Reason)
		}
		tw.Flush()
	}
	for _, sp := range p.Splits {
		fmt.Fprintf(b, "\nsplit %s: %s\n", Short(sp.Commit), sp.Reason)
		fmt.Fprintf(b, "  write it as commits: %s\n", SplitCommand(sp))
		for _, part := range sp.Parts {
			fmt.Fprintf(b, "  step %d (%s)", part.Step, part.Service)
			if part.Keep != "" {
				fmt.Fprintf(b, ": %s", part.Keep)
			}
			fmt.Fprintln(b)
			for _, f := range part.Files {
				fmt.Fprintf(b, "    %s\n", strings.TrimSpace(quotePath(f.Path)+" "+strings.Join(f.Hunks, " ")))
			}
		}
	}
	if ws, more := whereEvidence(p); len(ws) > 0 {
		fmt.Fprintf(b, "\nwhere the code does it\n")
		for _, we := range ws {
			fmt.Fprintf(b, "  %s\n", we.name)
			tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
			for _, l := range we.lines {
				fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", l.side, l.service, l.verb, l.joinPlaces())
			}
			tw.Flush()
			if we.more > 0 {
				fmt.Fprintf(b, "    (+%d more)\n", we.more)
			}
		}
		if more > 0 {
			fmt.Fprintf(b, "  (+%d more; -o json lists every place)\n", more)
		}
		if note := unprovenNote(ws); note != "" {
			fmt.Fprintf(b, "  (%s)\n", note)
		}
	}
	if len(p.Rollback) > 0 && len(p.Steps) > 1 {
		fmt.Fprintf(b, "\nrollback\n")
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, rb := range p.Rollback {
			note := ""
			if rb.Unsafe {
				note = "unsafe alone: " + rb.Reason
			}
			if note == "" {
				fmt.Fprintf(tw, "  %d\tundo step %d\t%s\n", rb.Index, rb.Step, strings.Join(rb.Services, ", "))
				continue
			}
			fmt.Fprintf(tw, "  %d\tundo step %d\t%s\t%s\n", rb.Index, rb.Step, strings.Join(rb.Services, ", "), note)
		}
		tw.Flush()
	}
	if len(p.Findings) > 0 {
		fmt.Fprintf(b, "\nfindings\n")
		d := digestFindings(p.Findings)
		for _, g := range d.groups {
			fmt.Fprintf(b, "  %-7s %s\n", g.first.Severity, textFinding(g))
			if a := g.first.Accepted; a != nil {
				fmt.Fprintf(b, "          %s\n", oneLine(acceptedNote(a)))
			}
		}
		if n := d.total(); n > 0 {
			fmt.Fprintf(b, "  %s\n", moreNote(n))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// textFinding is one finding, or a group of findings with one cause, after
// the severity: "file:line: message [CODE]", or "x25: cause (first at
// a.go:3, b.go:9, c.go:1, ...) [CODE]".
func textFinding(g findingGroup) string {
	if g.count == 1 {
		pos := ""
		if g.first.File != "" {
			pos = place(g.first) + ": "
		}
		return fmt.Sprintf("%s%s [%s]", pos, oneLine(g.message()), g.first.Code)
	}
	s := fmt.Sprintf("x%d: %s", g.count, oneLine(g.message()))
	if at := g.firstAt(func(p string) string { return p }); at != "" {
		s += " (first at " + oneLine(at) + ")"
	}
	return s + " [" + g.first.Code + "]"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
