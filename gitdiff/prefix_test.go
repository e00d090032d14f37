package gitdiff

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/internal/testrepo"
	"github.com/go-git/go-git/v5/plumbing"
)

// TestObjectsWithPrefix checks the binary search in pack indexes against
// go-git's walk of every entry, for every object of a packed repository
// with a few loose objects on top, at several prefix lengths (4 hex digits
// of a few hundred objects share prefixes).
func TestObjectsWithPrefix(t *testing.T) {
	r := testrepo.New(t)
	for i := range 120 {
		r.CommitFiles(fmt.Sprintf("c%d", i), map[string]string{fmt.Sprintf("f%d.txt", i%7): fmt.Sprint(i)})
	}
	r.Git("gc", "-q")
	r.CommitFiles("loose", map[string]string{"loose.txt": "x"})
	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	all := strings.Fields(r.Git("rev-list", "--objects", "--all", "--no-object-names"))
	if len(all) < 300 {
		t.Fatalf("only %d objects", len(all))
	}
	shared := 0
	for i, obj := range all {
		for _, n := range []int{4, 5, 9} {
			if n > 4 && i%8 != 0 {
				continue
			}
			prefix := obj[:n]
			got, err := objectsWithPrefix(repo.objectStore.packs.dir, repo.objectStore.packs, prefix)
			if err != nil {
				t.Fatal(err)
			}
			even, _ := hex.DecodeString(prefix[:n&^1])
			walked, err := repo.storage.HashesWithPrefix(even)
			if err != nil {
				t.Fatal(err)
			}
			want := []plumbing.Hash{}
			for _, h := range walked {
				if strings.HasPrefix(h.String(), prefix) {
					want = append(want, h)
				}
			}
			slices.SortFunc(got, func(a, b plumbing.Hash) int { return strings.Compare(a.String(), b.String()) })
			slices.SortFunc(want, func(a, b plumbing.Hash) int { return strings.Compare(a.String(), b.String()) })
			if !slices.Equal(got, want) {
				t.Fatalf("prefix %s: got %v, want %v", prefix, got, want)
			}
			if len(got) > 1 {
				shared++
			}
		}
	}
	if shared == 0 {
		t.Error("no two objects share a prefix: the test checks no multi-match")
	}
}

// TestObjectsWithPrefixUnknownIndex: a pack index the reader does not know
// is an error, so that the caller asks go-git instead of finding nothing.
func TestObjectsWithPrefixUnknownIndex(t *testing.T) {
	r := packedRepo(t, false)
	idxs, _ := filepath.Glob(filepath.Join(r.Dir, ".git", "objects", "pack", "*.idx"))
	data, err := os.ReadFile(idxs[0])
	if err != nil {
		t.Fatal(err)
	}
	data[7] = 1 // version 1
	if err := os.Chmod(idxs[0], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(idxs[0], data, 0o644); err != nil {
		t.Fatal(err)
	}
	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	if got, err := objectsWithPrefix(repo.objectStore.packs.dir, repo.objectStore.packs, "abcd"); err == nil {
		t.Fatalf("an index of another version read: %v", got)
	}
}
