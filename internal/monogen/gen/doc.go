// Package gen writes synthetic Go monorepos for benchmarking and testing
// deployorder: a real git repository with libraries, wire contracts,
// services and a history of ordinary and contract-changing commits.
//
// The module is example.com/mono with no dependencies outside the standard
// library. Libraries under lib/ form a layered DAG (imports go only to
// lower layers; a few core packages are imported by many, most by few).
// Contract packages under api/ declare JSON-tagged struct types with
// nested struct and slice fields; each type has one or two writer services
// (a keyed composite literal, then json.Marshal or an Encoder) and two to
// four reader services (Unmarshal or a Decoder, then field selectors).
// Services live in services/<name>/ with main.go, Dockerfile and
// config.yaml.
//
// History: a root commit tagged base, then two branches of Config.Commits
// first-parent commits each. plain mixes library and service edits,
// Dockerfile/config and docs edits, --no-ff merges of short side branches,
// file renames, and added and deleted packages; it never changes a file
// under api/ nor a line that writes or reads a contract field. contracts
// has the same mix plus about 5% contract changes (add, rename, remove,
// int -> string), each with its writers and readers in the same commit, at
// least three of them among the last 100 first-parent commits. main points
// at plain, and HEAD is plain, checked out.
//
// Guarantees: every commit builds and vets (libraries only change function
// bodies; side branches of a merge touch disjoint directories), and the
// same Config gives the same commit hashes: the whole history is written
// as one git fast-import stream with fixed authors and dates.
package gen
