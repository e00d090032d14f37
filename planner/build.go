package planner

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/contract"
	"github.com/deployorder/deployorder/graph"
)

// Input is everything a plan is made from.
type Input struct {
	Range    *change.Range
	Impact   *graph.Impact
	Warnings []graph.Warning // from loading the workspace
	Soak     time.Duration   // wait before each contract step

	// The contract analysis; nil when it did not run.
	Contracts *contract.Result

	// Extra constraints and findings (tests, future sources).
	Constraints []Constraint
	Findings    []Finding // Error findings block the plan
}

// Build makes the plan.
func Build(in Input) *Plan {
	p := &Plan{SchemaVersion: SchemaVersion}
	p.Range = Range{Spec: in.Range.Spec, Base: in.Range.Base, Head: in.Range.Head}
	for _, c := range in.Range.Commits {
		p.Range.Commits = append(p.Range.Commits, Commit{SHA: c.SHA, Subject: c.Subject, Services: nonNil(in.Impact.Commits[c.SHA])})
	}
	var deployable []string
	for _, si := range in.Impact.Services {
		s := Service{Name: si.Service.Name, Main: si.Service.Main, Dir: si.Service.Dir, Status: string(si.Status), Affected: si.Affected(), Reasons: []Reason{}}
		for _, r := range si.Reasons {
			s.Reasons = append(s.Reasons, Reason{Kind: string(r.Kind), Path: r.Path, Chain: r.Chain, Module: r.Module, From: r.From, To: r.To})
		}
		p.Services = append(p.Services, s)
		if si.Affected() && si.Status != graph.Removed {
			deployable = append(deployable, s.Name)
		}
		switch si.Status {
		case graph.Removed:
			p.Findings = append(p.Findings, Finding{Severity: Info, Code: "SERVICE_REMOVED", File: si.Service.Dir,
				Message: fmt.Sprintf("service %s is removed in this range: delete its deployment once the steps below have shipped", s.Name)})
		case graph.Added:
			p.Findings = append(p.Findings, Finding{Severity: Info, Code: "SERVICE_ADDED", File: si.Service.Dir,
				Message: fmt.Sprintf("service %s is new in this range: create its deployment", s.Name)})
		}
	}
	for _, w := range in.Warnings {
		p.Findings = append(p.Findings, Finding{Severity: Warning, Code: w.Code, Message: w.Message, File: w.File, Line: w.Line})
	}
	for _, w := range in.Impact.Warnings {
		p.Findings = append(p.Findings, Finding{Severity: Warning, Code: w.Code, Message: w.Message, File: w.File, Line: w.Line})
	}
	if n := len(in.Impact.Unaffected); n > 0 {
		var list []string
		for i, u := range in.Impact.Unaffected {
			if i == 5 {
				list = append(list, fmt.Sprintf("and %d more", n-5))
				break
			}
			list = append(list, fmt.Sprintf("%s (%s)", u.Path, u.Why))
		}
		p.Findings = append(p.Findings, Finding{Severity: Info, Code: "UNAFFECTED_PATHS",
			Message: fmt.Sprintf("%s no service: %s", plural(n, "changed path affects", "changed paths affect"), strings.Join(list, "; "))})
	}
	p.Findings = append(p.Findings, in.Findings...)

	isDeployable := map[string]bool{}
	for _, s := range deployable {
		isDeployable[s] = true
	}
	ch := checkContracts(in.Contracts, isDeployable)
	p.Contracts = planContracts(ch)
	p.Findings = append(p.Findings, ch.findings...)
	if in.Contracts != nil {
		for _, w := range in.Contracts.Warnings {
			p.Findings = append(p.Findings, Finding{Severity: Warning, Code: w.Code, Message: w.Message, File: w.File, Line: w.Line})
		}
	}
	cons := append([]Constraint{}, in.Constraints...)
	for _, c := range ch.constraints {
		if isDeployable[c.From] && isDeployable[c.To] {
			cons = append(cons, c)
		}
	}
	sc := plan(deployable, cons)
	p.Steps = steps(sc, in)
	p.Edges = edges(sc)
	p.Rollback = rollback(sc, p.Steps)
	p.Splits = splits(sc, in, ch)
	p.Verdict = verdict(deployable, sc, p.Findings)
	if sc.cycle != nil {
		p.Findings = append(p.Findings, Finding{Severity: Error, Code: "UNSPLITTABLE_CYCLE",
			Message: fmt.Sprintf("services %s depend on each other in a way no split resolves; break the cycle by hand", joinNames(sc.cycle))})
	}
	p.Summary = summary(p)
	sortFindings(p.Findings)
	normalize(p)
	return p
}

func verdict(deployable []string, sc schedule, findings []Finding) Verdict {
	for _, f := range findings {
		if f.Severity == Error {
			return Blocked
		}
	}
	switch {
	case sc.cycle != nil:
		return Blocked
	case len(deployable) == 0:
		return Noop
	case len(sc.split) > 0:
		return SplitRequired
	case len(sc.waves) > 1:
		return Ordered
	}
	return Safe
}

// steps turns waves into steps with the commits they ship and why.
func steps(sc schedule, in Input) []Step {
	var out []Step
	for i, wave := range sc.waves {
		st := Step{Index: i + 1, Phase: partPhase[wave[0].part]}
		commits := map[string]bool{}
		for _, n := range wave {
			st.Services = append(st.Services, n.service)
			for sha, svcs := range in.Impact.Commits {
				for _, s := range svcs {
					if s == n.service {
						commits[sha] = true
					}
				}
			}
		}
		for _, c := range in.Range.Commits { // commit order
			if commits[c.SHA] {
				st.Commits = append(st.Commits, c.SHA)
			}
		}
		st.Reason = stepReason(sc, i, wave)
		if st.Phase == PhaseContract && in.Soak > 0 {
			st.Soak = formatDuration(in.Soak)
		}
		out = append(out, st)
	}
	return out
}

// stepReason is one line naming the keys, rule and services that put the
// step where it is: the constraints that end in it, or for a first step
// the ones that start from it.
func stepReason(sc schedule, wave int, nodes []node) string {
	var in, out []Constraint
	for _, c := range sc.edges {
		f, t, ok := sc.waveOfConstraint(c)
		switch {
		case !ok:
		case t == wave && f < wave:
			in = append(in, c)
		case f == wave && t > wave:
			out = append(out, c)
		}
	}
	var parts []string
	if nodes[0].part == ExpandPart {
		for _, n := range nodes {
			if note := keepNote(sc, n); note != "" {
				parts = append(parts, n.service+" must "+note+" (SPLIT_CYCLE)")
			}
		}
	}
	cons := in
	if len(cons) == 0 && len(parts) == 0 {
		cons = out
	}
	parts = append(parts, describe(cons)...)
	if len(parts) == 0 {
		return "no ordering constraint: deploy in any order"
	}
	return strings.Join(parts, "; ")
}

// describe groups constraints into phrases: one per rule and writer.
func describe(cons []Constraint) []string {
	type group struct {
		rule, writer string
		keys, others map[string]bool
		nested       map[string]bool
		tolerant     bool
		fallbacks    map[string]bool
	}
	groups := map[string]*group{}
	var order []string
	for _, c := range cons {
		writer, other := c.From, c.To
		if c.Rule == "STOP_READ_BEFORE_STOP_WRITE" {
			writer, other = c.To, c.From
		}
		id := c.Rule + "|" + writer
		g := groups[id]
		if g == nil {
			g = &group{rule: c.Rule, writer: writer, keys: map[string]bool{}, others: map[string]bool{}, nested: map[string]bool{}, tolerant: true, fallbacks: map[string]bool{}}
			groups[id] = g
			order = append(order, id)
		}
		g.keys[c.Key] = true
		g.nested[c.Key] = c.Nested
		g.others[other] = true
		g.tolerant = g.tolerant && !c.Critical
		if c.Fallback != "" {
			g.fallbacks[c.Fallback] = true
		}
	}
	sort.Strings(order)
	var out []string
	for _, id := range order {
		g := groups[id]
		keys := sortedSet(g.keys)
		sort.SliceStable(keys, func(i, j int) bool { return !g.nested[keys[i]] && g.nested[keys[j]] })
		shown := keys
		if len(keys) > 3 {
			shown = append(append([]string{}, keys[:2]...), fmt.Sprintf("%d more keys", len(keys)-2))
		}
		others := sortedSet(g.others)
		it := "it"
		if len(keys) > 1 {
			it = "them"
		}
		var phrase string
		switch g.rule {
		case "WRITE_BEFORE_READ":
			phrase = fmt.Sprintf("%s writes %s before %s read%s %s (%s)", g.writer, joinNames(shown), joinNames(others), verbS(len(others)), it, g.rule)
			if g.tolerant {
				phrase += fmt.Sprintf("; not critical: the readers fall back to %s (TOLERANT_READER)", joinNames(sortedSet(g.fallbacks)))
			}
			out = append(out, phrase)
			continue
		case "STOP_READ_BEFORE_STOP_WRITE":
			phrase = fmt.Sprintf("%s stop%s reading %s before %s stops writing %s", joinNames(others), verbS(len(others)), joinNames(shown), g.writer, it)
		default:
			phrase = fmt.Sprintf("%s and %s: %s", g.writer, joinNames(others), joinNames(shown))
		}
		out = append(out, phrase+" ("+g.rule+")")
	}
	return out
}

// verbS is the third-person s for one subject.
func verbS(subjects int) string {
	if subjects == 1 {
		return "s"
	}
	return ""
}

// edges lists the constraints between steps, once each; between the same
// two nodes, keys inside other keys' values (a new list's entries) come
// after the keys that hold them.
func edges(sc schedule) []Edge {
	seen := map[Edge]bool{}
	nested := map[Edge]bool{}
	out := []Edge{}
	for _, c := range sc.edges {
		f, t, ok := sc.waveOfConstraint(c)
		if !ok || f >= t {
			continue
		}
		e := Edge{From: c.From, FromStep: f + 1, To: c.To, ToStep: t + 1, Key: c.Key, Rule: c.Rule, Critical: c.Critical}
		if !seen[e] {
			seen[e] = true
			nested[e] = c.Nested
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
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
		if nested[a] != nested[b] {
			return !nested[a]
		}
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		return a.Rule < b.Rule
	})
	return out
}

// rollback reverses the steps and marks each step whose rollback, with a
// later step still deployed, breaks a constraint.
func rollback(sc schedule, steps []Step) []RollbackStep {
	var out []RollbackStep
	for i := len(steps) - 1; i >= 0; i-- {
		st := steps[i]
		rb := RollbackStep{Index: len(out) + 1, Step: st.Index, Services: st.Services}
		for _, c := range sc.edges {
			f, t, ok := sc.waveOfConstraint(c)
			if !ok || !c.Critical || f != i || t <= i {
				continue
			}
			reader := c.To
			if c.Rule == "STOP_READ_BEFORE_STOP_WRITE" {
				reader = c.From
			}
			rb.Unsafe = true
			rb.Reason = fmt.Sprintf("rolling back step %d while step %d runs breaks %s: %s (%s); roll back step %d first",
				st.Index, t+1, reader, c.Why, c.Rule, t+1)
			break
		}
		out = append(out, rb)
	}
	return out
}

// splits names the commits that change a service which must deploy in
// several parts, and what each step's part of the commit must contain.
func splits(sc schedule, in Input, ch *checker) []Split {
	nodes := map[string][]node{}
	for n := range sc.waveOf {
		nodes[n.service] = append(nodes[n.service], n)
	}
	var out []Split
	for _, c := range in.Range.Commits {
		touched := in.Impact.Commits[c.SHA]
		multi := false
		for _, s := range touched {
			multi = multi || len(nodes[s]) > 1
		}
		if !multi {
			continue
		}
		sp := Split{Commit: c.SHA}
		steps := map[int]bool{}
		var writers []string
		for _, s := range touched {
			if !sc.split[s] {
				continue
			}
			if len(nodes[s]) > 1 {
				writers = append(writers, s)
			}
			for _, n := range nodes[s] {
				step := sc.waveOf[n] + 1
				steps[step] = true
				part := SplitPart{Step: step, Service: s, Keep: keepNote(sc, n), Files: partFiles(ch, in.Range.Hunks, s, n.part)}
				sp.Parts = append(sp.Parts, part)
			}
		}
		for st := range steps {
			sp.Steps = append(sp.Steps, st)
		}
		sort.Ints(sp.Steps)
		sort.Slice(sp.Parts, func(i, j int) bool {
			if sp.Parts[i].Step != sp.Parts[j].Step {
				return sp.Parts[i].Step < sp.Parts[j].Step
			}
			return sp.Parts[i].Service < sp.Parts[j].Service
		})
		sort.Strings(writers)
		sp.Reason = fmt.Sprintf("this commit cannot ship in one deploy: %s must run an intermediate version, so split it into steps %s",
			joinNames(writers), joinInts(sp.Steps))
		out = append(out, sp)
	}
	return out
}

// keepNote says what a split part must keep or do, from the constraints
// that end at the service's later parts.
func keepNote(sc schedule, n node) string {
	var keys, started []string
	contractStep := 0
	seen := map[string]bool{}
	nested := map[string]bool{}
	for _, c := range sc.edges {
		nested[c.Key] = c.Nested
		if n.part == ExpandPart && c.From == n.service && c.FromPart == ExpandPart && !seen["+"+c.Key] {
			seen["+"+c.Key] = true
			started = append(started, c.Key)
		}
		switch {
		case n.part == ExpandPart && c.To == n.service && c.ToPart == ContractPart:
			if t, ok := sc.nodeOf(c.To, ContractPart); ok {
				contractStep = sc.waveOf[t] + 1
			}
		case n.part == ContractPart && c.To == n.service && c.ToPart == ContractPart:
		case n.part == SwitchPart && c.To == n.service && c.ToPart == SwitchPart:
		default:
			continue
		}
		if !seen[c.Key] {
			seen[c.Key] = true
			keys = append(keys, "`"+c.Key+"`")
		}
	}
	byNesting := func(ks []string) {
		sort.Strings(ks)
		sort.SliceStable(ks, func(i, j int) bool { return !nested[strings.Trim(ks[i], "`")] && nested[strings.Trim(ks[j], "`")] })
	}
	byNesting(keys)
	byNesting(started)
	if n.part == ExpandPart && len(keys) == 0 && len(started) > 0 {
		if len(started) > 3 {
			started = append(started[:2:2], fmt.Sprintf("%d more keys", len(started)-2))
		}
		return fmt.Sprintf("write %s first, in a deploy of its own", joinNames(started))
	}
	if len(keys) == 0 {
		return ""
	}
	switch n.part {
	case ExpandPart:
		if len(started) > 3 {
			started = append(started[:2:2], fmt.Sprintf("%d more keys", len(started)-2))
		}
		return fmt.Sprintf("write %s and keep writing %s until step %d", joinNames(started), joinNames(keys), contractStep)
	case ContractPart:
		return fmt.Sprintf("stop writing %s, now that no reader needs it", joinNames(keys))
	case SwitchPart:
		return fmt.Sprintf("read %s, which earlier steps write", joinNames(keys))
	}
	return ""
}

func summary(p *Plan) string {
	deploys := map[string]bool{}
	for _, st := range p.Steps {
		for _, s := range st.Services {
			deploys[s] = true
		}
	}
	n := plural(len(deploys), "service", "services")
	switch p.Verdict {
	case Noop:
		return "Nothing to deploy: no service is affected by this range"
	case Safe:
		return fmt.Sprintf("Safe: deploy %s in any order", n)
	case Ordered:
		return fmt.Sprintf("Ordered: deploy %s in %s, in order", n, plural(len(p.Steps), "step", "steps"))
	case SplitRequired:
		return fmt.Sprintf("Needs a split: deploy in %s; this range cannot ship as one deploy", plural(len(p.Steps), "step", "steps"))
	}
	errs := 0
	for _, f := range p.Findings {
		if f.Severity == Error {
			errs++
		}
	}
	return fmt.Sprintf("Blocked: %s that no deploy order avoids; fix the code first", plural(errs, "break", "breaks"))
}

func formatDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	s = strings.TrimSuffix(s, "0m")
	return s
}

func joinInts(xs []int) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	return joinNames(s)
}

var severityOrder = map[Severity]int{Error: 0, Warning: 1, Info: 2}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return severityOrder[a.Severity] < severityOrder[b.Severity]
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
}

// normalize replaces nil slices with empty ones so that JSON lists are
// always lists.
func normalize(p *Plan) {
	if p.Services == nil {
		p.Services = []Service{}
	}
	if p.Contracts == nil {
		p.Contracts = []Contract{}
	}
	if p.Steps == nil {
		p.Steps = []Step{}
	}
	if p.Edges == nil {
		p.Edges = []Edge{}
	}
	if p.Splits == nil {
		p.Splits = []Split{}
	}
	if p.Rollback == nil {
		p.Rollback = []RollbackStep{}
	}
	if p.Findings == nil {
		p.Findings = []Finding{}
	}
	if p.Range.Commits == nil {
		p.Range.Commits = []Commit{}
	}
	for i := range p.Steps {
		p.Steps[i].Commits = nonNil(p.Steps[i].Commits)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
