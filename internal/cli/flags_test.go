package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/deployorder/deployorder/planner"
	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// parse runs a command's flag parsing and validation without running it:
// runF captures the options.
func parse(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{err} })
	return cmd.ExecuteContext(context.Background())
}

func TestPlanFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    planOptions // the fields compared: source, spec, output, failOn
		wantErr string      // a usage error containing this
	}{
		{args: nil, want: planOptions{source: source{dir: "."}, output: "text", failOn: "split_required"}},
		{args: []string{"main...HEAD", "-C", "repo", "-o", "json", "--fail-on", "never", "-q", "--offline", "--no-cache", "--config", "d.yaml"},
			want: planOptions{source: source{dir: "repo", config: "d.yaml", offline: true, quiet: true, noCache: true}, spec: "main...HEAD", output: "json", failOn: "never"}},
		{args: []string{"-o", "yaml"}, wantErr: `unknown output format "yaml"; use text, json, markdown, mermaid or github`},
		{args: []string{"--fail-on", "often"}, wantErr: `--fail-on "often": use noop, safe, ordered, staged, split_required, blocked or never`},
		{args: []string{"a..b", "c..d"}, wantErr: "accepts at most 1 arg(s), received 2"},
		{args: []string{"--frobnicate"}, wantErr: "unknown flag: --frobnicate"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *planOptions
			cmd := newPlanCmd(&Env{}, func(_ context.Context, o *planOptions) error { got = o; return nil })
			err := parse(t, cmd, tt.args...)
			if tt.wantErr != "" {
				var u *UsageError
				if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want a usage error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g := planOptions{source: got.source, spec: got.spec, output: got.output, failOn: got.failOn}
			if diff := cmp.Diff(tt.want, g, cmp.AllowUnexported(planOptions{}, source{})); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
			if got.renderer == nil {
				t.Error("no renderer for the output format")
			}
		})
	}
}

func TestInitFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    initOptions // the fields compared: dir, stdout
		wantErr string      // a usage error containing this
	}{
		{args: nil, want: initOptions{dir: "."}},
		{args: []string{"-C", "repo", "--stdout"}, want: initOptions{dir: "repo", stdout: true}},
		{args: []string{"--dir=repo"}, want: initOptions{dir: "repo"}},
		{args: []string{"--force"}, wantErr: "unknown flag: --force"},
		{args: []string{"--config", "d.yaml"}, wantErr: "unknown flag: --config"},
		{args: []string{"deployorder.yaml"}, wantErr: `unknown command "deployorder.yaml" for "init"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *initOptions
			cmd := newInitCmd(&Env{}, func(_ context.Context, o *initOptions) error { got = o; return nil })
			err := parse(t, cmd, tt.args...)
			if tt.wantErr != "" {
				var u *UsageError
				if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want a usage error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g := initOptions{dir: got.dir, stdout: got.stdout}
			if diff := cmp.Diff(tt.want, g, cmp.AllowUnexported(initOptions{})); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommentFlags(t *testing.T) {
	var got *commentOptions
	cmd := newCommentCmd(&Env{}, func(_ context.Context, o *commentOptions) error { got = o; return nil })
	if err := parse(t, cmd, "HEAD", "--pr", "7", "--dry-run", "--always", "--fail-on", "blocked"); err != nil {
		t.Fatal(err)
	}
	if got.spec != "HEAD" || got.pr != 7 || !got.dryRun || !got.always || got.fail.Verdict != planner.Blocked {
		t.Errorf("options = %+v", got)
	}
	err := parse(t, newCommentCmd(&Env{}, nil), "--pr", "-3")
	var u *UsageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "--pr -3: a pull-request number is positive") {
		t.Errorf("--pr -3: error = %v, want a usage error", err)
	}
}

// TestUsageErrorsExitCode checks that every kind of usage error exits 64
// and points at the command's help, with nothing on stdout.
func TestUsageErrorsExitCode(t *testing.T) {
	for _, args := range [][]string{
		{"plan", "-o", "yaml"},
		{"plan", "--fail-on", "sometimes"},
		{"plan", "--nope"},
		{"plan", "a", "b"},
		{"services", "-o", "xml"},
		{"rules", "-o", "csv"},
		{"demo", "-o", "pdf"},
		{"comment", "--fail-on", "x"},
		{"plna"},
		{"version", "extra"},
		{"init", "--force"},
		{"init", "extra"},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), args, testEnv(&stdout, &stderr))
		if code != ExitUsage || stdout.Len() > 0 || !strings.HasSuffix(stderr.String(), " --help\n") || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("deployorder %s: exit %d, stdout %q, stderr %q; want exit %d and one line ending in --help", strings.Join(args, " "), code, stdout.String(), stderr.String(), ExitUsage)
		}
	}
	var stdout, stderr bytes.Buffer
	Main(context.Background(), []string{"plna"}, testEnv(&stdout, &stderr))
	if !strings.Contains(stderr.String(), `did you mean "plan"?`) {
		t.Errorf("a misspelt command: %q, want a suggestion", stderr.String())
	}
}
