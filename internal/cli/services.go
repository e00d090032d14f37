package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/deployorder/deployorder/pipeline"
	"github.com/deployorder/deployorder/planner"
	"github.com/deployorder/deployorder/render"
	"github.com/spf13/cobra"
)

type servicesOptions struct {
	env *Env
	source
	output string
}

func newServicesCmd(e *Env, runF func(context.Context, *servicesOptions) error) *cobra.Command {
	opts := &servicesOptions{env: e}
	cmd := &cobra.Command{
		Use:   "services",
		Short: "List the services deployorder sees: names, main packages, owned paths",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.output != "text" && opts.output != "json" {
				return usageErrorf("unknown output format %q; use text or json", opts.output)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runServices(cmd.Context(), opts)
		},
	}
	addSourceFlags(cmd, &opts.source)
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	return cmd
}

type serviceRow struct {
	Name  string   `json:"name"`
	Main  string   `json:"main"`
	Dir   string   `json:"dir"`
	Owns  []string `json:"owns"` // owned paths: the main package's tree and config globs
	Which string   `json:"source"`
}

func runServices(ctx context.Context, opts *servicesOptions) error {
	e := opts.env
	ws, cleanup, err := pipeline.Workspace(ctx, opts.source.options(e))
	if err != nil {
		return err
	}
	defer cleanup()
	rows := []serviceRow{}
	for _, s := range ws.Services {
		r := serviceRow{Name: s.Name, Main: s.Main, Dir: s.Dir, Owns: []string{}, Which: "discovered"}
		if s.Declared {
			r.Which = "config"
		}
		if s.Dir != "" && s.Dir != "." {
			r.Owns = append(r.Owns, s.Dir+"/**")
		}
		r.Owns = append(r.Owns, s.Paths...)
		rows = append(rows, r)
	}
	var buf bytes.Buffer
	if opts.output == "json" {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tMAIN\tOWNS\tSOURCE")
		for _, r := range rows {
			main := r.Main
			if main == "" {
				main = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, main, strings.Join(r.Owns, " "), r.Which)
		}
		tw.Flush()
		for _, l := range render.FindingLines(planner.WarningFindings(ws.Warnings)) {
			fmt.Fprintf(e.Stderr, "warning: %s\n", l)
		}
	}
	_, err = e.Stdout.Write(buf.Bytes())
	return err
}
