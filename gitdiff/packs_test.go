package gitdiff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/internal/testrepo"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// packedRepo makes a repository of similar files (so the pack has deltas),
// packed with or without a reverse index, and one loose commit on top.
func packedRepo(t *testing.T, withRev bool) *testrepo.Repo {
	t.Helper()
	r := testrepo.New(t)
	for i := range 60 {
		body := strings.Repeat(fmt.Sprintf("line %d of a file that changes a little\n", i%5), 40) + fmt.Sprint(i)
		r.CommitFiles(fmt.Sprintf("c%d", i), map[string]string{fmt.Sprintf("f%d.txt", i%4): body})
	}
	r.Git("-c", fmt.Sprintf("pack.writeReverseIndex=%v", withRev), "gc", "-q", "--aggressive")
	r.CommitFiles("loose", map[string]string{"loose.txt": "x"})
	revs, _ := filepath.Glob(filepath.Join(r.Dir, ".git", "objects", "pack", "*.rev"))
	if withRev != (len(revs) == 1) {
		t.Fatalf("reverse indexes: %v, want one: %v", revs, withRev)
	}
	return r
}

// onePack returns the bytes of the repository's pack index and its .rev
// (nil without one).
func onePack(t *testing.T, dir string) (idx, rev []byte) {
	t.Helper()
	idxs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("pack indexes: %v", idxs)
	}
	idx, err := os.ReadFile(idxs[0])
	if err != nil {
		t.Fatal(err)
	}
	rev, _ = os.ReadFile(strings.TrimSuffix(idxs[0], ".idx") + ".rev")
	return idx, rev
}

// sameIndex checks every lookup of got against go-git's index of the same
// data, and lookups of what is not there.
func sameIndex(t *testing.T, got *packIndex, want *idxfile.MemoryIndex) {
	t.Helper()
	n, _ := want.Count()
	if c, _ := got.Count(); c != n || n == 0 {
		t.Fatalf("count %d, want %d", c, n)
	}
	it, _ := want.Entries()
	for {
		e, err := it.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if ok, _ := got.Contains(e.Hash); !ok {
			t.Fatalf("%s not contained", e.Hash)
		}
		if o, err := got.FindOffset(e.Hash); err != nil || o != int64(e.Offset) {
			t.Fatalf("offset of %s: %d %v, want %d", e.Hash, o, err, e.Offset)
		}
		if c, err := got.FindCRC32(e.Hash); err != nil || c != e.CRC32 {
			t.Fatalf("crc of %s: %x %v, want %x", e.Hash, c, err, e.CRC32)
		}
		if h, err := got.FindHash(int64(e.Offset)); err != nil || h != e.Hash {
			t.Fatalf("hash at %d: %s %v, want %s", e.Offset, h, err, e.Hash)
		}
		if _, err := got.FindHash(int64(e.Offset) + 1); !errors.Is(err, plumbing.ErrObjectNotFound) {
			t.Fatalf("hash at %d+1: %v, want not found", e.Offset, err)
		}
		missing := e.Hash
		missing[19] ^= 1
		if ok, _ := want.Contains(missing); !ok {
			if _, err := got.FindOffset(missing); !errors.Is(err, plumbing.ErrObjectNotFound) {
				t.Fatalf("offset of missing %s: %v", missing, err)
			}
		}
	}
	for _, h := range []plumbing.Hash{{}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}} {
		if ok, _ := got.Contains(h); ok {
			t.Fatalf("%s contained", h)
		}
	}
	if _, err := got.FindHash(-1); !errors.Is(err, plumbing.ErrObjectNotFound) {
		t.Fatalf("hash at -1: %v", err)
	}
	a, _ := got.EntriesByOffset()
	b, _ := want.EntriesByOffset()
	for {
		x, errx := a.Next()
		y, erry := b.Next()
		if errx != nil || erry != nil {
			if !errors.Is(errx, io.EOF) || !errors.Is(erry, io.EOF) {
				t.Fatalf("entries by offset end: %v, %v", errx, erry)
			}
			break
		}
		if *x != *y {
			t.Fatalf("entry by offset %+v, want %+v", *x, *y)
		}
	}
}

// swapped returns a copy of b with the 4-byte words at i and j swapped.
func swapped(b []byte, i, j int) []byte {
	c := bytes.Clone(b)
	copy(c[i:i+4], b[j:j+4])
	copy(c[j:j+4], b[i:i+4])
	return c
}

func decodeIdx(t *testing.T, data []byte) *idxfile.MemoryIndex {
	t.Helper()
	m := idxfile.NewMemoryIndex()
	if err := idxfile.NewDecoder(bytes.NewReader(data)).Decode(m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPackIndex compares the index read in place with go-git's, on a pack
// git wrote with a reverse index, the same without it, and with the .rev
// of another pack (its checksum differs: ignored).
func TestPackIndex(t *testing.T) {
	withRev := packedRepo(t, true)
	idx, rev := onePack(t, withRev.Dir)
	want := decodeIdx(t, idx)
	x, err := parsePackIndex(idx, rev)
	if err != nil {
		t.Fatal(err)
	}
	if x.rev == nil {
		t.Fatal("the .rev was not used")
	}
	sameIndex(t, x, want)
	if x.byOffset != nil {
		t.Fatal("sorted the offsets though the .rev has them")
	}

	x, err = parsePackIndex(idx, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameIndex(t, x, want)

	other := packedRepo(t, true)
	other.CommitFiles("more", map[string]string{"more.txt": "y"})
	other.Git("-c", "pack.writeReverseIndex=true", "gc", "-q")
	_, otherRev := onePack(t, other.Dir)
	for name, bad := range map[string][]byte{
		"another pack's": otherRev,
		"cut short":      rev[:len(rev)-1],
		"not a .rev":     bytes.Repeat([]byte{0}, len(rev)),
		"damaged":        swapped(rev, 12, 16),
	} {
		x, err := parsePackIndex(idx, bad)
		if err != nil {
			t.Fatal(err)
		}
		if x.rev != nil {
			t.Fatalf("%s .rev used", name)
		}
		sameIndex(t, x, want)
	}

	for name, bad := range map[string][]byte{
		"empty":     nil,
		"version 1": append(append([]byte{}, idx[:4]...), append([]byte{0, 0, 0, 1}, idx[8:]...)...),
		"cut short": idx[:len(idx)-7],
	} {
		if _, err := parsePackIndex(bad, nil); err == nil {
			t.Errorf("%s index read", name)
		}
	}
}

// TestPackIndexLargeOffsets checks the 8-byte offsets of packs past 2 GiB,
// on an index go-git writes.
func TestPackIndexLargeOffsets(t *testing.T) {
	w := new(idxfile.Writer)
	rnd := rand.New(rand.NewPCG(1, 2))
	offsets := map[uint64]bool{}
	for i := range 500 {
		var h plumbing.Hash
		for k := range h {
			h[k] = byte(rnd.IntN(256))
		}
		o := uint64(12 + 100*i)
		if i%3 == 0 {
			o += 3 << 31 // past what 31 bits hold
		}
		offsets[o] = true
		w.Add(h, o, rnd.Uint32())
	}
	if err := w.OnFooter(plumbing.Hash{1}); err != nil {
		t.Fatal(err)
	}
	m, err := w.Index()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := idxfile.NewEncoder(&buf).Encode(m); err != nil {
		t.Fatal(err)
	}
	x, err := parsePackIndex(buf.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.off64) == 0 {
		t.Fatal("no large offsets written")
	}
	sameIndex(t, x, decodeIdx(t, buf.Bytes()))
}

// TestObjectStore reads every object of a packed repository, with loose
// objects on top, through Repo and through go-git alone: the same type and
// bytes, and the same answer for an object that is not there.
func TestObjectStore(t *testing.T) {
	for _, withRev := range []bool{true, false} {
		r := packedRepo(t, withRev)
		repo, err := Open(r.Dir)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := git.PlainOpen(r.Dir)
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Fields(r.Git("rev-list", "--objects", "--all", "--no-object-names"))
		for _, name := range all {
			h := plumbing.NewHash(name)
			got, err := repo.git.Storer.EncodedObject(plumbing.AnyObject, h)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want, err := plain.Storer.EncodedObject(plumbing.AnyObject, h)
			if err != nil {
				t.Fatal(err)
			}
			if got.Type() != want.Type() || !bytes.Equal(content(t, got), content(t, want)) {
				t.Fatalf("%s: %s %q, want %s %q", name, got.Type(), content(t, got), want.Type(), content(t, want))
			}
			other := plumbing.CommitObject
			if got.Type() == other {
				other = plumbing.BlobObject
			}
			if _, err := repo.git.Storer.EncodedObject(other, h); !errors.Is(err, plumbing.ErrObjectNotFound) {
				t.Fatalf("%s as a %s: %v", name, other, err)
			}
		}
		if len(repo.objectStore.packs.packs) != 1 {
			t.Fatalf("%d packs read in place", len(repo.objectStore.packs.packs))
		}
		if _, err := repo.git.Storer.EncodedObject(plumbing.AnyObject, plumbing.Hash{1}); !errors.Is(err, plumbing.ErrObjectNotFound) {
			t.Fatalf("missing object: %v", err)
		}
		repo.Close()
	}
}

func content(t *testing.T, o plumbing.EncodedObject) []byte {
	t.Helper()
	rd, err := o.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
