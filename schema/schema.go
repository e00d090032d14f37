// Package schema holds the JSON Schema of deployorder's JSON output, so
// that tests and users validate against one file.
package schema

import _ "embed"

// Plan is the JSON Schema (draft 2020-12) of `deployorder plan -o json`.
//
//go:embed plan.schema.json
var Plan []byte
