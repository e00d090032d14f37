package contract

import "go/types"

// funcNames memoises the full names of functions (of their generic
// origins) for one package's walk: building a name allocates, and a walk
// asks for the callee of every call (on etcd 5d8f9378b0, 23 MB of names,
// most of them the same few, and 9 MiB of the peak).
type funcNames map[*types.Func]string

// of returns f.Origin().FullName().
func (n funcNames) of(f *types.Func) string {
	f = f.Origin()
	if s, ok := n[f]; ok {
		return s
	}
	s := f.FullName()
	n[f] = s
	return s
}
