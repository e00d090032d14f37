package cli

import (
	"bytes"
	"context"
	"fmt"

	"github.com/deployorder/deployorder/planner"
	"github.com/deployorder/deployorder/render"
	"github.com/spf13/cobra"
)

type planOptions struct {
	env *Env
	source
	spec   string // the range; "" for the default
	output string
	failOn string

	renderer render.Renderer   // from output
	fail     planner.FailLevel // from failOn
}

func newPlanCmd(e *Env, runF func(context.Context, *planOptions) error) *cobra.Command {
	opts := &planOptions{env: e}
	cmd := &cobra.Command{
		Use:   "plan [RANGE]",
		Short: "Print the rollout plan for a commit range",
		Long: `Print the rollout plan for a commit range.

RANGE is spelled as git spells it: A..B, A...B (from the merge base), or one
revision R (R^..R). Without RANGE, plan uses origin/$GITHUB_BASE_REF...HEAD in
a GitHub Actions pull request, else the default branch (origin/HEAD, main or
master) ...HEAD.

Exit codes: 0 the plan was written and its verdict is below --fail-on;
2 the plan was written and its verdict is at or above --fail-on; 1 error;
64 a bad flag or argument.`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.spec = args[0]
			}
			var err error
			if opts.renderer, err = render.For(opts.output); err != nil {
				return &UsageError{err}
			}
			if opts.fail, err = planner.ParseFailLevel(opts.failOn); err != nil {
				return &UsageError{err}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runPlan(cmd.Context(), opts)
		},
	}
	addSourceFlags(cmd, &opts.source)
	addOutputFlag(cmd, &opts.output)
	addFailOnFlag(cmd, &opts.failOn)
	return cmd
}

func addSourceFlags(cmd *cobra.Command, s *source) {
	cmd.Flags().StringVarP(&s.dir, "dir", "C", ".", "run in this directory (a checkout of the monorepo)")
	cmd.Flags().StringVar(&s.config, "config", "", "config file (default: deployorder.yaml at the repository root, if present)")
	cmd.Flags().BoolVar(&s.offline, "offline", false, "never download modules (GOPROXY=off for go list)")
	cmd.Flags().BoolVarP(&s.quiet, "quiet", "q", false, "no progress on stderr")
	cmd.Flags().BoolVar(&s.noCache, "no-cache", false, "compute the plan even if a cached one exists (the cache lives under the user cache dir)")
}

func addOutputFlag(cmd *cobra.Command, output *string) {
	cmd.Flags().StringVarP(output, "output", "o", "text", "output format: "+render.FormatList())
}

func addFailOnFlag(cmd *cobra.Command, failOn *string) {
	cmd.Flags().StringVar(failOn, "fail-on", string(planner.SplitRequired), "exit 2 when the verdict is at or above this level: "+planner.FailLevels())
}

func runPlan(ctx context.Context, opts *planOptions) error {
	p, err := computePlan(ctx, opts.env, opts.source, opts.spec)
	if err != nil {
		return err
	}
	// Render fully before writing, so an error never leaves half a plan.
	var buf bytes.Buffer
	if err := opts.renderer.Render(&buf, p); err != nil {
		return fmt.Errorf("rendering the plan: %w", err)
	}
	if _, err := opts.env.Stdout.Write(buf.Bytes()); err != nil {
		return err
	}
	if opts.fail.Fails(p.Verdict) {
		return errFailOn
	}
	return nil
}
