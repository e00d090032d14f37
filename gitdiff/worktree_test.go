package gitdiff_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/deployorder/deployorder/internal/testrepo"
	"github.com/google/go-cmp/cmp"
)

func TestWorktreeChanges(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *testrepo.Repo)
		want   []string
	}{
		{name: "clean", change: func(r *testrepo.Repo) {}},
		{name: "touched but same content", change: func(r *testrepo.Repo) {
			r.Write(map[string]string{"a/a.go": "package a\n"})
		}},
		{name: "modified", change: func(r *testrepo.Repo) {
			r.Write(map[string]string{"a/a.go": "package a\n\nvar X = 1\n"})
		}, want: []string{"a/a.go"}},
		{name: "staged", change: func(r *testrepo.Repo) {
			r.Write(map[string]string{"go.mod": "module m\n\ngo 1.23\n"})
			r.Git("add", "go.mod")
		}, want: []string{"go.mod"}},
		{name: "deleted", change: func(r *testrepo.Repo) { r.Remove("a/a.go") }, want: []string{"a/a.go"}},
		{name: "untracked Go file", change: func(r *testrepo.Repo) {
			r.Write(map[string]string{"b/b.go": "package b\n"})
		}, want: []string{"b/b.go"}},
		{name: "other files do not count", change: func(r *testrepo.Repo) {
			r.Write(map[string]string{"README.md": "changed\n", "notes.txt": "new\n", "a/a_test.go": "package a\n"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testrepo.New(t)
			head := r.CommitFiles("init", map[string]string{"go.mod": "module m\n\ngo 1.22\n", "a/a.go": "package a\n", "README.md": "x\n"})
			tt.change(r)
			repo := open(t, r.Dir)
			got, err := repo.WorktreeChanges(head, 10)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("WorktreeChanges (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExportKeepsOddNames(t *testing.T) {
	r := testrepo.New(t)
	head := r.CommitFiles("odd", map[string]string{"d/new\nline.txt": "x", "d/café.go": "package d\n", "d/sp ace.txt": "y"})
	dir := t.TempDir()
	if _, err := open(t, r.Dir).Export(head, dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"d/new\nline.txt", "d/café.go", "d/sp ace.txt"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("export lacks %q: %v", name, err)
		}
	}
}

// TestExportCopiesLinksToFiles: a link to a file of the commit (Go code
// shares files between build-constrained names that way) is exported as
// a copy of it; a link that leaves the repository, an absolute one and one
// to a directory are not.
func TestExportCopiesLinksToFiles(t *testing.T) {
	r := testrepo.New(t)
	r.Write(map[string]string{"sig/signal_unix.go": "package sig\n\nconst Term = 15\n", "sig/sub/x.go": "package sub\n"})
	for link, target := range map[string]string{
		"sig/signal_linux.go": "signal_unix.go",
		"sig/up.go":           "../../outside.go",
		"sig/abs.go":          "/etc/hostname",
		"sig/dir":             "sub",
	} {
		if err := os.Symlink(target, filepath.Join(r.Dir, link)); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	r.Git("add", "-A")
	r.Git("commit", "-q", "-m", "links")
	head := r.Git("rev-parse", "HEAD")
	dir := t.TempDir()
	if _, err := open(t, r.Dir).Export(head, dir); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "sig/signal_linux.go"))
	if err != nil || string(got) != "package sig\n\nconst Term = 15\n" {
		t.Errorf("signal_linux.go = %q, %v; want a copy of signal_unix.go", got, err)
	}
	for _, name := range []string{"sig/up.go", "sig/abs.go", "sig/dir"} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s was exported; a link out of the repository or to a directory must not be", name)
		}
	}
}

// TestExportGo: the export plan runs go list on holds what the go command
// reads (sources in every language it builds, module files, vendor/, the
// files Go code embeds, executable bits kept) and leaves out the rest.
func TestExportGo(t *testing.T) {
	r := testrepo.New(t)
	r.CommitFiles("tree", map[string]string{
		"go.mod": "module m\n\ngo 1.22\n", "go.sum": "", "go.work": "go 1.22\n\nuse .\n",
		"a/a.go": "package a\n", "a/a_amd64.s": "TEXT ·f(SB),0,$0\n", "a/c.h": "", "a/README.md": "docs\n",
		"docs/guide.md": "docs\n", "docs/img/x.png": "png",
		"ui/embed.go":    "package ui\n\nimport \"embed\"\n\n//go:embed dist\nvar FS embed.FS\n",
		"ui/dist/app.js": "js\n", "ui/dist/css/app.css": "css\n",
		"vendor/modules.txt": "# x v1\n", "vendor/x/LICENSE": "MIT\n",
		"web/src/index.ts": "ts\n",
	})
	r.Git("update-index", "--chmod=+x", "a/a_amd64.s")
	r.Git("commit", "-q", "-m", "exec")
	head := r.Git("rev-parse", "HEAD")
	dir := t.TempDir()
	if _, err := open(t, r.Dir).ExportGo(head, dir); err != nil {
		t.Fatal(err)
	}
	got := exportedFiles(dir)
	want := []string{"a/a.go", "a/a_amd64.s", "a/c.h", "go.mod", "go.sum", "go.work",
		"ui/dist/app.js", "ui/dist/css/app.css", "ui/embed.go", "vendor/modules.txt", "vendor/x/LICENSE"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ExportGo files (-want +got):\n%s", diff)
	}
	if fi, err := os.Stat(filepath.Join(dir, "a/a_amd64.s")); err != nil || fi.Mode()&0o100 == 0 {
		t.Errorf("a/a_amd64.s lost its executable bit: %v %v", fi, err)
	}
	// Export itself still writes every file.
	all := t.TempDir()
	if _, err := open(t, r.Dir).Export(head, all); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"docs/img/x.png", "web/src/index.ts", "a/README.md"} {
		if _, err := os.Stat(filepath.Join(all, name)); err != nil {
			t.Errorf("Export lacks %s: %v", name, err)
		}
	}
}

// TestExportGoDeferVendor: the export leaves vendor/ trees (but their
// modules.txt) for the function it returns, which writes them once.
func TestExportGoDeferVendor(t *testing.T) {
	r := testrepo.New(t)
	head := r.CommitFiles("tree", map[string]string{
		"go.mod": "module m\n\ngo 1.22\n", "a/a.go": "package a\n",
		"vendor/modules.txt": "# x v1\n", "vendor/x/x.go": "package x\n", "vendor/x/LICENSE": "MIT\n",
		"sub/go.mod": "module s\n", "sub/vendor/modules.txt": "# y v1\n", "sub/vendor/y/y.go": "package y\n",
	})
	dir := t.TempDir()
	files := func() []string { return exportedFiles(dir) }
	_, vendor, err := open(t, r.Dir).ExportGoDeferVendor(head, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a/a.go", "go.mod", "sub/go.mod", "sub/vendor/modules.txt", "vendor/modules.txt"}
	if diff := cmp.Diff(want, files()); diff != "" {
		t.Errorf("before vendor() (-want +got):\n%s", diff)
	}
	for range 2 {
		if err := vendor(); err != nil {
			t.Fatal(err)
		}
	}
	want = []string{"a/a.go", "go.mod", "sub/go.mod", "sub/vendor/modules.txt", "sub/vendor/y/y.go", "vendor/modules.txt", "vendor/x/LICENSE", "vendor/x/x.go"}
	if diff := cmp.Diff(want, files()); diff != "" {
		t.Errorf("after vendor() (-want +got):\n%s", diff)
	}
}

// exportedFiles lists the files under dir, slash-separated and relative.
func exportedFiles(dir string) []string {
	var got []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	return got
}

// TestShadowOfSharedClone: a shadow (where split writes its commits)
// reads the objects of a repository that borrows them from another (git
// clone --shared), not only those it holds itself.
func TestShadowOfSharedClone(t *testing.T) {
	origin := testrepo.New(t)
	head := origin.CommitFiles("init", map[string]string{"go.mod": "module m\n\ngo 1.22\n", "a/a.go": "package a\n"})
	clone := filepath.Join(t.TempDir(), "clone")
	origin.Git("clone", "-q", "--shared", origin.Dir, clone)
	shadow, err := open(t, clone).Shadow(filepath.Join(t.TempDir(), "shadow"))
	if err != nil {
		t.Fatal(err)
	}
	defer shadow.Close()
	dir := t.TempDir()
	if _, err := shadow.Export(head, dir); err != nil {
		t.Fatalf("export from the shadow of a shared clone: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "a/a.go")); err != nil || string(got) != "package a\n" {
		t.Errorf("a/a.go = %q, %v", got, err)
	}
}
