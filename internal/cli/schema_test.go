package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/internal/demo"
	"github.com/deployorder/deployorder/internal/testrepo"
	"github.com/deployorder/deployorder/schema"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestDemoJSONMatchesSchema validates real output, the demo's plans,
// against schema/plan.schema.json.
func TestDemoJSONMatchesSchema(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"demo", "-o", "json"}, testEnv(&stdout, &stderr)); code != ExitOK {
		t.Fatalf("demo -o json exited %d: %s", code, stderr.String())
	}
	var plans []any
	if err := json.Unmarshal(stdout.Bytes(), &plans); err != nil {
		t.Fatalf("demo -o json is not a JSON array: %v", err)
	}
	if len(plans) != len(demo.Cases) {
		t.Fatalf("demo printed %d plans, want one per case, %d", len(plans), len(demo.Cases))
	}
	sch := compileSchema(t)
	for i, p := range plans {
		if err := sch.Validate(p); err != nil {
			t.Errorf("plan %d does not match the schema: %v", i, err)
		}
	}
}

// TestAcceptedFindingsMatchSchema validates a real plan whose findings
// name their elements and are accepted, in the config and in a commit.
func TestAcceptedFindingsMatchSchema(t *testing.T) {
	r := hostileBase(t)
	r.CommitFiles("api writes two more keys web reads", map[string]string{
		"cmd/api/main.go": hostileAPIMain(`, Ghost: "g", Extra: "e"`),
		"api/api.go":      hostileAPI("\tGhost string `json:\"ghost\"`\n\tExtra string `json:\"extra\"`\n"),
		"cmd/web/main.go": hostileWebMain("println(r.ID, r.Name, r.Ghost, r.Extra)"),
	})
	r.CommitFiles("api stops writing them\n\nDeploy-Order-Accept: STOP_CONSUME_BEFORE_STOP_PROVIDE Response.ghost the proxy adds it", map[string]string{
		"cmd/api/main.go":  hostileAPIMain(""),
		"deployorder.yaml": "accept:\n  - {rule: STOP_CONSUME_BEFORE_STOP_PROVIDE, element: \"Response.e*\", reason: web ignores it when empty, expires: 2999-01-01}\n",
	})
	var stdout, stderr bytes.Buffer
	args := []string{"plan", "HEAD", "-C", r.Dir, "-o", "json", "-q", "--offline", "--no-cache"}
	if code := Main(context.Background(), args, testEnv(&stdout, &stderr)); code != ExitOK {
		t.Fatalf("plan exited %d: %s%s", code, stderr.String(), stdout.String())
	}
	var plan map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &plan); err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t).Validate(plan); err != nil {
		t.Errorf("the plan does not match the schema: %v", err)
	}
	p := parsePlan(t, stdout.String())
	var got []string
	for _, f := range p.findings("STOP_CONSUME_BEFORE_STOP_PROVIDE") {
		got = append(got, f.Element+" "+f.Accepted.Where())
	}
	if diff := cmp.Diff([]string{"Response.extra deployorder.yaml:2", "Response.ghost commit " + r.Git("rev-parse", "--short=12", "HEAD")}, got); diff != "" {
		t.Errorf("accepted findings (-want +got):\n%s", diff)
	}
}

// TestSchemaRejectsBrokenPlans makes sure the schema is not vacuous.
func TestSchemaRejectsBrokenPlans(t *testing.T) {
	sch := compileSchema(t)
	withFindings := func(findings string) string {
		return `{"schema_version": 2, "range": {"spec": "x", "base": "", "head": "0000000000000000000000000000000000000000", "commits": []}, "verdict": "safe", "summary": "", "services": [], "contracts": [], "steps": [], "edges": [], "splits": [], "rollback": [], "findings": [` + findings + `]}`
	}
	if v, _ := jsonschema.UnmarshalJSON(strings.NewReader(withFindings(`{"severity": "error", "code": "C", "message": "m", "element": "T.k", "accepted": {"reason": "r", "file": "deployorder.yaml", "line": 2}}`))); sch.Validate(v) != nil {
		t.Fatalf("the schema rejects a valid accepted finding: %v", sch.Validate(v))
	}
	for _, doc := range []string{
		withFindings(`{"severity": "error", "code": "C", "message": "m", "accepted": {"file": "deployorder.yaml", "line": 2}}`),
		withFindings(`{"severity": "error", "code": "C", "message": "m", "accepted": {"reason": "r"}}`),
		withFindings(`{"severity": "error", "code": "C", "message": "m", "accepted": {"reason": "r", "commit": "abc"}}`),
		withFindings(`{"severity": "error", "code": "C", "message": "m", "accepted": {"reason": "r", "file": "f", "line": 1, "expires": "next week"}}`),
		withFindings(`{"severity": "error", "code": "C", "message": "m", "element": ""}`),
		withFindings(`{"severity": "warning", "code": "C", "message": "m", "cause": ""}`),
		`{}`,
		`{"schema_version": 1, "range": {"spec": "x", "base": "", "head": "0000000000000000000000000000000000000000", "commits": []}, "verdict": "safe", "summary": "", "services": [], "contracts": [], "steps": [], "edges": [], "splits": [], "rollback": [], "findings": []}`,
		`{"schema_version": 2, "range": {"spec": "x", "base": "", "head": "0000000000000000000000000000000000000000", "commits": []}, "verdict": "safe", "summary": "", "services": [], "contracts": [], "steps": [], "edges": [{"from": "a", "from_step": 1, "to": "b", "to_step": 2, "key": "T.k", "rule": "R", "critical": true}], "splits": [], "rollback": [], "findings": []}`,
		`{"schema_version": 2, "range": {"spec": "x", "base": "", "head": "abc", "commits": []}, "verdict": "safe", "summary": "", "services": [], "contracts": [], "steps": [], "edges": [], "splits": [], "rollback": [], "findings": []}`,
		`{"schema_version": 2, "range": {"spec": "x", "base": "", "head": "0000000000000000000000000000000000000000", "commits": []}, "verdict": "fine", "summary": "", "services": [], "contracts": [], "steps": [], "edges": [], "splits": [], "rollback": [], "findings": []}`,
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if sch.Validate(v) == nil {
			t.Errorf("schema accepted a broken plan: %s", doc)
		}
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.Plan))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("plan.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestProcessContractsJSONMatchesSchema validates the plan of a range that
// changes the kinds of contract the demo has none of: an operator passes
// its proxy a new flag and sets it a new variable.
func TestProcessContractsJSONMatchesSchema(t *testing.T) {
	r := testrepo.New(t)
	files := map[string]string{
		"go.mod": "module example.com/mesh\n\ngo 1.22\n",
		"internal/corev1/types.go": `package corev1

type EnvVar struct{ Name, Value string }

type Container struct {
	Name, Image   string
	Command, Args []string
	Env           []EnvVar
}
`,
		"cmd/operator/main.go": `package main

import (
	"fmt"

	"example.com/mesh/internal/corev1"
)

func main() {
	fmt.Println(corev1.Container{Name: "proxy", Args: []string{"--mode=fast"}, Env: []corev1.EnvVar{{Name: "PROXY_ID"}}})
}
`,
		"cmd/proxy/main.go": `package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	mode := flag.String("mode", "", "")
	flag.Parse()
	fmt.Println(*mode, os.Getenv("PROXY_ID"))
}
`,
	}
	r.CommitFiles("proxy and operator", files)
	var stdout, stderr bytes.Buffer
	args := []string{"plan", "HEAD", "-C", r.Dir, "-o", "json", "--fail-on", "never", "--no-cache", "-q"}
	if code := Main(context.Background(), args, testEnv(&stdout, &stderr)); code != ExitOK {
		t.Fatalf("plan exited %d: %s", code, stderr.String())
	}
	var plan map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &plan); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, c := range plan["contracts"].([]any) {
		kinds[c.(map[string]any)["kind"].(string)] = true
	}
	if !kinds["env"] || !kinds["flag"] {
		t.Fatalf("the plan has contracts of kinds %v, want env and flag", kinds)
	}
	if err := compileSchema(t).Validate(plan); err != nil {
		t.Errorf("the plan does not match the schema: %v", err)
	}
}
