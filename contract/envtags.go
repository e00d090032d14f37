package contract

import (
	"go/ast"
	"go/types"
	"reflect"
	"strings"
	"unicode"
)

// The struct-tag libraries: the variables a call of caarlos0/env,
// kelseyhightower/envconfig or sethvargo/go-envconfig parses into the
// struct it is given, each read placed at its field.

// envStruct reads the variables a struct-tag library parses into the
// struct a call is given.
func (pw *programWalker) envStruct(call *ast.CallExpr, f *types.Func, pkg string) {
	var target ast.Expr
	prefix := ""
	switch {
	case strings.Contains(pkg, "kelseyhightower/envconfig") && (f.Name() == "Process" || f.Name() == "MustProcess") && len(call.Args) == 2:
		prefix, target = constString(pw.info, call.Args[0]), call.Args[1]
	case strings.Contains(pkg, "sethvargo/go-envconfig") && (f.Name() == "Process" || f.Name() == "MustProcess") && len(call.Args) >= 2:
		target = call.Args[1]
	case strings.Contains(pkg, "caarlos0/env") && strings.HasPrefix(f.Name(), "Parse") && len(call.Args) >= 1:
		target = call.Args[0]
	}
	var t types.Type
	if target != nil {
		t = pw.info.TypeOf(target)
	} else if inst, ok := pw.info.Instances[calleeIdent(call.Fun)]; ok && inst.TypeArgs.Len() == 1 {
		t = inst.TypeArgs.At(0) // env.ParseAs[Config]()
	}
	if t == nil {
		return // the target's type is unknown (a package that does not type-check)
	}
	st, ok := types.Unalias(derefType(t)).Underlying().(*types.Struct)
	if !ok {
		return
	}
	lib := "caarlos0"
	switch {
	case strings.Contains(pkg, "kelseyhightower"):
		lib = "envconfig"
	case strings.Contains(pkg, "sethvargo"):
		lib = "sethvargo"
	}
	if prefix != "" {
		prefix = strings.ToUpper(prefix) + "_"
	}
	pw.tagFields(st, lib, prefix, 0)
}

func calleeIdent(fun ast.Expr) *ast.Ident {
	switch x := ast.Unparen(fun).(type) {
	case *ast.IndexExpr:
		return calleeIdent(x.X)
	case *ast.IndexListExpr:
		return calleeIdent(x.X)
	case *ast.Ident:
		return x
	case *ast.SelectorExpr:
		return x.Sel
	}
	return nil
}

// tagFields reads a struct's fields as a struct-tag library does: lib is
// caarlos0 (env:"NAME,required", envPrefix on nested structs), envconfig
// (kelseyhightower: every exported field, envconfig:"name",
// split_words:"true", required:"true", default) or sethvargo
// (env:"NAME,required", env:",prefix=P_").
func (pw *programWalker) tagFields(st *types.Struct, lib, prefix string, depth int) {
	if depth > 4 {
		return
	}
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		tag := reflect.StructTag(st.Tag(i))
		nested, isStruct := types.Unalias(derefType(f.Type())).Underlying().(*types.Struct)
		if isStruct && (isTimeOrURL(f.Type())) {
			isStruct = false
		}
		switch lib {
		case "envconfig":
			if !f.Exported() || tag.Get("ignored") == "true" {
				continue
			}
			name := tag.Get("envconfig")
			if name == "" {
				name = f.Name()
				if tag.Get("split_words") == "true" {
					name = splitWords(name)
				}
			}
			key := strings.ToUpper(prefix + name)
			if isStruct {
				p := prefix
				if !f.Anonymous() {
					p = key + "_"
				}
				pw.tagFields(nested, lib, p, depth+1)
				continue
			}
			_, hasDefault := tag.Lookup("default")
			pw.add(Env, key, false, f.Pos(), "a struct tag", !(tag.Get("required") == "true" && !hasDefault))
		default:
			env, hasTag := tag.Lookup("env")
			name, opts, _ := strings.Cut(env, ",")
			name = strings.TrimSpace(name)
			if isStruct && name == "" {
				p := prefix + tag.Get("envPrefix")
				for _, o := range strings.Split(opts, ",") {
					if v, ok := strings.CutPrefix(strings.TrimSpace(o), "prefix="); ok {
						p = prefix + v
					}
				}
				pw.tagFields(nested, lib, p, depth+1)
				continue
			}
			if !hasTag || name == "" {
				continue
			}
			required, hasDefault := false, false
			for _, o := range strings.Split(opts, ",") {
				switch o = strings.TrimSpace(o); {
				case o == "required" || o == "notEmpty":
					required = true
				case strings.HasPrefix(o, "default="):
					hasDefault = true
				}
			}
			if _, ok := tag.Lookup("envDefault"); ok {
				hasDefault = true
			}
			pw.add(Env, prefix+name, false, f.Pos(), "a struct tag", !(required && !hasDefault))
		}
	}
}

func isTimeOrURL(t types.Type) bool {
	n, ok := types.Unalias(derefType(t)).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	switch n.Obj().Pkg().Path() + "." + n.Obj().Name() {
	case "time.Time", "time.Duration", "net/url.URL":
		return true
	}
	return false
}

// splitWords is envconfig's split_words: "MaxRetryCount" -> "Max_Retry_Count".
func splitWords(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return b.String()
}
