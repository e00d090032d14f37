package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/deployorder/deployorder/pipeline"
	"github.com/spf13/cobra"
)

type splitOptions struct {
	env *Env
	source
	commit    string
	branch    string
	noVerify  bool
	output    string
	outputSet bool // -o given: with --branch, print the series in that format too
}

func newSplitCmd(e *Env, runF func(context.Context, *splitOptions) error) *cobra.Command {
	opts := &splitOptions{env: e}
	cmd := &cobra.Command{
		Use:   "split COMMIT",
		Short: "Write the split that plan asks for as a series of commits",
		Long: `Write the split that plan reports for COMMIT as a series of commits that
replaces it: expand (the providers' changes, with the lines that stop
providing old elements held back, so old and new are both provided), switch
(the consumers' changes) and contract (the held-back removals), one commit
per step. The last commit's tree is exactly COMMIT's. Each commit keeps
COMMIT's author and message, with "(step N of M: phase)" added and a
Split-From trailer naming COMMIT.

By default it prints the series as a patch mailbox on stdout (apply it with
git am on COMMIT's parent) and writes nothing. --branch NAME writes the
commits and creates refs/heads/NAME from COMMIT's parent, with the commits
that followed COMMIT up to HEAD re-parented on top (their trees unchanged);
it refuses an existing branch and never touches HEAD, the index, the
worktree or any other ref. With --branch, stdout lists the new commits one
per line (-o patch or -o json prints the series in that format instead).

Each commit is checked unless --no-verify: it builds and vets (go build and
go vet of the modules it touches, in a temporary export), it ships as one
deploy against its parent, and the whole series plans staged. When a change
cannot be divided line by line, split names the file and line that need a
hand edit, exits 1 and writes nothing.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.commit = args[0]
			opts.outputSet = cmd.Flags().Changed("output")
			if opts.output != "patch" && opts.output != "json" {
				return usageErrorf("unknown output format %q; use patch or json", opts.output)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSplit(cmd.Context(), opts)
		},
	}
	addSourceFlags(cmd, &opts.source)
	cmd.Flags().StringVar(&opts.branch, "branch", "", "write the series and create this branch (it must not exist)")
	cmd.Flags().BoolVar(&opts.noVerify, "no-verify", false, "do not build, vet and plan each commit of the series")
	cmd.Flags().StringVarP(&opts.output, "output", "o", "patch", "output format: patch (a mailbox for git am) or json")
	return cmd
}

func runSplit(ctx context.Context, opts *splitOptions) error {
	e := opts.env
	res, err := pipeline.Split(ctx, opts.commit, pipeline.SplitOptions{Options: opts.source.options(e), Branch: opts.branch, Verify: !opts.noVerify})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch opts.output {
	case "json":
		type commit struct {
			SHA      string   `json:"sha"`
			Step     int      `json:"step"`
			Phase    string   `json:"phase"`
			Services []string `json:"services"`
			Message  string   `json:"message"`
			Kept     []string `json:"kept"`
		}
		out := struct {
			Original string   `json:"original"`
			Parent   string   `json:"parent"`
			Commits  []commit `json:"commits"`
			Rebased  []string `json:"rebased"`
			Branch   string   `json:"branch,omitempty"`
			Verdict  string   `json:"verdict,omitempty"`
		}{Original: res.Original, Parent: res.Parent, Rebased: nonNilStrings(res.Rebased), Branch: res.Branch}
		for _, c := range res.Commits {
			out.Commits = append(out.Commits, commit{c.SHA, c.Step, string(c.Phase), nonNilStrings(c.Services), c.Message, nonNilStrings(c.Kept)})
		}
		if res.Plan != nil {
			out.Verdict = string(res.Plan.Verdict)
		}
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	case "patch":
		if res.Branch != "" && !opts.outputSet {
			for _, c := range res.Commits {
				subject, _, _ := strings.Cut(c.Message, "\n")
				fmt.Fprintf(&buf, "%.12s %s\n", c.SHA, subject)
			}
			break
		}
		buf.Write(pipeline.Mailbox(res))
	}
	if _, err := e.Stdout.Write(buf.Bytes()); err != nil {
		return err
	}
	if res.Branch != "" {
		fmt.Fprintf(e.Stderr, "deployorder: created branch %s: %d commits in place of %.12s", res.Branch, len(res.Commits), res.Original)
		switch n := len(res.Rebased); n {
		case 0:
		case 1:
			fmt.Fprintf(e.Stderr, ", and the commit after it re-parented on top")
		default:
			fmt.Fprintf(e.Stderr, ", and the %d commits after it re-parented on top", n)
		}
		fmt.Fprintln(e.Stderr)
	}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
