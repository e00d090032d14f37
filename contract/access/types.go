package access

import (
	"go/types"
	"sort"
)

// FieldRef names a struct field across revisions: the named struct type that
// declares it and its Go name.
type FieldRef struct {
	Type  string // importpath.TypeName
	Field string // Go field name
}

// TypeKey is the stable name of a named type: importpath.TypeName.
func TypeKey(n *types.Named) string {
	obj := n.Obj()
	if obj.Pkg() == nil {
		return obj.Name()
	}
	return obj.Pkg().Path() + "." + obj.Name()
}

// NamedStruct returns t's named struct type, looking through pointers.
func NamedStruct(t types.Type) (*types.Named, *types.Struct) {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return nil, nil
	}
	s, ok := n.Underlying().(*types.Struct)
	if !ok {
		return nil, nil
	}
	return n, s
}

// NestedStructs lists the named struct types a field's value contains
// (through pointers, slices, arrays and maps), which reflection also sees.
func NestedStructs(t types.Type) []string {
	seen := map[string]bool{}
	var walk func(types.Type, int)
	walk = func(t types.Type, depth int) {
		if depth > 4 {
			return
		}
		t = types.Unalias(t)
		switch u := t.(type) {
		case *types.Pointer:
			walk(u.Elem(), depth+1)
			return
		case *types.Slice:
			walk(u.Elem(), depth+1)
			return
		case *types.Array:
			walk(u.Elem(), depth+1)
			return
		case *types.Map:
			walk(u.Elem(), depth+1)
			return
		}
		if n, s := NamedStruct(t); s != nil {
			seen[TypeKey(n)] = true
		}
	}
	walk(t, 0)
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
