package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/deployorder/deployorder/planner"
	"github.com/spf13/cobra"
)

type rulesOptions struct {
	env    *Env
	output string
}

func newRulesCmd(e *Env, runF func(*rulesOptions) error) *cobra.Command {
	opts := &rulesOptions{env: e}
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Print the rules deployorder applies to each changed contract element",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.output != "text" && opts.output != "json" {
				return usageErrorf("unknown output format %q; use text or json", opts.output)
			}
			if runF != nil {
				return runF(opts)
			}
			return runRules(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	return cmd
}

func runRules(opts *rulesOptions) error {
	var buf bytes.Buffer
	switch opts.output {
	case "json":
		type row struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
			Purpose  string `json:"purpose"`
		}
		rows := []row{}
		for _, r := range planner.Rules {
			rows = append(rows, row{string(r.ID), string(r.Severity), r.Purpose})
		}
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return err
		}
	case "text":
		tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tPURPOSE")
		for _, r := range planner.Rules {
			lines := wrap(r.Purpose, 72)
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, lines[0])
			for _, l := range lines[1:] {
				fmt.Fprintf(tw, "\t\t%s\n", l)
			}
		}
		tw.Flush()
	}
	_, err := opts.env.Stdout.Write(buf.Bytes())
	return err
}

// wrap breaks text into lines of at most width characters at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}
