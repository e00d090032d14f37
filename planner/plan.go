package planner

import (
	"fmt"
	"strings"

	"github.com/deployorder/deployorder/contract"
	"github.com/deployorder/deployorder/graph"
)

// SchemaVersion is the version of the JSON form of Plan.
//
// Version 2: every step deploys at a revision (steps[].revision), which is
// not the head in a staged plan; edges group the constraints of one rule
// between two steps' parts (keys, a list, in place of key).
const SchemaVersion = 2

// Verdict is the plan's overall judgement, from harmless to impossible.
type Verdict string

const (
	Noop          Verdict = "noop"           // no service is affected
	Safe          Verdict = "safe"           // services deploy in any order
	Ordered       Verdict = "ordered"        // services must deploy in the order of the steps
	Staged        Verdict = "staged"         // the range's own commits hold the intermediate versions: each step deploys at its commit
	SplitRequired Verdict = "split_required" // a change must be split into several deploys
	Blocked       Verdict = "blocked"        // a break that no order avoids
)

// Verdicts lists the verdicts from least to most severe.
var Verdicts = []Verdict{Noop, Safe, Ordered, Staged, SplitRequired, Blocked}

// Level is the verdict's position in Verdicts.
func (v Verdict) Level() int {
	for i, x := range Verdicts {
		if x == v {
			return i
		}
	}
	return len(Verdicts)
}

// FailLevel is a --fail-on threshold: a verdict at or above it fails.
type FailLevel struct {
	Never   bool
	Verdict Verdict
}

// ParseFailLevel parses a --fail-on value: a verdict or "never".
func ParseFailLevel(s string) (FailLevel, error) {
	if s == "never" {
		return FailLevel{Never: true}, nil
	}
	for _, v := range Verdicts {
		if string(v) == s {
			return FailLevel{Verdict: v}, nil
		}
	}
	return FailLevel{}, fmt.Errorf("--fail-on %q: use %s", s, FailLevels())
}

// FailLevels is the --fail-on values in words.
func FailLevels() string {
	var names []string
	for _, v := range Verdicts {
		names = append(names, string(v))
	}
	return strings.Join(names, ", ") + " or never"
}

// Fails reports whether verdict v reaches the threshold.
func (f FailLevel) Fails(v Verdict) bool {
	return !f.Never && v.Level() >= f.Verdict.Level()
}

// Plan is a rollout plan for one commit range.
type Plan struct {
	SchemaVersion int            `json:"schema_version"`
	Range         Range          `json:"range"`
	Verdict       Verdict        `json:"verdict"`
	Summary       string         `json:"summary"`   // the verdict in words, and what to do
	Services      []Service      `json:"services"`  // every service, affected or not, sorted by name
	Contracts     []Contract     `json:"contracts"` // contracts with changed keys, sorted by name
	Steps         []Step         `json:"steps"`     // in deploy order; indexes start at 1
	Edges         []Edge         `json:"edges"`     // the ordering constraints between steps, sorted
	Splits        []Split        `json:"splits"`    // changes that must be split across steps
	Rollback      []RollbackStep `json:"rollback"`  // the steps reversed
	Findings      []Finding      `json:"findings"`  // sorted by severity, then place
}

// Range is the commit range the plan is for.
type Range struct {
	Spec    string   `json:"spec"`
	Base    string   `json:"base"` // full hash; "" when the range starts at a root commit
	Head    string   `json:"head"`
	Commits []Commit `json:"commits"` // oldest first, first-parent order
}

// Commit is one commit of the range.
type Commit struct {
	SHA      string   `json:"sha"`
	Subject  string   `json:"subject"`
	Services []string `json:"services"` // services whose deploy this commit changes, sorted
}

// Service is one service and what the range does to it.
type Service struct {
	Name     string       `json:"name"`
	Main     string       `json:"main"`          // import path of the main package; "" for a paths-only service
	Dir      string       `json:"dir,omitempty"` // main package directory
	Status   graph.Status `json:"status"`        // unchanged, changed, added, removed
	Affected bool         `json:"affected"`
	Reasons  []Reason     `json:"reasons"` // why it is affected, sorted
}

// Reason is one changed path that affects a service, and how.
type Reason struct {
	Kind   graph.ReasonKind `json:"kind"` // package, embed, owned, module, go-version, added, removed
	Path   string           `json:"path"`
	Chain  []string         `json:"chain"` // the path, then import paths down to the main package
	Module string           `json:"module,omitempty"`
	From   string           `json:"from,omitempty"`
	To     string           `json:"to,omitempty"`
}

// Contract is a contract with changed elements.
type Contract struct {
	Name  string        `json:"name"`
	Kind  contract.Kind `json:"kind"`  // json or protobuf
	Types []string      `json:"types"` // Go types that carry it, as importpath.Type
	// Request: the types travel only in requests, so the servers that
	// read a key provide it (contract.Contract.Request).
	Request bool     `json:"request,omitempty"`
	Changes []Change `json:"changes"`
}

// ChangeKind is what a range does to an element.
type ChangeKind string

const (
	Added            ChangeKind = "added"             // the element is new
	Removed          ChangeKind = "removed"           // the element is gone
	ProvidersChanged ChangeKind = "providers_changed" // the services that provide it change
	ConsumersChanged ChangeKind = "consumers_changed" // only the services that consume it change
	// For the fields of JSON and protobuf contracts, providers write and
	// consumers read.
	WritersChanged ChangeKind = "writers_changed"
	ReadersChanged ChangeKind = "readers_changed"
)

// Compat says whether a change can break a service still running the old
// code.
type Compat string

const (
	Additive Compat = "additive"
	Breaking Compat = "breaking"
)

// Change is one element whose definition, providers or consumers change.
type Change struct {
	Key       string     `json:"key"`             // the element: JSON name, protobuf field number, method, route
	Field     string     `json:"field,omitempty"` // the wire key, for the fields of JSON and protobuf contracts (= key)
	Name      string     `json:"name,omitempty"`  // protobuf field name
	Change    ChangeKind `json:"change"`
	Compat    Compat     `json:"compat"`
	Rules     []RuleID   `json:"rules"` // rule IDs that apply
	WireType  *SideTypes `json:"wire_type,omitempty"`
	Providers Sides      `json:"providers"`
	Consumers Sides      `json:"consumers"`
	Writers   *Sides     `json:"writers,omitempty"` // fields: the providers
	Readers   *Sides     `json:"readers,omitempty"` // fields: the consumers
	// Element names the element as people read it and as edges' keys and
	// findings name it: Contract.key, a method, a route.
	Element string `json:"element"`
	// Places are where each service's code provides or consumes the
	// element, at each side: the first MaxPlaces of each service, role
	// and side, in file order. They are the evidence behind the roles.
	Places []Place `json:"places,omitempty"`
}

// MaxPlaces is how many places of one service, role and side a change
// lists.
const MaxPlaces = 3

// Place is one place in a service's code that provides or consumes an
// element.
type Place struct {
	Side     string `json:"side"`    // "base" or "head"
	Service  string `json:"service"` // the service whose code it is
	Role     string `json:"role"`    // "provides" or "consumes"
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Func     string `json:"func,omitempty"`     // the enclosing function (go/types full name)
	Via      string `json:"via,omitempty"`      // how, when not a plain selector or literal: "GetName()", "a template"
	Optional bool   `json:"optional,omitempty"` // a consumer that does without the element when it is absent
	// Unproven: counted without knowing that the service runs it (its code
	// does not all type-check, so every function it links counts).
	Unproven bool `json:"unproven,omitempty"`
	// Required: a server's read of a request's key that rejects a request
	// without it.
	Required bool `json:"required,omitempty"`
}

// Sides is a set of services at base and at head.
type Sides struct {
	Base []string `json:"base"`
	Head []string `json:"head"`
}

// SideTypes is a wire type at base and at head ("" when absent).
type SideTypes struct {
	Base string `json:"base"`
	Head string `json:"head"`
}

// Phase is what a step does.
type Phase string

const (
	PhaseDeploy   Phase = "deploy"   // ship the services' changes as they are
	PhaseExpand   Phase = "expand"   // writers start writing new keys and keep the old ones
	PhaseSwitch   Phase = "switch"   // readers move to the new keys
	PhaseContract Phase = "contract" // writers stop writing the old keys
)

// Step is one wave of deploys; its services may deploy in parallel.
type Step struct {
	Index    int      `json:"index"`
	Phase    Phase    `json:"phase"`
	Services []string `json:"services"`
	// Revision is the full SHA of the commit the step's services deploy
	// at: the range's head, or in a staged plan the commit of the range
	// that holds the step's version.
	Revision string   `json:"revision"`
	Commits  []string `json:"commits"` // commits whose changes to these services this step ships
	Reason   string   `json:"reason"`  // one line: why this step is here
	Soak     string   `json:"soak,omitempty"`
}

// Edge is the ordering constraints of one rule between two steps' parts:
// From's part in step FromStep must be running before To's part in step
// ToStep (FromStep < ToStep), for each of the elements Keys.
type Edge struct {
	From     string   `json:"from"`
	FromStep int      `json:"from_step"`
	To       string   `json:"to"`
	ToStep   int      `json:"to_step"`
	Keys     []string `json:"keys"`     // the elements, as people read them (Contract.key, a method, a route): outer ones first, then sorted
	Rule     RuleID   `json:"rule"`     // rule ID
	Critical bool     `json:"critical"` // false when every constraint is tolerant: the order is kept, nothing breaks without it
}

// Split is a commit whose changes must ship in several steps.
type Split struct {
	Commit string      `json:"commit"`
	Reason string      `json:"reason"`
	Steps  []int       `json:"steps"`
	Parts  []SplitPart `json:"parts"`
}

// SplitPart is what one step of a split must contain.
type SplitPart struct {
	Step    int         `json:"step"`
	Service string      `json:"service"`
	Keep    string      `json:"keep,omitempty"` // what this part must keep, e.g. "keep writing `metadata` until step 3"
	Files   []SplitFile `json:"files"`
}

// SplitFile names the hunks of a file that belong to a split part.
type SplitFile struct {
	Path  string   `json:"path"`
	Hunks []string `json:"hunks"`
}

// RollbackStep is one step of the rollback, which runs the steps backwards.
type RollbackStep struct {
	Index    int      `json:"index"`
	Step     int      `json:"step"` // the step it undoes
	Services []string `json:"services"`
	Unsafe   bool     `json:"unsafe"` // rolling this step back alone, with later steps still deployed, breaks a reader
	Reason   string   `json:"reason,omitempty"`
}

// Severity of a finding.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Finding is something the plan wants a person to see.
type Finding struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	// Cause is the message without what is particular to its place (the
	// package, the file): findings with one Code and one Cause are one
	// problem seen in several places, and text and Markdown show them as
	// one line. It is written by whoever writes the message, because only
	// they know which words are the place and which the problem; guessing
	// it from the message (masking paths) would group "undefined: a.X" with
	// "undefined: b.X". "" when nothing in the message is particular to its
	// place: then only identical messages group.
	Cause string `json:"cause,omitempty"`
	// Element is the contract element the finding is about, named as
	// edges name it (Response.metadata, a method, a route); "" for a
	// finding about no one element. Acceptances match it.
	Element string `json:"element,omitempty"`
	// Accepted is set when an acceptance (in the config, or a commit's
	// Deploy-Order-Accept trailer) matches the finding: it stays in the
	// plan, and no longer raises the verdict.
	Accepted *Accepted `json:"accepted,omitempty"`
}
