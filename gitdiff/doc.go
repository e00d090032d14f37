// Package gitdiff reads commit ranges from a git repository without a
// checkout.
//
// It resolves a range as git spells it (A..B, A...B, a single revision R,
// any name git accepts for A, B and R), lists the range's commits in
// first-parent order with the files each one changes, diffs the base tree
// against the head tree, and reads any file at any revision from the object
// store. It fills the plain data of package change (Range, Commit, File,
// Hunk), which the later stages read without depending on git. It never
// writes to the repository: no checkout, no index update,
// no ref or config change.
//
// Guarantees:
//   - Range.Base and Range.Head are full commit hashes; Base is "" when the
//     range starts at a root commit (the diff is then against the empty
//     tree).
//   - Range.Commits run oldest first along the head's first-parent chain and
//     stop at the first commit reachable from the base; a merge commit is
//     diffed against its first parent.
//   - Every change.File path is slash-separated and relative to the
//     repository root; a rename names both paths. Renames are exact (same
//     content), so the cost stays linear in the number of changed files.
//   - Diff computes the range's files, each commit's files and the hunks of
//     the modified Go files once; nothing later reads a blob again to diff.
//   - Errors that a user can fix (unknown revision, shallow clone, empty or
//     reversed range, not a repository) are *Error values whose message says
//     what to do.
package gitdiff
