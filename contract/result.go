package contract

import "github.com/deployorder/deployorder/graph"

// Side indexes base and head.
const (
	Base = 0
	Head = 1
)

// Result is the contract analysis of a range.
type Result struct {
	Contracts []*Contract     // contracts with at least one changed key, sorted by name
	Warnings  []graph.Warning // problems that made the analysis partial
	Checked   [2]int          // packages type-checked with bodies at base and head
	Skipped   string          // why no package was type-checked, when none was
}

// Contract is one wire contract and its changed keys.
type Contract struct {
	ID    string // stable across revisions: the config name, or importpath.Type
	Name  string // for people: the config name, or pkg.Type
	Kind  Kind
	Types []string // Go types that carry it
	Keys  []*Key   // every key, sorted; Changed marks the ones the range changes
	// Importers are the services whose packages include a type of the
	// contract, at base and at head.
	Importers [2][]string
	// Layout says whether the Go declaration changed while the wire stayed
	// the same (for example a Go field renamed with its json tag kept).
	GoOnlyChange bool
	Custom       bool // a type marshals itself: the keys are a guess
	Bound        bool // declared in the config, which named it
}

// Key is one wire key of a contract, with its definition and its writers
// and readers at base and head.
type Key struct {
	Changed bool      // the definition, the writers or the readers differ between base and head
	Wire    string    // JSON name or protobuf number
	Name    string    // Go field name, or protobuf field name
	Type    [2]string // wire type at base and head; "" where the key does not exist
	Decl    [2]Pos    // field declarations
	Writers [2]map[string][]Access
	Readers [2]map[string][]Access
	// Nested are the contract types (importpath.Type) inside the key's value.
	Nested []string
	// Renamed names the Go field at base when it differs at head with the
	// same wire key (wire-identical), for the record.
	RenamedFrom string
}

// Pos is a place in the repository.
type Pos struct {
	File string
	Line int
}

// Access is one place where a service's code writes or reads a key.
type Access struct {
	Pos
	Func string // enclosing function
	Via  string // how, when not a plain selector or literal
}

// Exists reports whether the key is on the wire at a side.
func (k *Key) Exists(side int) bool { return k.Type[side] != "" }
