package gitdiff

import (
	"github.com/deployorder/deployorder/change"
	"github.com/go-git/go-git/v5/plumbing"
)

// Hunks returns the changed line runs of a file change. Binary files have
// no hunks (binary is true).
func (r *Repo) Hunks(fc change.File) (hunks []change.Hunk, binary bool, err error) {
	read := func(h string) ([]byte, error) {
		if h == "" || fc.Kind == change.Submodule {
			return nil, nil
		}
		return r.ReadBlob(plumbing.NewHash(h))
	}
	old, err := read(fc.OldBlob)
	if err != nil {
		return nil, false, err
	}
	cur, err := read(fc.NewBlob)
	if err != nil {
		return nil, false, err
	}
	if change.IsBinary(old) || change.IsBinary(cur) {
		return nil, true, nil
	}
	return change.LineHunks(string(old), string(cur)), false, nil
}
