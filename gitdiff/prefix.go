package gitdiff

import (
	"encoding/hex"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// objectsWithPrefix lists the objects whose hash starts with the hex
// digits prefix (lower case, 4 to 39 of them): loose objects, and those
// of the pack indexes, found by binary search (go-git's HashesWithPrefix
// walks every entry of every index: a fifth of a second on a large
// repository, for each short hash). own holds the directory's packs, read
// once for the object reads too; alternates are searched as well. An
// index this reader does not know is an error: the caller falls back to
// go-git.
func objectsWithPrefix(dir *dotgit.DotGit, own *packSet, prefix string) ([]plumbing.Hash, error) {
	even, err := hex.DecodeString(prefix[:len(prefix)&^1])
	if err != nil {
		return nil, err
	}
	seen := map[plumbing.Hash]bool{}
	var out []plumbing.Hash
	add := func(h plumbing.Hash) {
		if !seen[h] && strings.HasPrefix(h.String(), prefix) {
			seen[h] = true
			out = append(out, h)
		}
	}
	sets := []*packSet{own}
	if alts, err := dir.Alternates(); err == nil {
		for _, alt := range alts {
			set := newPackSet(alt, nil)
			defer set.close()
			sets = append(sets, set)
		}
	}
	for _, set := range sets {
		loose, err := set.dir.ObjectsWithPrefix(even)
		if err != nil {
			return nil, err
		}
		for _, h := range loose {
			add(h)
		}
		idxs, err := set.indexes()
		if err != nil {
			return nil, err
		}
		for _, x := range idxs {
			for _, h := range x.withPrefix(even) {
				add(h)
			}
		}
	}
	return out, nil
}
