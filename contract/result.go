package contract

import (
	"fmt"
	"strings"

	"github.com/deployorder/deployorder/graph"
)

// Side indexes the two revisions a range compares.
type Side int

const (
	Base Side = 0 // the range's base
	Head Side = 1 // the range's head
)

// Sides lists base and head, in that order.
var Sides = [2]Side{Base, Head}

func (s Side) String() string {
	if s == Base {
		return "base"
	}
	return "head"
}

// Result is the contract analysis of a range.
type Result struct {
	Contracts []*Contract     // contracts with at least one changed element, or a Go-only change; sorted by name
	Warnings  []graph.Warning // problems that made the analysis partial
	Notes     []graph.Warning // information, such as a request whose path cannot be known
}

// Contract is a set of elements that services provide and consume: the
// wire keys of a struct type (JSON or protobuf), the methods of an RPC
// service, the routes of an HTTP API, the values of an enum, the
// environment variables and flags of a launched program.
type Contract struct {
	ID    string // stable across revisions: the config name, or importpath.Type
	Name  string // for people: the config name, or Type (pkg.Type when two share a name)
	Kind  Kind   // the kind of every element
	Types []string
	// Elements are every element of the contract, sorted by key; Changed
	// marks the ones the range changes.
	Elements []*Element
	// Importers are the services whose packages include a type of the
	// contract, at base and at head.
	Importers [2][]string
	// GoOnlyChange says that the Go declaration changed while the wire
	// stayed the same (for example a Go field renamed with its json tag kept).
	GoOnlyChange bool
	Custom       bool // a type marshals itself (MarshalJSON, UnmarshalJSON): its keys are a guess
	Bound        bool // declared in the config, which named it
	// Outside are the parties outside the repository that the config says
	// provide or consume the contract (external: in deployorder.yaml).
	Outside Parties
	// Request says that a field contract's types travel only in requests:
	// in the parameters of the repository's RPC methods (and inside the
	// messages there), never in a response or anything else the analysis
	// sees. Its readers are the servers, which must understand a key
	// before clients write it (an old server drops what it does not know)
	// and may stop reading it only once clients stop writing it.
	Request bool
}

// Parties are outside parties by role.
type Parties struct {
	Providers, Consumers []string
}

// Element is one element of a contract, with its definition and its
// providers and consumers at base and head.
type Element struct {
	Key  string // stable within the contract: JSON name, protobuf number, full method name, route
	Name string // the Go field (protobuf: field) name, when it differs from Key

	Changed bool      // the definition, the providers or the consumers differ between base and head
	Type    [2]string // definition at base and head (a field's wire type); "" where the element does not exist
	Decl    [2]Pos    // where it is defined, at base and head
	// Providers and Consumers are, per side, the services that provide and
	// consume the element, each with the places in its code that do.
	Providers [2]Roles
	Consumers [2]Roles
	// Nested are the contract types (importpath.Type) inside a field's value.
	Nested []string
	// RenamedFrom names the Go field at base when it differs at head with the
	// same wire key (wire-identical), for the record.
	RenamedFrom string
	// Carries are, for an RPC method, the message types (importpath.Type)
	// that travel in it: its request and response.
	Carries []string
}

// Roles are the services that play a role, each with its places.
type Roles map[string][]Place

// Has reports whether a service plays the role.
func (r Roles) Has(svc string) bool {
	_, ok := r[svc]
	return ok
}

// HasOther reports whether a service other than svc plays the role.
func (r Roles) HasOther(svc string) bool {
	for s := range r {
		if s != svc {
			return true
		}
	}
	return false
}

// Pos is a place in the repository.
type Pos struct {
	File string
	Line int
}

// Place is one place where a service's code provides or consumes an
// element.
type Place struct {
	Pos
	Func string // the enclosing function (types.Func.FullName)
	Via  string // how, when not a plain selector or literal: "GetName()", "a template", "a relay"
	// Guards are the keys of the same contract that the conditions around
	// this place read (if x.New == nil { use x.Old }): a consumer that reads
	// an old key under a guard on its replacement falls back to it.
	Guards []string
	// Optional marks a consumer that does without the element when it is
	// absent (an optional read): it imposes no order.
	Optional bool
	// Required marks a server's read of a request's key that rejects a
	// request without it (Contract.Request): an old client breaks there.
	Required bool
	// Unproven marks a place counted without knowing that the service runs
	// it: the service's code does not all type-check, so its call graph is
	// incomplete and every function it links counts.
	Unproven bool
}

// Exists reports whether the element is defined at a side.
func (e *Element) Exists(s Side) bool { return e.Type[s] != "" }

// Kind is the kind of a contract's elements.
type Kind string

const (
	JSON     Kind = "json"     // JSON keys of a struct type: writers provide, readers consume
	Protobuf Kind = "protobuf" // protobuf fields, by number: writers provide, readers consume
	RPC      Kind = "rpc"      // gRPC and Connect methods, by full name: servers provide, clients consume
	HTTP     Kind = "http"     // HTTP routes, by pattern: servers provide, clients consume
	Enum     Kind = "enum"     // values of an enum type a field carries: consumers that reject unknown values provide (accept), writers consume
	// The process kinds are the contract between a launcher (a service that
	// builds a container spec or runs exec.Command) and the program of the
	// repository it launches; one contract per kind and launched program.
	Env        Kind = "env"        // environment variables, by name: launchers set them (provide), the program reads them (consumes)
	Flag       Kind = "flag"       // command-line flags, by name without dashes: the program defines (accepts) them, launchers pass them
	Annotation Kind = "annotation" // annotation and label keys of the objects a launcher creates: launchers set them, the program reads them
)

// Verbs are the words for what a kind's providers and consumers do.
type Verbs struct {
	Provide, Provides string // "write", "writes"
	Consume, Consumes string // "read", "reads"
	Consumer          string // "reader"
}

// Verbs returns the kind's words.
func (k Kind) Verbs() Verbs {
	switch k {
	case RPC, HTTP:
		return Verbs{"serve", "serves", "call", "calls", "client"}
	case Enum:
		return Verbs{"accept", "accepts", "write", "writes", "writer"}
	case Env, Annotation:
		return Verbs{"set", "sets", "read", "reads", "program"}
	case Flag:
		return Verbs{"accept", "accepts", "pass", "passes", "launcher"}
	default:
		return Verbs{"write", "writes", "read", "reads", "reader"}
	}
}

// Noun is what one element of the kind is called.
func (k Kind) Noun() string {
	switch k {
	case RPC:
		return "method"
	case HTTP:
		return "route"
	case Enum:
		return "value"
	case Env:
		return "variable"
	case Flag:
		return "flag"
	case Annotation:
		return "annotation"
	default:
		return "key"
	}
}

// ElementName is an element as people read it: Contract.key for the fields
// of a struct type ("#N (name)" for a protobuf field), the launched
// program with the variable, flag or annotation ("proxy $PROXY_PORT",
// "proxy --log-level", "proxy annotation example.com/mode"), else its key.
func ElementName(c *Contract, e *Element) string {
	switch c.Kind {
	case Protobuf:
		return fmt.Sprintf("%s.#%s (%s)", c.Name, e.Key, e.Name)
	case JSON:
		return c.Name + "." + e.Key
	case Enum:
		if e.Name != "" {
			return c.Name + "." + e.Name
		}
		return c.Name + "(" + e.Key + ")"
	case Env:
		return ProgramOf(c) + " $" + e.Key
	case Flag:
		if len(e.Key) == 1 {
			return ProgramOf(c) + " -" + e.Key
		}
		return ProgramOf(c) + " --" + e.Key
	case Annotation:
		return ProgramOf(c) + " annotation " + e.Key
	}
	return e.Key
}

// IsProcess reports whether the kind's elements are between a launcher
// and the program it launches.
func (k Kind) IsProcess() bool { return k == Env || k == Flag || k == Annotation }

// ProgramOf is the launched program (a service) of a contract of a
// process kind: its ID is "kind:program".
func ProgramOf(c *Contract) string {
	_, p, _ := strings.Cut(c.ID, ":")
	return p
}

// IsField reports whether the kind's elements are fields of struct types.
func (k Kind) IsField() bool { return k == JSON || k == Protobuf }
