package access

import "strings"

// Functions that hand a value whole to reflection, by types.Func.FullName.
// The value is the argument at the given index (-1: every argument from the
// first variadic one on).

// decodeSinks fill a value from the wire; the value is then "decoded".
var decodeSinks = map[string]int{
	"encoding/json.Unmarshal":                                                    1,
	"(*encoding/json.Decoder).Decode":                                            0,
	"google.golang.org/protobuf/proto.Unmarshal":                                 1,
	"(google.golang.org/protobuf/proto.UnmarshalOptions).Unmarshal":              1,
	"google.golang.org/protobuf/encoding/protojson.Unmarshal":                    1,
	"(google.golang.org/protobuf/encoding/protojson.UnmarshalOptions).Unmarshal": 1,
	"github.com/golang/protobuf/proto.Unmarshal":                                 1,
}

// encodeSinks put a value on the wire. Encoding a value the service
// decoded itself (a relay, a controller copying objects) reads and writes
// every key; encoding a value it built writes only the fields it set,
// which are recorded where they are set.
var encodeSinks = map[string]int{
	"encoding/json.Marshal":                                                  0,
	"encoding/json.MarshalIndent":                                            0,
	"(*encoding/json.Encoder).Encode":                                        0,
	"google.golang.org/protobuf/proto.Marshal":                               0,
	"(google.golang.org/protobuf/proto.MarshalOptions).Marshal":              0,
	"google.golang.org/protobuf/encoding/protojson.Marshal":                  0,
	"(google.golang.org/protobuf/encoding/protojson.MarshalOptions).Marshal": 0,
	"github.com/golang/protobuf/proto.Marshal":                               0,
}

// readSinks read every key of a value they are given: templates, and the
// formatting of fmt and log.
var readSinks = map[string]int{
	"(*html/template.Template).Execute":         1,
	"(*html/template.Template).ExecuteTemplate": 2,
	"(*text/template.Template).Execute":         1,
	"(*text/template.Template).ExecuteTemplate": 2,
	"fmt.Print": -1, "fmt.Println": -1, "fmt.Printf": -1,
	"fmt.Sprint": -1, "fmt.Sprintln": -1, "fmt.Sprintf": -1,
	"fmt.Fprint": -1, "fmt.Fprintln": -1, "fmt.Fprintf": -1,
	"fmt.Errorf": -1, "fmt.Append": -1, "fmt.Appendf": -1, "fmt.Appendln": -1,
	"log.Print": -1, "log.Println": -1, "log.Printf": -1,
	"log.Fatal": -1, "log.Fatalln": -1, "log.Fatalf": -1,
	"log.Panic": -1, "log.Panicln": -1, "log.Panicf": -1,
	"(*log.Logger).Print": -1, "(*log.Logger).Println": -1, "(*log.Logger).Printf": -1,
	"(*log.Logger).Fatal": -1, "(*log.Logger).Fatalln": -1, "(*log.Logger).Fatalf": -1,
	"(*log.Logger).Panic": -1, "(*log.Logger).Panicln": -1, "(*log.Logger).Panicf": -1,
}

// sinkNames says, in a reason, what kind of reflection read a value.
func sinkKind(fullName string) string {
	switch {
	case contains(fullName, "html/template") || contains(fullName, "text/template"):
		return "a template"
	case contains(fullName, "log."):
		return "log formatting"
	}
	return "fmt formatting"
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
