package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/deployorder/deployorder/contract"
)

// Rule is one entry of the rules registry: what deployorder checks about a
// wire key, comparing base with head.
type Rule struct {
	ID       string
	Severity Severity // of the findings the rule raises
	Purpose  string
	Check    func(*checker, *keyChange) // nil for rules the scheduler applies
}

// Rules is the registry, in the order the rules apply.
var Rules = []Rule{
	{ID: "WRITE_BEFORE_READ", Severity: Error, Check: checkWriteBeforeRead,
		Purpose: "A key that a service starts reading must be written first: every service that starts writing it deploys strictly before that reader. If nobody writes it at head, the plan is blocked."},
	{ID: "STOP_READ_BEFORE_STOP_WRITE", Severity: Error, Check: checkStopReadBeforeStopWrite,
		Purpose: "A key that writers stop writing must first stop being read: readers that stop reading deploy strictly before the writers that stop. A service that still reads it at head while nobody writes it blocks the plan."},
	{ID: "WIRE_KEY_CHANGED", Severity: Info, Check: checkWireKeyChanged,
		Purpose: "Changing an existing field's wire key (json tag renamed, untagged Go field renamed, protobuf number changed) or its wire type incompatibly (number -> string, scalar -> list) is a removal plus an addition, on both sides at once."},
	{ID: "SPLIT_CYCLE", Severity: Info,
		Purpose: "Constraints that form a cycle are split: the writer's change becomes an expand step (write both old and new), the readers switch in a later step, and the writer's removal becomes a contract step."},
	{ID: "TOLERANT_READER", Severity: Warning,
		Purpose: "A reader that at head reads both the new key and the old one (a fallback) keeps the writer-first order but makes it non-critical: it forces no split, and rolling the writer back stays safe."},
	{ID: "WIRE_IDENTICAL", Severity: Info,
		Purpose: "Changes that leave the wire the same are not breaking: pointer <-> value, a Go field renamed with its json tag kept, a protobuf field renamed with its number kept, a type replaced by an identical one, regenerated code."},
	{ID: "REBUILD_ONLY", Severity: Info,
		Purpose: "A service that uses a changed contract but neither writes nor reads a changed key only rebuilds: it is affected, with no ordering constraint."},
}

// keyChange is one changed wire key with its role sets.
type keyChange struct {
	c       *contract.Contract
	k       *contract.Key
	name    string // display: Contract.key
	writers [2]map[string][]contract.Access
	readers [2]map[string][]contract.Access
	rules   map[string]bool
	nested  bool // the key's contract sits inside another changed key's value
}

// checker collects what the rules say.
type checker struct {
	deployable  map[string]bool
	constraints []Constraint
	findings    []Finding
	keys        []*keyChange
}

func (ch *checker) finding(rule string, sev Severity, pos contract.Pos, format string, args ...any) {
	ch.findings = append(ch.findings, Finding{Severity: sev, Code: rule, File: pos.File, Line: pos.Line, Message: fmt.Sprintf(format, args...)})
}

// checkContracts applies the rules to every changed key.
func checkContracts(res *contract.Result, deployable map[string]bool) *checker {
	ch := &checker{deployable: deployable}
	if res == nil {
		return ch
	}
	byContract := map[*contract.Contract][]*keyChange{}
	for _, c := range res.Contracts {
		for _, k := range c.Keys {
			if !k.Changed {
				continue
			}
			kc := &keyChange{c: c, k: k, name: c.Name + "." + keyName(c, k), writers: k.Writers, readers: k.Readers, rules: map[string]bool{}}
			byContract[c] = append(byContract[c], kc)
			ch.keys = append(ch.keys, kc)
		}
	}
	for _, kc := range ch.keys {
		for _, outer := range ch.keys {
			if outer.c != kc.c && nests(outer.k, kc.c) {
				kc.nested = true
			}
		}
	}
	for _, r := range Rules {
		if r.Check == nil {
			continue
		}
		for _, kc := range ch.keys {
			r.Check(ch, kc)
		}
	}
	for _, c := range res.Contracts {
		checkWireIdentical(ch, c)
		checkRebuildOnly(ch, c, byContract[c])
	}
	return ch
}

// keyName shows a wire key: the JSON name, or "#N (name)" for protobuf.
func keyName(c *contract.Contract, k *contract.Key) string {
	if c.Kind == contract.Protobuf {
		return fmt.Sprintf("#%s (%s)", k.Wire, k.Name)
	}
	return k.Wire
}

func services(m map[string][]contract.Access) []string {
	var out []string
	for s := range m {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func minus(a, b map[string][]contract.Access) []string {
	var out []string
	for _, s := range services(a) {
		if _, ok := b[s]; !ok {
			out = append(out, s)
		}
	}
	return out
}

func first(as []contract.Access) contract.Pos {
	if len(as) == 0 {
		return contract.Pos{}
	}
	return as[0].Pos
}

// checkWriteBeforeRead: writers that start writing a key deploy before the
// readers that start reading it.
func checkWriteBeforeRead(ch *checker, kc *keyChange) {
	startReaders := minus(kc.readers[contract.Head], kc.readers[contract.Base])
	if len(startReaders) == 0 {
		return
	}
	startWriters := minus(kc.writers[contract.Head], kc.writers[contract.Base])
	for _, r := range startReaders {
		if !otherWriter(kc.writers[contract.Head], r) {
			if _, self := kc.writers[contract.Head][r]; self {
				continue
			}
			at := kc.readers[contract.Head][r]
			ch.finding("WRITE_BEFORE_READ", Error, first(at), "%s starts reading %s, but no service writes it at head; write it first, in an earlier change", r, kc.name)
			kc.rules["WRITE_BEFORE_READ"] = true
			continue
		}
		for _, w := range startWriters {
			if w == r {
				continue
			}
			kc.rules["WRITE_BEFORE_READ"] = true
			c := Constraint{From: w, FromPart: ExpandPart, To: r, ToPart: SwitchPart, Rule: "WRITE_BEFORE_READ",
				Contract: kc.c.Name, Key: kc.name, Nested: kc.nested, Critical: true,
				Why: fmt.Sprintf("%s writes %s before %s reads it", w, kc.name, r)}
			if old, ok := tolerantOf(ch, kc, r, 0); ok {
				c.Critical = false
				c.Why += fmt.Sprintf(" (it falls back to %s)", old)
				c.Fallback = old
				kc.rules["TOLERANT_READER"] = true
			}
			ch.constraints = append(ch.constraints, c)
		}
	}
}

// checkStopReadBeforeStopWrite: readers that stop reading a key deploy
// before the writers that stop writing it; a reader that still reads it
// with nobody writing it blocks the plan.
func checkStopReadBeforeStopWrite(ch *checker, kc *keyChange) {
	stopWriters := minus(kc.writers[contract.Base], kc.writers[contract.Head])
	if len(stopWriters) == 0 {
		return
	}
	kc.rules["STOP_READ_BEFORE_STOP_WRITE"] = true
	for _, r := range services(kc.readers[contract.Head]) {
		if otherWriter(kc.writers[contract.Head], r) {
			continue
		}
		if _, self := kc.writers[contract.Head][r]; self {
			continue
		}
		at := kc.readers[contract.Head][r]
		if alt, ok := fallbackFor(kc, r); ok {
			ch.finding("TOLERANT_READER", Warning, first(at), "%s still reads %s as a fallback next to %s, and no service writes it at head; drop the fallback in a later change", r, kc.name, alt)
			continue
		}
		ch.finding("STOP_READ_BEFORE_STOP_WRITE", Error, first(at), "%s still reads %s at head, but %s stop writing it and no service writes it at head; stop reading it first, in an earlier change",
			r, kc.name, joinNames(stopWriters))
	}
	for _, r := range minus(kc.readers[contract.Base], kc.readers[contract.Head]) {
		for _, w := range stopWriters {
			if w == r {
				continue
			}
			ch.constraints = append(ch.constraints, Constraint{From: r, FromPart: SwitchPart, To: w, ToPart: ContractPart,
				Rule: "STOP_READ_BEFORE_STOP_WRITE", Contract: kc.c.Name, Key: kc.name, Nested: kc.nested, Critical: true,
				Why: fmt.Sprintf("%s stops reading %s before %s stops writing it", r, kc.name, w)})
		}
	}
}

// checkWireKeyChanged marks keys that appear or disappear because a field's
// wire key or wire type changed.
func checkWireKeyChanged(ch *checker, kc *keyChange) {
	for _, other := range kc.c.Keys {
		if other == kc.k {
			continue
		}
		sameField := other.Name == kc.k.Name && other.Name != ""
		if sameField && (kc.k.Exists(contract.Base) != kc.k.Exists(contract.Head)) && (other.Exists(contract.Base) != other.Exists(contract.Head)) {
			kc.rules["WIRE_KEY_CHANGED"] = true
		}
	}
}

// otherWriter reports whether someone other than svc writes the key.
func otherWriter(writers map[string][]contract.Access, svc string) bool {
	for w := range writers {
		if w != svc {
			return true
		}
	}
	return false
}

// tolerantOf reports whether reader r, at head, also reads in the same
// function an older key of the same contract that the new key replaces (one
// written at base that is going away, or whose name the new key extends,
// like metadata and metadata_v2): a fallback for when the new key is
// missing. A key inside the value of a key read tolerantly (the entries of
// a new list) is tolerant too.
func tolerantOf(ch *checker, kc *keyChange, r string, depth int) (string, bool) {
	funcs := directFuncs(kc.readers[contract.Head][r])
	for _, other := range kc.c.Keys {
		if other == kc.k || len(other.Writers[contract.Base]) == 0 || !replaces(other, kc.k) {
			continue
		}
		for _, a := range other.Readers[contract.Head][r] {
			if a.Via == "" && funcs[a.Func] {
				return kc.c.Name + "." + keyName(kc.c, other), true
			}
		}
	}
	if depth > 3 {
		return "", false
	}
	for _, outer := range ch.keys {
		if outer == kc || outer.c == kc.c || !nests(outer.k, kc.c) {
			continue
		}
		if old, ok := tolerantOf(ch, outer, r, depth+1); ok {
			return old, true
		}
	}
	return "", false
}

// replaces reports whether key old looks like the predecessor of key cur:
// it is going away (no longer written by someone, or gone from the wire),
// or the two names share a stem (metadata, metadata_v2; Name, NameV2).
func replaces(old, cur *contract.Key) bool {
	if !old.Exists(contract.Head) || len(minus(old.Writers[contract.Base], old.Writers[contract.Head])) > 0 {
		return true
	}
	return sharesStem(old.Wire, cur.Wire) || sharesStem(old.Name, cur.Name)
}

func sharesStem(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a == "" || b == "" || a == b {
		return false
	}
	if strings.HasPrefix(a, b) || strings.HasPrefix(b, a) {
		return true
	}
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n >= 4
}

// nests reports whether a key's value holds a type of contract c.
func nests(k *contract.Key, c *contract.Contract) bool {
	for _, n := range k.Nested {
		for _, t := range c.Types {
			if n == t {
				return true
			}
		}
	}
	return false
}

// fallbackFor reports whether reader r reads the key next to its
// replacement, a key of the contract written at head that is new in the
// range or shares the key's stem: the old key is only a fallback.
func fallbackFor(kc *keyChange, r string) (string, bool) {
	funcs := directFuncs(kc.readers[contract.Head][r])
	for _, other := range kc.c.Keys {
		if other == kc.k || len(other.Writers[contract.Head]) == 0 {
			continue
		}
		fresh := !other.Exists(contract.Base) || len(minus(other.Writers[contract.Head], other.Writers[contract.Base])) > 0
		if !fresh && !sharesStem(kc.k.Wire, other.Wire) && !sharesStem(kc.k.Name, other.Name) {
			continue
		}
		for _, a := range other.Readers[contract.Head][r] {
			if a.Via == "" && funcs[a.Func] {
				return kc.c.Name + "." + keyName(kc.c, other), true
			}
		}
	}
	return "", false
}

func directFuncs(as []contract.Access) map[string]bool {
	out := map[string]bool{}
	for _, a := range as {
		if a.Via == "" {
			out[a.Func] = true
		}
	}
	return out
}

// checkWireIdentical notes a contract whose Go declaration changed while
// its wire stayed the same.
func checkWireIdentical(ch *checker, c *contract.Contract) {
	if !c.GoOnlyChange {
		return
	}
	var renamed []string
	for _, k := range c.Keys {
		if k.RenamedFrom != "" {
			renamed = append(renamed, fmt.Sprintf("%s -> %s", k.RenamedFrom, k.Name))
		}
	}
	msg := fmt.Sprintf("%s changed in Go but not on the wire", c.Name)
	if len(renamed) > 0 {
		msg += fmt.Sprintf(" (Go fields renamed with their keys kept: %s)", strings.Join(renamed, ", "))
	}
	ch.findings = append(ch.findings, Finding{Severity: Info, Code: "WIRE_IDENTICAL", Message: msg + "; this alone needs no ordering"})
}

// checkRebuildOnly names the services that use a changed contract without
// writing or reading any of its changed keys.
func checkRebuildOnly(ch *checker, c *contract.Contract, changes []*keyChange) {
	if len(changes) == 0 {
		return
	}
	involved := map[string]bool{}
	for _, kc := range changes {
		for side := range kc.writers {
			for s := range kc.writers[side] {
				involved[s] = true
			}
			for s := range kc.readers[side] {
				involved[s] = true
			}
		}
	}
	var only []string
	for _, s := range c.Importers[contract.Head] {
		if !involved[s] && ch.deployable[s] {
			only = append(only, s)
		}
	}
	if len(only) > 0 {
		msg := "%s uses %s but neither writes nor reads a changed key: it only rebuilds, with no ordering constraint"
		if len(only) > 1 {
			msg = "%s use %s but neither write nor read a changed key: they only rebuild, with no ordering constraint"
		}
		ch.findings = append(ch.findings, Finding{Severity: Info, Code: "REBUILD_ONLY", Message: fmt.Sprintf(msg, joinNames(only), c.Name)})
	}
}

// planContracts turns the analysed contracts into the plan's form.
func planContracts(ch *checker) []Contract {
	var out []Contract
	byName := map[string]int{}
	for _, kc := range ch.keys {
		i, ok := byName[kc.c.Name]
		if !ok {
			i = len(out)
			byName[kc.c.Name] = i
			out = append(out, Contract{Name: kc.c.Name, Kind: string(kc.c.Kind), Types: kc.c.Types, Changes: []Change{}})
		}
		k := kc.k
		change := Change{Field: k.Wire, WireType: SideTypes{Base: k.Type[contract.Base], Head: k.Type[contract.Head]},
			Writers: Sides{Base: nonNil(services(k.Writers[contract.Base])), Head: nonNil(services(k.Writers[contract.Head]))},
			Readers: Sides{Base: nonNil(services(k.Readers[contract.Base])), Head: nonNil(services(k.Readers[contract.Head]))}}
		if kc.c.Kind == contract.Protobuf {
			change.Name = k.Name
		}
		switch {
		case !k.Exists(contract.Base):
			change.Change, change.Compat = "added", "additive"
		case !k.Exists(contract.Head):
			change.Change, change.Compat = "removed", "breaking"
		case len(minus(k.Writers[contract.Base], k.Writers[contract.Head])) > 0:
			change.Change, change.Compat = "writers_changed", "breaking"
		case !sameSet(k.Writers):
			change.Change, change.Compat = "writers_changed", "additive"
		default:
			change.Change, change.Compat = "readers_changed", "additive"
		}
		if kc.rules["WIRE_KEY_CHANGED"] {
			change.Compat = "breaking"
		}
		for r := range kc.rules {
			change.Rules = append(change.Rules, r)
		}
		sort.Strings(change.Rules)
		change.Rules = nonNil(change.Rules)
		out[i].Changes = append(out[i].Changes, change)
	}
	return out
}

func sameSet(sides [2]map[string][]contract.Access) bool {
	return len(minus(sides[0], sides[1])) == 0 && len(minus(sides[1], sides[0])) == 0
}
