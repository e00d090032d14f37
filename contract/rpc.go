package contract

import (
	"bytes"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/deployorder/deployorder/contract/access"
	"golang.org/x/tools/go/types/typeutil"
)

// RPC methods (gRPC and Connect) are elements keyed by their full name,
// /package.Service/Method, known from the generated code: a grpc.ServiceDesc
// (its ServiceName, HandlerType and method and stream names) or Connect's
// "...Procedure" constants. A service serves a method when its code
// registers an implementation (RegisterFooServer(s, impl), s.RegisterService,
// Connect's NewFooHandler(impl)) whose type has that method in its own code,
// not one promoted from an embedded Unimplemented... type of the generated
// code. It calls a method when its code calls it on the generated client,
// or hands the full name to Invoke, NewStream or a wrapper as a string.

var fullMethodRE = regexp.MustCompile(`^/[\w.]+/\w+$`)

// rpcPrepass scans a package's files (syntax only) for generated service
// descriptions and returns the method names they declare.
func rpcMethodNames(fset *token.FileSet, files map[string][]byte) []string {
	var out []string
	for name, data := range files {
		if !bytes.Contains(data, []byte("ServiceDesc")) && !bytes.Contains(data, []byte("Procedure")) {
			continue
		}
		f, err := parser.ParseFile(fset, name, data, parser.SkipObjectResolution)
		if f == nil {
			continue
		}
		_ = err
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && (k.Name == "MethodName" || k.Name == "StreamName") {
					if lit, ok := n.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil {
							out = append(out, s)
						}
					}
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					if s, err := strconv.Unquote(n.Value); err == nil && fullMethodRE.MatchString(s) {
						out = append(out, s[strings.LastIndex(s, "/")+1:])
					}
				}
			}
			return true
		})
	}
	return out
}

// rpcService is one gRPC or Connect service as a side's generated code
// defines it.
type rpcService struct {
	name     string              // package.Service
	methods  map[string]string   // method -> its kind: unary, client-stream, server-stream, bidi-stream
	server   *types.TypeName     // the interface an implementation satisfies (FooServer, FooHandler)
	clients  map[string]bool     // type keys of the generated client types (FooClient, fooClient)
	carries  map[string][]string // method -> the messages of its request and response
	requests map[string][]string // method -> the messages of its request
	decl     Pos
	pkg      string
}

// rpcServices finds the services a type-checked package's code declares.
func rpcServices(fset *token.FileSet, tp *access.Package) []*rpcService {
	if tp.Info == nil {
		return nil
	}
	var out []*rpcService
	scope := tp.Types.Scope()
	for _, f := range tp.Files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for _, v := range vs.Values {
					if lit, ok := unparenAddr(v).(*ast.CompositeLit); ok && isServiceDesc(tp.Info.TypeOf(lit)) {
						if s := grpcService(fset, tp, lit); s != nil {
							out = append(out, s)
						}
					}
				}
			}
		}
	}
	out = append(out, connectServices(fset, tp, scope)...)
	for _, s := range out {
		s.pkg = tp.Src.Path
		s.carries, s.requests = messagesOf(s.server, s.methods)
	}
	return out
}

func unparenAddr(e ast.Expr) ast.Expr {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		return ast.Unparen(u.X)
	}
	return e
}

func isServiceDesc(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Name() == "ServiceDesc" && n.Obj().Pkg() != nil && strings.HasSuffix(n.Obj().Pkg().Path(), "grpc")
}

// grpcService reads a grpc.ServiceDesc literal.
func grpcService(fset *token.FileSet, tp *access.Package, lit *ast.CompositeLit) *rpcService {
	s := &rpcService{methods: map[string]string{}, clients: map[string]bool{}}
	p := fset.Position(lit.Pos())
	s.decl = Pos{File: p.Filename, Line: p.Line}
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key, _ := kv.Key.(*ast.Ident)
		if key == nil {
			continue
		}
		switch key.Name {
		case "ServiceName":
			s.name = constString(tp.Info, kv.Value)
		case "HandlerType":
			if pt, ok := types.Unalias(tp.Info.TypeOf(kv.Value)).(*types.Pointer); ok {
				if n, ok := types.Unalias(pt.Elem()).(*types.Named); ok {
					s.server = n.Obj()
				}
			}
		case "Methods", "Streams":
			list, ok := kv.Value.(*ast.CompositeLit)
			if !ok {
				continue
			}
			for _, m := range list.Elts {
				ml, ok := m.(*ast.CompositeLit)
				if !ok {
					continue
				}
				name, kind := "", "unary"
				var server, client bool
				for _, f := range ml.Elts {
					fkv, ok := f.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					fk, _ := fkv.Key.(*ast.Ident)
					if fk == nil {
						continue
					}
					switch fk.Name {
					case "MethodName", "StreamName":
						name = constString(tp.Info, fkv.Value)
					case "ServerStreams":
						server = constBool(tp.Info, fkv.Value)
					case "ClientStreams":
						client = constBool(tp.Info, fkv.Value)
					}
				}
				if key.Name == "Streams" {
					kind = map[[2]bool]string{{true, false}: "server-stream", {false, true}: "client-stream", {true, true}: "bidi-stream", {false, false}: "stream"}[[2]bool{server, client}]
				}
				if name != "" {
					s.methods[name] = kind
				}
			}
		}
	}
	if s.name == "" || s.server == nil {
		return nil
	}
	// The clients: FooClient (and its implementation fooClient) next to the
	// FooServer interface.
	prefix := strings.TrimSuffix(s.server.Name(), "Server")
	for _, n := range []string{prefix + "Client", lowerFirst(prefix) + "Client"} {
		if tn, ok := tp.Types.Scope().Lookup(n).(*types.TypeName); ok {
			s.clients[typeKeyOf(tn)] = true
		}
	}
	return s
}

// connectServices reads Connect's generated "...Procedure" constants: a
// service /package.Service/Method with its FooServiceClient and
// FooServiceHandler interfaces.
func connectServices(fset *token.FileSet, tp *access.Package, scope *types.Scope) []*rpcService {
	byName := map[string]*rpcService{}
	var out []*rpcService
	for _, n := range scope.Names() {
		c, ok := scope.Lookup(n).(*types.Const)
		if !ok || !strings.HasSuffix(n, "Procedure") || c.Val().Kind() != constant.String {
			continue
		}
		full := constant.StringVal(c.Val())
		if !fullMethodRE.MatchString(full) {
			continue
		}
		svc, method := full[1:strings.LastIndex(full, "/")], full[strings.LastIndex(full, "/")+1:]
		short := svc[strings.LastIndex(svc, ".")+1:]
		handler, _ := scope.Lookup(short + "Handler").(*types.TypeName)
		if handler == nil {
			continue
		}
		s := byName[svc]
		if s == nil {
			p := fset.Position(c.Pos())
			s = &rpcService{name: svc, methods: map[string]string{}, clients: map[string]bool{}, server: handler, decl: Pos{File: p.Filename, Line: p.Line}}
			for _, cn := range []string{short + "Client", lowerFirst(short) + "Client"} {
				if tn, ok := scope.Lookup(cn).(*types.TypeName); ok {
					s.clients[typeKeyOf(tn)] = true
				}
			}
			byName[svc] = s
			out = append(out, s)
		}
		s.methods[method] = "unary"
	}
	return out
}

// messagesOf lists, per method, the named message types of its request
// and response in the server interface's signature (all), and of its
// request alone (requests: the parameters). A streaming method's messages
// hide in its stream's interface: they are in neither.
func messagesOf(server *types.TypeName, methods map[string]string) (all, requests map[string][]string) {
	all, requests = map[string][]string{}, map[string][]string{}
	iface, ok := server.Type().Underlying().(*types.Interface)
	if !ok {
		return all, requests
	}
	for i := 0; i < iface.NumMethods(); i++ {
		m := iface.Method(i)
		if _, ok := methods[m.Name()]; !ok {
			continue
		}
		sig := m.Type().(*types.Signature)
		params, results := messagesIn(sig.Params()), messagesIn(sig.Results())
		requests[m.Name()] = sortedKeys(params)
		maps.Copy(params, results)
		all[m.Name()] = sortedKeys(params)
	}
	return all, requests
}

// messagesIn are the named struct types a tuple's values hold.
func messagesIn(tup *types.Tuple) map[string]bool {
	set := map[string]bool{}
	for j := 0; j < tup.Len(); j++ {
		for _, n := range access.NestedStructs(tup.At(j).Type()) {
			set[n] = true
		}
		// Connect wraps messages: *connect.Request[T].
		if n, ok := types.Unalias(derefType(tup.At(j).Type())).(*types.Named); ok && n.TypeArgs() != nil {
			for k := 0; k < n.TypeArgs().Len(); k++ {
				for _, x := range access.NestedStructs(n.TypeArgs().At(k)) {
					set[x] = true
				}
			}
		}
	}
	return set
}

func derefType(t types.Type) types.Type {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func constString(info *types.Info, e ast.Expr) string {
	if tv, ok := info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
		return constant.StringVal(tv.Value)
	}
	return ""
}

func constBool(info *types.Info, e ast.Expr) bool {
	if tv, ok := info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.Bool {
		return constant.BoolVal(tv.Value)
	}
	return false
}

// rpcIndex is every service the targets of a side define.
type rpcIndex struct {
	services []*rpcService
	byServer map[string]*rpcService // server interface type key -> service
	byClient map[string]*rpcService // client type key -> service
	byFull   map[string]*rpcService // full method name -> service
}

func newRPCIndex(services []*rpcService) *rpcIndex {
	x := &rpcIndex{services: services, byServer: map[string]*rpcService{}, byClient: map[string]*rpcService{}, byFull: map[string]*rpcService{}}
	for _, s := range services {
		x.byServer[typeKeyOf(s.server)] = s
		for c := range s.clients {
			x.byClient[c] = s
		}
		for m := range s.methods {
			x.byFull["/"+s.name+"/"+m] = s
		}
	}
	return x
}

// define records the services' methods as elements of a side.
func (x *rpcIndex) define(ks *kindSide) {
	for _, s := range x.services {
		for m, kind := range s.methods {
			ks.define(rpcContractID(s.name), s.name, RPC, "/"+s.name+"/"+m, elementDef{typ: kind, decl: s.decl, carries: s.carries[m], requests: s.requests[m]})
		}
	}
}

func rpcContractID(service string) string { return "rpc:" + service }

// rpcFacts finds where a package's own code serves and calls the methods of
// the indexed services.
func rpcFacts(fset *token.FileSet, tp *access.Package, x *rpcIndex, generated map[string]bool) []fact {
	if tp.Info == nil || len(x.services) == 0 {
		return nil
	}
	var out []fact
	for _, f := range tp.Files {
		if ast.IsGenerated(f) {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			fn := funcFullName(tp.Info, fd)
			tolerant := handlesUnimplemented(tp.Info, fd.Body)
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				facts := rpcCall(fset, tp.Info, x, generated, fn, call)
				for i := range facts {
					if tolerant && !facts[i].provide {
						facts[i].place.Optional = true
						facts[i].place.Via = "a call that handles Unimplemented"
					}
				}
				out = append(out, facts...)
				// Invoke, NewStream or a wrapper given the full method name;
				// a wrapper given the client's method as a value
				// (call(ctx, pb.KVClient.Put, req), call(ctx, c.Put, req)).
				for _, arg := range call.Args {
					if s := constString(tp.Info, arg); x.byFull[s] != nil {
						out = append(out, fact{contract: rpcContractID(x.byFull[s].name), key: s,
							place: placeAt(fset, arg.Pos(), fn, "the method's full name")})
					}
					if f, ok := clientMethod(tp.Info, x, arg); ok {
						f.place = placeAt(fset, arg.Pos(), fn, "the client's method, handed to "+calleeName(tp.Info, call))
						if tolerant {
							f.place.Optional = true
						}
						out = append(out, f)
					}
				}
				return true
			})
		}
	}
	return out
}

// handlesUnimplemented reports whether a function names the status of a
// server that lacks the method (gRPC's codes.Unimplemented, Connect's
// connect.CodeUnimplemented): its calls do without a method the server
// does not have yet, or no longer has (capability negotiation), so they
// impose no order.
func handlesUnimplemented(info *types.Info, body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || found {
			return !found
		}
		obj := info.Uses[sel.Sel]
		if obj == nil || obj.Pkg() == nil {
			return true
		}
		switch p := obj.Pkg().Path(); {
		case obj.Name() == "Unimplemented" && p == "google.golang.org/grpc/codes",
			obj.Name() == "CodeUnimplemented" && (p == "connectrpc.com/connect" || p == "github.com/bufbuild/connect-go"):
			found = true
		}
		return !found
	})
	return found
}

func funcFullName(info *types.Info, fd *ast.FuncDecl) string {
	if obj, ok := info.Defs[fd.Name].(*types.Func); ok {
		return obj.Origin().FullName()
	}
	return fd.Name.Name
}

func placeAt(fset *token.FileSet, pos token.Pos, fn, via string) Place {
	p := fset.Position(pos)
	return Place{Pos: Pos{File: p.Filename, Line: p.Line}, Func: fn, Via: via}
}

// rpcCall reads one call: a method of a generated client (a call), or the
// registration of an implementation (serving).
func rpcCall(fset *token.FileSet, info *types.Info, x *rpcIndex, generated map[string]bool, fn string, call *ast.CallExpr) []fact {
	// A client method: the selection's receiver is a generated client type.
	if f, ok := clientMethod(info, x, call.Fun); ok {
		f.place = placeAt(fset, call.Pos(), fn, "")
		return []fact{f}
	}
	// A registration: a function with a parameter of a server interface
	// type (RegisterFooServer, NewFooServiceHandler), or RegisterService
	// with the service's description.
	callee, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok {
		return nil
	}
	sig := callee.Type().(*types.Signature)
	for i := 0; i < sig.Params().Len() && i < len(call.Args); i++ {
		svc := x.byServer[namedOf(sig.Params().At(i).Type())]
		if svc == nil {
			continue
		}
		return serves(fset, info, svc, generated, fn, call, call.Args[i])
	}
	return nil
}

// clientMethod reports a generated client's method selected by e: c.Put
// (a method value) or pb.KVClient.Put (a method expression), called there
// or handed to a function that calls it.
func clientMethod(info *types.Info, x *rpcIndex, arg ast.Expr) (fact, bool) {
	sel, ok := ast.Unparen(arg).(*ast.SelectorExpr)
	if !ok {
		return fact{}, false
	}
	s := info.Selections[sel]
	if s == nil || s.Kind() != types.MethodExpr && s.Kind() != types.MethodVal {
		return fact{}, false
	}
	svc := x.byClient[namedOf(s.Recv())]
	if svc == nil {
		return fact{}, false
	}
	if _, ok := svc.methods[sel.Sel.Name]; !ok {
		return fact{}, false
	}
	return fact{contract: rpcContractID(svc.name), key: "/" + svc.name + "/" + sel.Sel.Name}, true
}

// calleeName names what a call calls, for people: a.Call, or "a function".
func calleeName(info *types.Info, call *ast.CallExpr) string {
	if f, ok := typeutil.Callee(info, call).(*types.Func); ok {
		if f.Pkg() != nil {
			return path.Base(f.Pkg().Path()) + "." + f.Name()
		}
		return f.Name()
	}
	return "a function"
}

// serves lists the methods of svc that the implementation passed as arg
// has in its own code.
func serves(fset *token.FileSet, info *types.Info, svc *rpcService, generated map[string]bool, fn string, call *ast.CallExpr, arg ast.Expr) []fact {
	impl := info.TypeOf(arg)
	var out []fact
	for m := range svc.methods {
		full := "/" + svc.name + "/" + m
		f := fact{contract: rpcContractID(svc.name), key: full, provide: true, place: placeAt(fset, call.Pos(), fn, "")}
		if impl == nil || types.IsInterface(impl) {
			out = append(out, f) // the implementation is not known here: it serves what its interface says
			continue
		}
		obj, _, _ := types.LookupFieldOrMethod(impl, true, nil, m)
		method, ok := obj.(*types.Func)
		if !ok {
			continue
		}
		p := fset.Position(method.Pos())
		if generated[p.Filename] {
			continue // promoted from an embedded Unimplemented... type: not served
		}
		f.place.Pos = Pos{File: p.Filename, Line: p.Line}
		out = append(out, f)
	}
	return out
}

// namedOf is the type key of t's named type, through one pointer.
func namedOf(t types.Type) string {
	t = derefType(t)
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return typeKeyOf(n.Obj())
	}
	return ""
}

func typeKeyOf(tn *types.TypeName) string {
	if n, ok := tn.Type().(*types.Named); ok {
		tn = n.Origin().Obj()
	}
	if tn.Pkg() == nil {
		return tn.Name()
	}
	return tn.Pkg().Path() + "." + tn.Name()
}

// rpcInterest decides, from syntax alone, which packages' generated RPC
// services the range may change: a package with a service description
// (grpc.ServiceDesc, Connect procedures) that the changed packages can see,
// when its own files changed, or a changed line that can see it names one
// of its methods, or a changed import names it.
func (pp *prepass) rpcInterest() bool {
	a := pp.a
	seen := map[string]bool{}
	for dir := range a.changedDirs {
		ip := a.ws.ImportPathOfDir(dir)
		if ip == "" {
			continue
		}
		deps := a.ws.InRepoDeps(ip)
		deps[ip] = true
		for _, imp := range a.base.importsAt(ip) {
			if _, ok := a.ws.DirOfImportPath(imp); ok {
				for d := range a.ws.InRepoDeps(imp) {
					deps[d] = true
				}
				deps[imp] = true
			}
		}
		for _, d := range sortedKeys(deps) {
			if seen[d] {
				continue
			}
			seen[d] = true
			files := map[string][]byte{}
			for _, side := range Sides {
				for _, f := range a.goFiles(d, side) {
					if _, ok := files[f]; !ok {
						if data := a.content(f, side); data != nil {
							files[f] = data
						}
					}
				}
			}
			methods := rpcMethodNames(token.NewFileSet(), files)
			if len(methods) == 0 {
				continue
			}
			if pp.rpcTouched(d, methods) {
				a.rpc[d] = true
			}
		}
	}
	return len(a.rpc) > 0
}

// rpcTouched reports whether the range can change the services of RPC
// package ip, whose methods are named.
func (pp *prepass) rpcTouched(ip string, methods []string) bool {
	a := pp.a
	if dir, ok := a.ws.DirOfImportPath(ip); ok && a.changedDirs[dir] {
		return true
	}
	for _, side := range Sides {
		if pp.ct[side].imports[ip] {
			return true
		}
		for dir, u := range pp.ct[side].uses {
			// A client calls the generated client, and a server declares
			// the method, in a package that imports the generated one.
			if !pp.importsPackage(dir, ip) {
				continue
			}
			for _, m := range methods {
				if u.idents[m] {
					return true
				}
			}
		}
	}
	return false
}

// importsPackage reports whether the package in a changed directory is, or
// imports, package ip, at base or head.
func (pp *prepass) importsPackage(dir, ip string) bool {
	from := pp.a.ws.ImportPathOfDir(dir)
	if from == "" {
		return false
	}
	if from == ip || slices.Contains(pp.a.base.importsAt(from), ip) {
		return true
	}
	p := pp.a.ws.Packages[from]
	return p != nil && slices.Contains(p.Imports, ip)
}
