// Package change is the data of a commit range: its commits, the files
// they change and the changed lines (hunks) of those files.
//
// It is plain data with no dependency on git: gitdiff fills it from a
// repository, and every later stage (graph, contract, planner) reads it.
//
// Guarantees:
//   - Range.Base and Range.Head are full commit hashes; Base is "" when the
//     range starts at a root commit (the diff is then against the empty
//     tree).
//   - Range.Commits run oldest first along the head's first-parent chain.
//   - Every File path is slash-separated and relative to the repository
//     root; a rename names both paths.
//   - Range.Hunks holds the hunks of every modified Go file that is not too
//     large to parse, computed once.
package change
