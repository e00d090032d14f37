package contract

import (
	"go/ast"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/types/typeutil"

	"github.com/deployorder/deployorder/contract/access"
)

// Which types travel in the bodies of HTTP requests and responses, read
// from the calls that decode and encode them: the direction each
// decoding site shows. A type decoded only from the body of an incoming
// request (json.NewDecoder(r.Body).Decode(&v), json.Unmarshal of what
// io.ReadAll(r.Body) returned, a web framework's binding) travels in
// requests; one encoded to a ResponseWriter (or by a framework's JSON
// reply) or decoded from an *http.Response's body travels in responses;
// one decoded from anything else (storage, a queue, a file), and a
// protobuf message the code unmarshals itself (gRPC decodes requests in
// its own code), travels elsewhere. Encoding with json.Marshal says nothing: a client builds a
// request body that way, and so does a service storing a value, whose
// reader decodes it from storage.

// bodyArgs are the calls that decode a value from an incoming request
// (travel: inRequest) or encode one into a response (inResponse), by
// types.Func.FullName, with the index of the value's argument.
var bodyArgs = map[string]struct {
	arg int
	dir direction
}{
	"(*github.com/gin-gonic/gin.Context).BindJSON":               {0, inRequest},
	"(*github.com/gin-gonic/gin.Context).ShouldBindJSON":         {0, inRequest},
	"(*github.com/gin-gonic/gin.Context).Bind":                   {0, inRequest},
	"(*github.com/gin-gonic/gin.Context).ShouldBind":             {0, inRequest},
	"(*github.com/gin-gonic/gin.Context).ShouldBindBodyWithJSON": {0, inRequest},
	"(*github.com/gin-gonic/gin.Context).JSON":                   {1, inResponse},
	"(*github.com/gin-gonic/gin.Context).IndentedJSON":           {1, inResponse},
	"(*github.com/gin-gonic/gin.Context).PureJSON":               {1, inResponse},
	"(*github.com/gin-gonic/gin.Context).AbortWithStatusJSON":    {1, inResponse},
	"(github.com/labstack/echo/v4.Context).Bind":                 {0, inRequest},
	"(github.com/labstack/echo/v4.Context).JSON":                 {1, inResponse},
	"github.com/zeromicro/go-zero/rest/httpx.Parse":              {1, inRequest},
	"github.com/zeromicro/go-zero/rest/httpx.ParseJsonBody":      {1, inRequest},
	"github.com/zeromicro/go-zero/rest/httpx.OkJson":             {1, inResponse},
	"github.com/zeromicro/go-zero/rest/httpx.OkJsonCtx":          {2, inResponse},
	"github.com/zeromicro/go-zero/rest/httpx.WriteJson":          {2, inResponse},
	"github.com/zeromicro/go-zero/rest/httpx.WriteJsonCtx":       {3, inResponse},
}

// bodyPackages are the packages whose calls bodyDirections reads: a
// package that imports none of them has nothing to say.
var bodyPackages = map[string]bool{
	"encoding/json":                                 true,
	"google.golang.org/protobuf/proto":              true,
	"google.golang.org/protobuf/encoding/protojson": true,
	"github.com/golang/protobuf/proto":              true,
	"github.com/gin-gonic/gin":                      true,
	"github.com/labstack/echo/v4":                   true,
	"github.com/zeromicro/go-zero/rest/httpx":       true,
}

func importsAny(p *types.Package, paths map[string]bool) bool {
	if p == nil {
		return false
	}
	for _, imp := range p.Imports() {
		if paths[imp.Path()] {
			return true
		}
	}
	return false
}

func fileImportsAny(f *ast.File, paths map[string]bool) bool {
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err == nil && paths[p] {
			return true
		}
	}
	return false
}

// bodyDirections returns, for each named struct type (importpath.Type) a
// type-checked package decodes or encodes, the directions its sites show.
func bodyDirections(tp *access.Package) map[string]direction {
	out := map[string]direction{}
	if tp.Info == nil || !importsAny(tp.Types, bodyPackages) {
		return out
	}
	info := tp.Info
	mark := func(arg ast.Expr, d direction) {
		for _, t := range access.NestedStructs(info.TypeOf(arg)) {
			out[t] |= d
		}
	}
	for _, f := range tp.Files {
		if !fileImportsAny(f, bodyPackages) {
			continue // a file that names none of them calls none of them
		}
		// defs: a local variable -> the call that defined it (dec :=
		// json.NewDecoder(r.Body); b, err := io.ReadAll(r.Body)).
		defs := map[types.Object]*ast.CallExpr{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if len(n.Rhs) == 1 && len(n.Lhs) > 0 {
					if call, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr); ok {
						if id, ok := n.Lhs[0].(*ast.Ident); ok {
							if o := info.ObjectOf(id); o != nil {
								defs[o] = call
							}
						}
					}
				}
			case *ast.ValueSpec:
				if len(n.Values) == 1 && len(n.Names) > 0 {
					if call, ok := ast.Unparen(n.Values[0]).(*ast.CallExpr); ok {
						if o := info.ObjectOf(n.Names[0]); o != nil {
							defs[o] = call
						}
					}
				}
			}
			return true
		})
		// definition is the call an expression is, or that defined the
		// local variable it names.
		definition := func(e ast.Expr) *ast.CallExpr {
			switch e := ast.Unparen(e).(type) {
			case *ast.CallExpr:
				return e
			case *ast.Ident:
				return defs[info.ObjectOf(e)]
			}
			return nil
		}
		callee := func(call *ast.CallExpr) string {
			if call == nil {
				return ""
			}
			if fn, ok := typeutil.Callee(info, call).(*types.Func); ok {
				return fn.Origin().FullName()
			}
			return ""
		}
		// source is where the bytes a decoder reads come from: the body
		// of an incoming request, of a response, or elsewhere.
		source := func(src *ast.CallExpr, wrappers ...string) direction {
			name := callee(src)
			ok := false
			for _, w := range wrappers {
				ok = ok || name == w
			}
			if !ok || len(src.Args) == 0 {
				return carriedElsewhere
			}
			sel, ok := ast.Unparen(src.Args[0]).(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Body" {
				return carriedElsewhere
			}
			switch named(info.TypeOf(sel.X)) {
			case "net/http.Request":
				return inRequest
			case "net/http.Response":
				return inResponse
			}
			return carriedElsewhere
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name := callee(call)
			if b, ok := bodyArgs[name]; ok {
				if b.arg < len(call.Args) {
					mark(call.Args[b.arg], b.dir)
				}
				return true
			}
			switch name {
			case "(*encoding/json.Decoder).Decode":
				if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && len(call.Args) == 1 {
					mark(call.Args[0], source(definition(sel.X), "encoding/json.NewDecoder"))
				}
			case "encoding/json.Unmarshal":
				if len(call.Args) == 2 {
					mark(call.Args[1], source(definition(call.Args[0]), "io.ReadAll", "io/ioutil.ReadAll"))
				}
			case "google.golang.org/protobuf/proto.Unmarshal", "(google.golang.org/protobuf/proto.UnmarshalOptions).Unmarshal",
				"google.golang.org/protobuf/encoding/protojson.Unmarshal", "(google.golang.org/protobuf/encoding/protojson.UnmarshalOptions).Unmarshal",
				"github.com/golang/protobuf/proto.Unmarshal":
				// A message a service decodes itself came from storage or a
				// queue: gRPC decodes its requests in its own code.
				if len(call.Args) == 2 {
					mark(call.Args[1], carriedElsewhere)
				}
			case "(*encoding/json.Encoder).Encode":
				if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && len(call.Args) == 1 {
					if enc := definition(sel.X); callee(enc) == "encoding/json.NewEncoder" && len(enc.Args) == 1 && isResponseWriter(info.TypeOf(enc.Args[0])) {
						mark(call.Args[0], inResponse)
					}
				}
			}
			return true
		})
	}
	return out
}

// named is the importpath.Name of a named type, or of the one a pointer
// points to.
func named(t types.Type) string {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return ""
	}
	return n.Obj().Pkg().Path() + "." + n.Obj().Name()
}

// isResponseWriter reports whether a value of type t is an
// http.ResponseWriter: the interface itself, or a type with its Header,
// Write and WriteHeader methods.
func isResponseWriter(t types.Type) bool {
	if t == nil {
		return false
	}
	if named(t) == "net/http.ResponseWriter" {
		return true
	}
	ms := types.NewMethodSet(t)
	has := func(name string) bool {
		for i := 0; i < ms.Len(); i++ {
			if ms.At(i).Obj().Name() == name {
				return true
			}
		}
		return false
	}
	return has("Header") && has("Write") && has("WriteHeader")
}
