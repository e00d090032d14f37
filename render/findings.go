package render

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/deployorder/deployorder/planner"
)

// maxShown is how many lines of warnings, and how many of infos, text and
// Markdown show. Errors are always all shown; JSON lists every finding.
const maxShown = 5

// maxPlaces is how many places a grouped line names.
const maxPlaces = 3

// findingGroup is the findings of one severity and code with one cause
// (planner.Finding.Cause): what people read as one line.
type findingGroup struct {
	first  planner.Finding // the first of them, in the plan's order
	count  int
	places []planner.Finding // each one that has a file, in order
}

// message is what the line says: the finding's own message when it is
// alone, else the cause the findings share.
func (g findingGroup) message() string {
	if g.count == 1 || g.first.Cause == "" {
		return g.first.Message
	}
	return g.first.Cause
}

// firstAt names the first places of a group of several findings, each
// written by quote: "a/b.go:3, c/d.go:9, e/f.go:1, ..."; "" when none has
// a place.
func (g findingGroup) firstAt(quote func(string) string) string {
	var list []string
	for _, f := range g.places {
		p := quote(place(f))
		if slices.Contains(list, p) {
			continue // one package, several findings
		}
		if len(list) == maxPlaces {
			list = append(list, "...")
			break
		}
		list = append(list, p)
	}
	return strings.Join(list, ", ")
}

// acceptedNote says that a finding is accepted, where, until when and
// why: "accepted in deployorder.yaml:7 until 2026-12-31: reason".
func acceptedNote(a *planner.Accepted) string {
	s := "accepted in " + a.Where()
	if a.Expires != "" {
		s += " until " + a.Expires
	}
	return s + ": " + a.Reason
}

// findingDigest is what text and Markdown show of a plan's findings.
type findingDigest struct {
	// groups: errors, then warnings, then infos; within each, the ones
	// still in force before the accepted ones, in the plan's order.
	groups []findingGroup
	// omitted counts the findings left out, by severity.
	omitted map[planner.Severity]int
}

// total is how many findings were left out.
func (d findingDigest) total() int {
	n := 0
	for _, c := range d.omitted {
		n += c
	}
	return n
}

// severity returns the groups of one severity.
func (d findingDigest) severity(s planner.Severity) []findingGroup {
	var out []findingGroup
	for _, g := range d.groups {
		if g.first.Severity == s {
			out = append(out, g)
		}
	}
	return out
}

// moreNote is the line that says findings were left out.
func moreNote(n int) string {
	return fmt.Sprintf("(+%d more; -o json lists all)", n)
}

// digestFindings groups the findings that have one severity, code and
// cause, and keeps every error and the first maxShown groups of warnings
// and of infos. It is the one place that decides which findings people
// see; every renderer for people uses it.
func digestFindings(fs []planner.Finding) findingDigest {
	d := findingDigest{omitted: map[planner.Severity]int{}, groups: groupFindings(fs)}
	var kept []findingGroup
	for _, s := range []planner.Severity{planner.Error, planner.Warning, planner.Info} {
		groups := d.severity(s)
		slices.SortStableFunc(groups, func(a, b findingGroup) int {
			return cmp.Compare(btoi(a.first.Accepted != nil), btoi(b.first.Accepted != nil))
		})
		for i, g := range groups {
			if s != planner.Error && i >= maxShown {
				d.omitted[s] += g.count
				continue
			}
			kept = append(kept, g)
		}
	}
	d.groups = kept
	return d
}

// groupFindings groups the findings that have one severity, code and
// cause, in the order of each group's first finding.
func groupFindings(fs []planner.Finding) []findingGroup {
	var groups []findingGroup
	index := map[string]int{}
	for _, f := range fs {
		k := groupKey(f)
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, findingGroup{first: f})
		}
		g := &groups[i]
		g.count++
		if f.File != "" {
			g.places = append(g.places, f)
		}
	}
	return groups
}

// FindingLines returns every finding as the text output shows it, one line
// per group of findings with one severity, code and cause, without the
// severity: "file:line: message [CODE]" or "x3: cause (first at ...)
// [CODE]". Commands that print findings outside a plan (services) use it.
func FindingLines(fs []planner.Finding) []string {
	var out []string
	for _, g := range groupFindings(fs) {
		out = append(out, textFinding(g))
	}
	return out
}

// groupKey is what the findings of one group share: severity, code, cause
// (or the whole message, when the finding has no cause) and acceptance.
func groupKey(f planner.Finding) string {
	cause := "message\x00" + f.Message
	if f.Cause != "" {
		cause = "cause\x00" + f.Cause
	}
	accepted := ""
	if f.Accepted != nil {
		accepted = acceptedNote(f.Accepted)
	}
	return strings.Join([]string{string(f.Severity), f.Code, cause, accepted}, "\x00")
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// place is a finding's file:line, or its file, with the file quoted as
// quotePath does.
func place(f planner.Finding) string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d", quotePath(f.File), f.Line)
	}
	return quotePath(f.File)
}
