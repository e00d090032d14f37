package contract

import (
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strings"

	"github.com/deployorder/deployorder/contract/access"
	"golang.org/x/tools/go/types/typeutil"
)

// HTTP routes are elements keyed by the pattern a server registers, in
// net/http's syntax ("GET /items/{id}", "/static/"). A service serves a
// route when its code registers it: net/http's ServeMux (Go 1.22 patterns
// and prefix patterns), chi, gorilla/mux, gin and echo (with the prefixes
// of groups and sub-routers set up in the same function), or a generated
// server's registration function that it calls. It calls a route when its
// code sends a request to a path that the route matches, as net/http
// matches it: http.NewRequest(WithContext), http.Get/Head/Post/PostForm and
// a client's methods, with a URL built from constants, concatenation,
// fmt.Sprintf, url.JoinPath or path.Join. A request whose path cannot be
// known is reported, never guessed.

const httpContractID = "http"

// httpWords are identifiers that, on a changed line, register routes or
// build requests (http.Get and the like are recognised as calls of
// net/http).
var httpWords = map[string]bool{"Handle": true, "HandleFunc": true, "NewRequest": true, "NewRequestWithContext": true,
	"PostForm": true, "GET": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true,
	"Route": true, "Mount": true, "Methods": true, "PathPrefix": true, "JoinPath": true}

// httpImports are the packages whose importers may register routes or send
// requests.
var httpImports = []string{"net/http", "github.com/go-chi/chi", "github.com/gorilla/mux", "github.com/gin-gonic/gin", "github.com/labstack/echo"}

// httpInterest decides whether the range may change routes or requests: a
// changed line registers a route or sends a request, or holds a string that
// looks like a path or URL. Then the packages analysed are the changed ones
// that use HTTP, and the other packages that use HTTP and name a segment of
// one of the changed paths (their routes and requests are the ones the
// change can meet): the rest of the repository's HTTP code cannot be
// affected.
func (pp *prepass) httpInterest() bool {
	a := pp.a
	touched := false
	var segments []string
	for _, side := range Sides {
		for dir, paths := range pp.ct[side].paths {
			if !a.changedDirs[dir] {
				continue
			}
			touched = true
			for _, p := range paths {
				segments = append(segments, pathSegments(p)...)
			}
		}
		for _, u := range pp.ct[side].uses {
			for w := range httpWords {
				touched = touched || u.idents[w]
			}
		}
		for _, refs := range pp.ct[side].calls {
			for _, r := range refs {
				touched = touched || r.pkg == "net/http"
			}
		}
	}
	if !touched {
		return false
	}
	pkgs := map[string]bool{}
	for _, sides := range a.services {
		for _, side := range Sides {
			for _, p := range sides[side] {
				pkgs[p] = true
			}
		}
	}
	for _, ip := range sortedKeys(pkgs) {
		if !pp.usesHTTP(ip) {
			continue
		}
		dir, _ := a.ws.DirOfImportPath(ip)
		if a.changedDirs[dir] || pp.names(ip, segments) {
			a.http[ip] = true
		}
	}
	return len(a.http) > 0
}

// pathSegments are the literal segments of a path or URL that can tell its
// routes from others: not the scheme and host, not wildcards, not version
// and api prefixes.
func pathSegments(s string) []string {
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		j := strings.Index(rest, "/")
		if j < 0 {
			return nil
		}
		s = rest[j:]
	}
	if _, p, ok := strings.Cut(s, " "); ok {
		s = p // METHOD /path
	}
	var out []string
	for _, seg := range strings.Split(s, "/") {
		seg, _, _ = strings.Cut(seg, "?")
		if len(seg) < 3 || strings.ContainsAny(seg, "{}:*%") || seg == "api" || len(seg) <= 3 && seg[0] == 'v' {
			continue
		}
		out = append(out, seg)
	}
	return out
}

// usesHTTP reports whether a package imports net/http or a router, at base
// or head.
func (pp *prepass) usesHTTP(ip string) bool {
	imports := pp.a.base.importsAt(ip)
	if p := pp.a.ws.Packages[ip]; p != nil {
		imports = append(slices.Clone(imports), p.Imports...)
	}
	for _, imp := range imports {
		for _, h := range httpImports {
			if imp == h || strings.HasPrefix(imp, h+"/") {
				return true
			}
		}
	}
	return false
}

// names reports whether a package's source, at either side, holds "/seg"
// for one of the segments.
func (pp *prepass) names(ip string, segments []string) bool {
	if len(segments) == 0 {
		return false
	}
	for _, side := range Sides {
		for _, f := range pp.a.goFiles(ip, side) {
			data := string(pp.a.content(f, side))
			for _, seg := range segments {
				if strings.Contains(data, "/"+seg) {
					return true
				}
			}
		}
	}
	return false
}

// route is a registered pattern.
type route struct {
	method, path string
}

func (r route) key() string {
	if r.method == "" {
		return r.path
	}
	return r.method + " " + r.path
}

// request is a request that a package's code sends.
type request struct {
	method string // "" when not known
	path   string // with {} where a part is not known
	known  bool   // the path has a literal part
	place  Place
}

// httpFacts are one package's routes and requests.
type httpFacts struct {
	serves   []fact    // routes registered (contract http, key the route)
	requests []request // requests sent, matched to routes later
	unknown  []request // requests whose path cannot be known
}

// httpExtract reads one type-checked package. registrars maps generated
// functions to the routes they register (by key), filled for generated
// files and used for calls from hand-written code.
func httpExtract(fset *token.FileSet, tp *access.Package, registrars map[string][]string) httpFacts {
	var out httpFacts
	if tp.Info == nil {
		return out
	}
	names := funcNames{}
	// Generated registration functions first: calling one registers its
	// routes.
	for _, f := range tp.Files {
		if !ast.IsGenerated(f) {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				h := &httpWalker{fset: fset, info: tp.Info, fn: funcFullName(tp.Info, fd), registrars: registrars, names: names}
				h.walk(fd.Body)
				for _, s := range h.out.serves {
					registrars[h.fn] = append(registrars[h.fn], s.key)
				}
			}
		}
	}
	for _, f := range tp.Files {
		if ast.IsGenerated(f) {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				h := &httpWalker{fset: fset, info: tp.Info, fn: funcFullName(tp.Info, fd), registrars: registrars, names: names}
				h.walk(fd.Body)
				out.serves = append(out.serves, h.out.serves...)
				out.requests = append(out.requests, h.out.requests...)
				out.unknown = append(out.unknown, h.out.unknown...)
			}
		}
	}
	return out
}

// httpWalker reads one function.
type httpWalker struct {
	fset       *token.FileSet
	info       *types.Info
	fn         string
	registrars map[string][]string
	names      funcNames
	prefix     map[types.Object]string // router variables of groups and sub-routers -> their prefix
	defs       map[types.Object]ast.Expr
	handled    map[*ast.CallExpr]bool // registrations already read with their chained Methods
	out        httpFacts
}

func (h *httpWalker) walk(body *ast.BlockStmt) {
	h.prefix, h.defs, h.handled = map[types.Object]string{}, map[types.Object]ast.Expr{}, map[*ast.CallExpr]bool{}
	// Local definitions, for URLs built in steps and router groups.
	ast.Inspect(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok {
			return true
		}
		for i, l := range as.Lhs {
			var rhs ast.Expr
			switch {
			case len(as.Lhs) == len(as.Rhs):
				rhs = as.Rhs[i]
			case i == 0 && len(as.Rhs) == 1: // u, err := url.JoinPath(...)
				rhs = as.Rhs[0]
			default:
				continue
			}
			if id, ok := l.(*ast.Ident); ok {
				if o := h.info.ObjectOf(id); o != nil {
					if _, seen := h.defs[o]; !seen {
						h.defs[o] = rhs
					}
				}
			}
		}
		return true
	})
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			h.call(call)
		}
		return true
	})
}

var routeMethods = map[string]string{"Get": "GET", "Post": "POST", "Put": "PUT", "Delete": "DELETE", "Patch": "PATCH",
	"Head": "HEAD", "Options": "OPTIONS", "GET": "GET", "POST": "POST", "PUT": "PUT", "DELETE": "DELETE", "PATCH": "PATCH",
	"HEAD": "HEAD", "OPTIONS": "OPTIONS"}

// routerPkg reports whether a package path is a router's.
func routerPkg(p string) bool {
	for _, r := range []string{"net/http", "go-chi/chi", "gorilla/mux", "gin-gonic/gin", "labstack/echo"} {
		if p == r || strings.Contains(p, r) {
			return true
		}
	}
	return false
}

func (h *httpWalker) call(call *ast.CallExpr) {
	callee, _ := typeutil.Callee(h.info, call).(*types.Func)
	if callee == nil {
		return
	}
	if keys, ok := h.registrars[h.names.of(callee)]; ok {
		for _, k := range keys {
			h.serveKey(k, call)
		}
		return
	}
	if h.handled[call] {
		return
	}
	pkg := ""
	if callee.Pkg() != nil {
		pkg = callee.Pkg().Path()
	}
	name := callee.Name()
	if pkg == "net/http" || pkg == "" {
		if h.request(call, callee) {
			return
		}
	}
	if !routerPkg(pkg) {
		return
	}
	var recv ast.Expr
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && h.info.Selections[sel] != nil {
		recv = sel.X
	}
	prefix := h.prefixOf(recv)
	arg := func(i int) (string, bool) {
		if i >= len(call.Args) {
			return "", false
		}
		s := constString(h.info, call.Args[i])
		return s, s != ""
	}
	switch {
	case name == "Methods":
		// gorilla: r.HandleFunc(p, h).Methods("GET", "POST").
		sel, _ := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		inner, ok := ast.Unparen(sel.X).(*ast.CallExpr)
		if !ok || len(inner.Args) == 0 {
			return
		}
		isel, ok := ast.Unparen(inner.Fun).(*ast.SelectorExpr)
		if !ok || isel.Sel.Name != "HandleFunc" && isel.Sel.Name != "Handle" {
			return
		}
		p := constString(h.info, inner.Args[0])
		if p == "" {
			return
		}
		h.handled[inner] = true
		for i := range call.Args {
			if m, ok := arg(i); ok {
				h.serve(route{strings.ToUpper(m), h.prefixOf(isel.X) + normalizePath(p)}, call)
			}
		}
	case name == "Handle" || name == "HandleFunc":
		p, ok := arg(0)
		if !ok {
			return
		}
		if pkg == "net/http" {
			method, path := splitPattern(p)
			h.serve(route{method, prefix + path}, call)
			return
		}
		h.serve(route{"", prefix + normalizePath(p)}, call)
	case routeMethods[name] != "" || name == "Any":
		if p, ok := arg(0); ok {
			h.serve(route{routeMethods[name], prefix + normalizePath(p)}, call)
		}
	case name == "Method" || name == "MethodFunc" || name == "Add" && strings.Contains(pkg, "echo"):
		m, ok1 := arg(0)
		p, ok2 := arg(1)
		if ok1 && ok2 {
			h.serve(route{strings.ToUpper(m), prefix + normalizePath(p)}, call)
		}
	case name == "Route":
		// chi: r.Route("/api", func(r chi.Router) { ... }): the function's
		// router has the prefix.
		p, ok := arg(0)
		if !ok || len(call.Args) < 2 {
			return
		}
		if lit, ok := call.Args[1].(*ast.FuncLit); ok && len(lit.Type.Params.List) == 1 && len(lit.Type.Params.List[0].Names) == 1 {
			if o := h.info.Defs[lit.Type.Params.List[0].Names[0]]; o != nil {
				h.prefix[o] = prefix + normalizePath(p)
			}
		}
	}
}

// prefixOf is the path prefix of a router expression: a group or
// sub-router variable (g := r.Group("/api")), or none.
func (h *httpWalker) prefixOf(e ast.Expr) string {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return ""
	}
	o := h.info.ObjectOf(id)
	if o == nil {
		return ""
	}
	if p, ok := h.prefix[o]; ok {
		return p
	}
	h.prefix[o] = ""
	def, ok := h.defs[o].(*ast.CallExpr)
	if !ok {
		return ""
	}
	sel, ok := ast.Unparen(def.Fun).(*ast.SelectorExpr)
	if !ok || len(def.Args) == 0 {
		return ""
	}
	switch sel.Sel.Name {
	case "Group", "PathPrefix":
		if p := constString(h.info, def.Args[0]); p != "" {
			h.prefix[o] = h.prefixOf(sel.X) + normalizePath(p)
		}
	case "Subrouter":
		if inner, ok := ast.Unparen(sel.X).(*ast.CallExpr); ok {
			if isel, ok := ast.Unparen(inner.Fun).(*ast.SelectorExpr); ok && isel.Sel.Name == "PathPrefix" && len(inner.Args) > 0 {
				h.prefix[o] = h.prefixOf(isel.X) + normalizePath(constString(h.info, inner.Args[0]))
			}
		}
	}
	return h.prefix[o]
}

func (h *httpWalker) serve(r route, call *ast.CallExpr) {
	if r.path != "" {
		h.serveKey(r.key(), call)
	}
}

func (h *httpWalker) serveKey(key string, call *ast.CallExpr) {
	h.out.serves = append(h.out.serves, fact{contract: httpContractID, key: key, provide: true, place: placeAt(h.fset, call.Pos(), h.fn, "")})
}

// parseRoute reads a route key back.
func parseRoute(key string) route {
	m, p := splitPattern(key)
	return route{m, p}
}

// request reads a request-sending call of net/http; it reports whether the
// call was one.
func (h *httpWalker) request(call *ast.CallExpr, callee *types.Func) bool {
	method, urlArg := "", -1
	switch h.names.of(callee) {
	case "net/http.NewRequest":
		method, urlArg = constString(h.info, call.Args[0]), 1
	case "net/http.NewRequestWithContext":
		method, urlArg = constString(h.info, call.Args[1]), 2
	case "net/http.Get", "(*net/http.Client).Get":
		method, urlArg = "GET", 0
	case "net/http.Head", "(*net/http.Client).Head":
		method, urlArg = "HEAD", 0
	case "net/http.Post", "(*net/http.Client).Post", "net/http.PostForm", "(*net/http.Client).PostForm":
		method, urlArg = "POST", 0
	default:
		return false
	}
	if urlArg >= len(call.Args) {
		return true
	}
	u := h.eval(call.Args[urlArg], 0)
	path, known := pathOf(u)
	r := request{method: strings.ToUpper(method), path: path, known: known, place: placeAt(h.fset, call.Pos(), h.fn, "")}
	if known {
		h.out.requests = append(h.out.requests, r)
	} else {
		h.out.unknown = append(h.out.unknown, r)
	}
	return true
}

const unknownPart = "{}"

// eval evaluates a URL expression: constants, concatenation, fmt.Sprintf,
// url.JoinPath and path.Join, and local variables defined from them; what
// is not known becomes {}.
func (h *httpWalker) eval(e ast.Expr, depth int) string {
	if s := constString(h.info, e); s != "" {
		return s
	}
	if depth > 4 {
		return unknownPart
	}
	switch x := ast.Unparen(e).(type) {
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			return h.eval(x.X, depth+1) + h.eval(x.Y, depth+1)
		}
	case *ast.Ident:
		if o := h.info.ObjectOf(x); o != nil {
			if def, ok := h.defs[o]; ok {
				return h.eval(def, depth+1)
			}
		}
	case *ast.CallExpr:
		callee, _ := typeutil.Callee(h.info, x).(*types.Func)
		if callee == nil {
			break
		}
		switch h.names.of(callee) {
		case "fmt.Sprintf":
			if len(x.Args) > 0 {
				if f := constString(h.info, x.Args[0]); f != "" {
					return sprintfRE.ReplaceAllStringFunc(f, func(v string) string {
						if v == "%%" {
							return "%"
						}
						return unknownPart
					})
				}
			}
		case "net/url.JoinPath", "path.Join":
			var parts []string
			for _, a := range x.Args {
				parts = append(parts, strings.Trim(h.eval(a, depth+1), "/"))
			}
			return strings.Join(parts, "/")
		}
	}
	return unknownPart
}

var sprintfRE = regexp.MustCompile(`%%|%[-+# 0-9.*\[\]]*[a-zA-Z]`)

// pathOf takes the path out of an evaluated URL ("http://svc:8080/x/{}",
// "{}/x", "/x?y=1"); known is false when no literal part of it is known.
func pathOf(u string) (string, bool) {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		j := strings.Index(rest, "/")
		if j < 0 {
			return "/", false
		}
		u = rest[j:]
	} else {
		u = strings.TrimPrefix(u, unknownPart) // a base URL not known here
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if !strings.HasPrefix(u, "/") {
		return u, false
	}
	known := strings.Trim(strings.ReplaceAll(u, unknownPart, ""), "/") != ""
	return u, known
}

// splitPattern splits a net/http pattern "[METHOD ][HOST]/path".
func splitPattern(p string) (method, path string) {
	p = strings.TrimSpace(p)
	if m, rest, ok := strings.Cut(p, " "); ok {
		method, p = strings.ToUpper(m), strings.TrimSpace(rest)
	}
	if i := strings.Index(p, "/"); i > 0 {
		p = p[i:] // a host
	}
	return method, p
}

// normalizePath turns the wildcards of other routers into net/http's:
// :id -> {id}, *rest -> {rest...}.
func normalizePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, ":") && len(s) > 1:
			segs[i] = "{" + s[1:] + "}"
		case strings.HasPrefix(s, "*"):
			name := s[1:]
			if name == "" {
				name = "rest"
			}
			segs[i] = "{" + name + "...}"
		case strings.HasPrefix(s, "{") && strings.Contains(s, ":"): // gorilla {id:[0-9]+}
			segs[i] = s[:strings.Index(s, ":")] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// matchRoute scores how well a request (method, path with {} parts)
// matches a route, as net/http would choose: 0 for no match, more for a
// more specific route.
func matchRoute(r route, method, path string) int {
	if r.method != "" && method != "" && r.method != method && !(r.method == "GET" && method == "HEAD") {
		return 0
	}
	pat := strings.Split(strings.TrimPrefix(r.path, "/"), "/")
	got := strings.Split(strings.TrimPrefix(path, "/"), "/")
	prefix := strings.HasSuffix(r.path, "/") && r.path != "/"
	if prefix {
		pat = pat[:len(pat)-1]
	}
	score := 1
	for i, p := range pat {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "...}") {
			return score + i
		}
		if i >= len(got) {
			return 0
		}
		g := got[i]
		switch {
		case g == p:
			score += 2
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") && g != "":
			score++
		case g == unknownPart || strings.Contains(g, unknownPart):
			score++ // an unknown part may be this literal
		default:
			return 0
		}
	}
	switch {
	case len(got) == len(pat):
		return score
	case prefix || r.path == "/":
		return score
	}
	return 0
}

// resolveRequests matches each request to the routes it calls: the best
// match among the routes served at its own side, else at the other side
// (a route gone at head, or new there). Requests that match no route of
// the repository go to another system and are left out.
func resolveRequests(reqs []request, routes [2]map[string]route, side Side) []fact {
	var out []fact
	for _, rq := range reqs {
		for _, s := range []Side{side, 1 - side} {
			best, keys := 0, []string(nil)
			for k, r := range routes[s] {
				switch sc := matchRoute(r, rq.method, rq.path); {
				case sc > best:
					best, keys = sc, []string{k}
				case sc == best && sc > 0:
					keys = append(keys, k)
				}
			}
			if best == 0 {
				continue
			}
			for _, k := range keys {
				out = append(out, fact{contract: httpContractID, key: k, place: rq.place})
			}
			break
		}
	}
	return out
}
