package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/schema"
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
	if len(plans) != 2 {
		t.Fatalf("demo printed %d plans, want 2", len(plans))
	}
	sch := compileSchema(t)
	for i, p := range plans {
		if err := sch.Validate(p); err != nil {
			t.Errorf("plan %d does not match the schema: %v", i, err)
		}
	}
}

// TestSchemaRejectsBrokenPlans makes sure the schema is not vacuous.
func TestSchemaRejectsBrokenPlans(t *testing.T) {
	sch := compileSchema(t)
	for _, doc := range []string{
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
