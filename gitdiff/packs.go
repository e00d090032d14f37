package gitdiff

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// objectStore is go-git's filesystem storage whose object reads look the
// repository's packs up as git does. go-git's own index (MemoryIndex)
// copies each .idx and, on the first object read from a pack, builds a map
// from every offset to its hash: 70 ms and 33 MiB on etcd's 254,000
// objects, before the first commit of every plan. A packIndex reads the
// .idx file's bytes in place and finds hashes by offset with the pack's
// reverse index (the .rev file git writes since 2.31), or, without one,
// with a table sorted on first use. go-git still decodes the objects.
//
// Objects that are not in the repository's own packs (loose objects,
// alternates) are read by the storage as before; so is everything but
// EncodedObject (writes, references, the worktree index).
type objectStore struct {
	*filesystem.Storage
	packs *packSet
}

func (s *objectStore) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	obj, err := s.packs.get(h)
	if err != nil {
		return s.Storage.EncodedObject(t, h)
	}
	if t != plumbing.AnyObject && obj.Type() != t {
		return nil, plumbing.ErrObjectNotFound // as the storage says it
	}
	return obj, nil
}

// Close closes the packs and the storage.
func (s *objectStore) Close() error {
	s.packs.close()
	return s.Storage.Close()
}

// packSet is the packs of one objects directory, opened on first use.
// Any failure to read them (an index of another version, a damaged file)
// leaves every read to go-git, which reports it as it does.
type packSet struct {
	dir   *dotgit.DotGit
	cache cache.Object
	once  sync.Once
	packs []*pack
	err   error // why the packs could not be read
}

type pack struct {
	idx  *packIndex
	file billy.File
	pf   *packfile.Packfile
}

func newPackSet(dir *dotgit.DotGit, objects cache.Object) *packSet {
	return &packSet{dir: dir, cache: objects}
}

// errNotPacked is what get returns for an object the fast path leaves to
// the storage.
var errNotPacked = errors.New("not in the packs")

func (s *packSet) get(h plumbing.Hash) (plumbing.EncodedObject, error) {
	s.once.Do(s.open)
	for _, p := range s.packs {
		if _, ok := p.idx.find(h); ok {
			return p.pf.Get(h)
		}
	}
	return nil, errNotPacked
}

// indexes returns the indexes of the set's packs (opening it).
func (s *packSet) indexes() ([]*packIndex, error) {
	s.once.Do(s.open)
	var out []*packIndex
	for _, p := range s.packs {
		out = append(out, p.idx)
	}
	return out, s.err
}

func (s *packSet) open() {
	hashes, err := s.dir.ObjectPacks()
	var packs []*pack
	for _, h := range hashes {
		var idx *packIndex
		var f billy.File
		if idx, err = s.readIndex(h); err != nil {
			break
		}
		if f, err = s.dir.ObjectPack(h); err != nil {
			break
		}
		packs = append(packs, &pack{idx: idx, file: f, pf: packfile.NewPackfileWithCache(idx, s.dir.Fs(), f, s.cache, 0)})
	}
	if err != nil {
		for _, p := range packs {
			p.file.Close()
		}
		s.err = err
		return
	}
	s.packs = packs
}

// readIndex reads pack h's .idx and, if there is one that matches it, its
// .rev.
func (s *packSet) readIndex(h plumbing.Hash) (*packIndex, error) {
	f, err := s.dir.ObjectPackIdx(h)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	var rev []byte
	fs := s.dir.Fs()
	if rf, err := fs.Open(fs.Join("objects", "pack", "pack-"+h.String()+".rev")); err == nil {
		rev, _ = io.ReadAll(rf)
		rf.Close()
	}
	return parsePackIndex(data, rev)
}

func (s *packSet) close() {
	s.once.Do(func() {}) // a set never opened stays closed
	for _, p := range s.packs {
		p.file.Close()
	}
	s.packs = nil
}

// packIndex is a version 2 pack index (git's pack-format documentation):
// a fan-out table of 256 cumulative counts by first byte, the object names
// sorted, their CRC-32s, their 4-byte offsets (the high bit set: an index
// into the 8-byte offsets that follow), then the pack's and the index's
// checksums. It implements idxfile.Index for go-git's packfile decoder.
type packIndex struct {
	n                         int
	fanout                    []byte // 256 big-endian counts
	names, crcs, off32, off64 []byte
	packSum                   []byte

	// In pack order, the positions of the objects in names: the .rev's
	// table (its 12-byte header cut off), or byOffset, sorted on first use.
	rev      []byte
	sortOnce sync.Once
	byOffset []uint32
}

var errBadIndex = errors.New("not a version 2 pack index")

// parsePackIndex reads a .idx file's bytes, and rev (nil for none) as the
// pack's reverse index if it is one of the same pack.
func parsePackIndex(data, rev []byte) (*packIndex, error) {
	const header, fanout, sum = 8, 256 * 4, 20
	if len(data) < header+fanout+2*sum || !bytes.Equal(data[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(data[4:8]) != 2 {
		return nil, errBadIndex
	}
	x := &packIndex{fanout: data[header : header+fanout]}
	x.n = int(binary.BigEndian.Uint32(x.fanout[fanout-4:]))
	body := data[header+fanout : len(data)-2*sum]
	if len(body) < x.n*(20+4+4) || (len(body)-x.n*(20+4+4))%8 != 0 {
		return nil, errBadIndex
	}
	x.names, body = body[:x.n*20], body[x.n*20:]
	x.crcs, body = body[:x.n*4], body[x.n*4:]
	x.off32, x.off64 = body[:x.n*4], body[x.n*4:]
	x.packSum = data[len(data)-2*sum : len(data)-sum]
	// A .rev: "RIDX", version 1, hash function 1 (SHA-1), the positions,
	// the pack's checksum and its own (of everything before it): a wrong
	// position would hand the decoder another object as a delta's base.
	if len(rev) == 12+4*x.n+2*sum && string(rev[:4]) == "RIDX" &&
		binary.BigEndian.Uint32(rev[4:8]) == 1 && binary.BigEndian.Uint32(rev[8:12]) == 1 &&
		bytes.Equal(rev[12+4*x.n:12+4*x.n+sum], x.packSum) {
		if own := sha1.Sum(rev[:len(rev)-sum]); bytes.Equal(own[:], rev[len(rev)-sum:]) {
			x.rev = rev[12 : 12+4*x.n]
		}
	}
	return x, nil
}

// search returns the first position in names at or after key (a hash or
// the head of one, at least a byte long) and the end of key's first
// byte's stretch: the fan-out table bounds it, a binary search finds it.
func (x *packIndex) search(key []byte) (first, end int) {
	lo := 0
	if key[0] > 0 {
		lo = int(binary.BigEndian.Uint32(x.fanout[4*(int(key[0])-1):]))
	}
	hi := int(binary.BigEndian.Uint32(x.fanout[4*int(key[0]):]))
	if hi > x.n || lo > hi {
		return 0, 0 // a damaged fan-out table
	}
	end = hi
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(x.names[20*m:20*m+20], key) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, end
}

// find returns the position of h in names.
func (x *packIndex) find(h plumbing.Hash) (int, bool) {
	i, end := x.search(h[:])
	if i < end && bytes.Equal(x.names[20*i:20*i+20], h[:]) {
		return i, true
	}
	return 0, false
}

// withPrefix returns the hashes that start with the bytes prefix (all of
// them for none).
func (x *packIndex) withPrefix(prefix []byte) []plumbing.Hash {
	first, end := 0, x.n
	if len(prefix) > 0 {
		first, end = x.search(prefix)
	}
	var out []plumbing.Hash
	for i := first; i < end && bytes.HasPrefix(x.names[20*i:20*i+20], prefix); i++ {
		out = append(out, x.hash(i))
	}
	return out
}

// offset returns the pack offset of the object at position i.
func (x *packIndex) offset(i int) (int64, error) {
	o := binary.BigEndian.Uint32(x.off32[4*i:])
	if o&(1<<31) == 0 {
		return int64(o), nil
	}
	k := int(o &^ (1 << 31))
	if 8*k+8 > len(x.off64) {
		return 0, fmt.Errorf("%w: offset64 index out of range", idxfile.ErrMalformedIdxFile)
	}
	return int64(binary.BigEndian.Uint64(x.off64[8*k:])), nil
}

func (x *packIndex) hash(i int) (h plumbing.Hash) {
	copy(h[:], x.names[20*i:])
	return h
}

// inPackOrder returns the position of the object that is k-th in the pack.
func (x *packIndex) inPackOrder(k int) int {
	if x.rev != nil {
		return int(binary.BigEndian.Uint32(x.rev[4*k:]))
	}
	return int(x.byOffset[k])
}

// sortByOffset builds byOffset when there is no .rev.
func (x *packIndex) sortByOffset() {
	if x.rev != nil {
		return
	}
	type entry struct {
		off int64
		pos uint32
	}
	es := make([]entry, x.n)
	for i := range es {
		o, _ := x.offset(i) // a bad offset sorts first and matches nothing real
		es[i] = entry{o, uint32(i)}
	}
	slices.SortFunc(es, func(a, b entry) int {
		switch {
		case a.off < b.off:
			return -1
		case a.off > b.off:
			return 1
		}
		return 0
	})
	x.byOffset = make([]uint32, x.n)
	for k, e := range es {
		x.byOffset[k] = e.pos
	}
}

func (x *packIndex) Contains(h plumbing.Hash) (bool, error) {
	_, ok := x.find(h)
	return ok, nil
}

func (x *packIndex) FindOffset(h plumbing.Hash) (int64, error) {
	i, ok := x.find(h)
	if !ok {
		return 0, plumbing.ErrObjectNotFound
	}
	return x.offset(i)
}

func (x *packIndex) FindCRC32(h plumbing.Hash) (uint32, error) {
	i, ok := x.find(h)
	if !ok {
		return 0, plumbing.ErrObjectNotFound
	}
	return binary.BigEndian.Uint32(x.crcs[4*i:]), nil
}

func (x *packIndex) FindHash(o int64) (plumbing.Hash, error) {
	x.sortOnce.Do(x.sortByOffset)
	var err error
	lo, hi := 0, x.n
	for lo < hi && err == nil {
		m := int(uint(lo+hi) >> 1)
		var mo int64
		if i := x.inPackOrder(m); i < x.n {
			mo, err = x.offset(i)
		} else {
			err = errBadIndex // a damaged .rev
		}
		if mo < o {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if lo < x.n {
		if i := x.inPackOrder(lo); i < x.n {
			if mo, err := x.offset(i); err == nil && mo == o {
				return x.hash(i), nil
			}
		}
	}
	return plumbing.ZeroHash, plumbing.ErrObjectNotFound
}

func (x *packIndex) Count() (int64, error) { return int64(x.n), nil }

func (x *packIndex) Entries() (idxfile.EntryIter, error) {
	return x.entries(func(k int) int { return k })
}

func (x *packIndex) EntriesByOffset() (idxfile.EntryIter, error) {
	x.sortOnce.Do(x.sortByOffset)
	return x.entries(x.inPackOrder)
}

func (x *packIndex) entries(at func(int) int) (idxfile.EntryIter, error) {
	es := make([]*idxfile.Entry, x.n)
	for k := range es {
		i := at(k)
		if i >= x.n {
			return nil, errBadIndex
		}
		o, err := x.offset(i)
		if err != nil {
			return nil, err
		}
		es[k] = &idxfile.Entry{Hash: x.hash(i), CRC32: binary.BigEndian.Uint32(x.crcs[4*i:]), Offset: uint64(o)}
	}
	return &entryIter{es: es}, nil
}

type entryIter struct{ es []*idxfile.Entry }

func (it *entryIter) Next() (*idxfile.Entry, error) {
	if len(it.es) == 0 {
		return nil, io.EOF
	}
	e := it.es[0]
	it.es = it.es[1:]
	return e, nil
}

func (it *entryIter) Close() error { it.es = nil; return nil }
