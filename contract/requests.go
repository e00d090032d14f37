package contract

import (
	"slices"
	"strings"
)

// Which message types travel only in requests.

// direction is the set of ways a message type travels.
type direction uint8

const (
	inRequest        direction = 1 << iota // a parameter of an RPC method, an HTTP request's body, or inside one
	inResponse                             // a result of an RPC method, an HTTP response's body, or inside one
	carriedElsewhere                       // anything else: decoded from storage or a file, or a type nothing carries
)

// markRequests sets Request on the field contracts whose every type
// travels only in requests: in the parameters of the RPC methods either
// side's checked packages declare (changed or not), or in the bodies of
// the HTTP requests they decode (bodyDirections), directly or inside
// another message's fields. A type that also travels in a response, is
// decoded from anything else, or sits inside a type nothing carries
// (stored, queued, or a method whose stream hides its messages), is not
// one: its writers keep providing it.
func markRequests(contracts []*Contract, st [2]*sideState, ks [2]*kindSide) {
	dir := map[string]direction{}
	inside := map[string][]string{} // type -> the types its fields hold
	carried := map[string]bool{}    // the types an RPC method or another type carries
	for _, side := range Sides {
		if ks[side] != nil {
			for _, s := range ks[side].services {
				for m, ts := range s.carries {
					for _, t := range ts {
						carried[t] = true
						if slices.Contains(s.requests[m], t) {
							dir[t] |= inRequest
						} else {
							dir[t] |= inResponse
						}
					}
				}
			}
		}
		if ks[side] != nil {
			for t, d := range ks[side].bodies {
				carried[t] = true
				dir[t] |= d
			}
		}
		if st[side] == nil {
			continue
		}
		for t, l := range st[side].layouts {
			for _, f := range l.Fields {
				for _, n := range f.Nested {
					if n != t {
						inside[t] = append(inside[t], n)
						carried[n] = true
					}
				}
			}
			// A protobuf oneof member's wrapper (Msg_Member) travels
			// inside Msg: the oneof field's interface names no struct.
			name := t[strings.LastIndex(t, ".")+1:]
			if i := strings.LastIndex(name, "_"); i > 0 {
				outer := t[:len(t)-len(name)+i]
				if _, ok := st[side].layouts[outer]; ok {
					inside[outer] = append(inside[outer], t)
					carried[t] = true
				}
			}
		}
	}
	for _, side := range Sides {
		if st[side] == nil {
			continue
		}
		for t := range st[side].layouts {
			if !carried[t] {
				dir[t] |= carriedElsewhere
			}
		}
	}
	// What holds a type passes its ways on to it.
	for changed := true; changed; {
		changed = false
		for t, ns := range inside {
			for _, n := range ns {
				if dir[n]|dir[t] != dir[n] {
					dir[n] |= dir[t]
					changed = true
				}
			}
		}
	}
	for _, c := range contracts {
		if !c.Kind.IsField() || len(c.Types) == 0 {
			continue
		}
		c.Request = true
		for _, t := range c.Types {
			c.Request = c.Request && dir[t] == inRequest
		}
	}
}
