package gitdiff

import (
	"testing"

	"github.com/deployorder/deployorder/internal/testrepo"
)

// DropCaches reopens the storage (go-git keeps each pack's index for as
// long as a storage lives): the repository reads packed and loose objects
// as before, through the new storage, and the old one is closed.
func TestDropCachesReopens(t *testing.T) {
	r := testrepo.New(t)
	r.CommitFiles("one", map[string]string{"a.txt": "packed"})
	r.Git("gc", "-q")
	r.CommitFiles("two", map[string]string{"b.txt": "loose"})
	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	read := func() {
		t.Helper()
		one, err := repo.ResolveCommit("HEAD~1")
		if err != nil {
			t.Fatal(err)
		}
		two, err := repo.ResolveCommit("HEAD")
		if err != nil {
			t.Fatal(err)
		}
		for rev, files := range map[string]map[string]string{
			one.Hash.String(): {"a.txt": "packed"},
			two.Hash.String(): {"a.txt": "packed", "b.txt": "loose"},
		} {
			for name, want := range files {
				got, err := repo.ReadFile(rev, name)
				if err != nil || string(got) != want {
					t.Fatalf("%s:%s = %q, %v; want %q", rev, name, got, err, want)
				}
			}
		}
	}
	read()
	before := repo.storage
	repo.DropCaches()
	if repo.storage == before {
		t.Fatal("DropCaches kept the storage, and with it go-git's pack indexes")
	}
	read()
}
