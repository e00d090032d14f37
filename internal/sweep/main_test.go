package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPercentile(t *testing.T) {
	ten := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		{"none", nil, 50, 0},
		{"one", []float64{7}, 95, 7},
		{"median of ten is the fifth", ten, 50, 5},
		{"p95 of ten is the largest", ten, 95, 10},
		{"p90 of ten is the ninth", ten, 90, 9},
		{"p100", ten, 100, 10},
		{"p0 is the smallest", ten, 0, 1},
		{"median of three", []float64{0.5, 1.5, 9}, 50, 1.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestParsePlan(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    planJSON
		wantErr string
	}{
		{
			name: "plan",
			in: `{"schema_version":1,"verdict":"split_required","steps":[{"index":1},{"index":2}],
				"findings":[{"severity":"error","code":"SPLIT_CYCLE","message":"m","file":"a.go","line":3},
				{"severity":"warning","code":"PACKAGE_LOAD","message":"w"}],"unknown":true}`,
			want: planJSON{Verdict: "split_required", Findings: []Finding{
				{Severity: "error", Code: "SPLIT_CYCLE", Message: "m", File: "a.go", Line: 3},
				{Severity: "warning", Code: "PACKAGE_LOAD", Message: "w"},
			}},
		},
		{name: "empty stdout", in: "", wantErr: "stdout is not a JSON plan: unexpected end of JSON input"},
		{name: "text output", in: "deployorder plan main\n", wantErr: "stdout is not a JSON plan: invalid character"},
		{name: "json without a verdict", in: `{"steps":[]}`, wantErr: "no verdict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePlan([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parsePlan error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Steps) != 2 {
				t.Errorf("parsePlan read %d steps, want 2", len(got.Steps))
			}
			got.Steps = nil
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parsePlan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		stderr    string
		wantPanic bool
		wantLine  string
	}{
		{"clean", "", false, ""},
		{"tool error", "deployorder: unknown revision \"x\"; check the name\n", false, `deployorder: unknown revision "x"; check the name`},
		{"panic", "some progress\npanic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n", true, "panic: runtime error: index out of range [3] with length 3"},
		{"fatal error", "fatal error: concurrent map writes\n\ngoroutine 7 [running]:\n", true, "fatal error: concurrent map writes"},
		{"goroutine dump only", "SIGQUIT: quit\n\ngoroutine 1 [select]:\n", true, "SIGQUIT: quit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, line := classify(tt.stderr)
			if p != tt.wantPanic || line != tt.wantLine {
				t.Errorf("classify(%q) = %v, %q; want %v, %q", tt.stderr, p, line, tt.wantPanic, tt.wantLine)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	const a, b, c, d, e = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		"cccccccccccccccccccccccccccccccccccccccc", "dddddddddddddddddddddddddddddddddddddddd", "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
	recs := []Record{
		{SHA: a, Subject: "docs", Seconds: 1, MaxRSSKiB: 100 << 10, Verdict: "noop"},
		{SHA: b, Subject: "rename field", Exit: 0, Seconds: 4, MaxRSSKiB: 300 << 10, Verdict: "split_required", Findings: []Finding{
			{Severity: "error", Code: "SPLIT_CYCLE"},
			{Severity: "warning", Code: "PACKAGE_LOAD"},
			{Severity: "warning", Code: "PACKAGE_LOAD"},
			{Severity: "info", Code: "REBUILD_ONLY"},
		}},
		{SHA: c, Subject: "bad", Exit: 1, Seconds: 0.5, MaxRSSKiB: 20 << 10, Error: "deployorder: go list failed"},
		{SHA: d, Subject: "boom", Exit: 2, Seconds: 2, MaxRSSKiB: 50 << 10, Panic: true, Error: "panic: nil map"},
		{SHA: e, Subject: "add reader", Seconds: 3, MaxRSSKiB: 200 << 10, Verdict: "ordered", Findings: []Finding{
			{Severity: "warning", Code: "PACKAGE_LOAD"},
		}},
	}
	s := summarize(recs)
	s.Range, s.Dir, s.InRange, s.Roots = "HEAD~6..HEAD", "/r", 6, 1
	var got bytes.Buffer
	s.write(&got)
	want := `sweep HEAD~6..HEAD in /r
commits planned: 5 of 6 (1 root commits not planned)
repository unchanged: yes (HEAD, refs, index, worktree status)
panics: 1
  dddddddddd  panic: nil map
no plan (exit 1, timeout, bad output): 1
  cccccccccc  exit 1  deployorder: go list failed
verdicts: noop 1 ordered 1 split_required 1
findings (code, severity: count):
  PACKAGE_LOAD                     warning  3
  REBUILD_ONLY                     info     1
  SPLIT_CYCLE                      error    1
time: p50 2.00s  p95 4.00s  max 4.00s;  max RSS 300 MiB (bbbbbbbbbb)
to review (ordered, staged, split_required, blocked): 2
  bbbbbbbbbb  split_required rename field  [SPLIT_CYCLE error, PACKAGE_LOAD warning x2]
  eeeeeeeeee  ordered        add reader  [PACKAGE_LOAD warning]
`
	if diff := cmp.Diff(want, got.String()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}

	s.Changed = []string{"refs", "index"}
	got.Reset()
	s.write(&got)
	if !strings.Contains(got.String(), "REPOSITORY CHANGED: refs, index\n") {
		t.Errorf("summary of a changed repository does not say so:\n%s", got.String())
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantRange string
		wantExtra []string
		wantErr   string
	}{
		{"range only", []string{"HEAD~3..HEAD"}, "HEAD~3..HEAD", []string{}, ""},
		{"extra plan flags", []string{"-C", "/r", "--", "--offline", "--config", "x.yaml", "A..B"}, "A..B", []string{"--offline", "--config", "x.yaml"}, ""},
		{"no range", []string{"-n", "5"}, "", nil, "pass the range"},
		{"bad -j", []string{"-j", "0", "A..B"}, "", nil, "-j 1 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseArgs(tt.args, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseArgs(%q) error = %v, want one containing %q", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.rng != tt.wantRange || !cmp.Equal(o.extra, tt.wantExtra) {
				t.Errorf("parseArgs(%q) = range %q, extra %q; want %q, %q", tt.args, o.rng, o.extra, tt.wantRange, tt.wantExtra)
			}
		})
	}
}

// TestRun sweeps a real three-commit repository with a fake deployorder
// that panics on one commit and plans the other.
func TestRun(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	gitRun := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@x", "GIT_COMMITTER_NAME=a",
			"GIT_COMMITTER_EMAIL=a@x", "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %q: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitRun("init", "-q", "-b", "main")
	for _, subject := range []string{"root", "boom", "rename field"} {
		gitRun("commit", "-q", "--allow-empty", "-m", subject)
	}
	boom := gitRun("rev-parse", "HEAD~1")
	// The fake plan panics on the commit "boom" and plans the others.
	bin := filepath.Join(t.TempDir(), "deployorder")
	script := `#!/bin/sh
case "$2" in
` + boom + `^..*) echo "panic: assignment to entry in nil map" >&2; echo "goroutine 1 [running]:" >&2; exit 2 ;;
esac
echo '{"verdict":"split_required","steps":[{},{}],"findings":[{"severity":"error","code":"SPLIT_CYCLE","message":"m"}]}'
`
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "sweep.jsonl")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-bin", bin, "-C", dir, "-out", out, "main"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d\nstderr: %s", code, stderr.String())
	}
	for _, want := range []string{
		"commits planned: 2 of 3 (1 root commits not planned)",
		"repository unchanged: yes",
		"panics: 1\n  " + boom[:10] + "  panic: assignment to entry in nil map\n",
		"verdicts: split_required 1\n",
		"  SPLIT_CYCLE                      error    1\n",
		"  split_required rename field  [SPLIT_CYCLE error]\n",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout.String())
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []Record
	for line := range strings.Lines(string(b)) {
		var r Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		r.Seconds, r.MaxRSSKiB = 0, 0
		got = append(got, r)
	}
	want := []Record{
		{SHA: boom, Subject: "boom", Exit: 2, Panic: true, Error: "panic: assignment to entry in nil map"},
		{SHA: gitRun("rev-parse", "HEAD"), Subject: "rename field", Verdict: "split_required", Steps: 2,
			Findings: []Finding{{Severity: "error", Code: "SPLIT_CYCLE", Message: "m"}}},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(Record{})); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}
