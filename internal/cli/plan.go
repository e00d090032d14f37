package cli

import (
	"bytes"
	"fmt"

	"github.com/deployorder/deployorder/planner"
	"github.com/deployorder/deployorder/render"
	"github.com/spf13/cobra"
)

type planOptions struct {
	source
	output string
	failOn string
}

func newPlanCmd(e *env) *cobra.Command {
	opts := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan [RANGE]",
		Short: "Print the rollout plan for a commit range",
		Long: `Print the rollout plan for a commit range.

RANGE is spelled as git spells it: A..B, A...B (from the merge base), or one
revision R (R^..R). Without RANGE, plan uses origin/$GITHUB_BASE_REF...HEAD in
a GitHub Actions pull request, else the default branch (origin/HEAD, main or
master) ...HEAD.

Exit codes: 0 the plan was written and its verdict is below --fail-on;
2 the plan was written and its verdict is at or above --fail-on; 1 error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec := ""
			if len(args) == 1 {
				spec = args[0]
			}
			return runPlan(cmd, e, opts, spec)
		},
	}
	addSourceFlags(cmd, &opts.source)
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text, json, markdown, mermaid or github")
	cmd.Flags().StringVar(&opts.failOn, "fail-on", "split_required", "exit 2 when the verdict is at or above this level: noop, safe, ordered, split_required, blocked, or never")
	return cmd
}

func addSourceFlags(cmd *cobra.Command, s *source) {
	cmd.Flags().StringVarP(&s.dir, "dir", "C", ".", "run in this directory (a checkout of the monorepo)")
	cmd.Flags().StringVar(&s.config, "config", "", "config file (default: deployorder.yaml at the repository root, if present)")
	cmd.Flags().BoolVar(&s.offline, "offline", false, "never download modules (GOPROXY=off for go list)")
	cmd.Flags().BoolVarP(&s.quiet, "quiet", "q", false, "no progress on stderr")
	cmd.Flags().BoolVar(&s.noCache, "no-cache", false, "compute the plan even if a cached one exists (the cache lives under the user cache dir)")
}

func runPlan(cmd *cobra.Command, e *env, opts *planOptions, spec string) error {
	r, err := render.For(opts.output)
	if err != nil {
		return err
	}
	fail, err := planner.ParseFailLevel(opts.failOn)
	if err != nil {
		return err
	}
	p, err := computePlan(cmd.Context(), e, opts.source, spec)
	if err != nil {
		return err
	}
	// Render fully before writing, so an error never leaves half a plan.
	var buf bytes.Buffer
	if err := r.Render(&buf, p); err != nil {
		return fmt.Errorf("rendering the plan: %w", err)
	}
	if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		return err
	}
	if fail.Fails(p.Verdict) {
		return errFailOn
	}
	return nil
}
