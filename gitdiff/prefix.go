package gitdiff

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// errUnknownIdx is a pack index this reader does not know: the caller
// falls back to go-git's walk of every entry.
var errUnknownIdx = errors.New("not a version 2 pack index")

// objectsWithPrefix lists the objects whose hash starts with the hex
// digits prefix (lower case, 4 to 39 of them): loose objects, and those
// of the pack indexes, found by binary search in each .idx file (go-git's
// HashesWithPrefix walks every entry of every index: a fifth of a second
// on a large repository, for each short hash). Alternates are searched too.
func objectsWithPrefix(dir *dotgit.DotGit, prefix string) ([]plumbing.Hash, error) {
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
	dirs := []*dotgit.DotGit{dir}
	if alts, err := dir.Alternates(); err == nil {
		dirs = append(dirs, alts...)
	}
	for _, d := range dirs {
		loose, err := d.ObjectsWithPrefix(even)
		if err != nil {
			return nil, err
		}
		for _, h := range loose {
			add(h)
		}
		packs, err := d.ObjectPacks()
		if err != nil {
			return nil, err
		}
		for _, p := range packs {
			f, err := d.ObjectPackIdx(p)
			if err != nil {
				return nil, err
			}
			hashes, err := idxWithPrefix(f, even)
			f.Close()
			if err != nil {
				return nil, err
			}
			for _, h := range hashes {
				add(h)
			}
		}
	}
	return out, nil
}

// idxWithPrefix returns the hashes of a version 2 pack index that start
// with the bytes prefix: the fan-out table bounds the names whose first
// byte matches, and a binary search finds the first with the prefix.
func idxWithPrefix(r io.ReaderAt, prefix []byte) ([]plumbing.Hash, error) {
	const header, fanout, size = 8, 256 * 4, 20
	var head [header + fanout]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, err
	}
	if !bytes.Equal(head[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(head[4:8]) != 2 {
		return nil, errUnknownIdx
	}
	count := func(b int) int {
		if b < 0 {
			return 0
		}
		return int(binary.BigEndian.Uint32(head[header+4*b:]))
	}
	lo, hi := 0, count(255)
	if len(prefix) > 0 {
		lo, hi = count(int(prefix[0])-1), count(int(prefix[0]))
	}
	name := func(i int) (plumbing.Hash, error) {
		var h plumbing.Hash
		_, err := r.ReadAt(h[:], int64(header+fanout+size*i))
		return h, err
	}
	var readErr error
	first := lo + sort.Search(hi-lo, func(i int) bool {
		h, err := name(lo + i)
		if err != nil {
			readErr = err
			return true
		}
		return bytes.Compare(h[:len(prefix)], prefix) >= 0
	})
	if readErr != nil {
		return nil, readErr
	}
	var out []plumbing.Hash
	for i := first; i < hi; i++ {
		h, err := name(i)
		if err != nil {
			return nil, err
		}
		if !bytes.HasPrefix(h[:], prefix) {
			break
		}
		out = append(out, h)
	}
	return out, nil
}
