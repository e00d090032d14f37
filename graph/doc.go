// Package graph maps a Go monorepo's files to packages and its packages to
// the services (main packages) that ship them, and says which services a
// commit range affects and why.
//
// Load reads the packages at one revision with golang.org/x/tools/go/packages
// in its cheapest mode (names, files, imports, deps, embed files, modules;
// no types), in one load for a single module or a go.work workspace, or one
// load per module for nested modules without a workspace. go list runs with
// an environment that is safe for untrusted code: GOTOOLCHAIN=local, GOFLAGS
// cleared, GOPACKAGESDRIVER=off, cgo disabled.
//
// Guarantees:
//   - A package that fails to load is still mapped by its files, and the
//     failure is a Warning; one broken package never aborts a plan. When go
//     list cannot run at all, packages are read from source headers instead
//     (go/build), again with a Warning.
//   - Workspace.Imports is a gonum directed graph with an edge from each
//     package to each package it imports (in the repo or not).
//   - Every affected service carries Reasons, each naming the changed path
//     and the chain file -> package -> ... -> main package that links them.
//   - Results are sorted; the same inputs give the same output.
package graph
