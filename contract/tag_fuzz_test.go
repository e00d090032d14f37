package contract

import (
	"encoding/json"
	"go/token"
	"go/types"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// canonicalNumber is a protobuf field number as ParseProtoTag must give it:
// a positive decimal without leading zeros or sign.
var canonicalNumber = regexp.MustCompile(`^[1-9][0-9]*$`)

// FuzzParseProtoTag checks that ParseProtoTag never panics, that a Number
// is either empty or the canonical spelling of the positive number in the
// tag's second element, and that Repeated and Required say exactly whether
// the options (the elements after the number) include rep and req.
func FuzzParseProtoTag(f *testing.F) {
	for _, s := range []string{
		"bytes,1,opt,name=x,proto3",
		"varint,2,rep,packed,name=ids,json=ids,proto3",
		"bytes,3,req,name=y",
		"bytes,4,opt,name=inner,json=inner,proto3,oneof",
		"fixed64,536870911,opt,name=big",
		"varint,0,opt", "varint,-1,opt", "varint,01,opt", "varint,+3,opt",
		"varint, 7 ,rep", "varint,7, rep", "varint,99999999999999999999,opt",
		"", ",", ",,", "bytes", "bytes,", "bytes,,rep", "1,bytes", "bytes,1,rep,req,rep",
		"bytes,x1,opt", "bytes,1x,opt", "bytes,٣,opt", "bytes,\x00,opt",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		p := ParseProtoTag(tag)
		parts := strings.Split(tag, ",")
		if len(parts) < 2 {
			if p != (ProtoTag{}) {
				t.Fatalf("ParseProtoTag(%q) = %+v, want nothing for a tag without a number", tag, p)
			}
			return
		}
		if p.WireType != strings.TrimSpace(parts[0]) {
			t.Errorf("ParseProtoTag(%q).WireType = %q, want %q", tag, p.WireType, strings.TrimSpace(parts[0]))
		}

		num := strings.TrimSpace(parts[1])
		if p.Number != "" && !canonicalNumber.MatchString(p.Number) {
			t.Errorf("ParseProtoTag(%q).Number = %q, want a positive decimal without leading zeros", tag, p.Number)
		}
		// A number written canonically that fits an int is kept as written.
		if canonicalNumber.MatchString(num) && len(num) <= 18 && p.Number != num {
			t.Errorf("ParseProtoTag(%q).Number = %q, want %q", tag, p.Number, num)
		}
		// Any other Number is the same value, spelled canonically.
		if p.Number != "" {
			digits := strings.TrimLeft(strings.TrimPrefix(num, "+"), "0")
			if digits != p.Number {
				t.Errorf("ParseProtoTag(%q).Number = %q, but the tag's number is %q", tag, p.Number, num)
			}
		}
		// Something that is not a positive decimal yields no number.
		if _, err := strconv.ParseUint(strings.TrimPrefix(num, "+"), 10, 64); err != nil && p.Number != "" {
			t.Errorf("ParseProtoTag(%q).Number = %q from %q, which is not a positive decimal", tag, p.Number, num)
		}

		var rep, req bool
		for _, o := range parts[2:] {
			rep = rep || o == "rep"
			req = req || o == "req"
		}
		if p.Repeated != rep || p.Required != req {
			t.Errorf("ParseProtoTag(%q): Repeated=%v Required=%v, want %v %v (options %q)", tag, p.Repeated, p.Required, rep, req, parts[2:])
		}
	})
}

// FuzzJSONTag feeds arbitrary struct tags to the wire layout of a struct
// with one exported int field F, and compares the keys with what
// encoding/json really puts on the wire for the same struct.
func FuzzJSONTag(f *testing.F) {
	for _, s := range []string{
		`json:"name,omitempty"`, `json:"name"`, `json:"-"`, `json:"-,"`, `json:"-,omitempty"`,
		`json:",string"`, `json:"n,string,omitempty"`, `json:",omitzero"`, `json:""`, `json:","`,
		`json:"a b"`, `json:"a\"b"`, `json:"a\\b"`, `json:"$ref"`, `json:"café"`, `json:"x" yaml:"y"`,
		`yaml:"y" json:"z"`, `json:"first" json:"second"`, `xml:"only"`, ``,
		`protobuf:"bytes,1,opt,name=x,proto3"`, `protobuf:"varint,2,rep,packed,name=ids,proto3" json:"ids,omitempty"`,
		`protobuf:"bytes,0,opt"`, `protobuf:"bytes"`, `protobuf_oneof:"kind"`,
		// Malformed tags: reflect.StructTag stops at the first bad pair.
		`json:name`, `json:"name`, `json: "name"`, `json:"name",omitempty`, `json`, `:"x"`, "json:\"a\x00b\"",
		// Names encoding/json rejects: the field keeps its Go name.
		`json:"€"`, "json:\"a\xffb\"",
	} {
		f.Add(s)
	}
	pkg := types.NewPackage("example.com/fuzz", "fuzz")
	f.Fuzz(func(t *testing.T, tag string) {
		field := types.NewField(token.NoPos, pkg, "F", types.Typ[types.Int], false)
		st := types.NewStruct([]*types.Var{field}, []string{tag})
		named := types.NewNamed(types.NewTypeName(token.NoPos, pkg, "T", nil), st, nil)
		l := layoutOf(named, func(*types.Var) (string, int) { return "", 0 })
		if l == nil {
			t.Fatalf("tag %q: no layout for a named struct", tag)
		}
		if len(l.Fields) > 1 {
			t.Fatalf("tag %q: %d wire keys for one field: %+v", tag, len(l.Fields), l.Fields)
		}
		for _, wf := range l.Fields {
			if wf.Key == "" {
				t.Fatalf("tag %q: an empty wire key: %+v", tag, wf)
			}
		}

		st2 := reflect.StructTag(tag)
		if v, ok := st2.Lookup("protobuf"); ok {
			if l.Kind != Protobuf {
				t.Fatalf("tag %q: kind %s, want protobuf", tag, l.Kind)
			}
			want := ParseProtoTag(v).Number
			switch {
			case want == "" && len(l.Fields) != 0:
				t.Errorf("tag %q: key %q, want none (no field number)", tag, l.Fields[0].Key)
			case want != "" && (len(l.Fields) != 1 || l.Fields[0].Key != want):
				t.Errorf("tag %q: keys %+v, want %q", tag, l.Fields, want)
			}
			return
		}

		if l.Kind != JSON {
			t.Fatalf("tag %q: kind %s, want json", tag, l.Kind)
		}
		jsonTag := st2.Get("json")
		var key string
		if len(l.Fields) == 1 {
			key = l.Fields[0].Key
		}
		if jsonTag == "-" && len(l.Fields) != 0 {
			t.Fatalf("tag %q: key %q, but json:\"-\" keeps the field off the wire", tag, key)
		}
		// "-" is a key only when the tag names it: "-," (or "-,opts").
		if key == "-" && !strings.HasPrefix(jsonTag, "-,") {
			t.Fatalf("tag %q: key \"-\" without a json tag of the form \"-,\"", tag)
		}
		if jsonTag == "-," && key != "-" {
			t.Fatalf("tag %q: key %q, want \"-\"", tag, key)
		}

		// What encoding/json does with the same struct.
		typ := reflect.StructOf([]reflect.StructField{{Name: "F", Type: reflect.TypeFor[int](), Tag: st2}})
		v := reflect.New(typ).Elem()
		v.Field(0).SetInt(1) // not empty, so omitempty and omitzero keep it
		data, err := json.Marshal(v.Interface())
		if err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if len(obj) != len(l.Fields) {
			t.Fatalf("tag %q: keys %+v, but encoding/json writes %s", tag, l.Fields, data)
		}
		for k, raw := range obj {
			if k != key {
				t.Fatalf("tag %q: key %q, but encoding/json writes %s", tag, key, data)
			}
			want := "number"
			if strings.HasPrefix(string(raw), `"`) {
				want = "string"
			}
			if got := l.Fields[0].Type; got != want {
				t.Errorf("tag %q: wire type %q, but encoding/json writes %s", tag, got, data)
			}
		}
	})
}
