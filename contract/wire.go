package contract

import (
	"cmp"
	"go/types"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/deployorder/deployorder/contract/access"
)

// WireField is one key of a struct type's wire layout.
type WireField struct {
	Key       string              // JSON name, or protobuf field number
	Name      string              // Go field name (protobuf: the proto name when known)
	Type      string              // wire type signature; a change that alters it is incompatible
	OmitEmpty bool                // omitted when empty (omitempty/omitzero, or proto3 optional semantics)
	Validated bool                // a validation tag rejects a value without it: binding:"required" (gin's binders), validate:"required" (go-playground/validator)
	Refs      []access.FieldRef   // the path of Go fields that carries the key: embedded fields, then the field
	Paths     [][]access.FieldRef // for a contract binding several types: every type's path
	Nested    []string            // named struct types (importpath.Type) inside the field's value
	Enums     []string            // named string or integer types (importpath.Type) of the field's value: enum candidates
	File      string              // declaration of the (outermost) field
	Line      int
}

// Layout is a named struct type's wire layout.
type Layout struct {
	Type   string // importpath.TypeName
	Kind   Kind
	Fields []WireField // sorted by Key
	Custom bool        // the type marshals itself (MarshalJSON/UnmarshalJSON): keys are a guess
}

// hasWireTags reports whether a struct has a json: or protobuf: tag.
func hasWireTags(s *types.Struct) (json, proto bool) {
	for i := 0; i < s.NumFields(); i++ {
		tag := reflect.StructTag(s.Tag(i))
		if _, ok := tag.Lookup("json"); ok {
			json = true
		}
		if _, ok := tag.Lookup("protobuf"); ok {
			proto = true
		}
	}
	return json, proto
}

// layoutOf computes the wire layout of a named struct type. pos gives a
// field's declaration place.
func layoutOf(n *types.Named, pos func(*types.Var) (string, int)) *Layout {
	_, s := access.NamedStruct(n)
	if s == nil {
		return nil
	}
	l := &Layout{Type: access.TypeKey(n), Kind: JSON}
	if _, proto := hasWireTags(s); proto {
		l.Kind = Protobuf
		l.Fields = protoFields(n, s, pos)
	} else {
		l.Fields = jsonFields(n, pos)
		l.Custom = hasMethod(n, "MarshalJSON") || hasMethod(n, "UnmarshalJSON")
	}
	slices.SortFunc(l.Fields, func(a, b WireField) int { return keyCompare(a.Key, b.Key) })
	return l
}

// keyCompare orders keys, numerically when both are numbers (protobuf).
func keyCompare(a, b string) int {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA == nil && errB == nil {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

func hasMethod(t types.Type, name string) bool {
	for _, typ := range []types.Type{t, types.NewPointer(t)} {
		ms := types.NewMethodSet(typ)
		for i := 0; i < ms.Len(); i++ {
			if ms.At(i).Obj().Name() == name {
				return true
			}
		}
	}
	return false
}

// jsonField is a candidate field during encoding/json's typeFields walk.
type jsonField struct {
	WireField
	index  []int
	tagged bool
}

// jsonFields follows encoding/json's typeFields: exported fields, names from
// tags, embedded structs without a tag name flattened breadth-first, and the
// dominance rules for names that clash (shallowest wins, then the tagged
// one; otherwise the name is dropped).
func jsonFields(root *types.Named, pos func(*types.Var) (string, int)) []WireField {
	type level struct {
		named *types.Named
		st    *types.Struct
		index []int
		via   []access.FieldRef
	}
	_, st := access.NamedStruct(root)
	var current []level
	next := []level{{named: root, st: st}}
	visited := map[*types.Struct]bool{}
	var fields []jsonField
	for len(next) > 0 {
		current, next = next, nil
		var found []jsonField
		for _, lv := range current {
			if visited[lv.st] {
				continue
			}
			visited[lv.st] = true
			for i := 0; i < lv.st.NumFields(); i++ {
				f := lv.st.Field(i)
				tags := reflect.StructTag(lv.st.Tag(i))
				tag := tags.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validJSONName(name) {
					name = ""
				}
				ft := types.Unalias(f.Type())
				if f.Embedded() {
					t := ft
					if p, ok := t.(*types.Pointer); ok {
						t = p.Elem()
					}
					if !f.Exported() {
						if _, isStruct := t.Underlying().(*types.Struct); !isStruct {
							continue
						}
					}
				} else if !f.Exported() {
					continue
				}
				index := append(append([]int{}, lv.index...), i)
				ref := refOf(lv.named, f)
				if name == "" && f.Embedded() {
					if en, es := access.NamedStruct(ft); es != nil {
						next = append(next, level{named: en, st: es, index: index, via: append(append([]access.FieldRef{}, lv.via...), ref)})
						continue
					}
				}
				wf := jsonField{index: index, tagged: name != ""}
				wf.Key = name
				if wf.Key == "" {
					wf.Key = f.Name()
				}
				wf.Name = f.Name()
				wf.OmitEmpty = hasOpt(opts, "omitempty") || hasOpt(opts, "omitzero")
				wf.Validated = hasOpt(tags.Get("binding"), "required") || hasOpt(tags.Get("validate"), "required")
				wf.Type = jsonType(ft, hasOpt(opts, "string"))
				wf.Refs = append(append([]access.FieldRef{}, lv.via...), ref)
				wf.Nested = access.NestedStructs(ft)
				wf.Enums = namedBasics(ft)
				wf.File, wf.Line = pos(f)
				found = append(found, wf)
			}
		}
		// Dominance within this depth: a key seen once wins; several tagged
		// ones or several untagged ones cancel out.
		byKey := map[string][]jsonField{}
		for _, f := range found {
			byKey[f.Key] = append(byKey[f.Key], f)
		}
		for key, fs := range byKey {
			if already(fields, key) {
				continue // a shallower field dominates
			}
			if len(fs) == 1 {
				fields = append(fields, fs[0])
				continue
			}
			var tagged []jsonField
			for _, f := range fs {
				if f.tagged {
					tagged = append(tagged, f)
				}
			}
			if len(tagged) == 1 {
				fields = append(fields, tagged[0])
			} else {
				fields = append(fields, jsonField{WireField: WireField{Key: key}, index: nil}) // conflict: blocks deeper fields
			}
		}
	}
	var out []WireField
	for _, f := range fields {
		if f.index != nil {
			out = append(out, f.WireField)
		}
	}
	return out
}

func already(fields []jsonField, key string) bool {
	for _, f := range fields {
		if f.Key == key {
			return true
		}
	}
	return false
}

func refOf(n *types.Named, f *types.Var) access.FieldRef {
	return access.FieldRef{Type: access.TypeKey(n), Field: f.Name()}
}

func hasOpt(opts, want string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

// validJSONName mirrors encoding/json's isValidTag.
func validJSONName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !isLetterOrDigit(c):
			return false
		}
	}
	return true
}

func isLetterOrDigit(c rune) bool {
	return unicode.IsLetter(c) || unicode.IsDigit(c)
}

// jsonType is a field's JSON shape: what a reader must expect. Pointers,
// integer widths and struct identity do not change it.
func jsonType(t types.Type, asString bool) string {
	t = types.Unalias(t)
	if p, ok := t.(*types.Pointer); ok {
		return jsonType(p.Elem(), asString)
	}
	if hasMethod(t, "MarshalJSON") {
		return "custom"
	}
	if hasMethod(t, "MarshalText") {
		return "string"
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			if asString {
				return "string"
			}
			return "boolean"
		case u.Info()&types.IsNumeric != 0:
			if asString {
				return "string"
			}
			return "number"
		case u.Info()&types.IsString != 0:
			return "string"
		}
		return "any"
	case *types.Slice:
		if b, ok := types.Unalias(u.Elem()).Underlying().(*types.Basic); ok && b.Kind() == types.Byte {
			return "string"
		}
		return "array<" + jsonType(u.Elem(), false) + ">"
	case *types.Array:
		return "array<" + jsonType(u.Elem(), false) + ">"
	case *types.Map:
		return "object"
	case *types.Struct:
		return "object"
	case *types.Interface:
		return "any"
	}
	return "any"
}

// protoFields reads protobuf struct tags: `protobuf:"varint,1,opt,name=id,proto3"`.
// The key is the field number; the wire type and repetition make the type.
func protoFields(n *types.Named, s *types.Struct, pos func(*types.Var) (string, int)) []WireField {
	var out []WireField
	for i := 0; i < s.NumFields(); i++ {
		f := s.Field(i)
		tag, ok := reflect.StructTag(s.Tag(i)).Lookup("protobuf")
		if !ok || !f.Exported() {
			continue
		}
		p := ParseProtoTag(tag)
		if p.Number == "" {
			continue
		}
		wf := WireField{Key: p.Number, Name: p.Name, Type: p.WireType, OmitEmpty: !p.Required,
			Refs: []access.FieldRef{refOf(n, f)}, Nested: access.NestedStructs(f.Type()), Enums: namedBasics(f.Type())}
		if p.Repeated {
			wf.Type = "repeated " + wf.Type
		}
		if wf.Name == "" {
			wf.Name = f.Name()
		}
		wf.File, wf.Line = pos(f)
		out = append(out, wf)
	}
	return out
}

// ProtoTag is a parsed protobuf struct tag.
type ProtoTag struct {
	WireType string // varint, bytes, fixed32, fixed64, zigzag32, zigzag64, group
	Number   string
	Repeated bool
	Required bool
	Name     string
	JSONName string
}

// ParseProtoTag parses the value of a protobuf struct tag; a malformed tag
// yields an empty Number.
func ParseProtoTag(tag string) ProtoTag {
	parts := strings.Split(tag, ",")
	var p ProtoTag
	if len(parts) < 2 {
		return p
	}
	p.WireType = strings.TrimSpace(parts[0])
	if n, err := strconv.Atoi(strings.TrimSpace(parts[1])); err == nil && n > 0 {
		p.Number = strconv.Itoa(n)
	}
	for _, o := range parts[2:] {
		switch {
		case o == "rep":
			p.Repeated = true
		case o == "req":
			p.Required = true
		case strings.HasPrefix(o, "name="):
			p.Name = strings.TrimPrefix(o, "name=")
		case strings.HasPrefix(o, "json="):
			p.JSONName = strings.TrimPrefix(o, "json=")
		}
	}
	return p
}

// namedBasics lists the named string and integer types of a field's value,
// through pointers, slices, arrays and maps: the candidates for enums.
func namedBasics(t types.Type) []string {
	for depth := 0; depth < 4; depth++ {
		switch u := types.Unalias(t).(type) {
		case *types.Pointer:
			t = u.Elem()
		case *types.Slice:
			t = u.Elem()
		case *types.Array:
			t = u.Elem()
		case *types.Map:
			t = u.Elem()
		case *types.Named:
			if b, ok := u.Underlying().(*types.Basic); ok && b.Info()&(types.IsInteger|types.IsString) != 0 && u.Obj().Pkg() != nil {
				return []string{u.Obj().Pkg().Path() + "." + u.Obj().Name()}
			}
			return nil
		default:
			return nil
		}
	}
	return nil
}
