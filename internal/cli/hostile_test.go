package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deployorder/deployorder/config"
	"github.com/google/go-cmp/cmp"
)

// allFormats are plan's output formats.
var allFormats = []string{"text", "json", "markdown", "mermaid", "github"}

// hostileRow is one hostile input: a repository made hostile by setup, the
// arguments deployorder runs with, and what must come out.
type hostileRow struct {
	name string
	// serial rows set environment variables, so they never run in
	// parallel with other rows.
	serial bool
	env    map[string]string // set for the row (serial rows only)
	setup  func(t *testing.T, r *hrepo)
	// args, with $DIR (the repository) and the setup's variables expanded.
	args []string
	// formats runs the row once per output format (-o F appended), with
	// the repository checked after each run; nil runs it once.
	formats []string
	code    int
	// stderr: for exit 1, fragments of the one line on stderr.
	stderr []string
	// For a plan written as JSON: its verdict (if set), the warnings it
	// must carry, and further checks.
	verdict  string
	warnings []hWarning
	check    func(t *testing.T, r *hrepo, format string, out hout, p *hPlan)
	// adds: what the row may add to the git directory (paths relative to
	// it, prefixes): split --branch adds objects and its branch.
	adds []string
}

// planArgs is the argument list of a plan row: the range (or other leading
// arguments), then the repository, no progress, no downloads and no plan
// cache, so that every run computes the plan.
func planArgs(args ...string) []string {
	return append(append([]string{"plan"}, args...), "-C", "$DIR", "-q", "--offline", "--no-cache")
}

// TestHostile runs deployorder on hostile repositories and arguments and
// checks, in every row, that the repository is unchanged, and that an
// error is one line on stderr with nothing on stdout, while a repository
// it can only partly read still gets a plan with a warning that names
// the problem.
func TestHostile(t *testing.T) {
	base := hostileBase(t)
	for _, row := range hostileRows() {
		t.Run(row.name, func(t *testing.T) {
			if row.serial {
				for k, v := range row.env {
					t.Setenv(k, v)
				}
			} else {
				t.Parallel()
			}
			r := &hrepo{t: t, Dir: filepath.Join(t.TempDir(), "repo"), vars: map[string]string{}}
			copyTree(t, base.Dir, r.Dir)
			if row.setup != nil {
				row.setup(t, r)
			}
			r.vars["DIR"] = r.Dir
			formats := row.formats
			if formats == nil {
				formats = []string{""}
			}
			for _, format := range formats {
				args := expandArgs(row.args, r.vars)
				if format != "" {
					args = append(args, "-o", format)
				}
				before := snapshot(t, r.Dir)
				out := hrun(t, args)
				if diff := allowAdds(snapshotDiff(before, snapshot(t, r.Dir)), row.adds); len(diff) > 0 {
					if len(diff) > 20 {
						diff = append(diff[:20], fmt.Sprintf("and %d more", len(diff)-20))
					}
					t.Errorf("deployorder %q changed the repository:\n%s", args, strings.Join(diff, "\n"))
				}
				checkOutcome(t, row, r, format, args, out)
			}
		})
	}
}

// checkOutcome checks one run's exit code and output against the row.
func checkOutcome(t *testing.T, row hostileRow, r *hrepo, format string, args []string, out hout) {
	t.Helper()
	if stackTrace(out.stdout) || stackTrace(out.stderr) {
		t.Errorf("deployorder %q printed a panic or stack trace:\nstdout:\n%.3000s\nstderr:\n%.3000s", args, out.stdout, out.stderr)
	}
	if out.code != row.code {
		t.Errorf("deployorder %q: exit %d, want %d\nstdout:\n%.2000s\nstderr:\n%.2000s", args, out.code, row.code, out.stdout, out.stderr)
		return
	}
	if row.code == ExitError || row.code == ExitUsage {
		if out.stdout != "" {
			t.Errorf("deployorder %q failed but wrote to stdout:\n%.2000s", args, out.stdout)
		}
		if !strings.HasPrefix(out.stderr, "deployorder: ") || !strings.HasSuffix(out.stderr, "\n") || strings.Count(out.stderr, "\n") != 1 {
			t.Errorf("deployorder %q: stderr is not one line \"deployorder: <message>\":\n%q", args, out.stderr)
		}
		for _, frag := range row.stderr {
			if !strings.Contains(out.stderr, frag) {
				t.Errorf("deployorder %q: stderr does not say %q:\n%s", args, frag, out.stderr)
			}
		}
		if row.check != nil {
			row.check(t, r, format, out, nil)
		}
		return
	}
	if out.stderr != "" && args[0] == "plan" {
		t.Errorf("deployorder %q wrote a plan and also to stderr:\n%s", args, out.stderr)
	}
	if out.stdout == "" && format != "github" {
		t.Errorf("deployorder %q: exit %d but no plan on stdout", args, out.code)
	}
	var p *hPlan
	if format == "json" || hasArgs(args, "-o", "json") {
		p = parsePlan(t, out.stdout)
		if row.verdict != "" && p.Verdict != row.verdict {
			t.Errorf("deployorder %q: verdict %q, want %q", args, p.Verdict, row.verdict)
		}
		for _, w := range row.warnings {
			if !p.hasWarning(w) {
				t.Errorf("deployorder %q: no warning %s naming %q; findings:\n%s", args, w.code, w.path, findingsText(p))
			}
		}
	}
	if row.check != nil {
		row.check(t, r, format, out, p)
	}
}

func findingsText(p *hPlan) string {
	var b strings.Builder
	for _, f := range p.Findings {
		fmt.Fprintf(&b, "  %s %s %s:%d %q\n", f.Severity, f.Code, f.File, f.Line, f.Message)
	}
	return b.String()
}

func hasArgs(args []string, a, b string) bool {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == a && args[i+1] == b {
			return true
		}
	}
	return false
}

func expandArgs(args []string, vars map[string]string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		for k, v := range vars {
			a = strings.ReplaceAll(a, "$"+k, v)
		}
		out[i] = a
	}
	return out
}

// wantReasons checks that a service is affected through each of these
// paths (and maybe others): the reasons name them exactly.
func wantReasons(t *testing.T, p *hPlan, service string, paths ...string) {
	t.Helper()
	got := p.reasonPaths(service)
	if got == nil {
		t.Errorf("no service %s in the plan", service)
		return
	}
	have := map[string]bool{}
	for _, g := range got {
		have[g] = true
	}
	for _, want := range paths {
		if !have[want] {
			t.Errorf("service %s is not affected through %q; its reasons are %q", service, want, got)
		}
	}
}

// wantFindingShown checks that a format other than JSON shows a finding
// (its code and file); mermaid shows only the graph.
func wantFindingShown(t *testing.T, format string, out hout, code, file string) {
	t.Helper()
	var want []string
	switch format {
	case "text":
		want = []string{file + ": ", "[" + code + "]"}
	case "markdown":
		want = []string{"`" + code + "` `" + file + "`"}
	case "github":
		want = []string{"::warning file=" + file + ",title=" + code + "::"}
	}
	for _, w := range want {
		if !strings.Contains(out.stdout, w) {
			t.Errorf("-o %s does not show %s for %s (%q):\n%.2000s", format, code, file, w, out.stdout)
		}
	}
}

// withConfig returns a setup that writes deployorder.yaml into the
// worktree (the config is read from there).
func withConfig(yaml string) func(t *testing.T, r *hrepo) {
	return func(t *testing.T, r *hrepo) { r.write(map[string]string{"deployorder.yaml": yaml}) }
}

// renameTag commits the rename of Response.name's tag to name_v2: a split.
func renameTag(t *testing.T, r *hrepo) {
	r.commit("api: rename name to name_v2", map[string]string{
		"api/api.go": strings.Replace(hostileAPI(""), `json:"name"`, `json:"name_v2"`, 1),
	})
}

// typeError commits a new field Extra that api writes and web reads, with
// a type error in web.
func typeError(t *testing.T, r *hrepo) {
	r.commit("extra, with a type error in web", map[string]string{
		"api/api.go":      hostileAPI("\tExtra int `json:\"extra\"`\n"),
		"cmd/api/main.go": hostileAPIMain(", Extra: 1"),
		"cmd/web/main.go": hostileWebMain("var n int = \"oops\"\n\tprintln(r.ID, r.Name, r.Extra, n)"),
	})
}

// weirdNames commits files whose names have a space, a newline and
// non-ASCII letters.
func weirdNames(t *testing.T, r *hrepo) {
	r.commit("odd names", map[string]string{
		"cmd/api/my file.txt":   "space\n",
		"cmd/api/café.txt":      "unicode\n",
		"cmd/web/new\nline.txt": "newline\n",
		"cmd/web/日本.txt":        "wide\n",
	})
}

func hostileRows() []hostileRow {
	return []hostileRow{
		// Ranges and revisions.
		{name: "range with white space", args: planArgs("HEAD~1 HEAD"), code: ExitError,
			stderr: []string{`range "HEAD~1 HEAD" contains white space or control characters`, "give a range such as main...HEAD"}},
		{name: "range with a control character", args: planArgs("HEAD\x00~1"), code: ExitError,
			stderr: []string{"contains white space or control characters", "give a range such as"}},
		{name: "range a....b", args: planArgs("a....b"), code: ExitError,
			stderr: []string{`range "a....b" is not of the form A..B or A...B`}},
		{name: "unknown revision", args: planArgs("mian"), formats: allFormats, code: ExitError,
			stderr: []string{`unknown revision "mian": no branch, tag or commit of that name here`, "check the name or fetch it (git fetch)"}},
		{name: "ambiguous short hash", code: ExitError,
			setup: func(t *testing.T, r *hrepo) {
				h1, h2 := commitPrefixPair(t, r.Dir)
				r.vars["SHORT"] = h1[:4]
				r.vars["H1"], r.vars["H2"] = h1[:12], h2[:12]
			},
			args:   planArgs("$SHORT~1..$SHORT"),
			stderr: []string{"is ambiguous: it matches commits", "give more digits"},
			check: func(t *testing.T, r *hrepo, _ string, out hout, _ *hPlan) {
				for _, h := range []string{r.vars["H1"], r.vars["H2"]} {
					if !strings.Contains(out.stderr, h) {
						t.Errorf("the error does not name commit %s: %s", h, out.stderr)
					}
				}
			}},
		{name: "reversed range", args: planArgs("HEAD..HEAD~1"), code: ExitError,
			stderr: []string{"range HEAD..HEAD~1 is reversed", "did you mean HEAD~1..HEAD?"}},
		{name: "empty range", args: planArgs("HEAD..HEAD"), code: ExitError,
			stderr: []string{"range HEAD..HEAD is empty", "give a range with commits"}},
		{name: "default range names an unknown base branch", serial: true, env: map[string]string{"GITHUB_BASE_REF": "nosuch"},
			args: []string{"plan", "-C", "$DIR", "-q", "--no-cache"}, code: ExitError,
			stderr: []string{`unknown revision "origin/nosuch"`, "fetch it (git fetch)"}},

		// Repositories deployorder cannot plan in.
		{name: "shallow clone without the base", setup: shallowClone, args: planArgs("HEAD~1..HEAD"), code: ExitError,
			stderr: []string{"shallow clone", "git fetch --deepen=100", "fetch-depth: 0"}},
		{name: "shallow clone, one commit whose parent is cut off", setup: shallowClone, args: planArgs("HEAD"), code: ExitError,
			stderr: []string{"shallow clone", "git fetch --deepen=100"}},
		{name: "not a git repository", code: ExitError,
			setup: func(t *testing.T, r *hrepo) {
				r.fresh()
				if hgitMaybe(r.Dir, "rev-parse", "--git-dir") == nil {
					t.Skip("the temporary directory is inside a git repository")
				}
				r.write(map[string]string{"go.mod": "module example.com/x\n\ngo 1.22\n"})
			},
			args: planArgs("HEAD"), stderr: []string{"is not inside a git repository", "pass -C DIR"}},
		{name: "-C names a file", args: []string{"plan", "HEAD", "-C", "$DIR/go.mod"}, code: ExitError,
			stderr: []string{"go.mod is not a directory", "pass -C with the path of a checkout"}},
		{name: "bare repository", code: ExitError,
			setup: func(t *testing.T, r *hrepo) {
				src := r.Dir
				r.Dir = filepath.Join(t.TempDir(), "bare.git")
				hgit(t, src, "", "clone", "-q", "--bare", src, r.Dir)
			},
			args: planArgs("HEAD"), stderr: []string{"bare.git is a bare repository", "run deployorder in a checkout"}},
		{name: "repository without commits", code: ExitError,
			setup: func(t *testing.T, r *hrepo) { r.fresh(); r.git("init", "-q", "-b", "main") },
			args:  planArgs("HEAD"), stderr: []string{"the repository has no commits yet", "commit something"}},
		// Since 20439d0 this is an error; before, it was a noop plan.
		{name: "no Go module and no config", code: ExitError,
			setup: func(t *testing.T, r *hrepo) {
				r.fresh()
				r.git("init", "-q", "-b", "main")
				r.commit("docs", map[string]string{"README.md": "docs\n"})
				r.commit("more docs", map[string]string{"README.md": "more docs\n"})
			},
			args:   planArgs("HEAD"),
			stderr: []string{"no Go module in", "no services in a deployorder.yaml", "declare services with paths in deployorder.yaml"}},

		// Config.
		{name: "config with an unknown key", setup: withConfig("services:\n  - name: api\n    mian: cmd/api\n"),
			args: planArgs("HEAD"), code: ExitError,
			stderr: []string{`deployorder.yaml:3: unknown key "mian"`, `did you mean "main"?`}},
		{name: "config with a bad glob", setup: withConfig("ignore:\n  - \"docs/[\"\n"),
			args: planArgs("HEAD"), code: ExitError,
			stderr: []string{`deployorder.yaml:2: ignore: bad glob "docs/["`}},
		{name: "config with bad YAML", setup: withConfig("services:\n  - name: api\n   main: cmd/api\n"),
			args: planArgs("HEAD"), code: ExitError, stderr: []string{"deployorder.yaml:3: invalid YAML"}},
		{name: "config with duplicate service names",
			setup: withConfig("services:\n  - name: api\n    main: cmd/api\n  - name: api\n    paths: [\"x/**\"]\n"),
			args:  []string{"services", "-C", "$DIR"}, code: ExitError,
			stderr: []string{`deployorder.yaml:4: duplicate service name "api" (first declared on line 2)`}},
		{name: "config main that is not a main package", setup: withConfig("services:\n  - name: billing\n    main: lib\n"),
			args: planArgs("HEAD"), code: ExitError,
			stderr: []string{`deployorder.yaml:2: service "billing": main "lib" is not a main package`, "give the directory of a package main"}},
		{name: "config accept entry with an unknown rule",
			setup: withConfig("accept:\n  - rule: STOP_CONSUMING\n    element: Response.name\n    reason: web caches it\n"),
			args:  planArgs("HEAD"), code: ExitError,
			stderr: []string{`deployorder.yaml:2: accept: unknown rule "STOP_CONSUMING"`, "accept KEY_REUSED, OUTSIDE_CONSUMER, TOLERANT_CONSUMER, PROVIDE_BEFORE_CONSUME or STOP_CONSUME_BEFORE_STOP_PROVIDE"}},
		{name: "config accept entry with a bad date and a glob that does not parse",
			setup: withConfig("accept:\n  - rule: PROVIDE_BEFORE_CONSUME\n    element: \"Response.[\"\n    reason: r\n    expires: 31/12/2026\n"),
			args:  planArgs("HEAD"), code: ExitError,
			stderr: []string{`deployorder.yaml:3: accept: bad element glob "Response.["`}},
		{name: "--config names a missing file", args: planArgs("HEAD", "--config", "$DIR/nosuch.yaml"), code: ExitError,
			stderr: []string{"cannot read config", "nosuch.yaml", "pass an existing file with --config"}},
		{name: "--config names a directory", args: planArgs("HEAD", "--config", "$DIR/cmd"), code: ExitError,
			stderr: []string{"cannot read config", "is a directory", "pass an existing file with --config"}},

		// init.
		{name: "init where deployorder.yaml exists, even a broken one", setup: withConfig("services: [\n"),
			args: []string{"init", "-C", "$DIR/cmd"}, code: ExitError,
			stderr: []string{"deployorder.yaml already exists, and deployorder init never overwrites it", "move it away and run deployorder init again"}},
		{name: "init --stdout writes nothing", setup: func(t *testing.T, r *hrepo) {
			r.commit("an e2e runner", map[string]string{"e2e/runner/main.go": "package main\n\nfunc main() {}\n"})
		}, args: []string{"init", "--stdout", "-C", "$DIR"}, code: ExitOK,
			check: func(t *testing.T, r *hrepo, _ string, out hout, _ *hPlan) {
				c, err := config.Parse(config.FileName, []byte(out.stdout))
				if err != nil {
					t.Fatalf("init --stdout does not parse: %v\n%s", err, out.stdout)
				}
				if diff := cmp.Diff([]string{"e2e/**"}, c.Exclude); diff != "" {
					t.Errorf("exclude (-want +got):\n%s", diff)
				}
			}},

		// Flags.
		{name: "unknown output format", args: planArgs("HEAD", "-o", "yaml"), code: ExitUsage,
			stderr: []string{`unknown output format "yaml"`, "use text, json, markdown, mermaid or github", "see deployorder plan --help"}},
		{name: "bad --fail-on", args: planArgs("HEAD", "--fail-on", "sometimes"), code: ExitUsage,
			stderr: []string{`--fail-on "sometimes"`, "use noop, safe, ordered, staged, split_required, blocked or never", "see deployorder plan --help"}},
		{name: "unknown flag", args: []string{"plan", "HEAD", "--nosuchflag", "-C", "$DIR"}, code: ExitUsage,
			stderr: []string{"unknown flag: --nosuchflag", "see deployorder plan --help"}},

		// The pull-request comment.
		{name: "comment without GITHUB_TOKEN", serial: true,
			env:    ghVars(map[string]string{"GITHUB_REPOSITORY": "o/r"}),
			args:   []string{"comment", "HEAD", "--pr", "1", "-C", "$DIR", "--offline"},
			code:   ExitError,
			stderr: []string{"GITHUB_TOKEN is not set", "or use --dry-run to see the comment"}},
		{name: "comment against an unreachable API", serial: true,
			env:    ghVars(map[string]string{"GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": "ghs_hostileT0ken", "GITHUB_API_URL": "http://127.0.0.1:1"}),
			args:   []string{"comment", "HEAD", "--pr", "1", "--always", "-C", "$DIR", "--offline", "--no-cache"},
			code:   ExitError,
			stderr: []string{"cannot reach the GitHub API at http://127.0.0.1:1/", "check GITHUB_API_URL and the network, then retry"},
			check: func(t *testing.T, r *hrepo, _ string, out hout, _ *hPlan) {
				if strings.Contains(out.stdout+out.stderr, "ghs_hostileT0ken") {
					t.Error("the token is in the output")
				}
			}},
		{name: "comment with a malformed GITHUB_REPOSITORY", serial: true,
			env:    ghVars(map[string]string{"GITHUB_REPOSITORY": "octo-shop", "GITHUB_TOKEN": "ghs_hostileT0ken", "GITHUB_API_URL": "http://127.0.0.1:1"}),
			args:   []string{"comment", "HEAD", "--pr", "1", "-C", "$DIR", "--offline"},
			code:   ExitError,
			stderr: []string{`GITHUB_REPOSITORY "octo-shop" is not owner/name`}},
		{name: "comment with a GITHUB_REPOSITORY that leaves the repos path", serial: true,
			env:    ghVars(map[string]string{"GITHUB_REPOSITORY": "../..", "GITHUB_TOKEN": "ghs_hostileT0ken", "GITHUB_API_URL": "http://127.0.0.1:1"}),
			args:   []string{"comment", "HEAD", "--pr", "1", "--always", "-C", "$DIR", "--offline"},
			code:   ExitError,
			stderr: []string{`GITHUB_REPOSITORY "../.." is not owner/name`}},

		// Plans that must come out, in every format, without touching the
		// repository.
		{name: "split plan in every format", setup: renameTag, args: planArgs("HEAD"), formats: allFormats, code: ExitFail,
			verdict: "split_required",
			check: func(t *testing.T, r *hrepo, format string, out hout, p *hPlan) {
				want := map[string]string{"text": "Needs a split: deploy in 3 steps", "markdown": "<!-- deployorder -->\n**Needs a split",
					"mermaid": "flowchart LR\n", "json": `"verdict": "split_required"`}[format]
				if !strings.Contains(out.stdout, want) {
					t.Errorf("-o %s does not say %q:\n%.2000s", format, want, out.stdout)
				}
				if format == "github" {
					for _, line := range strings.Split(strings.TrimSuffix(out.stdout, "\n"), "\n") {
						if line != "" && !strings.HasPrefix(line, "::") {
							t.Errorf("-o github: %q is not a workflow command", line)
						}
					}
				}
				if p != nil && len(p.Splits) != 1 {
					t.Errorf("%d splits, want 1", len(p.Splits))
				}
			}},
		// split: it writes nothing but the branch it is asked for.
		{name: "split an unknown commit", args: splitArgs("mian"), code: ExitError,
			stderr: []string{`unknown revision "mian"`}},
		{name: "split the root commit", setup: func(t *testing.T, r *hrepo) { r.vars["ROOT"] = r.git("rev-list", "--max-parents=0", "HEAD") },
			args: splitArgs("$ROOT"), code: ExitError, stderr: []string{"is a root commit: there is nothing before it to split it against"}},
		{name: "split a commit that ships as one deploy", args: splitArgs("HEAD"), code: ExitError,
			stderr: []string{"ships as one deploy", "nothing to split"}},
		{name: "split in a shallow clone: the parent is cut off", setup: func(t *testing.T, r *hrepo) { renameField(t, r); shallowClone(t, r) },
			args: splitArgs("HEAD", "--branch", "s"), code: ExitError, stderr: []string{"shallow"}},
		{name: "split --branch names an existing branch", setup: renameField, args: splitArgs("HEAD", "--branch", "main"), code: ExitError,
			stderr: []string{"branch main already exists"}},
		{name: "split a change that cannot be divided line by line: file and line, nothing written", setup: renameTag,
			args: splitArgs("HEAD", "--branch", "s"), code: ExitError, stderr: []string{"api/api.go:8: step 1 (expand) does not build", "keeps the old lines api/api.go:7",
				`the field Name changes only its JSON name ("name" to "name_v2")`}},
		{name: "split --branch in a dirty worktree: only the branch is added", setup: func(t *testing.T, r *hrepo) {
			renameField(t, r)
			r.write(map[string]string{"cmd/web/main.go": hostileWebMain("println(r.ID)")})
		}, args: splitArgs("HEAD", "--branch", "split-name"), adds: []string{"objects/", "refs/heads/split-name"},
			check: func(t *testing.T, r *hrepo, format string, out hout, p *hPlan) {
				if n := strings.Count(out.stdout, "\n"); n != 3 {
					t.Errorf("split --branch listed %d commits, want 3:\n%s", n, out.stdout)
				}
				if d := r.git("diff", "HEAD", "split-name"); d != "" {
					t.Errorf("the branch's tree is not the commit's:\n%s", d)
				}
				if got := r.git("rev-parse", "split-name~3"); got != r.git("rev-parse", "HEAD~1") {
					t.Errorf("the series starts at %s, not at the commit's parent", got)
				}
			}},

		{name: "plan cache leaves the repository alone and gives the same plan", serial: true, setup: func(t *testing.T, r *hrepo) {
			renameTag(t, r)
			r.vars["CACHE"] = t.TempDir()
			t.Setenv("DEPLOYORDER_CACHE_DIR", r.vars["CACHE"])
			t.Setenv("DEPLOYORDER_NO_CACHE", "")
		}, args: []string{"plan", "HEAD", "-C", "$DIR", "-q", "--offline"}, formats: []string{"text", "text", "json", "json"},
			code: ExitFail, verdict: "split_required",
			check: func(t *testing.T, r *hrepo, format string, out hout, p *hPlan) {
				key := "out-" + format
				if prev, ok := r.vars[key]; ok && prev != out.stdout {
					t.Errorf("-o %s from the cache differs from the computed plan:\n%s\n---\n%s", format, prev, out.stdout)
				}
				r.vars[key] = out.stdout
				entries, _ := filepath.Glob(filepath.Join(r.vars["CACHE"], "*", "*", "*.json"))
				if len(entries) == 0 {
					t.Errorf("nothing cached in %s", r.vars["CACHE"])
				}
			}},
		{name: "dependency index: kept with --no-cache, and an unreadable one is an empty one", serial: true, setup: func(t *testing.T, r *hrepo) {
			renameTag(t, r)
			r.vars["CACHE"] = t.TempDir()
			t.Setenv("DEPLOYORDER_CACHE_DIR", r.vars["CACHE"])
		}, args: planArgs("HEAD"), formats: []string{"json", "json"}, code: ExitFail, verdict: "split_required",
			check: func(t *testing.T, r *hrepo, format string, out hout, p *hPlan) {
				if prev, ok := r.vars["plan"]; ok && prev != out.stdout {
					t.Errorf("the plan with an unreadable index differs:\n%s\n---\n%s", prev, out.stdout)
				}
				r.vars["plan"] = out.stdout
				index, _ := filepath.Glob(filepath.Join(r.vars["CACHE"], "deps-*", "*"))
				if len(index) == 0 {
					t.Fatalf("no dependency index in %s", r.vars["CACHE"])
				}
				for _, f := range index { // for the next run
					if err := os.WriteFile(f, []byte("\x00not a gob"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}},
		{name: "dependencies' types: kept with --no-cache, and an entry that does not read is saved again", serial: true, setup: func(t *testing.T, r *hrepo) {
			renameTag(t, r)
			r.vars["CACHE"] = t.TempDir()
			t.Setenv("DEPLOYORDER_CACHE_DIR", r.vars["CACHE"])
		}, args: planArgs("HEAD"), formats: []string{"json", "json", "json"}, code: ExitFail, verdict: "split_required",
			check: func(t *testing.T, r *hrepo, format string, out hout, p *hPlan) {
				if prev, ok := r.vars["plan"]; ok && prev != out.stdout {
					t.Errorf("the plan with the types' entries differs:\n%s\n---\n%s", prev, out.stdout)
				}
				r.vars["plan"] = out.stdout
				entries, _ := filepath.Glob(filepath.Join(r.vars["CACHE"], "types-*", "*", "*.x"))
				if len(entries) == 0 {
					t.Fatalf("no entry of the dependencies' types in %s", r.vars["CACHE"])
				}
				for _, f := range entries[:1] { // for the next run
					if err := os.WriteFile(f, []byte("i\x00not export data"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}},
		{name: "head is not HEAD: the export is removed", serial: true, setup: func(t *testing.T, r *hrepo) {
			renameTag(t, r)
			r.commit("later", map[string]string{"cmd/worker/README": "later\n"})
			r.vars["TMP"] = t.TempDir()
			t.Setenv("TMPDIR", r.vars["TMP"])
		}, args: planArgs("HEAD~1", "-o", "json"), code: ExitFail, verdict: "split_required",
			check: func(t *testing.T, r *hrepo, _ string, _ hout, _ *hPlan) {
				left, _ := filepath.Glob(filepath.Join(r.vars["TMP"], "deployorder-*"))
				if len(left) > 0 {
					t.Errorf("the export of the head commit was left behind: %q", left)
				}
			}},

		// Code and files deployorder can only partly read: a plan with a
		// warning that names the file.
		{name: "type error in a service that reads a changed contract", setup: typeError,
			args: planArgs("HEAD", "-o", "json"), code: ExitOK, verdict: "ordered",
			warnings: []hWarning{{"TYPE_ERRORS", "cmd/web/main.go"}},
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				for _, f := range p.findings("TYPE_ERRORS") {
					if f.Line != 13 || !strings.Contains(f.Message, "package example.com/mono/cmd/web does not type-check at head") ||
						!strings.Contains(f.Message, `cannot use "oops"`) {
						t.Errorf("TYPE_ERRORS finding %+v, want line 13 and the type error", f)
					}
				}
			}},
		{name: "type error message shows the column as if it were the line", setup: typeError,
			args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				for _, f := range p.findings("TYPE_ERRORS") {
					if strings.Contains(f.Message, "(14: ") {
						t.Errorf("the message shows the column as a line: %q", f.Message)
					}
				}
			}},
		{name: "syntax error in a file that uses a contract", setup: func(t *testing.T, r *hrepo) {
			r.commit("web: half an edit", map[string]string{"cmd/web/main.go": hostileWebMain("println(r.ID, r.Name")})
		}, args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			warnings: []hWarning{{"SYNTAX_ERROR", "cmd/web/main.go"}},
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				wantReasons(t, p, "web", "cmd/web/main.go")
			}},
		{name: "one module of several fails in go list: the others load whole", setup: func(t *testing.T, r *hrepo) {
			r.commit("tools module that needs a module the cache lacks; api writes extra, web reads it", map[string]string{
				"tools/go.mod":    "module example.com/tools\n\ngo 1.16\n\nrequire example.com/gone v1.0.0\n",
				"tools/main.go":   "package main\n\nimport \"example.com/gone\"\n\nfunc main() { gone.Run() }\n",
				"api/api.go":      hostileAPI("\tExtra int `json:\"extra\"`\n"),
				"cmd/api/main.go": hostileAPIMain(", Extra: 1"),
				"cmd/web/main.go": hostileWebMain("println(r.ID, r.Name, r.Extra)"),
			})
		}, args: planArgs("HEAD", "-o", "json"), code: ExitOK, verdict: "ordered",
			warnings: []hWarning{{"GO_LIST_FAILED", "tools/go.mod"}},
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				if f := p.findings("TYPE_ERRORS"); len(f) > 0 {
					t.Errorf("a broken tools module leaves type errors in the healthy module:\n%s", findingsText(p))
				}
				for _, f := range p.findings("GO_LIST_FAILED") {
					if !strings.Contains(f.Message, "example.com/tools in tools") || !strings.Contains(f.Message, "go: example.com/gone@v1.0.0: missing go.sum entry for go.mod file; to add it: go mod download example.com/gone;") ||
						!strings.Contains(f.Message, "go mod download example.com/gone in tools") {
						t.Errorf("GO_LIST_FAILED does not name the module, the go command's message and the fix: %s", f.Message)
					}
				}
				if n := len(p.findings("GO_LIST_FAILED")); n != 1 {
					t.Errorf("%d GO_LIST_FAILED findings, want one for the broken module:\n%s", n, findingsText(p))
				}
			}},
		{name: "--offline with a module missing from the cache: the standard library still type-checks", setup: func(t *testing.T, r *hrepo) {
			api := strings.Replace(strings.Replace(hostileAPIMain(", Extra: 1"), "func main() {", "var _ = gone.Run\n\nfunc main() {", 1),
				"\"os\"\n", "\"os\"\n\n\t\"example.com/gone\"\n", 1)
			r.commit("api uses a module the cache lacks; api writes extra, web reads it", map[string]string{
				"go.mod": "module example.com/mono\n\ngo 1.22\n\nrequire example.com/gone v1.0.0\n",
				// go.sum has the module (made-up sums: it is never downloaded).
				"go.sum":          "example.com/gone v1.0.0 h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nexample.com/gone v1.0.0/go.mod h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
				"api/api.go":      hostileAPI("\tExtra int `json:\"extra\"`\n"),
				"cmd/api/main.go": api,
				"cmd/web/main.go": hostileWebMain("println(r.ID, r.Name, r.Extra)"),
			})
		}, args: planArgs("HEAD", "-o", "json"), code: ExitOK, verdict: "ordered",
			warnings: []hWarning{{"MODULE_MISSING", "go.mod"}},
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				if f := p.findings("TYPE_ERRORS"); len(f) > 0 {
					t.Errorf("a missing module leaves type errors besides MODULE_MISSING:\n%s", findingsText(p))
				}
				for _, f := range p.findings("MODULE_MISSING") {
					if !strings.Contains(f.Message, "1 package of 1 service (api) type-checks without example.com/gone v1.0.0") ||
						!strings.Contains(f.Message, "module lookup disabled by GOPROXY=off") || !strings.Contains(f.Message, "go mod download example.com/gone") {
						t.Errorf("MODULE_MISSING does not say what it leaves partial, why, and what to run: %s", f.Message)
					}
				}
				if f := p.findings("GO_LIST_FAILED"); len(f) > 0 {
					t.Errorf("a module missing from the cache is reported twice:\n%s", findingsText(p))
				}
			}},
		{name: "generated code not committed: one warning names the missing tree, and no type errors follow", setup: func(t *testing.T, r *hrepo) {
			api := strings.Replace(strings.Replace(hostileAPIMain(", Extra: 1"), "func main() {", "var _ = server.New(restapi.Spec)\n\nfunc main() {", 1),
				"\"os\"\n", "\"os\"\n\n\t\"example.com/mono/gen/server\"\n\t\"example.com/mono/gen/server/restapi\"\n", 1)
			r.commit("api serves a generated server the build writes; api writes extra, web reads it", map[string]string{
				"api/api.go":      hostileAPI("\tExtra int `json:\"extra\"`\n"),
				"cmd/api/main.go": api,
				"cmd/web/main.go": hostileWebMain("println(r.ID, r.Name, r.Extra)"),
			})
		}, args: planArgs("HEAD"), formats: allFormats, code: ExitOK, verdict: "ordered",
			warnings: []hWarning{{"PACKAGE_LOAD_ERROR", "cmd/api"}},
			check: func(t *testing.T, r *hrepo, format string, out hout, p *hPlan) {
				if format == "text" && strings.Count(out.stdout, "PACKAGE_LOAD_ERROR") != 1 {
					t.Errorf("the missing tree is not one line:\n%s", out.stdout)
				}
				if p == nil {
					return
				}
				if f := p.findings("TYPE_ERRORS"); len(f) > 0 {
					t.Errorf("the missing tree leaves type errors besides PACKAGE_LOAD_ERROR:\n%s", findingsText(p))
				}
				for _, f := range p.findings("PACKAGE_LOAD_ERROR") {
					if !strings.Contains(f.Message, "the repository has no directory gen (generated code that is not committed?)") {
						t.Errorf("PACKAGE_LOAD_ERROR does not name the missing directory: %s", f.Message)
					}
				}
			}},
		{name: "go.mod asks for a newer Go", setup: func(t *testing.T, r *hrepo) {
			r.commit("go 1.99", map[string]string{"go.mod": "module example.com/mono\n\ngo 1.99\n"})
		}, args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			warnings: []hWarning{{"GO_VERSION_NEWER", "go.mod"}},
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				for _, s := range []string{"api", "web", "worker"} {
					wantReasons(t, p, s, "go.mod")
				}
			}},
		{name: "go line bump: go.mod is not also reported as affecting no service", setup: func(t *testing.T, r *hrepo) {
			r.commit("go 1.23", map[string]string{"go.mod": "module example.com/mono\n\ngo 1.23\n"})
		},
			args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				wantReasons(t, p, "api", "go.mod")
				for _, f := range p.findings("UNAFFECTED_PATHS") {
					if strings.Contains(f.Message, "go.mod") {
						t.Errorf("go.mod affects every service, but: %s", f.Message)
					}
				}
			}},
		{name: "go.mod replace directive changed", setup: func(t *testing.T, r *hrepo) {
			r.commit("worker uses dep, replaced by ./third/dep", map[string]string{
				"third/dep/go.mod":   "module example.com/dep\n\ngo 1.22\n",
				"third/dep/dep.go":   "package dep\n\nfunc V() int { return 1 }\n",
				"third/dep2/go.mod":  "module example.com/dep\n\ngo 1.22\n",
				"third/dep2/dep.go":  "package dep\n\nfunc V() int { return 2 }\n",
				"go.mod":             "module example.com/mono\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => ./third/dep\n",
				"cmd/worker/main.go": "package main\n\nimport (\n\t\"example.com/dep\"\n\t\"example.com/mono/lib\"\n)\n\nfunc main() { println(lib.Double(dep.V())) }\n",
			})
			r.commit("replace dep by ./third/dep2", map[string]string{
				"go.mod": "module example.com/mono\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => ./third/dep2\n",
			})
		},
			args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				wantReasons(t, p, "worker", "go.mod")
				if p.affected("api") || p.affected("web") {
					t.Error("a service that does not import example.com/dep is affected")
				}
			}},
		{name: "go.mod toolchain line changed", setup: func(t *testing.T, r *hrepo) {
			r.commit("toolchain go1.22.1", map[string]string{"go.mod": "module example.com/mono\n\ngo 1.22\n\ntoolchain go1.22.1\n"})
			r.commit("toolchain go1.22.5", map[string]string{"go.mod": "module example.com/mono\n\ngo 1.22\n\ntoolchain go1.22.5\n"})
		},
			args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				for _, s := range []string{"api", "web", "worker"} {
					wantReasons(t, p, s, "go.mod")
				}
			}},
		{name: "go.mod that does not parse", setup: func(t *testing.T, r *hrepo) {
			r.commit("broken go.mod", map[string]string{"go.mod": "module example.com/mono\n\ngo 1.22\nrequire (\n"})
		}, args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			warnings: []hWarning{{"GO_MOD_UNREADABLE", "go.mod"}}},
		{name: "huge diff: 3,000 new files in one commit", setup: func(t *testing.T, r *hrepo) {
			files := map[string]string{}
			for i := range 1500 {
				files[fmt.Sprintf("lib/gen_%04d.go", i)] = fmt.Sprintf("package lib\n\n// F%d returns %d.\nfunc F%d() int { return %d }\n", i, i, i, i)
				files[fmt.Sprintf("cmd/api/static/d%02d/f%04d.txt", i%30, i)] = fmt.Sprintf("asset %d\n", i)
			}
			r.commit("generated", files)
		}, args: planArgs("HEAD", "-o", "json"), code: ExitOK, verdict: "safe",
			check: func(t *testing.T, r *hrepo, _ string, out hout, p *hPlan) {
				t.Logf("planned 3,000 changed files in %v", out.took.Round(time.Millisecond))
				if out.took > 15*time.Second {
					t.Errorf("planning 3,000 changed files took %v", out.took)
				}
				if n := len(p.reasonPaths("api")); n != 1500 {
					t.Errorf("api has %d reasons, want 1500", n)
				}
				if n := len(p.reasonPaths("worker")); n != 1500 {
					t.Errorf("worker has %d reasons, want 1500", n)
				}
				if p.affected("web") {
					t.Error("web is affected")
				}
			}},
		{name: "binary files", setup: func(t *testing.T, r *hrepo) {
			png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("\x00\x01\x02\xff", 300)
			r.commit("assets", map[string]string{"cmd/api/assets/logo.png": png, "cmd/web/data.bin": "x\x00y"})
		}, args: planArgs("HEAD"), formats: allFormats, code: ExitOK,
			warnings: []hWarning{{"BINARY_FILE", "cmd/api/assets/logo.png"}, {"BINARY_FILE", "cmd/web/data.bin"}},
			check: func(t *testing.T, r *hrepo, format string, out hout, p *hPlan) {
				wantFindingShown(t, format, out, "BINARY_FILE", "cmd/api/assets/logo.png")
				if p != nil {
					wantReasons(t, p, "api", "cmd/api/assets/logo.png")
					wantReasons(t, p, "web", "cmd/web/data.bin")
				}
			}},
		{name: "binary content in a .go file", setup: func(t *testing.T, r *hrepo) {
			r.commit("blob.go", map[string]string{"lib/blob.go": "package lib\n\x00\x01garbage"})
		}, args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			warnings: []hWarning{{"BINARY_FILE", "lib/blob.go"}, {"PACKAGE_LOAD_ERROR", "lib/blob.go"}},
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				wantReasons(t, p, "worker", "lib/blob.go")
			}},
		{name: "Go file over 2 MiB", setup: func(t *testing.T, r *hrepo) {
			var b strings.Builder
			b.WriteString("package lib\n\n// Table is big.\nvar Table = []string{\n")
			for b.Len() < 2<<20+1000 {
				b.WriteString("\t\"" + strings.Repeat("x", 100) + "\",\n")
			}
			b.WriteString("}\n")
			r.commit("big table", map[string]string{"lib/big.go": b.String()})
		}, args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			warnings: []hWarning{{"LARGE_FILE", "lib/big.go"}},
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				wantReasons(t, p, "worker", "lib/big.go")
			}},
		{name: "submodules", setup: func(t *testing.T, r *hrepo) {
			sub := filepath.Join(t.TempDir(), "subsrc")
			os.Mkdir(sub, 0o755)
			hgit(t, sub, "", "init", "-q", "-b", "main")
			os.WriteFile(filepath.Join(sub, "a.txt"), []byte("a\n"), 0o644)
			hgit(t, sub, "", "add", "-A")
			hgit(t, sub, "", "commit", "-q", "-m", "sub")
			r.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", sub, "sub")
			r.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", sub, "cmd/api/vendored")
			r.git("commit", "-q", "-m", "submodules")
		}, args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			warnings: []hWarning{{"SUBMODULE", "sub"}, {"SUBMODULE", "cmd/api/vendored"}},
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				wantReasons(t, p, "api", "cmd/api/vendored")
			}},
		{name: "symlink out of the repository", setup: func(t *testing.T, r *hrepo) {
			r.symlink("/etc/passwd", "cmd/api/config")
			r.symlink("../../lib/lib.go", "cmd/web/lib.go.txt")
			r.git("add", "-A")
			r.git("commit", "-q", "-m", "links")
		}, args: planArgs("HEAD"), formats: allFormats, code: ExitOK,
			warnings: []hWarning{{"SYMLINK_OUTSIDE", "cmd/api/config"}},
			check: func(t *testing.T, r *hrepo, format string, out hout, p *hPlan) {
				wantFindingShown(t, format, out, "SYMLINK_OUTSIDE", "cmd/api/config")
				if p == nil {
					return
				}
				wantReasons(t, p, "api", "cmd/api/config")
				wantReasons(t, p, "web", "cmd/web/lib.go.txt")
				for _, f := range p.findings("SYMLINK_OUTSIDE") {
					if f.File != "cmd/api/config" {
						t.Errorf("a link inside the repository is reported: %+v", f)
					}
				}
			}},
		{name: "symlink to a ..name directory inside the repository", setup: func(t *testing.T, r *hrepo) {
			r.write(map[string]string{"..shared/settings.yaml": "a: 1\n"})
			r.symlink("../../..shared/settings.yaml", "cmd/api/settings.yaml")
			r.git("add", "-A")
			r.git("commit", "-q", "-m", "shared settings")
		},
			args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				if fs := p.findings("SYMLINK_OUTSIDE"); len(fs) > 0 {
					t.Errorf("a link inside the repository is reported as outside: %+v", fs)
				}
			}},
		{name: "symlink loops", setup: func(t *testing.T, r *hrepo) {
			r.symlink(".", "cmd/api/loop")
			r.symlink("b", "cmd/web/a")
			r.symlink("a", "cmd/web/b")
			r.git("add", "-A")
			r.git("commit", "-q", "-m", "loops")
		}, args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				wantReasons(t, p, "api", "cmd/api/loop")
				wantReasons(t, p, "web", "cmd/web/a", "cmd/web/b")
			}},
		{name: "file names with a space, a newline and unicode", setup: weirdNames,
			args: planArgs("HEAD"), formats: allFormats, code: ExitOK, verdict: "safe",
			check: func(t *testing.T, r *hrepo, format string, out hout, p *hPlan) {
				if p == nil {
					return
				}
				wantReasons(t, p, "api", "cmd/api/my file.txt", "cmd/api/café.txt")
				wantReasons(t, p, "web", "cmd/web/new\nline.txt", "cmd/web/日本.txt")
			}},
		{name: "file name with a newline in the text output", setup: weirdNames,
			args: planArgs("HEAD", "-o", "text"), code: ExitOK,
			check: func(t *testing.T, r *hrepo, _ string, out hout, _ *hPlan) {
				if strings.Contains(out.stdout, "new\nline.txt") {
					t.Errorf("a raw newline from a file name breaks the text output:\n%s", out.stdout)
				}
			}},
		{name: "linked worktree (git worktree add)", setup: func(t *testing.T, r *hrepo) {
			renameTag(t, r)
			wt := filepath.Join(t.TempDir(), "wt")
			r.git("worktree", "add", "-q", "--detach", wt, "HEAD")
			r.Dir = wt
		}, args: planArgs("HEAD", "-o", "json"), code: ExitFail, verdict: "split_required"},

		// The worktree differs from HEAD.
		{name: "uncommitted change in the worktree", setup: dirtyWorktree,
			args: planArgs("HEAD", "-o", "json"), code: ExitOK,
			warnings: []hWarning{{"WORKTREE_CHANGED", "cmd/web/main.go"}},
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				if p.Verdict != "ordered" {
					t.Errorf("plan HEAD with an uncommitted edit: verdict %s, want HEAD's verdict ordered; findings:\n%s", p.Verdict, findingsText(p))
				}
			}},
		{name: "plan cache after an uncommitted change", serial: true, setup: func(t *testing.T, r *hrepo) {
			dirtyWorktree(t, r)
			t.Setenv("DEPLOYORDER_CACHE_DIR", t.TempDir())
			t.Setenv("DEPLOYORDER_NO_CACHE", "")
		},
			args: []string{"plan", "HEAD", "-C", "$DIR", "-q", "--offline", "-o", "json"}, code: ExitOK,
			check: func(t *testing.T, r *hrepo, _ string, _ hout, _ *hPlan) {
				r.write(map[string]string{"cmd/web/main.go": r.vars["CLEAN_WEB"]})
				cached := hrun(t, expandArgs([]string{"plan", "HEAD", "-C", "$DIR", "-q", "--offline", "-o", "json"}, r.vars))
				fresh := hrun(t, expandArgs(planArgs("HEAD", "-o", "json"), r.vars))
				if c, f := parsePlan(t, cached.stdout), parsePlan(t, fresh.stdout); c.Verdict != f.Verdict {
					t.Errorf("with the worktree clean again, plan HEAD says %s (from the cache) and plan HEAD --no-cache says %s", c.Verdict, f.Verdict)
				}
			}},

		// Acceptances written in commit messages.
		{name: "commit trailer with an unknown rule and control characters", setup: func(t *testing.T, r *hrepo) {
			r.vars["SHA"] = r.commit("web: read ghost\n\nDeploy-Order-Accept: NO_SUCH\x1b[31mRULE Response.ghost \"quoted\" reason", map[string]string{
				"api/api.go": hostileAPI("\tGhost string `json:\"ghost\"`\n"), "cmd/web/main.go": hostileWebMain("println(r.ID, r.Name, r.Ghost)"),
			})[:12]
		}, args: planArgs("HEAD"), code: ExitError,
			stderr: []string{`: Deploy-Order-Accept: unknown rule "NO_SUCH\x1b[31mRULE"`, "deployorder rules lists every rule"},
			check: func(t *testing.T, r *hrepo, _ string, out hout, _ *hPlan) {
				if !strings.Contains(out.stderr, "commit "+r.vars["SHA"]+": ") {
					t.Errorf("the error does not name commit %s: %s", r.vars["SHA"], out.stderr)
				}
			}},
		{name: "commit trailer that accepts nothing", setup: func(t *testing.T, r *hrepo) {
			r.commit("api: stop writing the name\n\nDeploy-Order-Accept: STOP_CONSUME_BEFORE_STOP_PROVIDE Response.nmae the proxy adds it", map[string]string{
				"cmd/api/main.go": strings.Replace(hostileAPIMain(""), `, Name: "n"`, "", 1),
			})
		}, args: planArgs("HEAD"), code: ExitError,
			stderr: []string{"Deploy-Order-Accept STOP_CONSUME_BEFORE_STOP_PROVIDE Response.nmae accepts nothing", "findings are about Response.name", "drop the trailer"}},
		{name: "accepted break in every format", setup: func(t *testing.T, r *hrepo) {
			r.commit("api: stop writing the name\n\nDeploy-Order-Accept: STOP_CONSUME_BEFORE_STOP_PROVIDE Response.name the proxy adds it", map[string]string{
				"cmd/api/main.go": strings.Replace(hostileAPIMain(""), `, Name: "n"`, "", 1),
			})
		}, args: planArgs("HEAD"), formats: allFormats, code: ExitOK, verdict: "safe",
			check: func(t *testing.T, r *hrepo, format string, out hout, p *hPlan) {
				want := map[string]string{"text": "accepted in commit ", "markdown": "**accepted in commit ", "github": "::notice file=cmd/web/main.go,line=",
					"json": `"accepted": {`}[format]
				if !strings.Contains(out.stdout, want) {
					t.Errorf("-o %s does not say %q:\n%.2000s", format, want, out.stdout)
				}
			}},

		// Revision names git resolves differently.
		{name: "ambiguous short hash in upper case", code: ExitError,
			setup: func(t *testing.T, r *hrepo) {
				h1, _ := commitPrefixPair(t, r.Dir)
				r.vars["SHORT"] = strings.ToUpper(h1[:4])
			},
			args: planArgs("$SHORT"), stderr: []string{"is ambiguous", "give more digits"}},
		{name: "branch named like a short hash", code: ExitOK,
			setup: func(t *testing.T, r *hrepo) {
				_, h2 := commitPrefixPair(t, r.Dir)
				h1 := hgit(t, r.Dir, "", "rev-parse", "probe-a")
				name := uniquePrefix(h2, h1)
				r.git("branch", name, "HEAD~1")
				r.vars["NAME"] = name
				r.vars["WANT"] = r.git("rev-parse", "HEAD~1")
			},
			args: planArgs("$NAME", "-o", "json"),
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				if p.Range.Head != r.vars["WANT"] {
					t.Errorf("plan %s planned %s, want the branch's commit %s (as git rev-parse)", r.vars["NAME"], p.Range.Head, r.vars["WANT"])
				}
			}},
		{name: "branch named like an ambiguous short hash", code: ExitOK,
			setup: func(t *testing.T, r *hrepo) {
				h1, _ := commitPrefixPair(t, r.Dir)
				r.git("branch", h1[:4], "HEAD~1")
				r.vars["NAME"] = h1[:4]
				r.vars["WANT"] = r.git("rev-parse", "HEAD~1")
			},
			args: planArgs("$NAME", "-o", "json"),
			check: func(t *testing.T, r *hrepo, _ string, _ hout, p *hPlan) {
				if p.Range.Head != r.vars["WANT"] {
					t.Errorf("plan %s planned %s, want the branch's commit %s", r.vars["NAME"], p.Range.Head, r.vars["WANT"])
				}
			}},
		{name: "split parts without hunks", setup: renameTag,
			args: planArgs("HEAD", "-o", "text"), code: ExitFail,
			check: func(t *testing.T, r *hrepo, _ string, out hout, _ *hPlan) {
				for _, line := range strings.Split(out.stdout, "\n") {
					if strings.HasSuffix(line, " ") {
						t.Errorf("a line ends in a blank: %q", line)
					}
				}
			}},
	}
}

// renameField commits the rename of Response.Name to NameV2 (json
// "name_v2") in api, its writer and its reader: a split that divides line
// by line.
func renameField(t *testing.T, r *hrepo) {
	api := strings.Replace(hostileAPI(""), "\tName string `json:\"name\"`", "\tNameV2 string `json:\"name_v2\"`", 1)
	r.commit("api: Name becomes NameV2", map[string]string{
		"api/api.go":      api,
		"cmd/api/main.go": strings.Replace(hostileAPIMain(""), "Name:", "NameV2:", 1),
		"cmd/web/main.go": hostileWebMain("println(r.ID, r.NameV2)"),
	})
}

// splitArgs is split with the args, in the row's repository.
func splitArgs(args ...string) []string {
	return append(append([]string{"split"}, args...), "-C", "$DIR")
}

// dirtyWorktree commits the rename of Response.name's tag while web stops
// reading Name (an ordered plan), then edits cmd/web/main.go without
// committing it so that web reads Name again.
func dirtyWorktree(t *testing.T, r *hrepo) {
	r.vars["CLEAN_WEB"] = hostileWebMain("println(r.ID)")
	r.commit("rename name; web stops reading it", map[string]string{
		"api/api.go":      strings.Replace(hostileAPI(""), `json:"name"`, `json:"name_v2"`, 1),
		"cmd/web/main.go": r.vars["CLEAN_WEB"],
	})
	r.write(map[string]string{"cmd/web/main.go": hostileWebMain("println(r.ID, r.Name)")})
}

// shallowClone replaces the row's repository by a clone of depth 1.
func shallowClone(t *testing.T, r *hrepo) {
	src := r.Dir
	r.Dir = filepath.Join(t.TempDir(), "shallow")
	hgit(t, src, "", "clone", "-q", "--depth=1", "file://"+filepath.ToSlash(src), r.Dir)
}
