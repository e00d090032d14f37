package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// newContract creates the i'th contract package with 1-3 message types.
func newContract(rng *rand.Rand, m *model, i int) *contract {
	domain := domains[i%len(domains)]
	name := m.pkgNames.take([]string{domain})
	base := singular(domain) + strings.TrimPrefix(name, domain)
	c := &contract{dir: "api/" + name, name: name}
	for _, ev := range shuffled(rng, events)[:1+rng.IntN(3)] {
		t := &msgType{name: base + ev, items: rng.IntN(10) < 6, meta: rng.IntN(2) == 0}
		t.fields = append(t.fields, &field{"ID", "id", kString})
		var ints, others []field
		for _, f := range shuffled(rng, fieldPool) {
			if f.kind == kInt {
				ints = append(ints, f)
			} else {
				others = append(others, f)
			}
		}
		f := ints[0]
		t.fields = append(t.fields, &f)
		for _, f := range shuffled(rng, append(ints[1:], others...))[:1+rng.IntN(4)] {
			t.fields = append(t.fields, &f)
		}
		c.types = append(c.types, t)
	}
	return c
}

// assignRoles gives every message type 1-2 writers and 2-4 readers, drawn
// from a shuffled deck of services so that roles spread evenly.
func (m *model) assignRoles(rng *rand.Rand) {
	n := len(m.svcs)
	var deck []int
	draw := func(used []int) int {
		for {
			if len(deck) == 0 {
				deck = shuffled(rng, seq(0, n))
			}
			s := deck[len(deck)-1]
			deck = deck[:len(deck)-1]
			if !contains(used, s) {
				return s
			}
		}
	}
	for _, c := range m.apis {
		for _, t := range c.types {
			var used []int
			writers := min(1+rng.IntN(2), n-2)
			readers := min(2+rng.IntN(3), n-writers)
			for range writers {
				s := draw(used)
				used = append(used, s)
				t.writers = append(t.writers, writer{svc: s, stream: rng.IntN(2) == 0})
			}
			for range readers {
				s := draw(used)
				used = append(used, s)
				r := &reader{svc: s, stream: rng.IntN(2) == 0, items: t.items && rng.IntN(2) == 0, meta: t.meta && rng.IntN(2) == 0}
				r.reads = append(r.reads, shuffled(rng, t.fields)[:1+rng.IntN(min(3, len(t.fields)))]...)
				t.readers = append(t.readers, r)
			}
		}
	}
}

// renderAPI renders a contract package.
func renderAPI(c *contract) map[string]string {
	var b strings.Builder
	fmt.Fprintf(&b, "// Package %s defines the %s messages that services exchange as JSON.\npackage %s\n", c.name, c.name, c.name)
	for _, t := range c.types {
		fmt.Fprintf(&b, "\n// %s is one %s message, encoded as JSON.\ntype %s struct {\n", t.name, c.name, t.name)
		for _, f := range t.fields {
			fmt.Fprintf(&b, "\t%s %s `json:\"%s\"`\n", f.goName, f.kind.goType(), f.tag)
		}
		if t.items {
			fmt.Fprintf(&b, "\tItems []%sItem `json:\"items,omitempty\"`\n", t.name)
		}
		if t.meta {
			fmt.Fprintf(&b, "\tMeta %sMeta `json:\"meta\"`\n", t.name)
		}
		b.WriteString("}\n")
		if t.items {
			fmt.Fprintf(&b, "\n// %sItem is one entry of %s.Items.\ntype %sItem struct {\n\tCode string `json:\"code\"`\n\tAmount int `json:\"amount\"`\n}\n", t.name, t.name, t.name)
		}
		if t.meta {
			fmt.Fprintf(&b, "\n// %sMeta says where each %s came from.\ntype %sMeta struct {\n\tSource string `json:\"source\"`\n\tAttempt int `json:\"attempt\"`\n}\n", t.name, t.name, t.name)
		}
	}
	return map[string]string{c.dir + "/" + c.name + ".go": gofmt(c.dir, b.String())}
}

// Contract changes, each made the way a real pull request makes it: the
// contract, its writers and its readers change in the same commit.
const (
	changeAdd    = iota // add a field; writers write it, one reader reads it
	changeRename        // rename a field's JSON key, or its Go name and key
	changeRemove        // remove a field; writers and readers stop using it
	changeRetype        // int -> string
	numChanges
)

// changeContract applies one contract change of the given kind, or an
// additive change when no message type allows that kind.
func (m *model) changeContract(rng *rand.Rand, kind int) (string, []unit) {
	type choice struct {
		c *contract
		t *msgType
	}
	var all []choice
	for _, c := range m.apis {
		for _, t := range c.types {
			all = append(all, choice{c, t})
		}
	}
	all = shuffled(rng, all)
	units := func(ch choice) []unit {
		us := []unit{{unitAPI, indexOf(m.apis, ch.c)}}
		for _, w := range ch.t.writers {
			us = append(us, unit{unitService, w.svc})
		}
		for _, r := range ch.t.readers {
			us = append(us, unit{unitService, r.svc})
		}
		return us
	}
	for _, ch := range all {
		t := ch.t
		var cands []*field
		for _, f := range t.fields[1:] {
			if kind != changeRetype || f.kind == kInt {
				cands = append(cands, f)
			}
		}
		if kind == changeAdd || len(cands) == 0 || kind == changeRemove && len(t.fields) < 3 {
			continue
		}
		f := pick(rng, cands)
		q := t.name + "." + f.goName
		switch kind {
		case changeRename:
			if rng.IntN(3) == 0 {
				old := f.tag
				f.tag = uniqueTag(t, f.tag+"_"+pick(rng, []string{"v2", "value", "code", "label"}))
				return fmt.Sprintf("%s: rename JSON key %q of %s to %q", ch.c.dir, old, q, f.tag), units(ch)
			}
			f.goName = uniqueName(t, pick(rng, []string{"Net", "Display", "Primary", "Last", "Max"})+f.goName)
			f.tag = uniqueTag(t, snake(f.goName))
			return fmt.Sprintf("%s: rename %s to %s (%q) in the writers and readers", ch.c.dir, q, f.goName, f.tag), units(ch)
		case changeRemove:
			t.fields = remove(t.fields, f)
			for _, r := range t.readers {
				r.reads = remove(r.reads, f)
			}
			return fmt.Sprintf("%s: remove %s; writers and readers stop using it", ch.c.dir, q), units(ch)
		case changeRetype:
			f.kind = kString
			return fmt.Sprintf("%s: %s becomes a string", ch.c.dir, q), units(ch)
		}
	}
	ch := all[0]
	t := ch.t
	var free []field
	for _, f := range fieldPool {
		if uniqueName(t, f.goName) == f.goName && uniqueTag(t, f.tag) == f.tag {
			free = append(free, f)
		}
	}
	if len(free) == 0 {
		free = []field{{uniqueName(t, "Extra"), "", kString}}
		free[0].tag = uniqueTag(t, snake(free[0].goName))
	}
	f := pick(rng, free)
	t.fields = append(t.fields, &f)
	r := pick(rng, t.readers)
	r.reads = append(r.reads, &f)
	return fmt.Sprintf("%s: add %s.%s (%q), written by its writers and read by %s", ch.c.dir, t.name, f.goName, f.tag, m.svcs[r.svc].name), units(ch)
}

// uniqueName returns name, or name with a number, unused by t's fields.
func uniqueName(t *msgType, name string) string {
	return unique(name, func(s string) bool {
		for _, f := range t.fields {
			if f.goName == s {
				return true
			}
		}
		return s == "Items" || s == "Meta"
	})
}

// uniqueTag returns tag, or tag with a number, unused by t's fields.
func uniqueTag(t *msgType, tag string) string {
	return unique(tag, func(s string) bool {
		for _, f := range t.fields {
			if f.tag == s {
				return true
			}
		}
		return s == "items" || s == "meta"
	})
}

func unique(s string, used func(string) bool) string {
	if !used(s) {
		return s
	}
	for i := 2; ; i++ {
		if c := fmt.Sprintf("%s%d", s, i); !used(c) {
			return c
		}
	}
}

func remove[T comparable](xs []T, x T) []T {
	var out []T
	for _, y := range xs {
		if y != x {
			out = append(out, y)
		}
	}
	return out
}

func indexOf[T comparable](xs []T, x T) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	panic("not found")
}
