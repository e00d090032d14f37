package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/deployorder/deployorder/graph"
	"github.com/deployorder/deployorder/planner"
)

// Marker is the first line of every Markdown plan: a hidden HTML comment by
// which the pull-request bot, or any tool that posts the Markdown, finds
// its earlier comment to update it rather than add another.
const Marker = "<!-- deployorder -->"

// MaxComment is the default size limit of the Markdown, in bytes. GitHub
// takes comments of up to 65,536 characters; a byte is at most one.
const MaxComment = 60000

// Markdown writes the plan as a pull-request comment: the marker, the
// verdict and what to do in bold, the steps as a table, the plan as a
// Mermaid flowchart, the splits, the rollback order, the findings, and in
// collapsed sections why each service is affected and the contract
// changes. When that is longer than Limit it leaves out details, least
// useful first, and says what it left out; the summary and the steps stay.
type Markdown struct {
	Limit int // size limit in bytes; 0 means MaxComment
}

func (m Markdown) Render(w io.Writer, p *planner.Plan) error {
	limit := m.Limit
	if limit <= 0 {
		limit = MaxComment
	}
	_, err := io.WriteString(w, fitMarkdown(p, limit))
	return err
}

// mdOptions says which parts of the comment to write.
type mdOptions struct {
	// Sections and details to include.
	chains, contracts, info, findings, graph, hunks, rollback, parts bool

	maxServices int      // services listed per step; 0 for all
	maxSteps    int      // step rows; -1 for all
	omitted     []string // what was left out, for the note
}

// maxGraphNodes is the largest graph the comment draws; GitHub renders
// larger ones poorly, if at all.
const maxGraphNodes = 100

// fitMarkdown renders the plan within limit bytes, dropping details in a
// fixed order until it fits.
func fitMarkdown(p *planner.Plan, limit int) string {
	o := mdOptions{chains: true, contracts: true, info: true, findings: true, graph: true, hunks: true, rollback: true, parts: true, maxSteps: -1}
	if n := graphNodes(p); n > maxGraphNodes {
		o.graph = false
		o.omitted = append(o.omitted, fmt.Sprintf("the graph (%d nodes; `deployorder plan -o mermaid` draws it)", n))
	}
	stages := []struct {
		what  string
		apply func(*mdOptions) bool // false when there was nothing to drop
	}{
		{"why each service is affected", func(o *mdOptions) bool { return swapOff(&o.chains) }},
		{"the contract changes", func(o *mdOptions) bool { return swapOff(&o.contracts) }},
		{"the info findings", func(o *mdOptions) bool { return swapOff(&o.info) }},
		{"the findings", func(o *mdOptions) bool { return swapOff(&o.findings) }},
		{"the graph", func(o *mdOptions) bool { return swapOff(&o.graph) }},
		{"the files and hunks of each split part", func(o *mdOptions) bool { return swapOff(&o.hunks) }},
		{"the rollback order", func(o *mdOptions) bool { return swapOff(&o.rollback) }},
		{"the full service list of each step", func(o *mdOptions) bool { o.maxServices = 10; return true }},
		{"what each split part must contain", func(o *mdOptions) bool { return swapOff(&o.parts) }},
	}
	out := markdownWith(p, o)
	for _, st := range stages {
		if len(out) <= limit {
			return out
		}
		if st.apply(&o) {
			o.omitted = append(o.omitted, st.what)
			out = markdownWith(p, o)
		}
	}
	if len(out) <= limit {
		return out
	}
	// Fewer step rows: the most that fit.
	o.omitted = append(o.omitted, "the later steps")
	lo, hi := 0, len(p.Steps) // invariant: lo rows fit, or lo is 0
	for lo < hi {
		mid := (lo + hi + 1) / 2
		o.maxSteps = mid
		if len(markdownWith(p, o)) <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	o.maxSteps = lo
	out = markdownWith(p, o)
	if len(out) <= limit {
		return out
	}
	// Even the summary alone is too long: cut it at a line boundary.
	note := "\n_The plan is too long for one comment; run `deployorder plan` for all of it._\n"
	cut := out[:limit-len(note)]
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i+1]
	}
	return strings.ToValidUTF8(cut, "") + note
}

func swapOff(b *bool) bool {
	was := *b
	*b = false
	return was
}

// markdownWith renders the comment with the parts o asks for.
func markdownWith(p *planner.Plan, o mdOptions) string {
	b := &strings.Builder{}
	fmt.Fprintf(b, "%s\n**%s**\n\n", Marker, mdEscape(p.Summary))
	aff, unchanged := affected(p)
	fmt.Fprintf(b, "Range `%s`: %s, `%s..%s`; %s affected", p.Range.Spec, plural(len(p.Range.Commits), "commit", "commits"),
		Short(p.Range.Base), Short(p.Range.Head), plural(len(aff), "service", "services"))
	if unchanged > 0 {
		fmt.Fprintf(b, ", %d unchanged", unchanged)
	}
	b.WriteString(".\n")

	mdSteps(b, p, o)
	if o.graph && len(p.Steps) > 1 {
		fmt.Fprintf(b, "\n```mermaid\n%s```\n", mermaidGraph(p))
	}
	mdSplits(b, p, o)
	if o.rollback {
		mdRollback(b, p)
	}
	if o.findings {
		mdFindings(b, p, o.info)
	}
	if o.chains {
		mdChains(b, aff)
	}
	if o.contracts {
		mdWhere(b, p)
		mdContracts(b, p)
	}
	if len(o.omitted) > 0 {
		fmt.Fprintf(b, "\n_Left out to fit in one comment: %s. Run `deployorder plan %s` or `-o json` for the whole plan._\n",
			strings.Join(o.omitted, "; "), p.Range.Spec)
	}
	return b.String()
}

func mdSteps(b *strings.Builder, p *planner.Plan, o mdOptions) {
	if len(p.Steps) == 0 {
		return
	}
	staged := p.Verdict == planner.Staged
	if staged {
		b.WriteString("\nEach step deploys its services at its revision: merge this pull request without squashing, or deploy each step from its commit.\n")
		b.WriteString("\n| step | phase | services | revision | why |\n|---|---|---|---|---|\n")
	} else {
		b.WriteString("\n| step | phase | services | why |\n|---|---|---|---|\n")
	}
	for i, st := range p.Steps {
		if o.maxSteps >= 0 && i >= o.maxSteps {
			fmt.Fprintf(b, "| … | | | %s not shown |\n", plural(len(p.Steps)-i, "more step", "more steps"))
			break
		}
		phase := string(st.Phase)
		if st.Soak != "" {
			phase += fmt.Sprintf(" (after %s soak)", st.Soak)
		}
		services := st.Services
		more := ""
		if o.maxServices > 0 && len(services) > o.maxServices {
			more = fmt.Sprintf(" and %d more", len(services)-o.maxServices)
			services = services[:o.maxServices]
		}
		if staged {
			fmt.Fprintf(b, "| %d | %s | %s%s | `%s` | %s |\n", st.Index, phase, mdEscape(strings.Join(services, ", ")), more, Short(st.Revision), mdEscape(st.Reason))
			continue
		}
		fmt.Fprintf(b, "| %d | %s | %s%s | %s |\n", st.Index, phase, mdEscape(strings.Join(services, ", ")), more, mdEscape(st.Reason))
	}
}

func mdSplits(b *strings.Builder, p *planner.Plan, o mdOptions) {
	if len(p.Splits) == 0 {
		return
	}
	b.WriteString("\n### Splits\n")
	for _, sp := range p.Splits {
		fmt.Fprintf(b, "\nCommit `%s`: %s\n", Short(sp.Commit), mdEscape(sp.Reason))
		fmt.Fprintf(b, "\nWrite the split as commits on a new branch:\n\n```\n%s\n```\n", SplitCommand(sp))
		if !o.parts {
			continue
		}
		b.WriteString("\n")
		for _, part := range sp.Parts {
			fmt.Fprintf(b, "- step %d, **%s**", part.Step, mdEscape(part.Service))
			if part.Keep != "" {
				fmt.Fprintf(b, ": %s", mdEscape(part.Keep))
			}
			b.WriteString("\n")
			if !o.hunks {
				continue
			}
			for _, f := range part.Files {
				fmt.Fprintf(b, "  - `%s`", quotePath(f.Path))
				for _, h := range f.Hunks {
					fmt.Fprintf(b, " `%s`", strings.ReplaceAll(h, "`", "'"))
				}
				b.WriteString("\n")
			}
		}
	}
}

func mdRollback(b *strings.Builder, p *planner.Plan) {
	if len(p.Steps) < 2 || len(p.Rollback) == 0 {
		return
	}
	b.WriteString("\n### Rollback\n\nUndo the steps in this order:\n\n| order | undo step | services | alone |\n|---|---|---|---|\n")
	for _, rb := range p.Rollback {
		note := "safe"
		if rb.Unsafe {
			note = "**unsafe**: " + mdEscape(rb.Reason)
		}
		fmt.Fprintf(b, "| %d | %d | %s | %s |\n", rb.Index, rb.Step, mdEscape(strings.Join(rb.Services, ", ")), note)
	}
}

// mdFindings writes the errors and warnings, then the infos collapsed
// (when info is set), as digestFindings groups and limits them.
func mdFindings(b *strings.Builder, p *planner.Plan, info bool) {
	d := digestFindings(p.Findings)
	shown := append(d.severity(planner.Error), d.severity(planner.Warning)...)
	if len(shown) > 0 || d.omitted[planner.Warning] > 0 {
		b.WriteString("\n### Findings\n\n")
		for _, g := range shown {
			b.WriteString(findingLine(g))
		}
		if n := d.omitted[planner.Warning]; n > 0 {
			fmt.Fprintf(b, "- %s\n", mdEscape(moreNote(n)))
		}
	}
	infos, notes := d.severity(planner.Info), 0
	for _, f := range p.Findings {
		if f.Severity == planner.Info {
			notes++
		}
	}
	if info && notes > 0 {
		fmt.Fprintf(b, "\n<details><summary>Notes (%d)</summary>\n\n", notes)
		for _, g := range infos {
			b.WriteString(findingLine(g))
		}
		if n := d.omitted[planner.Info]; n > 0 {
			fmt.Fprintf(b, "- %s\n", mdEscape(moreNote(n)))
		}
		b.WriteString("\n</details>\n")
	}
}

// findingLine is one finding, or a group of findings with one cause, as a
// list item.
func findingLine(g findingGroup) string {
	f := g.first
	code := func(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }
	if g.count == 1 {
		pos := ""
		if f.File != "" {
			pos = " " + code(place(f))
		}
		return fmt.Sprintf("- **%s** `%s`%s: %s%s\n", f.Severity, f.Code, pos, mdEscape(g.message()), mdAccepted(f))
	}
	at := ""
	if s := g.firstAt(code); s != "" {
		at = " (first at " + mdEscape(s) + ")"
	}
	return fmt.Sprintf("- **%s** `%s` x%d: %s%s%s\n", f.Severity, f.Code, g.count, mdEscape(g.message()), at, mdAccepted(f))
}

// mdAccepted says that a finding is accepted, after its message.
func mdAccepted(f planner.Finding) string {
	if f.Accepted == nil {
		return ""
	}
	return " — **" + mdEscape(acceptedNote(f.Accepted)) + "**"
}

func mdChains(b *strings.Builder, aff []planner.Service) {
	if len(aff) == 0 {
		return
	}
	b.WriteString("\n<details><summary>Why each service is affected</summary>\n\n")
	for _, s := range aff {
		fmt.Fprintf(b, "- **%s** (%s)\n", mdEscape(s.Name), s.Status)
		for _, r := range s.Reasons {
			fmt.Fprintf(b, "  - %s\n", reasonLine(r))
		}
	}
	b.WriteString("\n</details>\n")
}

// reasonLine is one reason with its whole chain, in Markdown.
func reasonLine(r planner.Reason) string {
	chain := make([]string, len(r.Chain))
	for i, c := range r.Chain {
		chain[i] = "`" + quotePath(c) + "`"
	}
	line := string(r.Kind) + ": "
	switch r.Kind {
	case graph.ViaModule:
		line += fmt.Sprintf("`%s` %s %s → %s", quotePath(r.Path), r.Module, orNone(r.From), orNone(r.To))
		if len(chain) > 1 {
			line += " via " + strings.Join(chain[1:], " → ")
		}
	case graph.ViaGoVersion:
		line += fmt.Sprintf("`%s` %s → %s", quotePath(r.Path), orNone(r.From), orNone(r.To))
	case graph.ViaOwned, graph.ViaAdded, graph.ViaRemoved:
		line += "`" + quotePath(r.Path) + "`"
	default:
		if len(chain) == 0 {
			chain = []string{"`" + quotePath(r.Path) + "`"}
		}
		line += strings.Join(chain, " → ")
	}
	return mdEscape(line)
}

func mdContracts(b *strings.Builder, p *planner.Plan) {
	if len(p.Contracts) == 0 {
		return
	}
	b.WriteString("\n<details><summary>Contract changes</summary>\n")
	for _, c := range p.Contracts {
		fmt.Fprintf(b, "\n**%s** (%s", mdEscape(c.Name), c.Kind)
		for _, t := range c.Types {
			fmt.Fprintf(b, ", `%s`", t)
		}
		v := c.Kind.Verbs()
		if c.Kind.IsField() {
			b.WriteString(")\n\n| key | change | compat | rules | wire type | writers | readers |\n|---|---|---|---|---|---|---|\n")
		} else {
			fmt.Fprintf(b, ")\n\n| %s | change | compat | rules | %s | %s |\n|---|---|---|---|---|---|\n", c.Kind.Noun(), v.Provides, v.Consumes)
		}
		for _, ch := range c.Changes {
			key := "`" + ch.Key + "`"
			if ch.Name != "" {
				key += " " + ch.Name
			}
			rules := make([]string, len(ch.Rules))
			for i, r := range ch.Rules {
				rules[i] = string(r)
			}
			wire := ""
			if ch.WireType != nil {
				wire = fmt.Sprintf(" %s → %s |", mdEscape(orNone(ch.WireType.Base)), mdEscape(orNone(ch.WireType.Head)))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |%s %s | %s |\n", mdEscape(key), ch.Change, ch.Compat,
				mdEscape(strings.Join(rules, ", ")), wire, sides(ch.Providers), sides(ch.Consumers))
		}
	}
	b.WriteString("\n</details>\n")
}

// mdWhere writes the places behind the elements the plan orders.
func mdWhere(b *strings.Builder, p *planner.Plan) {
	ws, more := whereEvidence(p)
	if len(ws) == 0 {
		return
	}
	b.WriteString("\n<details><summary>Where the code does it</summary>\n")
	for _, we := range ws {
		fmt.Fprintf(b, "\n**%s**\n\n| side | service | does | where |\n|---|---|---|---|\n", mdEscape(we.name))
		for _, l := range we.lines {
			var places []string
			for _, pl := range l.places {
				places = append(places, "`"+mdEscape(pl)+"`")
			}
			where := strings.Join(places, ", ")
			if l.unproven {
				where += " (unproven)"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", l.side, mdEscape(l.service), l.verb, where)
		}
		if we.more > 0 {
			fmt.Fprintf(b, "\n(+%d more)\n", we.more)
		}
	}
	if more > 0 {
		fmt.Fprintf(b, "\n(+%d more; `-o json` lists every place)\n", more)
	}
	if note := unprovenNote(ws); note != "" {
		fmt.Fprintf(b, "\n_%s._\n", mdEscape(note))
	}
	b.WriteString("\n</details>\n")
}

// sides is a set of services at base and head: "a, b → b".
func sides(s planner.Sides) string {
	list := func(names []string) string {
		if len(names) == 0 {
			return "(none)"
		}
		return strings.Join(names, ", ")
	}
	return mdEscape(list(s.Base) + " → " + list(s.Head))
}

func graphNodes(p *planner.Plan) int {
	n := 0
	for _, st := range p.Steps {
		n += len(st.Services)
	}
	return n
}

// mdEscape keeps text from breaking a table cell or becoming HTML, and
// from mentioning people.
func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;", "@", "@\u200b", "\r", " ", "\n", " ").Replace(s)
}
