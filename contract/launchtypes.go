package contract

import (
	"go/types"
	"strings"
)

// The launch analysis recognises its types by their shape, not by their
// package, so that look-alikes of k8s.io/api/core/v1 (and the real one)
// both count: a struct named Container with an Image field and a command
// line or environment, a struct named EnvVar with a Name, a struct named
// ObjectMeta with annotations or labels, a PodSpec with containers, a Pod
// or PodTemplateSpec with such a spec, and os/exec.Cmd. Types that merely
// hold one of these (a workflow template that carries a user's container)
// are not launch types: their values do not become launched programs.

// launchKind classifies a type for the launch analysis.
type launchKind int

const (
	notLaunch     launchKind = iota
	containerType            // Container, *Container
	envVarType               // EnvVar
	objectType               // a struct that holds containers or object metadata (Pod, PodSpec, ObjectMeta), or *exec.Cmd
	listType                 // []string, []Container, []EnvVar and the like: values flow through them
	mapType                  // map[string]string: annotations and labels
)

// launchTypes memoizes the classification of named types.
type launchTypes struct {
	named map[*types.Named]launchKind
}

func newLaunchTypes() *launchTypes { return &launchTypes{named: map[*types.Named]launchKind{}} }

// kindOf classifies t.
func (lt *launchTypes) kindOf(t types.Type) launchKind {
	return lt.kindAt(t, 0)
}

func (lt *launchTypes) kindAt(t types.Type, depth int) launchKind {
	if t == nil || depth > 8 {
		return notLaunch
	}
	switch u := types.Unalias(t).(type) {
	case *types.Pointer:
		return lt.kindAt(u.Elem(), depth+1)
	case *types.Slice:
		if isString(u.Elem()) {
			return listType
		}
		switch lt.kindAt(u.Elem(), depth+1) {
		case containerType, envVarType, objectType:
			return listType
		}
	case *types.Map:
		if isString(u.Key()) && isString(u.Elem()) {
			return mapType
		}
	case *types.Tuple: // the results of a call: a launch value if one of them is
		for i := 0; i < u.Len(); i++ {
			if lt.kindAt(u.At(i).Type(), depth+1) != notLaunch {
				return listType
			}
		}
	case *types.Named:
		if k, ok := lt.named[u]; ok {
			return k
		}
		lt.named[u] = notLaunch // a recursive type is not one of these
		k := lt.classify(u, depth)
		lt.named[u] = k
		return k
	}
	return notLaunch
}

func (lt *launchTypes) classify(n *types.Named, depth int) launchKind {
	obj := n.Obj()
	if obj.Pkg() != nil && obj.Pkg().Path() == "os/exec" && obj.Name() == "Cmd" {
		return objectType
	}
	st, ok := n.Underlying().(*types.Struct)
	if !ok {
		return notLaunch
	}
	switch obj.Name() {
	case "Container":
		if fieldOf(st, "Image") != nil && (fieldOf(st, "Command") != nil || fieldOf(st, "Args") != nil || fieldOf(st, "Env") != nil) {
			return containerType
		}
	case "EnvVar":
		if f := fieldOf(st, "Name"); f != nil && isString(f.Type()) {
			return envVarType
		}
	case "ObjectMeta":
		if fieldOf(st, "Annotations") != nil || fieldOf(st, "Labels") != nil {
			return objectType
		}
	case "PodSpec":
		if f := fieldOf(st, "Containers"); f != nil && lt.kindAt(elemOf(f.Type()), depth+1) == containerType {
			return objectType
		}
	case "Pod", "PodTemplateSpec":
		if f := fieldOf(st, "Spec"); f != nil && lt.kindAt(f.Type(), depth+1) == objectType {
			return objectType
		}
	}
	return notLaunch
}

// elemOf is the element type of a slice (through a pointer); nil if none.
func elemOf(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	if s, ok := types.Unalias(derefType(t)).(*types.Slice); ok {
		return s.Elem()
	}
	return nil
}

func fieldOf(st *types.Struct, name string) *types.Var {
	for i := 0; i < st.NumFields(); i++ {
		if st.Field(i).Name() == name {
			return st.Field(i)
		}
	}
	return nil
}

func isString(t types.Type) bool {
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

// isExecCmd reports whether t is os/exec.Cmd or a pointer to it.
func isExecCmd(t types.Type) bool {
	n, ok := types.Unalias(derefType(t)).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "os/exec" && n.Obj().Name() == "Cmd"
}

// isEnvName reports whether s can be an environment variable's name.
func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// flagKey is the flag a command-line argument passes ("--log-level=debug"
// passes log-level, "-v" passes v); ok is false for anything else
// (positional arguments, "-", "--", negative numbers).
func flagKey(arg string) (string, bool) {
	if !strings.HasPrefix(arg, "-") {
		return "", false
	}
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	name, _, _ = strings.Cut(name, "=")
	if !isFlagName(name) {
		return "", false
	}
	return name, true
}

// isFlagName reports whether s can be the name of a flag.
func isFlagName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'):
		default:
			return false
		}
	}
	return true
}
