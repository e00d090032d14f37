// Package contract finds the wire contracts between a monorepo's services
// and works out, field by field, which service writes and which reads each
// wire key, at the base and at the head of a commit range.
//
// A contract is a Go struct type whose values cross a service boundary as
// JSON or protobuf: by default a struct with json: or protobuf: tags,
// declared in a non-main package that two or more services import; the
// config can add types, exclude types, and bind several Go types (copies of
// one wire format) into one contract. Its keys are what goes on the wire:
// encoding/json's names (tags, untagged Go names, embedded structs
// flattened, "-" dropped) or protobuf field numbers.
//
// Roles follow the code, not the client/server label: a service writes a
// key when its code sets the field (keyed or unkeyed composite literals,
// assignments, op-assignments, taking the field's address, setter methods),
// and reads it when its code uses the field's value (selectors in value
// context, getters such as protobuf's GetX, range and index). A value handed
// whole to reflection — re-encoded after being decoded (a relay), executed
// by html/template or text/template, printed by fmt or log — reads (and for
// a relay, writes) every key the reflection can see.
//
// Other kinds of contract are found by extractors and become roles the same
// way: RPC methods, HTTP routes, enum values, and the contracts between a
// launcher and the program of the repository it launches (process.go): the
// environment variables the launcher sets in a container spec or an
// exec.Cmd and the program reads (required, or optional), the command-line
// flags the program defines and the launcher passes, and the annotations
// and labels the launcher writes on the object and the program reads back.
//
// Identity across revisions is by stable keys (importpath.Type, Go field
// name, wire key), never by go/types objects: base and head are type-checked
// as separate universes. Only the packages that can touch a contract that
// the range may change are type-checked, from source, with function bodies
// only where accesses are recorded.
package contract
