package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/deployorder/deployorder/internal/demo"
	"github.com/deployorder/deployorder/pipeline"
	"github.com/deployorder/deployorder/planner"
	"github.com/deployorder/deployorder/render"
	"github.com/spf13/cobra"
)

type demoOptions struct {
	env    *Env
	output string
	keep   bool

	renderer render.Renderer // from output
}

func newDemoCmd(e *Env, runF func(context.Context, *demoOptions) error) *cobra.Command {
	opts := &demoOptions{env: e}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Plan the built-in example: a metadata field renamed across three services",
		Long: `Plan the built-in example.

demo writes a small monorepo to a temporary directory: a metadata service that
serves {"metadata": {...}} as JSON, and billing and frontend services that read
it. One commit on main replaces metadata by metadata_v2 in the provider and
both readers at once; the branch done-right makes the same change in two
steps. demo plans both, then runs deployorder split on the one commit
(expand, switch and contract as commits on the branch split-main, each
built, vetted and planned) and plans that branch, which deploys each step at
its own commit (staged). It prints the three plans (-o json prints a JSON
array of them). The directory is removed afterwards unless --keep is given.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.renderer, err = render.For(opts.output); err != nil {
				return &UsageError{err}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDemo(cmd.Context(), opts)
		},
	}
	addOutputFlag(cmd, &opts.output)
	cmd.Flags().BoolVar(&opts.keep, "keep", false, "keep the demo repository and print its path")
	return cmd
}

func runDemo(ctx context.Context, opts *demoOptions) error {
	e, r := opts.env, opts.renderer
	dir, err := os.MkdirTemp("", "deployorder-demo-")
	if err != nil {
		return err
	}
	if !opts.keep {
		defer os.RemoveAll(dir)
	}
	if err := demo.Write(dir); err != nil {
		return fmt.Errorf("writing the demo repository: %w", err)
	}
	var plans []*planner.Plan
	splits := map[int]*pipeline.SplitResult{}
	for i, c := range demo.Cases {
		if c.Split != "" {
			res, err := pipeline.Split(ctx, c.Split, pipeline.SplitOptions{Options: source{dir: dir}.options(e), Branch: c.Branch, Verify: true})
			if err != nil {
				return fmt.Errorf("splitting %s in the demo repository: %w", c.Split, err)
			}
			splits[i] = res
		}
		p, err := computePlan(ctx, e, source{dir: dir}, c.Spec)
		if err != nil {
			return fmt.Errorf("planning %s in the demo repository: %w", c.Spec, err)
		}
		plans = append(plans, p)
	}
	var buf bytes.Buffer
	if opts.output == "json" {
		buf.WriteString("[\n")
		for i, p := range plans {
			var one bytes.Buffer
			if err := r.Render(&one, p); err != nil {
				return err
			}
			buf.WriteString(strings.TrimRight(one.String(), "\n"))
			if i < len(plans)-1 {
				buf.WriteString(",")
			}
			buf.WriteString("\n")
		}
		buf.WriteString("]\n")
	} else {
		fmt.Fprintf(&buf, "The demo monorepo: a metadata service serves {\"metadata\": {...}} as JSON; billing and\n")
		fmt.Fprintf(&buf, "frontend read it. The field becomes metadata_v2, a list of entries.\n")
		for i, c := range demo.Cases {
			fmt.Fprintf(&buf, "\n== %d. %s\n", i+1, c.Title)
			if res := splits[i]; res != nil {
				fmt.Fprintf(&buf, "   $ deployorder split %s --branch %s\n", c.Split, c.Branch)
				for _, sc := range res.Commits {
					subject, _, _ := strings.Cut(sc.Message, "\n")
					fmt.Fprintf(&buf, "     %.12s %s\n", sc.SHA, subject)
				}
			}
			fmt.Fprintf(&buf, "   $ deployorder plan %s\n\n", c.Spec)
			if err := r.Render(&buf, plans[i]); err != nil {
				return err
			}
		}
	}
	if opts.keep {
		msg := fmt.Sprintf("kept the demo repository at %s; try: cd %s && deployorder plan main\n", dir, dir)
		if opts.output == "json" {
			fmt.Fprint(e.Stderr, msg)
		} else {
			fmt.Fprintf(&buf, "\n%s", msg)
		}
	}
	_, err = e.Stdout.Write(buf.Bytes())
	return err
}
