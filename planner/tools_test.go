package planner

import (
	"strings"
	"testing"
)

// A tool program that links a service's packages writes and reads what the
// service does; without a config, a plan it changes says what the plan is
// without it.
func TestToolPrograms(t *testing.T) {
	// api and the docs tool both write and read the new key, a generator
	// only writes it: a split (each of api and docs must write it before
	// the other reads it).
	r := res(el{key: "mode", base: "-", head: "p: api docs gen; c: api docs"}, el{key: "id", base: "", head: ""})
	tools := []Proposed{{Service: "docs", Glob: "tools/**", Why: "tools"}, {Service: "gen", Glob: "hack/**", Why: "tools"}}
	for _, tc := range []struct {
		name     string
		proposed []Proposed
		services []string
		want     string // the finding's message, "" for none
	}{
		{"no config", tools, []string{"api", "docs", "gen"},
			"there is no deployorder.yaml, and docs and gen look like test or tool programs, which nobody deploys; they link the services' packages, so they write and read what the services do. Without them the plan would be: Safe: deploy 1 service in any order. `deployorder init` writes a config that excludes hack/** and tools/**: review it and commit it"},
		{"a config", nil, []string{"api", "docs", "gen"}, ""},
		{"the tools are not in the plan", []Proposed{{Service: "other", Glob: "hack/**"}}, []string{"api", "docs", "gen"}, ""},
		{"without gen alone the plan is safe", tools[1:], []string{"api", "docs", "gen"},
			"there is no deployorder.yaml, and gen looks like test or tool programs, which nobody deploys; they link the services' packages, so they write and read what the services do. Without them the plan would be: Safe: deploy 2 services in any order. `deployorder init` writes a config that excludes hack/**: review it and commit it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := input(tc.services, r)
			in.Proposed = tc.proposed
			p := build(t, in)
			if p.Verdict != SplitRequired {
				t.Fatalf("verdict = %s, want split_required: a finding never changes it", p.Verdict)
			}
			got := ""
			for _, f := range p.Findings {
				if f.Code == "TOOL_PROGRAMS" {
					if f.Severity != Warning {
						t.Errorf("severity = %s, want warning", f.Severity)
					}
					got = f.Message
				}
			}
			if got != tc.want {
				t.Errorf("TOOL_PROGRAMS = %q\nwant %q", got, tc.want)
			}
			// The input the what-if used is a copy: the plan's contracts
			// still name the tool.
			if !strings.Contains(strings.Join(p.Contracts[0].Changes[0].Providers.Head, " "), "gen") {
				t.Errorf("the plan lost the tool's roles: %v", p.Contracts[0].Changes[0].Providers)
			}
		})
	}
	// Many tool programs: the message counts them and names the ones the
	// order involves.
	many := append([]Proposed{}, tools...)
	for _, t := range []string{"t1", "t2", "t3"} {
		many = append(many, Proposed{Service: t, Glob: "tests/**", Why: "tests"})
	}
	in := input([]string{"api", "docs", "gen", "t1", "t2", "t3"}, r)
	in.Proposed = many
	got := ""
	for _, f := range build(t, in).Findings {
		if f.Code == "TOOL_PROGRAMS" {
			got = f.Message
		}
	}
	if want := "there is no deployorder.yaml, and 5 of the services this plan deploys (docs and gen among them, which it orders) look like test or tool programs, which nobody deploys; they link the services' packages, so they write and read what the services do. Without them the plan would be: Safe: deploy 1 service in any order. `deployorder init` writes a config that excludes hack/**, tests/** and tools/**: review it and commit it"; got != want {
		t.Errorf("TOOL_PROGRAMS = %q\nwant %q", got, want)
	}

	// A split between two services that a tool takes no part in stays
	// the same without it: no finding.
	in = input([]string{"api", "web", "gen"}, res(
		el{key: "metadata", base: "p: api; c: web", head: "-"},
		el{key: "metadata_v2", base: "-", head: "p: api; c: web"},
	))
	in.Proposed = tools
	p := build(t, in)
	if p.Verdict != SplitRequired {
		t.Fatalf("rename: verdict = %s, want split_required", p.Verdict)
	}
	for _, f := range p.Findings {
		if f.Code == "TOOL_PROGRAMS" {
			t.Errorf("a tool that changes nothing got %q", f.Message)
		}
	}
}
