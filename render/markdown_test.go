package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/internal/golden"

	"github.com/deployorder/deployorder/planner"
)

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, "testdata/"+name, got)
}

func render(t *testing.T, r Renderer, p *planner.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.Render(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMarkdownGolden(t *testing.T) {
	for _, tt := range []struct {
		file string
		plan *planner.Plan
	}{
		{"split.md", splitPlan()},
		{"clean.md", cleanPlan()},
	} {
		t.Run(tt.file, func(t *testing.T) {
			got := render(t, Markdown{}, tt.plan)
			checkGolden(t, tt.file, got)
			lines := strings.SplitN(got, "\n", 3)
			if lines[0] != Marker {
				t.Errorf("first line = %q, want the marker %q", lines[0], Marker)
			}
			if want := "**" + tt.plan.Summary + "**"; lines[1] != want {
				t.Errorf("second line = %q, want the summary in bold %q", lines[1], want)
			}
		})
	}
}

func TestMarkdownSections(t *testing.T) {
	got := render(t, Markdown{}, splitPlan())
	for _, want := range []string{
		"| 3 | contract (after 1d soak) | metadata |",
		"```mermaid\nflowchart LR\n",
		"- step 1, **metadata**: start writing the new keys and keep writing `metadata` until step 3",
		"  - `cmd/metadata/main.go` `@@ -14,0 +15,9 @@` `@@ -29 +38 @@`",
		"| 3 | 1 | metadata | **unsafe**: rolling back step 1 while step 2 runs breaks billing",
		"| 1 | 3 | metadata | safe |",
		"- **warning** `UNKEYED_READ` `cmd/frontend/main.go:31`: frontend decodes",
		"<details><summary>Why each service is affected</summary>",
		"  - package: `api/metadata/metadata.go` → `example.com/shop/api/metadata` → `example.com/shop/cmd/billing`",
		"<details><summary>Contract changes</summary>",
		"| `metadata` | removed | breaking | STOP_CONSUME_BEFORE_STOP_PROVIDE | object → (none) | metadata → (none) | billing, frontend → (none) |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the Markdown lacks %q", want)
		}
	}
	if strings.Contains(got, "Left out") {
		t.Error("a small plan had details left out")
	}
}

// bigPlan is the split plan with many services, each with long chains, and
// many findings and contract changes: far more than one comment holds. The
// comment shows only maxShown notes, so each note is long, the longer the
// more services.
func bigPlan(services int) *planner.Plan {
	p := splitPlan()
	var names []string
	for i := range services {
		name := fmt.Sprintf("service-%04d", i)
		names = append(names, name)
		var chain []string
		for k := range 20 {
			chain = append(chain, fmt.Sprintf("example.com/shop/internal/layer%02d/pkg%04d", k, i))
		}
		p.Services = append(p.Services, planner.Service{Name: name, Status: "changed", Affected: true,
			Reasons: []planner.Reason{{Kind: "package", Path: "lib/x.go", Chain: chain}}})
		p.Findings = append(p.Findings, planner.Finding{Severity: planner.Info, Code: "NOTE", Message: fmt.Sprintf("%04d %s", i, strings.Repeat("n", 40*services))})
		p.Contracts[0].Changes = append(p.Contracts[0].Changes, planner.Change{Key: fmt.Sprintf("k%d", i), Change: "added", Compat: "additive",
			Providers: planner.Sides{Head: []string{name}}, Consumers: planner.Sides{Head: []string{"billing"}}})
	}
	p.Steps[1].Services = append(p.Steps[1].Services, names...)
	return p
}

func TestMarkdownTrimsToLimit(t *testing.T) {
	tests := []struct {
		name     string
		plan     *planner.Plan
		limit    int
		omitted  []string // in the note, in order
		keeps    []string
		notKeeps []string
	}{
		{
			name: "drops chains first", plan: bigPlan(60), limit: 0,
			omitted:  []string{"why each service is affected"},
			keeps:    []string{"<details><summary>Contract changes</summary>", "```mermaid"},
			notKeeps: []string{"<details><summary>Why each service is affected</summary>"},
		},
		{
			name: "then contracts and findings", plan: bigPlan(400), limit: 0,
			omitted:  []string{"the graph (", "why each service is affected", "the contract changes", "the info findings"},
			keeps:    []string{"### Rollback", "### Splits", "| 2 | switch | billing, frontend, service-0000"},
			notKeeps: []string{"Contract changes", "```mermaid", "Notes ("},
		},
		{
			name: "down to the steps", plan: bigPlan(400), limit: 2000,
			omitted: []string{"the graph (", "why each service is affected", "the contract changes", "the info findings", "the findings", "the files and hunks of each split part", "the rollback order", "the full service list of each step"},
			keeps:   []string{"| 2 | switch | billing, frontend, service-0000, service-0001, service-0002, service-0003, service-0004, service-0005, service-0006, service-0007 and 392 more |"},
		},
		{
			name: "even fewer steps", plan: bigPlan(400), limit: 1200,
			keeps: []string{"| 1 | expand | metadata |", "not shown |"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit := tt.limit
			if limit == 0 {
				limit = MaxComment
			}
			full := markdownWith(tt.plan, mdOptions{chains: true, contracts: true, info: true, findings: true, graph: true, hunks: true, rollback: true, parts: true, maxSteps: -1})
			if len(full) <= limit {
				t.Fatalf("the untrimmed plan is %d bytes, within the limit %d: the test proves nothing", len(full), limit)
			}
			got := render(t, Markdown{Limit: tt.limit}, tt.plan)
			if len(got) > limit {
				t.Errorf("the Markdown is %d bytes, over the limit %d", len(got), limit)
			}
			if !strings.HasPrefix(got, Marker+"\n**"+tt.plan.Summary+"**\n") {
				t.Errorf("the Markdown does not start with the marker and the summary:\n%.300s", got)
			}
			note := got[strings.LastIndex(got, "_Left out to fit in one comment: "):]
			if !strings.Contains(note, "Run `deployorder plan main~1..main` or `-o json` for the whole plan.") {
				t.Errorf("the note says nothing of where to find the whole plan: %q", note)
			}
			at := 0
			for _, o := range tt.omitted {
				i := strings.Index(note[at:], o)
				if i < 0 {
					t.Errorf("the note does not list %q (after position %d): %q", o, at, note)
					continue
				}
				at += i + len(o)
			}
			for _, k := range tt.keeps {
				if !strings.Contains(got, k) {
					t.Errorf("the trimmed Markdown lacks %q", k)
				}
			}
			for _, k := range tt.notKeeps {
				if strings.Contains(got, k) {
					t.Errorf("the trimmed Markdown still has %q", k)
				}
			}
		})
	}
}

func TestMarkdownEscapes(t *testing.T) {
	p := cleanPlan()
	p.Steps[0].Reason = "a | b <script> @octocat"
	got := render(t, Markdown{}, p)
	if !strings.Contains(got, `a \| b &lt;script&gt; @`+"\u200b"+`octocat`) {
		t.Errorf("the reason is not escaped:\n%s", got)
	}
}

func TestFormats(t *testing.T) {
	for _, f := range Formats {
		if _, err := For(f); err != nil {
			t.Errorf("For(%q): %v", f, err)
		}
	}
	if _, err := For("yaml"); err == nil || !strings.Contains(err.Error(), "text, json, markdown, mermaid or github") {
		t.Errorf("For(yaml) = %v, want an error listing the formats", err)
	}
}
