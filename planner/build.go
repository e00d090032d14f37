package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/contract"
	"github.com/deployorder/deployorder/graph"
)

// Input is everything a plan is made from: plain values, so that Build is
// a pure function.
type Input struct {
	Range    *change.Range   // the commits, files and hunks of the range
	Impact   *graph.Impact   // which services the range and each commit change
	Warnings []graph.Warning // from loading the workspace and reading the range
	Soak     time.Duration   // wait before each contract step

	// The contract analysis; nil when it did not run.
	Contracts *contract.Result

	// Accept are the breaks the team accepts (see Acceptances, which also
	// reads the commits' trailers), and Today the day they expire
	// against: the clock is read by the caller, so that Build stays a
	// function of its input. The zero Today expires nothing.
	Accept []Acceptance
	Today  time.Time

	// Proposed are the services `deployorder init` would propose to
	// exclude, when the repository has no config (nil otherwise): a plan
	// they change says what it is without them (TOOL_PROGRAMS).
	Proposed []Proposed

	// Bundles are the services that link the code of several others
	// (FindBundles): a plan that orders one against them says what it is
	// without it (BUNDLED_SERVICES).
	Bundles []Bundle
}

// Build makes the plan. Its one error is an acceptance written in a
// commit of the range that accepts no finding of it.
func Build(in Input) (*Plan, error) {
	p := &Plan{SchemaVersion: SchemaVersion}
	p.Range = Range{Spec: in.Range.Spec, Base: in.Range.Base, Head: in.Range.Head}
	for _, c := range in.Range.Commits {
		p.Range.Commits = append(p.Range.Commits, Commit{SHA: c.SHA, Subject: c.Subject, Services: nonNil(in.Impact.Commits[c.SHA])})
	}
	var deployable []string
	p.Services, deployable = services(in.Impact)
	p.Findings = append(p.Findings, serviceFindings(in.Impact)...)
	for _, list := range [][]graph.Warning{in.Warnings, in.Impact.Warnings, contractWarnings(in.Contracts)} {
		p.Findings = append(p.Findings, WarningFindings(list)...)
	}
	if in.Contracts != nil {
		for _, n := range in.Contracts.Notes {
			p.Findings = append(p.Findings, Finding{Severity: Info, Code: n.Code, Message: n.Message, File: n.File, Line: n.Line})
		}
	}
	if f, ok := unaffectedFinding(in.Impact); ok {
		p.Findings = append(p.Findings, f)
	}

	ch := checkWith(in.Contracts, deployable, removedServices(in.Impact), in.Accept, in.Today)
	p.Contracts = planContracts(ch)
	p.Findings = append(p.Findings, ch.findings...)
	expired, err := accept(p.Findings, in.Accept, in.Today)
	if err != nil {
		return nil, err
	}
	p.Findings = append(p.Findings, expired...)
	sc := ch.sched
	p.Steps = steps(sc, in)
	p.Edges = edges(sc)
	p.Rollback = rollback(sc, p.Steps)
	p.Splits = splits(sc, in, ch)
	p.Verdict = verdict(deployable, sc, p.Findings)
	p.Summary = summary(p)
	if f, ok := toolFinding(in, p); ok {
		p.Findings = append(p.Findings, f)
	}
	if f, ok := bundleFinding(in, p); ok {
		p.Findings = append(p.Findings, f)
	}
	sortFindings(p.Findings)
	normalize(p)
	return p, nil
}

// services lists every service with its status and reasons, and the ones
// the range deploys.
func services(im *graph.Impact) (out []Service, deployable []string) {
	for _, si := range im.Services {
		s := Service{Name: si.Service.Name, Main: si.Service.Main, Dir: si.Service.Dir, Status: si.Status, Affected: si.Affected(), Reasons: []Reason{}}
		for _, r := range si.Reasons {
			s.Reasons = append(s.Reasons, Reason{Kind: r.Kind, Path: r.Path, Chain: r.Chain, Module: r.Module, From: r.From, To: r.To})
		}
		out = append(out, s)
		if si.Affected() && si.Status != graph.Removed {
			deployable = append(deployable, s.Name)
		}
	}
	return out, deployable
}

// removedServices are the services the range removes.
func removedServices(im *graph.Impact) []string {
	var out []string
	for _, si := range im.Services {
		if si.Status == graph.Removed {
			out = append(out, si.Service.Name)
		}
	}
	return out
}

// serviceFindings say what to do about services added or removed.
func serviceFindings(im *graph.Impact) []Finding {
	var out []Finding
	for _, si := range im.Services {
		switch si.Status {
		case graph.Removed:
			out = append(out, Finding{Severity: Info, Code: "SERVICE_REMOVED", File: si.Service.Dir,
				Message: fmt.Sprintf("service %s is removed in this range: delete its deployment once the steps below have shipped", si.Service.Name)})
		case graph.Added:
			out = append(out, Finding{Severity: Info, Code: "SERVICE_ADDED", File: si.Service.Dir,
				Message: fmt.Sprintf("service %s is new in this range: create its deployment", si.Service.Name)})
		}
	}
	return out
}

// WarningFindings turns the warnings of the earlier stages into findings.
func WarningFindings(ws []graph.Warning) []Finding {
	out := make([]Finding, 0, len(ws))
	for _, w := range ws {
		out = append(out, Finding{Severity: Warning, Code: w.Code, Message: w.Message, File: w.File, Line: w.Line, Cause: w.Cause})
	}
	return out
}

func contractWarnings(res *contract.Result) []graph.Warning {
	if res == nil {
		return nil
	}
	return res.Warnings
}

// unaffectedFinding names the changed paths that affect no service.
func unaffectedFinding(im *graph.Impact) (Finding, bool) {
	n := len(im.Unaffected)
	if n == 0 {
		return Finding{}, false
	}
	var list []string
	for i, u := range im.Unaffected {
		if i == 5 {
			list = append(list, fmt.Sprintf("and %d more", n-5))
			break
		}
		list = append(list, fmt.Sprintf("%s (%s)", u.Path, u.Why))
	}
	return Finding{Severity: Info, Code: "UNAFFECTED_PATHS",
		Message: fmt.Sprintf("%s no service: %s", plural(n, "changed path affects", "changed paths affect"), strings.Join(list, "; "))}, true
}

func verdict(deployable []string, sc schedule, findings []Finding) Verdict {
	if breaks, _ := countBreaks(findings); breaks > 0 {
		return Blocked
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

// countBreaks counts the error findings, apart from the accepted ones.
func countBreaks(findings []Finding) (breaks, accepted int) {
	for _, f := range findings {
		switch {
		case f.Severity != Error:
		case f.Accepted != nil:
			accepted++
		default:
			breaks++
		}
	}
	return breaks, accepted
}

// summary is the verdict in words, and the breaks the team accepted.
func summary(p *Plan) string {
	s := verdictSummary(p)
	if _, accepted := countBreaks(p.Findings); accepted > 0 {
		s += fmt.Sprintf("; %s", plural(accepted, "break accepted", "breaks accepted"))
	}
	return s
}

func verdictSummary(p *Plan) string {
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
	case Staged:
		revs := map[string]bool{}
		for _, st := range p.Steps {
			revs[st.Revision] = true
		}
		return fmt.Sprintf("Staged: deploy in %s from %s of this range; merge without squashing (or deploy each step from its commit)",
			plural(len(p.Steps), "step", "steps"), plural(len(revs), "commit", "commits"))
	case SplitRequired:
		return fmt.Sprintf("Needs a split: deploy in %s; this range cannot ship as one deploy", plural(len(p.Steps), "step", "steps"))
	}
	breaks, _ := countBreaks(p.Findings)
	return fmt.Sprintf("Blocked: %s that no deploy order avoids; fix the code first", plural(breaks, "break", "breaks"))
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

var severityOrder = map[Severity]int{Error: 0, Warning: 1, Info: 2}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(severityOrder[a.Severity], severityOrder[b.Severity]),
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Code, b.Code),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// normalize replaces nil slices with empty ones so that JSON lists are
// always lists.
func normalize(p *Plan) {
	p.Services = nonNil(p.Services)
	p.Contracts = nonNil(p.Contracts)
	p.Steps = nonNil(p.Steps)
	p.Edges = nonNil(p.Edges)
	p.Splits = nonNil(p.Splits)
	p.Rollback = nonNil(p.Rollback)
	p.Findings = nonNil(p.Findings)
	p.Range.Commits = nonNil(p.Range.Commits)
	for i := range p.Steps {
		p.Steps[i].Commits = nonNil(p.Steps[i].Commits)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func joinNames(names []string) string { return graph.JoinNames(names) }

func joinInts(xs []int) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	return joinNames(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func sortedSet[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
