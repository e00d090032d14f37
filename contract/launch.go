package contract

import (
	"go/ast"
	"go/token"
	"go/types"
	"path"
	"slices"
	"strings"
)

// The launcher side: where a service's code builds what another program
// of the repository runs with. A launch value is a container spec (a
// Container look-alike, alone or in a Pod's spec) or an *exec.Cmd; what
// flows into it within a function (its fields, the lists and maps
// assigned or appended to it, the values of ranges over it) is one class
// of values, and everything the class holds is handed to the program it
// runs: the variables of its environment, the constant strings of its
// command line (flags among them) and the annotations and labels of its
// object. The program is told by the class's container names, image names
// and command names (path.Base of a command line's first word). Functions
// that return such values, or fill the ones they are passed, are
// summarized, so a container built in one function and given its command
// in another is one class in the caller.

// launchItem is one constant of a launch class with where it is written.
type launchItem struct {
	s     string
	place Place
	// line is the command name of the command line a string was written
	// in (exec.Command's name, a string list's first element), "" when
	// unknown: a flag belongs to that program, not to another program the
	// same class may also run.
	line string
}

// launchContent is what a class of launch values holds.
type launchContent struct {
	names   []launchItem // container names
	images  []launchItem // image references
	heads   []launchItem // command names: first words of command lines, exec.Command's name
	env     []launchItem // variables set
	strs    []launchItem // constant strings of command lines (and of other string lists)
	annots  []launchItem // annotation and label keys set on the object
	mapKeys []launchItem // constant keys of a map (annotations when the map becomes an object's)
	sites   []Place      // where a container or command is built
}

func (c *launchContent) add(o *launchContent) {
	if o == nil {
		return
	}
	c.names = append(c.names, o.names...)
	c.images = append(c.images, o.images...)
	c.heads = append(c.heads, o.heads...)
	c.env = append(c.env, o.env...)
	c.strs = append(c.strs, o.strs...)
	c.annots = append(c.annots, o.annots...)
	c.mapKeys = append(c.mapKeys, o.mapKeys...)
	c.sites = append(c.sites, o.sites...)
}

func (c *launchContent) empty() bool {
	return len(c.names)+len(c.images)+len(c.heads)+len(c.env)+len(c.strs)+len(c.annots)+len(c.mapKeys)+len(c.sites) == 0
}

// compact drops repeated items, keeping the first of each.
func (c *launchContent) compact() {
	for _, l := range []*[]launchItem{&c.names, &c.images, &c.heads, &c.env, &c.strs, &c.annots, &c.mapKeys} {
		type key struct {
			s   string
			pos Pos
			fn  string
		}
		seen := map[key]bool{}
		*l = slices.DeleteFunc(*l, func(it launchItem) bool {
			k := key{it.s, it.place.Pos, it.place.Func}
			if seen[k] {
				return true
			}
			seen[k] = true
			return false
		})
	}
}

// flags are the flags the class's command lines pass.
func (c *launchContent) flags() []launchItem {
	var out []launchItem
	for _, it := range c.strs {
		if k, ok := flagKey(it.s); ok {
			out = append(out, launchItem{s: k, place: it.place, line: it.line})
		}
	}
	return out
}

// candidates are the names that can tell the class's program: container
// names, image names (the last path segment without tag or digest) and
// command names.
func (c *launchContent) candidates() (names, images, commands []string) {
	for _, it := range c.names {
		names = append(names, it.s)
	}
	for _, it := range c.images {
		images = append(images, it.s)
	}
	for _, it := range c.heads {
		commands = append(commands, path.Base(it.s))
	}
	return names, images, commands
}

// imageName is the name an image reference runs under: its last path
// segment without tag or digest ("quay.io/argoproj/argoexec:v3" -> argoexec).
func imageName(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	ref = path.Base(ref)
	ref, _, _ = strings.Cut(ref, ":")
	return ref
}

// launchSummary is what a function hands back: the launch values it
// returns, and what it adds to each launch value it is passed (by
// parameter index; -1 is the receiver).
type launchSummary struct {
	ret    *launchContent
	params map[int]*launchContent
}

// launchSums are the summaries of the functions analysed so far, by
// types.Func.FullName of the origin, and the launch values of package
// variables.
type launchSums struct {
	funcs map[string]*launchSummary
	vars  map[string]*launchContent // importpath.name of a package variable
	types *launchTypes
}

func newLaunchSums() *launchSums {
	return &launchSums{funcs: map[string]*launchSummary{}, vars: map[string]*launchContent{}, types: newLaunchTypes()}
}

// clone copies the summaries for the other side: the base starts from
// the head's and replaces those of the packages that changed.
func (s *launchSums) clone() *launchSums {
	c := newLaunchSums()
	for k, v := range s.funcs {
		c.funcs[k] = v
	}
	for k, v := range s.vars {
		c.vars[k] = v
	}
	return c
}

// launchClass is a class of launch values of one function, with what it
// holds; escapes says that it is returned or stored in what the function
// was passed, so its callers see it too.
type launchClass struct {
	fn      string
	content *launchContent
	escapes bool
}

// launchPkg analyses one package's functions.
type launchPkg struct {
	fset    *token.FileSet
	info    *types.Info
	pkg     *types.Package
	sums    *launchSums
	names   funcNames
	decls   map[*types.Func]*ast.FuncDecl
	methods map[string][]*types.Func // method name -> the package's methods of that name
	busy    map[*types.Func]bool
	done    map[*types.Func]*launchSummary
	classes []launchClass
}

// launchExtract finds the launch classes of a package's own code and
// records its functions' summaries.
func launchExtract(fset *token.FileSet, info *types.Info, pkg *types.Package, files []*ast.File, sums *launchSums) []launchClass {
	lp := &launchPkg{fset: fset, info: info, pkg: pkg, sums: sums, names: funcNames{}, decls: map[*types.Func]*ast.FuncDecl{},
		methods: map[string][]*types.Func{}, busy: map[*types.Func]bool{}, done: map[*types.Func]*launchSummary{}}
	var vars []*ast.GenDecl
	for _, f := range files {
		if ast.IsGenerated(f) {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if fn, ok := info.Defs[d.Name].(*types.Func); ok && d.Body != nil {
					lp.decls[fn] = d
					if d.Recv != nil {
						lp.methods[fn.Name()] = append(lp.methods[fn.Name()], fn)
					}
				}
			case *ast.GenDecl:
				if d.Tok == token.VAR {
					vars = append(vars, d)
				}
			}
		}
	}
	// Package variables first: functions read their launch values.
	if len(vars) > 0 {
		w := lp.walker(pkg.Path()+".init", nil)
		for _, d := range vars {
			w.walk(d)
		}
		for _, d := range vars {
			for _, s := range d.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					if v, ok := info.Defs[n].(*types.Var); ok {
						if id, ok := w.byKey[objKey(v)]; ok {
							sums.vars[varKey(v)] = w.final()[w.find(id)]
						}
					}
				}
			}
		}
		lp.classes = append(lp.classes, w.classes()...)
	}
	fns := make([]*types.Func, 0, len(lp.decls))
	for fn := range lp.decls {
		fns = append(fns, fn)
	}
	slices.SortFunc(fns, func(a, b *types.Func) int { return int(a.Pos() - b.Pos()) })
	for _, fn := range fns {
		lp.summary(fn)
	}
	return lp.classes
}

// summary analyses a function of the package once and returns its
// summary; for a function of another package, the one recorded when that
// package was analysed. A function in a cycle of calls sees nil for the
// ones still in progress.
func (lp *launchPkg) summary(fn *types.Func) *launchSummary {
	key := lp.names.of(fn)
	d, local := lp.decls[fn]
	if !local {
		return lp.sums.funcs[key]
	}
	if s, ok := lp.done[fn]; ok {
		return s
	}
	if lp.busy[fn] {
		return nil
	}
	lp.busy[fn] = true
	w := lp.walker(key, d)
	w.walk(d.Body)
	s := w.summarize()
	delete(lp.busy, fn)
	lp.done[fn] = s
	lp.sums.funcs[key] = s
	lp.classes = append(lp.classes, w.classes()...)
	return s
}
