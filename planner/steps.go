package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/deployorder/deployorder/contract"
)

// steps turns waves into steps with the commits they ship and why.
func steps(sc schedule, in Input) []Step {
	var out []Step
	for i, wave := range sc.waves {
		st := Step{Index: i + 1, Phase: partPhase[wave[0].part], Revision: in.Range.Head}
		commits := map[string]bool{}
		for _, n := range wave {
			st.Services = append(st.Services, n.service)
			for sha, svcs := range in.Impact.Commits {
				if slices.Contains(svcs, n.service) {
					commits[sha] = true
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

// stepReason is one line naming the elements, rule and services that put
// the step where it is: the constraints that end in it, or for a first
// step the ones that start from it.
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
				parts = append(parts, n.service+" must "+note+" ("+string(SplitCycle)+")")
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

// describe groups constraints into phrases: one per rule, provider and
// kind of element.
func describe(cons []Constraint) []string {
	type group struct {
		rule            RuleID
		kind            contract.Kind
		request         bool
		required        string
		provider        string
		keys, consumers map[string]bool
		nested          map[string]bool
		tolerant        bool
		fallbacks       map[string]bool
	}
	groups := map[string]*group{}
	var order []string
	for _, c := range cons {
		provider, consumer := c.From, c.To
		if c.Rule == StopConsumeBeforeStopProvide {
			provider, consumer = c.To, c.From
		}
		id := fmt.Sprintf("%s|%s|%s|%t", c.Rule, provider, c.Kind, c.Request)
		g := groups[id]
		if g == nil {
			g = &group{rule: c.Rule, kind: c.Kind, request: c.Request, provider: provider, keys: map[string]bool{}, consumers: map[string]bool{},
				nested: map[string]bool{}, tolerant: true, fallbacks: map[string]bool{}}
			groups[id] = g
			order = append(order, id)
		}
		if c.Required != "" {
			g.required = c.Required
		}
		g.keys[c.Key] = true
		g.nested[c.Key] = c.Nested
		g.consumers[consumer] = true
		g.tolerant = g.tolerant && !c.Critical
		if c.Fallback != "" {
			g.fallbacks[c.Fallback] = true
		}
	}
	slices.Sort(order)
	var out []string
	for _, id := range order {
		g := groups[id]
		v := verbsOf(g.kind, g.request)
		keys := sortedSet(g.keys)
		slices.SortStableFunc(keys, func(a, b string) int { return compareNested(g.nested[a], g.nested[b]) })
		shown := keys
		if len(keys) > 3 {
			shown = append(append([]string{}, keys[:2]...), fmt.Sprintf("%d more %ss", len(keys)-2, g.kind.Noun()))
		}
		consumers := sortedSet(g.consumers)
		it := "it"
		if len(keys) > 1 {
			it = "them"
		}
		switch g.rule {
		case ProvideBeforeConsume:
			why := ""
			if g.request {
				why = fmt.Sprintf(": an old %s would drop %s from requests", g.provider, it)
			} else if g.required != "" {
				why = fmt.Sprintf(": %s rejects requests without %s", g.required, it)
			}
			phrase := fmt.Sprintf("%s %s %s before %s %s %s%s (%s)", g.provider, v.Provides, joinNames(shown), joinNames(consumers), thirdPerson(v, len(consumers)), it, why, g.rule)
			switch {
			case g.tolerant && len(g.fallbacks) > 0:
				phrase += fmt.Sprintf("; not critical: the %ss fall back to %s (%s)", v.Consumer, joinNames(sortedSet(g.fallbacks)), TolerantConsumer)
			case g.tolerant:
				phrase += fmt.Sprintf("; not critical: the team accepts that the %ss do without %s", v.Consumer, it)
			}
			out = append(out, phrase)
		case StopConsumeBeforeStopProvide:
			stop := "stops"
			if len(consumers) > 1 {
				stop = "stop"
			}
			why := ""
			if g.request {
				why = fmt.Sprintf(": a new %s would drop %s from old requests", g.provider, it)
			}
			out = append(out, fmt.Sprintf("%s %s %s %s before %s stops %s %s%s (%s)", joinNames(consumers), stop, gerund(v.Consume), joinNames(shown), g.provider, gerund(v.Provide), it, why, g.rule))
		default:
			out = append(out, fmt.Sprintf("%s and %s: %s (%s)", g.provider, joinNames(consumers), joinNames(shown), g.rule))
		}
	}
	return out
}

// thirdPerson is the consume verb for n subjects ("reads", "read").
func thirdPerson(v contract.Verbs, n int) string {
	if n == 1 {
		return v.Consumes
	}
	return v.Consume
}

// compareNested orders outer elements before the elements inside their
// values.
func compareNested(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// edges groups the constraints between steps: one edge per rule and pair
// of step parts, naming its elements, the ones inside other elements'
// values (a new list's entries) after the ones that hold them.
func edges(sc schedule) []Edge {
	type pair struct {
		from, to         string
		fromStep, toStep int
		rule             RuleID
	}
	byPair := map[pair]*Edge{}
	nested := map[string]bool{}
	var out []*Edge
	for _, c := range sc.edges {
		f, t, ok := sc.waveOfConstraint(c)
		if !ok || f >= t {
			continue
		}
		k := pair{c.From, c.To, f + 1, t + 1, c.Rule}
		e := byPair[k]
		if e == nil {
			e = &Edge{From: c.From, FromStep: f + 1, To: c.To, ToStep: t + 1, Rule: c.Rule}
			byPair[k] = e
			out = append(out, e)
		}
		nested[c.Key] = c.Nested
		if !slices.Contains(e.Keys, c.Key) {
			e.Keys = append(e.Keys, c.Key)
		}
		e.Critical = e.Critical || c.Critical
	}
	list := make([]Edge, 0, len(out))
	for _, e := range out {
		slices.Sort(e.Keys)
		slices.SortStableFunc(e.Keys, func(a, b string) int { return compareNested(nested[a], nested[b]) })
		list = append(list, *e)
	}
	slices.SortFunc(list, func(a, b Edge) int {
		return cmp.Or(
			cmp.Compare(a.FromStep, b.FromStep),
			cmp.Compare(a.ToStep, b.ToStep),
			cmp.Compare(a.From, b.From),
			cmp.Compare(a.To, b.To),
			cmp.Compare(a.Rule, b.Rule),
		)
	})
	return list
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
			consumer := c.To
			if c.Rule == StopConsumeBeforeStopProvide {
				consumer = c.From
			}
			rb.Unsafe = true
			rb.Reason = fmt.Sprintf("rolling back step %d while step %d runs breaks %s: %s (%s); roll back step %d first",
				st.Index, t+1, consumer, c.Why, c.Rule, t+1)
			break
		}
		out = append(out, rb)
	}
	return out
}
