// Package golden defines the -update flag that rewrites expected output
// kept in files. Every test package imports it, so that
// `go test ./... -update` is understood by all of them.
package golden

import "flag"

// Update is true when tests should rewrite their expected output.
var Update = flag.Bool("update", false, "rewrite golden files and expected output instead of comparing")
