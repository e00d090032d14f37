package planner

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/contract"
	"github.com/google/go-cmp/cmp"
)

var (
	commitSHA = strings.Repeat("c", 40)
	day       = func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
)

// inConfig is an acceptance at line 7 of deployorder.yaml.
func inConfig(rule RuleID, element, expires string) Acceptance {
	a := Acceptance{Rule: rule, Element: element, Reason: "config reason", File: "deployorder.yaml", Line: 7}
	if expires != "" {
		a.Expires = day(expires)
	}
	return a
}

func TestAcceptances(t *testing.T) {
	rules := "KEY_REUSED, OUTSIDE_CONSUMER, TOLERANT_CONSUMER, PROVIDE_BEFORE_CONSUME or STOP_CONSUME_BEFORE_STOP_PROVIDE" // in the registry's order
	tests := []struct {
		name     string
		config   []Acceptance
		trailers []change.Trailer
		want     []Acceptance
		wantErr  string
	}{
		{name: "the config's, then the commit's trailers",
			config: []Acceptance{inConfig(StopConsumeBeforeStopProvide, "T.*", "2026-12-31")},
			trailers: []change.Trailer{
				{Key: "Signed-off-by", Value: "Dev"},
				{Key: "deploy-order-accept", Value: "OUTSIDE_CONSUMER  T.ghost  billing   is behind a flag"},
			},
			want: []Acceptance{
				inConfig(StopConsumeBeforeStopProvide, "T.*", "2026-12-31"),
				{Rule: OutsideConsumer, Element: "T.ghost", Reason: "billing is behind a flag", Commit: commitSHA},
			}},
		{name: "unknown rule in the config",
			config:  []Acceptance{inConfig("STOP_CONSUME", "T.x", "")},
			wantErr: `deployorder.yaml:7: accept: unknown rule "STOP_CONSUME"; accept ` + rules + " (deployorder rules lists every rule)"},
		{name: "unknown rule in a trailer",
			trailers: []change.Trailer{{Key: TrailerKey, Value: "NO_SUCH_RULE T.x because"}},
			wantErr:  `commit cccccccccccc: Deploy-Order-Accept: unknown rule "NO_SUCH_RULE"; accept ` + rules + " (deployorder rules lists every rule)"},
		{name: "a rule whose findings name no element",
			config:  []Acceptance{inConfig(UnsplittableCycle, "*", "")},
			wantErr: "deployorder.yaml:7: accept: rule UNSPLITTABLE_CYCLE raises no finding about one element, so nothing can accept it; accept " + rules},
		{name: "a trailer's glob that does not parse",
			trailers: []change.Trailer{{Key: TrailerKey, Value: "TOLERANT_CONSUMER T.[x fine"}},
			wantErr:  `commit cccccccccccc: Deploy-Order-Accept: bad element glob "T.[x" (unbalanced [ ] or { }, or a trailing \); reword the commit message (git rebase -i)`},
		{name: "a trailer without a reason",
			trailers: []change.Trailer{{Key: TrailerKey, Value: "TOLERANT_CONSUMER T.x"}},
			wantErr:  `commit cccccccccccc: Deploy-Order-Accept "TOLERANT_CONSUMER T.x" needs a rule, an element and a reason, e.g. Deploy-Order-Accept: STOP_CONSUME_BEFORE_STOP_PROVIDE Response.metadata billing reads a cached copy until v2; reword the commit message (git rebase -i)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Acceptances(tt.config, []change.Commit{{SHA: commitSHA, Trailers: tt.trailers}})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v\nwant %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("acceptances (-want +got):\n%s", diff)
			}
		})
	}
}

// acceptedStrings shows findings as findingStrings does, with " (accepted
// at WHERE: REASON)" for an accepted one.
func acceptedStrings(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		s := findingStrings([]Finding{f})[0]
		if f.Accepted != nil {
			s += fmt.Sprintf(" (accepted at %s: %s)", f.Accepted.Where(), f.Accepted.Reason)
		}
		out = append(out, s)
	}
	return out
}

func TestBuildAccepts(t *testing.T) {
	ghost := "error STOP_CONSUME_BEFORE_STOP_PROVIDE T.ghost: a still reads T.ghost at head, but w stops writing it and no service writes it at head; stop reading it first, in an earlier change"
	trailer := func(v string) Acceptance {
		a, err := parseTrailer(commitSHA, v)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name     string
		accept   []Acceptance
		today    string
		verdict  Verdict
		summary  string
		findings []string
		wantErr  string
	}{
		{name: "without an acceptance the break blocks the plan",
			verdict: Blocked, summary: "Blocked: 1 break that no deploy order avoids; fix the code first",
			findings: []string{ghost}},
		{name: "an accepted error stays, marked, and no longer blocks",
			accept:  []Acceptance{inConfig(StopConsumeBeforeStopProvide, "T.ghost", "")},
			verdict: Safe, summary: "Safe: deploy 2 services in any order; 1 break accepted",
			findings: []string{ghost + " (accepted at deployorder.yaml:7: config reason)"}},
		{name: "a glob matches the element",
			accept:   []Acceptance{inConfig(StopConsumeBeforeStopProvide, "T.*", "")},
			verdict:  Safe,
			findings: []string{ghost + " (accepted at deployorder.yaml:7: config reason)"}},
		{name: "an acceptance of another rule accepts nothing",
			accept:   []Acceptance{inConfig(TolerantConsumer, "T.ghost", "")},
			verdict:  Blocked,
			findings: []string{ghost}},
		{name: "it still applies on the day it expires",
			accept: []Acceptance{inConfig(StopConsumeBeforeStopProvide, "T.ghost", "2026-03-01")}, today: "2026-03-01",
			verdict:  Safe,
			findings: []string{ghost + " (accepted at deployorder.yaml:7: config reason)"}},
		{name: "expired: the break blocks again, and a warning says why",
			accept: []Acceptance{inConfig(StopConsumeBeforeStopProvide, "T.*", "2026-03-01")}, today: "2026-03-02",
			verdict: Blocked, summary: "Blocked: 1 break that no deploy order avoids; fix the code first",
			findings: []string{ghost,
				"warning ACCEPTANCE_EXPIRED the acceptance of STOP_CONSUME_BEFORE_STOP_PROVIDE for T.* expired on 2026-03-01, so 1 finding counts again; fix the break, or renew the acceptance with a later expires"}},
		{name: "an expired acceptance that matches nothing says nothing",
			accept: []Acceptance{inConfig(StopConsumeBeforeStopProvide, "T.other", "2026-03-01")}, today: "2026-03-02",
			verdict:  Blocked,
			findings: []string{ghost}},
		{name: "a commit's acceptance wins over the config's",
			accept:   []Acceptance{inConfig(StopConsumeBeforeStopProvide, "T.*", ""), trailer("STOP_CONSUME_BEFORE_STOP_PROVIDE T.ghost the flag is off")},
			verdict:  Safe,
			findings: []string{ghost + " (accepted at commit cccccccccccc: the flag is off)"}},
		{name: "a config acceptance that matches nothing is fine",
			accept:   []Acceptance{inConfig(TolerantConsumer, "Other.*", "")},
			verdict:  Blocked,
			findings: []string{ghost}},
		{name: "a commit's acceptance that matches nothing is an error",
			accept:  []Acceptance{trailer("STOP_CONSUME_BEFORE_STOP_PROVIDE T.gost typo")},
			wantErr: "commit cccccccccccc: Deploy-Order-Accept STOP_CONSUME_BEFORE_STOP_PROVIDE T.gost accepts nothing: this range's STOP_CONSUME_BEFORE_STOP_PROVIDE findings are about T.ghost; fix the element, or drop the trailer (git rebase -i)"},
		{name: "a commit's acceptance of a rule with no finding is an error",
			accept:  []Acceptance{trailer("OUTSIDE_CONSUMER T.ghost the app is gone")},
			wantErr: "commit cccccccccccc: Deploy-Order-Accept OUTSIDE_CONSUMER T.ghost accepts nothing: this range has no OUTSIDE_CONSUMER finding; fix the element, or drop the trailer (git rebase -i)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input([]string{"a", "w"}, res(el{key: "ghost", base: "p: w; c: a", head: "c: a"}))
			in.Accept = tt.accept
			if tt.today != "" {
				in.Today = day(tt.today)
			}
			p, err := Build(in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v\nwant %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Verdict != tt.verdict {
				t.Errorf("verdict = %s, want %s", p.Verdict, tt.verdict)
			}
			if tt.summary != "" && p.Summary != tt.summary {
				t.Errorf("summary = %q\nwant %q", p.Summary, tt.summary)
			}
			if diff := cmp.Diff(tt.findings, acceptedStrings(p.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAcceptProvideBeforeConsume: two services that each start writing and
// reading a capability (client and server in one package) need a split;
// accepting that the readers do without it orders nothing between them
// (any order has a reader meet an old writer) and makes no split. An
// expired acceptance splits again.
func TestAcceptProvideBeforeConsume(t *testing.T) {
	const found = "info PROVIDE_BEFORE_CONSUME T.#1 (caps): a and b start reading T.#1 (caps) while services that do not write it yet may run: the team accepts that they do without it, so the order it asks for is not critical and forces no split"
	tests := []struct {
		name     string
		accept   []Acceptance
		verdict  Verdict
		findings []string
	}{
		{name: "not accepted: a split", verdict: SplitRequired},
		{name: "accepted: no split", accept: []Acceptance{inConfig(ProvideBeforeConsume, "T.#1*", "")}, verdict: Safe,
			findings: []string{found + " (accepted at deployorder.yaml:7: config reason)"}},
		{name: "expired: a split again", accept: []Acceptance{inConfig(ProvideBeforeConsume, "T.*", "2026-03-01")}, verdict: SplitRequired,
			findings: []string{"warning ACCEPTANCE_EXPIRED the acceptance of PROVIDE_BEFORE_CONSUME for T.* expired on 2026-03-01, so 1 finding counts again; fix the break, or renew the acceptance with a later expires",
				found}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input([]string{"a", "b"}, res(el{kind: contract.Protobuf, key: "1", name: "caps", base: "-", head: "p: a b; c: a b"}, el{kind: contract.Protobuf, key: "2", name: "id", base: "", head: ""}))
			in.Accept, in.Today = tt.accept, day("2026-03-02")
			p, err := Build(in)
			if err != nil {
				t.Fatal(err)
			}
			if p.Verdict != tt.verdict {
				t.Errorf("verdict = %s, want %s", p.Verdict, tt.verdict)
			}
			var got []string
			for _, f := range acceptedStrings(p.Findings) {
				if strings.Contains(f, "PROVIDE_BEFORE_CONSUME") {
					got = append(got, f)
				}
			}
			if diff := cmp.Diff(tt.findings, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}
