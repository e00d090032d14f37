package contract

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/deployorder/deployorder/graph"
)

// Process contracts are between a launcher, a service whose code builds a
// container spec or runs exec.Command, and the program of the repository
// it launches: the environment variables the launcher sets and the
// program reads, the command-line flags the program defines and the
// launcher passes, and the annotations and labels the launcher writes on
// the object it creates and the program reads back. Each is a contract
// per launched program, "env:proxy", "flag:proxy", "annotation:proxy",
// whose elements are keyed by the variable's name, the flag's name
// without dashes and the annotation's key. The launcher side is in
// launch.go, the program side in program.go; this file decides what to
// analyse, matches launch sites to programs, and turns both into roles.

// processDefinition is the definition of a process contract that only
// facts define; nil for an ID of another kind.
func processDefinition(id string) *definition {
	kind, program, ok := strings.Cut(id, ":")
	if !ok || program == "" || !Kind(kind).IsProcess() {
		return nil
	}
	name := map[Kind]string{Env: " env", Flag: " flags", Annotation: " annotations"}[Kind(kind)]
	return &definition{id: id, name: program + name, kind: Kind(kind), elements: map[string]elementDef{}}
}

// processElement defines a process element at a side from its roles: a
// variable or an annotation exists where a service sets or reads it, a
// flag where the program defines it.
func processElement(k Kind, e *Element) {
	for _, side := range Sides {
		if e.Type[side] != "" {
			continue
		}
		var from Roles
		switch {
		case len(e.Providers[side]) > 0:
			from = e.Providers[side]
		case k != Flag && len(e.Consumers[side]) > 0:
			from = e.Consumers[side]
		default:
			continue
		}
		e.Type[side] = k.Noun()
		svc := sortedKeys(keysOf(from))[0]
		if ps := from[svc]; len(ps) > 0 {
			e.Decl[side] = ps[0].Pos
		}
	}
}

// processRoles adjusts the roles of process contracts once every
// service's facts are in: a launcher that launched a program at base and
// no longer does at head (or whose launch site no longer names it) hands
// it nothing at base either, so that its removal is not a break; and
// the flags and annotations of a program that no service launches are no
// contract (nobody passes or sets them), so their contracts are dropped.
func (a *analysis) processRoles(byID map[string]*Contract, rolesOf map[string]*kindRoles, launched [2]map[string]map[string]Pos) {
	noted := map[[2]string]bool{}
	for _, id := range sortedKeys(keysOf(byID)) {
		c := byID[id]
		if !c.Kind.IsProcess() {
			continue
		}
		prog := ProgramOf(c)
		if c.Kind != Env && len(launched[Base][prog]) == 0 && len(launched[Head][prog]) == 0 {
			delete(byID, id)
			continue
		}
		r := rolesOf[id]
		launcherRoles := r.providers[Base]
		if c.Kind == Flag {
			launcherRoles = r.consumers[Base]
		}
		for _, svc := range sortedKeys(keysOf(launched[Base][prog])) {
			if _, still := launched[Head][prog][svc]; still {
				continue
			}
			for _, roles := range launcherRoles {
				delete(roles, svc)
			}
			if a.services[svc][Head] == nil || a.services[prog][Head] == nil || noted[[2]string{svc, prog}] {
				continue
			}
			noted[[2]string{svc, prog}] = true
			at := launched[Base][prog][svc]
			a.res.Notes = append(a.res.Notes, graph.Warning{Code: "LAUNCH_GONE", File: at.File, Line: at.Line,
				Message: fmt.Sprintf("%s launches %s at base, here, but deployorder finds no launch of %s in its code at head: it stopped launching it, or the launch site no longer names it (then declare it under launches: in deployorder.yaml); what %s handed %s at base is left out of the plan", svc, prog, prog, svc, prog)})
		}
	}
}

// programNames maps the names a launch site can run a service by (its
// name and its main directory's base name) to the services.
func (a *analysis) programNames() map[string][]string {
	out := map[string][]string{}
	add := func(name, dir string) {
		for _, n := range []string{name, path.Base(dir)} {
			if n != "" && n != "." && !slices.Contains(out[n], name) {
				out[n] = append(out[n], name)
			}
		}
	}
	if a.in.Impact != nil {
		for _, si := range a.in.Impact.Services {
			if si.Service.Main != "" {
				add(si.Service.Name, si.Service.Dir)
			}
		}
	}
	for _, s := range a.ws.Services {
		if s.Main != "" {
			add(s.Name, s.Dir)
		}
	}
	for _, l := range out {
		slices.Sort(l)
	}
	return out
}

// launchFacts matches a side's launch classes to the programs they run
// and turns what each class hands its program into facts: variables and
// annotations it sets, flags it passes. A launch site whose program no
// service and no launches: entry names is left out; on a changed line at
// head, a note says so.
func (a *analysis) launchFacts(classes []launchClass, programs map[string][]string, side Side) (facts, marks []fact) {
	for _, cl := range classes {
		c := cl.content
		names, images, commands := c.candidates()
		progs := map[string]string{} // program -> the only launcher it counts for ("" for any)
		var cands []string
		cands = append(cands, names...)
		for _, im := range images {
			cands = append(cands, imageName(im))
		}
		cands = append(cands, commands...)
		for _, n := range cands {
			for _, svc := range programs[n] {
				progs[svc] = ""
			}
		}
		for _, l := range a.cfg.MatchLaunches("", names, append(images, imagesNames(images)...), commands) {
			if _, ok := progs[l.Program]; !ok {
				progs[l.Program] = l.Launcher
			}
		}
		if len(progs) == 0 {
			if side == Head && !cl.escapes {
				a.unmatchedLaunch(cl, names, images, commands)
			}
			continue
		}
		at := func(it launchItem) Place {
			p := it.place
			p.Func = cl.fn // the launch counts for the services that run the function that launches
			return p
		}
		site := Place{Func: cl.fn}
		if len(c.sites) > 0 {
			site.Pos = c.sites[0].Pos
		}
		for _, prog := range sortedKeys(keysOf(progs)) {
			only := progs[prog]
			marks = append(marks, fact{contract: prog, place: site, launcher: only})
			for _, it := range c.env {
				facts = append(facts, fact{contract: processID(Env, prog), key: it.s, provide: true, place: at(it), launcher: only})
			}
			for _, it := range c.flags() {
				if !flagFor(it, prog, programs) {
					continue
				}
				facts = append(facts, fact{contract: processID(Flag, prog), key: it.s, place: at(it), launcher: only})
			}
			for _, it := range c.annots {
				facts = append(facts, fact{contract: processID(Annotation, prog), key: it.s, provide: true, place: at(it), launcher: only})
			}
		}
	}
	return dedupeFacts(facts), dedupeFacts(marks)
}

// shells run the command line they are handed: the flags written next
// to them are theirs (sh -c), not the program's the same class also runs.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true, "busybox": true}

// flagFor reports whether a flag of a class's command lines is passed to
// program prog: not when it was written in a command line that starts
// with a shell or with another program of the repository (a variable
// that holds `/bin/sh -c ...` on one path and `argoexec kill` on another).
func flagFor(it launchItem, prog string, programs map[string][]string) bool {
	if it.line == "" {
		return true
	}
	if shells[it.line] {
		return false
	}
	svcs := programs[it.line]
	return len(svcs) == 0 || slices.Contains(svcs, prog)
}

func imagesNames(images []string) []string {
	var out []string
	for _, im := range images {
		out = append(out, imageName(im))
	}
	return out
}

func dedupeFacts(fs []fact) []fact {
	type key struct {
		contract, key, fn, launcher string
		provide                     bool
		pos                         Pos
	}
	seen := map[key]bool{}
	return slices.DeleteFunc(fs, func(f fact) bool {
		k := key{f.contract, f.key, f.place.Func, f.launcher, f.provide, f.place.Pos}
		if seen[k] {
			return true
		}
		seen[k] = true
		return false
	})
}

// unmatchedLaunch notes a launch site on a changed line whose program
// cannot be told.
func (a *analysis) unmatchedLaunch(cl launchClass, names, images, commands []string) {
	var places []Place
	places = append(places, cl.content.sites...)
	for _, l := range [][]launchItem{cl.content.env, cl.content.flags(), cl.content.annots} {
		for _, it := range l {
			places = append(places, it.place)
		}
	}
	for _, p := range places {
		if !a.onChangedLine(p.Pos) {
			continue
		}
		for _, n := range a.res.Notes {
			if n.Code == "UNMATCHED_LAUNCH" && n.File == p.File && n.Line == p.Line {
				return
			}
		}
		var named []string
		for _, l := range []struct {
			what string
			list []string
		}{{"container", names}, {"image", images}, {"command", commands}} {
			for _, n := range uniqueSorted(l.list) {
				named = append(named, l.what+" "+strconv.Quote(n))
			}
		}
		what := "names no program"
		if len(named) > 0 {
			what = "names " + strings.Join(named, ", ") + ", which is no service of this repository"
		}
		a.res.Notes = append(a.res.Notes, graph.Warning{Code: "UNMATCHED_LAUNCH", File: p.File, Line: p.Line,
			Message: fmt.Sprintf("this launch site hands a program variables, flags or annotations, but %s: it imposes no order; if it runs a service of the repository, declare it under launches: in deployorder.yaml", what)})
		return
	}
}

func uniqueSorted(l []string) []string {
	out := slices.Clone(l)
	slices.Sort(out)
	return slices.Compact(out)
}

// onChangedLine reports whether a place is on a changed line at head.
func (a *analysis) onChangedLine(p Pos) bool {
	for _, lr := range a.changedLines[p.File] {
		if p.Line >= lr[0] && p.Line <= lr[1] {
			return true
		}
	}
	return false
}

// processText is what the changed lines of one side say about launched
// programs, for the syntax-only pre-pass.
type processText struct {
	dirs  map[string]bool      // directories whose changed lines read a variable or annotation, define a flag, build a launch site, or hold a key-like string
	keys  map[string]bool      // the variables, flags (without dashes) and annotation keys the changed lines name
	names map[string][]callRef // directory -> the constants and variables its changed lines use or declare (pkg "" for the file's own)
}

func newProcessText() processText {
	return processText{dirs: map[string]bool{}, keys: map[string]bool{}, names: map[string][]callRef{}}
}

// processWords are identifiers that, on a changed line, read variables or
// annotations, define flags or build launch sites.
var processWords = map[string]bool{"Getenv": true, "LookupEnv": true, "EnvVar": true, "Flags": true, "PersistentFlags": true,
	"Container": true, "Containers": true, "InitContainers": true, "Annotations": true, "Labels": true, "GetAnnotations": true,
	"GetLabels": true, "SetMetaDataAnnotation": true, "SetMetaDataLabel": true, "HasAnnotation": true, "HasLabel": true, "Flag": true}

// flagDefRE matches the names of flag definitions (StringVar, IntP,
// DurationVarP, StringSliceFlag).
var flagDefRE = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*(Var|VarP|P|Flag)$`)

// launchFields are the fields of a container spec or command that carry
// what a program is launched with.
var launchFields = map[string]bool{"Env": true, "Args": true, "Command": true, "Image": true}

var (
	envNameRE    = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`)
	dashFlagRE   = regexp.MustCompile(`^--?[A-Za-z][A-Za-z0-9._-]*(=.*)?$`)
	envAssignRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)
	annotationRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\.[a-z]{2,}/[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)
)

// processCall reports whether a call of a package function reads the
// environment, defines flags or runs a program.
func processCall(ref callRef) bool {
	switch {
	case ref.pkg == "os" && (ref.name == "Getenv" || ref.name == "LookupEnv"), ref.pkg == "syscall" && ref.name == "Getenv",
		ref.pkg == "os/exec", ref.pkg == "flag", strings.HasSuffix(ref.pkg, "/pflag"):
		return true
	}
	for _, p := range []string{"kingpin", "urfave/cli", "caarlos0/env", "envconfig"} {
		if strings.Contains(ref.pkg, p) {
			return true
		}
	}
	return false
}

// scan reads one parsed changed file; in reports whether a position is on
// a changed line, imports maps the file's import names to paths.
func (pt *processText) scan(f *ast.File, dir string, imports map[string]string, in func(token.Pos) bool) {
	if ast.IsGenerated(f) {
		return // generated code is transport: it neither launches nor reads
	}
	consts := map[string]bool{}
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.CONST {
			for _, s := range gd.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					consts[n.Name] = true
				}
			}
		}
	}
	key := func(e ast.Expr) {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				if k, ok := flagKey(s); ok {
					s = k
				}
				if isFlagName(s) || isEnvName(s) || annotationRE.MatchString(s) {
					pt.keys[s] = true
				}
			}
		}
	}
	// name records a constant or variable a changed line uses in a value.
	name := func(e ast.Expr) {
		switch x := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && ast.IsExported(x.Sel.Name) {
				if ip, ok := imports[id.Name]; ok {
					pt.names[dir] = append(pt.names[dir], callRef{ip, x.Sel.Name})
				}
			}
		case *ast.Ident:
			if consts[x.Name] {
				pt.names[dir] = append(pt.names[dir], callRef{"", x.Name})
			}
		}
	}
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		if !in(n.Pos()) && !in(n.End()) {
			return true
		}
		switch n := n.(type) {
		case *ast.Ident:
			if processWords[n.Name] || flagDefRE.MatchString(n.Name) {
				pt.dirs[dir] = true
			}
		case *ast.CallExpr:
			ref, ok := calledFunc(n, imports)
			sel, isSel := ast.Unparen(n.Fun).(*ast.SelectorExpr)
			if ok && processCall(ref) || isSel && (processWords[sel.Sel.Name] || flagDefRE.MatchString(sel.Sel.Name)) {
				pt.dirs[dir] = true
				for _, arg := range n.Args {
					key(arg)
				}
			}
			for _, arg := range n.Args {
				name(arg)
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok {
				if launchFields[k.Name] {
					pt.dirs[dir] = true
				}
				if k.Name == "Name" {
					key(n.Value)
				}
			}
			name(n.Value)
		case *ast.CompositeLit:
			for _, e := range n.Elts {
				name(e)
			}
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if sel, ok := ast.Unparen(l).(*ast.SelectorExpr); ok && (launchFields[sel.Sel.Name] || sel.Sel.Name == "Annotations" || sel.Sel.Name == "Labels") {
					pt.dirs[dir] = true
				}
			}
			for _, r := range n.Rhs {
				name(r)
			}
		case *ast.BinaryExpr:
			name(n.X)
			name(n.Y)
		case *ast.ValueSpec:
			for _, id := range n.Names {
				if consts[id.Name] {
					pt.names[dir] = append(pt.names[dir], callRef{"", id.Name})
				}
			}
		case *ast.Field:
			if n.Tag != nil && (strings.Contains(n.Tag.Value, `env:"`) || strings.Contains(n.Tag.Value, `envconfig:"`)) {
				pt.dirs[dir] = true
				for _, id := range n.Names {
					pt.keys[strings.ToUpper(id.Name)] = true
					pt.keys[strings.ToUpper(splitWords(id.Name))] = true
				}
				if tag, err := strconv.Unquote(n.Tag.Value); err == nil {
					for _, t := range []string{"env", "envconfig"} {
						if v, ok := reflect.StructTag(tag).Lookup(t); ok {
							v, _, _ = strings.Cut(v, ",")
							pt.keys[strings.ToUpper(strings.TrimSpace(v))] = true
						}
					}
				}
			}
		case *ast.BasicLit:
			if n.Kind != token.STRING {
				break
			}
			s, err := strconv.Unquote(n.Value)
			if err != nil {
				break
			}
			switch {
			case envNameRE.MatchString(s), annotationRE.MatchString(s):
				pt.keys[s] = true
			case dashFlagRE.MatchString(s):
				k, _ := flagKey(s)
				pt.keys[k] = true
			case envAssignRE.MatchString(s):
				k, _, _ := strings.Cut(s, "=")
				pt.keys[k] = true
			default:
				return true
			}
			pt.dirs[dir] = true
		}
		return true
	})
}

// processMarkers are strings whose absence from a package's source means
// it can neither read variables or annotations, nor define flags, nor
// launch a program.
var processMarkers = [][]byte{[]byte("Getenv"), []byte("LookupEnv"), []byte(`env:"`), []byte(`envconfig:"`), []byte("flag"),
	[]byte("Flag"), []byte("kingpin"), []byte("exec"), []byte("Container"), []byte("EnvVar"), []byte("Annotations"),
	[]byte("Labels"), []byte("Env"), []byte("Args")}

// processInterest decides, from syntax alone, whether the range may
// change a process contract: a changed line reads a variable or an
// annotation, defines a flag, builds a launch site, or holds a string that
// looks like a variable, a flag or an annotation key. Then the packages
// analysed are those that can take part (their source can read, define
// or launch) and either changed on such a line or name one of the keys or
// constants the changed lines name: the launcher that sets a variable a
// changed program reads, the program that defines a flag a changed
// launcher passes. The rest of the repository is not affected.
func (pp *prepass) processInterest() bool {
	a := pp.a
	triggered := map[string]bool{}
	var needles [][]byte
	for _, side := range Sides {
		pt := pp.ct[side].process
		for dir := range pt.dirs {
			triggered[dir] = true
		}
		for k := range pt.keys {
			needles = append(needles, []byte(strconv.Quote(k)))
			if !strings.Contains(k, "/") {
				needles = append(needles, []byte(`"-`+k), []byte(`"--`+k), []byte(`"`+k+`=`))
			}
		}
		for _, refs := range pt.names {
			for _, r := range refs {
				if _, inRepo := a.ws.DirOfImportPath(r.pkg); (r.pkg == "" || inRepo) && len(r.name) > 2 {
					needles = append(needles, []byte(r.name))
				}
			}
		}
	}
	if len(triggered) == 0 {
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
		dir, _ := a.ws.DirOfImportPath(ip)
		if dir == "" {
			dir = pp.baseDir(ip)
		}
		var src [][]byte
		for _, side := range Sides {
			if side == Base && !a.base.Changed[ip] {
				continue
			}
			for _, f := range a.goFiles(ip, side) {
				if data := a.content(f, side); !strings.HasSuffix(f, "_test.go") && !generatedSource(data) {
					src = append(src, data)
				}
			}
		}
		if !containsAny(src, processMarkers) {
			continue
		}
		if triggered[dir] || containsAny(src, needles) {
			a.process[ip] = true
		}
	}
	return len(a.process) > 0
}

// baseDir is the directory of a package that exists only at base.
func (pp *prepass) baseDir(ip string) string {
	for _, f := range pp.a.goFiles(ip, Base) {
		return path.Dir(f)
	}
	return ""
}

// generatedSource reports whether Go source carries the "Code generated
// ... DO NOT EDIT." comment before its package clause, from its bytes.
func generatedSource(data []byte) bool {
	head := data
	if bytes.HasPrefix(data, []byte("package ")) {
		return false
	}
	if i := bytes.Index(data, []byte("\npackage ")); i >= 0 {
		head = data[:i]
	}
	return generatedRE.Match(head)
}

var generatedRE = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

func containsAny(src [][]byte, needles [][]byte) bool {
	for _, s := range src {
		for _, n := range needles {
			if bytes.Contains(s, n) {
				return true
			}
		}
	}
	return false
}
