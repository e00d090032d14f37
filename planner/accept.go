package planner

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/deployorder/deployorder/change"
)

// TrailerKey is the commit-message trailer by which a commit accepts a
// break it makes:
//
//	Deploy-Order-Accept: RULE ELEMENT REASON...
const TrailerKey = "Deploy-Order-Accept"

// ExpiredCode is the code of the warning that an acceptance has expired.
const ExpiredCode = "ACCEPTANCE_EXPIRED"

// Acceptance is a team's acknowledgement of a break: the findings of Rule
// about an element that Element matches stay in the plan, marked
// accepted, and no longer raise its verdict.
type Acceptance struct {
	Rule    RuleID
	Element string    // a glob (doublestar syntax) over Finding.Element
	Reason  string    // never empty
	Expires time.Time // the last day it applies; zero for no end
	// Where it is written: a config file and line, or the commit (full
	// hash) whose message has the trailer. A commit's acceptance is about
	// that change, so it must accept a finding of the range.
	File   string
	Line   int
	Commit string
}

// Accepted says that a finding is accepted, why, and where.
type Accepted struct {
	Reason  string `json:"reason"`
	File    string `json:"file,omitempty"` // the config file and line...
	Line    int    `json:"line,omitempty"`
	Commit  string `json:"commit,omitempty"`  // ...or the commit whose message accepts it
	Expires string `json:"expires,omitempty"` // the last day it applies, YYYY-MM-DD
}

// Where names the place of an acceptance for people: deployorder.yaml:7,
// or commit 1a2b3c4d5e6f.
func (a Accepted) Where() string {
	if a.Commit != "" {
		return "commit " + short(a.Commit)
	}
	return fmt.Sprintf("%s:%d", a.File, a.Line)
}

func (a Acceptance) accepted() *Accepted {
	x := &Accepted{Reason: a.Reason, File: a.File, Line: a.Line, Commit: a.Commit}
	if !a.Expires.IsZero() {
		x.Expires = a.Expires.Format(time.DateOnly)
	}
	return x
}

// where prefixes an error about an acceptance with its place.
func (a Acceptance) where() string {
	if a.Commit != "" {
		return fmt.Sprintf("commit %s: %s", short(a.Commit), TrailerKey)
	}
	return fmt.Sprintf("%s:%d: accept", a.File, a.Line)
}

// fix is what to do about a bad acceptance.
func (a Acceptance) fix() string {
	if a.Commit != "" {
		return "reword the commit message (git rebase -i)"
	}
	return "fix the entry"
}

// Acceptances checks the config's acceptances and adds those the range's
// commits make with a Deploy-Order-Accept trailer, in commit order. An
// acceptance of a rule that is not in the registry, or whose findings name
// no element, or with an element glob that does not parse, is an error
// that says where it is and what the rules are.
func Acceptances(config []Acceptance, commits []change.Commit) ([]Acceptance, error) {
	out := append([]Acceptance(nil), config...)
	for _, c := range commits {
		for _, t := range c.Trailers {
			if !strings.EqualFold(t.Key, TrailerKey) {
				continue
			}
			a, err := parseTrailer(c.SHA, t.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	for _, a := range out {
		if err := a.check(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseTrailer reads "RULE ELEMENT REASON...".
func parseTrailer(sha, value string) (Acceptance, error) {
	f := strings.Fields(value)
	if len(f) < 3 {
		return Acceptance{}, fmt.Errorf("commit %s: %s %q needs a rule, an element and a reason, e.g. %s: %s Response.metadata billing reads a cached copy until v2; reword the commit message (git rebase -i)",
			short(sha), TrailerKey, value, TrailerKey, StopConsumeBeforeStopProvide)
	}
	return Acceptance{Rule: RuleID(f[0]), Element: f[1], Reason: strings.Join(f[2:], " "), Commit: sha}, nil
}

// check validates one acceptance against the registry.
func (a Acceptance) check() error {
	r, ok := ruleByID[a.Rule]
	switch {
	case !ok:
		return fmt.Errorf("%s: unknown rule %q; accept %s (deployorder rules lists every rule)", a.where(), a.Rule, acceptableRules())
	case !r.Acceptable:
		return fmt.Errorf("%s: rule %s raises no finding about one element, so nothing can accept it; accept %s", a.where(), a.Rule, acceptableRules())
	case !doublestar.ValidatePattern(a.Element):
		return fmt.Errorf("%s: bad element glob %q (unbalanced [ ] or { }, or a trailing \\); %s", a.where(), a.Element, a.fix())
	case strings.TrimSpace(a.Reason) == "":
		return fmt.Errorf("%s: an acceptance needs a reason; %s", a.where(), a.fix())
	}
	return nil
}

// acceptableRules lists the rules whose findings can be accepted, in
// words.
func acceptableRules() string {
	var ids []string
	for _, r := range Rules {
		if r.Acceptable {
			ids = append(ids, string(r.ID))
		}
	}
	if len(ids) == 1 {
		return ids[0]
	}
	return strings.Join(ids[:len(ids)-1], ", ") + " or " + ids[len(ids)-1]
}

// matches reports whether an acceptance is about a finding.
func (a Acceptance) matches(f Finding) bool {
	if f.Element == "" || string(a.Rule) != f.Code {
		return false
	}
	ok, _ := doublestar.Match(a.Element, f.Element)
	return ok
}

// expired reports whether the acceptance has expired by the day today.
func (a Acceptance) expired(today time.Time) bool {
	return !a.Expires.IsZero() && today.Format(time.DateOnly) > a.Expires.Format(time.DateOnly)
}

// accept marks the findings that an acceptance in force matches, and
// returns a warning for each expired acceptance that would have matched
// one. A commit's acceptance is preferred to the config's: it was written
// for this change. A commit's acceptance that matches no finding is an
// error: its author wrote it for a break this range does not have (a
// config acceptance that matches nothing is fine: it is long-lived).
func accept(findings []Finding, acceptances []Acceptance, today time.Time) ([]Finding, error) {
	var warnings []Finding
	for _, a := range acceptances {
		n := 0
		for _, f := range findings {
			if a.matches(f) {
				n++
			}
		}
		switch {
		case n == 0 && a.Commit != "":
			return nil, fmt.Errorf("%s %s %s accepts nothing: %s; fix the element, or drop the trailer (git rebase -i)",
				a.where(), a.Rule, printable(a.Element), about(findings, a.Rule))
		case n > 0 && a.expired(today):
			warnings = append(warnings, Finding{Severity: Warning, Code: ExpiredCode, File: a.File, Line: a.Line,
				Message: fmt.Sprintf("the acceptance of %s for %s expired on %s, so %s again; fix the break, or renew the acceptance with a later expires",
					a.Rule, printable(a.Element), a.Expires.Format(time.DateOnly), plural(n, "finding counts", "findings count"))})
		}
	}
	for i := range findings {
		f := &findings[i]
		for _, a := range acceptances {
			if a.expired(today) || !a.matches(*f) {
				continue
			}
			if f.Accepted == nil || f.Accepted.Commit == "" && a.Commit != "" {
				f.Accepted = a.accepted()
			}
		}
	}
	return warnings, nil
}

// about says which elements the findings of a rule are about, for an
// acceptance that matches none of them.
func about(findings []Finding, rule RuleID) string {
	seen := map[string]bool{}
	for _, f := range findings {
		if f.Code == string(rule) && f.Element != "" {
			seen[f.Element] = true
		}
	}
	if len(seen) == 0 {
		return fmt.Sprintf("this range has no %s finding", rule)
	}
	return fmt.Sprintf("this range's %s findings are about %s", rule, joinNames(sortedSet(seen)))
}

// printable quotes text from a commit message or the config that holds
// control characters, so that an error stays one harmless line.
func printable(s string) string {
	if strings.ContainsFunc(s, unicode.IsControl) {
		return strconv.Quote(s)
	}
	return s
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
