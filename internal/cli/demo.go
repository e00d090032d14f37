package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/deployorder/deployorder/internal/demo"
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
steps. demo plans both and prints the plans (-o json prints a JSON array of
the two plans). The directory is removed afterwards unless --keep is given.`,
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
	for _, c := range demo.Cases {
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
			fmt.Fprintf(&buf, "\n== %d. %s\n   $ deployorder plan %s\n\n", i+1, c.Title, c.Spec)
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
