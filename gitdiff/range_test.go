package gitdiff_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/gitdiff"
	"github.com/deployorder/deployorder/internal/testrepo"
	"github.com/google/go-cmp/cmp"
)

// history builds: c1 (root) -> c2 -> c3 on main, a branch feature from c2
// with f1, f2, and a merge of feature into main (m).
type history struct {
	repo                  *testrepo.Repo
	c1, c2, c3, f1, f2, m string
}

func buildHistory(t *testing.T) history {
	r := testrepo.New(t)
	h := history{repo: r}
	h.c1 = r.CommitFiles("root", map[string]string{"a.txt": "a\n", "dir/b.txt": "b\n"})
	h.c2 = r.CommitFiles("second", map[string]string{"a.txt": "a2\n"})
	r.Git("checkout", "-q", "-b", "feature")
	h.f1 = r.CommitFiles("feature one", map[string]string{"f/one.txt": "1\n"})
	r.Git("mv", "dir/b.txt", "dir/renamed.txt")
	h.f2 = r.Commit("feature two: rename b")
	r.Git("checkout", "-q", "main")
	r.Remove("a.txt")
	h.c3 = r.Commit("third: delete a\n\nbody text")
	h.m = r.Merge("feature", "merge feature")
	r.Git("tag", "v1", h.c2)
	return h
}

func open(t *testing.T, dir string) *gitdiff.Repo {
	t.Helper()
	repo, err := gitdiff.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { repo.Close() })
	return repo
}

func shas(rg *change.Range) []string {
	var out []string
	for _, c := range rg.Commits {
		out = append(out, c.SHA)
	}
	return out
}

func paths(fs []change.File) []string {
	var out []string
	for _, f := range fs {
		s := string(f.Status) + " " + f.Path
		if f.OldPath != "" {
			s += " <- " + f.OldPath
		}
		out = append(out, s)
	}
	return out
}

func TestResolve(t *testing.T) {
	h := buildHistory(t)
	repo := open(t, h.repo.Dir)
	tests := []struct {
		spec         string
		base         string
		commits      []string
		files        []string
		firstSubject string
	}{
		{spec: h.c2, base: h.c1, commits: []string{h.c2}, files: []string{"modified a.txt"}},
		{spec: h.c1[:7], base: "", commits: []string{h.c1}, files: []string{"added a.txt", "added dir/b.txt"}},
		{spec: "v1", base: h.c1, commits: []string{h.c2}},
		{spec: "main~1..main", base: h.c3, commits: []string{h.m}, files: []string{"renamed dir/renamed.txt <- dir/b.txt", "added f/one.txt"}},
		// first-parent order: the merged branch's commits are not listed, the merge is.
		{spec: h.c2 + "..@", base: h.c2, commits: []string{h.c3, h.m}, files: []string{"deleted a.txt", "renamed dir/renamed.txt <- dir/b.txt", "added f/one.txt"}},
		{spec: h.c3 + "...feature", base: h.c2, commits: []string{h.f1, h.f2}},
		{spec: "HEAD~2...feature", base: h.c2, commits: []string{h.f1, h.f2}},
		{spec: h.c3, base: h.c2, commits: []string{h.c3}, firstSubject: "third: delete a"},
		{spec: "main^2", base: h.f1, commits: []string{h.f2}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			rg, err := repo.Resolve(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if rg.Base != tt.base {
				t.Errorf("Base = %q, want %q", rg.Base, tt.base)
			}
			if diff := cmp.Diff(tt.commits, shas(rg)); diff != "" {
				t.Errorf("commits (-want +got):\n%s", diff)
			}
			if tt.files != nil {
				if diff := cmp.Diff(tt.files, paths(rg.Files)); diff != "" {
					t.Errorf("files (-want +got):\n%s", diff)
				}
			}
			if tt.firstSubject != "" && rg.Commits[0].Subject != tt.firstSubject {
				t.Errorf("subject = %q, want %q", rg.Commits[0].Subject, tt.firstSubject)
			}
		})
	}
}

func TestResolveMergeDiffsAgainstFirstParent(t *testing.T) {
	h := buildHistory(t)
	rg, err := open(t, h.repo.Dir).Resolve(h.m)
	if err != nil {
		t.Fatal(err)
	}
	c := rg.Commits[0]
	if !c.Merge || c.Parent != h.c3 {
		t.Fatalf("merge commit: Merge=%v Parent=%s, want true %s", c.Merge, c.Parent, h.c3)
	}
	want := []string{"renamed dir/renamed.txt <- dir/b.txt", "added f/one.txt"}
	if diff := cmp.Diff(want, paths(c.Files)); diff != "" {
		t.Errorf("merge files (-want +got):\n%s", diff)
	}
}

func TestResolveErrors(t *testing.T) {
	h := buildHistory(t)
	repo := open(t, h.repo.Dir)
	tests := []struct {
		spec string
		kind gitdiff.ErrorKind
		want string // a fragment of the message
	}{
		{"nosuchbranch", gitdiff.UnknownRevision, `unknown revision "nosuchbranch"`},
		{"main..nosuch", gitdiff.UnknownRevision, `"nosuch"`},
		{"main..main", gitdiff.EmptyRange, "is empty"},
		{"main...feature", gitdiff.EmptyRange, "is empty"},
		{"main.." + h.c2, gitdiff.ReversedRange, "did you mean " + h.c2 + "..main"},
		{"a b", gitdiff.BadRange, "white space"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := repo.Resolve(tt.spec)
			var e *gitdiff.Error
			if !errors.As(err, &e) || e.Kind != tt.kind {
				t.Fatalf("Resolve(%q) error = %v, want kind %d", tt.spec, err, tt.kind)
			}
			if !strings.Contains(e.Error(), tt.want) {
				t.Errorf("message %q does not contain %q", e.Error(), tt.want)
			}
		})
	}
}

func TestOpenNotRepository(t *testing.T) {
	_, err := gitdiff.Open(t.TempDir())
	var e *gitdiff.Error
	if !errors.As(err, &e) || e.Kind != gitdiff.NotRepository {
		t.Fatalf("Open(empty dir) = %v, want NotRepository", err)
	}
}

func TestShallowClone(t *testing.T) {
	h := buildHistory(t)
	dst := t.TempDir()
	cmd := exec.Command("git", "clone", "-q", "--depth=1", "--no-local", "file://"+h.repo.Dir, dst)
	cmd.Env = h.repo.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	repo := open(t, dst)
	if !repo.IsShallow() {
		t.Fatal("IsShallow() = false for a --depth=1 clone")
	}
	for _, spec := range []string{"HEAD~1..HEAD", "HEAD", h.c2 + "..HEAD"} {
		_, err := repo.Resolve(spec)
		var e *gitdiff.Error
		if !errors.As(err, &e) || (e.Kind != gitdiff.ShallowClone && e.Kind != gitdiff.UnknownRevision) {
			t.Fatalf("Resolve(%q) in a shallow clone = %v, want a shallow-clone error", spec, err)
		}
		if !strings.Contains(e.Error(), "git fetch") {
			t.Errorf("Resolve(%q): message %q does not say how to fetch history", spec, e.Error())
		}
	}
}

func TestReadFileAndHunks(t *testing.T) {
	r := testrepo.New(t)
	c1 := r.CommitFiles("one", map[string]string{"x.go": "package x\n\nvar A = 1\n"})
	r.CommitFiles("two", map[string]string{"x.go": "package x\n\nvar A = 2\nvar B = 3\n"})
	repo := open(t, r.Dir)
	b, err := repo.ReadFile(c1, "x.go")
	if err != nil || string(b) != "package x\n\nvar A = 1\n" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	rg, err := repo.Resolve("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	hunks, binary, err := repo.Hunks(rg.Files[0])
	if err != nil || binary {
		t.Fatalf("Hunks: %v binary=%v", err, binary)
	}
	want := []change.Hunk{{OldStart: 3, OldLines: 1, NewStart: 3, NewLines: 2}}
	if diff := cmp.Diff(want, hunks); diff != "" {
		t.Errorf("hunks (-want +got):\n%s", diff)
	}
}

func TestResolveReadsTrailers(t *testing.T) {
	r := testrepo.New(t)
	r.CommitFiles("one", map[string]string{"a.txt": "a\n"})
	r.CommitFiles("api: drop metadata\n\nBody.\n\nDeploy-Order-Accept: STOP_CONSUME_BEFORE_STOP_PROVIDE Response.metadata billing caches it\n",
		map[string]string{"a.txt": "b\n"})
	rg, err := open(t, r.Dir).ResolveCommits("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	want := []change.Trailer{{Key: "Deploy-Order-Accept", Value: "STOP_CONSUME_BEFORE_STOP_PROVIDE Response.metadata billing caches it"}}
	if diff := cmp.Diff(want, rg.Commits[0].Trailers); diff != "" {
		t.Errorf("trailers (-want +got):\n%s", diff)
	}
	if rg.Commits[0].Subject != "api: drop metadata" {
		t.Errorf("subject = %q", rg.Commits[0].Subject)
	}
}
