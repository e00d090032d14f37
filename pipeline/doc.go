// Package pipeline wires deployorder's stages into one call: Plan reads a
// commit range with gitdiff, loads the head's packages and reads the base
// with graph, maps the range to services, analyses the contracts, and
// builds the plan with planner.
//
// Data flows one way: each stage runs once and hands a value to the next.
// gitdiff resolves the range and computes its files and hunks once; graph
// reads the head (Workspace) and the base (Base) once, and maps files and
// commits to services (Impact); contract analyses both sides and returns
// elements with their providers and consumers; planner.Build is a pure
// function of those values. The command line only parses flags and prints.
//
// The pipeline never changes the repository: it reads git objects and the
// worktree, and writes only its plan cache (under the user cache dir) and,
// when HEAD is not the range's head or the worktree differs from it, a
// temporary export of the head commit that it removes.
package pipeline
