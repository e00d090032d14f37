// Command sweep runs deployorder plan on each first-parent commit of a range
// in a real repository, one commit at a time, and summarizes what a person
// should look at: panics, tool errors, slow or large runs, the verdicts and
// findings, and every commit the plan says must be ordered, split or blocked.
//
//	go run ./internal/sweep [-bin PATH] [-C DIR] [-n N] [-j 1] [-timeout 10m] [-out FILE.jsonl] [-- extra plan flags] RANGE
//
// For each commit C of RANGE (git log --first-parent --reverse) that has a
// parent, it runs
//
//	BIN plan C^..C -C DIR -o json --fail-on never --no-cache -q [extra plan flags]
//
// and records the exit code, the wall time, the peak RSS (the rusage of the
// process and the children it waited for, such as go list), the verdict, the
// findings, whether stderr shows a panic, and stderr's first line on an
// error. -n keeps the last N commits of the range; -j runs that many plans at
// once (times are then less comparable); -out writes one JSON line per
// commit, in commit order. Progress goes to stderr, one line per commit; the
// summary goes to stdout at the end, also after an interrupt. sweep exits 0
// when every commit was tried (whatever the plans said), 1 when it could not
// sweep, 2 on bad flags and 130 after an interrupt.
//
// sweep only reads the repository: git log and rev-parse, git status without
// optional locks, and deployorder plan, which never changes it. The summary
// says whether HEAD, the refs, the index and the worktree status are the
// same after the sweep as before.
//
// scripts/sweep.sh builds deployorder first and passes it as -bin.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the parsed command line.
type options struct {
	bin, dir, out, rng string
	n, jobs            int
	timeout            time.Duration
	extra              []string // plan flags after --
}

// commit is one first-parent commit of the range.
type commit struct {
	sha, subject string
	root         bool // no parent: nothing to diff against, not planned
}

// Record is what one plan did; -out writes one per line.
type Record struct {
	SHA       string    `json:"sha"`
	Subject   string    `json:"subject"`
	Exit      int       `json:"exit"` // -1 when the plan did not exit by itself (timeout, interrupt)
	TimedOut  bool      `json:"timed_out,omitempty"`
	Seconds   float64   `json:"seconds"`
	MaxRSSKiB int64     `json:"maxrss_kib"`
	Verdict   string    `json:"verdict,omitempty"` // "" when no plan was written
	Steps     int       `json:"steps"`
	Findings  []Finding `json:"findings,omitempty"`
	Panic     bool      `json:"panic,omitempty"`
	Error     string    `json:"error,omitempty"` // stderr's first line on exit 1, the panic line, or why stdout is not a plan

	interrupted bool // killed by an interrupt of the sweep: neither written nor summarized
}

// Finding is a finding of the plan, as the JSON output spells it.
type Finding struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
}

// run parses the flags, sweeps the range and prints the summary.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "sweep: %v\n", err)
		}
		return 2
	}
	if err := sweep(ctx, opts, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "sweep: %v\n", err)
		return 1
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "sweep: interrupted; the summary covers the commits planned before")
		return 130
	}
	return 0
}

func parseArgs(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.bin, "bin", "deployorder", "the deployorder binary to run")
	fs.StringVar(&o.dir, "C", ".", "the repository to sweep")
	fs.IntVar(&o.n, "n", 0, "sweep only the last N commits of the range (0: all)")
	fs.IntVar(&o.jobs, "j", 1, "plans to run at once")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "time limit of one plan")
	fs.StringVar(&o.out, "out", "", "write one JSON line per commit to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return o, errors.New("pass the range to sweep as the last argument, e.g. HEAD~100..HEAD")
	}
	o.rng, o.extra = rest[len(rest)-1], rest[:len(rest)-1]
	if o.n < 0 || o.jobs < 1 || o.timeout <= 0 {
		return o, errors.New("-n must be 0 or more, -j 1 or more and -timeout positive")
	}
	return o, nil
}

func sweep(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if bin, err := exec.LookPath(o.bin); err != nil {
		return fmt.Errorf("deployorder binary %q: %w; build it (scripts/sweep.sh does) and pass -bin", o.bin, err)
	} else if o.bin, err = filepath.Abs(bin); err != nil {
		return err
	}
	commits, err := listCommits(ctx, o.dir, o.rng)
	if err != nil {
		return err
	}
	if o.n > 0 && len(commits) > o.n {
		commits = commits[len(commits)-o.n:]
	}
	before, err := repoState(ctx, o.dir)
	if err != nil {
		return err
	}
	var out io.Writer = io.Discard
	if o.out != "" {
		f, err := os.Create(o.out)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}

	var todo []commit
	for _, c := range commits {
		if !c.root {
			todo = append(todo, c)
		}
	}
	// Records go to out in commit order: each as soon as every earlier one
	// is done; after an interrupt, whatever finished.
	recs := make([]*Record, len(todo))
	var (
		mu      sync.Mutex
		flushed int // recs[:flushed] are written (or skipped)
		done    int
		werr    error
		wg      sync.WaitGroup
	)
	flush := func(all bool) {
		for ; flushed < len(recs) && (all || recs[flushed] != nil); flushed++ {
			if r := recs[flushed]; r != nil && !r.interrupted && werr == nil {
				b, _ := json.Marshal(r) // plain data: cannot fail
				_, werr = fmt.Fprintf(out, "%s\n", b)
			}
		}
	}
	next := make(chan int)
	for range o.jobs {
		wg.Go(func() {
			for i := range next {
				r := plan(ctx, o, todo[i])
				mu.Lock()
				recs[i] = &r
				if !r.interrupted {
					done++
					fmt.Fprintf(stderr, "[%d/%d] %s\n", done, len(todo), progressLine(r))
				}
				flush(false)
				mu.Unlock()
			}
		})
	}
feed:
	for i := range todo {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	flush(true)
	if werr != nil {
		return fmt.Errorf("writing %s: %w", o.out, werr)
	}

	var finished []Record
	for _, r := range recs {
		if r != nil && !r.interrupted {
			finished = append(finished, *r)
		}
	}
	after, err := repoState(context.WithoutCancel(ctx), o.dir)
	if err != nil {
		return err
	}
	s := summarize(finished)
	s.Range, s.Dir, s.InRange, s.Roots = o.rng, o.dir, len(commits), len(commits)-len(todo)
	s.Interrupted = ctx.Err() != nil
	s.Changed = before.diff(after)
	s.write(stdout)
	return nil
}

// listCommits lists the first-parent commits of rng, oldest first.
func listCommits(ctx context.Context, dir, rng string) ([]commit, error) {
	out, err := git(ctx, dir, "-c", "log.showSignature=false", "log", "--first-parent", "--reverse",
		"--format=%H%x1f%P%x1f%s", rng, "--")
	if err != nil {
		return nil, err
	}
	var cs []commit
	for line := range strings.Lines(out) {
		f := strings.SplitN(strings.TrimSuffix(line, "\n"), "\x1f", 3)
		if len(f) != 3 {
			return nil, fmt.Errorf("git log printed %q; expected hash, parents and subject", line)
		}
		cs = append(cs, commit{sha: f[0], root: f[1] == "", subject: f[2]})
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("range %s has no commits in %s", rng, dir)
	}
	return cs, nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"--no-pager", "-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, firstLine(stderr.String()))
	}
	return string(out), nil
}

// plan runs deployorder plan on one commit.
func plan(ctx context.Context, o options, c commit) Record {
	r := Record{SHA: c.sha, Subject: c.subject, Exit: -1}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	args := append([]string{"plan", c.sha + "^.." + c.sha, "-C", o.dir, "-o", "json", "--fail-on", "never", "--no-cache", "-q"}, o.extra...)
	cmd := exec.CommandContext(ctx, o.bin, args...)
	// Its own process group, so a timeout also ends the go list it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r.Seconds = time.Since(start).Seconds()
	if ps := cmd.ProcessState; ps != nil {
		r.Exit = ps.ExitCode()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSSKiB = ru.Maxrss // KiB on Linux
		}
	}
	r.TimedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
	r.interrupted = errors.Is(ctx.Err(), context.Canceled)
	r.Panic, r.Error = classify(stderr.String())
	switch {
	case r.TimedOut:
		r.Error = fmt.Sprintf("timed out after %s", o.timeout)
	case r.Exit == 0 || r.Exit == 2:
		p, perr := parsePlan(stdout.Bytes())
		if perr != nil && r.Error == "" {
			r.Error = perr.Error()
		}
		r.Verdict, r.Steps, r.Findings = p.Verdict, len(p.Steps), p.Findings
	case r.Error == "" && err != nil:
		r.Error = err.Error()
	}
	return r
}

// classify reports whether stderr shows a panic and the line to record: the
// panic's line for a panic, else stderr's first line.
func classify(stderr string) (panicked bool, line string) {
	for l := range strings.Lines(stderr) {
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") {
			return true, strings.TrimSpace(l)
		}
	}
	if strings.Contains(stderr, "goroutine ") {
		return true, firstLine(stderr)
	}
	return false, firstLine(stderr)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// planJSON is the part of deployorder's JSON plan that sweep reads.
type planJSON struct {
	Verdict  string            `json:"verdict"`
	Steps    []json.RawMessage `json:"steps"`
	Findings []Finding         `json:"findings"`
}

// parsePlan reads a plan written with -o json.
func parsePlan(b []byte) (planJSON, error) {
	var p planJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("stdout is not a JSON plan: %w", err)
	}
	if p.Verdict == "" {
		return p, errors.New("stdout is not a JSON plan: no verdict")
	}
	return p, nil
}

// progressLine is the one stderr line for a finished plan.
func progressLine(r Record) string {
	what := r.Verdict
	switch {
	case r.Panic:
		what = "PANIC"
	case r.TimedOut:
		what = "TIMEOUT"
	case r.Exit != 0 && r.Exit != 2:
		what = fmt.Sprintf("exit %d", r.Exit)
	}
	line := fmt.Sprintf("%s %-14s %6.1fs %5d MiB  %s", short(r.SHA), what, r.Seconds, r.MaxRSSKiB/1024, r.Subject)
	if r.Error != "" && what != r.Verdict {
		line += "\n    " + r.Error
	}
	return line
}

func short(sha string) string { return sha[:min(len(sha), 10)] }

// state is what a sweep must leave as it found it.
type state struct {
	head, refs, status string
	index              [sha256.Size]byte
}

func repoState(ctx context.Context, dir string) (state, error) {
	var s state
	var err error
	if s.head, err = git(ctx, dir, "rev-parse", "HEAD"); err != nil {
		return s, err
	}
	if s.refs, err = git(ctx, dir, "for-each-ref", "--format=%(refname) %(objectname)"); err != nil {
		return s, err
	}
	if s.status, err = git(ctx, dir, "status", "--porcelain=v1", "-z", "--untracked-files=all"); err != nil {
		return s, err
	}
	index, err := git(ctx, dir, "rev-parse", "--path-format=absolute", "--git-path", "index")
	if err != nil {
		return s, err
	}
	b, err := os.ReadFile(strings.TrimSpace(index))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return s, err
	}
	s.index = sha256.Sum256(b)
	return s, nil
}

// diff names what differs between s and t; nil when nothing does.
func (s state) diff(t state) []string {
	var d []string
	if s.head != t.head {
		d = append(d, "HEAD")
	}
	if s.refs != t.refs {
		d = append(d, "refs")
	}
	if s.index != t.index {
		d = append(d, "index")
	}
	if s.status != t.status {
		d = append(d, "worktree status")
	}
	return d
}

// summary is the report printed at the end.
type summary struct {
	Range, Dir     string
	InRange, Roots int // commits in the (cut) range; root commits not planned
	Interrupted    bool
	Changed        []string // what the sweep found changed in the repository
	Records        []Record // the finished plans, in commit order
	Verdicts       map[string]int
	Codes          map[codeKey]int // findings of each code and severity
	P50, P95, Max  float64         // seconds
	MaxRSSKiB      int64
	MaxRSSSHA      string
	Panics, Errors []Record // panics; other runs without a plan
	Notable        []Record // ordered, staged, split_required or blocked
}

type codeKey struct{ Code, Severity string }

// notable are the verdicts a person should review commit by commit.
var notable = map[string]bool{"ordered": true, "staged": true, "split_required": true, "blocked": true}

// verdictOrder sorts verdicts from least to most severe; unknown ones last.
var verdictOrder = []string{"noop", "safe", "ordered", "staged", "split_required", "blocked"}

func summarize(recs []Record) summary {
	s := summary{Records: recs, Verdicts: map[string]int{}, Codes: map[codeKey]int{}}
	var secs []float64
	for _, r := range recs {
		secs = append(secs, r.Seconds)
		if r.MaxRSSKiB > s.MaxRSSKiB {
			s.MaxRSSKiB, s.MaxRSSSHA = r.MaxRSSKiB, r.SHA
		}
		switch {
		case r.Panic:
			s.Panics = append(s.Panics, r)
		case r.Verdict == "":
			s.Errors = append(s.Errors, r)
		}
		if r.Verdict == "" {
			continue
		}
		s.Verdicts[r.Verdict]++
		for _, f := range r.Findings {
			s.Codes[codeKey{f.Code, f.Severity}]++
		}
		if notable[r.Verdict] {
			s.Notable = append(s.Notable, r)
		}
	}
	sort.Float64s(secs)
	s.P50, s.P95 = percentile(secs, 50), percentile(secs, 95)
	if len(secs) > 0 {
		s.Max = secs[len(secs)-1]
	}
	return s
}

// percentile returns the p-th percentile of sorted (ascending) by the
// nearest-rank method: the smallest value with at least p% of the values at
// or below it. It returns 0 for no values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (s summary) write(w io.Writer) {
	fmt.Fprintf(w, "sweep %s in %s\n", s.Range, s.Dir)
	fmt.Fprintf(w, "commits planned: %d of %d", len(s.Records), s.InRange)
	if s.Roots > 0 {
		fmt.Fprintf(w, " (%d root commits not planned)", s.Roots)
	}
	if s.Interrupted {
		fmt.Fprint(w, " (interrupted)")
	}
	fmt.Fprintln(w)
	if len(s.Changed) == 0 {
		fmt.Fprintln(w, "repository unchanged: yes (HEAD, refs, index, worktree status)")
	} else {
		fmt.Fprintf(w, "REPOSITORY CHANGED: %s\n", strings.Join(s.Changed, ", "))
	}

	fmt.Fprintf(w, "panics: %d\n", len(s.Panics))
	for _, r := range s.Panics {
		fmt.Fprintf(w, "  %s  %s\n", short(r.SHA), r.Error)
	}
	fmt.Fprintf(w, "no plan (exit 1, timeout, bad output): %d\n", len(s.Errors))
	for _, r := range s.Errors {
		fmt.Fprintf(w, "  %s  exit %d  %s\n", short(r.SHA), r.Exit, r.Error)
	}

	fmt.Fprint(w, "verdicts:")
	for _, v := range sortedVerdicts(s.Verdicts) {
		fmt.Fprintf(w, " %s %d", v, s.Verdicts[v])
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "findings (code, severity: count):")
	keys := make([]codeKey, 0, len(s.Codes))
	for k := range s.Codes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if a, b := s.Codes[keys[i]], s.Codes[keys[j]]; a != b {
			return a > b
		}
		return keys[i].Code < keys[j].Code || keys[i].Code == keys[j].Code && keys[i].Severity < keys[j].Severity
	})
	for _, k := range keys {
		fmt.Fprintf(w, "  %-32s %-8s %d\n", k.Code, k.Severity, s.Codes[k])
	}

	fmt.Fprintf(w, "time: p50 %.2fs  p95 %.2fs  max %.2fs;  max RSS %d MiB", s.P50, s.P95, s.Max, s.MaxRSSKiB/1024)
	if s.MaxRSSSHA != "" {
		fmt.Fprintf(w, " (%s)", short(s.MaxRSSSHA))
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "to review (ordered, staged, split_required, blocked): %d\n", len(s.Notable))
	for _, r := range s.Notable {
		fmt.Fprintf(w, "  %s  %-14s %s", short(r.SHA), r.Verdict, r.Subject)
		if codes := severeCodes(r.Findings); codes != "" {
			fmt.Fprintf(w, "  [%s]", codes)
		}
		fmt.Fprintln(w)
	}
}

func sortedVerdicts(m map[string]int) []string {
	rank := func(v string) int {
		for i, o := range verdictOrder {
			if o == v {
				return i
			}
		}
		return len(verdictOrder)
	}
	vs := make([]string, 0, len(m))
	for v := range m {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool {
		if a, b := rank(vs[i]), rank(vs[j]); a != b {
			return a < b
		}
		return vs[i] < vs[j]
	})
	return vs
}

// severeCodes lists the error and warning codes of fs, errors first, each
// once, with a count when it repeats: "SPLIT_CYCLE error, PKG_LOAD warning x2".
func severeCodes(fs []Finding) string {
	count := map[codeKey]int{}
	var keys []codeKey
	for _, f := range fs {
		if f.Severity != "error" && f.Severity != "warning" {
			continue
		}
		k := codeKey{f.Code, f.Severity}
		if count[k] == 0 {
			keys = append(keys, k)
		}
		count[k]++
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].Severity != keys[j].Severity {
			return keys[i].Severity == "error"
		}
		return keys[i].Code < keys[j].Code
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.Code + " " + k.Severity
		if n := count[k]; n > 1 {
			parts[i] += fmt.Sprintf(" x%d", n)
		}
	}
	return strings.Join(parts, ", ")
}
