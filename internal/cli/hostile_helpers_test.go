package cli

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/deployorder/deployorder/internal/testrepo"
	"github.com/deployorder/deployorder/planner"
)

// hostileBase builds, once per test, the monorepo every row starts from:
// a JSON contract api.Response written by the api service and read by the
// web service, a package lib used by the worker service, and two commits
// (the second changes lib, so HEAD~1..HEAD is a small safe plan).
func hostileBase(t *testing.T) *testrepo.Repo {
	t.Helper()
	r := testrepo.New(t)
	r.CommitFiles("init", map[string]string{
		"go.mod":             "module example.com/mono\n\ngo 1.22\n",
		"api/api.go":         hostileAPI(""),
		"lib/lib.go":         "package lib\n\n// Double doubles.\nfunc Double(x int) int { return 2 * x }\n",
		"cmd/api/main.go":    hostileAPIMain(""),
		"cmd/web/main.go":    hostileWebMain("println(r.ID, r.Name)"),
		"cmd/worker/main.go": "package main\n\nimport \"example.com/mono/lib\"\n\nfunc main() { println(lib.Double(2)) }\n",
	})
	r.CommitFiles("lib: say what it does", map[string]string{
		"lib/lib.go": "package lib\n\n// Double returns 2x.\nfunc Double(x int) int { return 2 * x }\n",
	})
	return r
}

// hostileAPI is api/api.go with extra fields.
func hostileAPI(extra string) string {
	return "// Package api is the wire contract between api and web.\npackage api\n\n" +
		"// Response is what api serves and web reads.\ntype Response struct {\n" +
		"\tID   string `json:\"id\"`\n\tName string `json:\"name\"`\n" + extra + "}\n"
}

// hostileAPIMain is cmd/api/main.go, writing a Response with extra keyed
// fields.
func hostileAPIMain(extra string) string {
	return `package main

import (
	"encoding/json"
	"os"

	"example.com/mono/api"
)

func main() {
	json.NewEncoder(os.Stdout).Encode(api.Response{ID: "1", Name: "n"` + extra + `})
}
`
}

// hostileWebMain is cmd/web/main.go, decoding a Response; body uses r.
func hostileWebMain(body string) string {
	return `package main

import (
	"encoding/json"
	"os"

	"example.com/mono/api"
)

func main() {
	var r api.Response
	json.NewDecoder(os.Stdin).Decode(&r)
	` + body + `
}
`
}

// hostileGitEnv is the environment of the git commands the rows run: a
// fixed identity and date, and neither user nor system configuration.
func hostileGitEnv() []string {
	return append(os.Environ(),
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_AUTHOR_DATE=2026-01-01T01:00:00Z",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com", "GIT_COMMITTER_DATE=2026-01-01T01:00:00Z",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
	)
}

// hgit runs git in dir with stdin and returns its trimmed output.
func hgit(t testing.TB, dir, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = hostileGitEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out))
}

// hgitMaybe runs git in dir and returns its error (nil on success).
func hgitMaybe(dir string, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = hostileGitEnv()
	return cmd.Run()
}

// hrepo is one row's repository: a copy of the base monorepo that the
// row's setup may change or replace.
type hrepo struct {
	t    *testing.T
	Dir  string            // what the row's $DIR names, and what is snapshotted
	vars map[string]string // $NAME substitutions in the row's arguments
}

func (r *hrepo) git(args ...string) string {
	r.t.Helper()
	return hgit(r.t, r.Dir, "", args...)
}

// write writes files (slash path -> content) into the worktree.
func (r *hrepo) write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// symlink creates the link name (a slash path in the worktree) -> target.
func (r *hrepo) symlink(target, name string) {
	r.t.Helper()
	p := filepath.Join(r.Dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		r.t.Fatal(err)
	}
}

// commit writes files, stages everything and commits; it returns the hash.
func (r *hrepo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	r.write(files)
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// fresh makes r.Dir a new empty directory outside the base copy.
func (r *hrepo) fresh() {
	r.t.Helper()
	r.Dir = filepath.Join(r.t.TempDir(), "fresh")
	if err := os.Mkdir(r.Dir, 0o755); err != nil {
		r.t.Fatal(err)
	}
}

// copyTree copies src to dst: directories, regular files with their modes,
// and symbolic links as links.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// snapshot records what plan promises never to change in the repository
// at dir: the worktree (every file's path, mode and content, links with
// their targets; .git excluded) and the git directory: refs, packed-refs,
// HEAD, index, config, shallow and every other file by content, objects by
// name and size (they are immutable). For a linked worktree both its own
// git directory and the common one are recorded; a bare repository is all
// worktree.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	walk := func(prefix, root string, skipGit bool) {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) && p == root {
					return fs.SkipAll
				}
				return err
			}
			if p == root {
				return nil
			}
			if skipGit && d.Name() == ".git" {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			info, err := d.Info()
			if err != nil {
				return err
			}
			key := prefix + rel
			switch {
			case d.IsDir():
				out[key] = info.Mode().String()
			case info.Mode()&fs.ModeSymlink != 0:
				link, err := os.Readlink(p)
				if err != nil {
					return err
				}
				out[key] = info.Mode().String() + " -> " + link
			case !skipGit && strings.HasPrefix(rel, "objects/"):
				out[key] = fmt.Sprintf("%s %d", info.Mode(), info.Size())
			default:
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				sum := sha256.Sum256(data)
				out[key] = fmt.Sprintf("%s %d %x", info.Mode(), len(data), sum[:12])
			}
			return nil
		})
		if err != nil {
			t.Fatalf("snapshot of %s: %v", root, err)
		}
	}
	walk("worktree:", dir, true)
	for _, gd := range gitDirs(t, dir) {
		walk("git:"+gd+":", gd, false)
	}
	return out
}

// gitDirs returns the git directories of the checkout at dir: .git, or
// for a linked worktree the directory its .git file names and the common
// directory. A bare repository or a plain directory has none (its files
// are all recorded as worktree).
func gitDirs(t testing.TB, dir string) []string {
	dotgit := filepath.Join(dir, ".git")
	info, err := os.Lstat(dotgit)
	switch {
	case err != nil:
		return nil
	case info.IsDir():
		return []string{dotgit}
	}
	data, err := os.ReadFile(dotgit)
	if err != nil {
		t.Fatal(err)
	}
	gd := strings.TrimSpace(strings.TrimPrefix(string(data), "gitdir:"))
	if !filepath.IsAbs(gd) {
		gd = filepath.Join(dir, gd)
	}
	dirs := []string{gd}
	if common, err := os.ReadFile(filepath.Join(gd, "commondir")); err == nil {
		c := strings.TrimSpace(string(common))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gd, c)
		}
		dirs = append(dirs, filepath.Clean(c))
	}
	return dirs
}

// snapshotDiff lists what changed between two snapshots, sorted.
func snapshotDiff(before, after map[string]string) []string {
	var out []string
	for k, v := range before {
		w, ok := after[k]
		switch {
		case !ok:
			out = append(out, "removed "+k)
		case v != w:
			out = append(out, fmt.Sprintf("changed %s (%s -> %s)", k, v, w))
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			out = append(out, "added "+k)
		}
	}
	sort.Strings(out)
	return out
}

// allowAdds drops from a snapshot diff the entries a row may add to a git
// directory: "added git:<dir>:<path>" with path under one of the prefixes.
// Changes and removals always stay.
func allowAdds(diff, prefixes []string) []string {
	var out []string
	for _, d := range diff {
		if rest, ok := strings.CutPrefix(d, "added git:"); ok {
			_, rel, _ := strings.Cut(rest, ":")
			if slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(rel, p) }) {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}

// hout is what one in-process run of deployorder produced.
type hout struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// hrun runs deployorder in-process; a panic fails the test instead of
// crashing it.
func hrun(t *testing.T, args []string) hout {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out := hout{code: -1}
	start := time.Now()
	func() {
		defer func() {
			if v := recover(); v != nil {
				t.Errorf("deployorder %q panicked: %v\n%s", args, v, debug.Stack())
			}
		}()
		// The comment command fails fast: no waiting out rate limits, and
		// a short HTTP timeout.
		env := testEnv(&stdout, &stderr)
		env.HTTPClient = &http.Client{Timeout: 5 * time.Second}
		env.MaxWait = time.Millisecond
		env.Sleep = func(context.Context, time.Duration) error { return nil }
		out.code = Main(ctx, args, env)
	}()
	out.took = time.Since(start)
	out.stdout, out.stderr = stdout.String(), stderr.String()
	return out
}

var (
	goroutineHeader = regexp.MustCompile(`(?m)^goroutine \d+ \[`)
	stackFrame      = regexp.MustCompile(`(?m)^\s+\S+\.go:\d+(\s+\+0x[0-9a-f]+)?$`)
)

// stackTrace reports whether s looks like it holds a Go panic or a stack
// trace.
func stackTrace(s string) bool {
	return strings.Contains(s, "panic:") || goroutineHeader.MatchString(s) || stackFrame.MatchString(s)
}

// hPlan is the part of the JSON plan the rows check.
type hPlan struct {
	Verdict string `json:"verdict"`
	Range   struct {
		Base string `json:"base"`
		Head string `json:"head"`
	} `json:"range"`
	Services []struct {
		Name     string `json:"name"`
		Status   string `json:"status"`
		Affected bool   `json:"affected"`
		Reasons  []struct {
			Kind string `json:"kind"`
			Path string `json:"path"`
		} `json:"reasons"`
	} `json:"services"`
	Splits []struct {
		Commit string `json:"commit"`
		Parts  []struct {
			Step    int    `json:"step"`
			Service string `json:"service"`
			Files   []struct {
				Path  string   `json:"path"`
				Hunks []string `json:"hunks"`
			} `json:"files"`
		} `json:"parts"`
	} `json:"splits"`
	Findings []hFinding `json:"findings"`
}

type hFinding struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Element  string `json:"element"`
	// Accepted is the planner's own type: its Where says where.
	Accepted *planner.Accepted `json:"accepted"`
}

// parsePlan decodes a JSON plan and checks that it has a verdict.
func parsePlan(t *testing.T, stdout string) *hPlan {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatalf("stdout is not a JSON plan: %v\n%.2000s", err, stdout)
	}
	if _, ok := raw["verdict"]; !ok {
		t.Fatalf("the JSON plan has no verdict:\n%.2000s", stdout)
	}
	var p hPlan
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("stdout is not a JSON plan: %v", err)
	}
	return &p
}

// reasonPaths returns the paths of a service's reasons, nil if there is
// no such service.
func (p *hPlan) reasonPaths(service string) []string {
	for _, s := range p.Services {
		if s.Name == service {
			paths := []string{}
			for _, r := range s.Reasons {
				paths = append(paths, r.Path)
			}
			return paths
		}
	}
	return nil
}

func (p *hPlan) affected(service string) bool {
	for _, s := range p.Services {
		if s.Name == service {
			return s.Affected
		}
	}
	return false
}

// findings returns the findings with a code.
func (p *hPlan) findings(code string) []hFinding {
	var out []hFinding
	for _, f := range p.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// hWarning is a warning a degraded plan must carry: its code, and a path
// that its file or its message names.
type hWarning struct {
	code, path string
}

// hasWarning reports whether the plan has a warning with w's code whose
// file is w.path or whose message names it.
func (p *hPlan) hasWarning(w hWarning) bool {
	for _, f := range p.findings(w.code) {
		if f.Severity == "warning" && (f.File == w.path || strings.Contains(f.Message, w.path)) {
			return true
		}
	}
	return false
}

// commitPrefixPair writes two commit objects on top of HEAD of the
// repository at dir whose hashes share their first four hex digits, and
// returns them. The hashes are found in-process (a commit's hash is the
// SHA-1 of its object), so only the two colliding commits are written;
// git then confirms them.
func commitPrefixPair(t testing.TB, dir string) (string, string) {
	t.Helper()
	tree := hgit(t, dir, "", "rev-parse", "HEAD^{tree}")
	parent := hgit(t, dir, "", "rev-parse", "HEAD")
	seen := map[string]string{}
	for i := 0; i < 1<<20; i++ {
		body := commitBody(tree, parent, fmt.Sprintf("probe %d", i))
		h := commitHash(body)
		other, ok := seen[h[:4]]
		if !ok {
			seen[h[:4]] = body
			continue
		}
		h1 := hgit(t, dir, other, "hash-object", "-t", "commit", "-w", "--stdin")
		h2 := hgit(t, dir, body, "hash-object", "-t", "commit", "-w", "--stdin")
		if h1 != commitHash(other) || h2 != h {
			t.Fatalf("git wrote %s and %s, want %s and %s", h1, h2, commitHash(other), h)
		}
		hgit(t, dir, "", "update-ref", "refs/heads/probe-a", h1)
		hgit(t, dir, "", "update-ref", "refs/heads/probe-b", h2)
		return h1, h2
	}
	t.Fatal("no two commits share a 4-digit prefix")
	return "", ""
}

func commitBody(tree, parent, msg string) string {
	return fmt.Sprintf("tree %s\nparent %s\nauthor Test <test@example.com> 1767229200 +0000\ncommitter Test <test@example.com> 1767229200 +0000\n\n%s\n", tree, parent, msg)
}

func commitHash(body string) string {
	sum := sha1.Sum([]byte(fmt.Sprintf("commit %d\x00%s", len(body), body)))
	return hex.EncodeToString(sum[:])
}

// uniquePrefix returns the shortest prefix of a, from 5 digits, that b
// does not share.
func uniquePrefix(a, b string) string {
	n := 5
	for n < len(a) && strings.HasPrefix(b, a[:n]) {
		n++
	}
	return a[:n]
}

// ghVars is the GitHub Actions environment for a comment row: everything
// unset but what the row gives.
func ghVars(set map[string]string) map[string]string {
	env := map[string]string{
		"GITHUB_TOKEN": "", "GITHUB_REPOSITORY": "", "GITHUB_API_URL": "", "GITHUB_EVENT_PATH": "",
		"GITHUB_EVENT_NAME": "", "GITHUB_STEP_SUMMARY": "", "GITHUB_BASE_REF": "",
	}
	for k, v := range set {
		env[k] = v
	}
	return env
}

// TestHostileSnapshot checks that snapshot sees each kind of change that
// TestHostile must catch.
func TestHostileSnapshot(t *testing.T) {
	base := hostileBase(t)
	changes := []struct {
		name   string
		change func(r *hrepo)
		want   string // a prefix of one of the reported differences
	}{
		{"index", func(r *hrepo) { r.write(map[string]string{"new.txt": "x"}); r.git("add", "new.txt") }, "changed git:"},
		{"ref", func(r *hrepo) { r.git("branch", "other") }, "added git:"},
		{"packed-refs", func(r *hrepo) { r.git("pack-refs", "--all") }, "added git:"},
		{"HEAD", func(r *hrepo) { r.git("symbolic-ref", "HEAD", "refs/heads/other") }, "changed git:"},
		{"config", func(r *hrepo) { r.git("config", "core.x", "y") }, "changed git:"},
		{"worktree content", func(r *hrepo) { r.write(map[string]string{"lib/lib.go": "package lib\n"}) }, "changed worktree:lib/lib.go "},
		{"worktree mode", func(r *hrepo) { os.Chmod(filepath.Join(r.Dir, "go.mod"), 0o755) }, "changed worktree:go.mod "},
		{"new file", func(r *hrepo) { r.write(map[string]string{"cmd/api/x": ""}) }, "added worktree:cmd/api/x"},
		{"removed file", func(r *hrepo) { os.Remove(filepath.Join(r.Dir, "cmd/web/main.go")) }, "removed worktree:cmd/web/main.go"},
		{"symlink target", func(r *hrepo) {
			os.Remove(filepath.Join(r.Dir, "link"))
			r.symlink("b", "link")
		}, "changed worktree:link "},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			r := &hrepo{t: t, Dir: filepath.Join(t.TempDir(), "repo")}
			copyTree(t, base.Dir, r.Dir)
			r.symlink("a", "link")
			before := snapshot(t, r.Dir)
			if d := snapshotDiff(before, snapshot(t, r.Dir)); len(d) > 0 {
				t.Fatalf("a second snapshot differs: %q", d)
			}
			c.change(r)
			diff := snapshotDiff(before, snapshot(t, r.Dir))
			found := false
			for _, d := range diff {
				found = found || strings.HasPrefix(d, c.want)
			}
			if !found {
				t.Errorf("the snapshot diff does not report %q: %q", c.want, diff)
			}
		})
	}
}
