// Package access is the go/types analysis under the contract package: it
// type-checks packages from source on demand (Universe), records where a
// package's code reads or writes the fields of tracked struct types (Walk,
// with method and decoder summaries carried from package to package), and
// tells which functions a service can run (CallGraph).
//
// Identity is by stable names, never by go/types objects: a field is a
// FieldRef (importpath.Type and Go field name), a function its
// types.Func.FullName, so that two universes (the base and the head of a
// range) can be compared.
//
// Guarantees:
//   - Packages without source become empty fakes: the code that uses them
//     still type-checks in part, and its other accesses are still seen.
//   - Dependencies are checked without function bodies (their bodies are
//     blanked before parsing, positions kept); only targets record types.Info.
//   - Of a dependency, only the declarations that the targets can reach by
//     name are checked (Prepare); a dependency nothing names is not read.
//     What the targets see of it (the types of what they use, with all
//     their fields and methods) is the same as if it were checked whole.
//   - A Walk records every access at its file and line, inside the function
//     that makes it; accesses in methods of tracked types are attributed
//     where the methods are called.
package access
